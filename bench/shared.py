"""Where the real public data lives: `SKILLMATCH_SHARED_DATA`, relative paths from the repository root."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data() -> Path:
    configured = Path(os.environ.get("SKILLMATCH_SHARED_DATA", "../shared/data"))
    path = configured if configured.is_absolute() else (REPO_ROOT / configured).resolve()
    if not path.is_dir():
        raise SystemExit(f"shared data folder {path} not found: set SKILLMATCH_SHARED_DATA")
    return path

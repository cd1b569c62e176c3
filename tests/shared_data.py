"""Where the real public data set lives for tests (see /work/shared/data/README.md).

The folder is read from the environment variable SKILLMATCH_SHARED_DATA, by default `../shared/data`
relative to the repository root. Tests that need it call `shared_data_dir()`: when the folder is missing
the test is skipped with a clear message, except on CI (CI=true), where a missing folder is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_VAR = "SKILLMATCH_SHARED_DATA"


def shared_data_dir() -> Path:
    """The shared data folder; skips the calling test (fails it on CI) when the folder is absent."""
    configured = os.environ.get(ENV_VAR, "../shared/data")
    path = Path(configured)
    if not path.is_absolute():
        path = (REPO_ROOT / path).resolve()
    if not path.is_dir():
        message = (
            f"shared data folder {path} not found (set {ENV_VAR} to the folder holding sbb-kd-xml-2016/ etc.)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path

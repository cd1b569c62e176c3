"""Upload folders left by a killed import are removed at start-up; a live process's are kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.api import uploads


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_removes_the_folders_of_gone_processes_only(tmp_path: Path) -> None:
    prefix = uploads.SPOOL_PREFIX
    dead = tmp_path / f"{prefix}{_dead_pid()}-1-abc"
    previous_incarnation = tmp_path / f"{prefix}{os.getpid()}-1-abc"  # same pid, another start stamp
    live_other = tmp_path / f"{prefix}{os.getppid()}-1-abc"  # a replica on this host, still running
    mine = tmp_path / f"{prefix}{uploads._OWNER}abc"  # this process's own upload, in progress
    unnamed = tmp_path / f"{prefix}abc"  # an older naming: not ours to judge
    for folder in (dead, previous_incarnation, live_other, mine, unnamed):
        folder.mkdir()
        (folder / "1.upload").write_bytes(b"<xml/>")
    removed = uploads.sweep_spooled(tmp_path)
    assert sorted(removed) == sorted([dead, previous_incarnation])
    assert not dead.exists()
    assert not previous_incarnation.exists()
    assert live_other.exists()
    assert mine.exists()
    assert unnamed.exists()

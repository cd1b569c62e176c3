"""The version is stated in three places; they agree, and it is the newest release in CHANGELOG.md."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app import __version__

ROOT = Path(__file__).resolve().parents[2]
RELEASE = re.compile(r"^## \[(\d+)\.(\d+)\.(\d+)\] - (\d{4}-\d{2}-\d{2})$", re.MULTILINE)


def test_the_package_version_is_the_newest_release_in_the_changelog() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = RELEASE.findall(changelog)
    assert releases, "CHANGELOG.md has no '## [x.y.z] - yyyy-mm-dd' section"
    newest = ".".join(releases[0][:3])
    assert project == __version__ == newest


def test_the_changelog_lists_unreleased_first_then_releases_newest_first() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## .*$", changelog, re.MULTILINE)
    assert headings[0] == "## [Unreleased]"
    releases = RELEASE.findall(changelog)
    assert len(releases) == len(headings) - 1, headings
    versions = [tuple(int(part) for part in release[:3]) for release in releases]
    dates = [release[3] for release in releases]
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)
    assert dates == sorted(dates, reverse=True)

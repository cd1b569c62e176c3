"""docs/benchmarks.md holds one section per benchmark; each run replaces only its own section."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def write_section(section: str, *, heading: str, doc: Path = BENCHMARKS) -> None:
    """Replace the section that starts with `heading` (a "## …" line) by `section`, or add it at the end,
    leaving every other section as it is."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    start = text.find("\n" + heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading) + 1)
        text = text[: start + 1] + section + ("" if end == -1 else "\n" + text[end + 1 :])
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")

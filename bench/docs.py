"""docs/benchmarks.md holds one section per benchmark; each run replaces only its own section.

A section ("## …") may hold subsections ("### …") that another benchmark writes (`write_subsection`);
the section's own run carries those over (`keep`) instead of dropping them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def _block(text: str, heading: str, ends: Sequence[str]) -> tuple[int, int] | None:
    """Where the block that starts with the line `heading` begins and ends (at the first of `ends` after
    it, or the end of the text); None when there is no such line."""
    start = text.find("\n" + heading + "\n")
    if start == -1:
        return None
    found = [i for i in (text.find(e, start + len(heading) + 1) for e in ends) if i != -1]
    return start + 1, (min(found) + 1 if found else len(text))


def write_section(section: str, *, heading: str, doc: Path = BENCHMARKS, keep: Sequence[str] = ()) -> None:
    """Replace the section that starts with `heading` (a "## …" line) by `section`, or add it at the end,
    leaving every other section as it is. Subsections of the old section whose heading is in `keep`
    ("### …" lines written by another benchmark) are carried over to the end of the new one."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    found = _block(text, heading, ("\n## ",))
    if found is None:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        start, end = found
        old = "\n" + text[start:end]
        kept = []
        for sub in keep:
            block = _block(old, sub, ("\n## ", "\n### "))
            if block is not None and sub not in section:
                kept.append(old[block[0] : block[1]].rstrip("\n") + "\n")
        new = section.rstrip("\n") + "\n" + "".join("\n" + k for k in kept)
        rest = text[end:]
        text = text[:start] + new + ("\n" + rest if rest else "")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


def write_subsection(subsection: str, *, heading: str, parent: str, doc: Path = BENCHMARKS) -> None:
    """Replace the subsection that starts with `heading` (a "### …" line) inside the section `parent`
    (a "## …" line) by `subsection`, or add it at the end of that section; nothing else changes."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    outer = _block(text, parent, ("\n## ",))
    if outer is None:
        raise SystemExit(f"{doc} has no section {parent!r} to hold {heading!r}")
    start, end = outer
    body = "\n" + text[start:end]
    inner = _block(body, heading, ("\n## ", "\n### "))
    block = subsection.rstrip("\n") + "\n"
    if inner is None:
        body = body.rstrip("\n") + "\n\n" + block
    else:
        rest = body[inner[1] :]
        body = body[: inner[0]] + block + ("\n" + rest if rest else "")
    rest = text[end:]
    text = text[:start] + body[1:].rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text.rstrip("\n") + "\n", encoding="utf-8")

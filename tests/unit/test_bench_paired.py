"""The paired performance run's own machinery (bench/perf/paired.py): the order of the sides, the summary
of the rounds, and the subsection it writes into docs/benchmarks.md. Nothing here is timed."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import docs
from bench.perf.measure import Paired
from bench.perf.paired import round_order, summarise
from bench.perf.render import PAIRED_SECTION, SECTION, paired_section

DOC = (
    "# Benchmarks\n\n## Matching quality\n\ngood\n\n"
    "## Performance\n\nfast\n\n### Quality's own subsection\n\nstays\n\n"
    "## Load\n\nsteady\n"
)


def test_the_sides_take_turns_going_first() -> None:
    assert round_order(4) == [("base", "head"), ("head", "base"), ("base", "head"), ("head", "base")]
    assert round_order(1) == [("base", "head")]


def test_paired_medians_ratio_and_per_round_spread() -> None:
    p = Paired(base=(0.010, 0.030, 0.020), head=(0.008, 0.036, 0.014))
    assert p.base_median == pytest.approx(0.020)
    assert p.head_median == pytest.approx(0.014)
    assert p.ratio == pytest.approx(0.7)
    assert p.round_ratios == pytest.approx((0.8, 1.2, 0.7))
    assert p.round_ratio == pytest.approx(0.8)


def test_paired_needs_one_head_figure_per_base_figure() -> None:
    with pytest.raises(ValueError, match="as many"):
        Paired(base=(0.01, 0.02), head=(0.01,))
    with pytest.raises(ValueError, match="at least one"):
        Paired(base=(), head=())


def test_summarise_takes_each_rounds_median_per_side() -> None:
    results = {
        "base": [{"cached": [0.010, 0.012, 0.500]}, {"cached": [0.020, 0.022, 0.024]}],
        "head": [{"cached": [0.009, 0.011, 0.010]}, {"cached": [0.030, 0.001, 0.002]}],
    }
    got = summarise(results, "cached")
    assert got.base == pytest.approx((0.012, 0.022))  # the outlier of 0.5 s does not move round 1
    assert got.head == pytest.approx((0.010, 0.002))


def test_the_subsection_shows_medians_ratio_and_ranges() -> None:
    facts = {
        k: k.upper() for k in ("command", "machine", "load", "elapsed", "base", "head", "method", "data")
    }
    facts["reading"] = "Below 1 is faster."
    text = paired_section([("ad hoc", Paired(base=(0.010, 0.012), head=(0.009, 0.013)))], facts)
    assert text.startswith(PAIRED_SECTION + "\n")
    row = next(line for line in text.splitlines() if line.startswith("| ad hoc |"))
    assert row == (
        "| ad hoc | 11.0 ms | 11.0 ms | 1.00× | 0.99× (0.90×–1.08×) | 10.0 ms–12.0 ms | 9.00 ms–13.0 ms |"
    )
    assert text.endswith("Below 1 is faster.\n")


def test_a_new_subsection_goes_at_the_end_of_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC, encoding="utf-8")
    docs.write_subsection(f"{PAIRED_SECTION}\n\nfirst\n", heading=PAIRED_SECTION, parent=SECTION, doc=doc)
    text = doc.read_text(encoding="utf-8")
    assert (
        f"### Quality's own subsection\n\nstays\n\n{PAIRED_SECTION}\n\nfirst\n\n## Load\n\nsteady\n" in text
    )
    assert text.startswith("# Benchmarks\n\n## Matching quality\n\ngood\n\n## Performance\n\nfast\n")


def test_rewriting_the_subsection_replaces_only_it(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC, encoding="utf-8")
    for words in ("first", "second"):
        docs.write_subsection(
            f"{PAIRED_SECTION}\n\n{words}\n", heading=PAIRED_SECTION, parent=SECTION, doc=doc
        )
    text = doc.read_text(encoding="utf-8")
    assert "first" not in text
    assert text.count(PAIRED_SECTION) == 1
    assert text == DOC.replace("\n## Load", f"\n{PAIRED_SECTION}\n\nsecond\n\n## Load")


def test_a_subsection_needs_its_section(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Load\n\nsteady\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="no section"):
        docs.write_subsection(f"{PAIRED_SECTION}\n\nx\n", heading=PAIRED_SECTION, parent=SECTION, doc=doc)


def test_rewriting_the_section_keeps_the_paired_subsection(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(DOC, encoding="utf-8")
    docs.write_subsection(f"{PAIRED_SECTION}\n\npaired\n", heading=PAIRED_SECTION, parent=SECTION, doc=doc)
    docs.write_section(f"{SECTION}\n\nfaster\n", heading=SECTION, doc=doc, keep=(PAIRED_SECTION,))
    text = doc.read_text(encoding="utf-8")
    assert "## Performance\n\nfaster\n\n" + PAIRED_SECTION + "\n\npaired\n\n## Load\n\nsteady\n" in text
    assert "fast\n" not in text.replace("faster", "")
    assert "stays" not in text  # a subsection not kept goes with the old section, as before


def test_the_last_section_keeps_its_subsection_too(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text(f"# Benchmarks\n\n{SECTION}\n\nold\n\n{PAIRED_SECTION}\n\npaired\n", encoding="utf-8")
    docs.write_section(f"{SECTION}\n\nnew\n", heading=SECTION, doc=doc, keep=(PAIRED_SECTION,))
    assert (
        doc.read_text(encoding="utf-8") == f"# Benchmarks\n\n{SECTION}\n\nnew\n\n{PAIRED_SECTION}\n\npaired\n"
    )

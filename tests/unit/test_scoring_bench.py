"""The quality benchmark's own machinery: metrics, the vector cache and the docs writer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.matching.embedders import HashingEmbedder
from bench import docs
from bench.quality import __main__ as bench_main
from bench.quality.cache import CachedEmbedder
from bench.quality.data import Pair, Query
from bench.quality.pairs import auc, evaluate
from bench.quality.retrieval import Ranked, figures, rethreshold


def test_auc_matches_brute_force_pair_count() -> None:
    positive = np.array([0.9, 0.5, 0.5])
    negative = np.array([0.5, 0.1])
    # pairs: (0.9>0.5), (0.9>0.1), (0.5=0.5 half), (0.5>0.1), (0.5=0.5 half), (0.5>0.1) → 5 of 6
    assert auc(positive, negative) == pytest.approx(5 / 6)


def test_pair_evaluation_separates_a_scorer_that_knows_the_labels() -> None:
    pairs = [
        Pair("voorraad beheren", "voorraden bijhouden", True, "synonym", "esco"),
        Pair("klanten te woord staan", "klantgesprekken voeren", True, "synonym", "esco"),
        Pair("voorraad beheren", "netwerk beheren", False, "shared-verb", "esco"),
        Pair("klanten te woord staan", "lassen", False, "random", "esco"),
    ]
    positives = {(p.a, p.b) for p in pairs if p.positive}

    def oracle(a: list[str], b: list[str]) -> np.ndarray:
        return np.array([[1.0 if (x, y) in positives else 0.0 for y in b] for x in a])

    figures_ = evaluate(pairs, oracle)
    assert figures_.auc_all == 1.0
    assert figures_.auc_hard == 1.0
    assert figures_.ranking_accuracy == 1.0


def test_cached_embedder_loads_the_model_only_for_unknown_texts(tmp_path: Path) -> None:
    loads: list[int] = []

    def load() -> HashingEmbedder:
        loads.append(1)
        return HashingEmbedder()

    model = HashingEmbedder()

    def cached() -> CachedEmbedder:
        return CachedEmbedder(
            name=model.name,
            version=model.version,
            dim=model.dim,
            calibration=model.calibration,
            load=load,
            folder=tmp_path,
        )

    first = cached()
    vectors = first.encode(["Voert klantgesprekken", "Beheert de voorraad"])
    first.save()
    second = cached()
    again = second.encode(["Beheert de voorraad", "Voert klantgesprekken"])
    assert len(loads) == 1  # the second instance read everything from disk
    np.testing.assert_allclose(again, vectors[::-1])
    np.testing.assert_allclose(vectors, model.encode(["Voert klantgesprekken", "Beheert de voorraad"]))


def test_rethreshold_ranks_by_coverage_then_mean_similarity_and_marks_eligibility() -> None:
    query = Query("1", "D1", "t", "x")
    result = Ranked(
        query,
        ("1", "2", "3"),
        frozenset(),
        {"1": (0.9, 0.8, 0.2), "2": (0.6, 0.6, 0.6), "3": (0.9, 0.9, 0.1)},
        {"1": 0.633, "2": 0.6, "3": 0.633},
    )
    (at_half,) = rethreshold([result], 0.5)
    assert at_half.ranking == ("2", "1", "3")  # 3/3 covered beats 2/3; tie 1 vs 3 broken by crebo
    assert at_half.eligible == frozenset({"2"})
    figs = figures([at_half], {"1": "D1", "2": "D2", "3": "D1"})
    assert figs.mrr == pytest.approx(1 / 2)
    assert figs.own_eligible == 0.0
    assert figs.eligible_right_dossier == 0.0


def test_rethreshold_in_the_eligible_order_puts_eligible_first_then_relevance() -> None:
    query = Query("1", "D1", "t", "x")
    result = Ranked(
        query,
        ("3", "1", "2"),
        frozenset({"1", "2", "3"}),
        {"1": (0.9, 0.8, 0.2), "2": (0.6, 0.6, 0.6), "3": (0.9, 0.9, 0.1)},
        {"1": 0.633, "2": 0.6, "3": 0.633},
        "eligible",
        {"1": 0.5, "2": -1.0, "3": 0.7},
    )
    (at_half,) = rethreshold([result], 0.5)
    assert at_half.eligible == frozenset({"2"})
    assert at_half.ranking == ("2", "3", "1")  # the only eligible one first, then by relevance
    (at_low,) = rethreshold([result], 0.1)
    assert at_low.ranking == ("3", "1", "2")  # all eligible: relevance alone


def test_writing_the_section_keeps_other_sections(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Matching quality\n\nold\n\n## Performance\n\nfast\n", encoding="utf-8")
    docs.write_section("## Matching quality\n\nnew figures\n", heading=bench_main.SECTION, doc=doc)
    text = doc.read_text(encoding="utf-8")
    assert "new figures" in text
    assert "old" not in text
    assert "## Performance\n\nfast" in text


def test_the_grid_takes_the_simplest_configuration_within_one_query_of_the_best() -> None:
    ensemble_soft = bench_main.Config("e5+use", 0.4, 0.4, 0.2, 0.3)
    single_soft = bench_main.Config("e5", 0.4, 0.35, 0.05, 0.3)
    single_hard = bench_main.Config("e5", 0.2, 0.5, 0.15, 0.0)
    single_hard_worse = bench_main.Config("e5", 0.2, 0.55, 0.2, 0.0)
    configs = [ensemble_soft, single_soft, single_hard, single_hard_worse]
    scores = {ensemble_soft: 2.829, single_soft: 2.824, single_hard: 2.793, single_hard_worse: 2.70}
    assert bench_main.simplest_near_best(configs, scores, tolerance=1 / 14) == single_hard
    # A simpler configuration more than one query's worth behind is not taken.
    assert bench_main.simplest_near_best(configs, scores, tolerance=0.02) == single_soft
    assert bench_main.simplest_near_best(configs, scores, tolerance=0.0) == ensemble_soft

"""The quality benchmark's own machinery: metrics, the leave-one-dossier-out choice, the vector cache and
the docs writer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.matching import core
from app.matching.embedders import HashingEmbedder
from app.matching.service import Matcher
from bench import docs
from bench.quality import __main__ as bench_main
from bench.quality.cache import CachedEmbedder
from bench.quality.data import blind
from bench.quality.evaluate import (
    Answer,
    Catalogue,
    Evidence,
    Grid,
    Item,
    answer,
    choose,
    choose_staged,
    figures,
    objective,
    zsum,
    zsum_within,
)


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


def _item(key: str, dossier: str, accepted: set[str]) -> Item:
    return Item(key, dossier, frozenset(accepted), "x", key, False)


def test_figures_count_the_first_accepted_kwalificatie_and_the_eligible_from_the_right_dossier() -> None:
    dossier_of = {"1": "D1", "2": "D2", "3": "D1"}
    answers = [
        Answer(_item("q1", "D1", {"3"}), ("2", "3", "1"), frozenset({"2", "3"})),
        Answer(_item("q2", "D2", {"2"}), ("2", "1", "3"), frozenset()),
    ]
    f = figures(answers, dossier_of)
    assert f.mrr == pytest.approx((1 / 2 + 1) / 2)
    assert f.top1 == 0.5
    assert f.dossier_top1 == 0.5  # q1's first is from D2
    assert f.accepted_eligible == 0.5
    assert f.eligible_per_query == 1.0
    assert f.right_dossier == 0.5
    assert objective(f) == pytest.approx(f.mrr + 0.5 * 0.5)
    # Programmes from other dossiers cost in proportion, with no cliff at one half.
    assert objective(replace(f, right_dossier=0.49)) == pytest.approx(f.mrr + 0.5 * 0.49)
    assert objective(replace(f, accepted_eligible=1.0, right_dossier=0.0)) == pytest.approx(f.mrr)


def test_the_held_out_choice_never_sees_the_held_out_dossiers_queries() -> None:
    base = Matcher(HashingEmbedder()).params
    a, b, c = (replace(base, threshold=t) for t in (0.4, 0.5, 0.6))
    seen: list[str | None] = []

    def score(params: object, held_out: str | None) -> float:
        seen.append(held_out)
        # D1 alone prefers a; without D1 the others prefer c
        return {None: {a: 3.0, b: 2.0, c: 2.5}, "D1": {a: 1.0, b: 1.5, c: 2.0}}[held_out][params]  # type: ignore[index]

    assert choose([a, b, c], score, "D1", tolerance=0.0) == c
    assert set(seen) == {"D1"}
    assert choose([a, b, c], score, None, tolerance=0.0) == a


def test_a_choice_sees_neither_the_held_out_dossier_nor_the_test_half_of_the_vacancies() -> None:
    got = [
        Answer(_item(key, dossier, {"1"}), ("1",), frozenset({"1"}))
        for key, dossier in (("25001", "D1"), ("25002", "D2"), ("v1", "D2"), ("v2", "D2"))
    ]
    split_of = {"v1": "dev", "v2": "test"}
    assert [a.item.key for a in bench_main.choosing(got, "D1", split_of)] == ["25002", "v1"]
    assert [a.item.key for a in bench_main.choosing(got, None, split_of)] == ["25001", "25002", "v1"]


def test_a_blinded_typering_describes_the_work_without_naming_the_job() -> None:
    text = (
        "De allround laborant werkt in een laboratorium. Hij overlegt met de Allround  Laborant van de "
        "nachtdienst. De gastronoom sommelier adviseert over wijn; Analisten werken samen."
    )
    got = blind(text, ("Allround laborant", "Gastronoom/sommelier", "Analisten"))
    assert got == (
        "De werknemer werkt in een laboratorium. Hij overlegt met de werknemer van de "
        "nachtdienst. De werknemer adviseert over wijn; werknemer werken samen."
    )
    # A word of the name standing alone, or inside a longer word, is the field and stays.
    assert blind("Een laborant in het laboratorium", ("Allround laborant",)) == (
        "Een laborant in het laboratorium"
    )
    assert blind("De sportinstructeur", ("sport",)) == "De sportinstructeur"


def test_the_choice_takes_the_simplest_parameters_within_the_tolerance() -> None:
    base = Matcher(HashingEmbedder()).params
    soft = replace(base, credit_width=0.2, semantic_weight=1.0)
    hard = replace(base, credit_width=0.0, semantic_weight=0.0)
    scores = {soft: 2.83, hard: 2.80}
    assert choose([soft, hard], lambda p, _: scores[p], None, tolerance=1 / 14) == hard
    assert choose([soft, hard], lambda p, _: scores[p], None, tolerance=0.01) == soft


def test_the_staged_choice_picks_the_line_on_eligibility_then_the_ranking_on_mrr() -> None:
    base = Matcher(HashingEmbedder()).params
    grid = Grid(
        title_offsets=(0.1,),
        titles_only_offsets=(0.0,),
        thresholds=(0.6, 0.7),
        skill_weights=(1.0,),
        document_weights=(0.0, 1.0),
        semantic_weights=(0.0,),
        orders=("relevance",),
        document_texts=(False,),
        generic_discounts=(False,),
        name_weights=(0.0,),
        niveau_terms=((0.0, 2.0),),
    )
    lines_seen: set[float] = set()

    def line_score(p: object, held_out: str | None) -> float:
        assert isinstance(p, type(base))
        lines_seen.add(p.document_weight)
        return 1.0 if p.threshold == 0.7 else 0.5

    def rank_score(p: object, held_out: str | None) -> float:
        assert isinstance(p, type(base))
        assert p.threshold == 0.7  # the ranking is chosen on the chosen line only
        return 0.9 if p.document_weight == 1.0 else 0.4

    got = choose_staged(grid, base, line_score, rank_score, None, tolerance=0.0)
    assert (got.threshold, got.document_weight) == (0.7, 1.0)
    assert lines_seen == {base.document_weight}  # stage 1 keeps the base's ranking
    assert len(grid.candidates(base)) == 4


def test_the_z_sum_baseline_adds_standardised_scores() -> None:
    got = zsum(np.array([1.0, 2.0, 3.0]), np.array([10.0, 10.0, 40.0]))
    assert got.argmax() == 2
    np.testing.assert_allclose(got.sum(), 0.0, atol=1e-9)


def test_writing_the_section_keeps_other_sections(tmp_path: Path) -> None:
    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\n## Matching quality\n\nold\n\n## Performance\n\nfast\n", encoding="utf-8")
    docs.write_section("## Matching quality\n\nnew figures\n", heading=bench_main.SECTION, doc=doc)
    text = doc.read_text(encoding="utf-8")
    assert "new figures" in text
    assert "old" not in text
    assert "## Performance\n\nfast" in text


def test_the_name_term_lifts_the_programme_the_text_names_but_never_its_coverage() -> None:
    best = np.array([[0.8, 0.8], [0.4, 0.4]], dtype=np.float32)  # two programmes, equal skill evidence
    specs = [core.SkillSpec(weight=1, must_have=False, trainable=True)] * 2
    name = np.array([0.1, 0.6], dtype=np.float32)  # the text names the second one
    plain = core.score_best(best, specs, ["25001", "25002"], threshold=0.65, min_coverage=0.7)
    named = core.score_best(
        best,
        specs,
        ["25001", "25002"],
        threshold=0.65,
        min_coverage=0.7,
        name_similarity=name,
        name_weight=1.0,
        order="relevance",
    )
    assert plain.order.tolist()[0] == 0  # a tie goes to the lower crebo
    assert named.order.tolist()[0] == 1
    np.testing.assert_array_equal(named.coverage, plain.coverage)
    np.testing.assert_array_equal(named.eligible, plain.eligible)


def test_a_query_with_nothing_to_score_is_a_miss_at_the_bottom() -> None:
    cat = Catalogue("x", ("1", "2", "3"), {"1": "D1", "2": "D2", "3": "D2"}, None, None, (3, 3, 3))  # type: ignore[arg-type]
    ev = Evidence(
        _item("q", "D1", {"1"}), (), np.zeros((0, 3), np.float32), *([np.zeros(3)] * 4), 0, np.zeros(3)
    )
    got = answer(ev, Matcher(HashingEmbedder()).params, cat)
    assert got.ranking[-1] == "1"
    assert got.eligible == frozenset()
    f = figures([got], cat.dossier_of)
    assert f.mrr == pytest.approx(1 / 3)
    assert f.top1 == 0.0
    assert f.dossier_top1 == 0.0


def test_z_within_groups_measures_each_programme_against_its_own_kind() -> None:
    # Full-content programmes (False) score higher across the board; within its kind the first
    # titles-only programme stands out as much as the first full one.
    groups = np.array([False, False, True, True])
    scores = np.array([0.9, 0.7, 0.4, 0.2])
    got = zsum_within(groups, scores)
    np.testing.assert_allclose(got, [1.0, -1.0, 1.0, -1.0])
    assert zsum(scores)[2] < 0 < got[2]

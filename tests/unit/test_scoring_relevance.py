"""Ranking by relevance (opt-in): whole-document evidence beside the mean best similarity decides the order."""

from __future__ import annotations

import numpy as np
import pytest

from app.matching.core import SkillSpec, score_programmes, zscore
from app.matching.lexical import DocumentTfidf

# Two skills, three programmes with one statement each; every skill is covered everywhere (≥ 0.5).
SIMS = np.array([[0.9, 0.8, 0.7], [0.9, 0.8, 0.7]], dtype=np.float32)
OFFSETS = np.array([0, 1, 2], dtype=np.intp)
KEYS = ["100", "200", "300"]
SKILLS = [SkillSpec(1.0, False, False), SkillSpec(1.0, False, False)]


def test_without_document_evidence_mean_similarity_breaks_coverage_ties() -> None:
    ranked = score_programmes(SIMS, OFFSETS, KEYS, SKILLS, threshold=0.5, min_coverage=0.7)
    assert [KEYS[r.programme_index] for r in ranked] == ["100", "200", "300"]


def test_document_evidence_can_lift_a_programme_among_equal_coverage() -> None:
    document = np.array([0.0, 0.1, 0.9], dtype=np.float32)
    ranked = score_programmes(
        SIMS, OFFSETS, KEYS, SKILLS, threshold=0.5, min_coverage=0.7, document_similarity=document
    )
    # relevance = z(mean sim) + z(document) ≈ (1.22 - 0.82, 0 - 0.58, -1.22 + 1.40) = (0.40, -0.58, 0.18)
    assert [KEYS[r.programme_index] for r in ranked] == ["100", "300", "200"]
    assert [round(r.relevance, 2) for r in ranked] == [0.40, 0.18, -0.58]
    assert all(r.coverage == 1.0 and r.eligible for r in ranked)


def test_relevance_changes_the_order_but_not_coverage_or_eligibility() -> None:
    sims = SIMS.copy()
    sims[1, 2] = 0.1  # programme 300 now covers one skill of two
    document = np.array([0.0, 0.0, 1.0], dtype=np.float32)
    by_coverage = score_programmes(sims, OFFSETS, KEYS, SKILLS, threshold=0.5, min_coverage=0.7)
    by_relevance = score_programmes(
        sims, OFFSETS, KEYS, SKILLS, threshold=0.5, min_coverage=0.7, document_similarity=document
    )
    assert KEYS[by_coverage[-1].programme_index] == "300"
    coverage = {KEYS[r.programme_index]: (r.coverage, r.eligible) for r in by_coverage}
    assert {KEYS[r.programme_index]: (r.coverage, r.eligible) for r in by_relevance} == coverage
    assert coverage["300"] == (pytest.approx(0.5), False)


def test_document_similarity_needs_one_value_per_programme() -> None:
    with pytest.raises(ValueError, match="one document similarity per programme"):
        score_programmes(
            SIMS,
            OFFSETS,
            KEYS,
            SKILLS,
            threshold=0.5,
            min_coverage=0.7,
            document_similarity=np.zeros(2, dtype=np.float32),
        )


def test_zscore_of_constant_values_is_zero() -> None:
    np.testing.assert_array_equal(zscore(np.array([0.4, 0.4, 0.4])), np.zeros(3))
    np.testing.assert_allclose(zscore(np.array([1.0, 3.0])), [-1.0, 1.0])


def test_document_tfidf_prefers_the_programme_sharing_rare_words() -> None:
    documents = DocumentTfidf(
        [
            "Begeleidt kinderen in de kinderopvang\nWerkt samen met collega's",
            "Begeleidt cliënten in de gehandicaptenzorg\nWerkt samen met collega's",
        ]
    )
    scores = documents.similarity("Biedt zorg aan mensen in de gehandicaptenzorg en werkt samen")
    assert scores[1] > scores[0]
    assert DocumentTfidf([]).similarity("iets").shape == (0,)


def test_generic_discount_lets_the_distinctive_skill_decide_the_order() -> None:
    # Skill 1 is generic: three of four programmes match it equally well. Skill 2 is distinctive: only
    # programme 300 matches it. Unweighted, 300's miss on the generic skill outweighs its lead on the
    # distinctive one; weighed by distinctiveness (best − mean over the programmes), it ranks first.
    sims = np.array([[0.95, 0.95, 0.70, 0.95], [0.30, 0.30, 0.50, 0.30]], dtype=np.float32)
    offsets = np.arange(4, dtype=np.intp)
    keys = ["100", "200", "300", "400"]
    plain = score_programmes(sims, offsets, keys, SKILLS, threshold=0.2, min_coverage=0.5)
    discounted = score_programmes(
        sims, offsets, keys, SKILLS, threshold=0.2, min_coverage=0.5, generic_discount=True
    )
    assert keys[plain[-1].programme_index] == "300"
    assert keys[discounted[0].programme_index] == "300"
    # By hand: weights 0.95 − 0.8875 = 0.0625 and 0.50 − 0.35 = 0.15.
    by_key = {keys[r.programme_index]: r for r in discounted}
    assert by_key["300"].relevance == pytest.approx((0.0625 * 0.70 + 0.15 * 0.50) / 0.2125, abs=1e-6)
    assert by_key["100"].relevance == pytest.approx((0.0625 * 0.95 + 0.15 * 0.30) / 0.2125, abs=1e-6)
    # Coverage and eligibility do not change: a generic skill must still be covered.
    assert {keys[r.programme_index]: (r.coverage, r.eligible) for r in plain} == {
        k: (v.coverage, v.eligible) for k, v in by_key.items()
    }

"""The pure scoring core, on a small example checked by hand and against a brute-force oracle."""

from __future__ import annotations

import numpy as np
import pytest

from app.matching.core import Order, SkillSpec, best_per_programme, credit, score_programmes


def test_best_per_programme_matches_brute_force() -> None:
    rng = np.random.default_rng(7)
    sims = rng.random((5, 23)).astype(np.float32)
    sims[:, 4] = sims[:, 3]  # a tie inside a block: the first column wins
    offsets = np.array([0, 3, 9, 10, 17], dtype=np.intp)
    best, column = best_per_programme(sims, offsets)
    ends = [*offsets[1:], 23]
    for p, (start, end) in enumerate(zip(offsets, ends, strict=True)):
        for i in range(5):
            block = sims[i, start:end]
            assert best[i, p] == pytest.approx(block.max())
            assert column[i, p] == start + int(np.argmax(block))


# Three skills against two programmes. Programme A (crebo 25002) has statements 0-1, B (25001) 2-4.
SIMS = np.array(
    [
        # A0   A1    B0   B1   B2
        [0.90, 0.10, 0.60, 0.20, 0.10],  # skill 0, weight 3: A covers (0.90), B covers (0.60)
        [0.20, 0.55, 0.30, 0.45, 0.10],  # skill 1, weight 1: A covers (0.55), B does not (0.45)
        [0.10, 0.20, 0.30, 0.20, 0.70],  # skill 2, weight 2, must-have: A does not (0.20), B covers (0.70)
    ],
    dtype=np.float32,
)
OFFSETS = np.array([0, 2], dtype=np.intp)
KEYS = ["25002", "25001"]


def _skills(*, trainable_last: bool) -> list[SkillSpec]:
    return [
        SkillSpec(weight=3, must_have=False, trainable=False),
        SkillSpec(weight=1, must_have=False, trainable=False),
        SkillSpec(weight=2, must_have=True, trainable=trainable_last),
    ]


def test_coverage_eligibility_and_knockout_by_hand() -> None:
    a, b = None, None
    for result in score_programmes(
        SIMS, OFFSETS, KEYS, _skills(trainable_last=False), threshold=0.5, min_coverage=0.5
    ):
        if KEYS[result.programme_index] == "25002":
            a = result
        else:
            b = result
    assert a is not None
    assert b is not None
    # A: skills 0 (w3) and 1 (w1) covered of total 6 -> 4/6; must-have skill 2 uncovered -> knockout.
    assert a.coverage == pytest.approx(4 / 6)
    assert a.knockouts == (2,)
    assert a.eligible is False
    # B: skills 0 (w3) and 2 (w2) covered -> 5/6, no knockout.
    assert b.coverage == pytest.approx(5 / 6)
    assert b.knockouts == ()
    assert b.eligible is True
    assert [s.best_statement for s in b.skills] == [2, 3, 4]
    assert [s.covered for s in a.skills] == [True, True, False]


def test_trainable_must_have_is_not_a_knockout() -> None:
    results = score_programmes(
        SIMS, OFFSETS, KEYS, _skills(trainable_last=True), threshold=0.5, min_coverage=0.5
    )
    a = next(r for r in results if KEYS[r.programme_index] == "25002")
    assert a.knockouts == ()
    assert a.eligible is True


def test_min_coverage_line_is_inclusive() -> None:
    results = score_programmes(
        SIMS, OFFSETS, KEYS, _skills(trainable_last=False), threshold=0.5, min_coverage=5 / 6
    )
    b = next(r for r in results if KEYS[r.programme_index] == "25001")
    assert b.eligible is True


def test_ranking_is_coverage_then_mean_similarity_then_crebo() -> None:
    sims = np.array([[0.9, 0.9, 0.9], [0.6, 0.6, 0.7]], dtype=np.float32)
    offsets = np.array([0, 1, 2], dtype=np.intp)
    keys = ["25003", "25001", "25002"]
    skills = [SkillSpec(1, False, False), SkillSpec(1, False, False)]
    ranked = [
        keys[r.programme_index]
        for r in score_programmes(sims, offsets, keys, skills, threshold=0.5, min_coverage=0.7)
    ]
    # All cover everything; 25002 has the higher mean similarity; 25001 and 25003 tie and sort by crebo.
    assert ranked == ["25002", "25001", "25003"]


def test_eligible_programmes_come_first_and_each_group_is_ordered_by_relevance() -> None:
    # One statement per programme. X covers the two heavy skills but not the must-have (a knockout),
    # P covers everything just above the threshold, Q covers little but with strong evidence.
    sims = np.array(
        [
            # X     P     Q
            [0.90, 0.55, 0.99],  # skill 0, weight 5
            [0.90, 0.55, 0.45],  # skill 1, weight 4
            [0.10, 0.55, 0.99],  # skill 2, weight 1, must-have, not trainable
        ],
        dtype=np.float32,
    )
    offsets = np.array([0, 1, 2], dtype=np.intp)
    keys = ["25003", "25001", "25002"]  # X, P, Q
    skills = [SkillSpec(5, False, False), SkillSpec(4, False, False), SkillSpec(1, True, False)]

    def order(how: Order) -> list[tuple[str, float, bool]]:
        results = score_programmes(sims, offsets, keys, skills, threshold=0.5, min_coverage=0.6, order=how)
        return [(keys[r.programme_index], round(r.coverage, 2), r.eligible) for r in results]

    # Q (0.6, mean similarity 0.77) before P (1.0, 0.55): both eligible, Q has the stronger evidence;
    # X (0.9, 0.82) is knocked out, so it comes after every eligible programme.
    assert order("eligible") == [("25002", 0.6, True), ("25001", 1.0, True), ("25003", 0.9, False)]
    assert order("coverage") == [("25001", 1.0, True), ("25003", 0.9, False), ("25002", 0.6, True)]
    assert order("relevance") == [("25003", 0.9, False), ("25002", 0.6, True), ("25001", 1.0, True)]
    assert order("eligible") == [
        (keys[r.programme_index], round(r.coverage, 2), r.eligible)
        for r in score_programmes(sims, offsets, keys, skills, threshold=0.5, min_coverage=0.6)
    ]  # the default


def test_no_skills_is_refused() -> None:
    with pytest.raises(ValueError, match="without skills"):
        score_programmes(SIMS[:0], OFFSETS, KEYS, [], threshold=0.5, min_coverage=0.7)


def test_soft_credit_by_hand_and_covered_means_credit_at_least_half() -> None:
    best = np.array([[0.30, 0.45, 0.50, 0.60, 0.449]], dtype=np.float32)
    credits, covered = credit(best, 0.5, 0.2)  # credit rises from 0 at 0.4 to 1 at 0.6
    np.testing.assert_allclose(credits[0], [0.0, 0.25, 0.5, 1.0, 0.245], atol=1e-6)
    assert covered[0].tolist() == [False, False, True, True, False]
    assert ((credits >= 0.5) == covered).all()
    hard, hard_covered = credit(best, 0.5)
    assert hard[0].tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]
    assert (hard_covered == covered).all()


def test_soft_credit_coverage_is_the_weighted_mean_credit() -> None:
    # Skill 0 (w3): A 0.90 → 1, B 0.60 → 0.5 + 0.1/0.4 = 0.75; skill 1 (w1): A 0.55 → 0.625, B 0.45 → 0.375;
    # skill 2 (w2, must-have): A 0.20 → 0, B 0.70 → 1. Width 0.4 around 0.5.
    results = score_programmes(
        SIMS, OFFSETS, KEYS, _skills(trainable_last=False), threshold=0.5, min_coverage=0.5, credit_width=0.4
    )
    by_key = {KEYS[r.programme_index]: r for r in results}
    assert by_key["25002"].coverage == pytest.approx((3 * 1 + 0.625) / 6)
    assert by_key["25001"].coverage == pytest.approx((3 * 0.75 + 0.375 + 2 * 1) / 6)
    # Covered and knockouts are those of the hard threshold: credit ≥ 0.5.
    assert [s.covered for s in by_key["25002"].skills] == [True, True, False]
    assert by_key["25002"].knockouts == (2,)
    assert [s.covered for s in by_key["25001"].skills] == [True, False, True]
    assert [KEYS[r.programme_index] for r in results] == ["25001", "25002"]

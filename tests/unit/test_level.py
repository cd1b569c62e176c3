"""The niveau term: a description's cues of responsibility move sibling kwalificaties of different niveau."""

from __future__ import annotations

import numpy as np

from app.ingest.level import MAX_LEVEL_SCORE, level_score
from app.matching import core, scoring


def test_cues_of_responsibility_count_up_and_cues_of_support_count_down() -> None:
    assert level_score("Je geeft leiding aan het team, coördineert de planning en adviseert de manager.") >= 3
    assert level_score("Je ondersteunt de kok en werkt onder leiding van de chef volgens instructies.") <= -3
    assert level_score("Je dekt de tafels en schenkt koffie.") == 0
    assert abs(level_score("coördineert " * 20)) == MAX_LEVEL_SCORE


def test_the_niveau_term_lifts_the_higher_sibling_for_a_responsible_description_and_the_lower_otherwise() -> (
    None
):
    niveaus = np.array([2, 4])
    high = scoring.niveau_evidence(4, niveaus, centre=1.0)
    low = scoring.niveau_evidence(-2, niveaus, centre=1.0)
    assert high[1] > high[0]
    assert low[0] > low[1]
    assert np.all(scoring.niveau_evidence(1, niveaus, centre=1.0) == 0)  # at the centre: no preference
    # Two siblings with identical skill evidence: the term alone decides their order.
    best = np.array([[0.8, 0.8]], dtype=np.float32)
    specs = [core.SkillSpec(weight=2, must_have=False, trainable=False)]
    for level, first in ((4, "B"), (-2, "A")):
        scored = core.score_best(
            best,
            specs,
            ["A", "B"],
            threshold=0.6,
            min_coverage=0.7,
            niveau_evidence=scoring.niveau_evidence(level, niveaus, centre=1.0),
            niveau_weight=0.2,
            order="relevance",
        )
        assert ["A", "B"][int(scored.order[0])] == first
        assert scored.coverage.tolist() == [1.0, 1.0]  # coverage and eligibility do not move

"""The coverage matrix in several chunks of distinct skill texts, with repeated texts on both sides,
gives the same cells as the ranked match of each workplace (what a recruiter sees per workplace)."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.matching import matrix as matrix_module
from app.matching.embedders import HashingEmbedder
from app.matching.service import Matcher, match_workplace
from app.workplaces.service import SkillInput, WorkplaceInput, create_workplace, import_workplaces
from tests.helpers import FIXTURE_DOSSIERS, FIXTURE_WORKPLACES


@pytest.mark.parametrize(
    ("title_offset", "credit_width"), [(0.0, 0.0), (0.1, 0.0), (0.1, 0.2)], ids=["hard", "offset", "soft"]
)
def test_chunked_matrix_with_repeated_texts_agrees_with_ranked_matches(
    session: Session, monkeypatch: pytest.MonkeyPatch, title_offset: float, credit_width: float
) -> None:
    matcher = Matcher(
        HashingEmbedder(),
        lexical="tfidf",
        lexical_weight=0.2,
        threshold=None,
        min_coverage=0.7,
        title_offset=title_offset,
        credit_width=credit_width,
    )
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    import_workplaces(session, data=FIXTURE_WORKPLACES.read_bytes(), filename="workplaces.csv")
    # A workplace that repeats another's skills, one of them twice with different weights.
    create_workplace(
        session,
        data=WorkplaceInput(
            title="Tweede receptie",
            organisation_unit="Stadsdeel Oost",
            description="",
            skills=(
                SkillInput("Bezoekers ontvangen en de weg wijzen bij de receptie", 3, True, False, "manual"),
                SkillInput("Bezoekers ontvangen en de weg wijzen bij de receptie", 1, False, True, "manual"),
                SkillInput("Interne en externe post sorteren en rondbrengen", 2, False, False, "manual"),
            ),
        ),
    )
    whole = matrix_module.coverage_matrix(session, matcher)
    monkeypatch.setattr(matrix_module, "CHUNK", 3)  # many chunks, each a separate matrix product
    chunked = matrix_module.coverage_matrix(session, matcher)
    assert chunked.coverage.shape == whole.coverage.shape == (7, 5)
    # Soft credit is continuous: chunked matrix products may differ from one product in the last bits.
    np.testing.assert_allclose(chunked.coverage, whole.coverage, rtol=0, atol=1e-6)
    assert (chunked.knockouts == whole.knockouts).all()
    for row, workplace in enumerate(chunked.workplaces):
        by_crebo = {
            m.programme.crebo: m for m in match_workplace(session, matcher, workplace.id, limit=50).matches
        }
        for column, programme in enumerate(chunked.programmes):
            match = by_crebo[programme.crebo]
            assert abs(match.coverage - chunked.coverage[row, column]) < 1e-4
            assert match.eligible == bool(chunked.eligible[row, column])
            assert len(match.knockouts) == chunked.knockouts[row, column]
    assert chunked.coverage.max() > 0  # something is covered: the comparison is not between empty rows

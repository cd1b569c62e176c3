"""Service-level checks: importing embeds each statement once; the batched matrix agrees with the ranked match."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.matching.embedders import HashingEmbedder
from app.matching.matrix import coverage_matrix
from app.matching.service import Matcher, match_workplace
from app.workplaces.service import import_workplaces
from tests.helpers import FIXTURE_DOSSIERS, FIXTURE_WORKPLACES


def _matcher() -> Matcher:
    return Matcher(HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, threshold=None, min_coverage=0.7)


def test_reimport_embeds_nothing(session: Session) -> None:
    matcher = _matcher()
    documents = [p.read_bytes() for p in FIXTURE_DOSSIERS]
    import_dossiers(session, documents=documents, on_change=matcher.embed_catalogue)
    first = matcher.vectors.computed
    assert first > 100
    import_dossiers(session, documents=documents, on_change=matcher.embed_catalogue)
    assert matcher.vectors.computed == first
    # A restarted service (new matcher, same database) builds its index without the model.
    restarted = _matcher()
    index = restarted.index(session)
    assert restarted.vectors.computed == 0
    assert len(index.programmes) == 5


def test_matrix_agrees_with_ranked_matches(session: Session) -> None:
    matcher = _matcher()
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    import_workplaces(session, data=FIXTURE_WORKPLACES.read_bytes(), filename="workplaces.csv")
    matrix = coverage_matrix(session, matcher)
    assert matrix.coverage.shape == (6, 5)
    for row, workplace in enumerate(matrix.workplaces):
        result = match_workplace(session, matcher, workplace.id, limit=50)
        by_crebo = {m.programme.crebo: m for m in result.matches}
        for column, programme in enumerate(matrix.programmes):
            match = by_crebo[programme.crebo]
            assert abs(match.coverage - matrix.coverage[row, column]) < 1e-4
            assert match.eligible == bool(matrix.eligible[row, column])
            assert len(match.knockouts) == matrix.knockouts[row, column]

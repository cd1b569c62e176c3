"""The ranking setting through the matching service: relevance reorders, coverage and eligibility stay."""

from __future__ import annotations

from typing import Literal

import pytest
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.matching.embedders import HashingEmbedder
from app.matching.matrix import coverage_matrix
from app.matching.service import Matcher, default_threshold, match_adhoc
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS

DESCRIPTION = (
    "Je begeleidt cliënten bij dagelijkse activiteiten. Je stelt een begeleidingsplan op. "
    "Je werkt samen met collega's en naastbetrokkenen."
)


def _matcher(ranking: Literal["coverage", "relevance"]) -> Matcher:
    return Matcher(
        HashingEmbedder(),
        lexical="tfidf",
        lexical_weight=0.2,
        threshold=None,
        min_coverage=0.7,
        ranking=ranking,
    )


def test_relevance_ranking_keeps_coverage_and_eligibility(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    by_coverage = match_adhoc(session, _matcher("coverage"), description=DESCRIPTION, skills=None, limit=50)
    by_relevance = match_adhoc(session, _matcher("relevance"), description=DESCRIPTION, skills=None, limit=50)
    coverages = [m.coverage for m in by_coverage.matches]
    assert coverages == sorted(coverages, reverse=True)
    assert {m.programme.crebo: (m.coverage, m.eligible) for m in by_relevance.matches} == {
        m.programme.crebo: (m.coverage, m.eligible) for m in by_coverage.matches
    }
    # The batched matrix does not rank, so it agrees with either order.
    matrix = coverage_matrix(session, _matcher("relevance"))
    assert matrix.programmes


def test_defaults_are_the_benchmarked_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("EMBEDDER", "LEXICAL", "LEXICAL_WEIGHT", "RANKING", "COVER_THRESHOLD"):
        monkeypatch.delenv(f"SKILLMATCH_{name}", raising=False)
    settings = Settings()
    assert settings.embedder == "e5"
    assert settings.lexical == "tfidf"
    assert settings.lexical_weight == 0.2
    assert settings.ranking == "coverage"
    assert settings.cover_threshold is None  # so the fitted per-model threshold applies
    assert default_threshold(HashingEmbedder()) == 0.5

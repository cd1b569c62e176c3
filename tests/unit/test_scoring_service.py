"""The ranking setting through the matching service: relevance reorders, coverage and eligibility stay."""

from __future__ import annotations

import weakref

import numpy as np
import pytest
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.matching.core import Order
from app.matching.embedders import E5Embedder, HashingEmbedder
from app.matching.matrix import coverage_matrix
from app.matching.scoring import FITTED, TITLE_KINDS
from app.matching.service import Matcher, build_matcher, match_adhoc
from app.settings import Settings
from app.workplaces.service import SkillInput
from tests.helpers import FIXTURE_DOSSIERS

DESCRIPTION = (
    "Je begeleidt cliënten bij dagelijkse activiteiten. Je stelt een begeleidingsplan op. "
    "Je werkt samen met collega's en naastbetrokkenen."
)


def _matcher(ranking: Order) -> Matcher:
    return Matcher(
        HashingEmbedder(),
        lexical="tfidf",
        lexical_weight=0.2,
        threshold=None,
        min_coverage=0.7,
        ranking=ranking,
    )


def test_every_order_keeps_coverage_and_eligibility(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    by_coverage = match_adhoc(session, _matcher("coverage"), description=DESCRIPTION, skills=None, limit=50)
    by_relevance = match_adhoc(session, _matcher("relevance"), description=DESCRIPTION, skills=None, limit=50)
    by_eligible = match_adhoc(session, _matcher("eligible"), description=DESCRIPTION, skills=None, limit=50)
    coverages = [m.coverage for m in by_coverage.matches]
    assert coverages == sorted(coverages, reverse=True)
    relevances = [m.relevance for m in by_relevance.matches]
    assert relevances == sorted(relevances, reverse=True)
    flags = [m.eligible for m in by_eligible.matches]
    assert True in flags
    assert False in flags
    assert flags == sorted(flags, reverse=True)  # eligible first
    for group in (True, False):
        within = [m.relevance for m in by_eligible.matches if m.eligible is group]
        assert within == sorted(within, reverse=True)
    for other in (by_relevance, by_eligible):
        assert {m.programme.crebo: (m.coverage, m.eligible) for m in other.matches} == {
            m.programme.crebo: (m.coverage, m.eligible) for m in by_coverage.matches
        }
    # The batched matrix does not rank, so it agrees with either order.
    matrix = coverage_matrix(session, _matcher("relevance"))
    assert matrix.programmes


def test_defaults_are_the_benchmarked_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "EMBEDDER",
        "E5_ENGINE",
        "LEXICAL",
        "LEXICAL_WEIGHT",
        "RANKING",
        "COVER_THRESHOLD",
        "CENTRE",
    ):
        monkeypatch.delenv(f"SKILLMATCH_{name}", raising=False)
    settings = Settings()
    assert settings.embedder == "e5"
    # The faster engine for new text (issue 4); the quality grid chooses the defaults on both engines.
    assert settings.e5_engine == "onnxruntime"
    assert settings.centre is True
    assert settings.blas_threads == 1
    assert settings.lexical == "tfidf"
    assert settings.lexical_weight == 0.0
    assert settings.ranking is None  # so the fitted per-model order applies
    assert settings.cover_threshold is None  # so the fitted per-model threshold applies
    assert Matcher(HashingEmbedder()).threshold == 0.5  # no fitted values: the calibrated midpoint


def test_title_offset_raises_only_title_statements(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    plain = Matcher(HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, threshold=None, min_coverage=0.7)
    lifted = Matcher(
        HashingEmbedder(),
        lexical="tfidf",
        lexical_weight=0.2,
        threshold=None,
        min_coverage=0.7,
        title_offset=0.1,
    )
    index = plain.index(session)
    skills = [SkillInput("Begeleidt cliënten bij dagelijkse activiteiten")]
    columns = index.block().columns
    before = plain.similarity(index, skills, columns, None)[0]
    after = lifted.similarity(index, skills, columns, None)[0]
    kinds = np.array([index.statements[int(c)].kind for c in columns])
    is_title = np.isin(kinds, TITLE_KINDS)
    assert is_title.any()
    assert (~is_title).any()
    np.testing.assert_allclose(after[~is_title], before[~is_title])
    np.testing.assert_allclose(after[is_title], np.clip(before[is_title] + 0.1, 0, 1), atol=1e-6)
    assert lifted.config().title_offset == 0.1


def test_an_explicit_width_or_offset_wins_over_the_fitted_one() -> None:
    assert Settings().credit_width is None
    assert Settings().title_offset is None
    hashing = Matcher(HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, min_coverage=0.7)
    assert hashing.config().credit_width == 0.0
    assert hashing.config().title_offset == 0.0
    explicit = Matcher(
        HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, credit_width=0.3, title_offset=0.1
    )
    assert (explicit.config().credit_width, explicit.config().title_offset) == (0.3, 0.1)
    assert explicit.config().scoring_version != hashing.config().scoring_version


def test_an_index_replaced_after_a_catalogue_change_is_freed(session: Session) -> None:
    # The index is kept out of the garbage collector's passes (gc.freeze): it must still be freed by
    # reference counting when a catalogue change replaces it, or every change would leak an index.
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS[:1]])
    matcher = Matcher(
        HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, threshold=None, min_coverage=0.7
    )
    first = matcher.index(session)
    gone = [weakref.ref(first.matrix), weakref.ref(first.distinct_matrix)]
    del first
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS[1:]])
    second = matcher.index(session)
    assert len(second.programmes) > 0
    assert [ref() for ref in gone] == [None, None]


class _CentredHashing(HashingEmbedder):
    """Hashing vectors under a name that has a centred calibration: centring without loading e5."""

    name = E5Embedder.name


def test_centring_subtracts_the_catalogue_mean_on_both_sides(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    embedder = _CentredHashing()
    raw = Matcher(embedder, lexical="none", lexical_weight=0.0, threshold=None, min_coverage=0.7)
    centred = Matcher(
        embedder, lexical="none", lexical_weight=0.0, threshold=None, min_coverage=0.7, centre=True
    )
    assert (raw.centred, centred.centred) == (False, True)
    fitted = FITTED[(E5Embedder.name, True)]
    assert (centred.calibration.low, centred.calibration.high) == (fitted.low, fitted.high)
    assert centred.config().centred is True
    assert centred.threshold == fitted.threshold
    raw_index, index = raw.index(session), centred.index(session)
    assert raw_index.centre is None
    assert index.centre is not None
    # The centre is the mean of the distinct statement vectors; the index holds them centred, unit length.
    np.testing.assert_allclose(index.centre, raw_index.distinct_matrix.mean(axis=0), atol=1e-6)
    np.testing.assert_allclose(np.linalg.norm(index.distinct_matrix, axis=1), 1.0, atol=1e-5)
    skill = "Begeleidt cliënten bij dagelijkse activiteiten"
    columns = index.block().columns
    got = centred.similarity(index, [SkillInput(skill)], columns, None)[0]
    q = embedder.encode([skill])[0] - index.centre
    s = embedder.encode([index.statements[int(c)].text for c in columns]) - index.centre
    cosine = (s @ q) / (np.linalg.norm(s, axis=1) * np.linalg.norm(q))
    low, high = centred.calibration.low, centred.calibration.high
    offsets = np.array([centred.kind_offsets.get(index.statements[int(c)].kind, 0.0) for c in columns])
    expected = np.clip(np.clip((cosine - low) / (high - low), 0, 1) + offsets, 0, 1)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_models_without_a_centred_calibration_are_not_centred(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS[:1]])
    matcher = Matcher(
        HashingEmbedder(), lexical="tfidf", lexical_weight=0.2, threshold=None, min_coverage=0.7, centre=True
    )
    assert matcher.centred is False
    assert matcher.config().centred is False
    assert matcher.calibration == HashingEmbedder.calibration
    assert matcher.index(session).centre is None


def test_the_centre_follows_the_catalogue(session: Session) -> None:
    # Importing a dossier moves the mean: the rebuilt index centres on the new catalogue, and answers
    # name the catalogue version they were scored on.
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS[:1]])
    matcher = Matcher(
        _CentredHashing(), lexical="none", lexical_weight=0.0, threshold=None, min_coverage=0.7, centre=True
    )
    first = matcher.index(session)
    assert first.centre is not None
    before = first.centre.copy()
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS[1:]])
    second = matcher.index(session)
    assert second.version != first.version
    assert second.centre is not None
    assert not np.allclose(second.centre, before)
    answer = match_adhoc(session, matcher, description=DESCRIPTION, skills=None, limit=50)
    assert answer.catalogue_version == second.version
    assert answer.config.centred is True


def test_the_service_keeps_numpys_blas_to_its_configured_threads() -> None:
    """OpenBLAS's idle threads spin after each product and slow the e5 engine's next run (benchmarks.md)."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):  # put back afterwards
        build_matcher(Settings(embedder="hashing", blas_threads=1), HashingEmbedder())
        blas = [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert blas
        assert all(n == 1 for n in blas)


def test_the_titles_only_offset_lifts_only_programmes_known_by_their_titles(session: Session) -> None:
    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    skills = [SkillInput("Begeleidt cliënten bij dagelijkse activiteiten")]
    for kinds, lifted in ((None, False), (TITLE_KINDS, True)):
        plain = Matcher(HashingEmbedder(), kinds=kinds)
        lift = Matcher(HashingEmbedder(), kinds=kinds, titles_only_offset=0.1)
        index = plain.index(session)
        columns = index.block().columns
        before = plain.similarity(index, skills, columns, None)[0]
        after = lift.similarity(lift.index(session), skills, columns, None)[0]
        expected = np.clip(before + 0.1, 0, 1) if lifted else before
        np.testing.assert_allclose(after, expected, atol=1e-6)
        assert lift.config().scoring_version != plain.config().scoring_version


def test_an_answer_says_which_programmes_are_known_by_their_titles_only(session: Session) -> None:
    from app.api.convert import match_out

    import_dossiers(session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS])
    for kinds, titles_only in ((None, False), (TITLE_KINDS, True)):
        matcher = Matcher(HashingEmbedder(), kinds=kinds)
        result = match_adhoc(session, matcher, description=DESCRIPTION, skills=None, limit=50)
        assert result.matches
        assert {match_out(m).titles_only for m in result.matches} == {titles_only}

"""Matching services: rank programmes for a workplace (stored or ad hoc), and workplaces for a programme.

The `Matcher` is built once at start-up (it holds the loaded model) and shared by all requests. It
keeps the catalogue index in memory and rebuilds it when the database's catalogue version moves.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from app.catalogue import repository as catalogue_repository
from app.errors import NoProgrammes, NotFound, NothingToScore
from app.matching import core
from app.matching.embedders import Calibration, E5Embedder, Embedder, UseEmbedder, load_embedder
from app.matching.index import CatalogueIndex, ProgrammeInfo, StatementInfo, build_index, similarity
from app.matching.vectors import VectorCache
from app.models import Workplace
from app.settings import Settings
from app.workplaces import repository as workplace_repository
from app.workplaces.service import Origin, SkillInput, resolve_skills

SCORING_VERSION = "2026.11-9"


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    model: str
    model_version: str
    threshold: float
    min_coverage: float
    lexical: str
    lexical_weight: float
    scoring_version: str = SCORING_VERSION
    # The fitted offset added to the similarity with a title statement (docs/scoring.md), and the
    # soft-credit width (0: covered or not).
    title_offset: float = 0.0
    credit_width: float = 0.0
    # The order of the answer (core.Order) and the weight of whole-document evidence in relevance.
    ranking: str = "eligible"
    document_weight: float = 1.0
    # Vectors centred on the catalogue's mean statement vector (CENTRED_CALIBRATIONS; docs/scoring.md).
    centred: bool = False


# The statement that covers a skill best: its SBB code, kind and text (the index's own record of it).
Evidence = StatementInfo


@dataclass(frozen=True, slots=True)
class SkillResult:
    index: int
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered: bool
    similarity: float
    evidence: Evidence
    credit: float  # toward coverage: 0–1 with soft credit, 1.0 or 0.0 with hard credit (docs/scoring.md)


@dataclass(frozen=True, slots=True)
class ProgrammeMatch:
    programme: ProgrammeInfo
    status: Literal["scored"]
    coverage: float
    eligible: bool
    knockouts: tuple[SkillResult, ...]
    skills: tuple[SkillResult, ...]
    gaps: tuple[SkillResult, ...]
    relevance: float = 0.0  # the second ranking key (core.score_programmes)


@dataclass(frozen=True, slots=True)
class UnscoredProgramme:
    programme: ProgrammeInfo
    status: Literal["no_skill_content"] = "no_skill_content"


@dataclass(frozen=True, slots=True)
class MatchResult:
    skills: tuple[SkillInput, ...]
    matches: tuple[ProgrammeMatch, ...]
    scored_total: int
    unscored: tuple[UnscoredProgramme, ...]
    catalogue_version: int
    config: ScoringConfig


@dataclass(frozen=True, slots=True)
class WorkplaceFit:
    workplace_id: int
    title: str
    organisation_unit: str
    match: ProgrammeMatch


@dataclass(frozen=True, slots=True)
class ProgrammeFitResult:
    programme: ProgrammeInfo
    status: Literal["scored", "no_skill_content"]
    workplaces: tuple[WorkplaceFit, ...]
    workplaces_without_skills: int
    config: ScoringConfig
    catalogue_version: int


class Matcher:
    def __init__(
        self,
        embedder: Embedder,
        *,
        lexical: str,
        lexical_weight: float,
        threshold: float | None,
        min_coverage: float,
        kinds: Collection[str] | None = None,
        ranking: core.Order = "eligible",
        document_weight: float = 1.0,
        title_offset: float | None = None,
        credit_width: float | None = None,
        centre: bool = False,
    ) -> None:
        self.embedder = embedder
        self.vectors = VectorCache(embedder)
        # Centring needs a calibration fitted in the centred space: models without one are not centred.
        self.centred = centre and embedder.name in CENTRED_CALIBRATIONS
        self.calibration = CENTRED_CALIBRATIONS[embedder.name] if self.centred else embedder.calibration
        self.lexical = lexical if lexical_weight > 0 else "none"
        self.lexical_weight = lexical_weight if lexical != "none" else 0.0
        self.threshold = threshold if threshold is not None else default_threshold(embedder, self.centred)
        self.title_offset = (
            title_offset if title_offset is not None else default_title_offset(embedder, self.centred)
        )
        self.kind_offsets = title_offsets(self.title_offset)
        self.credit_width = (
            credit_width if credit_width is not None else default_credit_width(embedder, self.centred)
        )
        self.min_coverage = min_coverage
        self.kinds = frozenset(kinds) if kinds else None
        # "eligible": eligible programmes first, each group by relevance = z(mean similarity) +
        # document_weight × z(whole-document TF-IDF); "coverage": coverage, then relevance; "relevance"
        # alone (core.score_programmes).
        self.ranking = ranking
        self.document_weight = document_weight
        self._index: CatalogueIndex | None = None
        self._lock = threading.Lock()

    def config(self, *, min_coverage: float | None = None) -> ScoringConfig:
        return ScoringConfig(
            model=self.embedder.name,
            model_version=self.embedder.version,
            threshold=self.threshold,
            min_coverage=self.min_coverage if min_coverage is None else min_coverage,
            lexical=self.lexical,
            lexical_weight=self.lexical_weight,
            title_offset=self.title_offset,
            credit_width=self.credit_width,
            ranking=self.ranking,
            document_weight=self.document_weight,
            centred=self.centred,
        )

    def index(self, session: Session, *, version: int | None = None) -> CatalogueIndex:
        """The current index; rebuilt (once, under a lock) when the catalogue version has moved. `version`:
        the catalogue version just read in the same transaction (else it is read here)."""
        if version is None:
            version = catalogue_repository.catalogue_version(session)
        index = self._index
        if index is not None and index.version == version:
            return index
        with self._lock:
            if self._index is None or self._index.version != version:
                self._index = build_index(
                    session, self.vectors, lexical=self.lexical, kinds=self.kinds, centre=self.centred
                )
                # The index (and the model, loaded before it) lives until the catalogue changes: keep
                # its objects out of the cyclic garbage collector's full passes, which took ~0.1 s each at
                # national scale and showed as the slowest answers. The old index has no reference
                # cycles, so it is still freed when it is replaced.
                gc.freeze()
            return self._index

    def embed_catalogue(self, session: Session) -> int:
        """Compute (and store) vectors for every current statement; returns how many needed the model."""
        texts = [
            s.text
            for k in catalogue_repository.current_kwalificaties(session)
            for s in k.statements
            if self.kinds is None or s.kind in self.kinds
        ]
        before = self.vectors.computed
        self.vectors.vectors(list(dict.fromkeys(texts)), session=session)
        return self.vectors.computed - before

    def similarity(
        self,
        index: CatalogueIndex,
        skills: Sequence[SkillInput],
        columns: np.ndarray,
        session: Session | None,
    ) -> np.ndarray:
        texts = [s.text for s in skills]
        vectors = self.vectors.vectors(texts, session=session)
        calibration = self.calibration
        return similarity(
            index,
            vectors,
            texts,
            columns,
            low=calibration.low,
            high=calibration.high,
            lexical_weight=self.lexical_weight,
            kind_offsets=self.kind_offsets,
        )


def configured_embedder(settings: Settings) -> Embedder:
    """The model these settings name, loaded as the service loads it."""
    return load_embedder(
        settings.embedder,
        threads=settings.embedder_threads,
        st_model_path=settings.st_model_path,
        e5_engine=settings.e5_engine,
        model_cache=settings.model_cache,
    )


def build_matcher(
    settings: Settings, embedder: Embedder | None = None, *, kinds: Collection[str] | None = None
) -> Matcher:
    """The matcher for these settings; loads the configured model unless one is given. `kinds`: score only
    statements of these kinds (all when None). Also limits numpy's BLAS to `settings.blas_threads` threads
    for the whole process."""
    threadpool_limits(limits=settings.blas_threads, user_api="blas")
    if embedder is None:
        embedder = configured_embedder(settings)
    return Matcher(
        embedder,
        lexical=settings.lexical,
        lexical_weight=settings.lexical_weight,
        threshold=settings.cover_threshold,
        min_coverage=settings.min_coverage,
        kinds=kinds,
        ranking=settings.ranking,
        document_weight=settings.document_weight,
        title_offset=settings.title_offset,
        credit_width=settings.credit_width,
        centre=settings.centre,
    )


# Calibrations of the centred cosine (vectors minus the catalogue's mean statement vector, back to unit
# length; app.matching.index.centred). Centring moves every cosine, so the raw calibration no longer
# applies: these are the centred cosines at the same quantiles of all catalogue statement pairs as the
# raw calibration (e5: 0.83 and 0.93 are the 34th and 99.8th percentile of raw cosines; USE: 0.15 and
# 0.60 the 55th and 99.5th), measured on the four SBB dossiers by the matching-quality benchmark
# (docs/scoring.md). The ensemble has none and is never centred.
CENTRED_CALIBRATIONS = {
    E5Embedder.name: Calibration(low=-0.06, high=0.53),
    UseEmbedder.name: Calibration(low=0.0, high=0.52),
}

# Cover thresholds on each model's calibrated scale, fitted by the matching-quality benchmark
# (leave one dossier out; docs/scoring.md). Models without a fitted value use 0.5: the midpoint between
# a typical unrelated pair (0) and a typical paraphrase (1).
# Keyed by (model, centred).
FITTED_THRESHOLDS = {(E5Embedder.name, False): 0.5, (E5Embedder.name, True): 0.65}


def default_threshold(embedder: Embedder, centred: bool = False) -> float:
    """The calibrated similarity at which a skill counts as covered (see docs/scoring.md)."""
    return FITTED_THRESHOLDS.get((embedder.name, centred), 0.5)


# Statement kinds that are titles: a few words, where a skill scores systematically lower than against a
# full sentence. Their offset is fitted per model by the same benchmark grid; models without one get none.
TITLE_KINDS = ("kerntaak", "werkproces")
FITTED_TITLE_OFFSETS = {(E5Embedder.name, False): 0.15, (E5Embedder.name, True): 0.2}


# Soft-credit widths, fitted by the same benchmark grid (docs/scoring.md): a skill's credit toward
# coverage rises from 0 at threshold − w/2 to 1 at threshold + w/2. Models without a fitted value get
# hard credit (0: covered or not). Keyed by (model, centred).
FITTED_CREDIT_WIDTHS = {(E5Embedder.name, True): 0.2}


def default_credit_width(embedder: Embedder, centred: bool = False) -> float:
    """The soft-credit width of this model (see docs/scoring.md); 0 means hard credit."""
    return FITTED_CREDIT_WIDTHS.get((embedder.name, centred), 0.0)


def title_offsets(offset: float) -> dict[str, float]:
    return {kind: offset for kind in TITLE_KINDS}


def default_title_offset(embedder: Embedder, centred: bool = False) -> float:
    """The offset added to the similarity with a kerntaak or werkproces title (see docs/scoring.md)."""
    return FITTED_TITLE_OFFSETS.get((embedder.name, centred), 0.0)


def _build_matches(
    index: CatalogueIndex,
    skills: Sequence[SkillInput],
    sims: np.ndarray,
    programmes: Sequence[int],
    columns: np.ndarray,
    offsets: np.ndarray,
    *,
    threshold: float,
    min_coverage: float,
    credit_width: float = 0.0,
    document_similarity: np.ndarray | None = None,
    document_weight: float = 1.0,
    order: core.Order = "eligible",
    limit: int | None = None,
) -> list[ProgrammeMatch]:
    specs = [core.SkillSpec(weight=s.weight, must_have=s.must_have, trainable=s.trainable) for s in skills]
    keys = [index.programmes[p].crebo for p in programmes]
    scores = core.score_programmes(
        sims,
        offsets,
        keys,
        specs,
        threshold=threshold,
        min_coverage=min_coverage,
        credit_width=credit_width,
        document_similarity=document_similarity,
        document_weight=document_weight,
        order=order,
        limit=limit,
    )
    matches = []
    for score in scores:
        info = index.programmes[programmes[score.programme_index]]
        statements = [index.statements[c] for c in columns[list(score.best_statements)].tolist()]
        skill_results = tuple(
            SkillResult(
                i,
                s.text,
                s.weight,
                s.must_have,
                s.trainable,
                covered,
                round(similarity, 4),
                statement,
                round(credit, 4),
            )
            for i, (s, covered, similarity, statement, credit) in enumerate(
                zip(skills, score.covered, score.similarities, statements, score.credits, strict=True)
            )
        )
        matches.append(
            ProgrammeMatch(
                programme=info,
                status="scored",
                coverage=round(score.coverage, 4),
                eligible=score.eligible,
                knockouts=tuple(skill_results[i] for i in score.knockouts),
                skills=skill_results,
                gaps=tuple(r for r in skill_results if not r.covered),
                relevance=score.relevance,
            )
        )
    return matches


def no_programmes(session: Session, index: CatalogueIndex, niveau: Collection[int] | None) -> NoProgrammes:
    """The answer when no programme with skill content is there to score against: an empty list would read as
    "no programme qualifies", which the catalogue cannot tell."""
    levels = sorted(set(niveau or ()))
    named = len(catalogue_repository.list_programmes_all(session, niveau=levels))
    by_name = f"; {named} known by name only (crebolijst), without skills" if named else ""
    if levels and index.programmes:
        present = ", ".join(str(n) for n in sorted({p.niveau for p in index.programmes}))
        asked = ", ".join(str(n) for n in levels)
        return NoProgrammes(
            f"niveau: no programme at niveau {asked} has skill content to score against{by_name}; "
            f"the catalogue has programmes with skill content at niveau {present}"
        )
    return NoProgrammes(
        "the catalogue has no programme with skill content to score against: import SBB kwalificatiedossiers "
        f"first{by_name}"
    )


def match_skills(
    session: Session,
    matcher: Matcher,
    *,
    skills: Sequence[SkillInput],
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
    persist_vectors: bool = False,
    index: CatalogueIndex | None = None,
) -> MatchResult:
    """Rank the catalogue's programmes for a set of workplace skills (on `index`, when the caller has just
    fetched the current one)."""
    if not skills:
        raise NothingToScore("the workplace has no skills to score on: send skills or a description")
    config = matcher.config(min_coverage=min_coverage)
    index = index if index is not None else matcher.index(session)
    block = index.block(niveau=niveau)
    if not block.programmes:
        raise no_programmes(session, index, niveau)
    sims = matcher.similarity(index, skills, block.columns, session if persist_vectors else None)
    document = index.documents.similarity([s.text for s in skills])[list(block.programmes)]
    matches = _build_matches(
        index,
        skills,
        sims,
        block.programmes,
        block.columns,
        block.offsets,
        threshold=config.threshold,
        min_coverage=config.min_coverage,
        credit_width=config.credit_width,
        document_similarity=document,
        document_weight=matcher.document_weight,
        order=matcher.ranking,
        limit=limit,
    )
    unscored: tuple[UnscoredProgramme, ...] = ()
    if include_unscored:
        scored = {p.crebo for p in index.programmes}
        unscored = tuple(
            UnscoredProgramme(ProgrammeInfo(p.crebo, p.title, p.niveau, p.dossier_crebo, p.dossier_title))
            for p in catalogue_repository.list_programmes_all(session, niveau=list(niveau or []))
            if p.crebo not in scored
        )
    return MatchResult(
        skills=tuple(skills),
        matches=tuple(matches),
        scored_total=len(block.programmes),
        unscored=unscored,
        catalogue_version=index.version,
        config=config,
    )


def match_adhoc(
    session: Session,
    matcher: Matcher,
    *,
    description: str,
    skills: Sequence[SkillInput] | None,
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
) -> MatchResult:
    """Match a workplace sent in the request; stores nothing (vectors stay in memory only)."""
    resolved = resolve_skills(description, skills)
    if not resolved:
        raise NothingToScore(
            "nothing to score: no skills were sent and no skill statement could be read from the description"
        )
    return match_skills(
        session,
        matcher,
        skills=resolved,
        niveau=niveau,
        min_coverage=min_coverage,
        limit=limit,
        include_unscored=include_unscored,
    )


def skills_of(workplace: Workplace) -> list[SkillInput]:
    return [
        SkillInput(s.text, s.weight, s.must_have, s.trainable, cast(Origin, s.origin))
        for s in workplace.skills
    ]


@dataclass(frozen=True, slots=True)
class WorkplaceMatch:
    """A stored workplace's match, read but not yet scored. `key` holds everything the answer depends on
    (the workplace, its skills as they are now, the catalogue version, the configuration and the request),
    so that an answer cached under it is the answer a fresh computation would give."""

    key: tuple[object, ...]
    skills: tuple[SkillInput, ...]
    index: CatalogueIndex
    niveau: tuple[int, ...]
    min_coverage: float | None
    limit: int
    include_unscored: bool

    def score(self, session: Session, matcher: Matcher) -> MatchResult:
        return match_skills(
            session,
            matcher,
            skills=self.skills,
            niveau=self.niveau,
            min_coverage=self.min_coverage,
            limit=self.limit,
            include_unscored=self.include_unscored,
            persist_vectors=True,
            index=self.index,
        )


def prepare_workplace_match(
    session: Session,
    matcher: Matcher,
    workplace_id: int,
    *,
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
) -> WorkplaceMatch:
    """Read the workplace's skills and the catalogue version (one query) and take the current index;
    NotFound / NothingToScore."""
    rows, version = workplace_repository.skill_rows_and_catalogue_version(session, workplace_id)
    if rows is None:
        raise NotFound("workplace", workplace_id)
    if not rows:
        raise NothingToScore(f"workplace {workplace_id} has no skills yet: add skills or a description first")
    skills = tuple(SkillInput(t, w, m, tr, cast(Origin, o)) for t, w, m, tr, o in rows)
    index = matcher.index(session, version=version)
    levels = tuple(sorted(set(niveau or ())))
    key = (
        workplace_id,
        skills,
        index.version,
        matcher.config(min_coverage=min_coverage),  # includes the order and the document weight
        levels,
        limit,
        include_unscored,
    )
    return WorkplaceMatch(key, skills, index, levels, min_coverage, limit, include_unscored)


def match_workplace(
    session: Session,
    matcher: Matcher,
    workplace_id: int,
    *,
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
) -> MatchResult:
    prepared = prepare_workplace_match(
        session,
        matcher,
        workplace_id,
        niveau=niveau,
        min_coverage=min_coverage,
        limit=limit,
        include_unscored=include_unscored,
    )
    return prepared.score(session, matcher)


def programme_workplaces(
    session: Session, matcher: Matcher, crebo: str, *, min_coverage: float | None = None
) -> ProgrammeFitResult:
    """Which stored workplaces fit a diploma: every workplace with skills, those it is eligible for first,
    each group by coverage descending, then workplace id."""
    config = matcher.config(min_coverage=min_coverage)
    index = matcher.index(session)
    block = index.block(crebos={crebo})
    if not block.programmes:
        programme = catalogue_repository.get_programme(session, crebo)
        if programme is None:
            raise NotFound("programme", crebo)
        info = ProgrammeInfo(
            programme.crebo,
            programme.title,
            programme.niveau,
            programme.dossier_crebo,
            programme.dossier_title,
        )
        return ProgrammeFitResult(info, "no_skill_content", (), 0, config, index.version)
    fits: list[WorkplaceFit] = []
    without_skills = 0
    for workplace in workplace_repository.all_workplaces_with_skills(session):
        if not workplace.skills:
            without_skills += 1
            continue
        skills = skills_of(workplace)
        sims = matcher.similarity(index, skills, block.columns, session)
        (match,) = _build_matches(
            index,
            skills,
            sims,
            block.programmes,
            block.columns,
            block.offsets,
            threshold=config.threshold,
            min_coverage=config.min_coverage,
            credit_width=config.credit_width,
        )
        fits.append(WorkplaceFit(workplace.id, workplace.title, workplace.organisation_unit, match))
    fits.sort(key=lambda f: (not f.match.eligible, -f.match.coverage, f.workplace_id))
    return ProgrammeFitResult(
        index.programmes[block.programmes[0]], "scored", tuple(fits), without_skills, config, index.version
    )

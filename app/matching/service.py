"""Matching services: rank programmes for a workplace (stored or ad hoc), and workplaces for a programme.

The `Matcher` is built once at start-up (it holds the loaded model) and shared by all requests. It
keeps the catalogue index in memory and rebuilds it when the database's catalogue version moves.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import Literal, cast

import numpy as np
from sqlalchemy.orm import Session
from threadpoolctl import threadpool_limits

from app.catalogue import repository as catalogue_repository
from app.errors import NoProgrammes, NotFound, NothingToScore
from app.ingest.level import level_score
from app.ingest.textsplit import Statement
from app.matching import core, scoring
from app.matching.embedders import Calibration, Embedder, load_embedder
from app.matching.index import (
    CatalogueIndex,
    ProgrammeInfo,
    StatementInfo,
    build_index,
    name_similarity,
    semantic_similarity,
    similarity,
)
from app.matching.scoring import ScoringParams
from app.matching.vectors import VectorCache
from app.models import Workplace
from app.settings import Settings
from app.workplaces import repository as workplace_repository
from app.workplaces.service import Origin, SkillInput, describe, is_scorable


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    """What every answer says it was scored with: the model and the scoring parameters
    (app.matching.scoring.ScoringParams), with the version derived from them."""

    model: str
    model_version: str
    threshold: float
    min_coverage: float
    lexical: str
    lexical_weight: float
    scoring_version: str
    # The fitted offset added to the similarity with a title statement (docs/scoring.md), and the
    # soft-credit width (0: covered or not).
    title_offset: float = 0.0
    credit_width: float = 0.0
    # The order of the answer (core.Order) and the weights of the evidence in relevance.
    ranking: str = "eligible"
    document_weight: float = 1.0
    # Vectors centred on the catalogue's mean statement vector (docs/scoring.md).
    centred: bool = False
    skill_weight: float = 1.0
    semantic_weight: float = 0.0
    name_weight: float = 0.0

    @classmethod
    def of(cls, params: ScoringParams, model_version: str) -> ScoringConfig:
        return cls(
            model=params.model,
            model_version=model_version,
            threshold=params.threshold,
            min_coverage=params.min_coverage,
            lexical=params.lexical,
            lexical_weight=params.lexical_weight,
            scoring_version=params.version,
            title_offset=params.title_offset,
            credit_width=params.credit_width,
            ranking=params.order,
            document_weight=params.document_weight,
            centred=params.centred,
            skill_weight=params.skill_weight,
            semantic_weight=params.semantic_weight,
            name_weight=params.name_weight,
        )


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
    # The programme is known by its kerntaak and werkproces titles only (no omschrijving, gedrag,
    # vakkennis, …): its coverage rests on short titles and lets its own diploma through less often.
    titles_only: bool = False


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
    # What the description said besides the work (traits, context, offer, …): shown, never scored.
    not_scored: tuple[Statement, ...] = ()


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
    """The model and the scoring parameters (`Matcher(embedder, params)`), and the catalogue index they
    score against. Without `params`, they are resolved from the model's fitted values with the keyword
    overrides given (app.matching.scoring.resolve)."""

    def __init__(
        self,
        embedder: Embedder,
        params: ScoringParams | None = None,
        *,
        lexical: str = "none",
        lexical_weight: float = 0.0,
        threshold: float | None = None,
        min_coverage: float = 0.70,
        kinds: Collection[str] | None = None,
        ranking: core.Order | None = None,
        document_weight: float | None = None,
        semantic_weight: float | None = None,
        skill_weight: float | None = None,
        title_offset: float | None = None,
        credit_width: float | None = None,
        centre: bool = False,
        titles_only_offset: float | None = None,
        niveau_weight: float | None = None,
        document_text: bool | None = None,
        name_weight: float | None = None,
    ) -> None:
        self.embedder = embedder
        self.vectors = VectorCache(embedder)
        if params is None:
            params = scoring.resolve(
                embedder.name,
                model_low=embedder.calibration.low,
                model_high=embedder.calibration.high,
                centre=centre,
                lexical=lexical,
                lexical_weight=lexical_weight,
                threshold=threshold,
                title_offset=title_offset,
                credit_width=credit_width,
                min_coverage=min_coverage,
                order=ranking,
                skill_weight=skill_weight,
                document_weight=document_weight,
                semantic_weight=semantic_weight,
                titles_only_offset=titles_only_offset,
                niveau_weight=niveau_weight,
                document_text=document_text,
                name_weight=name_weight,
            )
        if params.model != embedder.name:
            raise ValueError(f"parameters for {params.model} cannot score with {embedder.name}")
        self.params = params
        self.kind_offsets = scoring.kind_offsets(params)
        self.kinds = frozenset(kinds) if kinds else None
        self._index: CatalogueIndex | None = None
        self._lock = threading.Lock()

    # The parameters by name, for the callers that read one of them.
    @property
    def threshold(self) -> float:
        return self.params.threshold

    @property
    def min_coverage(self) -> float:
        return self.params.min_coverage

    @property
    def credit_width(self) -> float:
        return self.params.credit_width

    @property
    def title_offset(self) -> float:
        return self.params.title_offset

    @property
    def lexical(self) -> str:
        return self.params.lexical

    @property
    def lexical_weight(self) -> float:
        return self.params.lexical_weight

    @property
    def centred(self) -> bool:
        return self.params.centred

    @property
    def ranking(self) -> core.Order:
        return self.params.order

    @property
    def document_weight(self) -> float:
        return self.params.document_weight

    @property
    def calibration(self) -> Calibration:
        return Calibration(low=self.params.low, high=self.params.high)

    def config(self, *, min_coverage: float | None = None) -> ScoringConfig:
        return ScoringConfig.of(self.params.with_min_coverage(min_coverage), self.embedder.version)

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
        return self.evidence(index, skills, columns, session)[0]

    def evidence(
        self,
        index: CatalogueIndex,
        skills: Sequence[SkillInput],
        columns: np.ndarray,
        session: Session | None,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """The calibrated similarity of each skill to each selected statement column, and (when the
        parameters weigh it) the whole workplace's semantic similarity to every programme of the index."""
        texts = [s.text for s in skills]
        vectors = self.vectors.vectors(texts, session=session)
        scorable = np.array([is_scorable(t) for t in texts], dtype=bool)
        sims = similarity(
            index,
            vectors,
            texts,
            columns,
            low=self.params.low,
            high=self.params.high,
            lexical_weight=self.lexical_weight,
            kind_offsets=self.kind_offsets,
            titles_only_offset=self.params.titles_only_offset,
        )
        # Something that is no skill (a date, a URL, a fragment) is never covered, by any programme.
        sims[~scorable] = 0.0
        semantic = (
            semantic_similarity(
                index, vectors, [s.weight if ok else 0.0 for s, ok in zip(skills, scorable, strict=True)]
            )
            if self.params.semantic_weight
            else None
        )
        return sims, semantic

    def text_evidence(
        self, index: CatalogueIndex, text: str, session: Session | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Whole-document evidence from a whole text: its TF-IDF cosine to every programme's document and
        its e5 vector's cosine to every programme's document vector (the e5 part only when weighed)."""
        document = index.documents.similarity([text])
        if not self.params.semantic_weight:
            return document, np.zeros(len(index.programmes), dtype=np.float32)
        vectors = self.vectors.vectors([text], session=session)
        return document, semantic_similarity(index, vectors, [1.0])


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
        semantic_weight=settings.semantic_weight,
        skill_weight=settings.skill_weight,
        titles_only_offset=settings.titles_only_offset,
        niveau_weight=settings.niveau_weight,
        document_text=settings.document_text,
        name_weight=settings.name_weight,
        title_offset=settings.title_offset,
        credit_width=settings.credit_width,
        centre=settings.centre,
    )


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
    semantic_similarity: np.ndarray | None = None,
    semantic_weight: float = 0.0,
    skill_weight: float = 1.0,
    niveau_evidence: np.ndarray | None = None,
    niveau_weight: float = 0.0,
    name_similarity: np.ndarray | None = None,
    name_weight: float = 0.0,
    generic_discount: bool = False,
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
        semantic_similarity=semantic_similarity,
        semantic_weight=semantic_weight,
        skill_weight=skill_weight,
        niveau_evidence=niveau_evidence,
        niveau_weight=niveau_weight,
        name_similarity=name_similarity,
        name_weight=name_weight,
        generic_discount=generic_discount,
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
                titles_only=index.titles_only(programmes[score.programme_index]),
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
    description: str | None = None,
) -> MatchResult:
    """Rank the catalogue's programmes for a set of workplace skills (on `index`, when the caller has just
    fetched the current one). `description`: the whole text the skills were read from, whose
    whole-document evidence ranks when the parameters say so (`ScoringParams.document_text`)."""
    if not skills:
        raise NothingToScore("the workplace has no skills to score on: send skills or a description")
    config = matcher.config(min_coverage=min_coverage)
    index = index if index is not None else matcher.index(session)
    block = index.block(niveau=niveau)
    if not block.programmes:
        raise no_programmes(session, index, niveau)
    sims, semantic = matcher.evidence(index, skills, block.columns, session if persist_vectors else None)
    chosen = list(block.programmes)
    if matcher.params.document_text and description and description.strip():
        whole_document, whole_semantic = matcher.text_evidence(index, description, None)
        document = whole_document[chosen]
        semantic = whole_semantic if semantic is not None else None
    else:
        document = index.documents.similarity([s.text for s in skills])[chosen]
    # The niveau and name terms read the whole description where there is one (its title, its cues of
    # responsibility), else the skills joined.
    text = description if description and description.strip() else "\n".join(s.text for s in skills)
    niveau_term = None
    if matcher.params.niveau_weight:
        niveau_term = scoring.niveau_evidence(
            level_score(text), [index.programmes[p].niveau for p in chosen], matcher.params.niveau_centre
        )
    names = name_similarity(index, text)[chosen] if matcher.params.name_weight else None
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
        semantic_similarity=None if semantic is None else semantic[chosen],
        semantic_weight=matcher.params.semantic_weight,
        skill_weight=matcher.params.skill_weight,
        niveau_evidence=niveau_term,
        niveau_weight=matcher.params.niveau_weight,
        name_similarity=names,
        name_weight=matcher.params.name_weight,
        generic_discount=matcher.params.generic_discount,
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
    resolved, not_work = describe(description, skills)
    aside = tuple(not_work)
    if not resolved:
        said = (
            f" (it names {len(aside)} statement(s) that are not work: traits, context or terms)"
            if aside
            else ""
        )
        raise NothingToScore(
            "nothing to score: no skills were sent and no work statement could be read from the description"
            + said
        )
    result = match_skills(
        session,
        matcher,
        skills=resolved,
        niveau=niveau,
        min_coverage=min_coverage,
        limit=limit,
        include_unscored=include_unscored,
        description=None if skills else description,
    )
    return replace(result, not_scored=aside)


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

"""Self-retrieval and vacancy matching, scored by the service's own functions, chosen leave-one-dossier-out.

Evidence is collected once per (catalogue, title offset) through the service (`Matcher.evidence`, the
index's whole-document TF-IDF and e5 vectors, `resolve_skills` for the description split, exactly as
`POST /v1/match` does). Every candidate parameter set is then scored by the pure core
(`app.matching.core.score_programmes`) on each skill's best similarity per programme: a programme block
of one column, its best, gives the same coverage, eligibility and order as the full statement matrix.
`check_against_service` proves it for the chosen parameters by running `match_adhoc` itself.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.db import make_engine, make_sessionmaker
from app.ingest.level import level_score
from app.matching import core, scoring
from app.matching.index import CatalogueIndex, centred, name_similarity
from app.matching.scoring import ScoringParams, zscore
from app.matching.service import Matcher, match_adhoc
from app.migrate import upgrade
from app.workplaces.service import SkillInput, resolve_skills

TITLES_ONLY = frozenset({"kerntaak", "werkproces"})


@dataclass(frozen=True, slots=True)
class Item:
    """A query with its right answer: the typering of a kwalificatie (accepted = that one) or a vacancy."""

    key: str
    dossier: str
    accepted: frozenset[str]
    text: str
    own: str | None  # the kwalificatie whose typering this is (None for a vacancy)
    titles_only_query: bool  # the query's own dossier is titles-only in the mixed catalogue


@dataclass(frozen=True, slots=True)
class Evidence:
    """One item against one catalogue: what every parameter set is scored from."""

    item: Item
    skills: tuple[SkillInput, ...]
    best: npt.NDArray[np.float32]  # (skills × programmes) best calibrated similarity
    document: npt.NDArray[np.float32]  # whole-document TF-IDF per programme
    semantic: npt.NDArray[np.float32]  # whole-document e5 per programme
    # The same two from the whole text rather than its skills joined (ScoringParams.document_text).
    document_text: npt.NDArray[np.float32]
    semantic_text: npt.NDArray[np.float32]
    level: int  # the text's level score (app.ingest.level)
    name: npt.NDArray[np.float32]  # the whole text's TF-IDF cosine to each programme's name


@dataclass(frozen=True, slots=True)
class Answer:
    item: Item
    ranking: tuple[str, ...]
    eligible: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Catalogue:
    name: str
    crebos: tuple[str, ...]
    dossier_of: dict[str, str]
    matcher: Matcher
    index: CatalogueIndex
    niveaus: tuple[int, ...]


@contextmanager
def catalogue_session(documents: Sequence[bytes]) -> Iterator[Session]:
    """A fresh SQLite database in a temporary folder, migrated and loaded through the import service."""
    with tempfile.TemporaryDirectory(prefix="skillmatch-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'catalogue.db'}")
        upgrade(engine)
        try:
            with make_sessionmaker(engine)() as session:
                import_dossiers(session, documents=list(documents))
                session.commit()
                yield session
        finally:
            engine.dispose()


def catalogue(name: str, session: Session, matcher: Matcher) -> Catalogue:
    index = matcher.index(session)
    crebos = tuple(p.crebo for p in index.programmes)
    return Catalogue(
        name,
        crebos,
        {p.crebo: p.dossier_crebo for p in index.programmes},
        matcher,
        index,
        tuple(p.niveau for p in index.programmes),
    )


def collect(cat: Catalogue, items: Sequence[Item]) -> list[Evidence]:
    """Each item through the service's own steps: split, skill evidence, whole-document evidence."""
    index, matcher = cat.index, cat.matcher
    block = index.block()
    out = []
    for item in items:
        skills = tuple(resolve_skills(item.text, None))
        if not skills:
            d, s, dt, st, n = _zeros(cat, 5)
            out.append(Evidence(item, (), np.zeros((0, len(cat.crebos)), np.float32), d, s, dt, st, 0, n))
            continue
        sims, semantic = matcher.evidence(index, skills, block.columns, None)
        best = np.maximum.reduceat(sims, block.offsets, axis=1)
        document = index.documents.similarity([s.text for s in skills])
        assert semantic is not None, "the bench's matcher weighs semantic evidence, so it is computed"
        document_text, semantic_text = matcher.text_evidence(index, item.text, None)
        level = level_score(item.text)
        name = name_similarity(index, item.text)
        out.append(
            Evidence(item, skills, best, document, semantic, document_text, semantic_text, level, name)
        )
    return out


def _zeros(cat: Catalogue, n: int) -> tuple[npt.NDArray[np.float32], ...]:
    return tuple(np.zeros(len(cat.crebos), np.float32) for _ in range(n))


def answer(ev: Evidence, params: ScoringParams, cat: Catalogue) -> Answer:
    """The service's answer for these parameters, from the collected evidence: the pure core's steps after
    the per-programme maxima (`core.score_best`, which `score_programmes` itself calls)."""
    if not ev.skills:  # nothing to score: the service answers 422; counted as a miss at the bottom
        wrong = sorted(
            c for c in cat.crebos if c not in ev.item.accepted and cat.dossier_of[c] != ev.item.dossier
        )
        rest = sorted(c for c in cat.crebos if c not in wrong)
        return Answer(ev.item, (*wrong, *rest), frozenset())
    scored = core.score_best(
        ev.best,
        [core.SkillSpec(weight=s.weight, must_have=s.must_have, trainable=s.trainable) for s in ev.skills],
        cat.crebos,
        threshold=params.threshold,
        min_coverage=params.min_coverage,
        credit_width=params.credit_width,
        document_similarity=ev.document_text if params.document_text else ev.document,
        document_weight=params.document_weight,
        semantic_similarity=ev.semantic_text if params.document_text else ev.semantic,
        semantic_weight=params.semantic_weight,
        skill_weight=params.skill_weight,
        niveau_evidence=scoring.niveau_evidence(ev.level, cat.niveaus, params.niveau_centre)
        if params.niveau_weight
        else None,
        niveau_weight=params.niveau_weight,
        name_similarity=ev.name if params.name_weight else None,
        name_weight=params.name_weight,
        generic_discount=params.generic_discount,
        order=params.order,
    )
    ranking = tuple(cat.crebos[i] for i in scored.order.tolist())
    return Answer(
        ev.item, ranking, frozenset(cat.crebos[i] for i in np.flatnonzero(scored.eligible).tolist())
    )


def check_against_service(session: Session, cat: Catalogue, evidence: Sequence[Evidence]) -> int:
    """`match_adhoc` (POST /v1/match) itself on every item: the same order and eligible set as the bench's
    path. Returns how many items were checked; raises on any difference."""
    for ev in evidence:
        if not ev.skills:
            continue
        got = match_adhoc(session, cat.matcher, description=ev.item.text, skills=None, limit=len(cat.crebos))
        mine = answer(ev, cat.matcher.params, cat)
        ranking = tuple(m.programme.crebo for m in got.matches)
        eligible = frozenset(m.programme.crebo for m in got.matches if m.eligible)
        if ranking != mine.ranking or eligible != mine.eligible:
            raise AssertionError(f"bench and service disagree on {ev.item.key} in catalogue {cat.name}")
    return len(evidence)


# --- baselines: one score per programme for the whole text ---------------------------------------------


def tfidf_documents(texts: Sequence[str], documents: Sequence[str]) -> npt.NDArray[np.float64]:
    """TF-IDF character 3–5-grams, one document per programme (its statements joined), cosine to each
    whole text."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(documents)
    return np.asarray((vectorizer.transform(texts) @ matrix.T).toarray(), dtype=np.float64)


def e5_documents(cat: Catalogue, text_vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """e5 on whole documents: the whole text's vector (centred as the index is) against each programme's
    document vector (the mean of its statement vectors)."""
    assert cat.index.document_vectors is not None
    q = centred(text_vectors, cat.index.centre)
    return np.asarray(q @ cat.index.document_vectors.T, dtype=np.float64)


def ranked_by(item: Item, scores: npt.NDArray[np.float64], crebos: Sequence[str]) -> Answer:
    order = np.lexsort((np.arange(len(crebos)), -np.round(scores, 9)))
    return Answer(item, tuple(crebos[i] for i in order), None)


def zsum(*scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    total: npt.NDArray[np.float64] = sum((zscore(s) for s in scores), start=np.zeros(len(scores[0])))
    return total


def zsum_within(groups: npt.NDArray[np.bool_], *scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """`zsum`, each score z-scored within its group of programmes (True / False: known by titles only or
    by full content), so that a programme is measured against its own kind and more text is no edge."""
    total = np.zeros(len(scores[0]))
    for member in (True, False):
        mask = groups == member
        if mask.any():
            total[mask] = zsum(*(np.asarray(s, dtype=np.float64)[mask] for s in scores))
    return total


# --- figures -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figures:
    queries: int
    mrr: float  # of the first accepted kwalificatie
    top1: float
    dossier_top1: float
    accepted_eligible: float | None  # an accepted kwalificatie is eligible
    eligible_per_query: float | None
    right_dossier: float | None  # share of all eligible programmes from the right dossier


def figures(answers: Sequence[Answer], dossier_of: dict[str, str]) -> Figures:
    if not answers:
        return Figures(0, float("nan"), float("nan"), float("nan"), None, None, None)
    ranks = [min(a.ranking.index(c) for c in a.item.accepted if c in a.ranking) + 1 for a in answers]
    mrr = float(np.mean([1 / r for r in ranks]))
    top1 = float(np.mean([r == 1 for r in ranks]))
    dossier_top1 = float(np.mean([dossier_of[a.ranking[0]] == a.item.dossier for a in answers]))
    if any(a.eligible is None for a in answers):
        return Figures(len(answers), mrr, top1, dossier_top1, None, None, None)
    accepted = float(np.mean([bool(a.item.accepted & (a.eligible or frozenset())) for a in answers]))
    counts = [len(a.eligible or ()) for a in answers]
    right = sum(dossier_of[c] == a.item.dossier for a in answers for c in (a.eligible or ()))
    share = right / sum(counts) if sum(counts) else 0.0
    return Figures(len(answers), mrr, top1, dossier_top1, accepted, float(np.mean(counts)), share)


def eligibility_term(f: Figures) -> float:
    """The 70% line's part of the objective: the right one eligible *and* the eligible set from the right
    dossier, their product, so neither can be bought with the other. Smooth: until 2026-12-03 a set whose
    share was below one half earned nothing, and a set lying at that half let one query move the line."""
    return (f.accepted_eligible or 0.0) * (f.right_dossier or 0.0)


def objective(f: Figures) -> float:
    """What parameters are chosen for: rank the right kwalificatie high (MRR), and make the 70% line mean
    something (`eligibility_term`)."""
    return f.mrr + eligibility_term(f)


# --- the grid and the leave-one-dossier-out choice -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grid:
    """The candidate settings, in two stages (`choose_staged`). Coverage and eligibility depend only on
    the line (threshold, title offsets, credit), not on the ranking's weights, so the line is chosen
    first, on the eligibility term alone; the ranking is then chosen on MRR with that line. Choosing the
    two jointly over their product (8,568 sets) fitted the folds' noise: held out it ranked below the
    z-sum baseline in every set (docs/benchmarks.md, 2026-12-02)."""

    # Stage 1, the line.
    title_offsets: tuple[float, ...] = (0.1, 0.15, 0.2)
    # On top of the title offset, for a programme known by its titles only (and so in catalogue (b) for
    # every programme, where it only moves the line; in (c) it puts the two kinds of programme level).
    titles_only_offsets: tuple[float, ...] = (0.0, 0.1)
    thresholds: tuple[float, ...] = (0.6, 0.65, 0.7)
    credit_widths: tuple[float, ...] = (0.2,)
    # Stage 2, the ranking.
    skill_weights: tuple[float, ...] = (0.0, 0.5, 1.0)
    document_weights: tuple[float, ...] = (0.0, 0.5, 1.0)
    semantic_weights: tuple[float, ...] = (0.0, 0.5, 1.0)
    # "eligible": eligible programmes first, each group by relevance; "relevance": by relevance alone
    # (eligibility is still said per programme).
    orders: tuple[scoring.Order, ...] = ("eligible", "relevance")
    # Whole-document evidence from the skills joined (False) or from the whole description (True).
    document_texts: tuple[bool, ...] = (False, True)
    # The skill term weighs each skill by its distinctiveness (scoring.distinctiveness) or not.
    generic_discounts: tuple[bool, ...] = (False, True)
    # The weight of the programme's name (kwalificatie and dossier title) in relevance.
    name_weights: tuple[float, ...] = (0.0, 1.0, 2.0)
    # The niveau term: (weight, centre); (0, 2) is none.
    niveau_terms: tuple[tuple[float, float], ...] = (
        (0.0, 2.0),
        (0.1, 1.0),
        (0.1, 2.0),
        (0.2, 1.0),
        (0.2, 2.0),
        (0.4, 1.0),
        (0.4, 2.0),
    )

    def lines(self, base: ScoringParams) -> list[ScoringParams]:
        """Stage 1: every line, with the base's ranking (which the eligibility term does not depend on)."""
        return [
            replace(base, title_offset=offset, titles_only_offset=lift, threshold=t, credit_width=w)
            for offset, lift, t, w in itertools.product(
                self.title_offsets, self.titles_only_offsets, self.thresholds, self.credit_widths
            )
        ]

    def rankings(self, line: ScoringParams) -> list[ScoringParams]:
        """Stage 2: every ranking on this line."""
        out = []
        for name, generic, (nw, nc), text, order, sw, dw, ew in itertools.product(
            self.name_weights,
            self.generic_discounts,
            self.niveau_terms,
            self.document_texts,
            self.orders,
            self.skill_weights,
            self.document_weights,
            self.semantic_weights,
        ):
            if sw == dw == ew == 0.0:
                continue  # no evidence to rank on
            if generic and not sw:
                continue  # nothing to discount
            out.append(
                replace(
                    line,
                    name_weight=name,
                    niveau_weight=nw,
                    niveau_centre=nc,
                    generic_discount=generic,
                    document_text=text,
                    order=order,
                    skill_weight=sw,
                    document_weight=dw,
                    semantic_weight=ew,
                )
            )
        return out

    def candidates(self, base: ScoringParams) -> list[ScoringParams]:
        """Every (line, ranking) pair: what `choose_staged` chooses among."""
        return [r for line in self.lines(base) for r in self.rankings(line)]


def extras(p: ScoringParams) -> int:
    """Mechanisms a parameter set adds to the simplest scoring: soft credit, the generic discount, the
    niveau term and each kind of evidence."""
    return (
        int(p.credit_width > 0)
        + int(p.generic_discount)
        + int(p.niveau_weight > 0)
        + int(p.name_weight > 0)
        + sum(w > 0 for w in (p.skill_weight, p.document_weight, p.semantic_weight))
    )


Scorer = Callable[[ScoringParams, str | None], float]


def choose(
    candidates: Sequence[ScoringParams], score: Scorer, held_out: str | None, tolerance: float
) -> ScoringParams:
    """The best parameters on every dossier but `held_out` (None: all), by `score`; among those within
    `tolerance` of the best (one query's worth), the one with the fewest extra mechanisms, then the
    highest score, then grid order."""
    values = [score(c, held_out) for c in candidates]
    best = max(values)
    near = [i for i, v in enumerate(values) if v >= best - tolerance - 1e-12]
    chosen = min(near, key=lambda i: (extras(candidates[i]), -values[i], i))
    return candidates[chosen]


def choose_staged(
    grid: Grid,
    base: ScoringParams,
    line_score: Scorer,
    rank_score: Scorer,
    held_out: str | None,
    tolerance: float,
) -> ScoringParams:
    """Stage 1: the line by `line_score` (the eligibility term); stage 2: the ranking on that line by
    `rank_score` (MRR). Each stage takes the simplest set within `tolerance` of its best."""
    line = choose(grid.lines(base), line_score, held_out, tolerance)
    return choose(grid.rankings(line), rank_score, held_out, tolerance)


def scoring_params_of(matcher: Matcher) -> ScoringParams:
    return matcher.params


def base_params(matcher: Matcher) -> ScoringParams:
    """The service's parameters with every weight on, so that evidence of every kind is computed."""
    return replace(matcher.params, semantic_weight=max(matcher.params.semantic_weight, 1.0))


__all__ = [
    "TITLES_ONLY",
    "Answer",
    "Catalogue",
    "Evidence",
    "Figures",
    "Grid",
    "Item",
    "answer",
    "base_params",
    "catalogue",
    "catalogue_session",
    "check_against_service",
    "choose",
    "choose_staged",
    "collect",
    "e5_documents",
    "eligibility_term",
    "extras",
    "figures",
    "objective",
    "ranked_by",
    "scoring",
    "tfidf_documents",
    "zsum",
    "zsum_within",
]

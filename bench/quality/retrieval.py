"""Self-retrieval: each kwalificatie's typering, sent as a workplace description, should find that kwalificatie.

Ours and the per-statement baselines go through the service the endpoint POST /v1/match uses
(`app.matching.service.match_adhoc`: the description is split into skill statements, each scored against
every programme's statements); the whole-document baselines (TF-IDF, rapidfuzz) rank programmes by one
score for the typering against all of a programme's statements joined.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils
from sklearn.feature_extraction.text import TfidfVectorizer
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.db import make_engine, make_sessionmaker
from app.ingest.sbb_xml import ParsedDossier
from app.matching.core import Order, credit, rank
from app.matching.embedders import Embedder
from app.matching.service import Matcher, match_adhoc
from app.migrate import upgrade
from bench.quality.data import Query

TITLES_ONLY = frozenset({"kerntaak", "werkproces"})


@dataclass(frozen=True, slots=True)
class Ranked:
    """One query's answer: programmes best first, and which of them are eligible (None: no such notion)."""

    query: Query
    ranking: tuple[str, ...]
    eligible: frozenset[str] | None
    # per programme, the best similarity of each query statement (for refitting the threshold)
    sims: dict[str, tuple[float, ...]] | None = None
    mean_sim: dict[str, float] | None = None
    order: Order = "coverage"  # the service's order (app.matching.core.Order)
    relevance: dict[str, float] | None = None  # the service's relevance, per programme


@contextmanager
def catalogue_session(files: Sequence[Path]) -> Iterator[Session]:
    """A fresh SQLite database in a temporary folder, migrated and loaded with the dossiers through the
    import service; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="skillmatch-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'catalogue.db'}")
        upgrade(engine)
        try:
            with make_sessionmaker(engine)() as session:
                import_dossiers(session, documents=[f.read_bytes() for f in files])
                session.commit()
                yield session
        finally:
            engine.dispose()


def run_service(
    session: Session,
    embedder: Embedder,
    queries: Sequence[Query],
    *,
    lexical: str,
    lexical_weight: float,
    threshold: float | None,
    kinds: Collection[str] | None,
    ranking: Order = "eligible",
    document_weight: float = 1.0,
    min_coverage: float = 0.70,
    title_offset: float | None = None,
    credit_width: float = 0.0,
    centre: bool = False,
) -> list[Ranked]:
    matcher = Matcher(
        embedder,
        lexical=lexical,
        lexical_weight=lexical_weight,
        threshold=threshold,
        min_coverage=min_coverage,
        kinds=kinds,
        ranking=ranking,
        document_weight=document_weight,
        title_offset=title_offset,
        credit_width=credit_width,
        centre=centre,
    )
    return run_matcher(session, matcher, queries)


def run_matcher(session: Session, matcher: Matcher, queries: Sequence[Query]) -> list[Ranked]:
    """Each query's typering through the service (`match_adhoc`, as POST /v1/match) with this matcher."""
    results = []
    for q in queries:
        answer = match_adhoc(session, matcher, description=q.text, skills=None, limit=1000)
        results.append(
            Ranked(
                q,
                tuple(m.programme.crebo for m in answer.matches),
                frozenset(m.programme.crebo for m in answer.matches if m.eligible),
                {m.programme.crebo: tuple(s.similarity for s in m.skills) for m in answer.matches},
                {m.programme.crebo: float(np.mean([s.similarity for s in m.skills])) for m in answer.matches},
                matcher.ranking,
                {m.programme.crebo: m.relevance for m in answer.matches},
            )
        )
    return results


def rethreshold(
    results: Sequence[Ranked], threshold: float, min_coverage: float = 0.70, credit_width: float = 0.0
) -> list[Ranked]:
    """The same answers at another cover threshold (and soft-credit width): coverage and eligibility anew
    (app.matching.core.credit), and the order anew in the service's own order (app.matching.core.rank)."""
    out = []
    for r in results:
        if r.sims is None or r.mean_sim is None:
            raise ValueError("re-thresholding needs the per-skill similarities")
        coverage = {
            c: float(np.mean(credit(np.array(v, dtype=np.float32), threshold, credit_width)[0]))
            for c, v in r.sims.items()
        }
        eligible = frozenset(c for c in r.sims if coverage[c] >= min_coverage - 1e-9)
        second = r.relevance if r.relevance is not None else r.mean_sim
        crebos = list(r.sims)
        positions = rank(
            np.array([coverage[c] for c in crebos]),
            np.array([second[c] for c in crebos]),
            crebos,
            order=r.order,
            eligible=np.array([c in eligible for c in crebos]),
        )
        ranking = [crebos[i] for i in positions]
        out.append(Ranked(r.query, tuple(ranking), eligible, r.sims, r.mean_sim, r.order, r.relevance))
    return out


def programme_documents(
    dossiers: Sequence[ParsedDossier], kinds: Collection[str] | None
) -> tuple[list[str], list[str]]:
    crebos, docs = [], []
    for d in dossiers:
        for k in d.kwalificaties:
            texts = [s.text for s in k.statements if kinds is None or s.kind in kinds]
            if texts:
                crebos.append(k.crebo)
                docs.append("\n".join(texts))
    return crebos, docs


def _rank(crebos: Sequence[str], scores: np.ndarray) -> tuple[str, ...]:
    return tuple(sorted(crebos, key=lambda c: (-round(float(scores[crebos.index(c)]), 9), c)))


def tfidf_documents(
    dossiers: Sequence[ParsedDossier], queries: Sequence[Query], kinds: Collection[str] | None
) -> list[Ranked]:
    """Baseline: TF-IDF character 3–5-grams, one document per programme, cosine to the whole typering."""
    crebos, docs = programme_documents(dossiers, kinds)
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(docs)
    scores = (vectorizer.transform([q.text for q in queries]) @ matrix.T).toarray()
    return [Ranked(q, _rank(crebos, scores[i]), None) for i, q in enumerate(queries)]


def rapidfuzz_documents(
    dossiers: Sequence[ParsedDossier], queries: Sequence[Query], kinds: Collection[str] | None
) -> list[Ranked]:
    """Baseline: rapidfuzz token-set ratio of the whole typering to each programme's joined statements."""
    crebos, docs = programme_documents(dossiers, kinds)
    scores = process.cdist(
        [q.text for q in queries],
        docs,
        scorer=fuzz.token_set_ratio,
        processor=utils.default_process,
        workers=1,
    )
    return [Ranked(q, _rank(crebos, np.asarray(scores[i])), None) for i, q in enumerate(queries)]


@dataclass(frozen=True, slots=True)
class RetrievalFigures:
    queries: int
    top1: float
    top5: float
    mrr: float
    dossier_top1: float
    own_eligible: float | None
    eligible_per_query: float | None
    eligible_right_dossier: float | None


def figures(results: Sequence[Ranked], dossier_of: dict[str, str]) -> RetrievalFigures:
    ranks = [r.ranking.index(r.query.crebo) + 1 for r in results]
    top1 = float(np.mean([k == 1 for k in ranks]))
    top5 = float(np.mean([k <= 5 for k in ranks]))
    mrr = float(np.mean([1.0 / k for k in ranks]))
    dossier_top1 = float(np.mean([dossier_of[r.ranking[0]] == r.query.dossier for r in results]))
    if any(r.eligible is None for r in results):
        return RetrievalFigures(len(results), top1, top5, mrr, dossier_top1, None, None, None)
    own = float(np.mean([r.query.crebo in r.eligible for r in results if r.eligible is not None]))
    counts = [len(r.eligible) for r in results if r.eligible is not None]
    right = sum(
        dossier_of[c] == r.query.dossier for r in results if r.eligible is not None for c in r.eligible
    )
    share = right / sum(counts) if sum(counts) else 0.0
    return RetrievalFigures(len(results), top1, top5, mrr, dossier_top1, own, float(np.mean(counts)), share)

"""The pure scoring core: similarity arrays in, frozen results out. No database, no web, no models.

Statements are grouped per programme in one contiguous block of columns, described by `offsets`
(the first column of each programme's block). For every (workplace skill, programme) pair the core
takes the best statement, decides whether the skill is covered, and aggregates:

- covered = best similarity >= threshold
- credit = covered (1 or 0); with soft credit (`credit_width` w > 0): clip((best − threshold) / w + 0.5, 0, 1),
  so credit rises linearly from 0 at threshold − w/2 to 1 at threshold + w/2 and covered ⇔ credit ≥ 0.5
- coverage = sum(weight × credit) / sum(weight of all skills)
- knockout = a must-have skill that is not covered and not trainable
- eligible = coverage >= min_coverage and no knockout

Relevance, when a `document_similarity` per programme is given: skill_weight × z(mean best similarity)
+ document_weight × z(document similarity), plus the semantic, niveau and name terms where weighed
(app.matching.scoring.relevance), each z-scored over the programmes being ranked. The
per-statement maxima say whether each skill is covered; the whole-document score adds how much of the
workplace's vocabulary the programme as a whole shares, which separates sibling kwalificaties of one
dossier (see docs/scoring.md). Without it, relevance is the weighted mean best similarity.

Ranking, `order="eligible"` (the default since scoring 2026.11-5): eligible programmes first, then the
rest; within each group relevance descending, then the programme key (crebo) ascending.
`order="coverage"`: coverage descending, then relevance, then crebo. `order="relevance"`: relevance
descending, then crebo. The last key makes every order total, hence reproducible. Coverage and
eligibility never depend on the order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.matching import scoring
from app.matching.scoring import EPSILON, Order, credit, is_eligible, relevance, zscore

__all__ = [
    "EPSILON",
    "Order",
    "ProgrammeScore",
    "Scored",
    "SkillCoverage",
    "SkillSpec",
    "best_per_programme",
    "credit",
    "rank",
    "score_best",
    "score_programmes",
    "zscore",
]


@dataclass(frozen=True, slots=True)
class SkillCoverage:
    skill_index: int
    best_statement: int  # global column index of the best statement
    similarity: float
    covered: bool
    credit: float


@dataclass(frozen=True, slots=True)
class ProgrammeScore:
    programme_index: int
    coverage: float
    mean_similarity: float
    eligible: bool
    knockouts: tuple[int, ...]  # skill indexes
    # Per skill, in skill order: the best statement's column, its similarity, covered or not, and its
    # credit toward coverage (1.0 or 0.0 with hard credit).
    best_statements: tuple[int, ...]
    similarities: tuple[float, ...]
    covered: tuple[bool, ...]
    credits: tuple[float, ...]
    relevance: float = 0.0  # the second ranking key (see the module doc)

    @property
    def skills(self) -> tuple[SkillCoverage, ...]:
        return tuple(
            SkillCoverage(i, column, similarity, covered, credit)
            for i, (column, similarity, covered, credit) in enumerate(
                zip(self.best_statements, self.similarities, self.covered, self.credits, strict=True)
            )
        )


@dataclass(frozen=True, slots=True)
class SkillSpec:
    weight: float
    must_have: bool
    trainable: bool


def best_per_programme(
    similarity: npt.NDArray[np.float32], offsets: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.intp]]:
    """For an (m skills × n statements) array: the best value and its column, per programme block.

    Returns two (m × p) arrays. Ties go to the first (lowest) column, as numpy's argmax does.
    Every block must be non-empty.
    """
    m, n = similarity.shape
    if len(offsets) == 0:
        return np.zeros((m, 0), dtype=np.float32), np.zeros((m, 0), dtype=np.intp)
    best = np.maximum.reduceat(similarity, offsets, axis=1)
    counts = np.diff(np.append(offsets, n))
    is_best = similarity >= np.repeat(best, counts, axis=1)
    # First best column per block: reduce (n - column) with max, where only best cells count.
    reverse_rank = np.where(is_best, n - np.arange(n, dtype=np.intp), 0)
    first = n - np.maximum.reduceat(reverse_rank, offsets, axis=1)
    return best.astype(np.float32, copy=False), first.astype(np.intp, copy=False)


def score_programmes(
    similarity: npt.NDArray[np.float32],
    offsets: npt.NDArray[np.intp],
    keys: Sequence[str],
    skills: Sequence[SkillSpec],
    *,
    threshold: float,
    min_coverage: float,
    credit_width: float = 0.0,
    document_similarity: npt.NDArray[np.float32] | None = None,
    document_weight: float = 1.0,
    semantic_similarity: npt.NDArray[np.float32] | None = None,
    semantic_weight: float = 0.0,
    skill_weight: float = 1.0,
    niveau_evidence: npt.NDArray[np.float64] | None = None,
    niveau_weight: float = 0.0,
    name_similarity: npt.NDArray[np.float32] | None = None,
    name_weight: float = 0.0,
    generic_discount: bool = False,
    order: Order = "eligible",
    limit: int | None = None,
) -> list[ProgrammeScore]:
    """Score every programme block against the workplace skills and rank them (see the module doc).

    With `limit`, only the first `limit` programmes of the ranking are returned (the ranking itself
    still covers every programme); only their best columns and per-skill details are computed.
    """
    if not skills:
        raise ValueError("a workplace without skills cannot be scored")
    if similarity.shape[0] != len(skills):
        raise ValueError("one similarity row per skill is required")
    if len(keys) != len(offsets):
        raise ValueError("one key per programme is required")
    if len(offsets) == 0:
        return []
    for name, given in (
        ("document", document_similarity),
        ("semantic", semantic_similarity),
        ("name", name_similarity),
    ):
        if given is not None and len(given) != len(offsets):
            raise ValueError(f"one {name} similarity per programme is required")
    best = np.maximum.reduceat(similarity, offsets, axis=1)
    scored = score_best(
        best,
        skills,
        keys,
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
    )
    coverage, mean_similarity, relevance_, eligible = (
        scored.coverage,
        scored.mean_similarity,
        scored.relevance,
        scored.eligible,
    )
    credits, covered, critical, ranked = scored.credits, scored.covered, scored.critical, scored.order
    if limit is not None:
        ranked = ranked[: max(limit, 0)]
    ends = np.append(offsets[1:], similarity.shape[1])
    results: list[ProgrammeScore] = []
    for p in ranked.tolist():
        # The first best column per skill (argmax takes the first of equal values).
        column = offsets[p] + similarity[:, offsets[p] : ends[p]].argmax(axis=1)
        knockouts = tuple(int(i) for i in np.flatnonzero(critical & ~covered[:, p]))
        results.append(
            ProgrammeScore(
                programme_index=p,
                coverage=float(coverage[p]),
                mean_similarity=float(mean_similarity[p]),
                eligible=bool(eligible[p]),
                relevance=float(relevance_[p]),
                knockouts=knockouts,
                best_statements=tuple(column.tolist()),
                similarities=tuple(best[:, p].tolist()),
                covered=tuple(covered[:, p].tolist()),
                credits=tuple(credits[:, p].tolist()),
            )
        )
    return results


@dataclass(frozen=True, slots=True)
class Scored:
    """Every programme's figures from the skills' best similarities, and the ranking order."""

    credits: npt.NDArray[np.float64]  # (skills × programmes)
    covered: npt.NDArray[np.bool_]
    critical: npt.NDArray[np.bool_]  # per skill: a must-have that cannot be trained
    coverage: npt.NDArray[np.float64]
    mean_similarity: npt.NDArray[np.float64]
    relevance: npt.NDArray[np.float64]
    eligible: npt.NDArray[np.bool_]
    order: npt.NDArray[np.intp]  # programme positions, best first


def score_best(
    best: npt.NDArray[np.float32],
    skills: Sequence[SkillSpec],
    keys: Sequence[str],
    *,
    threshold: float,
    min_coverage: float,
    credit_width: float = 0.0,
    document_similarity: npt.NDArray[np.float32] | None = None,
    document_weight: float = 1.0,
    semantic_similarity: npt.NDArray[np.float32] | None = None,
    semantic_weight: float = 0.0,
    skill_weight: float = 1.0,
    niveau_evidence: npt.NDArray[np.float64] | None = None,
    niveau_weight: float = 0.0,
    name_similarity: npt.NDArray[np.float32] | None = None,
    name_weight: float = 0.0,
    generic_discount: bool = False,
    order: Order = "eligible",
) -> Scored:
    """The module doc's steps on each skill's best similarity per programme (skills × programmes): what
    `score_programmes` does after taking the maxima, and what the benchmarks call directly."""
    weights = np.array([s.weight for s in skills], dtype=np.float64)
    if weights.sum() <= 0:
        raise ValueError("skill weights must be positive")
    credits, covered = credit(best, threshold, credit_width)
    coverage = (weights @ credits) / weights.sum()
    mean_similarity = (weights @ best) / weights.sum()
    skill_evidence = mean_similarity
    if generic_discount:
        # Each skill weighed by how much it tells the programmes apart (docs/scoring.md): a generic
        # statement that every programme covers about equally adds nothing to the order.
        discounted = weights * scoring.distinctiveness(best)
        if discounted.sum() > EPSILON:
            skill_evidence = (discounted @ best) / discounted.sum()
    critical = np.array([s.must_have and not s.trainable for s in skills], dtype=bool)
    relevance_ = relevance(
        skill_evidence,
        document_similarity,
        semantic_similarity,
        skill_weight=skill_weight,
        document_weight=document_weight,
        semantic_weight=semantic_weight,
        niveau=niveau_evidence,
        niveau_weight=niveau_weight,
        name=name_similarity,
        name_weight=name_weight,
    )
    knocked_out = (critical[:, None] & ~covered).any(axis=0)
    eligible = is_eligible(coverage, min_coverage, knocked_out)
    ranked = rank(coverage, relevance_, keys, order=order, eligible=eligible)
    return Scored(credits, covered, critical, coverage, mean_similarity, relevance_, eligible, ranked)


def rank(
    coverage: npt.NDArray[np.float64],
    relevance: npt.NDArray[np.float64],
    keys: Sequence[str],
    *,
    order: Order = "eligible",
    eligible: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.intp]:
    """Programme positions in ranking order (see the module doc); values are compared at 9 decimals.
    `order="eligible"` needs `eligible`, one flag per programme."""
    key_order = np.argsort(np.asarray(keys, dtype=str), kind="stable")
    key_rank = np.empty(len(keys), dtype=np.intp)
    key_rank[key_order] = np.arange(len(keys))
    by_relevance = -np.round(relevance, 9)
    if order == "relevance":
        ranked: npt.NDArray[np.intp] = np.lexsort((key_rank, by_relevance))
    elif order == "eligible":
        if eligible is None or len(eligible) != len(keys):
            raise ValueError("the eligible order needs one eligibility flag per programme")
        ranked = np.lexsort((key_rank, by_relevance, ~np.asarray(eligible, dtype=bool)))
    else:
        ranked = np.lexsort((key_rank, by_relevance, -np.round(coverage, 9)))
    return ranked

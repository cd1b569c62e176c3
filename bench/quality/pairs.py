"""Skill-phrase similarity: AUC and ranking accuracy of each scorer on the labelled Dutch pairs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bench.quality.data import Pair

# A scorer gives the (len(a) × len(b)) similarity matrix of two lists of phrases.
Scorer = Callable[[Sequence[str], Sequence[str]], np.ndarray]


def auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
    greater = (positive[:, None] > negative[None, :]).sum()
    ties = (positive[:, None] == negative[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(positive) * len(negative)))


@dataclass(frozen=True, slots=True)
class PairFigures:
    auc_all: float
    auc_hard: float
    ranking_accuracy: float
    positives: int
    negatives: int
    hard: int
    # Per positive kind ("synonym/esco", …): (AUC against all negatives, AUC against the hard ones).
    by_kind: dict[str, tuple[float, float]]


def pair_scores(pairs: Sequence[Pair], scorer: Scorer) -> np.ndarray:
    phrases = sorted({p.a for p in pairs} | {p.b for p in pairs})
    where = {t: i for i, t in enumerate(phrases)}
    matrix = scorer(phrases, phrases)
    return np.array([matrix[where[p.a], where[p.b]] for p in pairs], dtype=np.float64)


def evaluate(pairs: Sequence[Pair], scorer: Scorer) -> PairFigures:
    """AUC of positives against all negatives and against the shared-verb negatives; ranking accuracy:
    for each positive pair (a, b), is b the best-scoring among the partners of all positive pairs of
    the same kind (150 candidates for ESCO, 90 for SBB)?"""
    scores = pair_scores(pairs, scorer)
    label = np.array([p.positive for p in pairs])
    hard = np.array([p.kind == "shared-verb" for p in pairs])
    hits, total = 0, 0
    for kind in sorted({p.kind for p in pairs if p.positive}):
        group = [p for p in pairs if p.positive and p.kind == kind]
        anchors = [p.a for p in group]
        partners = sorted({p.b for p in group})
        matrix = scorer(anchors, partners)
        for i, p in enumerate(group):
            total += 1
            # the first best candidate in sorted order wins ties: deterministic
            hits += int(partners[int(np.argmax(matrix[i]))] == p.b)
    kinds = np.array([f"{p.kind}/{p.source}" for p in pairs])
    by_kind = {
        k: (
            auc(scores[label & (kinds == k)], scores[~label]),
            auc(scores[label & (kinds == k)], scores[hard]),
        )
        for k in sorted(set(kinds[label].tolist()))
    }
    return PairFigures(
        auc(scores[label], scores[~label]),
        auc(scores[label], scores[hard]),
        hits / total if total else float("nan"),
        int(label.sum()),
        int((~label).sum()),
        int(hard.sum()),
        by_kind,
    )

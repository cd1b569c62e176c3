"""Scoring as one value: `ScoringParams`, the table of fitted values it is resolved from, and the pure
functions from similarity to credit, coverage, eligibility and relevance that every caller uses (the
scoring core, the coverage matrix, the planners and the benchmarks). No database, no web, no models.

The steps (docs/scoring.md states them with the fitted constants and a worked example):

1. calibrated similarity = clip((cosine − low) / (high − low), 0, 1), plus `title_offset` when the
   statement is a kerntaak or werkproces title (a few words, where a skill scores systematically lower
   than against a full sentence), clipped back to 0–1;
2. a skill's best statement per programme; covered ⇔ best ≥ threshold; its credit toward coverage is
   1/0, or with soft credit (width w > 0) clip((best − threshold) / w + 0.5, 0, 1);
3. coverage = Σ weight × credit / Σ weight; eligible ⇔ coverage ≥ min_coverage and no skill that is a
   must-have, not trainable and not covered (a knockout);
4. relevance = skill_weight × z(mean best similarity) + document_weight × z(whole-document TF-IDF)
   + semantic_weight × z(whole-document e5) + name_weight × z(TF-IDF to the programme's name)
   + the niveau term, each z-scored over the programmes being ranked; the order
   puts eligible programmes first (`order="eligible"`) and then relevance, then crebo.

`ScoringParams.version` is derived from every field (and the description splitter's version), so a
changed constant always gives a new scoring version in every answer's `config`.
"""

from __future__ import annotations

import hashlib
import json
import sys
import types
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from app.ingest import textsplit

EPSILON = 1e-9
SERIES = "2026.12"


def splitter_digest() -> str:
    """A digest of the description splitter's source (app.ingest.textsplit and the app.ingest modules it
    draws on): how a description becomes skills is part of the score, so any change to it, even one
    nobody remembered to announce, gives a new scoring version."""
    names = {textsplit.__name__}
    for value in vars(textsplit).values():
        owner = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
        if isinstance(owner, str) and owner.startswith("app.ingest."):
            names.add(owner)
    sha = hashlib.sha256()
    for name in sorted(names):
        with open(sys.modules[name].__file__ or "", "rb") as handle:
            sha.update(handle.read())
    return sha.hexdigest()[:12]


SPLITTER_DIGEST = splitter_digest()

Order = Literal["eligible", "coverage", "relevance"]

TITLE_KINDS = ("kerntaak", "werkproces")


@dataclass(frozen=True, slots=True)
class Fitted:
    """What the matching-quality benchmark fits per model (docs/scoring.md)."""

    low: float
    high: float
    threshold: float
    title_offset: float = 0.0
    credit_width: float = 0.0
    skill_weight: float = 1.0
    document_weight: float = 1.0
    semantic_weight: float = 0.0
    order: Order = "eligible"
    document_text: bool = False
    titles_only_offset: float = 0.0
    niveau_weight: float = 0.0
    niveau_centre: float = 2.0
    generic_discount: bool = False
    name_weight: float = 0.0


# Per (model, centred). e5 raw: 0.83 and 0.93 are the 34th and 99.8th percentile of raw cosines of all
# catalogue statement pairs; centred (vectors minus the catalogue's mean statement vector) the same
# quantiles are −0.06 and 0.53. USE: 0.15/0.60 raw, 0.0/0.52 centred. Thresholds, offsets, widths and
# relevance weights are the benchmark's leave-one-dossier-out choice (docs/benchmarks.md). A model
# without an entry (the hashing test embedder, a user's own sentence-transformers folder) gets
# `UNFITTED` with its own calibration: threshold 0.5, the midpoint of unrelated (0) and paraphrase (1).
FITTED: dict[tuple[str, bool], Fitted] = {
    ("multilingual-e5-small-q4", False): Fitted(low=0.83, high=0.93, threshold=0.5, title_offset=0.15),
    ("multilingual-e5-small-q4", True): Fitted(
        low=-0.06,
        high=0.53,
        threshold=0.65,
        title_offset=0.1,
        titles_only_offset=0.1,
        credit_width=0.2,
        skill_weight=0.0,
        document_weight=1.0,
        semantic_weight=0.0,
        order="relevance",
        name_weight=1.0,
    ),
    ("use-multilingual-v3", False): Fitted(low=0.15, high=0.60, threshold=0.5),
    ("use-multilingual-v3", True): Fitted(low=0.0, high=0.52, threshold=0.5),
}
UNFITTED_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ScoringParams:
    """Every constant a score depends on. Resolved once (`resolve`) from the model and the settings."""

    model: str
    centred: bool
    low: float
    high: float
    lexical: str
    lexical_weight: float
    title_offset: float
    threshold: float
    credit_width: float
    min_coverage: float
    order: Order
    skill_weight: float
    document_weight: float
    semantic_weight: float
    # Whole-document evidence from the whole description when one is scored (else the skills joined):
    # the context of a description says what the work is about even where it is not a skill to cover.
    document_text: bool = False
    # Added to every similarity with a programme known by its titles only (on top of title_offset).
    titles_only_offset: float = 0.0
    # The niveau term of relevance: niveau_weight × (level score − niveau_centre) × (niveau − 3), where the
    # level score counts the description's cues of responsibility and complexity (app.ingest.level).
    niveau_weight: float = 0.0
    niveau_centre: float = 2.0
    # The ranking's skill term weighs each skill by its distinctiveness (best − mean over the programmes),
    # so that generic statements ("werkt samen", "werkt veilig") do not steer the order.
    generic_discount: bool = False
    # The programme's name (kwalificatie title and dossier title) as evidence in relevance: the TF-IDF
    # cosine of the text to the name, z-scored. A name is no skill, so it never counts toward coverage.
    name_weight: float = 0.0
    splitter: str = SPLITTER_DIGEST

    @property
    def version(self) -> str:
        """SERIES plus a digest of every field: equal parameters, equal version; any change, a new one."""
        digest = hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode("utf-8")).hexdigest()
        return f"{SERIES}-{digest[:8]}"

    def with_min_coverage(self, min_coverage: float | None) -> ScoringParams:
        return self if min_coverage is None else replace(self, min_coverage=min_coverage)


def resolve(
    model: str,
    *,
    model_low: float,
    model_high: float,
    centre: bool,
    lexical: str = "none",
    lexical_weight: float = 0.0,
    threshold: float | None = None,
    title_offset: float | None = None,
    credit_width: float | None = None,
    min_coverage: float = 0.70,
    order: Order | None = None,
    skill_weight: float | None = None,
    document_weight: float | None = None,
    semantic_weight: float | None = None,
    document_text: bool | None = None,
    titles_only_offset: float | None = None,
    niveau_weight: float | None = None,
    name_weight: float | None = None,
) -> ScoringParams:
    """The parameters for this model: the fitted table's values, each overridden where a value is given.
    `centre` is honoured only where a centred calibration is fitted for the model."""
    centred = centre and (model, True) in FITTED
    fitted = FITTED.get((model, centred))
    if fitted is None:
        fitted = Fitted(low=model_low, high=model_high, threshold=UNFITTED_THRESHOLD)
    lexical_weight = lexical_weight if lexical != "none" else 0.0
    return ScoringParams(
        model=model,
        centred=centred,
        low=fitted.low,
        high=fitted.high,
        lexical=lexical if lexical_weight > 0 else "none",
        lexical_weight=lexical_weight,
        title_offset=fitted.title_offset if title_offset is None else title_offset,
        threshold=fitted.threshold if threshold is None else threshold,
        credit_width=fitted.credit_width if credit_width is None else credit_width,
        min_coverage=min_coverage,
        order=fitted.order if order is None else order,
        skill_weight=fitted.skill_weight if skill_weight is None else skill_weight,
        document_weight=fitted.document_weight if document_weight is None else document_weight,
        semantic_weight=fitted.semantic_weight if semantic_weight is None else semantic_weight,
        document_text=fitted.document_text if document_text is None else document_text,
        titles_only_offset=fitted.titles_only_offset if titles_only_offset is None else titles_only_offset,
        niveau_weight=fitted.niveau_weight if niveau_weight is None else niveau_weight,
        niveau_centre=fitted.niveau_centre,
        generic_discount=fitted.generic_discount,
        name_weight=fitted.name_weight if name_weight is None else name_weight,
    )


def kind_offsets(params: ScoringParams) -> dict[str, float]:
    return {kind: params.title_offset for kind in TITLE_KINDS}


def calibrate(raw: npt.NDArray[np.float32], low: float, high: float) -> npt.NDArray[np.float32]:
    """Step 1: a model's cosine on a 0–1 scale (0: a typical unrelated pair, 1: a paraphrase)."""
    calibrated: npt.NDArray[np.float32] = np.clip((raw - low) / (high - low), 0.0, 1.0).astype(np.float32)
    return calibrated


def is_covered(similarity: npt.NDArray[np.floating], params: ScoringParams) -> npt.NDArray[np.bool_]:
    """Step 2: whether a calibrated similarity covers a skill (the same rule for skill–statement and
    skill–skill similarities, as the planners use it)."""
    covered: npt.NDArray[np.bool_] = np.asarray(similarity) >= params.threshold - EPSILON
    return covered


def credit(
    best: npt.NDArray[np.float32], threshold: float, width: float = 0.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Step 2: per best similarity, its credit (0–1) toward coverage and whether it counts as covered."""
    covered = best >= threshold - EPSILON
    if width <= 0.0:
        return covered.astype(np.float64), covered
    soft = np.clip((best.astype(np.float64) - threshold) / width + 0.5, 0.0, 1.0)
    return np.where(covered, np.maximum(soft, 0.5), np.minimum(soft, 0.5)), covered


def is_eligible(
    coverage: npt.NDArray[np.float64] | float, min_coverage: float, knocked_out: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Step 3: covers enough, and no knockout."""
    eligible: npt.NDArray[np.bool_] = (np.asarray(coverage) >= min_coverage - EPSILON) & ~np.asarray(
        knocked_out, dtype=bool
    )
    return eligible


def relevance(
    mean_similarity: npt.NDArray[np.float64],
    document: npt.NDArray[np.floating] | None,
    semantic: npt.NDArray[np.floating] | None,
    *,
    skill_weight: float,
    document_weight: float,
    semantic_weight: float,
    niveau: npt.NDArray[np.float64] | None = None,
    niveau_weight: float = 0.0,
    name: npt.NDArray[np.floating] | None = None,
    name_weight: float = 0.0,
) -> npt.NDArray[np.float64]:
    """Step 4: the ranking's evidence. Without whole-document evidence it is the mean best similarity
    itself (so that a single programme, or a caller with no documents, keeps a meaningful value)."""
    mean_similarity = np.asarray(mean_similarity, dtype=np.float64)
    if (
        document is None
        and semantic is None
        and (niveau is None or not niveau_weight)
        and (name is None or not name_weight)
    ):
        return mean_similarity
    total = skill_weight * zscore(mean_similarity)
    if document is not None and document_weight:
        total = total + document_weight * zscore(np.asarray(document, dtype=np.float64))
    if semantic is not None and semantic_weight:
        total = total + semantic_weight * zscore(np.asarray(semantic, dtype=np.float64))
    if niveau is not None and niveau_weight:
        total = total + niveau_weight * np.asarray(niveau, dtype=np.float64)
    if name is not None and name_weight:
        total = total + name_weight * zscore(np.asarray(name, dtype=np.float64))
    result: npt.NDArray[np.float64] = total
    return result


def distinctiveness(best: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Per skill (a row of best similarities over the programmes being ranked): its best minus its mean.
    Near 0 for a generic skill that every programme matches about equally well; large for a skill that
    only some programmes match. Used to down-weight generic skills in the ranking, not in coverage."""
    values = np.asarray(best, dtype=np.float64)
    if values.size == 0:
        return np.zeros(values.shape[0], dtype=np.float64)
    result: npt.NDArray[np.float64] = values.max(axis=1) - values.mean(axis=1)
    return result


def niveau_evidence(
    level: float, niveaus: npt.NDArray[np.integer] | Sequence[int], centre: float
) -> npt.NDArray[np.float64]:
    """Per programme: (level score − centre) × (niveau − 3). Positive for a niveau-4 programme when the
    description reads as more responsible than `centre`, for a niveau-2 one when it reads as less."""
    result: npt.NDArray[np.float64] = (float(level) - centre) * (np.asarray(niveaus, dtype=np.float64) - 3.0)
    return result


def zscore(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """(x − mean) / standard deviation; all zeros when the values do not vary (or there is one)."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        return values
    spread = float(values.std())
    if spread < EPSILON:
        return np.zeros_like(values)
    result: npt.NDArray[np.float64] = (values - values.mean()) / spread
    return result

"""The naive baseline: per programme, a Python loop computing cosine similarities pair by pair.

It scores with the same rules as the service (per model cosine of unit vectors, calibrated, averaged
over the models of an ensemble,
mixed with the lexical TF-IDF score, plus the fitted offset of the statement's kind; best statement per
skill and programme; covered at the threshold, or soft credit; weighted coverage; knockouts; eligibility), so that its coverage can be checked against the real path. It gets the same
inputs as the service: the per-model unit vectors of the statements and the queries, and the lexical
scores (a TF-IDF model of the same kind fitted on every statement, queried in one vectorised call,
so the baseline is, if anything, flattered).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.matching.embedders import Embedder, EnsembleEmbedder, Matrix
from app.matching.index import CatalogueIndex, centred
from app.matching.lexical import build_lexical
from app.matching.service import Matcher
from app.workplaces.service import SkillInput

EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class NaiveScore:
    crebo: str
    coverage: float
    eligible: bool


class NaiveScorer:
    """Holds the catalogue as per-model lists of unit vectors, one per statement, grouped per programme."""

    def __init__(self, matcher: Matcher, index: CatalogueIndex) -> None:
        embedder = matcher.embedder
        self.matcher = matcher
        self.index = index
        if isinstance(embedder, EnsembleEmbedder):
            self.parts: tuple[Embedder, ...] = embedder.parts
            self.weights: tuple[float, ...] = embedder.weights
        else:
            self.parts, self.weights = (embedder,), (1.0,)
        # A single model may be centred (index.centre), with the matcher's centred calibration.
        self.calibrations = (
            tuple(p.calibration for p in self.parts) if len(self.parts) > 1 else (matcher.calibration,)
        )
        self.dims = [p.dim for p in self.parts]
        self.statements = [self._split(row) for row in index.matrix]
        # Its own lexical model, over every statement as the service's is (same scorer, same IDF).
        self.lexical = (
            build_lexical(matcher.lexical, [s.text for s in index.statements])
            if matcher.lexical_weight > 0
            else None
        )
        ends = [*index.offsets[1:].tolist(), len(index.statements)]
        self.blocks = list(zip(index.offsets.tolist(), ends, strict=True))

    def _split(self, row: Matrix) -> list[Matrix]:
        """An ensemble row back into the per-model unit vectors it was built from."""
        out: list[Matrix] = []
        start = 0
        for dim in self.dims:
            part = np.asarray(row[start : start + dim], dtype=np.float64)
            out.append(part / np.linalg.norm(part))
            start += dim
        return out

    def score(self, skills: Sequence[SkillInput], query_vectors: Matrix) -> list[NaiveScore]:
        matcher = self.matcher
        texts = [s.text for s in skills]
        queries = [self._split(v) for v in query_vectors]
        lexical = None if self.lexical is None else self.lexical.similarity(texts)
        lw = matcher.lexical_weight
        threshold = matcher.threshold
        width = matcher.credit_width
        offsets = matcher.kind_offsets or {}
        total_weight = sum(s.weight for s in skills)
        results: list[NaiveScore] = []
        for p, (start, end) in enumerate(self.blocks):
            covered_weight = 0.0
            knockout = False
            for i, skill in enumerate(skills):
                best = -1.0
                for column in range(start, end):
                    semantic = 0.0
                    for calibration, weight, a, b in zip(
                        self.calibrations, self.weights, queries[i], self.statements[column], strict=True
                    ):
                        cosine = float(np.dot(a, b))
                        low, high = calibration.low, calibration.high
                        semantic += weight * (cosine - low) / (high - low)
                    semantic = min(1.0, max(0.0, semantic))
                    value = (
                        semantic if lexical is None else (1 - lw) * semantic + lw * float(lexical[i, column])
                    )
                    offset = offsets.get(self.index.statements[column].kind, 0.0)
                    if offset:
                        value = min(1.0, max(0.0, value + offset))
                    if value > best:
                        best = value
                covered = best >= threshold - EPSILON
                credit = 1.0 if covered else 0.0
                if width > 0:
                    soft = min(1.0, max(0.0, (best - threshold) / width + 0.5))
                    credit = max(soft, 0.5) if covered else min(soft, 0.5)
                covered_weight += skill.weight * credit
                if not covered and skill.must_have and not skill.trainable:
                    knockout = True
            coverage = covered_weight / total_weight
            eligible = coverage >= matcher.min_coverage - EPSILON and not knockout
            results.append(NaiveScore(self.index.programmes[p].crebo, coverage, eligible))
        results.sort(key=lambda r: (-r.coverage, r.crebo))
        return results

    def match(self, skills: Sequence[SkillInput]) -> list[NaiveScore]:
        """Embed (through the same vector cache as the service) and score."""
        vectors = self.matcher.vectors.vectors([s.text for s in skills])
        return self.score(skills, centred(vectors, self.index.centre))

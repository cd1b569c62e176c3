"""The coverage matrix: every workplace against every programme, in one batched pass.

All workplaces' skills are embedded and compared with the catalogue in one matrix product; the
per-programme best statement comes from one `reduceat`; coverage and knockouts follow per workplace
with the same rules as app.matching.core.score_programmes (the tests compare both).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.matching.core import EPSILON, best_per_programme
from app.matching.index import ProgrammeInfo
from app.matching.service import Matcher, ScoringConfig, skills_of
from app.workplaces import repository as workplace_repository
from app.workplaces.service import SkillInput


@dataclass(frozen=True, slots=True)
class WorkplaceRef:
    id: int
    title: str
    organisation_unit: str


@dataclass(frozen=True, slots=True)
class CoverageMatrix:
    workplaces: tuple[WorkplaceRef, ...]  # rows: workplaces that have skills, by id
    programmes: tuple[ProgrammeInfo, ...]  # columns: scorable programmes, by crebo
    coverage: npt.NDArray[np.float64]  # (workplaces × programmes), 0–1
    eligible: npt.NDArray[np.bool_]
    knockouts: npt.NDArray[np.int_]  # number of knockout skills per cell
    workplaces_without_skills: tuple[WorkplaceRef, ...]
    catalogue_version: int
    config: ScoringConfig


def coverage_matrix(
    session: Session,
    matcher: Matcher,
    *,
    workplace_ids: Collection[int] | None = None,
    organisation_unit: str | None = None,
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
) -> CoverageMatrix:
    config = matcher.config(min_coverage=min_coverage)
    index = matcher.index(session)
    block = index.block(niveau=niveau)
    rows: list[WorkplaceRef] = []
    empty: list[WorkplaceRef] = []
    texts: list[str] = []
    weights: list[float] = []
    critical: list[bool] = []
    bounds: list[int] = [0]
    for workplace in workplace_repository.all_workplaces_with_skills(session):
        if workplace_ids is not None and workplace.id not in workplace_ids:
            continue
        if organisation_unit is not None and workplace.organisation_unit != organisation_unit:
            continue
        ref = WorkplaceRef(workplace.id, workplace.title, workplace.organisation_unit)
        skills = skills_of(workplace)
        if not skills:
            empty.append(ref)
            continue
        rows.append(ref)
        texts.extend(s.text for s in skills)
        weights.extend(float(s.weight) for s in skills)
        critical.extend(s.must_have and not s.trainable for s in skills)
        bounds.append(len(texts))
    programmes = tuple(index.programmes[p] for p in block.programmes)
    shape = (len(rows), len(programmes))
    if not rows or not programmes:
        return CoverageMatrix(
            tuple(rows),
            programmes,
            np.zeros(shape),
            np.zeros(shape, dtype=bool),
            np.zeros(shape, dtype=np.int_),
            tuple(empty),
            index.version,
            config,
        )
    sims = matcher.similarity(index, [SkillInput(t) for t in texts], block.columns, session)
    best, _ = best_per_programme(sims, block.offsets)
    covered = best >= config.threshold - EPSILON
    w = np.array(weights)
    crit = np.array(critical, dtype=bool)
    coverage = np.zeros(shape)
    knockouts = np.zeros(shape, dtype=np.int_)
    for r in range(len(rows)):
        lo, hi = bounds[r], bounds[r + 1]
        coverage[r] = (w[lo:hi] @ covered[lo:hi]) / w[lo:hi].sum()
        knockouts[r] = (crit[lo:hi, None] & ~covered[lo:hi]).sum(axis=0)
    eligible = (coverage >= config.min_coverage - EPSILON) & (knockouts == 0)
    return CoverageMatrix(
        tuple(rows), programmes, coverage, eligible, knockouts, tuple(empty), index.version, config
    )


def row_of(matrix: CoverageMatrix, workplace_id: int) -> int:
    for i, w in enumerate(matrix.workplaces):
        if w.id == workplace_id:
            return i
    raise KeyError(workplace_id)


def column_of(matrix: CoverageMatrix, crebo: str) -> int:
    for j, p in enumerate(matrix.programmes):
        if p.crebo == crebo:
            return j
    raise KeyError(crebo)

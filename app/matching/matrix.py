"""The coverage matrix: every workplace against every programme, in a few batched passes.

A (skill, statement) similarity depends only on the two texts, so the work is done on distinct texts:
the distinct skill texts of all workplaces against the distinct statement texts of the catalogue, in
chunks of `CHUNK` skill texts (one matrix product each, lexical scores included, memory bounded). Each
chunk's similarities are spread back over the statement columns, the per-programme best comes from one
`reduceat`, and only the credit (app.matching.core.credit) per (distinct skill text, programme) is kept.
Coverage and knockouts then follow per workplace with the same rules as
app.matching.core.score_programmes (the tests compare both).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.matching import core, scoring
from app.matching.index import CatalogueIndex, ProgrammeInfo
from app.matching.service import Matcher, ScoringConfig, skills_of
from app.workplaces import repository as workplace_repository
from app.workplaces.service import SkillInput

CHUNK = 256  # distinct skill texts per matrix product: bounds memory to CHUNK × statements floats


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
    credits = _credits(matcher, session, index, block.columns, block.offsets, texts, config)
    covered = credits >= 0.5
    w = np.array(weights)
    crit = np.array(critical, dtype=bool)
    starts = np.array(bounds[:-1], dtype=np.intp)
    coverage = np.add.reduceat(w[:, None] * credits, starts, axis=0) / np.add.reduceat(w, starts)[:, None]
    knockouts = np.add.reduceat((crit[:, None] & ~covered).astype(np.int_), starts, axis=0)
    eligible = scoring.is_eligible(coverage, config.min_coverage, knockouts > 0)
    return CoverageMatrix(
        tuple(rows), programmes, coverage, eligible, knockouts, tuple(empty), index.version, config
    )


def _credits(
    matcher: Matcher,
    session: Session,
    index: CatalogueIndex,
    columns: npt.NDArray[np.intp],
    offsets: npt.NDArray[np.intp],
    texts: list[str],
    config: ScoringConfig,
) -> npt.NDArray[np.float64]:
    """(skill rows × programmes): each skill row's credit from each programme of the block (≥ 0.5: covered).
    Matcher.similarity already computes each skill once per distinct statement (kind, text) and spreads
    it over the columns."""
    skill_texts, skill_of_row = _distinct(texts)
    credits = np.empty((len(skill_texts), len(offsets)), dtype=np.float64)
    for start in range(0, len(skill_texts), CHUNK):
        chunk = [SkillInput(t) for t in skill_texts[start : start + CHUNK]]
        best = np.maximum.reduceat(matcher.similarity(index, chunk, columns, session), offsets, axis=1)
        credits[start : start + len(chunk)] = core.credit(best, config.threshold, config.credit_width)[0]
    return credits[skill_of_row]


def _distinct(texts: list[str]) -> tuple[list[str], npt.NDArray[np.intp]]:
    """The distinct texts in first-seen order, and each input's position among them."""
    position: dict[str, int] = {}
    inverse = np.fromiter(
        (position.setdefault(t, len(position)) for t in texts), dtype=np.intp, count=len(texts)
    )
    return list(position), inverse

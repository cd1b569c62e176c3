"""Workplace skills as vectors: skill-to-skill similarity and per-programme coverage, on the matcher's scale.

Everything in app.planning compares skills the way matching does: the matcher's embedder, its
vectors centred on the catalogue when matching centres them, its calibration (cosine mapped to 0–1 by
the matcher's `low`/`high`), its lexical share, and its cover threshold. Two workplace skills are "the same skill" when their calibrated similarity is at or
above the matcher's threshold; a skill is covered by a programme when its best statement is.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.errors import NotFound
from app.matching.core import best_per_programme, credit
from app.matching.index import CatalogueIndex, ProgrammeInfo, StatementInfo, centred
from app.matching.lexical import build_lexical
from app.matching.service import Matcher, skills_of
from app.models import Workplace
from app.workplaces import repository as workplace_repository
from app.workplaces.service import SkillInput

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class PlanSkill:
    text: str
    weight: int
    must_have: bool
    trainable: bool


@dataclass(frozen=True, slots=True)
class PlanWorkplace:
    id: int
    title: str
    organisation_unit: str
    skills: tuple[PlanSkill, ...]


def plan_workplace(workplace: Workplace) -> PlanWorkplace:
    return PlanWorkplace(
        workplace.id,
        workplace.title,
        workplace.organisation_unit,
        tuple(PlanSkill(s.text, s.weight, s.must_have, s.trainable) for s in skills_of(workplace)),
    )


def load_workplaces(
    session: Session,
    *,
    workplace_ids: Collection[int] | None = None,
    directies: Collection[str] | None = None,
) -> list[PlanWorkplace]:
    """Stored workplaces by id (all when `workplace_ids` is None); unknown ids are a 404."""
    rows = workplace_repository.all_workplaces_with_skills(session)
    if workplace_ids is not None:
        known = {w.id for w in rows}
        missing = sorted(set(workplace_ids) - known)
        if missing:
            raise NotFound("workplace", missing[0])
        rows = [w for w in rows if w.id in set(workplace_ids)]
    if directies:
        rows = [w for w in rows if w.organisation_unit in set(directies)]
    return [plan_workplace(w) for w in rows]


def calibrated(matcher: Matcher, raw: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    calibration = matcher.calibration
    scaled: npt.NDArray[np.float32] = np.clip(
        (raw - calibration.low) / (calibration.high - calibration.low), 0.0, 1.0
    ).astype(np.float32)
    return scaled


def skill_similarity(matcher: Matcher, session: Session, texts: Sequence[str]) -> npt.NDArray[np.float32]:
    """Calibrated similarity of every skill text to every other (n × n), mixed with the matcher's lexical
    scorer in the same proportion as matching does, and centred on the catalogue as matching is."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vectors = centred(matcher.vectors.vectors(list(texts), session=session), matcher.index(session).centre)
    semantic = calibrated(matcher, vectors @ vectors.T)
    lexical = build_lexical(matcher.lexical, list(texts)) if matcher.lexical_weight > 0 else None
    if lexical is None:
        return semantic
    combined = (1.0 - matcher.lexical_weight) * semantic + matcher.lexical_weight * lexical.similarity(texts)
    return combined.astype(np.float32)


@dataclass(frozen=True, slots=True)
class ProgrammeSkillFit:
    """For one programme and a list of skills: each skill's best statement, whether it is covered, and its
    credit toward coverage (app.matching.core.credit: 1 or 0 with hard credit)."""

    programme: ProgrammeInfo
    similarity: Floats  # best calibrated similarity per skill
    covered: npt.NDArray[np.bool_]
    credit: Floats
    best: tuple[StatementInfo, ...]  # best statement per skill
    columns: npt.NDArray[np.intp]  # the programme's statement columns in the index
    sims: npt.NDArray[np.float32]  # (skills × programme statements)


def programme_fit(
    session: Session, matcher: Matcher, index: CatalogueIndex, crebo: str, texts: Sequence[str]
) -> ProgrammeSkillFit:
    """Score skill texts against one programme, with the matcher's rules. Raises NotFound when the
    programme has no skill content in the index."""
    block = index.block(crebos={crebo})
    if not block.programmes:
        raise NotFound("programme with skill content", crebo)
    info = index.programmes[block.programmes[0]]
    if not texts:
        return ProgrammeSkillFit(
            info,
            np.zeros(0),
            np.zeros(0, dtype=bool),
            np.zeros(0),
            (),
            block.columns,
            np.zeros((0, len(block.columns)), dtype=np.float32),
        )
    sims = matcher.similarity(index, [SkillInput(t) for t in texts], block.columns, session)
    best, column = best_per_programme(sims, block.offsets)
    best_values = best[:, 0].astype(np.float64)
    statements = tuple(index.statements[int(block.columns[int(c)])] for c in column[:, 0])
    credits, covered = credit(best[:, 0], matcher.threshold, matcher.credit_width)
    return ProgrammeSkillFit(
        info,
        best_values,
        covered,
        credits,
        statements,
        block.columns,
        sims,
    )


def kerntaak_code(code: str) -> str:
    """The kerntaak a statement belongs to: "B1-K1-W2" → "B1-K1"; codes without a kerntaak stay as they are."""
    parts = code.split("-")
    return "-".join(parts[:2]) if len(parts) >= 2 else code

"""Learning plans: what a trainee with a given diploma still has to learn at a workplace or in a rotation.

The plan holds exactly the skills that are not covered (by the programme, or, in a rotation, by a
similar skill learnt at an earlier workplace). Each is classed as
- `trainable`: marked trainable by the workplace, to be learnt on the job;
- `knockout`: a must-have that is not trainable: the diploma does not qualify for this workplace;
- `not_trainable`: neither; a gap the workplace accepts but does not teach.

Themes: each gap is filed under the kerntaak of the SBB statement closest to it (its best statement's
code, e.g. B1-K1-W2 → B1-K1), titled with that kerntaak's text. As pointers, each gap lists the
programme's three closest statements (distinct texts, most similar first).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy.orm import Session

from app.matching.index import ProgrammeInfo, StatementInfo
from app.matching.service import Matcher
from app.planning.rotations import Rotation, RotationContext, evaluate_rotation
from app.planning.skills import kerntaak_code

GapKind = Literal["trainable", "knockout", "not_trainable"]
POINTERS = 3


@dataclass(frozen=True, slots=True)
class Pointer:
    code: str
    kind: str
    text: str
    similarity: float


@dataclass(frozen=True, slots=True)
class Gap:
    text: str
    weight: int
    must_have: bool
    kind: GapKind
    similarity: float  # best similarity to the programme (below the threshold, or it would be covered)
    pointers: tuple[Pointer, ...]


@dataclass(frozen=True, slots=True)
class Theme:
    code: str  # kerntaak code
    title: str
    gaps: tuple[Gap, ...]


@dataclass(frozen=True, slots=True)
class StepPlan:
    position: int
    workplace_id: int
    workplace_title: str
    organisation_unit: str
    skills: int
    coverage: float
    effective_coverage: float
    status: str
    learnt_before: tuple[str, ...]  # skills covered thanks to earlier workplaces
    themes: tuple[Theme, ...]

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(g for t in self.themes for g in t.gaps)


@dataclass(frozen=True, slots=True)
class LearningPlan:
    programme: ProgrammeInfo
    steps: tuple[StepPlan, ...]
    threshold: float

    @property
    def trainable(self) -> int:
        return sum(1 for s in self.steps for g in s.gaps if g.kind == "trainable")

    @property
    def knockouts(self) -> int:
        return sum(1 for s in self.steps for g in s.gaps if g.kind == "knockout")


def learning_plan(
    session: Session,
    matcher: Matcher,
    crebo: str,
    workplace_ids: Sequence[int],
    *,
    min_coverage: float | None = None,
) -> LearningPlan:
    """The learning plan for a programme at one workplace, or over a rotation (workplaces in order)."""
    context, rotation = evaluate_rotation(session, matcher, crebo, workplace_ids, min_coverage=min_coverage)
    return plan_from_rotation(context, rotation)


def plan_from_rotation(context: RotationContext, rotation: Rotation) -> LearningPlan:
    """The learning plan of a rotation already evaluated in `context`."""
    index = context.index
    kerntaken = _kerntaak_titles(index.statements, context.fit.columns)
    steps: list[StepPlan] = []
    for step in rotation.steps:
        rows = context.rows[step.workplace.id]
        themes: dict[str, list[Gap]] = {}
        for i, skill in enumerate(step.skills):
            if skill.covered:
                continue
            row = int(rows[i])
            sims = context.fit.sims[row]
            pointers = _pointers(sims, context.fit.columns, index.statements)
            kind: GapKind = (
                "trainable" if skill.trainable else "knockout" if skill.must_have else "not_trainable"
            )
            gap = Gap(
                skill.text,
                skill.weight,
                skill.must_have,
                kind,
                round(float(context.fit.similarity[row]), 4),
                pointers,
            )
            themes.setdefault(kerntaak_code(context.fit.best[row].code), []).append(gap)
        steps.append(
            StepPlan(
                step.position,
                step.workplace.id,
                step.workplace.title,
                step.workplace.organisation_unit,
                len(step.skills),
                step.coverage,
                step.effective_coverage,
                step.status,
                tuple(s.text for s in step.skills if s.learnt_before),
                tuple(
                    Theme(code, kerntaken.get(code, ""), tuple(gaps)) for code, gaps in sorted(themes.items())
                ),
            )
        )
    return LearningPlan(context.programme, tuple(steps), context.threshold)


def _kerntaak_titles(statements: Sequence[StatementInfo], columns: np.ndarray) -> dict[str, str]:
    titles: dict[str, str] = {}
    for c in columns:
        s = statements[int(c)]
        if s.kind == "kerntaak":
            titles.setdefault(s.code, s.text)
    return titles


def _pointers(
    sims: np.ndarray, columns: np.ndarray, statements: Sequence[StatementInfo]
) -> tuple[Pointer, ...]:
    order = sorted(range(len(columns)), key=lambda j: (-float(sims[j]), j))
    pointers: list[Pointer] = []
    seen: set[str] = set()
    for j in order:
        s = statements[int(columns[j])]
        if s.text in seen:
            continue
        seen.add(s.text)
        pointers.append(Pointer(s.code, s.kind, s.text, round(float(sims[j]), 4)))
        if len(pointers) == POINTERS:
            break
    return tuple(pointers)

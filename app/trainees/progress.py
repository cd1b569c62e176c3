"""Learning progress and the evaluation: which skills a trainee has learnt at their placements, and what
that did to their coverage.

The traineebegeleider marks a skill of a placement's workplace as learnt (date, short note). A skill
learnt counts as covered at every later placement, by the rotation planner's own rule
(RotationContext.learnt_cover): a skill of a later workplace is covered when a skill learnt before is
similar to it at the matcher's threshold, and then counts in full. Per placement:
- coverage by the diploma alone (as matching scores it);
- coverage at the start: plus what was learnt at earlier placements;
- coverage at the end: plus what was learnt here too;
- planned: what the planner assumed (every trainable gap of an earlier step learnt).

The evaluation per trainee sets the skills brought in (covered by the diploma at one of their
workplaces) against the skills learnt, and per placement whether the diploma alone qualified
(`eligible_by_diploma`) or the trainee qualified on skills by the end (`qualified_on_skills`: eligible
at the end while the diploma alone was not, i.e. a workplace their diploma did not suggest).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from app.errors import Conflict, ErrorItem, NotFound
from app.matching.core import EPSILON
from app.matching.service import Matcher
from app.models import PoolPlacement, PoolPlan, Trainee, TraineeProgress
from app.planning.rotations import RotationContext
from app.planning.skills import PlanWorkplace
from app.trainees import calendar, plans, repository, service

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SkillProgress:
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered_by_diploma: bool
    learnt_before: bool  # covered by a similar skill learnt at an earlier placement
    learnt: TraineeProgress | None  # marked learnt at this placement
    covered_at_end: bool


@dataclass(frozen=True, slots=True)
class PlacementProgress:
    placement_id: int
    period: int
    start: dt.date
    end: dt.date
    workplace: PlanWorkplace
    coverage_by_diploma: float
    coverage_at_start: float
    coverage_at_end: float
    planned_coverage: float  # the planner's assumption: every trainable gap of an earlier step learnt
    eligible_by_diploma: bool
    eligible_at_start: bool
    eligible_at_end: bool
    skills: tuple[SkillProgress, ...]

    @property
    def qualified_on_skills(self) -> bool:
        return self.eligible_at_end and not self.eligible_by_diploma

    @property
    def to_learn(self) -> tuple[SkillProgress, ...]:
        """The trainable skills not covered at the start: the learning plan of this placement."""
        return tuple(s for s in self.skills if s.trainable and not (s.covered_by_diploma or s.learnt_before))


@dataclass(frozen=True, slots=True)
class TraineeProgressView:
    trainee: Trainee
    plan_id: int | None
    phases: tuple[calendar.Phase, ...]
    min_coverage: float
    placements: tuple[PlacementProgress, ...]
    landed: PlanWorkplace | None

    @property
    def learnt(self) -> tuple[TraineeProgress, ...]:
        return tuple(s.learnt for p in self.placements for s in p.skills if s.learnt is not None)

    @property
    def brought_in(self) -> tuple[str, ...]:
        """The skills of their workplaces that the diploma covers (each text once, in placement order)."""
        return tuple(dict.fromkeys(s.text for p in self.placements for s in p.skills if s.covered_by_diploma))

    @property
    def to_learn(self) -> int:
        return sum(len(p.to_learn) for p in self.placements)


def _eligible(skills: Sequence[SkillProgress], coverage: float, min_coverage: float, *, at: str) -> bool:
    def covered(s: SkillProgress) -> bool:
        if at == "diploma":
            return s.covered_by_diploma
        if at == "start":
            return s.covered_by_diploma or s.learnt_before
        return s.covered_at_end

    knockout = any(s.must_have and not s.trainable and not covered(s) for s in skills)
    return not knockout and coverage >= min_coverage - EPSILON


def follow(
    context: RotationContext,
    placements: Sequence[tuple[PoolPlacement, calendar.Phase]],
    progress: Sequence[TraineeProgress],
) -> tuple[PlacementProgress, ...]:
    """Each placement (in period order, each at a workplace of `context`) with what was learnt."""
    order = [p.workplace_id for p, _ in placements if p.workplace_id is not None]
    planned = {s.workplace.id: s.effective_coverage for s in context.evaluate(order).steps} if order else {}
    acquired = np.zeros(0, dtype=np.intp)
    answer: list[PlacementProgress] = []
    for placement, phase in placements:
        workplace_id = placement.workplace_id
        if workplace_id is None:
            continue
        workplace = context.workplaces[workplace_id]
        rows = context.rows[workplace_id]
        weights = context.weights[rows]
        marked = {m.skill: m for m in progress if m.placement_id == placement.id}
        here = np.array([i for i, s in enumerate(workplace.skills) if s.text in marked], dtype=np.intp)
        before, credits_start = context.learnt_cover(workplace_id, acquired)
        acquired = np.concatenate([acquired, rows[here]])
        at_end, credits_end = context.learnt_cover(workplace_id, acquired)
        by_diploma = context.fit.covered[rows]
        skills = tuple(
            SkillProgress(
                s.text,
                s.weight,
                s.must_have,
                s.trainable,
                bool(by_diploma[i]),
                bool(before[i]),
                marked.get(s.text),
                bool(by_diploma[i] or at_end[i]),
            )
            for i, s in enumerate(workplace.skills)
        )
        total = weights.sum()
        diploma = float(weights @ context.fit.credit[rows] / total)
        start = float(weights @ credits_start / total)
        end = float(weights @ credits_end / total)
        answer.append(
            PlacementProgress(
                placement.id,
                placement.period,
                phase.start,
                phase.end,
                workplace,
                round(diploma, 4),
                round(start, 4),
                round(end, 4),
                planned[workplace_id],
                _eligible(skills, diploma, context.min_coverage, at="diploma"),
                _eligible(skills, start, context.min_coverage, at="start"),
                _eligible(skills, end, context.min_coverage, at="end"),
                skills,
            )
        )
    return tuple(answer)


def _view(session: Session, matcher: Matcher, trainee: Trainee, plan: PoolPlan | None) -> TraineeProgressView:
    landed = None
    workplaces = plans.workplaces_by_id(session)
    if trainee.landed_workplace_id is not None:
        landed = workplaces.get(trainee.landed_workplace_id)
    if plan is None:
        return TraineeProgressView(
            trainee, None, calendar.phases(trainee.start_date), matcher.min_coverage, (), landed
        )
    phases = calendar.phases(plan.start_date, periods=plan.periods)
    own = sorted(
        (p for p in plan.placements if p.trainee_id == trainee.id and p.workplace_id in workplaces),
        key=lambda p: p.period,
    )
    placed = [(p, phases[p.period]) for p in own]
    context = RotationContext(
        session,
        matcher,
        trainee.crebo,
        [workplaces[p.workplace_id] for p in own if p.workplace_id is not None],
        min_coverage=plan.min_coverage,
    )
    progress = repository.progress_of(session, [p.id for p in own])
    return TraineeProgressView(
        trainee, plan.id, phases, plan.min_coverage, follow(context, placed, progress), landed
    )


def trainee_progress(
    session: Session, matcher: Matcher, trainee_id: int, *, plan_id: int | None = None
) -> TraineeProgressView:
    """A trainee's placements with what they learnt, in the given plan or the latest that holds them."""
    trainee = service.get_trainee(session, trainee_id)
    plan = (
        repository.latest_plan_of(session, trainee_id)
        if plan_id is None
        else plans.get_plan(session, plan_id)
    )
    return _view(session, matcher, trainee, plan)


def pool_progress(session: Session, matcher: Matcher, plan_id: int) -> tuple[TraineeProgressView, ...]:
    """Every trainee of a plan with their progress in it (the evaluation of the pool reads the same)."""
    plan = plans.get_plan(session, plan_id)
    trainee_ids = {p.trainee_id for p in plan.placements}
    trainees = repository.list_trainees(session, ids=trainee_ids)
    return tuple(_view(session, matcher, t, plan) for t in sorted(trainees, key=lambda t: t.id))


def _placement_of(session: Session, trainee: Trainee, placement_id: int) -> PoolPlacement:
    placement = repository.get_placement(session, placement_id)
    if placement is None or placement.trainee_id != trainee.id:
        raise NotFound("placement of this trainee", placement_id)
    return placement


def mark_learnt(
    session: Session,
    trainee_id: int,
    *,
    placement_id: int,
    skill: str,
    learnt_on: dt.date | None = None,
    note: str = "",
) -> TraineeProgress:
    """Mark a skill of the placement's workplace as learnt there."""
    trainee = service.get_trainee(session, trainee_id)
    placement = _placement_of(session, trainee, placement_id)
    if placement.workplace_id is None:
        raise Conflict(
            f"placement {placement_id} has no workplace",
            [ErrorItem("placement_id", "no workplace in this period")],
        )
    workplace = plans.workplaces_by_id(session).get(placement.workplace_id)
    if workplace is None or skill not in {s.text for s in workplace.skills}:
        raise Conflict(
            f"the workplace of placement {placement_id} has no skill with this text",
            [ErrorItem("skill", "not a skill of the placement's workplace")],
        )
    if repository.find_progress(session, placement_id, skill) is not None:
        raise Conflict(
            "this skill is already marked learnt at this placement",
            [ErrorItem("skill", "already marked learnt")],
        )
    progress = repository.add_progress(
        session,
        TraineeProgress(
            trainee_id=trainee.id,
            placement_id=placement.id,
            skill=skill,
            learnt_on=learnt_on or dt.date.today(),
            note=note,
        ),
    )
    log.info("trainee %d: a skill marked learnt at placement %d", trainee.id, placement.id)
    return progress


def unmark_learnt(session: Session, trainee_id: int, progress_id: int) -> None:
    trainee = service.get_trainee(session, trainee_id)
    progress = repository.get_progress(session, progress_id)
    if progress is None or progress.trainee_id != trainee.id:
        raise NotFound("progress of this trainee", progress_id)
    repository.delete_progress(session, progress)
    log.info("trainee %d: a skill unmarked", trainee.id)


@dataclass(frozen=True, slots=True)
class ProgrammeAtWorkplace:
    """One placement as the pool's evaluation counts it: which programme worked where, and how it fared."""

    workplace: PlanWorkplace
    crebo: str
    title: str
    niveau: int
    trainee_id: int
    period: int
    eligible_by_diploma: bool
    qualified_on_skills: bool
    coverage_by_diploma: float
    coverage_at_end: float


@dataclass(frozen=True, slots=True)
class PoolEvaluation:
    plan: PoolPlan
    trainees: tuple[TraineeProgressView, ...]
    placements: tuple[ProgrammeAtWorkplace, ...]  # by workplace id, then period
    current_scoring_version: str

    @property
    def qualified_on_skills(self) -> int:
        return sum(1 for p in self.placements if p.qualified_on_skills)


def evaluate_pool(session: Session, matcher: Matcher, plan_id: int) -> PoolEvaluation:
    """The evaluation of a plan: per trainee what they brought in and learnt, and per workplace which
    programmes worked there, including those that qualified on skills rather than by diploma."""
    views = pool_progress(session, matcher, plan_id)
    rows: list[ProgrammeAtWorkplace] = []
    for view in views:
        programme = plans.programme_of(session, matcher, view.trainee.crebo)
        rows.extend(
            ProgrammeAtWorkplace(
                p.workplace,
                view.trainee.crebo,
                programme.title if programme else "",
                view.trainee.niveau,
                view.trainee.id,
                p.period,
                p.eligible_by_diploma,
                p.qualified_on_skills,
                p.coverage_by_diploma,
                p.coverage_at_end,
            )
            for p in view.placements
        )
    rows.sort(key=lambda r: (r.workplace.id, r.period, r.trainee_id))
    plan = plans.get_plan(session, plan_id)
    return PoolEvaluation(plan, views, tuple(rows), matcher.config().scoring_version)

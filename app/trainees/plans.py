"""Saved pool plans: the stored trainees planned over the offered workplaces, kept with what they were
planned under, and overrides of one placement that re-check every rule.

Planning is app.planning.pool (the MILP): one rotation of `periods` workplaces per trainee, no workplace
double-booked in a period, at most `max_per_directie` trainees in a directie, no rotation with a
knockout, workplaces that differ (the objective penalises overlap). The plan keeps the solver's status,
the scoring and model version and the catalogue version it was made with, and its calendar start.

An override sets one placement (a trainee in one period) to another workplace, or to none. The plan is
then re-checked against every rule (RULES); when any breaks, nothing is saved and the answer names each.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.errors import Conflict, ErrorItem, NotFound
from app.matching.index import ProgrammeInfo
from app.matching.service import Matcher
from app.models import PoolPlacement, PoolPlan, Trainee
from app.planning import pool
from app.planning.rotations import RotationContext
from app.planning.skills import PlanWorkplace, load_workplaces
from app.trainees import calendar, repository

log = logging.getLogger(__name__)

# Every rule a plan keeps, by the name an answer uses for it.
RULES: dict[str, str] = {
    "offered-workplace": "a placement is at one of the workplaces offered to the plan, which still has skills",
    "no-double-booking": "no workplace has two trainees in the same period",
    "different-workplaces": "a trainee's workplaces are all different",
    "max-per-directie": "at most max_per_directie trainees work in a directie",
    "no-knockout": "no placement has a knockout: a must-have skill the diploma does not cover and that is not trainable",
    "progress-kept": "a placement where progress is recorded keeps its workplace (unmark the skills first)",
}


class PlanRuleBroken(Conflict):
    """An override that would break one or more of the plan's rules (409): each is named in `errors`."""

    title = "A planning rule is broken"

    def __init__(self, broken: Sequence[tuple[str, str]]) -> None:
        super().__init__(
            "the override breaks: " + ", ".join(rule for rule, _ in broken),
            [ErrorItem(f"rule {rule}", message) for rule, message in broken],
        )
        self.rules = tuple(rule for rule, _ in broken)


@dataclass(frozen=True, slots=True)
class PlacedPeriod:
    placement_id: int
    period: int
    start: dt.date
    end: dt.date
    workplace: PlanWorkplace | None
    reason: str
    overridden: bool


@dataclass(frozen=True, slots=True)
class PlannedTrainee:
    trainee: Trainee
    periods: tuple[PlacedPeriod, ...]

    @property
    def placed(self) -> bool:
        return any(p.workplace is not None for p in self.periods)


@dataclass(frozen=True, slots=True)
class PlanView:
    """A saved plan as a page or the API shows it: the calendar, per trainee their placements in period
    order, per directie the trainees, and whether the scoring has changed since it was made."""

    plan: PoolPlan
    phases: tuple[calendar.Phase, ...]
    trainees: tuple[PlannedTrainee, ...]
    trainees_per_directie: dict[str, int]
    current_scoring_version: str

    @property
    def same_scoring_version(self) -> bool:
        return self.plan.scoring_version == self.current_scoring_version


def _unknown_trainee(error: Conflict, trainees: Sequence[Trainee]) -> Conflict:
    """The pool planner names a trainee by position ("trainees[2].crebo"); name them by id."""
    items = []
    for item in error.errors:
        found = re.match(r"trainees\[(\d+)\]\.(\w+)", item.location)
        where = f"trainee {trainees[int(found[1])].id}.{found[2]}" if found else item.location
        items.append(ErrorItem(where, item.message))
    return Conflict(items[0].message if items else error.detail, items)


def create_plan(
    session: Session,
    matcher: Matcher,
    *,
    trainee_ids: Collection[int] | None = None,
    workplace_ids: Collection[int] | None = None,
    directies: Collection[str] | None = None,
    start_date: dt.date | None = None,
    max_per_directie: int = 4,
    min_coverage: float | None = None,
    time_limit: float = 20.0,
) -> PoolPlan:
    """Plan the stored trainees (default: all) and save the plan. The calendar starts on `start_date`,
    by default the earliest start date of the trainees planned."""
    trainees = list(repository.list_trainees(session, ids=trainee_ids))
    missing = sorted(set(trainee_ids or ()) - {t.id for t in trainees})
    if missing:
        raise Conflict(
            f"trainee {missing[0]} does not exist",
            [ErrorItem("trainee_ids", f"trainee {missing[0]} does not exist")],
        )
    if not trainees:
        raise Conflict(
            "there are no trainees to plan: add trainees first", [ErrorItem("trainee_ids", "no trainees")]
        )
    try:
        result = pool.plan_pool(
            session,
            matcher,
            trainees=[pool.TraineeIn(t.crebo, f"trainee {t.id}") for t in trainees],
            workplace_ids=workplace_ids,
            directies=directies,
            periods=calendar.PERIODS,
            max_per_directie=max_per_directie,
            min_coverage=min_coverage,
            time_limit=time_limit,
        )
    except Conflict as error:
        if any(e.location.startswith("trainees[") for e in error.errors):
            raise _unknown_trainee(error, trainees) from error
        raise
    except NotFound as error:  # a workplace the request names: it conflicts with the stored data
        if error.resource != "workplace":
            raise
        raise Conflict(error.detail, [ErrorItem("workplace_ids", error.detail)]) from error
    offered = [
        w.id for w in load_workplaces(session, workplace_ids=workplace_ids, directies=directies) if w.skills
    ]
    config = matcher.config(min_coverage=min_coverage)
    plan = PoolPlan(
        start_date=start_date or min(t.start_date for t in trainees),
        periods=calendar.PERIODS,
        max_per_directie=max_per_directie,
        min_coverage=config.min_coverage,
        workplace_ids=offered,
        status=result.status,
        objective=result.objective,
        mip_gap=result.mip_gap,
        candidates_truncated=result.candidates_truncated,
        overridden=False,
        scoring_version=config.scoring_version,
        model_version=config.model_version,
        catalogue_version=matcher.index(session).version,
    )
    for placement in result.placements:
        trainee_id = trainees[placement.trainee].id
        if placement.rotation is None:
            plan.placements.extend(
                PoolPlacement(trainee_id=trainee_id, period=p, workplace_id=None, reason=placement.reason)
                for p in range(1, calendar.PERIODS + 1)
            )
        else:
            plan.placements.extend(
                PoolPlacement(trainee_id=trainee_id, period=p, workplace_id=step.workplace.id, reason="")
                for p, step in enumerate(placement.rotation.steps, start=1)
            )
    plan = repository.add_plan(session, plan)
    log.info(
        "pool plan %d saved: %d trainees, %d placed, status %s",
        plan.id,
        len(trainees),
        result.placed,
        result.status,
    )
    return plan


def get_plan(session: Session, plan_id: int) -> PoolPlan:
    plan = repository.get_plan(session, plan_id)
    if plan is None:
        raise NotFound("pool plan", plan_id)
    return plan


def list_plans(session: Session) -> Sequence[PoolPlan]:
    return repository.list_plans(session)


def delete_plan(session: Session, plan_id: int) -> None:
    """Delete a plan with its placements and the progress recorded at them."""
    repository.delete_plan(session, get_plan(session, plan_id))
    log.info("pool plan %d deleted", plan_id)


def workplaces_by_id(session: Session, ids: Collection[int] | None = None) -> dict[int, PlanWorkplace]:
    """The stored workplaces (only these ids, when given; ids no longer stored are left out)."""
    present = {w.id: w for w in load_workplaces(session)}
    return present if ids is None else {i: present[i] for i in ids if i in present}


def programme_of(session: Session, matcher: Matcher, crebo: str) -> ProgrammeInfo | None:
    index = matcher.index(session)
    block = index.block(crebos={crebo}).programmes
    return index.programmes[block[0]] if block else None


def view_plan(session: Session, matcher: Matcher, plan_id: int) -> PlanView:
    plan = get_plan(session, plan_id)
    workplaces = workplaces_by_id(
        session, {p.workplace_id for p in plan.placements if p.workplace_id is not None}
    )
    phases = calendar.phases(plan.start_date, periods=plan.periods)
    trainees = {
        t.id: t for t in repository.list_trainees(session, ids={p.trainee_id for p in plan.placements})
    }
    rows: list[PlannedTrainee] = []
    per_directie: Counter[str] = Counter()
    for trainee in sorted(trainees.values(), key=lambda t: t.id):
        own = sorted((p for p in plan.placements if p.trainee_id == trainee.id), key=lambda p: p.period)
        periods = tuple(
            PlacedPeriod(
                p.id,
                p.period,
                phases[p.period].start,
                phases[p.period].end,
                workplaces.get(p.workplace_id) if p.workplace_id is not None else None,
                p.reason,
                p.overridden,
            )
            for p in own
        )
        per_directie.update({p.workplace.organisation_unit for p in periods if p.workplace is not None})
        rows.append(PlannedTrainee(trainee, periods))
    return PlanView(
        plan, phases, tuple(rows), dict(sorted(per_directie.items())), matcher.config().scoring_version
    )


def broken_rules(
    session: Session, matcher: Matcher, plan: PoolPlan, changed: PoolPlacement, workplace_id: int | None
) -> list[tuple[str, str]]:
    """The rules the plan would break with `changed` set to `workplace_id`, each with why."""
    broken: list[tuple[str, str]] = []
    if workplace_id == changed.workplace_id:
        return broken
    if repository.progress_count(session, placement_id=changed.id):
        broken.append(("progress-kept", f"placement {changed.id} has skills marked learnt"))
    after = {p.id: (workplace_id if p.id == changed.id else p.workplace_id) for p in plan.placements}
    offered = workplaces_by_id(session, [w for w in plan.workplace_ids if isinstance(w, int)])
    offered = {i: w for i, w in offered.items() if w.skills}
    if workplace_id is None:
        return broken
    if workplace_id not in offered:
        broken.append(
            ("offered-workplace", f"workplace {workplace_id} is not offered to this plan or has no skills")
        )
        return broken
    same_slot = [
        p
        for p in plan.placements
        if p.id != changed.id and p.period == changed.period and after[p.id] == workplace_id
    ]
    if same_slot:
        broken.append(
            (
                "no-double-booking",
                f"workplace {workplace_id} has trainee {same_slot[0].trainee_id} in period {changed.period}",
            )
        )
    own = sorted((p for p in plan.placements if p.trainee_id == changed.trainee_id), key=lambda p: p.period)
    order = [w for p in own if (w := after[p.id]) is not None]
    if len(set(order)) != len(order):
        broken.append(
            (
                "different-workplaces",
                f"trainee {changed.trainee_id} would work at workplace {workplace_id} twice",
            )
        )
    visits: dict[int, set[str]] = {}
    for p in plan.placements:
        w = after[p.id]
        if w is not None and w in offered:
            visits.setdefault(p.trainee_id, set()).add(offered[w].organisation_unit)
    directie = offered[workplace_id].organisation_unit
    count = sum(1 for units in visits.values() if directie in units)
    if count > plan.max_per_directie:
        broken.append(
            ("max-per-directie", f"{directie} would have {count} trainees; at most {plan.max_per_directie}")
        )
    if not broken:
        trainee = repository.get_trainee(session, changed.trainee_id)
        if trainee is not None and all(w in offered for w in order):
            context = RotationContext(
                session, matcher, trainee.crebo, [offered[w] for w in order], min_coverage=plan.min_coverage
            )
            knocked = [s for s in context.evaluate(order).steps if s.status == "knockout"]
            if knocked:
                step = knocked[0]
                must = next(k.text for k in step.skills if k.knockout)
                broken.append(
                    ("no-knockout", f"at workplace {step.workplace.id}, period {step.position}: {must!r}")
                )
    return broken


def override_placement(
    session: Session, matcher: Matcher, plan_id: int, placement_id: int, *, workplace_id: int | None
) -> PoolPlacement:
    """Set one placement to `workplace_id` (None: no workplace) when the plan keeps every rule; else
    PlanRuleBroken naming each rule that breaks, and nothing changes."""
    plan = get_plan(session, plan_id)
    changed = next((p for p in plan.placements if p.id == placement_id), None)
    if changed is None:
        raise NotFound("placement", placement_id)
    broken = broken_rules(session, matcher, plan, changed, workplace_id)
    if broken:
        raise PlanRuleBroken(broken)
    if workplace_id != changed.workplace_id:
        changed.workplace_id = workplace_id
        changed.overridden = True
        changed.reason = "" if workplace_id is not None else "taken off by an override"
        plan.overridden = True
        session.flush()
        log.info("pool plan %d: placement %d overridden", plan.id, placement_id)
    return changed

"""Pool planning: place N trainees with given diplomas over the offered workplaces, one rotation each.

Method: a set-packing integer programme over candidate rotations, solved exactly with HiGHS
(scipy.optimize.milp). For each diploma, the candidate rotations are the orderings of `periods`
offered workplaces without a knockout, evaluated with the learning effect (app.planning.rotations):
period p of a rotation is its p-th workplace. Variable y[t,r] = trainee t follows rotation r.

Constraints:
- every trainee follows at most one rotation: Σ_r y[t,r] ≤ 1;
- no workplace is double-booked: for every workplace w and period p, Σ y[t,r] over rotations with w in
  period p ≤ 1;
- at most `max_per_directie` trainees work in a directie: for every directie d, Σ y[t,r] over
  rotations that visit d ≤ max_per_directie (a trainee follows one rotation, so this counts trainees).

Objective (maximised): every placed trainee is worth more than all other terms together, so the plan
places as many trainees as possible; then per rotation +1 per `eligible` step, +0.5 per `trainable`
step, + its score (mean effective coverage − 0.5 × mean skill overlap), − 0.75 per extra directie.

The solver's status is reported as it is: `optimal`, or `time_limit` with the remaining MIP gap. When
a diploma has more than `max_rotations` candidate rotations, only its best-ranked ones enter the model
and the answer says so (`candidates_truncated`): the plan is then optimal over those candidates only.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array
from sqlalchemy.orm import Session

from app.errors import Conflict, ErrorItem, InvalidDocument, NotFound, NothingToScore
from app.matching.index import ProgrammeInfo
from app.matching.service import Matcher
from app.planning.rotations import (
    MAX_CANDIDATES,
    Rotation,
    RotationContext,
    no_skill_content,
    ranked_rotations,
)
from app.planning.skills import load_workplaces

log = logging.getLogger(__name__)

ELIGIBLE_STEP = 1.0
TRAINABLE_STEP = 0.5
DIRECTIE_COST = 0.75

SolveStatus = Literal["optimal", "time_limit", "infeasible", "error"]


@dataclass(frozen=True, slots=True)
class TraineeIn:
    crebo: str
    ref: str = ""  # the planner's own label ("T1"); never a name


@dataclass(frozen=True, slots=True)
class Placement:
    trainee: int  # position in the request
    ref: str
    programme: ProgrammeInfo
    rotation: Rotation | None  # None when the trainee could not be placed
    reason: str


@dataclass(frozen=True, slots=True)
class PoolPlan:
    status: SolveStatus
    solver: str
    message: str
    objective: float | None
    mip_gap: float | None
    seconds: float
    periods: int
    max_per_directie: int
    placements: tuple[Placement, ...]
    trainees_per_directie: dict[str, int]
    workplaces: int
    candidate_rotations: dict[str, int]  # per crebo, entering the model
    candidates_truncated: bool

    @property
    def placed(self) -> int:
        """Trainees who follow a rotation."""
        return sum(1 for p in self.placements if p.rotation is not None)


def rotation_value(rotation: Rotation) -> float:
    statuses = [s.status for s in rotation.steps]
    return (
        ELIGIBLE_STEP * statuses.count("eligible")
        + TRAINABLE_STEP * statuses.count("trainable")
        + rotation.score
        - DIRECTIE_COST * (len(rotation.directies) - 1)
    )


def plan_pool(
    session: Session,
    matcher: Matcher,
    *,
    trainees: Sequence[TraineeIn],
    workplace_ids: Collection[int] | None = None,
    directies: Collection[str] | None = None,
    periods: int = 3,
    max_per_directie: int = 4,
    min_coverage: float | None = None,
    max_rotations: int = 2000,
    time_limit: float = 20.0,
) -> PoolPlan:
    started = time.perf_counter()
    if not trainees:
        raise InvalidDocument(
            "no trainees to plan", [ErrorItem("trainees", "at least one trainee is needed")]
        )
    index = matcher.index(session)
    for i, requested in enumerate(trainees):
        if not index.block(crebos={requested.crebo}).programmes:
            try:
                no_skill_content(session, requested.crebo)
            except (NotFound, NothingToScore) as error:
                raise Conflict(
                    f"trainees[{i}].crebo: {error.detail}", [ErrorItem(f"trainees[{i}].crebo", error.detail)]
                ) from error
    workplaces = [
        w for w in load_workplaces(session, workplace_ids=workplace_ids, directies=directies) if w.skills
    ]
    if not workplaces:
        raise NothingToScore("no offered workplace has skills: nothing to plan")
    if len(workplaces) > MAX_CANDIDATES:  # the stored workplaces, when none are named: 409
        raise Conflict(
            f"at most {MAX_CANDIDATES} workplaces can be planned in one pool",
            [ErrorItem("workplace_ids", f"{len(workplaces)} workplaces with skills are offered")],
        )
    min_cov = matcher.min_coverage if min_coverage is None else min_coverage
    ids = [w.id for w in workplaces]
    candidates: dict[str, list[Rotation]] = {}
    truncated = False
    for crebo in sorted({t.crebo for t in trainees}):
        context = RotationContext(session, matcher, crebo, workplaces, min_coverage=min_cov)
        ranked = ranked_rotations(context, ids, periods) if len(ids) >= periods else []
        truncated = truncated or len(ranked) > max_rotations
        candidates[crebo] = ranked[:max_rotations]

    units = sorted({w.organisation_unit for w in workplaces})
    columns: list[tuple[int, Rotation]] = [
        (t, r) for t, trainee in enumerate(trainees) for r in candidates[trainee.crebo]
    ]
    placed_value = (ELIGIBLE_STEP + 1.0) * periods + 1.0
    c = np.array([-(placed_value + rotation_value(r)) for _t, r in columns])
    rows: list[int] = []
    cols: list[int] = []
    upper: list[float] = []
    n_t = len(trainees)
    slot_row = {(w, p): n_t + i * periods + p for i, w in enumerate(ids) for p in range(periods)}
    unit_row = {u: n_t + len(ids) * periods + i for i, u in enumerate(units)}
    upper = [1.0] * (n_t + len(ids) * periods) + [float(max_per_directie)] * len(units)
    for k, (t, r) in enumerate(columns):
        entries = [t] + [slot_row[(s.workplace.id, p)] for p, s in enumerate(r.steps)]
        entries += [unit_row[u] for u in r.directies]
        rows.extend(entries)
        cols.extend([k] * len(entries))

    status: SolveStatus = "optimal"
    message = "no candidate rotations"
    objective: float | None = 0.0
    gap: float | None = 0.0
    chosen: dict[int, Rotation] = {}
    if columns:
        matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(upper), len(columns))).tocsr()
        result = milp(
            c,
            constraints=LinearConstraint(matrix, -np.inf, np.array(upper)),
            integrality=np.ones(len(columns)),
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit, "disp": False},
        )
        statuses: dict[int, SolveStatus] = {0: "optimal", 1: "time_limit", 2: "infeasible"}
        status = statuses.get(int(result.status), "error")
        message = str(result.message)
        objective = None if result.x is None else round(-float(result.fun), 4)
        raw_gap = getattr(result, "mip_gap", None)
        gap = None if raw_gap is None else round(float(raw_gap), 6)
        if result.x is not None:
            for hit in np.flatnonzero(np.round(result.x) == 1):
                trainee_index, rotation_chosen = columns[int(hit)]
                chosen[trainee_index] = rotation_chosen

    placements: list[Placement] = []
    per_unit: Counter[str] = Counter()
    for t, trainee in enumerate(trainees):
        programme = index.programmes[index.block(crebos={trainee.crebo}).programmes[0]]
        rotation = chosen.get(t)
        reason = ""
        if rotation is not None:
            per_unit.update(rotation.directies)
        elif not candidates[trainee.crebo]:
            reason = f"no ordering of {periods} offered workplaces without a knockout exists for this diploma"
        elif status in ("optimal", "time_limit") and objective is not None:
            reason = (
                "no room left: the workplaces are taken in these periods or the directie limit is reached"
            )
        else:
            reason = "the solver found no solution"
        placements.append(Placement(t, trainee.ref, programme, rotation, reason))
    seconds = time.perf_counter() - started
    log.info(
        "pool plan: %d trainees, %d workplaces, %d periods, %d columns, status %s, %d placed in %.2f s",
        n_t,
        len(workplaces),
        periods,
        len(columns),
        status,
        len(chosen),
        seconds,
    )
    return PoolPlan(
        status=status,
        solver="HiGHS branch-and-cut via scipy.optimize.milp (set packing over candidate rotations)",
        message=message,
        objective=objective,
        mip_gap=gap,
        seconds=round(seconds, 3),
        periods=periods,
        max_per_directie=max_per_directie,
        placements=tuple(placements),
        trainees_per_directie=dict(sorted(per_unit.items())),
        workplaces=len(workplaces),
        candidate_rotations={k: len(v) for k, v in candidates.items()},
        candidates_truncated=truncated,
    )

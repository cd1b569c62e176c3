"""Every SQL query on trainees, pool plans, placements and progress."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from app.models import PoolPlacement, PoolPlan, Trainee, TraineeProgress


def get_trainee(session: Session, trainee_id: int) -> Trainee | None:
    return session.get(Trainee, trainee_id)


def list_trainees(session: Session, *, ids: Collection[int] | None = None) -> Sequence[Trainee]:
    query = select(Trainee).order_by(Trainee.start_date, Trainee.id)
    if ids is not None:
        query = query.where(Trainee.id.in_(list(ids)))
    return session.scalars(query).all()


def add_trainee(session: Session, trainee: Trainee) -> Trainee:
    session.add(trainee)
    session.flush()
    session.refresh(trainee)
    return trainee


def erase_trainees(session: Session, trainee_ids: Collection[int]) -> int:
    """Delete trainees with their progress and placements (explicitly, whatever the database's foreign-key
    enforcement); returns how many trainees went."""
    if not trainee_ids:
        return 0
    ids = list(trainee_ids)
    session.execute(delete(TraineeProgress).where(TraineeProgress.trainee_id.in_(ids)))
    session.execute(delete(PoolPlacement).where(PoolPlacement.trainee_id.in_(ids)))
    result = session.execute(delete(Trainee).where(Trainee.id.in_(ids)))
    session.expire_all()
    return int(getattr(result, "rowcount", 0) or 0)


def trainees_started_before(session: Session, day: dt.date) -> Sequence[Trainee]:
    return session.scalars(select(Trainee).where(Trainee.start_date < day)).all()


def get_plan(session: Session, plan_id: int) -> PoolPlan | None:
    return session.scalar(
        select(PoolPlan).where(PoolPlan.id == plan_id).options(selectinload(PoolPlan.placements))
    )


def list_plans(session: Session) -> Sequence[PoolPlan]:
    return session.scalars(
        select(PoolPlan).order_by(PoolPlan.id.desc()).options(selectinload(PoolPlan.placements))
    ).all()


def add_plan(session: Session, plan: PoolPlan) -> PoolPlan:
    session.add(plan)
    session.flush()
    session.refresh(plan)
    return get_plan(session, plan.id) or plan


def delete_plan(session: Session, plan: PoolPlan) -> None:
    placement_ids = [p.id for p in plan.placements]
    if placement_ids:
        session.execute(delete(TraineeProgress).where(TraineeProgress.placement_id.in_(placement_ids)))
    session.delete(plan)
    session.flush()


def get_placement(session: Session, placement_id: int) -> PoolPlacement | None:
    return session.get(PoolPlacement, placement_id)


def latest_plan_of(session: Session, trainee_id: int) -> PoolPlan | None:
    """The most recent plan that holds this trainee."""
    plan_id = session.scalar(
        select(func.max(PoolPlacement.plan_id)).where(PoolPlacement.trainee_id == trainee_id)
    )
    return None if plan_id is None else get_plan(session, int(plan_id))


def progress_of(session: Session, placement_ids: Collection[int]) -> Sequence[TraineeProgress]:
    if not placement_ids:
        return []
    return session.scalars(
        select(TraineeProgress)
        .where(TraineeProgress.placement_id.in_(list(placement_ids)))
        .order_by(TraineeProgress.learnt_on, TraineeProgress.id)
    ).all()


def progress_count(
    session: Session, *, trainee_id: int | None = None, placement_id: int | None = None
) -> int:
    query = select(func.count()).select_from(TraineeProgress)
    if trainee_id is not None:
        query = query.where(TraineeProgress.trainee_id == trainee_id)
    if placement_id is not None:
        query = query.where(TraineeProgress.placement_id == placement_id)
    return int(session.scalar(query) or 0)


def get_progress(session: Session, progress_id: int) -> TraineeProgress | None:
    return session.get(TraineeProgress, progress_id)


def find_progress(session: Session, placement_id: int, skill: str) -> TraineeProgress | None:
    return session.scalar(
        select(TraineeProgress).where(
            TraineeProgress.placement_id == placement_id, TraineeProgress.skill == skill
        )
    )


def add_progress(session: Session, progress: TraineeProgress) -> TraineeProgress:
    session.add(progress)
    session.flush()
    session.refresh(progress)
    return progress


def delete_progress(session: Session, progress: TraineeProgress) -> None:
    session.delete(progress)
    session.flush()

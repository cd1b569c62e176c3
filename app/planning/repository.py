"""Every SQL query on profiles."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad

from app.models import Profile, ProfileWorkplace, Workplace


def _with_workplaces() -> _AbstractLoad:
    return (
        selectinload(Profile.members).selectinload(ProfileWorkplace.workplace).selectinload(Workplace.skills)
    )


def get_profile(session: Session, profile_id: int) -> Profile | None:
    return session.scalar(select(Profile).where(Profile.id == profile_id).options(_with_workplaces()))


def list_profiles(session: Session) -> Sequence[Profile]:
    return session.scalars(
        select(Profile).order_by(Profile.name, Profile.id).options(_with_workplaces())
    ).all()


def add_profile(session: Session, *, name: str, description: str, workplace_ids: Sequence[int]) -> Profile:
    profile = Profile(name=name, description=description)
    profile.members = [ProfileWorkplace(workplace_id=w) for w in workplace_ids]
    session.add(profile)
    session.flush()
    session.refresh(profile)
    return get_profile(session, profile.id) or profile


def set_workplaces(session: Session, profile: Profile, workplace_ids: Sequence[int]) -> None:
    keep = {m.workplace_id: m for m in profile.members}
    profile.members = [keep.get(w) or ProfileWorkplace(workplace_id=w) for w in workplace_ids]
    session.flush()
    session.expire(profile, ["members"])


def delete_profile(session: Session, profile: Profile) -> None:
    session.delete(profile)
    session.flush()

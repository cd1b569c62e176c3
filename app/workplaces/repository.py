"""Every SQL query on workplaces."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session, selectinload

from app.models import CatalogueState, Workplace, WorkplaceSkill


def get_workplace(session: Session, workplace_id: int) -> Workplace | None:
    return session.scalar(
        select(Workplace).where(Workplace.id == workplace_id).options(selectinload(Workplace.skills))
    )


_W, _S = Workplace.__table__.c, WorkplaceSkill.__table__.c
_CATALOGUE_VERSION = (
    select(CatalogueState.__table__.c.version).where(CatalogueState.__table__.c.id == 1).scalar_subquery()
)
# Read on every stored-workplace match: a Core statement built once (no ORM, no construction per call),
# which also brings the catalogue version, so that a match needs one read.
_SKILL_ROWS = (
    select(_W.id, _S.text, _S.weight, _S.must_have, _S.trainable, _S.origin, _CATALOGUE_VERSION)
    .select_from(Workplace.__table__.outerjoin(WorkplaceSkill.__table__))
    .where(_W.id == bindparam("workplace_id"))
    .order_by(_S.position)
)

SkillRow = tuple[str, int, bool, bool, str]


def skill_rows_and_catalogue_version(
    session: Session, workplace_id: int
) -> tuple[list[SkillRow] | None, int]:
    """A workplace's skills as (text, weight, must_have, trainable, origin), in order, and the catalogue
    version, in one query without loading ORM objects. The skills are [] for a workplace without skills
    and None when there is no such workplace (the version is then 0: not read)."""
    rows = session.connection().execute(_SKILL_ROWS, {"workplace_id": workplace_id}).all()
    if not rows:
        return None, 0
    return [(r[1], r[2], r[3], r[4], r[5]) for r in rows if r[1] is not None], int(rows[0][6] or 0)


def find_workplace(session: Session, *, title: str, organisation_unit: str) -> Workplace | None:
    return session.scalar(
        select(Workplace)
        .where(Workplace.title == title, Workplace.organisation_unit == organisation_unit)
        .order_by(Workplace.id)
        .limit(1)
        .options(selectinload(Workplace.skills))
    )


def list_workplaces(
    session: Session, *, organisation_unit: str | None = None, limit: int, offset: int
) -> tuple[Sequence[Workplace], int]:
    query = select(Workplace)
    if organisation_unit:
        query = query.where(Workplace.organisation_unit == organisation_unit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Workplace.organisation_unit, Workplace.title, Workplace.id)
        .limit(limit)
        .offset(offset)
        .options(selectinload(Workplace.skills))
    ).all()
    return rows, total


def all_workplaces_with_skills(session: Session) -> Sequence[Workplace]:
    return session.scalars(
        select(Workplace).order_by(Workplace.id).options(selectinload(Workplace.skills))
    ).all()


def add_workplace(session: Session, workplace: Workplace) -> Workplace:
    session.add(workplace)
    session.flush()
    return workplace


def claim_version(session: Session, workplace_id: int, *, expected: int | None) -> bool:
    """Atomically bump a workplace's version, only if it still is `expected` (when given).

    One conditional UPDATE, so of two concurrent writers holding the same version only one wins.
    """
    statement = update(Workplace).where(Workplace.id == workplace_id).values(version=Workplace.version + 1)
    if expected is not None:
        statement = statement.where(Workplace.version == expected)
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return bool(getattr(result, "rowcount", 0))


def delete_workplace(session: Session, workplace: Workplace) -> None:
    session.delete(workplace)
    session.flush()

"""Every SQL query on the catalogue: dossiers, kwalificaties, statements, programmes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session, selectinload

from app.models import CatalogueState, Dossier, Kwalificatie, Programme, Statement


def get_dossier_by_hash(session: Session, *, crebo: str, content_hash: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.crebo == crebo, Dossier.content_hash == content_hash))


def get_current_dossier(session: Session, crebo: str) -> Dossier | None:
    return session.scalar(select(Dossier).where(Dossier.crebo == crebo, Dossier.is_current.is_(True)))


def list_dossiers(session: Session, *, include_history: bool = False) -> Sequence[Dossier]:
    query = select(Dossier).order_by(Dossier.crebo, Dossier.imported_at.desc(), Dossier.id.desc())
    if not include_history:
        query = query.where(Dossier.is_current.is_(True))
    return session.scalars(query).all()


def get_dossier(session: Session, dossier_id: int) -> Dossier | None:
    return session.get(Dossier, dossier_id)


def add_statements(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Insert statements (kwalificatie_id, position, code, kind, text) in bulk."""
    if rows:
        session.execute(insert(Statement), list(rows))


def get_programme(session: Session, crebo: str) -> Programme | None:
    return session.scalar(select(Programme).where(Programme.crebo == crebo))


def get_programmes(session: Session, crebos: Sequence[str]) -> dict[str, Programme]:
    rows = session.scalars(select(Programme).where(Programme.crebo.in_(list(crebos)))).all()
    return {p.crebo: p for p in rows}


def current_kwalificatie(session: Session, crebo: str) -> Kwalificatie | None:
    return session.scalar(
        select(Kwalificatie)
        .join(Dossier)
        .where(Kwalificatie.crebo == crebo, Dossier.is_current.is_(True))
        .options(selectinload(Kwalificatie.statements), selectinload(Kwalificatie.dossier))
    )


def current_kwalificaties(session: Session) -> Sequence[Kwalificatie]:
    """Every kwalificatie of a current dossier version, with its statements, ordered by crebo."""
    return session.scalars(
        select(Kwalificatie)
        .join(Dossier)
        .where(Dossier.is_current.is_(True))
        .order_by(Kwalificatie.crebo)
        .options(selectinload(Kwalificatie.statements), selectinload(Kwalificatie.dossier))
    ).all()


def scored_crebos(session: Session) -> set[str]:
    rows = session.scalars(select(Kwalificatie.crebo).join(Dossier).where(Dossier.is_current.is_(True)))
    return set(rows)


def list_programmes(
    session: Session,
    *,
    niveau: Sequence[int] | None = None,
    dossier: str | None = None,
    text: str | None = None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Programme], int]:
    query = select(Programme)
    if niveau:
        query = query.where(Programme.niveau.in_(list(niveau)))
    if dossier:
        query = query.where(Programme.dossier_crebo == dossier)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(Programme.title).like(pattern),
                func.lower(Programme.dossier_title).like(pattern),
                Programme.crebo == text,
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Programme.crebo).limit(limit).offset(offset)).all()
    return rows, total


def list_programmes_all(session: Session, *, niveau: Sequence[int] | None = None) -> Sequence[Programme]:
    query = select(Programme).order_by(Programme.crebo)
    if niveau:
        query = query.where(Programme.niveau.in_(list(niveau)))
    return session.scalars(query).all()


# Checked on every match: a Core statement built once (no ORM, no construction per call).
_VERSION = select(CatalogueState.__table__.c.version).where(CatalogueState.__table__.c.id == 1)


def catalogue_version(session: Session) -> int:
    return session.connection().scalar(_VERSION) or 0


def bump_catalogue_version(session: Session) -> None:
    session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == 1)
        .values(version=CatalogueState.version + 1, changed_at=func.now())
    )

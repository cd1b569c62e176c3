"""Every SQL query on the catalogue: dossiers, kwalificaties, statements, programmes; and the
table-by-table reads and writes with which app.catalogue.portability exports and imports everything."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Column, RowMapping, Table, func, insert, inspect, or_, select, text, update
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


# -- every table, for export and import (app.catalogue.portability) ---------------------------------


def list_table_names(session: Session) -> set[str]:
    """The tables the database holds, as its catalogue lists them."""
    return set(inspect(session.connection()).get_table_names())


def list_schema_revisions(session: Session) -> list[str]:
    """Alembic's version rows; none when the database was never migrated."""
    if not inspect(session.connection()).has_table("alembic_version"):
        return []
    return list(session.execute(text("SELECT version_num FROM alembic_version")).scalars().all())


def count_rows(session: Session, table: Table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def list_rows(
    session: Session, table: Table, *, order_by: Sequence[Column[Any]], yield_per: int | None = None
) -> Iterator[RowMapping]:
    """The table's rows in this order, fetched `yield_per` at a time when given (else all at once)."""
    options = {} if yield_per is None else {"yield_per": yield_per}
    for row in session.execute(select(table).order_by(*order_by), execution_options=options):
        yield row._mapping


def delete_rows(session: Session, table: Table) -> None:
    session.execute(table.delete())


def add_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (column name -> value) in one executemany."""
    session.execute(insert(table), rows)


def get_serial_sequence(session: Session, table: str, column: str) -> str | None:
    """PostgreSQL: the sequence that feeds this column, if any."""
    return session.execute(
        text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table, "column": column}
    ).scalar()


def set_sequence_past_max(session: Session, sequence: str, *, table: str, column: str) -> None:
    """PostgreSQL: move the sequence to the column's highest value, so the next id is past it."""
    session.execute(
        text(f'SELECT setval(:sequence, (SELECT max("{column}") FROM "{table}"))'),  # noqa: S608
        {"sequence": sequence},
    )

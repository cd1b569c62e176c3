"""The audit records table: every query of `app.audit` is here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from app.models import AuditRecord

# One row per served match: a Core statement built once (no ORM bulk-insert machinery per call).
_AUDIT_TABLE = cast(Table, AuditRecord.__table__)
_INSERT_RECORD = insert(_AUDIT_TABLE).returning(_AUDIT_TABLE.c.id)


def insert_record(session: Session, values: dict[str, Any]) -> int:
    """One INSERT … RETURNING of a record's columns, no ORM object; returns the new id."""
    return int(session.connection().execute(_INSERT_RECORD, values).scalar_one())


def delete_records_before(session: Session, cutoff: dt.datetime) -> int:
    """Delete the records created before `cutoff`; returns how many went."""
    result = session.execute(delete(AuditRecord).where(AuditRecord.created_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)


def list_records(
    session: Session, *, limit: int, offset: int, key_name: str | None = None
) -> tuple[Sequence[AuditRecord], int]:
    """A page of records, newest first, and how many there are in all (of `key_name`, when given)."""
    query = select(AuditRecord)
    if key_name:
        query = query.where(AuditRecord.key_name == key_name)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(AuditRecord.id.desc()).limit(limit).offset(offset)).all()
    return rows, total


def get_record(session: Session, record_id: int) -> AuditRecord | None:
    return session.get(AuditRecord, record_id)

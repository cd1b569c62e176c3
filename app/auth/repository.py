"""The API keys table: every query of `app.auth` is here."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey


def list_keys(session: Session) -> Sequence[ApiKey]:
    return session.scalars(select(ApiKey).order_by(ApiKey.id)).all()


def get_key(session: Session, *, key_id: int | None = None, name: str | None = None) -> ApiKey | None:
    """The key with `key_id`, or else the key named `name`."""
    query = select(ApiKey)
    query = query.where(ApiKey.id == key_id) if key_id is not None else query.where(ApiKey.name == name)
    return session.scalar(query)


def get_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))

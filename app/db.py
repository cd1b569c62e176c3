"""Declarative base, engine and session factories."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, MetaData, create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapper, Session, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


_AWARE_COLUMNS: dict[Mapper[Any], tuple[str, ...]] = {}


def _aware_columns(mapper: Mapper[Any]) -> tuple[str, ...]:
    keys = _AWARE_COLUMNS.get(mapper)
    if keys is None:
        keys = tuple(
            attr.key
            for attr in mapper.column_attrs
            if isinstance(attr.columns[0].type, DateTime) and attr.columns[0].type.timezone
        )
        _AWARE_COLUMNS[mapper] = keys
    return keys


def _utc_on_load(target: Any, *_args: Any) -> None:
    """SQLite keeps no UTC offset: a `DateTime(timezone=True)` value comes back naive there. The app only
    stores UTC, so give it back its offset, as PostgreSQL does (clients get RFC 3339 times either way)."""
    for key in _aware_columns(inspect(target).mapper):
        value = target.__dict__.get(key)
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            set_committed_value(target, key, value.replace(tzinfo=dt.UTC))


for _event in ("load", "refresh", "refresh_flush"):
    event.listen(Base, _event, _utc_on_load, propagate=True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the pysqlite driver, decide when transactions begin, so that SAVEPOINTs and
    # rollbacks behave as documented (SQLAlchemy's recipe for "serializable isolation / savepoints").
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


READ_ONLY = "skillmatch_read_only"  # execution option: this transaction only reads


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: take the write lock when the transaction starts. A deferred transaction that reads and
    # then writes (a match that records its audit entry) fails at once with "database is locked" when
    # another writer committed in between, whatever the busy timeout; this one waits its turn instead.
    # A transaction marked READ_ONLY (following an import job) never writes, so it begins deferred and
    # reads the last commit without waiting for a writer (WAL).
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=20, max_overflow=20)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)

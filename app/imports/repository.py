"""Every SQL query on import jobs: the job rows, the catalogue's claim on one job, and PostgreSQL's
advisory lock that tells a live job from one whose process died."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select, text, update
from sqlalchemy.orm import Session

from app.models import CatalogueState, ImportJob

ACTIVE_STATES = ("queued", "parsing", "embedding", "committing")

# One application-wide key for "an import holds the catalogue" (pg_advisory_lock(bigint)).
# The number is arbitrary but fixed: every replica must use the same one. ASCII "skim" + 1.
ADVISORY_KEY = 0x736B696D0001


def get_job(session: Session, job_id: int) -> ImportJob | None:
    return session.get(ImportJob, job_id)


def list_jobs(session: Session, *, limit: int) -> Sequence[ImportJob]:
    return session.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)).all()


def running_job(session: Session) -> ImportJob | None:
    """The job that holds the catalogue, if any."""
    job_id = session.scalar(select(CatalogueState.import_job_id).where(CatalogueState.id == 1))
    return session.get(ImportJob, job_id) if job_id is not None else None


def active_jobs(session: Session) -> Sequence[ImportJob]:
    return session.scalars(
        select(ImportJob).where(ImportJob.state.in_(ACTIVE_STATES)).order_by(ImportJob.id)
    ).all()


def claim_catalogue(session: Session, job_id: int) -> bool:
    """Give the catalogue to this job unless another holds it: one conditional UPDATE, atomic on both
    databases (PostgreSQL's row lock makes a concurrent claim wait, then find the column set)."""
    result = session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == 1, CatalogueState.import_job_id.is_(None))
        .values(import_job_id=job_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def release_catalogue(session: Session, job_id: int) -> None:
    session.execute(
        update(CatalogueState)
        .where(CatalogueState.id == 1, CatalogueState.import_job_id == job_id)
        .values(import_job_id=None)
        .execution_options(synchronize_session=False)
    )


def update_job(session: Session, job_id: int, **values: Any) -> None:
    session.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def try_advisory_lock(connection: Connection) -> bool:
    """PostgreSQL only: take the import lock for this connection's session, without waiting. It is
    released by advisory_unlock, or by PostgreSQL when the connection ends (a killed process)."""
    return bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar())


def advisory_unlock(connection: Connection) -> None:
    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})


def analyze_vectors(session: Session) -> None:
    """PostgreSQL: refresh the planner's statistics of the vector cache. A table that grew from empty
    within a job has none, and the planner then reads `text_hash IN (…)` as a filter over every vector of
    the model instead of an index lookup: 0.5 s per chunk of 256 at 50,000 vectors, against 3 ms with
    statistics. Rows of the current transaction count, so this helps inside one long transaction too."""
    with session.begin_nested():
        session.execute(text("ANALYZE embedding_cache"))

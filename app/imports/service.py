"""Import jobs: claim the catalogue for a job, follow it, and end it. Like every service, these functions
flush and never commit: the runner (app.imports.runner) owns the transactions, since a job runs outside
any request.

One import at a time, across replicas: a job claims the catalogue with a conditional UPDATE of the
`catalogue_state` row (`import_job_id` from NULL to the job's id), which is atomic on SQLite and on
PostgreSQL. Whether a claimed job is still alive is told by the runner (PostgreSQL: an advisory lock held
by the running process; SQLite, single-host: the process id in `runner`); a job whose process died is
marked failed, never left half-done.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.catalogue.service import CatalogueReport, ImportReport
from app.errors import ErrorItem, ImportRunning, InvalidDocument, NotFound, UnsupportedDocument
from app.imports import repository
from app.models import ImportJob

JobKind = Literal["sbb_xml", "crebolijst"]
JobState = Literal["queued", "parsing", "embedding", "committing", "done", "failed"]
ACTIVE_STATES = repository.ACTIVE_STATES

INTERRUPTED = (
    "the process that ran this import stopped before it ended (restart or crash); nothing was imported. "
    "Run the import again: the vectors computed so far are kept"
)


@dataclass(frozen=True, slots=True)
class Document:
    """An uploaded document on disk, with the name to report it by."""

    path: Path
    name: str


def kind_of(head: bytes) -> JobKind:
    """SBB XML or the crebolijst (CSV), from the first bytes of a document."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not start:
        raise InvalidDocument("the document is empty", [ErrorItem("line 1", "no content")])
    if start.startswith(b"<"):
        return "sbb_xml"
    if b"\x00" in start[:4096]:
        raise UnsupportedDocument("the document is neither SBB XML nor a crebolijst (CSV)")
    return "crebolijst"


def kind_of_documents(documents: Sequence[Document]) -> JobKind:
    """The one kind of all `documents` (an import is SBB XML or a crebolijst, not both)."""
    kinds = set()
    for document in documents:
        with document.path.open("rb") as source:
            try:
                kinds.add(kind_of(source.read(4096)))
            except InvalidDocument as error:
                error.document = document.name
                raise
    if len(kinds) != 1:
        raise InvalidDocument("one import holds either SBB XML files or a crebolijst, not both")
    return kinds.pop()


def running_job(session: Session) -> ImportJob | None:
    return repository.running_job(session)


def submit_import(
    session: Session, *, kind: JobKind, filename: str, size_bytes: int, runner: str
) -> ImportJob:
    """A new queued job holding the catalogue; ImportRunning when another job holds it."""
    running = repository.running_job(session)
    if running is not None:
        raise ImportRunning(running.id, running.state)
    job = ImportJob(
        kind=kind,
        filename=filename[:300],
        size_bytes=size_bytes,
        state="queued",
        detail="",
        dossiers=0,
        kwalificaties=0,
        statements=0,
        statements_embedded=0,
        vectors_computed=0,
        runner=runner,
    )
    session.add(job)
    session.flush()
    if not repository.claim_catalogue(session, job.id):
        raise ImportRunning(None)
    return job


def fail_interrupted(session: Session, *, alive: Callable[[ImportJob], bool]) -> list[int]:
    """Mark failed every unfinished job whose process is gone; returns their ids."""
    failed = []
    for job in repository.active_jobs(session):
        if not alive(job):
            fail_job(session, job.id, detail=INTERRUPTED)
            failed.append(job.id)
    return failed


def record_progress(session: Session, job_id: int, **values: Any) -> None:
    """State and counts of a running job (state, dossiers, kwalificaties, statements, …)."""
    if values.get("state") == "parsing":
        values.setdefault("started_at", dt.datetime.now(dt.UTC))
    repository.update_job(session, job_id, **values)
    session.flush()


def finish_job(session: Session, job_id: int, report: ImportReport | CatalogueReport) -> None:
    """The job is done: in the transaction that changes the catalogue, so both or neither are seen."""
    if isinstance(report, ImportReport):
        outcomes: dict[str, Any] = {"dossiers": [asdict(item) for item in report.items]}
        counts = {
            "dossiers": report.dossiers,
            "kwalificaties": report.kwalificaties,
            "statements": report.statements,
        }
    else:
        outcomes = {"crebolijst": asdict(report)}
        counts = {"kwalificaties": report.entries}
    repository.update_job(
        session, job_id, state="done", outcomes=outcomes, finished_at=dt.datetime.now(dt.UTC), **counts
    )
    repository.release_catalogue(session, job_id)
    session.flush()


def fail_job(
    session: Session, job_id: int, *, detail: str, errors: Sequence[dict[str, str]] | None = None
) -> None:
    repository.update_job(
        session,
        job_id,
        state="failed",
        detail=detail,
        errors=list(errors) if errors else None,
        finished_at=dt.datetime.now(dt.UTC),
    )
    repository.release_catalogue(session, job_id)
    session.flush()


def get_job(session: Session, job_id: int) -> ImportJob:
    job = repository.get_job(session, job_id)
    if job is None:
        raise NotFound("import job", job_id)
    return job


def list_jobs(session: Session, *, limit: int = 20) -> Sequence[ImportJob]:
    return repository.list_jobs(session, limit=limit)

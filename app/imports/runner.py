"""The import job runner: runs a job in a worker thread of the serving process, or in the foreground
(`skillmatch import-dossiers`).

It runs outside any request, so it owns its transactions (the services it calls only flush):

1. claim: a job row plus the catalogue's claim on it, committed (app.imports.service.submit_import);
   on PostgreSQL the process first takes an advisory lock on a connection of its own and keeps it until
   the job has ended, so any replica can tell a live job from one whose process died (PostgreSQL drops
   the lock with the connection). SQLite is single-host: the row and the conditional update are the
   exclusion, and a job is alive while the process named in `runner` (host:pid) is;
2. parsing, then embedding: the statements' vectors are computed in chunks, each chunk committed to
   the vector cache (`embedding_cache`) together with the job's progress, so progress is visible to
   every replica and a retry after a failure or a kill finds the vectors already there;
3. committing: one transaction writes the dossiers, bumps the catalogue version (every replica's matcher
   rebuilds its index on its next request) and marks the job done. Every statement of the upload has its
   vector by then (and the catalogue's other statements got theirs when they were imported), so this
   step does not go over the catalogue's vectors again, as `import_dossiers(on_change=…)` does. Every statement of the upload has its
   vector by then (and the catalogue's other statements got theirs when they were imported), so this
   step does not go over the catalogue's vectors again, as `import_dossiers(on_change=…)` does. A failure or a kill before that
   commit leaves the catalogue as it was.

The foreground mode (the CLI) embeds inside the transaction of step 3 instead, as `import-dossiers` did
before jobs existed: vectors and dossiers are committed together (tests/integration/test_sigkill.py),
and the progress bar is drawn from the same counts, on the terminal.

Why a thread of our own and not FastAPI's BackgroundTasks: a background task runs after the response in
the request's task, so a test client (and any ASGI server that waits for it) would hold the upload
request open until the import ends; a thread started by the runner returns 202 at once and can be
stopped at shutdown (the job is then marked failed, not left running).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from app.catalogue import service as catalogue
from app.db import READ_ONLY
from app.errors import DomainError, ImportRunning, InvalidDocument
from app.imports import repository, service
from app.imports.service import Document, JobKind
from app.ingest.sbb_xml import ParsedDossier, read_sbb_xml
from app.matching.service import Matcher
from app.models import ImportJob

log = logging.getLogger(__name__)

EMBED_CHUNK = 256  # distinct texts per vector-cache transaction (and progress step)
PROGRESS_SECONDS = 0.5  # at most one progress write per this many seconds while parsing
STOPPED = "the service was stopped during the import; nothing was imported. Run it again"
UNEXPECTED = "the import failed unexpectedly (the server log says why); nothing was imported"


@dataclass(frozen=True, slots=True)
class Progress:
    """What a running job has done so far (for a progress bar)."""

    job_id: int
    state: str
    dossiers: int = 0
    kwalificaties: int = 0
    statements: int = 0
    statements_embedded: int = 0


class _Stopped(Exception):
    pass


# The jobs this process is running (by any runner in it): a job claimed under this process's id that is
# not here was left by an earlier process with the same id, or by a thread that died.
_RUNNING: set[tuple[str, int]] = set()  # (database URL, job id)
_RUNNING_LOCK = threading.Lock()


@dataclass(slots=True)
class _Lock:
    """The claim of this process on the import lock: a PostgreSQL connection holding the advisory lock,
    or None on SQLite (where the job row is the lock)."""

    connection: Connection | None


class ImportRunner:
    def __init__(self, sessions: sessionmaker[Session], matcher: Matcher, *, background: bool = True) -> None:
        """`background`: run jobs in a worker thread (the service); False runs them in the caller's
        thread (the CLI, and an app bound to a single connection, which a second thread must not share)."""
        self._sessions = sessions
        self._matcher = matcher
        self.background = background
        bind = sessions.kw["bind"]
        self._engine: Engine = bind.engine if isinstance(bind, Connection) else bind
        self._postgres = self._engine.dialect.name == "postgresql"
        self._database = self._engine.url.render_as_string(hide_password=True)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # --- liveness ------------------------------------------------------------------------------------

    def _acquire(self) -> _Lock | None:
        """The import lock, or None when a live process holds it (PostgreSQL)."""
        if not self._postgres:
            return _Lock(None)
        connection = self._engine.connect()
        try:
            got = repository.try_advisory_lock(connection)
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if not got:
            connection.close()
            return None
        return _Lock(connection)

    @staticmethod
    def _release(lock: _Lock) -> None:
        if lock.connection is None:
            return
        try:
            repository.advisory_unlock(lock.connection)
            lock.connection.commit()
        except Exception:
            log.warning("could not release the import lock; closing its connection releases it")
        finally:
            lock.connection.close()

    def _alive_on_this_host(self, job: ImportJob) -> bool:
        """SQLite: a job is alive while its process is (same host; another host's job is assumed alive)."""
        host, _, pid = job.runner.rpartition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return True
        if int(pid) == os.getpid():
            with _RUNNING_LOCK:
                return (self._database, job.id) in _RUNNING
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def recover(self) -> list[int]:
        """Mark failed the jobs whose process is gone (at start-up, and before a new claim)."""
        lock = self._acquire()
        if lock is None:
            return []  # a live process holds the lock: its job is alive
        try:
            alive = (lambda _job: False) if self._postgres else self._alive_on_this_host
            with self._sessions.begin() as session:
                failed = service.fail_interrupted(session, alive=alive)
        finally:
            self._release(lock)
        if failed:
            log.warning("import jobs %s were interrupted and are marked failed", failed)
        return failed

    def _is_alive(self, job: ImportJob) -> bool:
        if not self._postgres:
            return self._alive_on_this_host(job)
        lock = self._acquire()
        if lock is None:
            return True
        self._release(lock)
        return False

    def refresh(self, session: Session, job: ImportJob) -> ImportJob:
        """A job as any replica sees it; an unfinished job whose process died is reported failed."""
        if job.state in service.ACTIVE_STATES and not self._is_alive(job) and self.recover():
            session.refresh(job)
        return job

    def job(self, session: Session, job_id: int) -> ImportJob:
        """A job by id (NotFound), as refreshed by `refresh`. Read in a read-only transaction, which on
        SQLite takes no write lock: polling a job never waits for the job's own commit."""
        _read_only(session)
        return self.refresh(session, service.get_job(session, job_id))

    def jobs(self, session: Session, *, limit: int = 20) -> Sequence[ImportJob]:
        """The latest jobs, newest first, each as refreshed by `refresh` (read-only, as `job`)."""
        _read_only(session)
        return [self.refresh(session, job) for job in service.list_jobs(session, limit=limit)]

    # --- submitting ----------------------------------------------------------------------------------

    def submit(
        self,
        documents: Sequence[Document],
        *,
        kind: JobKind | None = None,
        cleanup: Path | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        raise_failure: bool = False,
    ) -> ImportJob:
        """Claim the catalogue for a new job and start it; ImportRunning (409) when one is running.
        `raise_failure` (foreground only, the CLI): after recording a failure, raise its error.
        `kind`: read from the documents' first bytes when not given (all must be of one kind).
        `cleanup`: a folder of uploaded files to delete when the job ends."""
        try:
            if kind is None:
                kind = service.kind_of_documents(documents)
            lock = self._acquire()
            if lock is None:
                with self._sessions() as session:
                    running = service.running_job(session)
                    raise ImportRunning(running.id if running else None, running.state if running else "")
            claim = ("", 0)
            try:
                alive = (lambda _job: False) if self._postgres else self._alive_on_this_host
                with self._sessions.begin() as session:
                    service.fail_interrupted(session, alive=alive)
                    job = service.submit_import(
                        session,
                        kind=kind,
                        filename=", ".join(d.name for d in documents),
                        size_bytes=sum(d.path.stat().st_size for d in documents),
                        runner=self.name,
                    )
                    claim = (self._database, job.id)
                    with _RUNNING_LOCK:  # before the claim is committed, so no one sees it without this
                        _RUNNING.add(claim)
            except BaseException:
                with _RUNNING_LOCK:
                    _RUNNING.discard(claim)
                self._release(lock)
                raise
        except BaseException:
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
            raise
        log.info("import job %d queued: %d document(s), %s", job.id, len(documents), kind)
        args = (job.id, list(documents), kind, lock, cleanup, on_progress)
        if not self.background:
            failure = self._run(*args)
            if failure is not None and raise_failure:
                raise failure
            with self._sessions() as session:
                return service.get_job(session, job.id)
        thread = threading.Thread(target=self._run, args=args, name=f"import-job-{job.id}", daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return job

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop a running job at its next step (it is marked failed) and wait for it."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the jobs started by this runner (tests, benchmarks)."""
        for thread in list(self._threads):
            thread.join(timeout)

    # --- running -------------------------------------------------------------------------------------

    def _run(
        self,
        job_id: int,
        documents: list[Document],
        kind: JobKind,
        lock: _Lock,
        cleanup: Path | None,
        on_progress: Callable[[Progress], None] | None,
    ) -> Exception | None:
        """Run the job to its end; returns the error it failed on (recorded in the job), if any."""
        started = time.perf_counter()
        job = _Job(self, job_id, on_progress)
        failure: Exception | None = None
        try:
            job.record(state="parsing")
            if kind == "crebolijst":
                self._crebolijst(job, documents)
            else:
                self._sbb(job, documents)
            log.info("import job %d done in %.1f s", job_id, time.perf_counter() - started)
        except InvalidDocument as error:
            errors = [
                {"document": error.document, "location": e.location, "message": e.message}
                for e in error.errors
            ]
            detail = f"{error.document}: {error.detail}" if error.document else error.detail
            job.fail(detail, errors)
            failure = error
        except DomainError as error:
            job.fail(error.detail)
            failure = error
        except _Stopped as error:
            job.fail(STOPPED)
            failure = error
        except Exception as error:
            log.exception("import job %d failed", job_id)
            job.fail(UNEXPECTED)
            failure = error
        finally:
            with _RUNNING_LOCK:
                _RUNNING.discard((self._database, job_id))
            self._release(lock)
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)
        return failure

    def _check_stop(self) -> None:
        if self._stop.is_set():
            raise _Stopped

    def _crebolijst(self, job: _Job, documents: list[Document]) -> None:
        job.record(state="committing")
        with self._sessions.begin() as session:
            report = catalogue.CatalogueReport(0, 0, 0)
            for document in documents:
                try:
                    one = catalogue.import_crebolijst(session, data=document.path.read_bytes())
                except InvalidDocument as error:
                    error.document = document.name
                    raise
                report = catalogue.CatalogueReport(
                    report.entries + one.entries, report.created + one.created, report.updated + one.updated
                )
            service.finish_job(session, job.id, report)
        job.notify(state="done", kwalificaties=report.entries)

    def _sbb(self, job: _Job, documents: list[Document]) -> None:
        parsed: list[ParsedDossier] = []
        for document in documents:
            with document.path.open("rb") as source:
                try:
                    parsed.extend(read_sbb_xml(source, on_dossier=lambda _d: job.parsed(len(parsed) + 1)))
                except InvalidDocument as error:
                    error.document = document.name
                    raise
            self._check_stop()
        kinds = self._matcher.kinds
        counts = Counter(
            s.text
            for d in parsed
            for k in d.kwalificaties
            for s in k.statements
            if kinds is None or s.kind in kinds
        )
        totals = {
            "dossiers": len(parsed),
            "kwalificaties": sum(len(d.kwalificaties) for d in parsed),
            "statements": sum(counts.values()),
        }
        job.record(state="embedding", statements_embedded=0, **totals)
        texts = list(counts)
        if self.background:
            for start in range(0, len(texts), EMBED_CHUNK):
                self._check_stop()
                chunk = texts[start : start + EMBED_CHUNK]
                with self._sessions.begin() as session:
                    self._statistics(session, start)
                    computed = self._embed(session, chunk)
                    job.embedded += sum(counts[t] for t in chunk)
                    job.computed += computed
                    service.record_progress(
                        session, job.id, statements_embedded=job.embedded, vectors_computed=job.computed
                    )
                job.notify(state="embedding")
            job.record(state="committing")
            with self._sessions.begin() as session:
                report = catalogue.import_parsed(session, dossiers=parsed)
                service.finish_job(session, job.id, report)
        else:
            with self._sessions.begin() as session:
                for start in range(0, len(texts), EMBED_CHUNK):
                    chunk = texts[start : start + EMBED_CHUNK]
                    self._statistics(session, start)
                    job.computed += self._embed(session, chunk)
                    job.embedded += sum(counts[t] for t in chunk)
                    job.notify(state="embedding")
                job.notify(state="committing")
                report = catalogue.import_parsed(session, dossiers=parsed)
                service.record_progress(
                    session, job.id, statements_embedded=job.embedded, vectors_computed=job.computed
                )
                service.finish_job(session, job.id, report)
        job.notify(state="done")

    def _statistics(self, session: Session, start: int) -> None:
        """On PostgreSQL, keep the vector cache's planner statistics current as it grows (every 8,192 texts)."""
        if self._postgres and start % (32 * EMBED_CHUNK) == 0:
            repository.analyze_vectors(session)

    def _embed(self, session: Session, texts: list[str]) -> int:
        """Vectors for `texts` into the cache (this session's transaction); how many the model computed."""
        vectors = self._matcher.vectors
        before = vectors.computed
        vectors.vectors(texts, session=session)
        return vectors.computed - before


def _read_only(session: Session) -> None:
    if not session.in_transaction():
        session.connection(execution_options={READ_ONLY: True})


class _Job:
    """One job's progress as the runner sees it, written to its row and passed to `on_progress`."""

    def __init__(self, runner: ImportRunner, job_id: int, on_progress: Callable[[Progress], None] | None):
        self.runner = runner
        self.id = job_id
        self.on_progress = on_progress
        self.counts: dict[str, int] = {}
        self.state = "queued"
        self.embedded = 0
        self.computed = 0
        self._written_at = 0.0

    def record(self, **values: str | int) -> None:
        """Commit state and counts to the job row, then tell the caller."""
        with self.runner._sessions.begin() as session:
            service.record_progress(session, self.id, **values)
        self.notify(**values)

    def parsed(self, dossiers: int) -> None:
        now = time.monotonic()
        if self.runner.background and now - self._written_at >= PROGRESS_SECONDS:
            self._written_at = now
            self.runner._check_stop()
            with self.runner._sessions.begin() as session:
                service.record_progress(session, self.id, dossiers=dossiers)
        self.notify(state="parsing", dossiers=dossiers)

    def notify(self, **values: str | int) -> None:
        self.state = str(values.pop("state", self.state))
        state = self.state
        self.counts.update({k: int(v) for k, v in values.items() if k != "statements_embedded"})
        if self.on_progress is not None:
            self.on_progress(
                Progress(
                    job_id=self.id,
                    state=state,
                    dossiers=self.counts.get("dossiers", 0),
                    kwalificaties=self.counts.get("kwalificaties", 0),
                    statements=self.counts.get("statements", 0),
                    statements_embedded=self.embedded,
                )
            )

    def fail(self, detail: str, errors: list[dict[str, str]] | None = None) -> None:
        try:
            with self.runner._sessions.begin() as session:
                service.fail_job(session, self.id, detail=detail, errors=errors)
        except Exception:
            log.exception("import job %d: could not record its failure (a restart marks it failed)", self.id)
        self.notify(state="failed")
        log.info("import job %d failed: %s", self.id, detail if not errors else f"{len(errors)} error(s)")

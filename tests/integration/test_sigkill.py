"""A process killed with SIGKILL in the middle of an import leaves the database consistent.

`skillmatch import-dossiers` runs as a real subprocess on the 4 real SBB dossiers. The test waits until
that process holds an open write transaction (PostgreSQL: its backend has a transaction id in
pg_stat_activity; SQLite: the write lock is taken), lets it run on for a few different delays, and kills
it with SIGKILL. Afterwards either nothing of the import is visible or all of it, nothing is orphaned,
the catalogue version agrees with the data, and a normal import then succeeds.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from app.catalogue import service as catalogue
from app.db import make_engine, make_sessionmaker
from app.ingest.sbb_xml import parse_sbb_xml
from app.matching.embedders import HashingEmbedder
from app.matching.service import build_matcher
from app.migrate import upgrade
from app.settings import Settings
from tests.conftest import ROOT
from tests.integration.throwaway import postgres_database
from tests.shared_data import shared_data_dir

DELAYS = (0.0, 0.6, 1.5)  # seconds between "the write transaction is open" and SIGKILL
START_TIMEOUT = 120.0  # the subprocess loads numpy/scikit-learn first; slow on a busy machine


@dataclass(frozen=True, slots=True)
class Counts:
    dossiers: int
    kwalificaties: int
    statements: int
    programmes: int
    vectors: int
    catalogue_version: int

    @property
    def data(self) -> tuple[int, int, int, int]:
        return (self.dossiers, self.kwalificaties, self.statements, self.programmes)


@dataclass(frozen=True, slots=True)
class Outcome:
    delay: float
    killed_while_writing: bool
    counts: Counts


def _dossier_files() -> list[Path]:
    files = sorted((shared_data_dir() / "sbb-kd-xml-2016").glob("*.xml"))
    assert len(files) == 4
    return files


def _expected(files: list[Path]) -> tuple[int, int, int]:
    parsed = [d for f in files for d in parse_sbb_xml(f.read_bytes())]
    kwalificaties = [k for d in parsed for k in d.kwalificaties]
    return len(parsed), len(kwalificaties), sum(len(k.statements) for k in kwalificaties)


def _counts(engine: Engine) -> Counts:
    with engine.connect() as connection:

        def one(sql: str) -> int:
            return int(connection.execute(text(sql)).scalar_one())

        return Counts(
            dossiers=one("SELECT count(*) FROM dossiers"),
            kwalificaties=one("SELECT count(*) FROM kwalificaties"),
            statements=one("SELECT count(*) FROM statements"),
            programmes=one("SELECT count(*) FROM programmes"),
            vectors=one("SELECT count(*) FROM embedding_cache"),
            catalogue_version=one("SELECT version FROM catalogue_state WHERE id = 1"),
        )


def _assert_consistent(engine: Engine) -> None:
    orphans = {
        "kwalificatie without dossier": "SELECT count(*) FROM kwalificaties k "
        "LEFT JOIN dossiers d ON d.id = k.dossier_id WHERE d.id IS NULL",
        "statement without kwalificatie": "SELECT count(*) FROM statements s "
        "LEFT JOIN kwalificaties k ON k.id = s.kwalificatie_id WHERE k.id IS NULL",
        "dossier without kwalificatie": "SELECT count(*) FROM dossiers d WHERE NOT EXISTS "
        "(SELECT 1 FROM kwalificaties k WHERE k.dossier_id = d.id)",
        "two current versions of a dossier": "SELECT count(*) FROM (SELECT crebo FROM dossiers "
        "WHERE is_current GROUP BY crebo HAVING count(*) > 1) AS doubles",
    }
    with engine.connect() as connection:
        for what, sql in orphans.items():
            assert connection.execute(text(sql)).scalar_one() == 0, what
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def _sqlite_writing(url: str) -> Callable[[], bool]:
    """True while another process holds the write lock, seen over 150 ms: the import's transaction, not
    the short one of the start-up migration check."""
    path = make_url(url).database
    assert path

    def locked() -> bool:
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            return "locked" in str(error)
        else:
            probe.execute("ROLLBACK")
            return False
        finally:
            probe.close()

    def writing() -> bool:
        for _ in range(4):
            if not locked():
                return False
            time.sleep(0.05)
        return True

    return writing


def _postgres_writing(url: str) -> Callable[[], bool]:
    engine = make_engine(url)
    name = make_url(url).database

    def writing() -> bool:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                        "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                ).scalar_one()
            )

    return writing


@dataclass(slots=True)
class Run:
    delay: float
    writing: Callable[[], bool]
    process: subprocess.Popen[bytes]
    seen_at: float | None = None
    killed_while_writing: bool = False
    done: bool = False


def _start(url: str, files: list[Path]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SKILLMATCH_DATABASE_URL": url, "SKILLMATCH_EMBEDDER": "hashing"}
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "import-dossiers", *map(str, files)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_during_imports(runs: list[Run]) -> None:
    """The imports run side by side (one database each); each is SIGKILLed `delay` s after its write
    transaction was seen open. Records whether it was still running when killed; an import that finished
    before its write was seen is recorded as finished, not killed."""
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not all(r.done for r in runs):
            assert time.monotonic() < deadline, f"the imports did not start writing within {START_TIMEOUT} s"
            for run in runs:
                if run.done:
                    continue
                if run.seen_at is None:
                    if run.process.poll() is not None:
                        stderr = (
                            run.process.stderr.read().decode(errors="replace") if run.process.stderr else ""
                        )
                        if run.process.returncode != 0:
                            pytest.fail(f"an import failed before it was seen writing: {stderr[-2000:]}")
                        # It committed between two looks (a short write on a quiet machine): its database
                        # must then hold everything; the test's last check still wants one real kill.
                        run.done = True
                        continue
                    if run.writing():
                        run.seen_at = time.monotonic()
                if run.seen_at is not None and time.monotonic() >= run.seen_at + run.delay:
                    run.killed_while_writing = run.process.poll() is None
                    run.process.send_signal(signal.SIGKILL)
                    run.process.wait(timeout=30)
                    run.done = True
            time.sleep(0.01)
    finally:
        for run in runs:
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()
            if run.process.stderr:
                run.process.stderr.close()


@contextmanager
def _sqlite_urls(tmp_path: Path) -> Iterator[list[str]]:
    yield [f"sqlite:///{tmp_path / f'kill-{i}.db'}" for i in range(len(DELAYS))]


@contextmanager
def _postgres_urls() -> Iterator[list[str]]:
    with ExitStack() as stack:
        yield [stack.enter_context(postgres_database("skillmatch_kill")) for _ in DELAYS]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_in_the_middle_of_an_import_leaves_the_database_consistent(
    backend: str, tmp_path: Path
) -> None:
    files = _dossier_files()
    dossiers, kwalificaties, statements = _expected(files)
    urls_of = _sqlite_urls(tmp_path) if backend == "sqlite" else _postgres_urls()
    outcomes: list[Outcome] = []
    with urls_of as urls:
        runs = []
        for url, delay in zip(urls, DELAYS, strict=True):
            engine = make_engine(url)
            upgrade(engine)  # migrated beforehand: the kill lands in the import, not the migration
            engine.dispose()
            writing = _sqlite_writing(url) if backend == "sqlite" else _postgres_writing(url)
            runs.append(Run(delay, writing, _start(url, files)))
        _kill_during_imports(runs)

        for url, run in zip(urls, runs, strict=True):
            engine = make_engine(url)  # a fresh start, as after a crash
            try:
                counts = _counts(engine)
                outcomes.append(Outcome(run.delay, run.killed_while_writing, counts))
                # nothing or everything, never a part; the version moves only with the data
                assert counts.data in {(0, 0, 0, 0), (dossiers, kwalificaties, statements, kwalificaties)}
                assert counts.catalogue_version == (1 if counts.dossiers else 0)
                assert (counts.vectors > 0) == (counts.dossiers > 0)
                _assert_consistent(engine)
            finally:
                engine.dispose()

        # and a normal import afterwards succeeds and completes the catalogue (on the last one killed)
        engine = make_engine(urls[-1])
        try:
            settings = Settings(database_url=urls[-1], embedder="hashing", lexical="none", lexical_weight=0.0)
            matcher = build_matcher(settings, HashingEmbedder())
            with make_sessionmaker(engine).begin() as session:
                report = catalogue.import_dossiers(
                    session, documents=[f.read_bytes() for f in files], on_change=matcher.embed_catalogue
                )
            expected_status = "unchanged" if outcomes[-1].counts.dossiers else "created"
            assert {item.status for item in report.items} == {expected_status}
            after = _counts(engine)
            assert after.data == (dossiers, kwalificaties, statements, kwalificaties)
            assert after.catalogue_version == 1
            assert after.vectors > 0
            _assert_consistent(engine)
        finally:
            engine.dispose()
    # At least one kill really landed inside the open write transaction and left nothing behind.
    assert any(o.killed_while_writing and o.counts.dossiers == 0 for o in outcomes), outcomes
    print(
        f"\n{backend}: "
        + "; ".join(
            f"kill +{o.delay:.1f}s -> {'all' if o.counts.dossiers else 'nothing'}"
            f"{'' if o.killed_while_writing else ' (had finished)'}"
            for o in outcomes
        )
    )

"""Helpers for the import-job tests: generated multi-dossier exports, databases, apps, catalogue snapshots."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.matching.embedders import Embedder
from app.migrate import upgrade
from app.settings import Settings
from bench.perf.export import Export, write_export
from tests.helpers import FIXTURE_DOSSIERS
from tests.integration.throwaway import postgres_database
from tests.shared_data import shared_data_dir


def real_dossiers() -> list[Path]:
    files = sorted((shared_data_dir() / "sbb-kd-xml-2016").glob("*.xml"))
    assert len(files) == 4
    return files


def fixture_export(path: Path, dossiers: int) -> Export:
    """A small multi-dossier export from our own demo dossiers (no shared data needed)."""
    return write_export(path, FIXTURE_DOSSIERS, dossiers=dossiers)


@contextmanager
def database(backend: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A migrated database of its own: a SQLite file, or a throwaway PostgreSQL database."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        _migrate(url)
        yield url
        return
    with postgres_database(f"skillmatch_{name}") as url:
        _migrate(url)
        yield url


def _migrate(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(
        database_url=url,
        lexical="none",
        lexical_weight=0.0,
        embedder="hashing",
        auth_disabled=True,
        **overrides,
    )


@contextmanager
def replica(url: str, embedder: Embedder, **overrides: Any) -> Iterator[TestClient]:
    """One `skillmatch serve` replica, in process: its own engine, sessions, matcher and job runner."""
    engine = make_engine(url)
    app = create_app(
        settings_for(url, **overrides), embedder=embedder, session_factory=make_sessionmaker(engine)
    )
    try:
        with TestClient(app, raise_server_exceptions=False) as client:
            yield client
    finally:
        engine.dispose()


def follow(
    get: Callable[[], dict[str, Any]], *, timeout: float = 600.0, every: float = 0.2
) -> list[dict[str, Any]]:
    """Poll a job until it ends; every distinct answer seen, in order."""
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while True:
        job = get()
        key = (job["state"], job["counts"]["dossiers"], job["counts"]["statements_embedded"])
        if not seen or key != (
            seen[-1]["state"],
            seen[-1]["counts"]["dossiers"],
            seen[-1]["counts"]["statements_embedded"],
        ):
            seen.append(job)
        if job["state"] in {"done", "failed"}:
            return seen
        assert time.monotonic() < deadline, f"the job did not end within {timeout} s: {job}"
        time.sleep(every)


def catalogue_snapshot(url: str) -> dict[str, Any]:
    """Everything an import writes, without ids and timestamps, in a fixed order."""
    engine: Engine = make_engine(url)
    try:
        with engine.connect() as connection:

            def rows(sql: str) -> list[tuple[Any, ...]]:
                return [tuple(r) for r in connection.execute(text(sql))]

            return {
                "dossiers": rows(
                    "SELECT crebo, sbb_nr, title, versie, status, domein, valid_from, vastgesteld_op, content_hash, "
                    "kerntaak_count, werkproces_count, is_current FROM dossiers ORDER BY crebo, content_hash"
                ),
                "kwalificaties": rows(
                    "SELECT d.crebo, k.crebo, k.title, k.niveau, k.beroepsgroep, k.typering FROM kwalificaties k "
                    "JOIN dossiers d ON d.id = k.dossier_id ORDER BY k.crebo, d.content_hash"
                ),
                "statements": rows(
                    "SELECT k.crebo, s.position, s.code, s.kind, s.text FROM statements s "
                    "JOIN kwalificaties k ON k.id = s.kwalificatie_id ORDER BY k.crebo, s.position"
                ),
                "programmes": rows(
                    "SELECT crebo, title, niveau, dossier_crebo, dossier_title, domein FROM programmes ORDER BY crebo"
                ),
                "vectors": rows(
                    "SELECT model, model_version, text_hash FROM embedding_cache ORDER BY text_hash"
                ),
                "version": rows("SELECT version, import_job_id FROM catalogue_state"),
            }
    finally:
        engine.dispose()


def count(url: str, sql: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()

"""Test fixtures: real migrations on SQLite and (where reachable, always in CI) PostgreSQL; each test in a
transaction that is rolled back; the app built with create_app and a small deterministic embedder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from app.db import make_engine
from app.main import create_app
from app.matching.embedders import Embedder, HashingEmbedder
from app.migrate import upgrade
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "data" / "fixtures"
POSTGRES_URL = os.environ.get(
    "SKILLMATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_engine() -> Engine | None:
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        engine.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {POSTGRES_URL}: {error}")
        return None
    return engine


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A database migrated from zero by the real Alembic migrations."""
    if request.param == "sqlite":
        db = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    else:
        found = _postgres_engine()
        if found is None:
            pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (required when CI=true)")
        db = found
        _reset_postgres(db)
    upgrade(db)
    yield db
    db.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    """Sessions bound to one connection whose outer transaction is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False, autoflush=True
    )
    yield factory
    transaction.rollback()
    connection.close()


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as s:
        yield s


@pytest.fixture(scope="session")
def hashing_embedder() -> Embedder:
    return HashingEmbedder()


@pytest.fixture
def settings() -> Settings:
    return Settings(
        database_url="sqlite://", lexical="none", lexical_weight=0.0, embedder="hashing", auth_disabled=True
    )


@pytest.fixture
def client(
    settings: Settings, session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> Iterator[TestClient]:
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client

"""Two replicas on one PostgreSQL: a catalogue change made through one is seen by the other's next match.

Each replica is its own `create_app(...)` with its own engine, session factory and Matcher (so its own
in-memory catalogue index), as two `skillmatch serve` processes behind a load balancer would be. They
share a database created for this test (real commits are needed, so not the shared rolled-back `test`
database), which is dropped at the end. Skipped when PostgreSQL is unreachable; a failure in CI.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, text

from app.db import make_engine, make_sessionmaker
from app.main import create_app
from app.matching.embedders import Embedder
from app.migrate import upgrade
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS, assert_problem, upload_dossiers

POSTGRES_URL = os.environ.get(
    "SKILLMATCH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() == "true"

CHILDCARE = next(p for p in FIXTURE_DOSSIERS if p.name == "kinderopvang.xml")
FACILITIES = next(p for p in FIXTURE_DOSSIERS if p.name == "facilitaire_dienstverlening.xml")
CHILDCARE_SKILLS = [
    {"text": "Begeleidt kinderen bij spel en ontwikkeling"},
    {"text": "Verzorgt jonge kinderen en houdt hun welbevinden in de gaten"},
    {"text": "Bespreekt de ontwikkeling van het kind met de ouders"},
]
FACILITIES_SKILLS = [
    {"text": "Richt vergaderruimtes in en ruimt ze op"},
    {"text": "Ontvangt bezoekers bij de receptie"},
    {"text": "Sorteert en bezorgt de interne post"},
]


@pytest.fixture
def replica_database() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to head; dropped afterwards."""
    admin = make_engine(str(make_url(POSTGRES_URL).set(database="postgres"))).execution_options(
        isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL} (required when CI=true)")
    name = f"skillmatch_replicas_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _replica(url: str, embedder: Embedder) -> tuple[TestClient, Engine]:
    settings = Settings(
        database_url=url, lexical="none", lexical_weight=0.0, embedder="hashing", auth_disabled=True
    )
    engine = make_engine(url)
    app = create_app(settings, embedder=embedder, session_factory=make_sessionmaker(engine))
    return TestClient(app, raise_server_exceptions=False), engine


def _match(client: TestClient, skills: list[dict[str, str]]) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/match", json={"skills": skills, "limit": 50})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _dossiers(body: dict) -> set[str]:  # type: ignore[type-arg]
    return {m["programme"]["dossier"]["crebo"] for m in body["matches"]}


def _upload(client: TestClient, path: Path) -> str:
    body = upload_dossiers(client, [path])
    (item,) = body["items"]
    assert item["status"] == "created"
    return str(item["crebo"])


def test_a_catalogue_change_through_one_replica_reaches_the_other(
    replica_database: str, hashing_embedder: Embedder
) -> None:
    a, engine_a = _replica(replica_database, hashing_embedder)
    b, engine_b = _replica(replica_database, hashing_embedder)
    try:
        with a, b:
            # Both replicas start on an empty catalogue: nothing to rank, and B says so.
            empty = b.post("/v1/match", json={"skills": CHILDCARE_SKILLS, "limit": 50})
            assert_problem(empty, 409, "/problems/no-programmes")
            version_before = b.get("/health").json()["catalogue_version"]

            # A dossier imported through A is ranked by B's very next match.
            childcare = _upload(a, CHILDCARE)
            seen_by_b = _match(b, CHILDCARE_SKILLS)
            assert _dossiers(seen_by_b) == {childcare}
            assert seen_by_b["matches"][0]["skills"][0]["evidence"]["text"]
            assert b.get("/health").json()["catalogue_version"] > version_before

            # And the other way round: B's import reaches A, which had already built its index.
            assert _dossiers(_match(a, FACILITIES_SKILLS)) == {childcare}
            facilities = _upload(b, FACILITIES)
            seen_by_a = _match(a, FACILITIES_SKILLS)
            assert _dossiers(seen_by_a) == {childcare, facilities}
            assert seen_by_a["matches"][0]["programme"]["dossier"]["crebo"] == facilities
            assert seen_by_a["catalogue_version"] == _match(b, FACILITIES_SKILLS)["catalogue_version"]
    finally:
        engine_a.dispose()
        engine_b.dispose()

"""When the database goes away the service answers 503 problem+json with Retry-After, and it recovers by
itself when the database returns, without a restart. Runs against a throwaway PostgreSQL cluster that
the test starts itself (initdb in a temporary folder, its own port); the shared server is not touched."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.db import make_engine
from app.main import create_app
from app.matching.embedders import HashingEmbedder
from app.migrate import upgrade
from app.settings import Settings
from tests.integration.throwaway import Cluster, postgres_cluster


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with postgres_cluster() as running:
        engine = make_engine(running.url)
        upgrade(engine)
        engine.dispose()
        yield running


def _assert_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["title"]
    # no internals: no driver name, SQL, host or port in what the client sees
    for leak in ("psycopg", "OperationalError", "SELECT", "127.0.0.1", "connection"):
        assert leak not in response.text


def _wait_for(client: TestClient, path: str, status: int, timeout: float = 30.0) -> Response:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(path)
        if response.status_code == status or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_database_outage_answers_503_and_recovers_without_restart(cluster: Cluster) -> None:
    settings = Settings(
        database_url=cluster.url, embedder="hashing", lexical="none", lexical_weight=0.0, auth_disabled=True
    )
    app = create_app(settings, embedder=HashingEmbedder())
    with TestClient(app, raise_server_exceptions=False) as client:
        created = client.post(
            "/v1/workplaces",
            json={
                "title": "Medewerker servicepunt",
                "organisation_unit": "Dienstverlening",
                "skills": [{"text": "klanten te woord staan aan de balie"}],
            },
        )
        assert created.status_code == 201, created.text
        workplace_id = created.json()["id"]
        assert client.get("/health").status_code == 200

        cluster.stop("immediate")  # the database goes away, with open connections in the pool

        _assert_unavailable(client.get("/health"))
        _assert_unavailable(client.get("/v1/workplaces"))
        _assert_unavailable(client.get(f"/v1/workplaces/{workplace_id}"))
        # a write is refused the same way, and not half-done
        _assert_unavailable(client.post("/v1/workplaces", json={"title": "Tijdens de storing"}))

        cluster.start()  # the database returns; the same app, no restart

        assert _wait_for(client, "/health", 200).status_code == 200
        listed = client.get("/v1/workplaces")
        assert listed.status_code == 200, listed.text
        titles = [w["title"] for w in listed.json()["items"]]
        assert titles == ["Medewerker servicepunt"]  # what was committed before is there, nothing else
        assert client.get(f"/v1/workplaces/{workplace_id}").status_code == 200
        again = client.post(
            "/v1/workplaces", json={"title": "Na de storing", "skills": [{"text": "plannen"}]}
        )
        assert again.status_code == 201, again.text

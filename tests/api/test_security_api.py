"""Keys and roles, the audit trail and replay, optimistic concurrency, rate limits, metrics and request ids."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import RateLimiter
from app.auth.keys import create_key
from app.main import create_app
from app.matching.embedders import Embedder
from app.models import ApiKey
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS, assert_problem, load_demo, upload_dossiers


@pytest.fixture
def secured(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        lexical="none",
        lexical_weight=0.0,
        embedder="hashing",
        rate_limit_per_minute=0,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _key(client: TestClient, role: str, name: str | None = None) -> dict[str, str]:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as session:
        secret = create_key(session, name=name or f"test-{role}", role=role).secret
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_missing_or_wrong_key_is_401_problem(secured: TestClient) -> None:
    body = assert_problem(secured.get("/v1/programmes"), 401, "Bearer")
    assert body["type"].endswith("unauthenticated")
    assert secured.get("/v1/programmes").headers["www-authenticate"] == "Bearer"
    assert_problem(secured.get("/v1/programmes", headers={"Authorization": "Bearer sm_nothere_x"}), 401)
    assert_problem(secured.get("/v1/programmes", headers={"Authorization": "Basic abc"}), 401)
    # Health, metrics and the docs stay open.
    assert secured.get("/health").status_code == 200
    assert secured.get("/openapi.json").status_code == 200


def test_roles(secured: TestClient) -> None:
    recruiter = _key(secured, "recruiter")
    project = _key(secured, "project")
    vacancy = _key(secured, "vacancy")
    admin = _key(secured, "admin")
    xml = FIXTURE_DOSSIERS[0].read_bytes()
    upload = {"content": xml, "headers": {"content-type": "application/xml"}}

    assert_problem(
        secured.post("/v1/dossiers", content=xml, headers={**recruiter, **upload["headers"]}),
        403,
        "recruiter",
    )
    assert (
        secured.post("/v1/dossiers", content=xml, headers={**project, **upload["headers"]}).status_code == 201
    )
    match = {"skills": [{"text": "verzorgt de post"}]}
    for headers in (recruiter, project, vacancy, admin):
        assert secured.post("/v1/match", json=match, headers=headers).status_code == 200
        assert secured.get("/v1/programmes", headers=headers).status_code == 200
    assert_problem(secured.post("/v1/workplaces", json={"title": "x"}, headers=vacancy), 403)
    # Planning computations store nothing: every role may run them; saving a profile needs `project`.
    assert secured.post("/v1/profiles:suggest", json={"k": 1}, headers=recruiter).status_code != 403
    assert_problem(
        secured.post("/v1/profiles", json={"name": "p", "workplace_ids": []}, headers=recruiter), 403
    )
    assert secured.post("/v1/workplaces", json={"title": "x"}, headers=project).status_code == 201
    for headers in (recruiter, project, vacancy):
        assert_problem(secured.get("/v1/audit", headers=headers), 403)
        assert_problem(secured.post("/v1/keys", json={"name": "n", "role": "admin"}, headers=headers), 403)
    assert secured.get("/v1/audit", headers=admin).status_code == 200


def test_keys_are_shown_once_stored_hashed_and_revocable(secured: TestClient) -> None:
    admin = _key(secured, "admin")
    created = secured.post("/v1/keys", json={"name": "ats-productie", "role": "recruiter"}, headers=admin)
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = secured.get("/v1/keys", headers=admin).json()["items"]
    assert all("secret" not in k for k in listed)
    factory = secured.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as session:
        stored = session.scalar(select(ApiKey).where(ApiKey.name == "ats-productie"))
        assert stored is not None
        assert secret not in (stored.secret_hash, stored.prefix)
    headers = {"Authorization": f"Bearer {secret}"}
    assert secured.get("/v1/programmes", headers=headers).status_code == 200
    assert secured.delete(f"/v1/keys/{created.json()['id']}", headers=admin).status_code == 200
    assert_problem(secured.get("/v1/programmes", headers=headers), 401)
    assert_problem(
        secured.post("/v1/keys", json={"name": "ats-productie", "role": "admin"}, headers=admin), 409
    )


def test_every_match_is_audited_and_replays_to_the_same_numbers(secured: TestClient) -> None:
    project = _key(secured, "project", "hr-team")
    admin = _key(secured, "admin")
    files = [("file", (p.name, p.read_bytes(), "application/xml")) for p in FIXTURE_DOSSIERS]
    assert secured.post("/v1/dossiers", files=files, headers=project).status_code == 201
    body = {
        "title": "Receptie",
        "skills": [{"text": "ontvangt bezoekers", "weight": 3}, {"text": "plant afspraken"}],
    }
    answer = secured.post("/v1/match", json=body, headers=project).json()
    match_id = answer["match_id"]
    records = secured.get("/v1/audit", headers=admin).json()
    assert records["total"] == 1
    record = records["items"][0]
    assert record["id"] == match_id
    assert record["key_name"] == "hr-team"
    assert "Bearer" not in str(record)
    assert "sm_" not in str(record)
    assert record["request"]["title"] == "Receptie"
    assert record["config"]["model"] == answer["config"]["model"]
    assert [m["crebo"] for m in record["result"]["matches"]] == [
        m["programme"]["crebo"] for m in answer["matches"]
    ]

    replay = secured.get(f"/v1/matches/{match_id}", headers=project).json()
    assert replay["reproduced"] is True
    assert replay["same_configuration"] is True
    assert replay["same_catalogue"] is True
    # Another non-admin key may not replay someone else's match.
    assert_problem(secured.get(f"/v1/matches/{match_id}", headers=_key(secured, "recruiter")), 403)

    # After a catalogue change, the replay says so instead of pretending.
    changed = (
        FIXTURE_DOSSIERS[0].read_bytes().replace(b'<werkproces nr="', b'<werkproces titel="Herzien" x="', 0)
    )
    changed = changed.replace(b"<werkprocesresultaat>", b"<werkprocesresultaat>Herzien. ", 1)
    assert (
        secured.post(
            "/v1/dossiers", content=changed, headers={**project, "content-type": "application/xml"}
        ).status_code
        == 201
    )
    later = secured.get(f"/v1/matches/{match_id}", headers=admin).json()
    assert later["same_catalogue"] is False


def test_workplace_matches_and_reverse_matches_are_audited(client: TestClient) -> None:
    load_demo(client)
    wid = client.get("/v1/workplaces").json()["items"][0]["id"]
    first = client.get(f"/v1/workplaces/{wid}/matches").json()["match_id"]
    second = client.get("/v1/programmes/25901/workplaces").json()["match_id"]
    endpoints = {r["id"]: r["endpoint"] for r in client.get("/v1/audit").json()["items"]}
    assert endpoints == {
        first: "GET /v1/workplaces/{id}/matches",
        second: "GET /v1/programmes/{crebo}/workplaces",
    }
    assert client.get(f"/v1/matches/{first}").json()["reproduced"] is True
    assert client.get(f"/v1/matches/{second}").json()["reproduced"] is True
    assert_problem(client.get("/v1/matches/999999"), 404)


def test_concurrent_edits_do_not_overwrite_each_other(client: TestClient) -> None:
    created = client.post(
        "/v1/workplaces", json={"title": "Receptie", "skills": [{"text": "ontvangt bezoekers"}]}
    )
    wid = created.json()["id"]
    etag = client.get(f"/v1/workplaces/{wid}").headers["etag"]
    first = client.put(
        f"/v1/workplaces/{wid}",
        json={"title": "Receptie A", "skills": [{"text": "ontvangt bezoekers"}]},
        headers={"If-Match": etag},
    )
    assert first.status_code == 200
    assert first.headers["etag"] != etag
    # The second editor still holds the old ETag: refused, nothing overwritten.
    second = client.put(
        f"/v1/workplaces/{wid}",
        json={"title": "Receptie B", "skills": [{"text": "plant afspraken"}]},
        headers={"If-Match": etag},
    )
    assert_problem(second, 412, "changed by someone else")
    assert client.get(f"/v1/workplaces/{wid}").json()["title"] == "Receptie A"
    assert_problem(client.delete(f"/v1/workplaces/{wid}", headers={"If-Match": etag}), 412)
    assert (
        client.delete(f"/v1/workplaces/{wid}", headers={"If-Match": first.headers["etag"]}).status_code == 204
    )


def test_rate_limit_answers_429_with_retry_after() -> None:
    limiter = RateLimiter(per_minute=2)
    limiter.check("k", now=0.0)
    limiter.check("k", now=0.1)
    from app.api.deps import RateLimited

    with pytest.raises(RateLimited) as raised:
        limiter.check("k", now=0.2)
    assert raised.value.retry_after >= 1
    limiter.check("other", now=0.2)  # per key
    limiter.check("k", now=31.0)  # refilled


def test_rate_limited_request_is_a_problem(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(database_url="sqlite://", embedder="hashing", lexical="none", rate_limit_per_minute=2)
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = _key(client, "recruiter")
        assert client.get("/v1/programmes", headers=headers).status_code == 200
        assert client.get("/v1/programmes", headers=headers).status_code == 200
        limited = client.get("/v1/programmes", headers=headers)
        assert_problem(limited, 429)
        assert int(limited.headers["retry-after"]) >= 1


def test_metrics_and_request_ids(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    client.post("/v1/match", json={"skills": [{"text": "verzorgt de post"}]})
    response = client.get("/v1/programmes", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/v1/programmes").headers["x-request-id"]) == 32
    metrics = client.get("/metrics").text
    assert 'skillmatch_matches_served_total{endpoint="POST /v1/match"} 1.0' in metrics
    assert 'skillmatch_request_seconds_count{method="GET",route="/v1/programmes",status="200"}' in metrics
    assert "skillmatch_model_load_seconds" in metrics


def test_request_size_limit_applies_to_every_route(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(
        database_url="sqlite://",
        embedder="hashing",
        lexical="none",
        auth_disabled=True,
        max_upload_bytes=2_000,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        big = {"skills": [{"text": "verzorgt de post " + "x" * 400} for _ in range(10)]}
        assert_problem(client.post("/v1/match", json=big), 413, "2000 bytes")

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts the bytes as they come
            yield b'{"title": "'
            for _ in range(30):
                yield b"x" * 100
            yield b'"}'

        response = client.post(
            "/v1/workplaces", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413)
        assert client.get("/v1/workplaces").json()["total"] == 0
        assert client.post("/v1/match", json={"skills": [{"text": "verzorgt de post"}]}).status_code != 413

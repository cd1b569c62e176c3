"""Fuzz every operation of the OpenAPI schema with schemathesis, in-process, on the demo data.

Checks: no answer is a server error (5xx), and every answer conforms to the schema the API publishes
(status code documented, body valid against the response schema). Bounded and deterministic: a fixed
number of examples per operation, derandomized, no example database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.python.asgi import ASGIClient
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from app.auth import keys
from app.main import create_app
from app.matching.embedders import Embedder
from app.settings import Settings
from tests.helpers import load_demo

EXAMPLES_PER_OPERATION = 12
AUTH_EXAMPLES_PER_OPERATION = 4
BASE_URL = "http://testserver"
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]


def _answer_errors(app: Any) -> Any:
    """The app as a client sees it: an unhandled error is the 500 answer the server already sent, not an
    exception in the test (Starlette re-raises it after answering, for the server's log)."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await app(scope, receive, tracking_send)
        except Exception:
            if not started:
                raise

    return wrapped


def _fuzzer(
    operation: Any,
    session: ASGIClient,
    ran: dict[str, int],
    failures: list[str],
    *,
    examples: int = EXAMPLES_PER_OPERATION,
    headers: dict[str, str] | None = None,
) -> Any:
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        ran[label] = ran.get(label, 0) + 1
        response = case.call(base_url=BASE_URL, session=session, headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except (FailureGroup, AssertionError) as error:
            failures.append(f"{label}: {response.status_code} {str(error)[:800]}")
            raise

    return run


def test_fuzz_the_whole_openapi_schema(client: TestClient) -> None:
    load_demo(client)
    app: Any = client.app
    schema = schemathesis.openapi.from_dict(app.openapi())
    session = ASGIClient(_answer_errors(app))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API, not a corner of it

    ran: dict[str, int] = {}
    failures: list[str] = []
    for operation in operations:
        try:
            _fuzzer(operation, session, ran, failures)()
        except (FailureGroup, AssertionError):
            continue  # recorded; keep fuzzing the other operations

    total = sum(ran.values())
    print(f"\nschemathesis: {total} cases over {len(ran)} operations")
    assert not failures, "\n\n".join(failures)
    assert total >= len(operations) * 3


def test_found_by_fuzzing_ids_beyond_the_database_range_and_nul_text_are_client_errors(
    client: TestClient,
) -> None:
    for path in ("/v1/workplaces/14433446161069030703614139054877048832", "/v1/workplaces/110283348815"):
        response = client.get(path)
        assert response.status_code in {404, 422}, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
    response = client.post(
        "/v1/workplaces", json={"title": "Balie\u0000medewerker", "skills": [{"text": "x"}]}
    )
    assert response.status_code in {201, 422}, response.text  # SQLite stores NUL; PostgreSQL cannot


def test_found_by_fuzzing_times_carry_their_utc_offset_on_every_database(client: TestClient) -> None:
    created = client.post(
        "/v1/workplaces", json={"title": "Medewerker post", "skills": [{"text": "post sorteren"}]}
    )
    assert created.status_code == 201, created.text
    for body in (created.json(), client.get(f"/v1/workplaces/{created.json()['id']}").json()):
        for key in ("created_at", "updated_at"):
            stamp = datetime.fromisoformat(body[key])
            assert stamp.utcoffset() == timedelta(0), body[key]


def test_fuzz_with_authentication_on_and_a_recruiter_key(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    """The same schema with authentication on, as a `recruiter`: refusals (403 for writes and admin) are
    documented problem+json answers too, never a 5xx."""
    with session_factory.begin() as session:
        secret = keys.create_key(session, name="fuzz-recruiter", role="recruiter").secret
    settings = Settings(
        database_url="sqlite://",
        embedder="hashing",
        lexical="none",
        lexical_weight=0.0,
        auth_disabled=False,
        rate_limit_per_minute=0,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        anonymous = client.get("/v1/workplaces")
        assert anonymous.status_code == 401
        schema = schemathesis.openapi.from_dict(app.openapi())
        session = ASGIClient(_answer_errors(app))
        ran: dict[str, int] = {}
        failures: list[str] = []
        for result in schema.get_all_operations():
            try:
                _fuzzer(
                    result.ok(),
                    session,
                    ran,
                    failures,
                    examples=AUTH_EXAMPLES_PER_OPERATION,
                    headers={"Authorization": f"Bearer {secret}"},
                )()
            except (FailureGroup, AssertionError):
                continue
    print(f"\nschemathesis (recruiter key): {sum(ran.values())} cases over {len(ran)} operations")
    assert not failures, "\n\n".join(failures)

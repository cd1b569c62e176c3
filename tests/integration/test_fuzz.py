"""Fuzz every operation of the OpenAPI schema with schemathesis, in-process, on the demo data.

Every check schemathesis has (`--checks all`: no 5xx, status codes, content types, headers and bodies as
documented, schema-valid requests accepted and schema-violating ones refused, 405 with `Allow` for
undeclared methods, …) over all its phases (coverage, fuzzing, stateful), with a fixed seed. The few
adjustments for this API are in `schemathesis.toml` at the repository root, which the CLI reads too.
Bounded and deterministic: a fixed number of examples per operation, no example database.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from schemathesis.engine import Status, from_schema
from schemathesis.engine.events import FatalError, NonFatalError, ScenarioFinished
from sqlalchemy.orm import Session, sessionmaker

from app.auth import keys
from app.main import create_app
from app.matching.embedders import Embedder
from app.settings import Settings
from tests.helpers import load_demo

ROOT = Path(__file__).resolve().parents[2]
SEED = 20261202
EXAMPLES_PER_OPERATION = 8
AUTH_EXAMPLES_PER_OPERATION = 4


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


def _run_schemathesis(
    app: Any, *, max_examples: int, headers: dict[str, str] | None = None
) -> tuple[int, set[str], list[str]]:
    """`schemathesis run --checks all --seed SEED --max-examples N` against the app in process: the number
    of test cases, the operations they covered, and every failure (or error) as text."""
    config = schemathesis.Config.from_path(ROOT / "schemathesis.toml")
    config.update(seed=SEED, max_failures=None)
    project = config.projects.override
    project.checks.update(included_check_names=["all"])
    project.generation.update(max_examples=max_examples, database="none")
    if headers:
        project.update(headers=headers)
    schema = schemathesis.openapi.from_asgi("/openapi.json", _answer_errors(app), config=config)
    cases = 0
    operations: set[str] = set()
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, ScenarioFinished):
            cases += len(event.recorder.cases)
            operations.add(event.recorder.label)
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(
                            f"{event.recorder.label}: {check.name}: {failure.title}: {failure.message}\n"
                            f"{check.failure_info.code_sample}"[:1500]
                        )
        elif isinstance(event, NonFatalError | FatalError):
            failures.append(f"{getattr(event, 'label', 'run')}: error: {event.value!r}"[:1500])
    return cases, operations, failures


def test_fuzz_the_whole_openapi_schema_with_every_check(
    settings: Settings, session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    # no rate limit: thousands of requests from one client would mostly be 429s, which test nothing
    unlimited = settings.model_copy(update={"rate_limit_per_minute": 0})
    app = create_app(unlimited, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        load_demo(client)
        _fuzz_everything(app)


def _fuzz_everything(app: Any) -> None:
    declared = {
        f"{method.upper()} {path}" for path, item in app.openapi()["paths"].items() for method in item
    }
    assert len(declared) >= 20  # the whole API, not a corner of it
    cases, operations, failures = _run_schemathesis(app, max_examples=EXAMPLES_PER_OPERATION)
    print(
        f"\nschemathesis --checks all: {cases} cases, {len(operations)} scenarios, {len(failures)} failures"
    )
    assert not failures, "\n\n".join(sorted(set(failures)))
    assert declared <= operations
    assert cases >= len(declared) * 3


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
    """The same schema and checks with authentication on, as a `recruiter`: refusals (403 for writes and
    admin) are documented problem+json answers too, never a 5xx."""
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
        cases, operations, failures = _run_schemathesis(
            app, max_examples=AUTH_EXAMPLES_PER_OPERATION, headers={"Authorization": f"Bearer {secret}"}
        )
    print(f"\nschemathesis --checks all (recruiter key): {cases} cases over {len(operations)} scenarios")
    assert not failures, "\n\n".join(sorted(set(failures)))

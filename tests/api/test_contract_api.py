"""The API contract as schemathesis checks it, case by case: what the OpenAPI document says is what the
server enforces, 405 lists `Allow`, unparsable bodies are the project's own problem, and refusals that
depend on the stored data are 409 where those of the request itself are 422."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.matching.embedders import Embedder
from app.planning import rotations
from app.settings import Settings
from tests.helpers import assert_problem, load_demo


def _parameter(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    parameters = schema["paths"][path][method]["parameters"]
    found: dict[str, Any] = next(p for p in parameters if p["name"] == name)
    return found


def test_405_lists_every_method_of_the_path_in_allow(client: TestClient) -> None:
    response = client.request("TRACE", "/v1/workplaces")
    body = assert_problem(response, 405)
    assert body["type"] == "about:blank"
    assert response.headers["allow"] == "GET, POST"
    # /v1/workplaces/import is POST only: a PUT is not taken for PUT /v1/workplaces/{id} with id "import"
    response = client.put("/v1/workplaces/import", content=b"x", headers={"content-type": "text/csv"})
    assert_problem(response, 405)
    assert response.headers["allow"] == "POST"


def test_a_body_that_cannot_be_decoded_is_the_projects_own_problem(client: TestClient) -> None:
    for body in (b"\xff\xfe not utf-8", b"{not json"):
        response = client.post("/v1/match", content=body, headers={"content-type": "application/json"})
        problem = assert_problem(response, 422)
        assert problem["type"] == "/problems/invalid-request"
        assert any(e["location"].startswith("body") for e in problem["errors"])
    schema = client.get("/openapi.json").json()
    answer = schema["paths"]["/v1/match"]["post"]["responses"]["422"]
    assert "application/problem+json" in answer["content"]


def test_the_openapi_document_states_what_the_server_enforces(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    niveau = _parameter(schema, "/v1/programmes", "get", "niveau")["schema"]
    assert niveau["items"] == {"type": "integer", "minimum": 1, "maximum": 4}
    if_match = _parameter(schema, "/v1/workplaces/{workplace_id}", "put", "if-match")["schema"]
    assert if_match["type"] == "string"  # a header is never JSON null
    assert "pattern" in if_match
    for path, item in schema["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                assert {"type": "null"} not in parameter["schema"].get("anyOf", []), (path, parameter)
    workplace_id = _parameter(schema, "/v1/workplaces/{workplace_id}", "get", "workplace_id")["schema"]
    assert (workplace_id["minimum"], workplace_id["maximum"]) == (1, 2**31 - 1)
    assert "409" in schema["paths"]["/v1/workplaces/{workplace_id}/matches"]["get"]["responses"]

    assert_problem(client.get("/v1/programmes", params={"niveau": 0}), 422, "niveau")
    assert_problem(client.delete("/v1/workplaces/1", headers={"if-match": "null"}), 422, "if-match")
    assert_problem(client.get("/v1/workplaces/99999999999999999999"), 422, "workplace_id")


def test_every_id_in_a_path_is_a_positive_32_bit_integer(client: TestClient) -> None:
    """Route modules declare ids as IdPath (app/api/deps.py), so that a job, key or record id is bounded
    like a workplace id, and 0 or an id past 2**31 - 1 is a 422 rather than a lookup."""
    schema = client.get("/openapi.json").json()
    ids = [
        (path, parameter["name"], parameter["schema"])
        for path, item in schema["paths"].items()
        for operation in item.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path" and parameter["name"].endswith("_id")
    ]
    assert {"/v1/imports/{job_id}", "/v1/keys/{key_id}", "/v1/matches/{record_id}"} <= {
        path for path, _name, _schema in ids
    }
    for path, name, parameter in ids:
        assert (parameter["type"], parameter.get("minimum"), parameter.get("maximum")) == (
            "integer",
            1,
            2**31 - 1,
        ), (path, name)
    assert_problem(client.get("/v1/imports/0"), 422, "job_id")
    assert_problem(client.get(f"/v1/imports/{2**31}"), 422, "job_id")


def test_json_types_are_taken_as_the_schema_says(client: TestClient) -> None:
    skill = {"text": "beheert de voorraad"}
    for wrong in ({"trainable": 0}, {"must_have": "yes"}, {"weight": "3"}, {"weight": True}):
        response = client.post("/v1/workplaces", json={"title": "Magazijn", "skills": [{**skill, **wrong}]})
        assert_problem(response, 422, "body.skills.0")
    # JSON Schema's integer is any number without a fraction
    created = client.post("/v1/workplaces", json={"title": "Magazijn", "skills": [{**skill, "weight": 3.0}]})
    assert created.status_code == 201, created.text
    assert created.json()["skills"][0]["weight"] == 3
    # whitespace is stripped before the length is counted, and the schema's pattern says so
    assert_problem(
        client.post("/v1/workplaces", json={"title": "Magazijn", "skills": [{"text": "\tE"}]}),
        422,
        "body.skills.0.text",
    )


def test_state_refusals_are_409_request_refusals_422(client: TestClient) -> None:
    load_demo(client)
    empty = client.post("/v1/workplaces", json={"title": "Leeg"}).json()
    assert_problem(client.get(f"/v1/workplaces/{empty['id']}/matches"), 409, "no skills")
    assert_problem(client.post("/v1/match", json={"description": "Ja."}), 422, "nothing to score")
    plan = client.post("/v1/rotations:plan", json={"trainees": [{"crebo": "00000"}]})
    assert assert_problem(plan, 409, "trainees[0].crebo")["errors"][0]["location"] == "trainees[0].crebo"
    suggest = client.post("/v1/profiles:suggest", json={"workplace_ids": [999999]})
    assert assert_problem(suggest, 409)["errors"][0]["location"] == "workplace_ids"


def test_without_authentication_each_client_address_has_its_own_rate_limit(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(
        database_url="sqlite://",
        embedder="hashing",
        lexical="none",
        auth_disabled=True,
        rate_limit_per_minute=2,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with (
        TestClient(app, client=("192.0.2.1", 5000)) as first,
        TestClient(app, client=("192.0.2.2", 5000)) as second,
    ):
        assert [first.get("/v1/workplaces").status_code for _ in range(3)] == [200, 200, 429]
        assert second.get("/v1/workplaces").status_code == 200


def test_rotations_are_chosen_from_as_many_workplaces_as_keep_the_orderings_bounded() -> None:
    assert [rotations.candidate_limit(n) for n in (1, 2, 3, 4)] == [25, 25, 18, 9]
    for n in (1, 2, 3, 4):
        limit = rotations.candidate_limit(n)
        assert limit == rotations.MAX_CANDIDATES or (
            rotations.math.perm(limit, n) <= rotations.MAX_ORDERINGS < rotations.math.perm(limit + 1, n)
        )

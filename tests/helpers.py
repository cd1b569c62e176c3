"""Small helpers shared by the API tests."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DOSSIERS = sorted((ROOT / "data" / "fixtures" / "dossiers").glob("*.xml"))
FIXTURE_WORKPLACES = ROOT / "data" / "fixtures" / "workplaces.csv"


def upload_dossiers(client: TestClient, paths: list[Path]) -> dict:  # type: ignore[type-arg]
    files = [("file", (p.name, p.read_bytes(), "application/xml")) for p in paths]
    response = client.post("/v1/dossiers", files=files)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def load_demo(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    response = client.post(
        "/v1/workplaces/import",
        files={"file": ("workplaces.csv", FIXTURE_WORKPLACES.read_bytes(), "text/csv")},
    )
    assert response.status_code == 201, response.text


def assert_problem(response, status: int, *needles: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    text = response.text
    for needle in needles:
        assert needle in text, f"{needle!r} not in {text}"
    return body  # type: ignore[no-any-return]

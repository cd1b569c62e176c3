"""Answers to stored-workplace matches are kept once computed, and never outlive what they depend on."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.helpers import load_demo, upload_dossiers
from tests.shared_data import shared_data_dir


def _workplace(client: TestClient, title: str) -> dict[str, Any]:
    items = client.get("/v1/workplaces", params={"limit": 100}).json()["items"]
    wid = next(w["id"] for w in items if w["title"] == title)
    workplace: dict[str, Any] = client.get(f"/v1/workplaces/{wid}").json()
    return workplace


def _without_id(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "match_id"}


def test_a_repeated_match_is_served_again_with_its_own_audit_record(client: TestClient) -> None:
    load_demo(client)
    wid = _workplace(client, "Pedagogisch medewerker voorschool")["id"]
    answers = client.app.state.answers  # type: ignore[attr-defined]
    first = client.get(f"/v1/workplaces/{wid}/matches")
    second = client.get(f"/v1/workplaces/{wid}/matches")
    assert first.status_code == second.status_code == 200
    assert second.headers["content-type"] == "application/json"
    assert answers.hits == 1
    one, two = first.json(), second.json()
    assert _without_id(one) == _without_id(two)
    assert one["match_id"] != two["match_id"]
    # Both served answers are in the audit trail, and the cached one replays to the same numbers.
    records = {r["id"]: r for r in client.get("/v1/audit", params={"limit": 10}).json()["items"]}
    assert {one["match_id"], two["match_id"]} <= set(records)
    replay = client.get(f"/v1/matches/{two['match_id']}").json()
    assert replay["reproduced"] is True
    # Other parameters are another answer.
    narrow = client.get(f"/v1/workplaces/{wid}/matches", params={"limit": 1}).json()
    assert len(narrow["matches"]) == 1
    assert answers.hits == 1


def test_an_edited_workplace_or_a_changed_catalogue_is_scored_again(client: TestClient) -> None:
    load_demo(client)
    workplace = _workplace(client, "Pedagogisch medewerker voorschool")
    wid = workplace["id"]
    before = client.get(f"/v1/workplaces/{wid}/matches").json()
    skills = [
        {k: s[k] for k in ("text", "weight", "must_have", "trainable")} for s in workplace["skills"][:2]
    ]
    edited = client.put(
        f"/v1/workplaces/{wid}",
        json={
            "title": workplace["title"],
            "organisation_unit": workplace["organisation_unit"],
            "skills": skills,
        },
    )
    assert edited.status_code == 200, edited.text
    after_edit = client.get(f"/v1/workplaces/{wid}/matches").json()
    assert len(after_edit["skills"]) == 2 != len(before["skills"])
    assert all(len(m["skills"]) == 2 for m in after_edit["matches"])

    real = sorted((shared_data_dir() / "sbb-kd-xml-2016").glob("*.xml"))[:1]
    upload_dossiers(client, real)
    after_import = client.get(f"/v1/workplaces/{wid}/matches").json()
    assert after_import["catalogue_version"] > after_edit["catalogue_version"]
    assert after_import["scored_total"] > after_edit["scored_total"]
    assert client.app.state.answers.hits == 0  # type: ignore[attr-defined]

"""Where a diploma fits, on its kwalificatie page (/ui/kwalificaties/{crebo}), over HTTP without a browser
on the demo data, against the JSON API as the oracle. The browser walk is tests/e2e/test_ui_candidate.py."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.helpers import FIXTURE_DOSSIERS, load_demo

ALLROUND = "25902"  # Allround medewerker facilitaire services, niveau 3


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _ids(html: str, testid: str, attribute: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" {attribute}="([^"]*)"', html)


def test_a_kwalificatie_shows_the_workplaces_and_rotations_of_the_api(client: TestClient) -> None:
    load_demo(client)
    page = client.get(f"/ui/kwalificaties/{ALLROUND}")
    assert page.status_code == 200
    fits = client.get(f"/v1/programmes/{ALLROUND}/workplaces").json()["workplaces"]
    assert _ids(page.text, "fit-workplace", "data-workplace-id") == [str(f["workplace_id"]) for f in fits]
    shown = re.findall(r'data-testid="fit-coverage">([^<]*)<', page.text)
    assert shown == [_percent(f["coverage"]) for f in fits]
    eligible = sum(f["eligible"] for f in fits)
    assert (
        f'<strong data-testid="fit-eligible">{eligible}</strong> van de {len(fits)} werkplekken' in page.text
    )
    for gap in fits[0]["gaps"]:
        assert gap["text"] in page.text

    proposals = client.get(f"/v1/programmes/{ALLROUND}/rotations", params={"limit": 3}).json()["proposals"]
    assert len(proposals) == 3
    assert _ids(page.text, "rotation", "data-workplace-ids") == [
        ",".join(str(i) for i in p["workplace_ids"]) for p in proposals
    ]
    first = proposals[0]["steps"]
    new = re.findall(r'data-testid="step-new">Nieuw hier: (\d+) van (\d+)', page.text)[:3]
    assert new == [(str(len(s["new_work"])), str(len(s["skills"]))) for s in first]
    assert len(first[0]["new_work"]) == len(first[0]["skills"])  # everything is new at the first step

    # Shown is served: the page's reverse match is in the audit trail, through the interface, replayable.
    records = client.get("/v1/audit").json()["items"]
    ui = [r for r in records if r["channel"] == "ui"]
    assert [(r["kind"], r["endpoint"]) for r in ui] == [("fit", "GET /ui/kwalificaties/{crebo}")]
    assert client.get(f"/v1/matches/{ui[0]['id']}").json()["reproduced"] is True


def test_a_kwalificatie_without_workplaces_says_what_to_do(client: TestClient) -> None:
    files = [("file", (f.name, f.read_bytes(), "application/xml")) for f in FIXTURE_DOSSIERS]
    assert client.post("/v1/dossiers", files=files).status_code == 201
    page = client.get(f"/ui/kwalificaties/{ALLROUND}")
    assert page.status_code == 200
    assert "Er zijn nog geen werkplekken met vaardigheden om mee te vergelijken." in page.text
    assert 'data-testid="rotation"' not in page.text

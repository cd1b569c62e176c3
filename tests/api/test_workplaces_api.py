"""Workplaces over HTTP: create from text, review and edit, CSV/XLSX import that is all-or-nothing."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests.helpers import FIXTURE_WORKPLACES, assert_problem

DESCRIPTION = (
    "Als medewerker facilitair ben je het eerste aanspreekpunt op het stadskantoor. "
    "Je verzorgt de post, beheert de voorraad en bemant de receptie. "
    "Daarnaast maak je vergaderruimtes klaar."
)


def test_description_is_broken_into_reviewable_statements(client: TestClient) -> None:
    response = client.post(
        "/v1/workplaces",
        json={
            "title": "Facilitair medewerker",
            "organisation_unit": "Directie Facilitair Bureau",
            "description": DESCRIPTION,
        },
    )
    assert response.status_code == 201
    assert response.headers["location"].startswith("/v1/workplaces/")
    workplace = response.json()
    texts = [s["text"] for s in workplace["skills"]]
    assert "verzorgt de post" in texts
    assert "beheert de voorraad" in texts
    assert all(s["origin"] == "extracted" for s in workplace["skills"])

    # The reviewer edits one statement, removes another, marks one must-have: the edits are kept.
    skills = [
        {"text": s["text"], "weight": s["weight"], "must_have": False, "trainable": False}
        for s in workplace["skills"]
    ]
    skills[0] = {
        "text": "verzorgt de interne en externe post",
        "weight": 3,
        "must_have": True,
        "trainable": False,
    }
    skills.pop()
    updated = client.put(
        f"/v1/workplaces/{workplace['id']}",
        json={
            "title": "Facilitair medewerker",
            "organisation_unit": "Directie Facilitair Bureau",
            "description": DESCRIPTION,
            "skills": skills,
        },
    )
    assert updated.status_code == 200
    again = client.get(f"/v1/workplaces/{workplace['id']}").json()
    assert again["skills"][0]["text"] == "verzorgt de interne en externe post"
    assert again["skills"][0]["must_have"] is True
    assert again["skills"][0]["weight"] == 3
    assert len(again["skills"]) == len(workplace["skills"]) - 1


def test_crud_and_not_found(client: TestClient) -> None:
    created = client.post(
        "/v1/workplaces",
        json={"title": "Buurtwerker", "skills": [{"text": "organiseert activiteiten in de buurt"}]},
    ).json()
    listed = client.get("/v1/workplaces").json()
    assert listed["total"] == 1
    assert listed["items"][0]["skills"][0]["weight"] == 2
    assert client.delete(f"/v1/workplaces/{created['id']}").status_code == 204
    assert_problem(client.get(f"/v1/workplaces/{created['id']}"), 404, "workplace")
    assert_problem(client.delete(f"/v1/workplaces/{created['id']}"), 404)


def test_invalid_workplace_names_the_field(client: TestClient) -> None:
    body = assert_problem(
        client.post("/v1/workplaces", json={"title": "X", "skills": [{"text": "plant", "weight": 5}]}),
        422,
        "skills.0.weight",
    )
    assert body["errors"][0]["location"] == "body.skills.0.weight"
    assert_problem(client.post("/v1/workplaces", json={"title": "X", "unknown": 1}), 422, "unknown")


def test_csv_import_creates_the_fixture_workplaces_and_reimport_replaces(client: TestClient) -> None:
    data = FIXTURE_WORKPLACES.read_bytes()
    first = client.post("/v1/workplaces/import", files={"file": ("werkplekken.csv", data, "text/csv")})
    assert first.status_code == 201
    body = first.json()
    assert body["workplaces"] == 6
    assert body["skills"] == 50
    assert {i["status"] for i in body["items"]} == {"created"}
    second = client.post("/v1/workplaces/import", content=data, headers={"content-type": "text/csv"})
    assert {i["status"] for i in second.json()["items"]} == {"updated"}
    assert client.get("/v1/workplaces").json()["total"] == 6


def test_xlsx_import(client: TestClient) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["werkplek", "directie", "vaardigheid", "gewicht", "essentieel", "trainbaar"])
    sheet.append(["Receptionist", "Stadsdeel West", "ontvangt bezoekers", 3, "ja", "nee"])
    sheet.append(["Receptionist", "Stadsdeel West", "beantwoordt de telefoon", 2, "nee", "ja"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post(
        "/v1/workplaces/import",
        files={
            "file": (
                "werkplekken.xlsx",
                buffer.getvalue(),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        },
    )
    assert response.status_code == 201, response.text
    workplace = client.get(f"/v1/workplaces/{response.json()['items'][0]['id']}").json()
    assert [(s["text"], s["weight"], s["must_have"], s["trainable"]) for s in workplace["skills"]] == [
        ("ontvangt bezoekers", 3, True, False),
        ("beantwoordt de telefoon", 2, False, True),
    ]
    assert workplace["organisation_unit"] == "Stadsdeel West"


def test_bad_csv_names_the_row_and_writes_nothing(client: TestClient) -> None:
    csv = (
        b"werkplek;directie;vaardigheid;gewicht\n"
        b"Receptionist;West;ontvangt bezoekers;2\n"
        b"Receptionist;West;beantwoordt de telefoon;9\n"
    )
    assert_problem(
        client.post("/v1/workplaces/import", files={"file": ("w.csv", csv, "text/csv")}),
        422,
        "row 3",
        "gewicht",
    )
    assert client.get("/v1/workplaces").json()["total"] == 0

"""The /ui pages over HTTP without a browser, on SQLite and PostgreSQL: empty states, Dutch errors,
single-skill edits and the no-JavaScript upload path. The browser tests (test_ui.py) cover the rest."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.helpers import FIXTURE_DOSSIERS, load_demo


def _create(client: TestClient, title: str, description: str) -> int:
    response = client.post(
        "/ui/werkplekken",
        data={"title": title, "organisation_unit": "Stadsdeel West", "description": description},
        follow_redirects=False,
    )
    assert response.status_code == 303
    match = re.fullmatch(r"/ui/werkplekken/(\d+)\?nieuw=1", response.headers["location"])
    assert match
    return int(match.group(1))


def test_empty_states_say_what_to_do_next(client: TestClient) -> None:
    entry = client.get("/", follow_redirects=False)
    assert entry.status_code == 307
    assert entry.headers["location"] == "/ui"
    home = client.get("/ui")
    assert home.status_code == 200
    assert "Er zijn nog geen kwalificatiedossiers. Lees eerst XML-bestanden van SBB in." in home.text
    assert "Er zijn nog geen werkplekken." in home.text
    assert "De catalogus is leeg." in client.get("/ui/catalogus").text
    assert "Er zijn nog geen werkplekken. Maak hierboven" in client.get("/ui/werkplekken").text
    overview = client.get("/ui/overzicht")
    assert "Er zijn geen kwalificaties met vaardigheden" in overview.text
    assert 'data-testid="heatmap"' not in overview.text
    # A workplace with skills but an empty catalogue: its match page says where to import dossiers.
    workplace_id = _create(client, "Postkamer", "Je verzorgt de post.")
    matches = client.get(f"/ui/werkplekken/{workplace_id}/matches", params={"niveau": 3})
    assert matches.status_code == 200
    assert "Er zijn geen kwalificaties met vaardigheden op niveau 3." in matches.text
    assert 'href="/ui/catalogus"' in matches.text
    assert 'data-testid="coverage"' not in matches.text


def test_a_workplace_without_skills_has_nothing_to_score(client: TestClient) -> None:
    workplace_id = _create(client, "Leeg", "")
    page = client.get(f"/ui/werkplekken/{workplace_id}?nieuw=1")
    assert "Uit de omschrijving konden we geen vaardigheden halen." in page.text
    matches = client.get(f"/ui/werkplekken/{workplace_id}/matches")
    assert matches.status_code == 200
    assert "Er is nog niets om te vergelijken: deze werkplek heeft geen vaardigheden." in matches.text
    assert 'data-testid="coverage"' not in matches.text


def test_form_errors_are_plain_dutch_and_store_nothing(client: TestClient) -> None:
    response = client.post("/ui/werkplekken", data={"title": "  ", "description": "Je ontvangt bezoekers."})
    assert response.status_code == 422
    assert "Naam van de werkplek: vul dit in" in response.text
    assert "Je ontvangt bezoekers." in response.text  # what was typed is kept
    assert client.get("/v1/workplaces").json()["total"] == 0
    missing = client.get("/ui/werkplekken/999999")
    assert missing.status_code == 404
    assert "Deze werkplek bestaat niet (meer)." in missing.text
    assert client.get("/ui/kwalificaties/12345").status_code == 404


def test_single_skill_edits_are_what_matching_sees(client: TestClient) -> None:
    workplace_id = _create(
        client,
        "Receptionist",
        "Je ontvangt bezoekers bij de receptie. Je beantwoordt de telefoon. Je sorteert de post.",
    )
    skills = client.get(f"/v1/workplaces/{workplace_id}").json()["skills"]
    assert len(skills) == 3
    first, second, _third = (s["id"] for s in skills)

    updated = client.post(
        f"/ui/werkplekken/{workplace_id}/vaardigheden/{first}",
        data={"text": "Bezoekers ontvangen", "weight": "3", "must_have": "on"},
        follow_redirects=False,
    )
    assert updated.status_code == 303
    refused = client.post(
        f"/ui/werkplekken/{workplace_id}/vaardigheden/{second}", data={"text": "x", "weight": "7"}
    )
    assert refused.status_code == 422
    assert "Gewicht: kies 1, 2 of 3" in refused.text
    assert client.post(f"/ui/werkplekken/{workplace_id}/vaardigheden/{second}/verwijderen").status_code == 200
    client.post(f"/ui/werkplekken/{workplace_id}/vaardigheden", data={"text": "Vergaderzalen klaarzetten"})
    gone = client.post(f"/ui/werkplekken/{workplace_id}/vaardigheden/{second}", data={"text": "weer terug"})
    assert gone.status_code == 404
    assert "Deze vaardigheid bestaat niet (meer)." in gone.text

    after = client.get(f"/v1/workplaces/{workplace_id}").json()["skills"]
    assert [(s["text"], s["weight"], s["must_have"], s["origin"]) for s in after] == [
        ("Bezoekers ontvangen", 3, True, "manual"),
        (skills[2]["text"], 2, False, "extracted"),
        ("Vergaderzalen klaarzetten", 2, False, "manual"),
    ]

    # Changing the details keeps the reviewed skills unless asked to extract them anew.
    client.post(
        f"/ui/werkplekken/{workplace_id}/gegevens",
        data={
            "title": "Receptionist stadhuis",
            "organisation_unit": "Stadsdeel West",
            "description": "Je sorteert de post.",
        },
    )
    kept = client.get(f"/v1/workplaces/{workplace_id}").json()
    assert kept["title"] == "Receptionist stadhuis"
    assert [s["text"] for s in kept["skills"]] == [s["text"] for s in after]
    client.post(
        f"/ui/werkplekken/{workplace_id}/gegevens",
        data={"title": "Receptionist stadhuis", "description": "Je sorteert de post.", "reextract": "on"},
    )
    assert [s["origin"] for s in client.get(f"/v1/workplaces/{workplace_id}").json()["skills"]] == [
        "extracted"
    ]


def test_upload_without_javascript_reports_each_file(client: TestClient) -> None:
    good = FIXTURE_DOSSIERS[0]
    response = client.post(
        "/ui/catalogus/upload",
        files=[
            ("file", (good.name, good.read_bytes(), "text/xml")),
            ("file", ("leeg.xml", b"<sbb/>", "text/xml")),
        ],
    )
    assert response.status_code == 200
    assert response.text.count('data-testid="upload-result"') == 2
    assert "nieuw ingelezen" in response.text
    assert "Dit kon niet worden verwerkt; er is niets opgeslagen." in response.text
    assert len(client.get("/v1/dossiers").json()["items"]) == 1
    again = client.post(
        "/ui/catalogus/upload",
        files=[("file", (good.name, good.read_bytes(), "text/xml"))],
        headers={"X-Requested-With": "fetch"},
    )
    assert again.status_code == 200
    assert "was al ingelezen; er is niets veranderd" in again.text
    assert "<html" not in again.text  # a fragment for the page's script


def test_matches_and_matrix_follow_the_minimum_and_niveau(client: TestClient) -> None:
    load_demo(client)
    workplace = client.get("/v1/workplaces").json()["items"][0]
    for minimum in (0, 100):
        page = client.get(
            f"/ui/werkplekken/{workplace['id']}/matches",
            params={"minimum": minimum},
            headers={"HX-Request": "true"},
        )
        api = client.get(
            f"/v1/workplaces/{workplace['id']}/matches", params={"min_coverage": minimum / 100, "limit": 25}
        ).json()
        assert "<html" not in page.text
        assert page.text.count(">Geschikt<") == sum(m["eligible"] for m in api["matches"])
    only_two = client.get(f"/ui/werkplekken/{workplace['id']}/matches", params={"niveau": "2"}).text
    assert re.findall(r"niveau (\d)</span></span>", only_two)
    assert set(re.findall(r"niveau (\d)</span></span>", only_two)) == {"2"}

    csv_text = client.get("/ui/overzicht.csv", params={"niveau": "2", "minimum": "0"}).content.decode(
        "utf-8-sig"
    )
    rows = csv_text.strip().split("\r\n")[1:]
    assert rows
    assert {r.split(";")[5] for r in rows} == {"2"}
    assert {r.split(";")[7] for r in rows} <= {"ja", "nee"}


def test_an_edit_on_a_stale_page_is_refused_and_every_edit_moves_the_version(client: TestClient) -> None:
    workplace_id = _create(client, "Postkamer", "Je sorteert de post. Je bezorgt pakketten in het gebouw.")
    before = client.get(f"/v1/workplaces/{workplace_id}").json()
    first = before["skills"][0]["id"]
    version = before["version"]

    saved = client.post(
        f"/ui/werkplekken/{workplace_id}/vaardigheden/{first}",
        data={"text": "Post sorteren", "weight": "2", "version": str(version)},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert client.get(f"/v1/workplaces/{workplace_id}").json()["version"] == version + 1

    # A second tab still shows the old version: its edit is refused and changes nothing.
    stale = client.post(
        f"/ui/werkplekken/{workplace_id}/vaardigheden/{first}",
        data={"text": "Iets anders", "weight": "2", "version": str(version)},
    )
    assert stale.status_code == 409
    assert "Iemand anders heeft deze werkplek intussen gewijzigd" in stale.text
    assert f'name="version" value="{version + 1}"' in stale.text
    after = client.get(f"/v1/workplaces/{workplace_id}").json()
    assert after["skills"][0]["text"] == "Post sorteren"
    assert after["version"] == version + 1
    refused_delete = client.post(
        f"/ui/werkplekken/{workplace_id}/verwijderen", data={"version": str(version)}
    )
    assert refused_delete.status_code == 409
    assert client.get(f"/v1/workplaces/{workplace_id}").status_code == 200


def test_matches_shown_in_the_interface_are_audited(client: TestClient) -> None:
    load_demo(client)
    workplace_id = client.get("/v1/workplaces").json()["items"][0]["id"]
    assert client.get(f"/ui/werkplekken/{workplace_id}/matches?minimum=60").status_code == 200
    records = client.get("/v1/audit").json()["items"]
    assert [r["endpoint"] for r in records] == ["GET /ui/werkplekken/{id}/matches"]
    assert records[0]["workplace_id"] == workplace_id
    assert records[0]["config"]["min_coverage"] == 0.6
    assert client.get(f"/v1/matches/{records[0]['id']}").json()["reproduced"] is True


def test_an_upload_error_has_the_status_the_api_gives_it(client: TestClient) -> None:
    """One error map (app.api.problems.ERRORS) for the API and the pages: a file type we do not read."""
    pdf = {"file": ("werkplekken.pdf", b"%PDF-1.7", "application/pdf")}
    api = client.post("/v1/workplaces/import", files=pdf)
    page = client.post("/ui/werkplekken/import", files=pdf)
    assert api.status_code == page.status_code == 415
    assert "Dit soort bestand kunnen we niet lezen." in page.text

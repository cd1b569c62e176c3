"""Importing SBB dossiers over HTTP: counts, idempotence, versions, refusals that write nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from tests.helpers import FIXTURE_DOSSIERS, assert_problem, upload_dossiers
from tests.shared_data import shared_data_dir


def _real_files() -> list[Path]:
    return sorted((shared_data_dir() / "sbb-kd-xml-2016").glob("*.xml"))


def test_real_dossiers_import_with_pinned_counts(client: TestClient) -> None:
    body = upload_dossiers(client, _real_files())
    assert (body["dossiers"], body["kwalificaties"], body["werkprocessen"]) == (4, 14, 111)
    assert {i["crebo"] for i in body["items"]} == {"23181", "23183", "23185", "23189"}
    assert all(i["status"] == "created" for i in body["items"])

    programmes = client.get("/v1/programmes", params={"limit": 100}).json()
    assert programmes["total"] == 14
    detail = client.get("/v1/programmes/25499").json()
    assert detail["title"] == "Medewerker facilitaire dienstverlening"
    assert detail["niveau"] == 2
    assert detail["dossier"] == {"crebo": "23189", "title": "Dienstverlening"}
    by_code = {(s["code"], s["kind"]): s["text"] for s in detail["statements"]}
    assert by_code[("B1-K1-W1", "werkproces")] == "Bereidt werkzaamheden voor en stemt af"
    assert ("P1-K1", "kerntaak") in by_code
    # The typering is shown, never scored: it is not among the statements.
    assert detail["typering"].startswith("De medewerker facilitaire dienstverlening")
    assert all(s["text"] != detail["typering"] for s in detail["statements"])


def test_reimport_changes_nothing(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    before = client.get("/health").json()["catalogue_version"]
    again = upload_dossiers(client, FIXTURE_DOSSIERS)
    assert {i["status"] for i in again["items"]} == {"unchanged"}
    assert client.get("/health").json()["catalogue_version"] == before
    assert len(client.get("/v1/dossiers", params={"include_history": True}).json()["items"]) == 3


def test_raw_xml_body_is_accepted(client: TestClient) -> None:
    response = client.post(
        "/v1/dossiers", content=FIXTURE_DOSSIERS[0].read_bytes(), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201
    assert response.json()["dossiers"] == 1


def test_newer_version_replaces_and_old_stays_as_history(client: TestClient) -> None:
    original = FIXTURE_DOSSIERS[0].read_bytes()
    upload_dossiers(client, [FIXTURE_DOSSIERS[0]])
    crebo = client.get("/v1/dossiers").json()["items"][0]["crebo"]
    # A new version: one werkproces title reworded, and a later vaststelling date.
    text = original.decode("utf-8-sig")
    start = text.index('<werkproces nr="')
    title_start = text.index('titel="', start) + len('titel="')
    changed = text[:title_start] + "Herzien: " + text[title_start:]
    import re

    changed = re.sub(
        r"<vastgesteldop>[^<]*</vastgesteldop>", "<vastgesteldop>01-01-2030</vastgesteldop>", changed
    )
    response = client.post(
        "/v1/dossiers", content=changed.encode(), headers={"content-type": "application/xml"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["items"][0]["status"] == "replaced"
    current = client.get("/v1/dossiers").json()["items"]
    history = client.get("/v1/dossiers", params={"include_history": True}).json()["items"]
    assert [d["crebo"] for d in current] == [crebo]
    assert len(history) == 2
    old = next(d for d in history if not d["is_current"])
    assert old["replaced_at"] is not None
    # The programme now shows the new text.
    crebo_k = client.get("/v1/programmes").json()["items"][0]["crebo"]
    texts = [s["text"] for s in client.get(f"/v1/programmes/{crebo_k}").json()["statements"]]
    assert any(t.startswith("Herzien: ") for t in texts)


def test_malformed_xml_is_refused_with_its_line_and_writes_nothing(client: TestClient) -> None:
    good = FIXTURE_DOSSIERS[0].read_bytes()
    broken = b"<sbb>\n<dossiers>\n<dossier nr='1'>\n</sbb>"
    response = client.post(
        "/v1/dossiers",
        files=[
            ("file", ("good.xml", good, "application/xml")),
            ("file", ("broken.xml", broken, "application/xml")),
        ],
    )
    body = assert_problem(response, 422, "line 4")
    assert body["errors"]
    assert client.get("/v1/dossiers").json()["items"] == []
    assert client.get("/v1/programmes").json()["total"] == 0


def test_xml_bomb_is_refused_and_writes_nothing(client: TestClient) -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n<sbb>&lol3;</sbb>'
    )
    assert_problem(
        client.post("/v1/dossiers", content=bomb, headers={"content-type": "application/xml"}), 422
    )
    entity = (
        b'<?xml version="1.0"?>\n<!DOCTYPE sbb [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<sbb>&x;</sbb>'
    )
    assert_problem(
        client.post("/v1/dossiers", content=entity, headers={"content-type": "application/xml"}), 422
    )
    assert client.get("/v1/dossiers").json()["items"] == []


def test_wrong_document_type_and_empty_body(client: TestClient) -> None:
    assert_problem(
        client.post("/v1/dossiers", content=b"{}", headers={"content-type": "application/json"}), 415, "xml"
    )
    assert_problem(client.post("/v1/dossiers", content=b"", headers={"content-type": "application/xml"}), 422)
    assert_problem(
        client.post("/v1/dossiers", content=b"<root/>", headers={"content-type": "application/xml"}),
        422,
        "sbb",
    )


def test_upload_over_the_size_limit_is_refused(client: TestClient) -> None:
    limit = client.app.state.settings.max_upload_bytes  # type: ignore[attr-defined]
    response = client.post(
        "/v1/dossiers",
        content=b"<sbb>" + b" " * limit + b"</sbb>",
        headers={"content-type": "application/xml"},
    )
    assert_problem(response, 413)

"""The profile and vacancy pages over HTTP without a browser, on SQLite and PostgreSQL, checked against the JSON
API as the oracle: a proposal, saving it, renaming, moving a workplace, the programmes that fit, the vacancy as
text, Markdown and .docx, and the preview of an edit. The browser walk is in test_ui_profiles.py."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator

import docx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth import keys
from app.main import create_app
from app.matching.embedders import Embedder
from app.planning.vacancy import STANDARD_SENTENCE
from app.settings import Settings
from tests.helpers import load_demo

KLANTCONTACT = "Medewerker klantcontact"
BURGERZAKEN = "Administratief medewerker burgerzaken"
FACILITAIR = "Medewerker facilitaire dienstverlening stadskantoor"


def _texts(page: str, testid: str) -> list[str]:
    """The text of every element with this data-testid, up to its first child element."""
    found = re.findall(rf'data-testid="{testid}"[^>]*>([^<]*)', page)
    return [html.unescape(" ".join(t.split())) for t in found]


def _crebos(page: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" data-crebo="(\d+)"', page)


def _workplace_ids(client: TestClient) -> dict[str, int]:
    return {w["title"]: w["id"] for w in client.get("/v1/workplaces", params={"limit": 500}).json()["items"]}


def _profile(client: TestClient, name: str, workplace_ids: list[int]) -> int:
    response = client.post("/v1/profiles", json={"name": name, "workplace_ids": workplace_ids})
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _members(client: TestClient, profile_id: int) -> list[int]:
    return [w["id"] for w in client.get(f"/v1/profiles/{profile_id}").json()["workplaces"]]


def _paragraphs(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def test_without_workplaces_or_profiles_the_pages_say_what_to_do(client: TestClient) -> None:
    empty = client.get("/ui/profielen")
    assert empty.status_code == 200
    assert "Er zijn nog geen opgeslagen profielen. Stel hierboven profielen voor" in empty.text
    assert 'href="/ui/profielen" aria-current="page"' in empty.text
    nothing = client.get("/ui/profielen", params={"k": "4"})
    assert nothing.status_code == 409  # the API's answer to a proposal with nothing to cluster
    assert "geen van deze werkplekken heeft vaardigheden" in nothing.text
    for path in ("/ui/profielen/999", "/ui/profielen/999/vacature", "/ui/profielen/999/vacature.docx"):
        missing = client.get(path)
        assert missing.status_code == 404, path
        assert "Dit profiel bestaat niet (meer)." in missing.text
    assert "Deze werkplek bestaat niet (meer)." in client.get("/ui/werkplekken/999/vacature").text


def test_the_proposal_is_the_apis_and_saving_stores_it_as_shown(client: TestClient) -> None:
    load_demo(client)
    assert 'data-testid="proposed-profile"' not in client.get("/ui/profielen").text  # only when asked
    shown = client.get("/ui/profielen", params={"k": "4"})
    assert shown.status_code == 200
    api = client.post("/v1/profiles:suggest", json={"k": 4}).json()
    names = [html.unescape(n) for n in re.findall(r'name="naam" value="([^"]*)"', shown.text)]
    groups = re.findall(r'name="werkplekken" value="([^"]*)"', shown.text)
    assert names == [p["name"] for p in api["profiles"]]
    assert groups == [",".join(str(w["id"]) for w in p["workplaces"]) for p in api["profiles"]]
    assert _texts(shown.text, "shared-skill") == [
        s["text"] for p in api["profiles"] for s in p["shared_skills"]
    ]
    cohesion = [f"{round(p['cohesion'] * 100)}%" for p in api["profiles"] if p["cohesion"] is not None]
    assert [c for c in re.findall(r"<strong>Samenhang:</strong>\s*(\d+%)", shown.text)] == cohesion

    too_many = client.get("/ui/profielen", params={"k": "40"})
    assert too_many.status_code == 409
    assert "Er zijn te weinig werkplekken met vaardigheden voor zoveel profielen." in too_many.text

    blank = client.post("/ui/profielen", data={"naam": ["  ", *names[1:]], "werkplekken": groups})
    assert blank.status_code == 422
    assert "Naam van het profiel: vul dit in" in blank.text
    assert client.get("/v1/profiles").json()["total"] == 0

    typed = ["Eigen naam", *names[1:]]
    saved = client.post("/ui/profielen", data={"naam": typed, "werkplekken": groups}, follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == "/ui/profielen?opgeslagen=4#opgeslagen"
    stored = client.get("/v1/profiles").json()["items"]
    assert sorted((p["name"], ",".join(str(w["id"]) for w in p["workplaces"])) for p in stored) == sorted(
        zip(typed, groups, strict=True)
    )
    listed = client.get(saved.headers["location"])
    assert "4 profielen opgeslagen." in listed.text
    assert listed.text.count('data-testid="stored-profile"') == 4


def test_rename_move_and_delete_are_what_the_api_then_shows(client: TestClient) -> None:
    load_demo(client)
    ids = _workplace_ids(client)
    source = _profile(client, "Klant", [ids[KLANTCONTACT], ids[BURGERZAKEN]])
    target = _profile(client, "Facilitair", [ids[FACILITAIR]])

    blank = client.post(f"/ui/profielen/{source}/naam", data={"naam": " "})
    assert blank.status_code == 422
    assert "Naam van het profiel: vul dit in" in blank.text
    renamed = client.post(
        f"/ui/profielen/{source}/naam", data={"naam": " Klant en burger "}, follow_redirects=False
    )
    assert renamed.status_code == 303
    assert renamed.headers["location"] == f"/ui/profielen?hernoemd={source}#profiel-{source}"
    assert client.get(f"/v1/profiles/{source}").json()["name"] == "Klant en burger"

    moved = client.post(
        f"/ui/profielen/{source}/verplaatsen",
        data={"werkplek": str(ids[BURGERZAKEN]), "naar": str(target)},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert _members(client, source) == [ids[KLANTCONTACT]]
    assert sorted(_members(client, target)) == sorted([ids[FACILITAIR], ids[BURGERZAKEN]])
    again = client.post(
        f"/ui/profielen/{source}/verplaatsen", data={"werkplek": str(ids[BURGERZAKEN]), "naar": str(target)}
    )
    assert again.status_code == 409
    assert "Deze werkplek hoort niet (meer) bij dit profiel." in again.text
    nowhere = client.post(
        f"/ui/profielen/{source}/verplaatsen", data={"werkplek": str(ids[KLANTCONTACT]), "naar": "999"}
    )
    assert nowhere.status_code == 404
    assert _members(client, source) == [ids[KLANTCONTACT]]  # nothing half done

    deleted = client.post(f"/ui/profielen/{target}/verwijderen", follow_redirects=False)
    assert deleted.status_code == 303
    assert client.get(f"/v1/profiles/{target}").status_code == 404
    assert client.get(f"/v1/workplaces/{ids[BURGERZAKEN]}").status_code == 200


def test_the_programmes_of_a_profile_are_the_apis(client: TestClient) -> None:
    load_demo(client)
    ids = _workplace_ids(client)
    profile_id = _profile(client, "Klant en burger", [ids[KLANTCONTACT], ids[BURGERZAKEN]])
    for minimum in ("50", "70"):
        shown = client.get(f"/ui/profielen/{profile_id}", params={"minimum": minimum})
        assert shown.status_code == 200
        api = client.get(
            f"/v1/profiles/{profile_id}/matches", params={"min_coverage": int(minimum) / 100}
        ).json()
        fitting = [p for p in api["programmes"] if p["eligible_workplaces"]]
        assert fitting
        assert _crebos(shown.text, "profile-programme") == [p["programme"]["crebo"] for p in fitting]
        assert _texts(shown.text, "eligible-share") == [
            f"{round(p['eligible_share'] * 100)}%" for p in fitting
        ]
        assert _texts(shown.text, "mean-coverage") == [f"{round(p['mean_coverage'] * 100)}%" for p in fitting]
    assert f'href="/ui/profielen/{profile_id}/vacature"' in shown.text


def test_the_vacancy_page_and_files_are_the_apis_vacancy(client: TestClient) -> None:
    load_demo(client)
    ids = _workplace_ids(client)
    profile_id = _profile(client, "Klant en burger", [ids[KLANTCONTACT], ids[BURGERZAKEN]])
    shown = client.get(f"/ui/profielen/{profile_id}/vacature", params={"minimum": "50"})
    assert shown.status_code == 200
    api = client.get(f"/v1/profiles/{profile_id}/vacancy", params={"min_coverage": 0.5}).json()
    assert _texts(shown.text, "vacancy-skill") == [s["text"] for s in api["skills"]]
    assert _crebos(shown.text, "vacancy-programme") == [p["crebo"] for p in api["programmes"]]
    assert f'<a href="/kandidaatcheck/{profile_id}">{html.escape(STANDARD_SENTENCE)}</a>' in shown.text
    text = html.unescape(
        re.search(r'data-testid="vacancy-text"[^>]*>([^<]*)</textarea>', shown.text).group(1)
    )
    assert text.startswith("Traineeship: Klant en burger\n")
    assert all(f"- {s['text']}\n" in text for s in api["skills"])
    assert text.endswith(f"\n{STANDARD_SENTENCE}\n")
    assert "## " not in text  # plain text, not the Markdown
    assert "**" not in text

    markdown = client.get(f"/ui/profielen/{profile_id}/vacature.md", params={"minimum": "50"})
    assert markdown.headers["content-disposition"] == 'attachment; filename="vacature-klant-en-burger.md"'
    assert markdown.text == api["markdown"]
    word = client.get(f"/ui/profielen/{profile_id}/vacature.docx", params={"minimum": "50"})
    assert (
        word.headers["content-type"]
        == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert word.headers["content-disposition"] == 'attachment; filename="vacature-klant-en-burger.docx"'
    api_word = client.get(
        f"/v1/profiles/{profile_id}/vacancy", params={"min_coverage": 0.5, "format": "docx"}
    )
    paragraphs = _paragraphs(word.content)
    assert paragraphs == _paragraphs(api_word.content)
    assert paragraphs[0] == "Traineeship: Klant en burger"
    assert {s["text"] for s in api["skills"]} <= set(paragraphs)
    assert paragraphs[-1] == STANDARD_SENTENCE

    workplace = client.get(f"/ui/werkplekken/{ids[KLANTCONTACT]}/vacature")
    assert workplace.status_code == 200
    one = client.get(f"/v1/workplaces/{ids[KLANTCONTACT]}/vacancy").json()
    assert _texts(workplace.text, "vacancy-skill") == [s["text"] for s in one["skills"]]
    assert _crebos(workplace.text, "vacancy-programme") == [p["crebo"] for p in one["programmes"]]
    assert "/kandidaatcheck/" not in workplace.text  # a workplace has no candidate check of its own
    assert f'<a href="/ui/profielen/{profile_id}/vacature">Klant en burger</a>' in workplace.text
    assert 'id="preview-form"' not in workplace.text
    own = client.get(f"/ui/werkplekken/{ids[KLANTCONTACT]}/vacature.md")
    assert (
        own.text
        == client.get(f"/v1/workplaces/{ids[KLANTCONTACT]}/vacancy", params={"format": "markdown"}).text
    )


def test_the_preview_shows_the_programmes_gained_and_lost(client: TestClient) -> None:
    load_demo(client)
    ids = _workplace_ids(client)
    profile_id = _profile(client, "Klantcontact", [ids[KLANTCONTACT]])
    path = f"/ui/profielen/{profile_id}/vacature/voorbeeld"

    def listed(minimum: float) -> list[str]:
        api = client.get(f"/v1/profiles/{profile_id}/vacancy", params={"min_coverage": minimum}).json()
        return [p["crebo"] for p in api["programmes"]]

    lower = client.get(path, params={"minimum": "70", "nieuw_minimum": "50"}, headers={"HX-Request": "true"})
    assert lower.status_code == 200
    assert "<html" not in lower.text
    gained = [c for c in listed(0.5) if c not in listed(0.7)]
    assert gained  # the demo data has programmes between 50% and 70% here
    assert _crebos(lower.text, "programme-gained") == gained
    higher = client.get(path, params={"minimum": "50", "nieuw_minimum": "70"}, headers={"HX-Request": "true"})
    assert sorted(_crebos(higher.text, "programme-lost")) == sorted(gained)

    skills = [s["text"] for s in client.get(f"/v1/profiles/{profile_id}/vacancy").json()["skills"]]
    edited = client.get(
        path,
        params={
            "minimum": "70",
            "weg": skills[0],
            "nieuw": "Kassa opmaken",
            "gewicht": "3",
            "essentieel": "on",
        },
    )
    assert edited.status_code == 200
    assert "<html" in edited.text  # without JavaScript: the whole vacancy page, with the preview
    assert _texts(edited.text, "skill-lost") == [skills[0]]
    assert _texts(edited.text, "skill-gained") == ["Kassa opmaken"]
    assert f'value="{html.escape(skills[0])}" checked' in edited.text  # the form as typed
    unchanged = client.get(path, params={"minimum": "70"}, headers={"HX-Request": "true"})
    assert 'data-testid="no-change"' in unchanged.text

    stale = client.get(path, params={"weg": "Iets wat er niet staat"})
    assert stale.status_code == 409
    assert "Een vaardigheid die u wilt weglaten, hoort niet (meer) bij dit profiel." in stale.text
    swapped = client.get(path, params={"weg": "Iets wat er niet staat"}, headers={"HX-Request": "true"})
    assert swapped.status_code == 200  # htmx swaps no error answer: the message comes as the fragment
    assert "hoort niet (meer) bij dit profiel" in swapped.text
    assert client.get(f"/v1/profiles/{profile_id}/vacancy").json()["skills"][0]["text"] == skills[0]


@pytest.fixture
def locked(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://", lexical="none", lexical_weight=0.0, embedder="hashing", auth_disabled=False
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as locked_client:
        yield locked_client


def test_a_recruiter_key_reads_profiles_and_vacancies_but_changes_nothing(
    locked: TestClient, session: Session
) -> None:
    created = keys.create_key(session, name="werving", role="recruiter")
    session.commit()
    headers = {"Authorization": f"Bearer {created.secret}"}
    assert locked.get("/ui/profielen", follow_redirects=False).status_code == 303  # to the login form
    login = locked.post("/ui/inloggen", data={"sleutel": created.secret, "volgende": "/ui/profielen"})
    assert login.status_code == 200
    assert "Opgeslagen profielen" in login.text
    refused = locked.post("/ui/profielen", data={"naam": ["Werving"], "werkplekken": [""]})
    assert refused.status_code == 403
    assert "mag u hier alleen kijken, niets wijzigen" in refused.text
    assert locked.get("/v1/profiles", headers=headers).json()["total"] == 0

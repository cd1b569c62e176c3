"""The public candidate check (/kandidaatcheck/{profile_id}) over HTTP without a browser, on the demo data,
against POST /v1/profiles/{id}/candidate-fit as the oracle: no key, nothing stored or logged, a rate limit
per address, Dutch error pages. The browser walk is tests/e2e/test_ui_candidate.py."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.keys import create_key
from app.main import create_app
from app.matching.embedders import Embedder
from app.models import AuditRecord, EmbeddingCache
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS, FIXTURE_WORKPLACES, load_demo

ALLROUND = "25902"  # Allround medewerker facilitaire services, niveau 3
KLANTCONTACT = "Medewerker klantcontact"
BURGERZAKEN = "Administratief medewerker burgerzaken"
FACILITAIR = "Medewerker facilitaire dienstverlening stadskantoor"


def _percent(value: float) -> str:
    return f"{round(value * 100)}%"


def _ids(html: str, testid: str, attribute: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}" {attribute}="([^"]*)"', html)


def _labels(html: str) -> list[str]:
    return re.findall(r'name="vaardigheid" value="([^"]*)"', html)


def _coverages(html: str) -> list[str]:
    return re.findall(r'data-testid="candidate-coverage">([^<]*)<', html)


@pytest.fixture
def secured(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> Iterator[tuple[TestClient, dict[str, str], int]]:
    """An app that asks for keys (the interface as deployed), the demo data and a profile of three
    workplaces: (client, admin headers, profile id)."""
    settings = Settings(database_url="sqlite://", embedder="hashing", lexical="none", rate_limit_per_minute=0)
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client, session_factory() as session:
        admin = {"Authorization": f"Bearer {create_key(session, name='test-admin', role='admin').secret}"}
        session.commit()
        files = [("file", (f.name, f.read_bytes(), "application/xml")) for f in FIXTURE_DOSSIERS]
        assert client.post("/v1/dossiers", files=files, headers=admin).status_code == 201
        table = {"file": ("w.csv", FIXTURE_WORKPLACES.read_bytes(), "text/csv")}
        assert client.post("/v1/workplaces/import", files=table, headers=admin).status_code == 201
        ids = {w["title"]: w["id"] for w in client.get("/v1/workplaces", headers=admin).json()["items"]}
        body = {
            "name": "Dienstverlening",
            "workplace_ids": [ids[KLANTCONTACT], ids[BURGERZAKEN], ids[FACILITAIR]],
        }
        profile = client.post("/v1/profiles", json=body, headers=admin).json()
        yield client, admin, int(profile["id"])


def test_the_candidate_check_needs_no_key_and_is_the_apis_check(
    secured: tuple[TestClient, dict[str, str], int],
) -> None:
    client, admin, profile_id = secured
    assert client.get("/ui/catalogus", follow_redirects=False).status_code == 303  # the interface asks
    page = client.get(f"/kandidaatcheck/{profile_id}")
    assert page.status_code == 200
    assert "Staat jouw opleiding er niet tussen" in page.text
    assert "Geen mbo-diploma, of mijn opleiding staat er niet tussen" in page.text
    assert 'data-testid="candidate-prompt"' in page.text  # nothing chosen: no result yet
    listed = [
        s["text"] for s in client.get(f"/v1/profiles/{profile_id}/vacancy", headers=admin).json()["skills"]
    ]
    assert _labels(page.text) == listed  # the skills the vacancy prints

    for crebo, held in (("", listed[:3]), (ALLROUND, listed[:1]), (ALLROUND, [])):
        answer = client.post(f"/kandidaatcheck/{profile_id}", data={"opleiding": crebo, "vaardigheid": held})
        assert answer.status_code == 200
        api = client.post(
            f"/v1/profiles/{profile_id}/candidate-fit",
            json={"crebo": crebo or None, "skills_held": held},
            headers=admin,
        ).json()
        fits = api["workplaces"]
        assert _ids(answer.text, "candidate-fit", "data-workplace-id") == [
            str(w["workplace"]["id"]) for w in fits
        ]
        assert _coverages(answer.text) == [_percent(w["coverage"]["combined"]) for w in fits]
        assert f'data-eligible="{api["eligible_workplaces"]}"' in answer.text
        for label in held:  # what was ticked stays ticked
            assert f'value="{label}" checked' in answer.text
        for text in fits[-1]["to_learn"]:
            assert text in answer.text

    # With htmx, the result alone; unticking everything asks for a choice again.
    partial = client.post(
        f"/kandidaatcheck/{profile_id}", data={"opleiding": ""}, headers={"HX-Request": "true"}
    )
    assert partial.status_code == 200
    assert "<html" not in partial.text
    assert 'data-testid="candidate-prompt"' in partial.text


def test_the_candidate_check_stores_and_logs_nothing(
    secured: tuple[TestClient, dict[str, str], int],
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _admin, profile_id = secured
    labels = _labels(client.get(f"/kandidaatcheck/{profile_id}").text)

    def counts() -> tuple[int, int]:
        with session_factory() as session:
            return (
                session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
                session.scalar(select(func.count()).select_from(EmbeddingCache)) or 0,
            )

    stored = counts()
    with caplog.at_level(logging.DEBUG):
        for crebo, held in (("", labels[:2]), (ALLROUND, labels[2:5])):
            answer = client.post(
                f"/kandidaatcheck/{profile_id}", data={"opleiding": crebo, "vaardigheid": held}
            )
            assert answer.status_code == 200
    assert counts() == stored  # no audit record, no vector
    assert ALLROUND not in caplog.text
    for label in labels[:5]:
        assert label not in caplog.text


def test_unknown_or_empty_vacancies_and_odd_choices_are_dutch_pages(
    secured: tuple[TestClient, dict[str, str], int],
) -> None:
    client, admin, profile_id = secured
    for path in ("/kandidaatcheck/999999", "/kandidaatcheck/abc", "/kandidaatcheck/99999999999"):
        missing = client.get(path)
        assert missing.status_code == 404
        assert "Deze vacature bestaat niet (meer)." in missing.text
        assert missing.headers["content-type"].startswith("text/html")
    assert client.post("/kandidaatcheck/999999", data={"opleiding": ALLROUND}).status_code == 404

    empty = client.post("/v1/profiles", json={"name": "Leeg"}, headers=admin).json()
    page = client.get(f"/kandidaatcheck/{empty['id']}")
    assert page.status_code == 200
    assert "Voor deze vacature zijn nog geen vaardigheden bekend" in page.text
    nothing = client.post(f"/kandidaatcheck/{empty['id']}", data={"opleiding": ALLROUND})
    assert nothing.status_code == 409  # as the API answers it (app.api.problems.ERRORS)
    assert "Voor deze vacature valt nog niets te vergelijken." in nothing.text

    # A hand-made form: a diploma or a skill the check does not know
    for data in ({"opleiding": "99999"}, {"vaardigheid": ["Een vliegtuig besturen"]}):
        odd = client.post(f"/kandidaatcheck/{profile_id}", data=data)
        assert odd.status_code == 409
        assert "Wat je koos, konden we niet nagaan." in odd.text
        assert "99999" not in odd.text.split("<main>")[1]  # no English detail for the public


def test_the_candidate_check_is_rate_limited_per_address(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(
        database_url="sqlite://",
        embedder="hashing",
        lexical="none",
        auth_disabled=True,
        public_rate_limit_per_minute=3,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        load_demo(client)
        ids = [w["id"] for w in client.get("/v1/workplaces").json()["items"]]
        profile_id = client.post("/v1/profiles", json={"name": "Alles", "workplace_ids": ids}).json()["id"]
        url = f"/kandidaatcheck/{profile_id}"
        assert client.get(url).status_code == 200
        assert client.post(url, data={"opleiding": ALLROUND}).status_code == 200
        assert client.get("/kandidaatcheck/999999").status_code == 404  # every answer counts
        limited = client.get(url)
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["content-type"].startswith("text/html")
        assert "Even rustig aan" in limited.text
        partial = client.post(url, data={"opleiding": ALLROUND}, headers={"HX-Request": "true"})
        assert partial.status_code == 429
        assert "Even rustig aan" in partial.text
        assert "<html" not in partial.text
        # the interface and the API have buckets of their own
        assert client.get("/ui/catalogus").status_code == 200
        assert client.get("/v1/programmes").status_code == 200

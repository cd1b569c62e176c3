"""With API keys on, the web interface asks for a key once and keeps to the key's role (no browser needed)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.auth import keys
from app.main import create_app
from app.matching.embedders import Embedder
from app.settings import Settings
from app.workplaces import service as workplaces
from app.workplaces.service import WorkplaceInput


@pytest.fixture
def locked(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://", lexical="none", lexical_weight=0.0, embedder="hashing", auth_disabled=False
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _key(session: Session, name: str, role: str) -> str:
    created = keys.create_key(session, name=name, role=role)
    session.commit()
    return created.secret


def test_pages_ask_for_a_key_and_respect_its_role(locked: TestClient, session: Session) -> None:
    recruiter = _key(session, "werving", "recruiter")
    project = _key(session, "projectteam", "project")

    away = locked.get("/ui/werkplekken?onderdeel=Noord", follow_redirects=False)
    assert away.status_code == 303
    assert away.headers["location"] == "/ui/inloggen?volgende=/ui/werkplekken%3Fonderdeel%3DNoord"
    assert locked.post("/ui/werkplekken", data={"title": "x"}, follow_redirects=False).status_code == 303
    live = locked.get("/ui/catalogus?q=zorg", headers={"HX-Request": "true"})
    assert live.headers["hx-redirect"] == "/ui/inloggen?volgende=/ui/catalogus%3Fq%3Dzorg"

    wrong = locked.post("/ui/inloggen", data={"sleutel": "sm_0000_niet-echt", "volgende": "/ui"})
    assert wrong.status_code == 401
    assert "Deze sleutel kennen we niet, of hij is ingetrokken." in wrong.text
    assert "skillmatch_ui_key" not in wrong.headers.get("set-cookie", "")

    # Only pages of this interface are a place to return to.
    sent = locked.post(
        "/ui/inloggen", data={"sleutel": recruiter, "volgende": "//elders.invalid/"}, follow_redirects=False
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/ui"
    assert "httponly" in sent.headers["set-cookie"].lower()
    assert "samesite=strict" in sent.headers["set-cookie"].lower()
    page = locked.get("/ui/werkplekken")
    assert page.status_code == 200
    assert "werving (recruiter)" in page.text
    refused = locked.post(
        "/ui/werkplekken", data={"title": "Receptie", "description": "Je ontvangt bezoekers."}
    )
    assert refused.status_code == 403
    assert "mag u hier alleen kijken, niets wijzigen" in refused.text

    locked.post("/ui/uitloggen")
    assert locked.get("/ui", follow_redirects=False).status_code == 303
    locked.post("/ui/inloggen", data={"sleutel": project, "volgende": "/ui/werkplekken"})
    created = locked.post(
        "/ui/werkplekken",
        data={"title": "Receptie", "description": "Je ontvangt bezoekers."},
        follow_redirects=False,
    )
    assert created.status_code == 303
    assert created.headers["location"].startswith("/ui/werkplekken/")

    keys.revoke_key(session, name="projectteam")
    session.commit()
    assert locked.get("/ui/werkplekken", follow_redirects=False).status_code == 303


def test_skill_edits_ask_for_a_key_with_write_scope(locked: TestClient, session: Session) -> None:
    recruiter = _key(session, "werving", "recruiter")
    workplace = workplaces.create_workplace(
        session, data=WorkplaceInput(title="Postkamer", description="Je sorteert de post.")
    )
    session.commit()
    skill = workplace.skills[0]
    edit = f"/ui/werkplekken/{workplace.id}/vaardigheden/{skill.id}"

    anonymous = locked.post(edit, data={"text": "Iets anders", "weight": "2"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/ui/inloggen")
    assert locked.post(f"{edit}/verwijderen", follow_redirects=False).status_code == 303

    locked.post("/ui/inloggen", data={"sleutel": recruiter, "volgende": "/ui"})
    refused = locked.post(edit, data={"text": "Iets anders", "weight": "2"})
    assert refused.status_code == 403
    assert "mag u hier alleen kijken, niets wijzigen" in refused.text
    assert locked.post(f"{edit}/verwijderen").status_code == 403

    session.expire_all()
    assert [s.text for s in workplaces.get_workplace(session, workplace.id).skills] == [skill.text]

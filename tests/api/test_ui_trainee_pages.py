"""The trainee pages over HTTP with keys: trainee records are personal data, so reads need the role
project or admin too, and erasing a trainee needs admin (as /v1/trainees)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.api.ui.access import COOKIE
from app.auth.keys import create_key
from app.main import create_app
from app.matching.embedders import Embedder
from app.settings import Settings


@pytest.fixture
def secured(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(database_url="sqlite://", embedder="hashing", lexical="none", rate_limit_per_minute=0)
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _as(client: TestClient, role: str) -> None:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        secret = create_key(session, name=f"test-{role}", role=role).secret
        session.commit()
    client.cookies.set(COOKIE, secret, path="/ui")


def test_only_the_project_team_sees_trainees_and_only_admins_erase(secured: TestClient) -> None:
    anonymous = secured.get("/ui/trainees", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/ui/inloggen")
    for role in ("recruiter", "vacancy"):
        _as(secured, role)
        refused = secured.get("/ui/trainees")
        assert refused.status_code == 403
        assert "Trainees zijn persoonsgegevens" in refused.text
        assert secured.get("/ui/trainees/poolplannen/1/evaluatie.xlsx").status_code == 403
    _as(secured, "project")
    listed = secured.get("/ui/trainees")
    assert listed.status_code == 200
    assert "Er zijn nog geen trainees." in listed.text
    erase = secured.post("/ui/trainees/1/wissen")
    assert erase.status_code == 403
    assert "alleen de beheerder" in erase.text
    _as(secured, "admin")
    missing = secured.get("/ui/trainees/1/wissen")
    assert missing.status_code == 404
    assert "Deze trainee bestaat niet (meer)." in missing.text
    assert secured.get("/ui/trainees/poolplannen/1").status_code == 404

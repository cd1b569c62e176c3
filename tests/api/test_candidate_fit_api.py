"""The candidate check over HTTP on the demo data: POST /v1/profiles/{id}/candidate-fit."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.api.deps import PublicRateLimit
from app.auth.keys import ROLES, create_key
from app.main import create_app
from app.matching.embedders import Embedder
from app.models import AuditRecord, EmbeddingCache
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS, FIXTURE_WORKPLACES, assert_problem, load_demo

KLANTCONTACT = "Medewerker klantcontact"
VOORSCHOOL = "Pedagogisch medewerker voorschool"
FACILITAIR = "25901"  # Medewerker facilitaire services, niveau 2


@pytest.fixture
def demo(client: TestClient) -> dict[str, int]:
    load_demo(client)
    workplaces = client.get("/v1/workplaces", params={"limit": 500}).json()["items"]
    return {w["title"]: w["id"] for w in workplaces}


@pytest.fixture
def profile(client: TestClient, demo: dict[str, int]) -> int:
    body = {"name": "Klant en kind", "workplace_ids": [demo[KLANTCONTACT], demo[VOORSCHOOL]]}
    created = client.post("/v1/profiles", json=body)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _fit(client: TestClient, profile_id: int, **body: object) -> dict:  # type: ignore[type-arg]
    response = client.post(f"/v1/profiles/{profile_id}/candidate-fit", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _by_title(body: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {w["workplace"]["title"]: w for w in body["workplaces"]}


def _match(client: TestClient, workplace_id: int, crebo: str) -> dict:  # type: ignore[type-arg]
    matches = client.get(f"/v1/workplaces/{workplace_id}/matches", params={"limit": 100}).json()["matches"]
    (match,) = [m for m in matches if m["programme"]["crebo"] == crebo]
    return match  # type: ignore[no-any-return]


def test_unknown_profile_is_404(client: TestClient, demo: dict[str, int]) -> None:
    response = client.post("/v1/profiles/999999/candidate-fit", json={"crebo": FACILITAIR})
    assert_problem(response, 404, "profile 999999")


def test_nothing_to_score_is_422(client: TestClient, profile: int) -> None:
    url = f"/v1/profiles/{profile}/candidate-fit"
    for body in ({}, {"skills_held": []}, {"experience": "   "}):
        problem = assert_problem(client.post(url, json=body), 422, "nothing to score")
        assert problem["type"] == "/problems/nothing-to-score"
    # experience that names no skill, and nothing else: nothing to score either
    assert_problem(client.post(url, json={"experience": "12-03-2024"}), 422, "nothing to score")
    # a profile without skills is the stored data's state, not the request's: 409, as its matches are
    empty = client.post("/v1/profiles", json={"name": "Leeg"}).json()
    problem = assert_problem(
        client.post(f"/v1/profiles/{empty['id']}/candidate-fit", json={"crebo": FACILITAIR}),
        409,
        "nothing to score",
        "no workplace with skills",
    )
    assert problem["type"] == "/problems/nothing-to-score"


def test_unknown_skill_label_or_crebo_is_409_naming_the_field(client: TestClient, profile: int) -> None:
    url = f"/v1/profiles/{profile}/candidate-fit"
    body = {"skills_held": ["Omgaan met boze of gefrustreerde klanten", "Een vliegtuig besturen"]}
    # a label that is none of the profile's skills names what the stored data does not hold: 409
    problem = assert_problem(client.post(url, json=body), 409, "Een vliegtuig besturen")
    assert problem["errors"] == [
        {"location": "skills_held", "message": "'Een vliegtuig besturen' is not a skill of this profile"}
    ]
    # a crebo no kwalificatie has is a record the body names that is not there: 409, naming the field
    problem = assert_problem(client.post(url, json={"crebo": "99999"}), 409, "99999")
    assert [e["location"] for e in problem["errors"]] == ["crebo"]
    assert_problem(client.post(url, json={"crebo": "2590"}), 422, "crebo")  # not a crebo at all


def test_diploma_alone_is_the_match_endpoints_coverage(
    client: TestClient, demo: dict[str, int], profile: int
) -> None:
    body = _fit(client, profile, crebo=FACILITAIR)
    assert body["programme"]["crebo"] == FACILITAIR
    assert body["skills_held"] == []
    for title, fit in _by_title(body).items():
        match = _match(client, demo[title], FACILITAIR)
        assert fit["coverage"]["diploma"] == fit["coverage"]["combined"] == match["coverage"]
        assert fit["coverage"]["skills"] is None
        assert fit["eligible"]["diploma"] == fit["eligible"]["combined"] == match["eligible"]
        assert [(s["text"], s["by_diploma"]) for s in fit["skills"]] == [
            (s["text"], s["covered"]) for s in match["skills"]
        ]
        assert fit["gaps"] == [s["text"] for s in match["gaps"]]
        assert fit["knockouts"] == [s["text"] for s in match["knockouts"]]


def test_diploma_plus_skills_held_follows_the_matching_rules(
    client: TestClient, demo: dict[str, int], profile: int
) -> None:
    """Hand-checked on the demo (hashing embedder, threshold 0.5, min_coverage 0.7, hard credit).
    Medewerker klantcontact, weights 3+3+2+2+2+2+2+3+1 = 20; 25901 covers 12 of them (0.6, not eligible);
    ticking the two uncovered skills of weight 2 that are not trainable gives 16/20 = 0.8, eligible.
    Pedagogisch medewerker voorschool, weights 3+3+3+3+2+3+2+2+1 = 22; 25901 covers 3+2+2 = 7 (0.3182)
    and knocks out on three must-haves; ticking those (3 × 3) gives 16/22 = 0.7273, eligible."""
    ticked = {
        KLANTCONTACT: [
            "Omgaan met boze of gefrustreerde klanten",
            "Zakelijke e-mails schrijven in correct Nederlands",
        ],
        VOORSCHOOL: [
            "Peuters begeleiden bij spel en dagelijkse verzorging",
            "Ontwikkeling van kinderen observeren en vastleggen in een kindvolgsysteem",
            "Zorgen voor een veilige en gezonde speelomgeving",
        ],
    }
    before = _by_title(_fit(client, profile, crebo=FACILITAIR))
    assert before[VOORSCHOOL]["status"] == "knockout"
    assert len(before[VOORSCHOOL]["knockouts"]) == 3
    # labels are matched as the vacancy prints them: any case, no closing full stop
    held = [ticked[KLANTCONTACT][0].lower() + ".", *ticked[KLANTCONTACT][1:], *ticked[VOORSCHOOL]]
    body = _fit(client, profile, crebo=FACILITAIR, skills_held=held)
    assert body["skills_held"] == [*ticked[KLANTCONTACT], *ticked[VOORSCHOOL]]
    fits = _by_title(body)
    for title, fit in fits.items():
        # none of the ticked skills is similar to another skill of the profile: only they are held
        assert [s["text"] for s in fit["skills"] if s["held"]] == ticked[title]
        match = _match(client, demo[title], FACILITAIR)
        weights = [s["weight"] for s in match["skills"]]
        credits = [1.0 if s["text"] in ticked[title] else s["credit"] for s in match["skills"]]
        expected = sum(w * c for w, c in zip(weights, credits, strict=True)) / sum(weights)
        own = sum(w for w, s in zip(weights, match["skills"], strict=True) if s["text"] in ticked[title])
        assert fit["coverage"]["combined"] == pytest.approx(round(expected, 4))
        assert fit["coverage"]["diploma"] == match["coverage"]
        assert fit["coverage"]["skills"] == pytest.approx(round(own / sum(weights), 4))
        assert [s["credit"] for s in fit["skills"]] == credits
    assert fits[KLANTCONTACT]["coverage"] == {"diploma": 0.6, "skills": 0.2, "combined": 0.8}
    assert fits[KLANTCONTACT]["eligible"] == {"diploma": False, "skills": False, "combined": True}
    assert (
        fits[KLANTCONTACT]["to_learn"]
        == fits[KLANTCONTACT]["gaps"]
        == [
            "Informatie opzoeken in de kennisbank en regels toepassen",
            "Werken met Microsoft Office en digitale systemen",
        ]
    )
    assert fits[VOORSCHOOL]["coverage"] == {"diploma": 0.3182, "skills": 0.4091, "combined": 0.7273}
    assert fits[VOORSCHOOL]["eligible"] == {"diploma": False, "skills": False, "combined": True}
    assert fits[VOORSCHOOL]["knockouts"] == []
    assert fits[VOORSCHOOL]["status"] == "eligible"
    assert body["eligible_workplaces"] == 2
    # a stricter minimum is the matching rule's too
    stricter = client.post(
        f"/v1/profiles/{profile}/candidate-fit",
        params={"min_coverage": 0.75},
        json={"crebo": FACILITAIR, "skills_held": held},
    ).json()
    assert {w["workplace"]["title"]: w["eligible"]["combined"] for w in stricter["workplaces"]} == {
        KLANTCONTACT: True,
        VOORSCHOOL: False,
    }


def test_skills_without_a_diploma_and_a_near_duplicate_of_one_held(
    client: TestClient, demo: dict[str, int]
) -> None:
    twin = client.post(
        "/v1/workplaces",
        json={
            "title": "Baliemedewerker",
            "organisation_unit": "Stadsdeel West",
            "skills": [
                {
                    "text": "Omgaan met boze of gefrustreerde klanten aan de balie",
                    "weight": 3,
                    "must_have": True,
                },
                {"text": "Kassa opmaken aan het eind van de dag", "weight": 1, "trainable": True},
            ],
        },
    ).json()
    profile = client.post(
        "/v1/profiles", json={"name": "Balie", "workplace_ids": [demo[KLANTCONTACT], twin["id"]]}
    ).json()
    # the vacancy lists the two as one skill, so ticking that label holds both
    listed = [s["text"] for s in client.get(f"/v1/profiles/{profile['id']}/vacancy").json()["skills"]]
    assert "Omgaan met boze of gefrustreerde klanten aan de balie" in listed  # weight 3 goes first
    assert "Omgaan met boze of gefrustreerde klanten" not in listed
    body = _fit(client, profile["id"], skills_held=["Omgaan met boze of gefrustreerde klanten aan de balie"])
    assert body["programme"] is None
    fits = _by_title(body)
    balie = fits["Baliemedewerker"]
    assert [s["held"] for s in balie["skills"]] == [True, False]
    assert balie["coverage"] == {"diploma": None, "skills": 0.75, "combined": 0.75}
    assert balie["eligible"] == {"diploma": None, "skills": True, "combined": True}
    assert balie["to_learn"] == ["Kassa opmaken aan het eind van de dag"]
    klant = fits[KLANTCONTACT]
    assert [s["text"] for s in klant["skills"] if s["held"]] == ["Omgaan met boze of gefrustreerde klanten"]
    assert klant["coverage"]["combined"] == 0.1  # 2 of 20
    assert klant["status"] == "knockout"  # three must-haves, none held, no diploma
    assert [w["workplace"]["title"] for w in body["workplaces"]] == ["Baliemedewerker", KLANTCONTACT]


def test_experience_is_scored_like_a_description_and_stored_nowhere(
    client: TestClient, demo: dict[str, int], profile: int, caplog: pytest.LogCaptureFixture
) -> None:
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]

    def counts() -> tuple[int, int]:
        with factory() as session:
            assert isinstance(session, Session)
            return (
                session.scalar(select(func.count()).select_from(EmbeddingCache)) or 0,
                session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
            )

    _fit(client, profile, crebo=FACILITAIR)  # the profile's own skills' vectors are stored by now
    stored = counts()
    experience = (
        "Vrijwilliger bij de bibliotheek:\n"
        "- informatie opzoeken in de kennisbank en regels toepassen\n"
        "- werken met Microsoft Office en digitale systemen"
    )
    with caplog.at_level(logging.DEBUG):
        body = _fit(client, profile, crebo=FACILITAIR, experience=experience)
    assert counts() == stored  # no vector, no audit record of the candidate's text
    assert "bibliotheek" not in caplog.text
    assert "kennisbank" not in caplog.text
    assert body["experience_statements"]
    klant = _by_title(body)[KLANTCONTACT]
    by_experience = {s["text"]: s["experience_evidence"] for s in klant["skills"] if s["by_experience"]}
    assert set(by_experience) == {
        "Informatie opzoeken in de kennisbank en regels toepassen",
        "Werken met Microsoft Office en digitale systemen",
    }
    assert all(evidence in body["experience_statements"] for evidence in by_experience.values())
    # the diploma covers 12 of 20, experience the two trainable gaps (2 + 2): 16/20
    assert klant["coverage"] == {"diploma": 0.6, "skills": 0.2, "combined": 0.8}
    assert klant["eligible"]["combined"] is True
    assert all(s["by_experience"] is False for s in _by_title(body)[VOORSCHOOL]["skills"])


def test_public_rate_limit_is_per_client_address_for_routes_without_a_key(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    """What the public candidate page will use: `limit_public`, apart from the per-key limit."""
    settings = Settings(
        database_url="sqlite://",
        embedder="hashing",
        lexical="none",
        auth_disabled=True,
        public_rate_limit_per_minute=2,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)

    @app.get("/probe", dependencies=[PublicRateLimit])
    def probe() -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app, raise_server_exceptions=False) as client:
        assert client.get("/probe").status_code == 200
        assert client.get("/probe").status_code == 200
        limited = client.get("/probe")
        assert_problem(limited, 429, "2 requests a minute")
        assert int(limited.headers["retry-after"]) >= 1
        assert client.get("/v1/programmes").status_code == 200  # the API's own limit is another bucket


def test_every_role_may_check_a_candidate_and_no_key_may_not(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(database_url="sqlite://", embedder="hashing", lexical="none", rate_limit_per_minute=0)
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client, session_factory() as session:
        keys = {role: create_key(session, name=f"test-{role}", role=role).secret for role in ROLES}
        session.commit()
        admin = {"Authorization": f"Bearer {keys['admin']}"}
        files = [("file", (f.name, f.read_bytes(), "application/xml")) for f in FIXTURE_DOSSIERS]
        assert client.post("/v1/dossiers", files=files, headers=admin).status_code == 201
        table = {"file": ("w.csv", FIXTURE_WORKPLACES.read_bytes(), "text/csv")}
        assert client.post("/v1/workplaces/import", files=table, headers=admin).status_code == 201
        ids = [w["id"] for w in client.get("/v1/workplaces", headers=admin).json()["items"]]
        profile = client.post("/v1/profiles", json={"name": "p", "workplace_ids": ids}, headers=admin).json()
        url = f"/v1/profiles/{profile['id']}/candidate-fit"
        assert_problem(client.post(url, json={"crebo": FACILITAIR}), 401)
        for secret in keys.values():  # it stores nothing: the scope of a match, not of a write
            answer = client.post(
                url, json={"crebo": FACILITAIR}, headers={"Authorization": f"Bearer {secret}"}
            )
            assert answer.status_code == 200, answer.text

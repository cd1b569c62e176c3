"""Matching over HTTP: explanations, eligibility, 422 on nothing to score, reverse match, unscored programmes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from app.main import create_app
from app.matching.embedders import Embedder
from app.settings import Settings
from tests.helpers import FIXTURE_DOSSIERS, assert_problem, load_demo, upload_dossiers
from tests.shared_data import shared_data_dir


def _workplace_id(client: TestClient, title: str) -> int:
    items = client.get("/v1/workplaces", params={"limit": 100}).json()["items"]
    return next(w["id"] for w in items if w["title"] == title)


def test_workplace_matches_explain_every_skill_with_a_real_statement(client: TestClient) -> None:
    load_demo(client)
    wid = _workplace_id(client, "Pedagogisch medewerker voorschool")
    body = client.get(f"/v1/workplaces/{wid}/matches", params={"limit": 50}).json()
    workplace = client.get(f"/v1/workplaces/{wid}").json()
    assert body["config"]["model"] == "hashing-char-3-5"
    assert {"model", "model_version", "threshold", "min_coverage"} <= set(body["config"])
    assert body["config"]["ranking"] == "eligible"
    matches = body["matches"]
    assert len(matches) == 5
    # Ranked: eligible first, then by relevance within each group.
    flags = [m["eligible"] for m in matches]
    assert flags == sorted(flags, reverse=True)
    for group in (True, False):
        within = [m["relevance"] for m in matches if m["eligible"] is group]
        assert within == sorted(within, reverse=True)
    top = matches[0]
    assert top["programme"]["dossier"]["crebo"] == "23902"  # the kinderopvang dossier
    assert len(top["skills"]) == len(workplace["skills"])
    for skill in top["skills"]:
        evidence = skill["evidence"]
        statements = client.get(f"/v1/programmes/{top['programme']['crebo']}").json()["statements"]
        assert {"code": evidence["code"], "kind": evidence["kind"], "text": evidence["text"]} in statements
        assert 0.0 <= skill["similarity"] <= 1.0
    # Gaps are exactly the uncovered skills; coverage is their weighted complement.
    for m in matches:
        assert [g["index"] for g in m["gaps"]] == [s["index"] for s in m["skills"] if not s["covered"]]
        total = sum(s["weight"] for s in m["skills"])
        covered = sum(s["weight"] for s in m["skills"] if s["covered"])
        assert m["coverage"] == round(covered / total, 4)
        # Hard credit (this model has no fitted soft-credit width): a skill counts in full or not at all.
        assert [s["credit"] for s in m["skills"]] == [1.0 if s["covered"] else 0.0 for s in m["skills"]]
    assert body["config"]["credit_width"] == 0.0
    assert "telt deels mee" not in client.get(f"/ui/werkplekken/{wid}/matches").text


def test_adhoc_match_eligibility_follows_min_coverage_and_knockouts(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    skills = [
        {"text": "begeleidt kinderen in de groep", "weight": 3},
        {"text": "voert het dagprogramma uit", "weight": 2},
        {"text": "stelt een jaarrekening op", "weight": 1, "must_have": True},
    ]
    strict = client.post("/v1/match", json={"skills": skills, "limit": 50}).json()
    kinderopvang = [m for m in strict["matches"] if m["programme"]["dossier"]["crebo"] == "23902"]
    assert kinderopvang
    for m in kinderopvang:
        # The accounting skill is a must-have no kinderopvang programme covers: knocked out, and named.
        assert not m["eligible"]
        assert [k["text"] for k in m["knockouts"]] == ["stelt een jaarrekening op"]
    skills[2]["trainable"] = True
    relaxed = client.post("/v1/match", json={"skills": skills, "limit": 50, "min_coverage": 0.5}).json()
    eligible = {m["programme"]["crebo"] for m in relaxed["matches"] if m["eligible"]}
    assert eligible & {m["programme"]["crebo"] for m in kinderopvang}
    assert all(m["knockouts"] == [] for m in relaxed["matches"])
    high = client.post("/v1/match", json={"skills": skills, "limit": 50, "min_coverage": 1.0}).json()
    assert all(m["eligible"] == (m["coverage"] == 1.0) for m in high["matches"])


def test_adhoc_match_from_description_stores_nothing(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    body = client.post(
        "/v1/match",
        json={
            "description": "Je begeleidt kinderen van 0 tot 4 jaar en je voert gesprekken met ouders.",
            "niveau": [4],
        },
    ).json()
    assert [s["origin"] for s in body["skills"]] == ["extracted"] * len(body["skills"])
    assert body["skills"]
    assert {m["programme"]["niveau"] for m in body["matches"]} == {4}
    assert client.get("/v1/workplaces").json()["total"] == 0


def test_nothing_to_score_is_422_never_a_score(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    assert_problem(client.post("/v1/match", json={}), 422, "nothing to score")
    assert_problem(client.post("/v1/match", json={"description": "Ja."}), 422, "nothing to score")
    assert_problem(client.post("/v1/match", json={"skills": []}), 422)
    created = client.post("/v1/workplaces", json={"title": "Leeg"}).json()
    assert created["skills"] == []
    # the stored workplace, not the request, has nothing to score: 409
    assert_problem(client.get(f"/v1/workplaces/{created['id']}/matches"), 409, "no skills")
    assert_problem(client.get("/v1/workplaces/999999/matches"), 404)


def test_no_programme_to_score_against_is_said_not_an_empty_list(client: TestClient) -> None:
    """An empty answer would read as "no diploma fits"; with nothing to compare against, the API says so."""
    from app.catalogue.service import import_crebolijst

    skills = {"skills": [{"text": "verzorgt de post"}]}
    body = assert_problem(client.post("/v1/match", json=skills), 409, "import SBB kwalificatiedossiers")
    assert body["type"] == "/problems/no-programmes"
    created = client.post(
        "/v1/workplaces", json={"title": "Postkamer", "skills": [{"text": "verzorgt de post"}]}
    ).json()
    assert_problem(client.get(f"/v1/workplaces/{created['id']}/matches"), 409, "no programme")
    assert_problem(client.get(f"/v1/workplaces/{created['id']}/vacancy"), 409, "no programme")

    # The national list alone names programmes but gives nothing to score on.
    data = (shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv").read_bytes()
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        import_crebolijst(session, data=data)
        session.commit()
    unscored = {**skills, "include_unscored": True}
    assert_problem(client.post("/v1/match", json=unscored), 409, "470 known by name only")

    # With dossiers there is something to score, but not at a niveau none of them has.
    upload_dossiers(client, FIXTURE_DOSSIERS)
    assert client.post("/v1/match", json=skills).json()["scored_total"] == 5
    only_1 = assert_problem(client.post("/v1/match", json={**skills, "niveau": [1]}), 409, "niveau 1")
    assert "skill content at niveau 2, 3, 4" in only_1["detail"]
    assert client.get(f"/v1/workplaces/{created['id']}/vacancy").status_code == 200


def test_catalogue_only_programmes_are_listed_but_never_scored(client: TestClient) -> None:
    from sqlalchemy.orm import Session

    from app.catalogue.service import import_crebolijst

    data = (shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv").read_bytes()
    factory = client.app.state.sessionmaker  # type: ignore[attr-defined]
    with factory() as session:
        assert isinstance(session, Session)
        import_crebolijst(session, data=data)
        session.commit()
    upload_dossiers(client, FIXTURE_DOSSIERS)
    listing = client.get("/v1/programmes", params={"niveau": [3, 4], "limit": 5}).json()
    assert listing["total"] == 154 + 178 + 4  # the national list at niveau 3-4, plus 4 demo kwalificaties
    assert {p["status"] for p in listing["items"]} == {"no_skill_content"}
    assert client.get("/v1/programmes", params={"q": "kinderopvang"}).json()["total"] >= 2
    # A kwalificatie known only from the list: never a number.
    fit = client.get("/v1/programmes/25499/workplaces").json()
    assert fit["status"] == "no_skill_content"
    assert fit["workplaces"] == []
    body = client.post(
        "/v1/match", json={"skills": [{"text": "verzorgt de post"}], "include_unscored": True, "limit": 50}
    ).json()
    unscored = [m for m in body["matches"] if m["status"] == "no_skill_content"]
    assert len(unscored) == 470
    assert all(m["coverage"] is None and m["eligible"] is None for m in unscored)
    assert all(m["coverage"] is not None for m in body["matches"] if m["status"] == "scored")


def test_reverse_match_lists_workplaces_for_a_diploma(client: TestClient) -> None:
    load_demo(client)
    body = client.get("/v1/programmes/25903/workplaces").json()
    assert body["status"] == "scored"
    assert len(body["workplaces"]) == 6
    order = [(not w["eligible"], -w["coverage"]) for w in body["workplaces"]]
    assert order == sorted(order)  # eligible first, then by coverage
    assert body["workplaces"][0]["title"] == "Pedagogisch medewerker voorschool"
    # Agrees with the forward match for the same pair.
    wid = body["workplaces"][0]["workplace_id"]
    forward = client.get(f"/v1/workplaces/{wid}/matches", params={"limit": 50}).json()["matches"]
    assert (
        next(m for m in forward if m["programme"]["crebo"] == "25903")["coverage"]
        == (body["workplaces"][0]["coverage"])
    )
    assert_problem(client.get("/v1/programmes/99999/workplaces"), 404)


def test_pagination_and_filters(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    first = client.get("/v1/programmes", params={"limit": 2, "offset": 0}).json()
    second = client.get("/v1/programmes", params={"limit": 2, "offset": 2}).json()
    assert first["total"] == second["total"] == 5
    assert [p["crebo"] for p in first["items"] + second["items"]] == ["25901", "25902", "25903", "25904"]
    assert {p["niveau"] for p in client.get("/v1/programmes", params={"niveau": 2}).json()["items"]} == {2}
    assert client.get("/v1/programmes", params={"dossier": "23902"}).json()["total"] == 2
    assert_problem(client.get("/v1/programmes/abc"), 422)
    assert_problem(client.get("/v1/programmes/12345"), 404)


def test_health_reports_model_and_database(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["model"] == "hashing-char-3-5"


def test_with_soft_credit_each_skill_shows_the_credit_that_coverage_adds_up(
    session_factory: sessionmaker[Session], hashing_embedder: Embedder
) -> None:
    settings = Settings(
        database_url="sqlite://",
        lexical="none",
        lexical_weight=0.0,
        embedder="hashing",
        auth_disabled=True,
        credit_width=0.3,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        load_demo(client)
        partial = 0
        for workplace in client.get("/v1/workplaces", params={"limit": 100}).json()["items"]:
            body = client.get(f"/v1/workplaces/{workplace['id']}/matches", params={"limit": 50}).json()
            assert body["config"]["credit_width"] == 0.3
            threshold = body["config"]["threshold"]
            for m in body["matches"]:
                total = sum(s["weight"] for s in m["skills"])
                credited = sum(s["weight"] * s["credit"] for s in m["skills"])
                assert m["coverage"] == pytest.approx(credited / total, abs=1e-3)
                for s in m["skills"]:
                    assert 0.0 <= s["credit"] <= 1.0
                    assert s["covered"] == (s["credit"] >= 0.5) == (s["similarity"] >= threshold - 1e-4)
                    # Full credit from threshold + width/2, none below threshold − width/2.
                    if s["similarity"] >= threshold + 0.15 + 1e-4:
                        assert s["credit"] == 1.0
                    if s["similarity"] <= threshold - 0.15 - 1e-4:
                        assert s["credit"] == 0.0
                    partial += 0.0 < s["credit"] < 1.0
        assert partial > 0
        # The interface says that coverage counts part of a skill near the line, and shows each credit.
        workplace_id = _workplace_id(client, "Pedagogisch medewerker voorschool")
        page = client.get(f"/ui/werkplekken/{workplace_id}/matches").text
        assert "telt deels mee" in page
        answer = client.get(f"/v1/workplaces/{workplace_id}/matches", params={"limit": 25}).json()
        shown = [f'data-testid="credit">{round(k["credit"] * 100)}%<' for k in answer["matches"][0]["skills"]]
        assert all(cell in page for cell in shown)
        # Rotations count the same credits; a skill learnt at an earlier step counts in full.
        for crebo in ("25903", "25904", "25905"):
            for proposal in client.get(f"/v1/programmes/{crebo}/rotations").json()["proposals"]:
                for step in proposal["steps"]:
                    total = sum(k["weight"] for k in step["skills"])
                    counted = sum(k["weight"] * k["credit"] for k in step["skills"])
                    effective = sum(k["weight"] * k["effective_credit"] for k in step["skills"])
                    assert step["coverage"] == pytest.approx(counted / total, abs=1e-3)
                    assert step["effective_coverage"] == pytest.approx(effective / total, abs=1e-3)
                    for k in step["skills"]:
                        assert k["effective_credit"] in (k["credit"], 1.0)
                        if k["learnt_before"]:
                            assert k["effective_credit"] == 1.0


def test_programmes_known_by_their_titles_only_are_marked_in_the_answer_and_the_page(
    client: TestClient,
) -> None:
    load_demo(client)
    titles_only = shared_data_dir() / "kd-2016-titles-dev" / "xml" / "dossier_23030.xml"
    upload_dossiers(client, [titles_only])
    wid = _workplace_id(client, "Pedagogisch medewerker voorschool")
    matches = client.get(f"/v1/workplaces/{wid}/matches", params={"limit": 100}).json()["matches"]
    marked = {m["programme"]["crebo"]: m["titles_only"] for m in matches}
    demo = {m["programme"]["crebo"] for m in matches if m["programme"]["crebo"].startswith("2590")}
    assert demo
    assert not any(marked[c] for c in demo)
    assert any(marked[c] for c in marked if c not in demo)
    page = client.get(f"/ui/werkplekken/{wid}/matches", params={"aantal": "100"}).text
    assert page.count('data-testid="titles-only"') == sum(marked.values())
    assert "alleen titels bekend" in page

"""Traineeship planning over HTTP on the demo data: profiles, rotations, pool plans, learning plans, vacancies."""

from __future__ import annotations

import io
from collections import Counter

import docx
import pytest
from fastapi.testclient import TestClient

from tests.helpers import assert_problem, load_demo

SENTENCE = (
    "Staat jouw opleiding er niet tussen maar beschik jij wel over de meeste van deze skills? "
    "Solliciteer dan ook."
)


@pytest.fixture
def demo(client: TestClient) -> dict[str, dict]:  # type: ignore[type-arg]
    load_demo(client)
    workplaces = client.get("/v1/workplaces", params={"limit": 500}).json()["items"]
    return {w["title"]: w for w in workplaces}


def _matches(client: TestClient, workplace_id: int) -> dict[str, dict]:  # type: ignore[type-arg]
    body = client.get(f"/v1/workplaces/{workplace_id}/matches", params={"limit": 100}).json()
    return {m["programme"]["crebo"]: m for m in body["matches"] if m["status"] == "scored"}


def test_suggested_profiles_are_stable_under_a_fixed_seed(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    first = client.post("/v1/profiles:suggest", json={"k": 3, "seed": 7})
    assert first.status_code == 200, first.text
    again = client.post("/v1/profiles:suggest", json={"k": 3, "seed": 7})
    reordered = client.post(
        "/v1/profiles:suggest",
        json={"k": 3, "seed": 7, "workplace_ids": sorted((w["id"] for w in demo.values()), reverse=True)},
    )
    assert first.json() == again.json() == reordered.json()
    body = first.json()
    assert len(body["profiles"]) == 3
    clustered = [w["id"] for p in body["profiles"] for w in p["workplaces"]]
    assert sorted(clustered) == sorted(w["id"] for w in demo.values())  # each workplace exactly once
    for profile in body["profiles"]:
        assert profile["name"]
        assert profile["characteristic_skills"]
        if len(profile["workplaces"]) == 1:
            assert profile["cohesion"] is None
            assert profile["shared_skills"] == []


def test_more_profiles_than_workplaces_is_refused(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    response = client.post("/v1/profiles:suggest", json={"k": 7})
    assert_problem(response, 409, "k=7", "only 6 workplace(s)")
    assert_problem(client.post("/v1/profiles:suggest", json={"workplace_ids": [999999]}), 409, "999999")


def test_profiles_can_be_saved_renamed_and_edited(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    ids = [demo["Medewerker klantcontact"]["id"], demo["Administratief medewerker burgerzaken"]["id"]]
    created = client.post("/v1/profiles", json={"name": "Dienstverlening", "workplace_ids": ids})
    assert created.status_code == 201, created.text
    profile = created.json()
    assert created.headers["location"] == f"/v1/profiles/{profile['id']}"
    assert profile["directies"] == ["Directie Dienstverlening", "Stadsdeel Zuidoost"]

    renamed = client.patch(f"/v1/profiles/{profile['id']}", json={"name": "Klant en burger"})
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Klant en burger"
    assert [w["id"] for w in renamed.json()["workplaces"]] == sorted(ids)

    edited = client.patch(f"/v1/profiles/{profile['id']}", json={"workplace_ids": ids[:1]})
    assert [w["id"] for w in edited.json()["workplaces"]] == ids[:1]
    listed = client.get("/v1/profiles").json()
    assert [p["name"] for p in listed["items"]] == ["Klant en burger"]

    assert_problem(client.patch(f"/v1/profiles/{profile['id']}", json={"workplace_ids": [999999]}), 409)
    assert client.delete(f"/v1/profiles/{profile['id']}").status_code == 204
    assert_problem(client.get(f"/v1/profiles/{profile['id']}"), 404)


def test_profile_matches_rank_by_eligible_share(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    ids = [demo["Medewerker klantcontact"]["id"], demo["Administratief medewerker burgerzaken"]["id"]]
    profile = client.post("/v1/profiles", json={"name": "Dienstverlening", "workplace_ids": ids}).json()
    body = client.get(f"/v1/profiles/{profile['id']}/matches").json()
    per_workplace = {i: _matches(client, i) for i in ids}
    shares = [p["eligible_share"] for p in body["programmes"]]
    assert shares == sorted(shares, reverse=True)
    for p in body["programmes"]:
        crebo = p["programme"]["crebo"]
        expected = [i for i in sorted(ids) if per_workplace[i][crebo]["eligible"]]
        assert p["eligible_workplaces"] == expected
        assert p["eligible_share"] == pytest.approx(len(expected) / len(ids))

    empty = client.post("/v1/profiles", json={"name": "Leeg"}).json()
    assert_problem(client.get(f"/v1/profiles/{empty['id']}/matches"), 409, "no workplaces")
    assert_problem(client.get(f"/v1/profiles/{empty['id']}/vacancy"), 409)


def test_vacancy_lists_only_eligible_programmes(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    ids = [w["id"] for w in demo.values()]
    profile = client.post("/v1/profiles", json={"name": "Alle werkplekken", "workplace_ids": ids}).json()
    response = client.get(f"/v1/profiles/{profile['id']}/vacancy")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["sentence"] == SENTENCE
    assert 8 <= len(body["skills"]) <= 12
    eligible_somewhere = {crebo for i in ids for crebo, m in _matches(client, i).items() if m["eligible"]}
    assert {p["crebo"] for p in body["programmes"]} == eligible_somewhere
    assert all(p["coverage"] >= body["min_coverage"] for p in body["programmes"])

    strict = client.get(f"/v1/profiles/{profile['id']}/vacancy", params={"min_coverage": 1.0}).json()
    assert len(strict["programmes"]) < len(body["programmes"])

    markdown = client.get(f"/v1/profiles/{profile['id']}/vacancy", params={"format": "markdown"})
    assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
    assert SENTENCE in markdown.text
    assert markdown.text.startswith("# Traineeship: Alle werkplekken")
    for p in body["programmes"]:
        assert f"crebo {p['crebo']}" in markdown.text


def test_workplace_vacancy(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    workplace = demo["Medewerker klantcontact"]
    body = client.get(f"/v1/workplaces/{workplace['id']}/vacancy").json()
    assert body["directies"] == ["Directie Dienstverlening"]
    eligible = {c for c, m in _matches(client, workplace["id"]).items() if m["eligible"]}
    assert {p["crebo"] for p in body["programmes"]} == eligible
    assert body["sentence"] == SENTENCE
    assert_problem(client.get("/v1/workplaces/999999/vacancy"), 404)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx_text(content: bytes) -> tuple[list[str], list[tuple[str, str]]]:
    """The document's paragraphs as python-docx reads them: (text, style name) and the texts alone."""
    document = docx.Document(io.BytesIO(content))
    paragraphs = [(p.text, p.style.name if p.style is not None else "") for p in document.paragraphs]
    return [text for text, _style in paragraphs], paragraphs


def test_vacancy_as_a_word_document(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    ids = [w["id"] for w in demo.values()]
    profile = client.post(
        "/v1/profiles", json={"name": "Zorg & Welzijn — Noord", "workplace_ids": ids}
    ).json()
    url = f"/v1/profiles/{profile['id']}/vacancy"
    body = client.get(url).json()
    response = client.get(url, params={"format": "docx"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == DOCX
    assert (
        response.headers["content-disposition"] == 'attachment; filename="vacature-zorg-welzijn-noord.docx"'
    )
    texts, paragraphs = _docx_text(response.content)
    assert texts[0] == "Traineeship: Zorg & Welzijn — Noord"
    assert paragraphs[0][1] == "Title"
    bullets = [text for text, style in paragraphs if style == "List Bullet"]
    assert [s["text"] for s in body["skills"]] == [
        t for t in bullets if t in {s["text"] for s in body["skills"]}
    ]
    for skill in body["skills"]:
        assert (skill["text"], "List Bullet") in paragraphs
    assert body["programmes"]
    for p in body["programmes"]:
        assert any(t.startswith(f"{p['title']} (crebo {p['crebo']}, niveau {p['niveau']})") for t in bullets)
    assert texts[-1] == SENTENCE
    # the same text as the Markdown, line for line
    markdown = client.get(url, params={"format": "markdown"})
    assert markdown.headers["content-disposition"] == 'inline; filename="vacature-zorg-welzijn-noord.md"'
    lines = [
        line.removeprefix("# ").removeprefix("## ").removeprefix("- ") for line in markdown.text.splitlines()
    ]
    assert [line.replace("**", "") for line in lines if line] == texts

    workplace = demo["Medewerker klantcontact"]
    one = client.get(f"/v1/workplaces/{workplace['id']}/vacancy", params={"format": "docx"})
    assert (
        one.headers["content-disposition"] == 'attachment; filename="vacature-medewerker-klantcontact.docx"'
    )
    texts, _paragraphs = _docx_text(one.content)
    assert SENTENCE in texts
    assert "Je werkt telkens zeven maanden op een werkplek, zoals:" not in texts  # one workplace
    assert_problem(client.get("/v1/workplaces/999999/vacancy", params={"format": "docx"}), 404)


def test_learning_plan_equals_the_uncovered_skills(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    for title in ("Medewerker facilitaire dienstverlening stadskantoor", "Medewerker buurtwerk"):
        workplace = demo[title]
        matches = _matches(client, workplace["id"])
        for crebo, match in matches.items():
            response = client.get(
                f"/v1/programmes/{crebo}/learning-plan", params={"workplace_id": workplace["id"]}
            )
            assert response.status_code == 200, response.text
            (step,) = response.json()["steps"]
            gaps = [g for t in step["themes"] for g in t["gaps"]]
            assert sorted(g["text"] for g in gaps) == sorted(s["text"] for s in match["gaps"])
            knockouts = sorted(g["text"] for g in gaps if g["kind"] == "knockout")
            assert knockouts == sorted(s["text"] for s in match["knockouts"])
            assert all(
                g["kind"] == "trainable"
                for g in gaps
                if g["text"] in {s["text"] for s in match["gaps"] if s["trainable"]}
            )
            assert all(len(g["pointers"]) == 3 for g in gaps)
            assert all(t["code"] for t in step["themes"])


def test_learning_plan_over_a_rotation_counts_what_was_learnt(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    ids = [demo["Medewerker klantcontact"]["id"], demo["Administratief medewerker burgerzaken"]["id"]]
    single = client.get("/v1/programmes/25901/learning-plan", params={"workplace_id": ids[1]}).json()
    rotation = client.get("/v1/programmes/25901/learning-plan", params={"workplace_id": ids}).json()
    second = rotation["steps"][1]
    gaps_alone = {g["text"] for t in single["steps"][0]["themes"] for g in t["gaps"]}
    gaps_after = {g["text"] for t in second["themes"] for g in t["gaps"]}
    assert gaps_after == gaps_alone - set(second["learnt_before"])
    assert second["effective_coverage"] >= second["coverage"]
    assert_problem(
        client.get("/v1/programmes/25901/learning-plan", params={"workplace_id": [ids[0], ids[0]]}),
        422,
        "appears more than once",
    )
    assert_problem(client.get("/v1/programmes/99999/learning-plan", params={"workplace_id": ids[0]}), 404)


def test_rotations_are_explained_and_never_knock_out(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    response = client.get("/v1/programmes/25901/rotations", params={"limit": 50})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["evaluated"] == 6 * 5 * 4
    for proposal in body["proposals"]:
        assert len(set(proposal["workplace_ids"])) == 3
        for step in proposal["steps"]:
            assert step["status"] != "knockout"
            assert not any(s["knockout"] for s in step["skills"])
            assert step["effective_coverage"] >= step["coverage"]
    assert body["proposals"]  # the hashing embedder finds knockout-free triples for 25901
    assert body["reason"] == ""
    ranks = [
        (len(p["directies"]), -[s["status"] for s in p["steps"]].count("eligible")) for p in body["proposals"]
    ]
    assert ranks == sorted(ranks)

    one = client.get(
        "/v1/programmes/25901/rotations", params={"directie": "Directie Facilitair Bureau"}
    ).json()
    assert one["proposals"] == []
    assert "needs at least 3" in one["reason"]
    pairs = client.get(
        "/v1/programmes/25901/rotations",
        params={"length": 1, "directie": "Directie Facilitair Bureau"},
    ).json()
    assert [p["directies"] for p in pairs["proposals"]] in ([], [["Directie Facilitair Bureau"]])


def _plan(client: TestClient, crebos: list[str], **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/v1/rotations:plan",
        json={"trainees": [{"crebo": c, "ref": f"T{i}"} for i, c in enumerate(crebos)], **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.mark.parametrize("limit", [1, 2, 4])
def test_pool_plan_respects_the_directie_limit_and_never_double_books(
    client: TestClient,
    demo: dict,
    limit: int,  # type: ignore[type-arg]
) -> None:
    body = _plan(client, ["25901", "25901", "25902", "25905", "25901", "25902"], max_per_directie=limit)
    assert body["status"] == "optimal"
    booked: Counter[tuple[int, int]] = Counter()
    per_directie: Counter[str] = Counter()
    for placement in body["placements"]:
        if not placement["placed"]:
            assert placement["reason"]
            continue
        rotation = placement["rotation"]
        assert len(set(rotation["workplace_ids"])) == 3
        booked.update((period, w) for period, w in enumerate(rotation["workplace_ids"]))
        per_directie.update(set(rotation["directies"]))
        assert all(s["status"] != "knockout" for s in rotation["steps"])
    assert all(n == 1 for n in booked.values())
    assert all(n <= limit for n in per_directie.values())
    assert body["trainees_per_directie"] == dict(sorted(per_directie.items()))
    assert body["placed"] == sum(1 for p in body["placements"] if p["placed"])


def test_pool_plan_places_more_with_a_looser_limit(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    crebos = ["25901", "25901", "25902", "25901"]
    tight = _plan(client, crebos, max_per_directie=1)
    loose = _plan(client, crebos, max_per_directie=4)
    # the three usable workplaces sit in three directies: one trainee per directie leaves room for one
    assert tight["placed"] < loose["placed"]
    assert all(n <= 1 for n in tight["trainees_per_directie"].values())


def test_pool_plan_rejects_unknown_diplomas(client: TestClient, demo: dict) -> None:  # type: ignore[type-arg]
    response = client.post("/v1/rotations:plan", json={"trainees": [{"crebo": "25901"}, {"crebo": "99999"}]})
    assert_problem(response, 409, "trainees[1].crebo")
    assert_problem(client.post("/v1/rotations:plan", json={"trainees": []}), 422)

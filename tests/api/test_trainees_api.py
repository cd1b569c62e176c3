"""The trainee pool over HTTP on the demo data: records, saved pool plans, overrides, progress, evaluation."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import Counter
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.keys import create_key
from app.main import create_app
from app.matching.embedders import Embedder
from app.models import PoolPlacement, Trainee, TraineeProgress
from app.settings import Settings
from app.trainees import service
from tests.helpers import assert_problem, load_demo

START = "2026-09-01"
CREBOS = ["25901", "25901", "25902", "25905", "25901", "25902"]


def _add(client: TestClient, crebo: str, ref: str, **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/trainees", json={"ref": ref, "crebo": crebo, "start_date": START, **extra})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def pool(client: TestClient) -> list[dict]:  # type: ignore[type-arg]
    load_demo(client)
    return [_add(client, c, f"Trainee {i}", begeleider="Begeleider A") for i, c in enumerate(CREBOS)]


def _plan(client: TestClient, **extra: object) -> dict:  # type: ignore[type-arg]
    response = client.post("/v1/pool-plans", json=extra)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/v1/pool-plans/{response.json()['id']}"
    return response.json()  # type: ignore[no-any-return]


def test_trainee_records_add_read_edit_and_their_calendar(client: TestClient) -> None:
    load_demo(client)
    created = _add(client, "25901", "Sanne de Vries", begeleider="J. Jansen")
    assert created["niveau"] == client.get("/v1/programmes/25901").json()["niveau"]  # when not sent
    assert created["end_date"] == "2028-06-30"
    assert [(p["name"], p["start"], p["end"]) for p in created["calendar"]] == [
        ("introductie", "2026-09-01", "2026-09-30"),
        ("periode 1", "2026-10-01", "2027-04-30"),
        ("periode 2", "2027-05-01", "2027-11-30"),
        ("periode 3", "2027-12-01", "2028-06-30"),
    ]
    got = client.get(f"/v1/trainees/{created['id']}").json()
    assert got == created
    patched = client.patch(f"/v1/trainees/{created['id']}", json={"start_date": "2027-01-31", "niveau": 4})
    assert patched.status_code == 200, patched.text
    assert patched.json()["calendar"][1]["start"] == "2027-02-28"
    assert patched.json()["niveau"] == 4
    assert patched.json()["begeleider"] == "J. Jansen"  # not sent, not changed
    assert client.get("/v1/trainees").json()["total"] == 1


def test_trainee_errors_name_the_field(client: TestClient) -> None:
    load_demo(client)
    assert_problem(client.get("/v1/trainees/999999"), 404, "trainee 999999")
    assert_problem(client.patch("/v1/trainees/999999", json={"ref": "x"}), 404)
    assert_problem(client.delete("/v1/trainees/999999"), 404)
    unknown = client.post("/v1/trainees", json={"ref": "x", "crebo": "99999", "start_date": START})
    assert_problem(unknown, 409, '"location":"crebo"')
    profile = client.post(
        "/v1/trainees", json={"ref": "x", "crebo": "25901", "start_date": START, "profile_id": 999}
    )
    assert_problem(profile, 409, '"location":"profile_id"')
    bad = client.post("/v1/trainees", json={"ref": "", "crebo": "2590", "start_date": "1 sept", "niveau": 5})
    body = assert_problem(bad, 422)
    assert {e["location"] for e in body["errors"]} == {
        "body.ref",
        "body.crebo",
        "body.start_date",
        "body.niveau",
    }
    trainee = _add(client, "25901", "x")
    landed = client.patch(f"/v1/trainees/{trainee['id']}", json={"landed_workplace_id": 999999})
    assert_problem(landed, 409, '"location":"landed_workplace_id"')


def test_a_saved_plan_keeps_every_rule_and_its_scoring_version(client: TestClient, pool: list[dict]) -> None:  # type: ignore[type-arg]
    plan = _plan(client, max_per_directie=4)
    assert plan["status"] == "optimal"
    assert plan["scoring_version"] == plan["current_scoring_version"]
    assert plan["same_scoring_version"] is True
    assert [p["start"] for p in plan["calendar"]] == ["2026-09-01", "2026-10-01", "2027-05-01", "2027-12-01"]
    assert {t["trainee_id"] for t in plan["trainees"]} == {t["id"] for t in pool}
    booked: Counter[tuple[int, int]] = Counter()
    for trainee in plan["trainees"]:
        assert [p["period"] for p in trainee["placements"]] == [1, 2, 3]
        placed = [p["workplace"]["id"] for p in trainee["placements"] if p["workplace"]]
        if trainee["placed"]:
            assert len(set(placed)) == 3
            assert trainee["placements"][0]["start"] == "2026-10-01"
            assert trainee["placements"][2]["end"] == "2028-06-30"
        else:
            assert all(p["reason"] for p in trainee["placements"])
        booked.update((p["period"], p["workplace"]["id"]) for p in trainee["placements"] if p["workplace"])
    assert booked
    assert all(n == 1 for n in booked.values())
    assert all(n <= 4 for n in plan["trainees_per_directie"].values())
    assert client.get(f"/v1/pool-plans/{plan['id']}").json() == plan
    assert [p["id"] for p in client.get("/v1/pool-plans").json()["items"]] == [plan["id"]]


def test_a_plan_made_under_another_scoring_version_says_so(
    client: TestClient, pool: list[dict], session_factory: sessionmaker[Session]
) -> None:  # type: ignore[type-arg]
    plan = _plan(client)
    from app.models import PoolPlan

    with session_factory() as session:
        session.get(PoolPlan, plan["id"]).scoring_version = "0-older"  # type: ignore[union-attr]
        session.commit()
    got = client.get(f"/v1/pool-plans/{plan['id']}").json()
    assert got["scoring_version"] == "0-older"
    assert got["same_scoring_version"] is False
    assert got["current_scoring_version"] == plan["scoring_version"]


def test_plan_errors(client: TestClient) -> None:
    load_demo(client)
    assert_problem(client.post("/v1/pool-plans", json={}), 409, "no trainees")
    _add(client, "25901", "x")
    assert_problem(client.post("/v1/pool-plans", json={"trainee_ids": [999999]}), 409, "trainee_ids")
    assert_problem(client.post("/v1/pool-plans", json={"workplace_ids": [999999]}), 409, "workplace_ids")
    assert_problem(client.post("/v1/pool-plans", json={"max_per_directie": 0}), 422, "max_per_directie")
    assert_problem(client.get("/v1/pool-plans/999999"), 404, "pool plan 999999")
    assert_problem(client.delete("/v1/pool-plans/999999"), 404)
    assert_problem(client.patch("/v1/pool-plans/999999/placements/1", json={"workplace_id": 1}), 404)


def _placed(plan: dict) -> list[dict]:  # type: ignore[type-arg]
    return [t for t in plan["trainees"] if t["placed"]]


def _rules(response) -> set[str]:  # type: ignore[no-untyped-def]
    body = assert_problem(response, 409, "the override breaks")
    return {e["location"].removeprefix("rule ") for e in body["errors"]}


def test_an_override_is_saved_or_refused_naming_each_rule(client: TestClient, pool: list[dict]) -> None:  # type: ignore[type-arg]
    plan = _plan(client)
    first, second = _placed(plan)[:2]
    url = f"/v1/pool-plans/{plan['id']}/placements"
    mine = first["placements"][0]
    # the workplace another trainee has in the same period: double-booked
    taken = second["placements"][0]["workplace"]["id"]
    assert "no-double-booking" in _rules(client.patch(f"{url}/{mine['id']}", json={"workplace_id": taken}))
    # a workplace the trainee has in another period: not three different workplaces
    own = first["placements"][1]["workplace"]["id"]
    assert "different-workplaces" in _rules(client.patch(f"{url}/{mine['id']}", json={"workplace_id": own}))
    assert_problem(
        client.patch(f"{url}/{mine['id']}", json={"workplace_id": 999999}), 409, "offered-workplace"
    )
    assert_problem(client.patch(f"{url}/999999", json={"workplace_id": own}), 404, "placement 999999")
    assert_problem(client.patch(f"{url}/{mine['id']}", json={"workplace_id": "x"}), 422, "workplace_id")
    assert client.get(f"/v1/pool-plans/{plan['id']}").json() == plan  # nothing changed

    # a legal move: take a trainee off a period, then put them back
    cleared = client.patch(f"{url}/{mine['id']}", json={"workplace_id": None})
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert body["overridden"] is True
    moved = next(t for t in body["trainees"] if t["trainee_id"] == first["trainee_id"])["placements"][0]
    assert moved["workplace"] is None
    assert moved["overridden"] is True
    back = client.patch(f"{url}/{mine['id']}", json={"workplace_id": mine["workplace"]["id"]})
    assert back.status_code == 200, back.text


def test_the_directie_limit_is_rechecked(client: TestClient, pool: list[dict]) -> None:  # type: ignore[type-arg]
    plan = _plan(client, max_per_directie=1)
    per = plan["trainees_per_directie"]
    assert all(n <= 1 for n in per.values())
    placed = _placed(plan)
    unplaced = [t for t in plan["trainees"] if not t["placed"]]
    assert placed
    assert unplaced
    # putting an unplaced trainee in any period at a workplace of a directie already holding one breaks it
    target = unplaced[0]["placements"][0]
    used = {p["workplace"]["id"] for p in placed[0]["placements"]}
    other_periods = [p for p in placed[0]["placements"] if p["period"] != 1]
    workplace = other_periods[0]["workplace"]["id"]
    assert workplace in used
    rules = _rules(
        client.patch(
            f"/v1/pool-plans/{plan['id']}/placements/{target['id']}", json={"workplace_id": workplace}
        )
    )
    assert "max-per-directie" in rules


def _progress(client: TestClient, trainee_id: int) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/v1/trainees/{trainee_id}/progress")
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _learnable(progress: dict) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """The first placement with a skill the diploma does not cover, and that skill."""
    for placement in progress["placements"]:
        gaps = [s for s in placement["skills"] if not s["covered_by_diploma"] and not s["learnt_before"]]
        if gaps:
            return placement, gaps[0]
    raise AssertionError("every skill is covered: nothing to learn")


def test_marking_skills_learnt_raises_later_coverage(client: TestClient, pool: list[dict]) -> None:  # type: ignore[type-arg]
    plan = _plan(client)
    trainee_id = _placed(plan)[0]["trainee_id"]
    before = _progress(client, trainee_id)
    assert before["plan_id"] == plan["id"]
    assert len(before["placements"]) == 3
    for p in before["placements"]:
        assert p["coverage_at_start"] == p["coverage_at_end"]
        assert p["coverage_by_diploma"] <= p["coverage_at_start"]
    # learn every uncovered skill of the second placement there: its end coverage is then 1, and every
    # later skill similar to one of them counts as covered
    second = before["placements"][1]
    marked = []
    for skill in second["skills"]:
        if skill["covered_by_diploma"] or skill["learnt_before"]:
            continue
        response = client.post(
            f"/v1/trainees/{trainee_id}/progress",
            json={
                "placement_id": second["placement_id"],
                "skill": skill["text"],
                "learnt_on": "2027-06-01",
                "note": "in de praktijk",
            },
        )
        assert response.status_code == 201, response.text
        marked.append(response.json())
    assert len(marked) >= 2
    after = _progress(client, trainee_id)
    step = after["placements"][1]
    assert step["coverage_at_end"] == 1.0
    assert step["coverage_at_start"] == second["coverage_at_start"]
    assert after["placements"][0] == before["placements"][0]  # an earlier placement is not changed
    assert after["placements"][2]["coverage_at_start"] >= before["placements"][2]["coverage_at_start"]
    assert {m["skill"] for m in after["learnt"]} == {m["skill"] for m in marked}
    # a skill of the workplace that is also at the third one (the same text) now counts as covered there
    third_texts = {s["text"]: s for s in after["placements"][2]["skills"]}
    for m in marked:
        if m["skill"] in third_texts and not third_texts[m["skill"]]["covered_by_diploma"]:
            assert third_texts[m["skill"]]["learnt_before"] is True

    again = client.post(
        f"/v1/trainees/{trainee_id}/progress",
        json={"placement_id": second["placement_id"], "skill": marked[0]["skill"]},
    )
    assert_problem(again, 409, "already marked")
    wrong = client.post(
        f"/v1/trainees/{trainee_id}/progress",
        json={"placement_id": second["placement_id"], "skill": "Iets anders"},
    )
    assert_problem(wrong, 409, '"location":"skill"')
    other = next(t for t in plan["trainees"] if t["trainee_id"] != trainee_id)
    foreign = client.post(
        f"/v1/trainees/{other['trainee_id']}/progress",
        json={"placement_id": second["placement_id"], "skill": "x"},
    )
    assert_problem(foreign, 404, "placement")
    assert_problem(client.get("/v1/trainees/999999/progress"), 404)
    # a placement with progress keeps its workplace
    override = client.patch(
        f"/v1/pool-plans/{plan['id']}/placements/{second['placement_id']}", json={"workplace_id": None}
    )
    assert "progress-kept" in _rules(override)

    assert client.delete(f"/v1/trainees/{trainee_id}/progress/{marked[0]['id']}").status_code == 204
    assert_problem(client.delete(f"/v1/trainees/{trainee_id}/progress/{marked[0]['id']}"), 404)
    assert len(_progress(client, trainee_id)["learnt"]) == len(marked) - 1

    pool_progress = client.get(f"/v1/pool-plans/{plan['id']}/progress").json()
    assert pool_progress["learnt"] == len(marked) - 1
    assert len(pool_progress["trainees"]) == len(pool)


def test_the_evaluation_and_its_workbook(client: TestClient, pool: list[dict]) -> None:  # type: ignore[type-arg]
    plan = _plan(client)
    trainee_id = _placed(plan)[0]["trainee_id"]
    progress = _progress(client, trainee_id)
    placement, skill = _learnable(progress)
    client.post(
        f"/v1/trainees/{trainee_id}/progress",
        json={
            "placement_id": placement["placement_id"],
            "skill": skill["text"],
            "learnt_on": "2026-12-01",
            "note": "=SUM(A1)",
        },
    )
    landed = placement["workplace"]["id"]
    assert client.patch(f"/v1/trainees/{trainee_id}", json={"landed_workplace_id": landed}).status_code == 200

    evaluation = client.get(f"/v1/pool-plans/{plan['id']}/evaluation").json()
    assert evaluation["scoring_version"] == plan["scoring_version"]
    mine = next(t for t in evaluation["trainees"] if t["trainee_id"] == trainee_id)
    assert mine["landed"]["id"] == landed
    assert [m["skill"] for m in mine["learnt"]] == [skill["text"]]
    assert mine["brought_in"]
    rows = evaluation["placements"]
    assert len(rows) == sum(1 for t in plan["trainees"] for p in t["placements"] if p["workplace"])
    assert evaluation["qualified_on_skills"] == sum(1 for r in rows if r["qualified_on_skills"])
    for r in rows:
        assert not (r["qualified_on_skills"] and r["eligible_by_diploma"])

    response = client.get(f"/v1/pool-plans/{plan['id']}/evaluation.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Trainees", "Plaatsingen", "Programma's per werkplek", "Geleerd"]
    trainees = list(book["Trainees"].iter_rows(values_only=True))
    assert trainees[0][:3] == ("Trainee-id", "Referentie", "Crebo")
    row = next(r for r in trainees[1:] if r[0] == trainee_id)
    assert row[1] == mine["ref"]
    assert row[6] == 1
    assert row[8] == mine["landed"]["title"]
    learnt = list(book["Geleerd"].iter_rows(values_only=True))
    assert learnt[1][0] == trainee_id
    assert learnt[1][3] == skill["text"]
    assert learnt[1][4] == dt.datetime(2026, 12, 1)
    assert learnt[1][5] == "'=SUM(A1)"  # text, not a formula
    programmes = list(book["Programma's per werkplek"].iter_rows(values_only=True))
    assert len(programmes) == 1 + len(rows)
    assert {r[2] for r in programmes[1:]} == {r["crebo"] for r in rows}
    placements = list(book["Plaatsingen"].iter_rows(values_only=True))
    mine_rows = [r for r in placements[1:] if r[0] == trainee_id]
    assert [r[8] for r in mine_rows] == [p["coverage_at_end"] for p in mine["placements"]]


def test_erasing_a_trainee_removes_them_everywhere(
    client: TestClient,
    pool: list[dict],
    session_factory: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:  # type: ignore[type-arg]
    caplog.set_level(logging.INFO)
    plan = _plan(client)
    trainee = _placed(plan)[0]
    progress = _progress(client, trainee["trainee_id"])
    placement, skill = _learnable(progress)
    marked = client.post(
        f"/v1/trainees/{trainee['trainee_id']}/progress",
        json={"placement_id": placement["placement_id"], "skill": skill["text"]},
    )
    assert marked.status_code == 201
    assert client.delete(f"/v1/trainees/{trainee['trainee_id']}").status_code == 204

    assert_problem(client.get(f"/v1/trainees/{trainee['trainee_id']}"), 404)
    assert trainee["trainee_id"] not in {t["id"] for t in client.get("/v1/trainees").json()["items"]}
    got = client.get(f"/v1/pool-plans/{plan['id']}").json()
    assert trainee["trainee_id"] not in {t["trainee_id"] for t in got["trainees"]}
    evaluation = client.get(f"/v1/pool-plans/{plan['id']}/evaluation").json()
    assert trainee["trainee_id"] not in {t["trainee_id"] for t in evaluation["trainees"]}
    xlsx = client.get(f"/v1/pool-plans/{plan['id']}/evaluation.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert trainee["ref"] not in {r[1] for r in book["Trainees"].iter_rows(values_only=True)}
    assert trainee["trainee_id"] not in {r[0] for r in book["Plaatsingen"].iter_rows(values_only=True)}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(TraineeProgress)) == 0
        placements = (
            select(func.count())
            .select_from(PoolPlacement)
            .where(PoolPlacement.trainee_id == trainee["trainee_id"])
        )
        assert session.scalar(placements) == 0
    # names never reach the logs
    assert not [r for r in caplog.records if "Trainee " in r.getMessage() or "Begeleider" in r.getMessage()]


def test_retention_erases_trainees_a_period_after_their_traineeship(
    client: TestClient, session_factory: sessionmaker[Session]
) -> None:
    load_demo(client)
    old = _add(client, "25901", "Oud", start_date="2024-01-31")  # ends 2025-11-29
    recent = _add(client, "25901", "Recent", start_date="2025-01-31")  # ends 2026-11-29
    with session_factory() as session:
        assert service.purge(session, retention_days=0, today=dt.date(2030, 1, 1)) == 0
        assert (
            service.purge(session, retention_days=30, today=dt.date(2025, 12, 29)) == 0
        )  # 30 days after: kept
        assert service.purge(session, retention_days=30, today=dt.date(2025, 12, 30)) == 1
        left = session.scalars(select(Trainee.id)).all()
        session.commit()
    assert old["id"] not in left
    assert recent["id"] in left


@pytest.fixture
def secured(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Iterator[TestClient]:
    settings = Settings(
        database_url="sqlite://",
        lexical="none",
        lexical_weight=0.0,
        embedder="hashing",
        rate_limit_per_minute=0,
    )
    app = create_app(settings, embedder=hashing_embedder, session_factory=session_factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _key(client: TestClient, role: str) -> dict[str, str]:
    with client.app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        secret = create_key(session, name=f"test-{role}", role=role).secret
        session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_only_the_project_team_and_admins_see_trainees(secured: TestClient) -> None:
    admin, project = _key(secured, "admin"), _key(secured, "project")
    load_demo_as = secured.post(
        "/v1/trainees", json={"ref": "x", "crebo": "25901", "start_date": START}, headers=project
    )
    assert_problem(load_demo_as, 409, "crebo")  # allowed, but the catalogue is empty
    for role in ("recruiter", "vacancy"):
        headers = _key(secured, role)
        for method, path in (
            ("GET", "/v1/trainees"),
            ("GET", "/v1/trainees/1"),
            ("POST", "/v1/trainees"),
            ("GET", "/v1/pool-plans"),
            ("GET", "/v1/pool-plans/1/evaluation.xlsx"),
            ("DELETE", "/v1/trainees/1"),
        ):
            assert_problem(secured.request(method, path, headers=headers, json={}), 403, role)
    assert secured.get("/v1/trainees", headers=project).status_code == 200
    assert_problem(secured.delete("/v1/trainees/1", headers=project), 403, "admin")
    assert_problem(secured.delete("/v1/trainees/1", headers=admin), 404)
    assert_problem(
        secured.delete("/v1/trainees/1/progress/1", headers=project), 404
    )  # unmarking: project may

"""Where a diploma fits and the public candidate check, in a real browser on the demo data, checked against
the JSON API (GET /v1/programmes/{crebo}/workplaces and /rotations, POST /v1/profiles/{id}/candidate-fit)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

ALLROUND = "25902"  # Allround medewerker facilitaire services, niveau 3: the programme's reference candidate
PROFILE_WORKPLACES = (
    "Medewerker klantcontact",
    "Administratief medewerker burgerzaken",
    "Medewerker facilitaire dienstverlening stadskantoor",
)


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _posted(response: Any) -> bool:
    return bool(response.request.method == "POST" and "/kandidaatcheck/" in response.url)


def test_a_kwalificatie_shows_the_workplaces_and_rotations_that_fit(page: Any, screenshot: Any) -> None:
    fits = _api(page, f"/v1/programmes/{ALLROUND}/workplaces")["workplaces"]
    proposals = _api(page, f"/v1/programmes/{ALLROUND}/rotations?limit=3")["proposals"]
    assert fits
    assert proposals

    page.goto(f"/ui/kwalificaties/{ALLROUND}")
    shown = page.get_by_test_id("fit-workplace")
    assert shown.count() == len(fits)
    assert [shown.nth(i).get_attribute("data-workplace-id") for i in range(len(fits))] == [
        str(f["workplace_id"]) for f in fits
    ]
    assert page.get_by_test_id("fit-coverage").all_inner_texts() == [_pct(f["coverage"]) for f in fits]
    eligible = sum(f["eligible"] for f in fits)
    assert page.get_by_test_id("fit-eligible").inner_text() == str(eligible)

    page.evaluate("document.getElementById('werkplekken').scrollIntoView()")
    screenshot(page, "kwalificatie-werkplekken", full_page=False)

    # The explanation: the gaps of the best-fitting workplace
    best = shown.nth(0)
    best.locator("summary").click()
    if fits[0]["gaps"]:
        gaps = best.get_by_test_id("fit-gaps").locator("li")
        gaps.first.wait_for()
        assert gaps.count() == len(fits[0]["gaps"])
        for i, gap in enumerate(fits[0]["gaps"]):
            assert gap["text"] in gaps.nth(i).inner_text()

    rotations = page.get_by_test_id("rotation")
    assert rotations.count() == len(proposals)
    assert [rotations.nth(i).get_attribute("data-workplace-ids") for i in range(len(proposals))] == [
        ",".join(str(w) for w in p["workplace_ids"]) for p in proposals
    ]
    steps = rotations.nth(0).get_by_test_id("rotation-step")
    assert steps.count() == 3
    for i, step in enumerate(proposals[0]["steps"]):
        assert step["workplace"]["title"] in steps.nth(i).inner_text()
        summary = steps.nth(i).get_by_test_id("step-new")
        assert (
            summary.inner_text()
            == f"Nieuw hier: {len(step['new_work'])} van {len(step['skills'])} vaardigheden"
        )
    # What is new at the second step, opened
    steps.nth(1).get_by_test_id("step-new").click()
    for text in proposals[0]["steps"][1]["new_work"]:
        assert steps.nth(1).get_by_text(text, exact=True).is_visible()


@pytest.fixture
def profile(page: Any) -> Iterator[int]:
    """A saved profile of three demo workplaces, removed again afterwards (the server is shared)."""
    items = _api(page, "/v1/workplaces?limit=500")["items"]
    ids = [next(w["id"] for w in items if w["title"] == title) for title in PROFILE_WORKPLACES]
    created = page.request.post(
        "/v1/profiles", data={"name": "Dienstverlening en facilitair", "workplace_ids": ids}
    )
    assert created.status == 201, created.text()
    profile_id = int(created.json()["id"])
    yield profile_id
    assert page.request.delete(f"/v1/profiles/{profile_id}").ok


def test_a_candidate_without_a_listed_diploma_sees_the_fit_change_as_they_tick(
    page: Any, screenshot: Any, profile: int
) -> None:
    from playwright.sync_api import expect

    page.goto(f"/kandidaatcheck/{profile}")
    url = page.url
    vacancy = _api(page, f"/v1/profiles/{profile}/vacancy")
    boxes = page.locator("input[name=vaardigheid]")
    labels = [boxes.nth(i).get_attribute("value") for i in range(boxes.count())]
    assert labels == [s["text"] for s in vacancy["skills"]]
    assert page.get_by_test_id("candidate-prompt").is_visible()

    # Not listed: the first option says so
    page.select_option("#opleiding", "")
    assert "staat er niet tussen" in page.locator("#opleiding option:checked").inner_text()

    held: list[str] = []
    totals: list[float] = []
    for i, label in enumerate(labels[:4]):
        with page.expect_response(_posted):
            boxes.nth(i).check()
        held.append(str(label))
        api = page.request.post(f"/v1/profiles/{profile}/candidate-fit", data={"skills_held": held}).json()
        fits = api["workplaces"]
        expect(page.get_by_test_id("candidate-coverage")).to_have_text(
            [_pct(w["coverage"]["combined"]) for w in fits]
        )
        cards = page.get_by_test_id("candidate-fit")
        assert [cards.nth(i).get_attribute("data-workplace-id") for i in range(cards.count())] == [
            str(w["workplace"]["id"]) for w in fits
        ]
        summary = page.get_by_test_id("candidate-summary")
        assert summary.get_attribute("data-eligible") == str(api["eligible_workplaces"])
        for text in fits[0]["to_learn"]:
            assert text in cards.nth(0).inner_text()
        totals.append(sum(w["coverage"]["combined"] for w in fits))
    assert page.url == url  # updated in place, no reload
    assert all(a < b for a, b in pairwise(totals)), f"each tick adds to the fit: {totals}"
    screenshot(page, "kandidaatcheck")

    # Unticking everything asks for a choice again
    for i in range(len(held)):
        with page.expect_response(_posted):
            boxes.nth(i).uncheck()
    page.get_by_test_id("candidate-prompt").wait_for()


def test_an_unknown_vacancy_is_a_dutch_page(page: Any) -> None:
    response = page.goto("/kandidaatcheck/999999")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Dat lukte niet"
    assert page.get_by_text("Deze vacature bestaat niet (meer).").is_visible()

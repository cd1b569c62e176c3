"""Profiles and their vacancy in a real browser, on the demo data, checked against the JSON API: propose and save 4
profiles, rename one, move a workplace, open the profile's vacancy, copy it, download it as .docx (read back
with python-docx) and preview what a lower minimum coverage would change."""

from __future__ import annotations

import re
from typing import Any

import docx
import pytest

from app.planning.vacancy import STANDARD_SENTENCE

pytestmark = pytest.mark.e2e


def _api(page: Any, path: str, **params: Any) -> Any:
    response = page.request.get(path, params=params or None)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def _profile_ids(page: Any) -> set[int]:
    return {p["id"] for p in _api(page, "/v1/profiles")["items"]}


def test_propose_save_rename_move_and_open_the_vacancy(page: Any, screenshot: Any, tmp_path: Any) -> None:
    before = _profile_ids(page)
    page.goto("/ui/profielen")
    assert page.locator("#k").input_value() == "4"
    page.get_by_role("button", name="Profielen voorstellen").click()
    proposed = page.get_by_test_id("proposed-profile")
    proposed.first.wait_for()
    suggestion = page.request.post("/v1/profiles:suggest", data={"k": 4}).json()
    assert proposed.count() == 4
    assert [proposed.nth(i).get_by_test_id("proposed-name").input_value() for i in range(4)] == [
        p["name"] for p in suggestion["profiles"]
    ]
    groups = [proposed.nth(i).get_attribute("data-workplaces") for i in range(4)]
    assert groups == [",".join(str(w["id"]) for w in p["workplaces"]) for p in suggestion["profiles"]]

    page.get_by_role("button", name="Voorstel opslaan").click()
    page.get_by_text("4 profielen opgeslagen.").wait_for()
    saved = {p["id"]: p for p in _api(page, "/v1/profiles")["items"] if p["id"] not in before}
    assert sorted(",".join(str(w["id"]) for w in p["workplaces"]) for p in saved.values()) == sorted(groups)

    # Rename the profile with the most workplaces; move one of its workplaces to another new profile.
    source = max(saved.values(), key=lambda p: (len(p["workplaces"]), -p["id"]))
    target = min((p for p in saved.values() if p["id"] != source["id"]), key=lambda p: p["id"])
    card = page.locator(f"#profiel-{source['id']}")
    card.get_by_label("Naam", exact=True).fill("Dienstverlening en ontvangst")
    card.get_by_role("button", name="Naam opslaan").click()
    page.locator(f"#profiel-{source['id']}").get_by_text("Naam opgeslagen").wait_for()
    assert _api(page, f"/v1/profiles/{source['id']}")["name"] == "Dienstverlening en ontvangst"

    moving = source["workplaces"][-1]
    mover = page.locator(f"#profiel-{source['id']} form.move")
    mover.get_by_label("Werkplek verplaatsen").select_option(str(moving["id"]))
    mover.get_by_label("naar profiel").select_option(str(target["id"]))
    mover.get_by_role("button", name="Verplaatsen").click()
    page.get_by_text("Werkplek verplaatst.").wait_for()
    moved_to = [w["id"] for w in _api(page, f"/v1/profiles/{target['id']}")["workplaces"]]
    left = [w["id"] for w in _api(page, f"/v1/profiles/{source['id']}")["workplaces"]]
    assert moving["id"] in moved_to
    assert moving["id"] not in left
    assert page.locator(f"#profiel-{target['id']} [data-workplace-id='{moving['id']}']").count() == 1
    page.goto("/ui/profielen?k=4")  # a proposal above, the stored profiles below
    page.get_by_test_id("proposed-profile").first.wait_for()
    screenshot(page, "profielen")

    # The renamed profile's vacancy: what the API feeds the vacancy generator.
    page.locator(f"#profiel-{source['id']}").get_by_role("link", name="Vacature").click()
    page.wait_for_url(f"**/ui/profielen/{source['id']}/vacature")
    vacancy = _api(page, f"/v1/profiles/{source['id']}/vacancy")
    assert page.locator("h1").inner_text() == "Vacature Dienstverlening en ontvangst"
    skills = page.get_by_test_id("vacancy-skill")
    assert [skills.nth(i).inner_text().split(" (")[0] for i in range(skills.count())] == [
        s["text"] for s in vacancy["skills"]
    ]
    sentence = page.get_by_test_id("standard-sentence").get_by_role("link")
    assert sentence.inner_text() == STANDARD_SENTENCE
    assert sentence.get_attribute("href") == f"/kandidaatcheck/{source['id']}"
    text = page.get_by_test_id("vacancy-text").input_value()
    assert text.startswith("Traineeship: Dienstverlening en ontvangst\n")
    assert text.endswith(STANDARD_SENTENCE + "\n")
    page.get_by_role("button", name="Tekst kopiëren").click()
    copied = page.locator("[data-copy-status=vacancy-text]:not(:empty)")  # the clipboard answers later
    copied.wait_for()
    assert copied.inner_text() in {
        "Gekopieerd",
        "Geselecteerd: kopieer met Ctrl+C",
    }

    with page.expect_download() as download_info:
        page.get_by_test_id("download-docx").click()
    download = download_info.value
    assert download.suggested_filename == "vacature-dienstverlening-en-ontvangst.docx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs[0] == "Traineeship: Dienstverlening en ontvangst"
    texts = [s["text"] for s in vacancy["skills"]]
    assert [p for p in paragraphs if p in texts] == texts
    assert paragraphs[-1] == STANDARD_SENTENCE

    # What a minimum coverage of 0% would change, swapped in by htmx: the page itself stays.
    page.fill("#nieuw_minimum", "0")
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    summary = page.get_by_test_id("preview-summary")
    summary.wait_for()
    lower = _api(page, f"/v1/profiles/{source['id']}/vacancy", min_coverage=0)
    words = re.sub(r"\s+", " ", summary.inner_text())
    assert f"noemt de vacature {len(lower['programmes'])} opleiding" in words
    assert f"(nu {len(vacancy['programmes'])})" in words
    gained = page.get_by_test_id("programme-gained")
    shown = {p["crebo"] for p in vacancy["programmes"]}
    assert [gained.nth(i).get_attribute("data-crebo") for i in range(gained.count())] == [
        p["crebo"] for p in lower["programmes"] if p["crebo"] not in shown
    ]
    assert page.url.endswith(f"/ui/profielen/{source['id']}/vacature")

    # Leave out the first skill as well: it goes from the vacancy's lines.
    page.get_by_label(vacancy["skills"][0]["text"], exact=True).check()
    page.get_by_role("button", name="Bekijk wat er verandert").click()
    lost = page.get_by_test_id("skill-lost")
    lost.first.wait_for()
    assert lost.all_inner_texts() == [vacancy["skills"][0]["text"]]
    screenshot(page, "vacature")

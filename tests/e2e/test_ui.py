"""The web interface in a real browser: what a project-team member does, checked against the JSON API.

Each test starts from the demo data (data/fixtures) loaded into a fresh database by `skillmatch demo`.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import pytest

from app.ingest.sbb_xml import parse_sbb_xml
from tests.shared_data import shared_data_dir

pytestmark = pytest.mark.e2e

LABELS = {"eligible": "Geschikt", "knockout": "Valt af: knock-out", "low": "Valt af: dekking te laag"}
FACILITAIR = "Medewerker facilitaire dienstverlening stadskantoor"


def _api(page: Any, path: str) -> Any:
    response = page.request.get(path)
    assert response.ok, f"{path}: {response.status} {response.text()}"
    return response.json()


def _workplace_id(page: Any, title: str) -> int:
    items = _api(page, "/v1/workplaces?limit=500")["items"]
    (found,) = [w["id"] for w in items if w["title"] == title]
    return int(found)


def _label(match: dict[str, Any]) -> str:
    if match["eligible"]:
        return LABELS["eligible"]
    return LABELS["knockout"] if match["knockouts"] else LABELS["low"]


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _set_range(page: Any, selector: str, value: int) -> None:
    """Move a slider as a user does: the value changes, then input and change fire."""
    page.locator(selector).evaluate(
        """(el, v) => { el.value = v;
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true})); }""",
        str(value),
    )


def test_home_shows_the_next_steps(page: Any, screenshot: Any) -> None:
    page.goto("/ui")
    assert page.locator("h1").inner_text() == "Welke mbo-opleiding past bij deze werkplek?"
    total = _api(page, "/v1/workplaces")["total"]
    assert total > 0
    assert page.get_by_test_id("count-workplaces").inner_text() == str(total)
    screenshot(page, "start")


def test_upload_a_real_dossier_with_a_result_per_file(page: Any, screenshot: Any) -> None:
    path = shared_data_dir() / "sbb-kd-xml-2016" / "2755_Dienstverlening.xml"
    data = path.read_bytes()
    (dossier,) = parse_sbb_xml(data)
    kwalificatie = dossier.kwalificaties[0]

    page.goto("/ui/catalogus")
    page.set_input_files(
        "#upload-file",
        [
            {"name": path.name, "mimeType": "text/xml", "buffer": data},
            {"name": "kapot.xml", "mimeType": "text/xml", "buffer": b"<sbb><kwalificatiedossier>"},
        ],
    )
    page.get_by_role("button", name="Inlezen", exact=True).click()
    results = page.get_by_test_id("upload-result")
    results.nth(1).wait_for()
    good, bad = results.nth(0), results.nth(1)
    assert path.name in good.inner_text()
    assert f"{dossier.crebo} {dossier.title}" in good.inner_text()
    assert "nieuw ingelezen" in good.inner_text()
    assert f"{len(dossier.kwalificaties)} kwalificaties" in good.inner_text()
    assert "kapot.xml" in bad.inner_text()
    assert "Dit kon niet worden verwerkt; er is niets opgeslagen." in bad.inner_text()
    page.get_by_text("Klaar.").wait_for()
    page.locator("#dossiers").get_by_text(dossier.title, exact=True).wait_for()
    screenshot(page, "catalogus")

    # The import is real: the JSON API lists the dossier's kwalificaties as scorable.
    programme = _api(page, f"/v1/programmes/{kwalificatie.crebo}")
    assert programme["status"] == "scored"

    # Browse: filter the kwalificaties by text and niveau, then open one.
    page.fill("#q", kwalificatie.title)
    page.locator("#programmes").get_by_role("link", name=kwalificatie.title, exact=True).wait_for()
    other = next(
        n
        for n in (1, 2, 3, 4)
        if _api(page, f"/v1/programmes?q={kwalificatie.title}&niveau={n}")["total"] == 0
    )
    page.locator(f"input[name=niveau][value='{other}']").check()
    page.get_by_text("Geen kwalificaties gevonden met deze filters").wait_for()
    page.locator(f"input[name=niveau][value='{other}']").uncheck()
    page.locator(f"input[name=niveau][value='{kwalificatie.niveau}']").check()
    page.locator("#programmes").get_by_role("link", name=kwalificatie.title, exact=True).click()
    page.wait_for_url(f"**/ui/kwalificaties/{kwalificatie.crebo}")
    kerntaak = next(s for s in kwalificatie.statements if s.kind == "kerntaak")
    werkproces = next(s for s in kwalificatie.statements if s.kind == "werkproces")
    for statement in (kerntaak, werkproces):
        row = page.locator("table.statements tr", has_text=statement.text).first
        assert row.locator("td.code").inner_text() == statement.code
    assert page.locator("tr.kind-vakkennis").count() == sum(
        1 for s in kwalificatie.statements if s.kind == "vakkennis"
    )
    screenshot(page, "kwalificatie", full_page=False)


def test_a_broken_workplace_file_is_explained_in_dutch(page: Any) -> None:
    total = _api(page, "/v1/workplaces")["total"]
    page.goto("/ui/werkplekken")
    page.set_input_files(
        "#import-file", {"name": "werkplekken.csv", "mimeType": "text/csv", "buffer": b"naam;iets\nx;y\n"}
    )
    page.locator("form[action='/ui/werkplekken/import'] button").click()
    alert = page.get_by_role("alert")
    assert "Dit kon niet worden verwerkt; er is niets opgeslagen." in alert.inner_text()
    assert _api(page, "/v1/workplaces")["total"] == total


def test_create_a_workplace_from_text_and_edit_one_skill(page: Any, screenshot: Any) -> None:
    page.goto("/ui/werkplekken")
    page.fill("#title", "Baliemedewerker stadsloket e2e")
    page.fill("#organisation_unit", "Stadsdeel Noord")
    page.fill(
        "#description",
        "Je ontvangt bezoekers bij de balie van het stadsloket en verwijst ze door. "
        "Je beantwoordt vragen aan de telefoon en per e-mail. "
        "Je maakt afspraken in de agenda en registreert meldingen in het systeem.",
    )
    page.get_by_role("button", name="Werkplek aanmaken").click()
    page.get_by_text("Werkplek aangemaakt.").wait_for()
    workplace_id = int(re.search(r"/ui/werkplekken/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    skills = page.get_by_test_id("skill")
    extracted = skills.count()
    assert extracted >= 3
    assert page.locator(".origin").first.inner_text() == "uit omschrijving"
    before = _api(page, f"/v1/workplaces/{workplace_id}")["skills"]
    assert [s["text"] for s in before] == [
        skills.nth(i).locator("input.text").input_value() for i in range(extracted)
    ]

    first = skills.nth(0)
    first.locator("input.text").fill("Bezoekers ontvangen aan de balie en doorverwijzen")
    first.locator("select[name=weight]").select_option("3")
    first.locator("input[name=must_have]").check()
    first.get_by_role("button", name="Opslaan").click()
    page.get_by_text("Opgeslagen", exact=True).wait_for()
    first = page.get_by_test_id("skill").nth(0)
    assert first.locator("input.text").input_value() == "Bezoekers ontvangen aan de balie en doorverwijzen"
    assert first.locator("select[name=weight]").input_value() == "3"
    assert first.locator("input[name=must_have]").is_checked()
    assert first.locator(".origin").inner_text() == "handmatig"

    # An empty statement is refused in plain Dutch and nothing changes.
    second = page.get_by_test_id("skill").nth(1)
    second_text = second.locator("input.text").input_value()
    second.locator("input.text").evaluate("el => { el.required = false; el.value = ' '; }")
    second.get_by_role("button", name="Opslaan").click()
    assert "Vaardigheid: vul een vaardigheid in" in page.get_by_role("alert").inner_text()

    # Delete the last statement, add one of our own.
    page.goto(f"/ui/werkplekken/{workplace_id}")
    page.get_by_test_id("skill").last.get_by_role("button", name=re.compile("verwijderen", re.I)).click()
    page.wait_for_function(f"document.querySelectorAll('[data-testid=skill]').length === {extracted - 1}")
    page.fill("#new-text", "Een klantgesprek voeren over paspoort of rijbewijs")
    page.get_by_role("button", name="Toevoegen").click()
    page.wait_for_function(f"document.querySelectorAll('[data-testid=skill]').length === {extracted}")

    after = _api(page, f"/v1/workplaces/{workplace_id}")["skills"]
    assert after[0] == {
        **after[0],
        "text": "Bezoekers ontvangen aan de balie en doorverwijzen",
        "weight": 3,
        "must_have": True,
        "trainable": False,
        "origin": "manual",
    }
    assert after[1]["text"] == second_text
    assert after[-1]["text"] == "Een klantgesprek voeren over paspoort of rijbewijs"
    assert [s["text"] for s in after[1:-1]] == [s["text"] for s in before[1:-1]]
    screenshot(page, "werkplek")


def test_matches_show_coverage_and_an_explanation_per_skill(page: Any, screenshot: Any) -> None:
    workplace_id = _workplace_id(page, FACILITAIR)
    api = _api(page, f"/v1/workplaces/{workplace_id}/matches?limit=25")
    best = api["matches"][0]

    page.goto(f"/ui/werkplekken/{workplace_id}/matches")
    matches = page.get_by_test_id("match")
    assert matches.count() == len(api["matches"])
    assert [matches.nth(i).get_attribute("data-crebo") for i in range(matches.count())] == [
        m["programme"]["crebo"] for m in api["matches"]
    ]
    top = matches.nth(0)
    assert top.get_by_test_id("coverage").inner_text() == _pct(best["coverage"])
    assert [matches.nth(i).get_by_test_id("label").inner_text() for i in range(matches.count())] == [
        _label(m) for m in api["matches"]
    ]
    assert top.locator(".line").get_attribute("style") == "left: 70%"

    top.locator("summary").click()
    rows = top.get_by_test_id("explanation-row")
    rows.first.wait_for()
    assert rows.count() == len(best["skills"])
    for i, skill in enumerate(best["skills"]):
        row = rows.nth(i)
        assert skill["text"] in row.inner_text()
        assert row.get_by_test_id("evidence-code").inner_text() == skill["evidence"]["code"]
        assert skill["evidence"]["text"] in row.inner_text()
        assert row.get_by_test_id("similarity").inner_text() == f"{skill['similarity']:.2f}".replace(".", ",")
        assert row.get_by_test_id("credit").inner_text() == _pct(skill["credit"])
    if best["gaps"]:
        assert top.get_by_test_id("gaps").locator("li").count() == len(best["gaps"])
    else:
        assert "Geen hiaten" in top.inner_text()
    screenshot(page, "opleidingen")


def test_changing_the_minimum_coverage_changes_eligibility(page: Any) -> None:
    workplace_id = _workplace_id(page, FACILITAIR)
    page.goto(f"/ui/werkplekken/{workplace_id}/matches")

    def labels() -> dict[str, str]:
        matches = page.get_by_test_id("match")
        return {
            matches.nth(i).get_attribute("data-crebo"): matches.nth(i).get_by_test_id("label").inner_text()
            for i in range(matches.count())
        }

    def expected(minimum: int) -> dict[str, str]:
        api = _api(page, f"/v1/workplaces/{workplace_id}/matches?limit=25&min_coverage={minimum / 100}")
        return {m["programme"]["crebo"]: _label(m) for m in api["matches"]}

    seen: dict[int, dict[str, str]] = {}
    for minimum in (0, 100, 70):
        _set_range(page, "#minimum", minimum)
        page.get_by_text(f"bij een minimale dekking van {minimum}%").wait_for()
        assert page.locator(".line").first.get_attribute("style") == f"left: {minimum}%"
        assert f"minimum={minimum}" in page.url
        seen[minimum] = labels()
        assert seen[minimum] == expected(minimum)
    changed = [c for c in seen[0] if seen[0][c] == "Geschikt" and seen[100][c] != "Geschikt"]
    assert changed, "the threshold should move at least one programme from eligible to not eligible"

    # The niveau filter is live as well.
    page.locator("input[name=niveau][value='2']").check()
    page.wait_for_url(re.compile(r"niveau=2"))
    page.get_by_test_id("match").first.wait_for()
    niveaus = page.get_by_test_id("match").locator(".name .muted").all_inner_texts()
    assert niveaus
    assert all(text.endswith("niveau 2") for text in niveaus)


def test_overview_matrix_filters_and_exports(page: Any, screenshot: Any) -> None:
    page.goto("/ui/overzicht")
    page.get_by_test_id("heatmap").wait_for()
    screenshot(page, "overzicht")

    # A workplace whose title a spreadsheet would run as a formula.
    created = page.request.post(
        "/v1/workplaces",
        data={
            "title": '=HYPERLINK("http://voorbeeld.invalid","klik")',
            "organisation_unit": "Directie Facilitair Bureau",
            "skills": [{"text": "Vergaderzalen klaarzetten en opruimen volgens reservering"}],
        },
    )
    assert created.status == 201
    page.reload()
    heatmap = page.get_by_test_id("heatmap")
    heatmap.wait_for()
    all_rows = heatmap.locator("tbody tr").count()
    assert all_rows == _api(page, "/v1/workplaces")["total"]

    page.select_option("#onderdeel", "Directie Facilitair Bureau")
    page.wait_for_url(re.compile(r"onderdeel=Directie"))
    page.wait_for_function(f"document.querySelectorAll('[data-testid=heatmap] tbody tr').length < {all_rows}")
    units = page.locator("th.rowhead .muted").all_inner_texts()
    assert units
    assert set(units) == {"Directie Facilitair Bureau"}
    page.select_option("#rijen", "naam")
    page.wait_for_url(re.compile(r"rijen=naam"))
    titles = page.locator("th.rowhead a").all_inner_texts()
    assert titles == sorted(titles, key=str.lower)
    eligible_cells = page.locator("[data-testid=cell][data-eligible=ja]").count()
    cells = page.get_by_test_id("cell").count()
    assert page.get_by_test_id("top-fit").is_visible() == (eligible_cells > 0)

    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    assert info.value.suggested_filename == "skillmatch-overzicht.csv"
    text = info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(rows) == cells
    assert {r["organisatieonderdeel"] for r in rows} == {"Directie Facilitair Bureau"}
    assert sum(r["geschikt"] == "ja" for r in rows) == eligible_cells
    assert '\'=HYPERLINK("http://voorbeeld.invalid","klik")' in {r["werkplek"] for r in rows}

    with page.expect_download() as info:
        page.get_by_test_id("export-xlsx").click()
    assert info.value.suggested_filename == "skillmatch-overzicht.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes()))
    assert workbook.sheetnames == ["Matrix", "Lijst", "Uitleg"]
    grid = workbook["Matrix"]
    assert grid.max_row - 1 == len(titles)
    formula_titles = [c.value for c in grid["A"][1:] if str(c.value).lstrip("'").startswith("=")]
    assert formula_titles == ['\'=HYPERLINK("http://voorbeeld.invalid","klik")']
    assert all(c.data_type != "f" for row in grid.iter_rows() for c in row)
    green = sum(
        1
        for row in grid.iter_rows(min_row=2, min_col=3)
        for c in row
        if c.fill.fgColor.rgb.endswith("B7E1CD")
    )
    assert green == eligible_cells

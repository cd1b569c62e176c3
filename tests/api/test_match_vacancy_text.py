"""A whole vacancy text as an ATS sends it: only the work is scored, the rest is shown, and something that
is no skill is never counted as covered."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.helpers import FIXTURE_DOSSIERS, upload_dossiers

VACANCY = """Pedagogisch medewerker kinderopvang (24-32 uur)

Over ons
Kinderopvang De Boomhut heeft twaalf locaties in Amsterdam-Noord. Wij geloven dat elk kind telt.

Wat ga je doen?
Je begeleidt een groep van twaalf kinderen bij spel en dagelijkse activiteiten.
Je observeert de ontwikkeling van de kinderen en bespreekt die met de ouders.
Je zorgt voor een veilige en hygiënische groepsruimte.

Wie ben jij?
Je bent flexibel, geduldig en stressbestendig.
Je hebt een mbo 3 diploma Pedagogisch werk.

Wat bieden wij?
Een salaris van € 2.641 tot € 3.630 bruto per maand volgens de cao Kinderopvang.

Interesse?
Solliciteer vóór 20 april 2023 via www.werkenbijdeboomhut.nl.
"""


def test_only_the_work_of_a_vacancy_text_becomes_skills_and_the_rest_is_shown(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    response = client.post("/v1/match", json={"description": VACANCY})
    assert response.status_code == 200, response.text
    body = response.json()
    skills = [s["text"] for s in body["skills"]]
    assert any("begeleidt een groep" in s for s in skills)
    assert any("observeert de ontwikkeling" in s for s in skills)
    # No salary, no date, no URL, no trait, no organisation blurb is a skill to cover.
    for noise in ("€", "2023", "www.", "flexibel", "Boomhut", "diploma", "Solliciteer"):
        assert not any(noise in s for s in skills), (noise, skills)
    aside = {s["kind"] for s in body["not_scored"]}
    assert {"trait", "offer"} <= aside
    assert any("flexibel" in s["text"] for s in body["not_scored"] if s["kind"] == "trait")


def test_something_that_is_no_skill_is_never_covered(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    junk = [
        "20 april 2023",
        "https://www.werkenbij.nl/vacature/123",
        "Vacaturenummer 9557",
        "1011 AB Amsterdam",
    ]
    skills = [{"text": "begeleidt kinderen in de groep"}, *({"text": t} for t in junk)]
    response = client.post("/v1/match", json={"skills": skills, "limit": 50})
    assert response.status_code == 200, response.text
    for match in response.json()["matches"]:
        for skill in match["skills"][1:]:
            assert skill["covered"] is False, skill
            assert skill["credit"] == 0.0
            assert skill["similarity"] == 0.0
    # A single word a person names as a skill is a skill.
    one_word = client.post("/v1/match", json={"skills": [{"text": "Koken"}], "limit": 50}).json()
    assert any(m["skills"][0]["similarity"] > 0 for m in one_word["matches"])


def test_a_vacancy_text_with_no_work_in_it_says_so(client: TestClient) -> None:
    upload_dossiers(client, FIXTURE_DOSSIERS)
    text = "Over ons\nWij zijn een gezellig team in Amsterdam.\n\nWat bieden wij?\nEen goed salaris en 25 vakantiedagen."
    response = client.post("/v1/match", json={"description": text})
    assert response.status_code == 422, response.text
    assert "no work statement" in response.json()["detail"]

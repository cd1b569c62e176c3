"""Whole vacancy texts: only the work becomes a skill to cover (app.ingest.textsplit / vacancy_text).

The texts here were written for these tests; they follow how Dutch vacancy pages are built (organisation
blurb, "Wat ga je doen?", "Wie ben jij?", "Wat bieden wij?", the procedure, metadata lines).
"""

from __future__ import annotations

import pytest

from app.ingest.textsplit import Statement, is_skill_text, split_description, split_statements
from app.ingest.vacancy_text import heading_section, looks_like_heading


def kinds(text: str) -> dict[str, str]:
    return {s.text: s.kind for s in split_description(text)}


VACANCY = """\
Home › Vacatures › Medewerker bediening
Geplaatst 2 dagen geleden
Vacaturenummer 4471

# Medewerker bediening (24-32 uur)

Brasserie De Waag ligt aan de markt van Deventer en heeft een terras met zestig plaatsen. Wij koken met
producten uit de regio en zijn zeven dagen per week open.

## Wat ga je doen?
- Je ontvangt de gasten en brengt ze naar hun tafel
- Je neemt bestellingen op en adviseert over de gerechten en de wijnen
- Je maakt koffie en tapt bier
- Je dekt de tafels, ruimt af en rekent af aan de kassa
- Je houdt je aan de HACCP-regels

## Wie ben jij?
- Je hebt een diploma Gastheer/gastvrouw (mbo 2) of je bent bereid dit te halen
- Je bent gastvrij, flexibel en stressbestendig
- Je bent in het weekend beschikbaar
- Je hebt kennis van wijnen

## Wat bieden wij?
- Een salaris tussen € 2.300 en € 2.700 bruto per maand volgens de cao Horeca
- Een jaarcontract met uitzicht op een vast contract
- Reiskostenvergoeding en 8% vakantiegeld

## Solliciteren
Stuur je cv en motivatie voor 20 april 2023 naar werken@dewaag-deventer.nl of bel 0570-612345.
Een VOG maakt deel uit van de procedure.

Wij vinden het belangrijk dat ons team een afspiegeling is van de samenleving: iedereen is welkom,
ongeacht afkomst, leeftijd of geaardheid.
Deel deze vacature
"""


def test_a_whole_vacancy_gives_its_work_and_nothing_else() -> None:
    work = split_statements(VACANCY)
    assert work == [
        "ontvangt de gasten",
        "brengt ze naar hun tafel",
        "neemt bestellingen op en adviseert over de gerechten en de wijnen",
        "maakt koffie",
        "tapt bier",
        "dekt de tafels",
        "ruimt af",
        "rekent af aan de kassa",
        "houdt je aan de HACCP-regels",
        "hebt kennis van wijnen",
    ]
    everything = split_description(VACANCY)
    # The old splitter made a skill of every sentence here; now most statements say why they are not one.
    assert len(work) < len(everything)
    assert all(isinstance(s, Statement) for s in everything)
    by_kind = {s.kind for s in everything}
    assert {"work", "trait", "context", "requirement", "offer", "apply", "other"} <= by_kind


def test_statements_keep_text_order_and_every_kind_is_explained() -> None:
    statements = split_description(VACANCY)
    texts = [s.text for s in statements]
    assert texts.index("ontvangt de gasten") < texts.index("hebt kennis van wijnen")
    found = kinds(VACANCY)
    assert found["bent gastvrij, flexibel en stressbestendig"] == "trait"
    assert found["Een jaarcontract met uitzicht op een vast contract"] == "offer"
    assert found["Een VOG maakt deel uit van de procedure"] == "apply"
    assert found["bent in het weekend beschikbaar"] == "requirement"
    assert found[
        "Brasserie De Waag ligt aan de markt van Deventer en heeft een terras met zestig plaatsen"
    ] == ("context")
    assert found["Deel deze vacature"] == "other"


@pytest.mark.parametrize(
    ("line", "section"),
    [
        ("Wat ga je doen?", "work"),
        ("Jouw functie", "work"),
        ("Taken:", "work"),
        ("**Werkzaamheden**", "work"),
        ("Over de functie", "work"),
        ("Wat vragen wij?", "profile"),
        ("Wie ben jij", "profile"),
        ("Functie-eisen", "profile"),
        ("## Jouw profiel", "profile"),
        ("Wat breng je mee?", "profile"),
        ("Wat bieden wij?", "offer"),
        ("Arbeidsvoorwaarden", "offer"),
        ("Wat krijg je?", "offer"),
        ("Over ons", "context"),
        ("Wie zijn wij?", "context"),
        ("De organisatie", "context"),
        ("Het team", "context"),
        ("Afdeling", "context"),
        ("Solliciteren", "apply"),
        ("Interesse?", "apply"),
        ("Procedure", "apply"),
        ("Contact", "apply"),
        ("Meer informatie", "apply"),
        ("Diversiteit en inclusie", "other"),
    ],
)
def test_dutch_vacancy_headings_name_their_section(line: str, section: str) -> None:
    assert looks_like_heading(line, before=None, after="Je zorgt voor de gasten.")
    assert heading_section(line) == section


def test_a_heading_is_recognised_by_its_form_not_by_a_question_mark() -> None:
    paragraph = (
        "Kom werken in onze bediening. Je dekt de tafels, ontvangt de gasten en serveert de gerechten. "
        "De ideale baan voor jou?"
    )
    assert not looks_like_heading(paragraph, before=None, after="")
    assert not looks_like_heading("Je zorgt voor de gasten.", before="", after="")
    assert looks_like_heading("### Een dag in de keuken", before="", after="Je begint om acht uur.")
    # A short line standing apart is a heading, a list of short lines without bullets is a list.
    assert looks_like_heading("Werken bij De Waag", before="", after="")
    assert not looks_like_heading("Post sorteren", before=None, after="Bezoekers ontvangen")


def test_a_job_paragraph_that_ends_in_a_question_is_kept() -> None:
    # The old splitter took the whole line for a heading because of its last "?" and dropped the only
    # paragraph about the job.
    text = (
        "Je dekt de tafels, ontvangt de gasten en serveert de gerechten. "
        "Na de dienst ruim je de bar op. De ideale baan voor jou?"
    )
    assert split_statements(text) == [
        "dekt de tafels",
        "ontvangt de gasten",
        "serveert de gerechten",
        "Na de dienst ruim je de bar op",
    ]
    assert kinds(text)["De ideale baan voor jou"] == "other"
    # A question to the reader inside a paragraph is pitch; on a line of its own it is a heading.
    assert kinds("Je serveert de gerechten. Word jij onze nieuwe collega?")["Word onze nieuwe collega"] == (
        "other"
    )
    assert split_description("Word jij onze nieuwe collega?\nJe serveert de gerechten.") == [
        Statement("serveert de gerechten", "work")
    ]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        # trait: a quality of the person
        ("Je bent flexibel en klantgericht.", "trait"),
        ("Hij is stressbestendig en flexibel.", "trait"),
        ("Je hebt doorzettingsvermogen en een positieve instelling.", "trait"),
        ("Je hebt een hart voor kinderen.", "trait"),
        ("De gamedeveloper is kritisch, creatief en commercieel.", "trait"),
        ("Je werkt zelfstandig en nauwkeurig.", "trait"),
        # context: where, for whom, with whom
        ("De eerste verkoper werkt in een winkel binnen het midden- en kleinbedrijf.", "context"),
        ("Hij werkt onder leiding van de bedrijfsleider.", "context"),
        ("Je werkt samen met twee collega's en een stagiair.", "context"),
        ("De betonreparateur is werkzaam in de burger- en utiliteitsbouw.", "context"),
        ("Onze stichting biedt wonen en dagbesteding aan 300 mensen.", "context"),
        ("Wij zijn een familiebedrijf met vier vestigingen in Gelderland.", "context"),
        # requirement: diploma, experience, licence, VOG, availability
        ("Je hebt een mbo 3-diploma Helpende Zorg en Welzijn.", "requirement"),
        ("Je hebt minimaal twee jaar werkervaring in de horeca.", "requirement"),
        ("Rijbewijs B is een pré.", "requirement"),
        ("Je bent in het bezit van een geldige VOG.", "requirement"),
        ("Je bent minimaal drie dagen per week beschikbaar.", "requirement"),
        # offer: salary, hours, contract, benefits
        ("Het salaris bedraagt maximaal € 3.100 bruto per maand (schaal 6).", "offer"),
        ("Je werkt 32 uur per week.", "offer"),
        ("We bieden een opleidingsbudget en een goede pensioenregeling.", "offer"),
        ("Je krijgt reiskostenvergoeding en vakantiegeld.", "offer"),
        # apply: procedure, contact, dates
        ("Solliciteer vóór 20 april via de knop hieronder.", "apply"),
        ("Voor vragen kun je bellen met Sanne de Vries, teamleider.", "apply"),
        ("De eerste gesprekken vinden plaats in week 18.", "apply"),
        ("Een assessment kan onderdeel zijn van de procedure.", "apply"),
        # other: pitch, questions, diversity, narrative
        ("Zo'n afwisselende baan vind je niet snel, want geen dag is hetzelfde.", "other"),
        ("Wij zijn op zoek naar een enthousiaste gastvrouw.", "other"),
        ("Iedereen is welkom, ongeacht afkomst of geaardheid.", "other"),
        ("'Ik begon hier als stagiair,' vertelt Mark.", "other"),
    ],
)
def test_what_is_not_work_says_why(text: str, kind: str) -> None:
    (statement,) = split_description(text)
    assert statement.kind == kind
    assert split_statements(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Je kunt een pipet en een spectrofotometer hanteren.",
        "Je hebt kennis van HACCP.",
        "Je voert klantgesprekken en stelt offertes op.",
        "De medewerker werkt volgens de HACCP-richtlijnen.",
        "Je werkt met Word en Excel.",
        "Je bent verantwoordelijk voor het beheer van de sleutels.",
        "In de schoolvakanties organiseer je samen met je collega's een vakantieprogramma.",
    ],
)
def test_a_sentence_that_names_a_task_stays_work_even_in_the_profile(text: str) -> None:
    assert split_statements("Wie ben jij?\n" + text)
    assert split_statements(text)


def test_typeringen_lose_their_traits_and_context_but_keep_their_tasks() -> None:
    typering = (
        "De allround medewerker AV-productie is werkzaam voor omroepen en reclamebureaus. "
        "Hij stemt werkzaamheden goed af met andere crewleden. Hij is stressbestendig en flexibel. "
        "Hij heeft voldoende doorzettingsvermogen. De eerste verkoper werkt in een winkel binnen het mkb. "
        "Hij bouwt de set op en zorgt dat de opname goed verloopt."
    )
    assert split_statements(typering) == [
        "Hij stemt werkzaamheden goed af met andere crewleden",
        "Hij bouwt de set op en zorgt dat de opname goed verloopt",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "20 april 2023",
        "2023-02-20",
        "20-02-2023",
        "1.500",
        "€ 2.641 - € 3.630 per maand",
        "32 uur",
        "Marktplein 1, 7311 LR Apeldoorn",
        "https://www.werkenbij.nl/vacature/123",
        "www.dewaag-deventer.nl",
        "werken@dewaag-deventer.nl",
        "0570-612345",
        "+31 6 12345678",
        "Posted Date 12 Mar 2026",
        "Geplaatst 1 jaar geleden",
        "Vacaturenummer 9557",
        "Deel deze vacature",
        "Mensenwerk dus",
        "Flexibel",
        "Ok ja",
        "",
    ],
)
def test_no_skill_texts(text: str) -> None:
    assert not is_skill_text(text)
    assert split_statements(text) == []


@pytest.mark.parametrize(
    "text",
    ["Voert klantgesprekken", "kennis van HACCP", "tafels dekken", "beheert de kas", "Post sorteren"],
)
def test_skill_texts(text: str) -> None:
    assert is_skill_text(text)


def test_page_text_around_a_task_list_is_not_scored() -> None:
    text = (
        "Vacatures | Horeca | Kok\n"
        "Zwolle, Centrum\n"
        "Posted Date 3 Mar 2026\n"
        "\n"
        "Je bereidt de gerechten van de kaart.\n"
        "Je maakt de keuken schoon volgens het schoonmaakrooster.\n"
        "Mensenwerk dus.\n"
        "20 april 2023\n"
    )
    assert split_statements(text) == [
        "bereidt de gerechten van de kaart",
        "maakt de keuken schoon volgens het schoonmaakrooster",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Je denkt mee over verbeteringen.",
        "Je luistert goed naar de wensen van de klant.",
        "Je legt makkelijk contact met jongeren.",
        "Je blijft rustig als het druk wordt.",
        "Je bent een echte teamspeler.",
        "Je bent een stevige, betrokken begeleider die ruimte geeft.",
        "Hij werkt zorgvuldig, ook onder tijdsdruk.",
        "Ze geeft duidelijk haar grenzen aan.",
        "Je kunt goed omgaan met weerstand.",
    ],
)
def test_soft_skills_in_vacancy_words_are_traits(text: str) -> None:
    assert [s.kind for s in split_description(text)] == ["trait"]


def test_the_intro_of_a_vacancy_is_context_and_its_title_no_task() -> None:
    text = (
        "Vacatures | Zorg | Begeleider\n"
        "Begeleider woonvorm (28 uur)\n"
        "Arnhem, Presikhaaf\n"
        "\n"
        "Stichting De Brug biedt wonen en dagbesteding aan 300 mensen met een beperking. "
        "Op de woning wonen acht jongvolwassenen. De bewoners hebben veel structuur nodig.\n"
        "\n"
        "## Wat ga je doen?\n"
        "Je begeleidt de bewoners bij het koken. Je stelt samen met hen een dagplanning op.\n"
    )
    assert split_statements(text) == [
        "begeleidt de bewoners bij het koken",
        "stelt samen met hen een dagplanning op",
    ]
    found = kinds(text)
    assert (
        found["Stichting De Brug biedt wonen en dagbesteding aan 300 mensen met een beperking"] == "context"
    )
    assert found["De bewoners hebben veel structuur nodig"] == "context"
    assert found["Begeleider woonvorm (28 uur)"] != "work"


def test_requirements_under_a_work_heading_only_when_they_say_so() -> None:
    text = "Taken:\n- Omwisselen van buitenlandse rijbewijzen\n- Je hebt een geldig rijbewijs B\n"
    assert kinds(text) == {
        "Omwisselen van buitenlandse rijbewijzen": "work",
        "hebt een geldig rijbewijs B": "requirement",
    }


def test_experience_is_a_requirement_even_when_it_names_a_task() -> None:
    text = "Ervaring in het bedienen van gasten hoef je niet te hebben. Je hebt kennis van HACCP."
    assert split_statements(text) == ["hebt kennis van HACCP"]


def test_a_task_with_an_inverted_verb_stays_work_next_to_context_words() -> None:
    text = "In de schoolvakanties organiseer je samen met je collega's een vakantieprogramma."
    assert split_statements(text) == [
        "In de schoolvakanties organiseer je samen met je collega's een vakantieprogramma"
    ]


def test_tasks_after_a_pitch_and_a_colon_are_work_and_a_testimonial_is_not() -> None:
    text = """\
Werken bij
Kom koken in Eetcafé De Pont!

Voor de zomer zoeken we versterking in de keuken: je snijdt de groente, bereidt de sauzen, maakt de
desserts op en je houdt de koelcel op orde. Nog nooit in een keuken gestaan? Geen probleem: de eerste
weken loop je mee met onze chef.

"Wat ik het mooiste vind? Dat je elke avond ziet wat je gemaakt hebt. Soms bak je honderd pannenkoeken op
een middag."

Deel dit bericht
"""
    got = kinds(text)
    work = [t for t, k in got.items() if k == "work"]
    assert work == [
        "snijdt de groente",
        "bereidt de sauzen",
        "maakt de desserts op",
        "houdt de koelcel op orde",
    ]
    # The pitch before the colon is kept, not scored; so are the onboarding, the quote and the page text.
    assert got["Voor de zomer zoeken we versterking in de keuken"] != "work"
    assert not any("pannenkoeken" in t or "mooiste" in t or "Deel dit" in t for t in work)
    assert not any("loop je mee" in t for t in work)


def test_a_bare_werken_bij_line_opens_no_section_about_the_organisation() -> None:
    assert heading_section("Werken bij") is None
    assert heading_section("Werken bij de gemeente") == "context"
    # A list of things after a colon is no clause of tasks: "drie groepen: een babygroep, …".
    got = kinds(
        "Op de locatie werken we met drie groepen: een babygroep, een dreumesgroep en een peutergroep."
    )
    assert "work" not in got.values()

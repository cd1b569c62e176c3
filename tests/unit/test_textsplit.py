from __future__ import annotations

import pytest

from app.ingest.textsplit import MAX_STATEMENT_CHARS, split_description, split_statements


def texts(text: str) -> list[str]:
    """Every statement, work or not: how the text is cut, whatever is scored."""
    return [s.text for s in split_description(text)]


def kinds(text: str) -> dict[str, str]:
    return {s.text: s.kind for s in split_description(text)}


FACILITAIR = """\
Als medewerker facilitaire dienstverlening ben je het visitekaartje van het stadskantoor.
Je verzorgt de post, beheert de voorraad en bemant de receptie. Daarnaast zet je vergaderzalen klaar
en verzorg je de catering bij bijeenkomsten. Je bent verantwoordelijk voor de schoonmaak van de
pantry's. Je werkt volgens de HACCP-richtlijnen.
"""

KINDEROPVANG = """\
Wat ga je doen?
Als pedagogisch medewerker op de voorschool in Nieuw-West werk je met peuters van 2,5 tot 4 jaar.

Jouw taken:
- Je begeleidt peuters bij spel en dagelijkse verzorging
• Je observeert de ontwikkeling van kinderen en legt dit vast in het kindvolgsysteem
* Je voert activiteiten uit volgens het VVE-programma.
1. Je onderhoudt contact met ouders.
2) Je zorgt voor een veilige en gezonde speelomgeving
a) Hij/zij signaleert zorgen en bespreekt deze met de intern begeleider

Wie ben jij?
"""

ABBREVIATIONS = (
    "Je werkt o.a. met Word en Excel. Je verwerkt bijv. aanvragen voor parkeervergunningen. "
    "Je beheert de kas van ca. 1.500 euro per week, d.w.z. je telt en controleert het geld. "
    "Je geeft informatie m.b.t. afvalinzameling, grofvuil enz. Je werkt 0,8 fte."
)


def test_facilitair_description() -> None:
    assert split_statements(FACILITAIR) == [
        "Als medewerker facilitaire dienstverlening ben je het visitekaartje van het stadskantoor",
        "verzorgt de post",
        "beheert de voorraad",
        "bemant de receptie",
        "zet vergaderzalen klaar",
        "verzorg de catering bij bijeenkomsten",
        "de schoonmaak van de pantry's",
        "werkt volgens de HACCP-richtlijnen",
    ]


def test_kinderopvang_with_bullets_and_headings() -> None:
    assert split_statements(KINDEROPVANG) == [
        "Als pedagogisch medewerker op de voorschool in Nieuw-West werk je met peuters van 2,5 tot 4 jaar",
        "begeleidt peuters bij spel en dagelijkse verzorging",
        "observeert de ontwikkeling van kinderen",
        "legt dit vast in het kindvolgsysteem",
        "voert activiteiten uit volgens het VVE-programma",
        "onderhoudt contact met ouders",
        "zorgt voor een veilige en gezonde speelomgeving",
        "signaleert zorgen",
        "bespreekt deze met de intern begeleider",
    ]


def test_abbreviations_and_decimals_do_not_end_sentences() -> None:
    assert texts(ABBREVIATIONS) == [
        "werkt o.a. met Word en Excel",
        "verwerkt bijv. aanvragen voor parkeervergunningen",
        "beheert de kas van ca. 1.500 euro per week, d.w.z. je telt en controleert het geld",
        "geeft informatie m.b.t. afvalinzameling, grofvuil",
        "werkt 0,8 fte",
    ]
    # Hours are part of the offer, not a skill; the cash of ca. 1.500 euro is a task, not a salary.
    assert kinds(ABBREVIATIONS)["werkt 0,8 fte"] == "offer"
    assert "beheert de kas van ca. 1.500 euro per week, d.w.z. je telt en controleert het geld" in (
        split_statements(ABBREVIATIONS)
    )


def test_sentence_final_abbreviation_before_a_capital_ends_the_sentence() -> None:
    assert split_statements("Je sorteert post, pakketten enz. Je bemant de receptie.") == [
        "sorteert post, pakketten",
        "bemant de receptie",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Je verzorgt de post, beheert de voorraad en bemant de receptie.",
            ["verzorgt de post", "beheert de voorraad", "bemant de receptie"],
        ),
        (
            "Je plant activiteiten en begeleidt vrijwilligers.",
            ["plant activiteiten", "begeleidt vrijwilligers"],
        ),
        (
            "Je taken zijn: vergaderzalen klaarzetten, post sorteren en bezoekers ontvangen.",
            ["vergaderzalen klaarzetten", "post sorteren", "bezoekers ontvangen"],
        ),
        (
            "Het verzorgen van de post en het bijhouden van de voorraad.",
            ["Het verzorgen van de post", "het bijhouden van de voorraad"],
        ),
        ("Daarnaast beheer je de voorraad en verzorg je de post.", ["beheer de voorraad", "verzorg de post"]),
    ],
)
def test_enumerations_of_activities_are_split(text: str, expected: list[str]) -> None:
    assert split_statements(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Je hebt kennis van HACCP en hygiëne.", "hebt kennis van HACCP en hygiëne"),
        ("Je zorgt voor een schone en veilige omgeving.", "zorgt voor een schone en veilige omgeving"),
        ("Je werkt met kinderen, ouders en collega's.", "werkt met kinderen, ouders en collega's"),
        ("Kennis van schoonmaakmiddelen, hygiënevoorschriften en veiligheid", None),
        (
            "Je zorgt, samen met je collega's, voor een gastvrije ontvangst.",
            "zorgt, samen met je collega's, voor een gastvrije ontvangst",
        ),
        (
            "Je onderhoudt contact met ouders, o.a. tijdens haal- en brengmomenten.",
            "onderhoudt contact met ouders, o.a. tijdens haal- en brengmomenten",
        ),
        ("Als de receptie onbemand is, vang je bezoekers op.", None),
        # A count is not two clauses, and a passive ending makes the enumerated things its subject
        # (typeringen of 25499 and 25486, once "De medewerker …" is stripped).
        (
            "Je specialiseert je in één of meer van de onderdelen van het werkveld.",
            "specialiseert je in één of meer van de onderdelen van het werkveld",
        ),
        (
            "De pedagogisch medewerker werkt in een kindercentrum waar opvang, buitenschoolse opvang en/of "
            "peuterspeelzaalwerk worden aangeboden.",
            "werkt in een kindercentrum waar opvang, buitenschoolse opvang en/of peuterspeelzaalwerk worden "
            "aangeboden",
        ),
    ],
)
def test_lists_of_nouns_and_other_commas_stay_whole(text: str, expected: str | None) -> None:
    whole = expected or text.rstrip(".")
    assert texts(text) == [whole]


def test_pronoun_frames_are_stripped_but_not_possessive_je() -> None:
    assert texts(
        "Jij communiceert helder. U bent gastvrij. De medewerker registreert meldingen. "
        "Je bent verantwoordelijk voor het beheer van de sleutels. Je werkplek is het stadsloket."
    ) == [
        "communiceert helder",
        "bent gastvrij",
        "registreert meldingen",
        "het beheer van de sleutels",
        "Je werkplek is het stadsloket",
    ]
    # A trait of the person and the place of work are not skills to cover.
    assert split_statements(
        "Jij communiceert helder. U bent gastvrij. De medewerker registreert meldingen. "
        "Je bent verantwoordelijk voor het beheer van de sleutels. Je werkplek is het stadsloket."
    ) == ["communiceert helder", "registreert meldingen", "het beheer van de sleutels"]


def test_the_job_title_after_de_medewerker_goes_with_the_frame() -> None:
    # "sport", "transport" and nouns in -iteit or -ment end in -t like a finite verb; the typering of
    # Medewerker sport en recreatie (crebo 25500) came out as "sport en recreatie voert …", and its
    # enumeration of activities was split at the wrong subject.
    assert split_statements(
        "De medewerker sport en recreatie voert sportieve activiteiten uit, begeleidt gasten en houdt "
        "toezicht. De medewerker transport en logistiek laadt goederen. "
        "De medewerker mobiliteit adviseert over reizen. De medewerker controleert en registreert goederen. "
        "De medewerker die de post verzorgt, is gastheer."
    ) == [
        "voert sportieve activiteiten uit",
        "begeleidt gasten",
        "houdt toezicht",
        "laadt goederen",
        "adviseert over reizen",
        "controleert en registreert goederen",
        "De medewerker die de post verzorgt, is gastheer",
    ]


def test_quotes_are_kept_in_pairs_and_stray_ones_dropped() -> None:
    assert texts(
        "Ook kan ze werkzaam zijn als 'combinatiefunctionaris'. Hij werkt met \"lean\". "
        "'Teamplayer zijn'. Verzorgt baby's. \"Plant de dag. Werkt volgens de 'lean'-methode."
    ) == [
        "kan ze werkzaam zijn als 'combinatiefunctionaris'",
        'Hij werkt met "lean"',
        "Teamplayer zijn",
        "Verzorgt baby's",
        "Plant de dag",
        "Werkt volgens de 'lean'-methode",
    ]


def test_deduplication_is_case_insensitive_and_keeps_order() -> None:
    text = "- Post sorteren\n- Bezoekers ontvangen\n- post  sorteren.\n- POST SORTEREN!\nJe sorteert post."
    assert split_statements(text) == ["Post sorteren", "Bezoekers ontvangen", "sorteert post"]


def test_short_fragments_headings_and_questions_are_dropped() -> None:
    text = "Taken\nWat bieden wij\nFunctie-eisen:\n- Flexibel\n- Ok ja\nWie zoeken wij?\n"
    text += "- Rijbewijs B is een pré"
    assert texts(text) == ["Rijbewijs B is een pré"]
    # ...which is a requirement, not a skill a programme covers.
    assert split_description(text)[0].kind == "requirement"
    assert split_statements(text) == []


def test_inline_bullets_lead_in_and_whitespace() -> None:
    text = "Tot je taken behoren:  post sorteren • bezoekers\t ontvangen • catering verzorgen\r\n"
    assert split_statements(text) == ["post sorteren", "bezoekers ontvangen", "catering verzorgen"]


def test_long_statements_are_capped_at_a_word_boundary() -> None:
    (statement,) = split_statements("Je " + "beheert de voorraad kantoorartikelen " * 20)
    assert len(statement) <= MAX_STATEMENT_CHARS
    assert (
        statement.endswith("kantoorartikelen") or statement.endswith("voorraad") or statement.endswith("de")
    )


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "-\n•\n1.", "Taken:"])
def test_empty_input(text: str) -> None:
    assert split_statements(text) == []


def test_deterministic() -> None:
    assert split_statements(KINDEROPVANG) == split_statements(KINDEROPVANG)


def test_footnotes_are_not_tasks_and_their_marks_go() -> None:
    # The typering of Helpende Zorg en Welzijn (crebo 25498) ends with two footnotes that define its words;
    # as statements they were two "skills" a programme had to cover.
    assert split_statements(
        "Je ondersteunt de cliënt* en diens naastbetrokkenen**. Je bewaakt de privacy van de cliënt. "
        "*De term cliënt wordt gebruikt voor bewoner, deelnemer en kind. "
        "**De term naastbetrokkenen wordt gebruikt voor mantelzorgers en familie.\n"
        "* Je verzorgt de post\n"
        "Je let *vooral* op veiligheid."
    ) == [
        "ondersteunt de cliënt en diens naastbetrokkenen",
        "bewaakt de privacy van de cliënt",
        "verzorgt de post",
        "let *vooral* op veiligheid",
    ]
    # Without a mark that points to it, an asterisk at the start is not a footnote: nothing is dropped.
    assert split_statements("*Post sorteren\n*Bezoekers ontvangen") == [
        "*Post sorteren",
        "*Bezoekers ontvangen",
    ]


def test_a_plural_after_a_determiner_is_not_an_infinitive() -> None:
    # "hun naasten" ends in -en like "post sorteren", but a determiner makes it a noun: no second statement.
    assert split_statements(
        "Je begeleidt de bewoners en hun naasten. Je sorteert de post en bezoekers ontvangen."
    ) == ["begeleidt de bewoners en hun naasten", "sorteert de post", "bezoekers ontvangen"]

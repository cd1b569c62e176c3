"""The SBB kwalificatiedossier XML parser, against the four real SBB exports and our own fixtures."""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # until pytest has pythonpath = ["."]
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.errors import InvalidDocument
from app.ingest.sbb_xml import STATEMENT_KINDS, ParsedDossier, ParsedKwalificatie, Statement, parse_sbb_xml
from tests.shared_data import shared_data_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "data" / "fixtures" / "dossiers"
REAL_FILES = (
    "2635_Pedagogisch_Werk.xml",
    "2637_Sociaal_werk.xml",
    "2755_Dienstverlening.xml",
    "4156_Maatschappelijke_Zorg.xml",
)


def _kd_dir() -> Path:
    return shared_data_dir() / "sbb-kd-xml-2016"


@pytest.fixture(scope="module")
def real() -> dict[str, ParsedDossier]:
    dossiers: dict[str, ParsedDossier] = {}
    for name in REAL_FILES:
        parsed = parse_sbb_xml((_kd_dir() / name).read_bytes())
        assert len(parsed) == 1, name
        dossiers[parsed[0].crebo] = parsed[0]
    return dossiers


@pytest.fixture(scope="module")
def kwalificaties(real: dict[str, ParsedDossier]) -> dict[str, ParsedKwalificatie]:
    return {k.crebo: k for dossier in real.values() for k in dossier.kwalificaties}


def _find(kwalificatie: ParsedKwalificatie, code: str, kind: str) -> list[str]:
    return [s.text for s in kwalificatie.statements if s.code == code and s.kind == kind]


# --- the real SBB files ----------------------------------------------------------------------------


def test_real_files_totals(real: dict[str, ParsedDossier]) -> None:
    assert sorted(real) == ["23181", "23183", "23185", "23189"]
    assert sum(len(d.kwalificaties) for d in real.values()) == 14
    assert sum(d.werkproces_count for d in real.values()) == 111
    # SOURCE.md: 7 basis-kerntaken + 16 profiel-kerntaken
    assert sum(d.kerntaak_count for d in real.values()) == 23
    per_dossier_basis = {
        crebo: len(
            {
                s.code
                for k in d.kwalificaties
                for s in k.statements
                if s.kind == "kerntaak" and s.code[0] == "B"
            }
        )
        for crebo, d in real.items()
    }
    assert sum(per_dossier_basis.values()) == 7
    assert {crebo: d.kerntaak_count for crebo, d in real.items()} == {
        "23181": 8,
        "23183": 7,
        "23185": 4,
        "23189": 4,
    }
    assert {crebo: d.werkproces_count for crebo, d in real.items()} == {
        "23181": 43,
        "23183": 34,
        "23185": 16,
        "23189": 18,
    }


def test_real_dossier_fields(real: dict[str, ParsedDossier]) -> None:
    zorg = real["23181"]
    assert (zorg.sbb_nr, zorg.title, zorg.versie, zorg.status) == (
        "4156",
        "Maatschappelijke Zorg",
        "Gewijzigd 2016",
        "Vastgesteld",
    )
    assert zorg.domein == "Zorg en welzijn"
    assert zorg.valid_from is not None
    assert zorg.valid_from.isoformat() == "2015-08-01"
    assert zorg.vastgesteld_op is not None
    assert zorg.vastgesteld_op.isoformat() == "2015-11-26"
    assert real["23189"].versie == ""
    assert len(zorg.content_hash) == 64


def test_real_kwalificaties(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    expected = {
        "25486": ("Pedagogisch medewerker kinderopvang", 3),
        "25484": ("Gespecialiseerd pedagogisch medewerker", 4),  # trailing space in the XML titel
        "25485": ("Onderwijsassistent", 4),
        "25489": ("Sociaal-maatschappelijk dienstverlener", 4),
        "25488": ("Sociaal-cultureel werker", 4),
        "25499": ("Medewerker facilitaire dienstverlening", 2),
        "25498": ("Helpende Zorg en Welzijn", 2),
        "25500": ("Medewerker sport en recreatie", 2),
        "25475": ("Begeleider gehandicaptenzorg", 3),
        "25476": ("Begeleider specifieke doelgroepen", 3),
        "25477": ("Persoonlijk begeleider gehandicaptenzorg", 4),
        "25474": ("Agogisch medewerker GGZ", 4),
        "25479": ("Thuisbegeleider", 4),
        "25478": ("Persoonlijk begeleider specifieke doelgroepen", 4),
    }
    assert {crebo: (k.title, k.niveau) for crebo, k in kwalificaties.items()} == expected
    assert kwalificaties["25499"].beroepsgroep == "Facilitaire dienstverlening"
    assert all(
        k.valid_from is not None and k.valid_from.isoformat() == "2015-08-01" for k in kwalificaties.values()
    )


# The first profiel werkproces of every kwalificatie, and the first basis werkproces of every dossier
# (taken from derived_werkprocessen.csv and the XML by reading, not from this parser).
PINNED_WERKPROCESSEN = {
    "25486": [("P1-K1-W1", "Voert gesprekken met de ouders/vervangende opvoeders en het kind")],
    "25484": [("P2-K1-W1", "Voert gesprekken met de ouders/vervangende opvoeders en het kind")],
    "25485": [
        ("P3-K1-W1", "Bereidt de uitvoering van lesactiviteiten voor"),
        ("B1-K1-W1", "Inventariseert behoeften en wensen van het kind"),
    ],
    "25489": [("P1-K1-W1", "Ondersteunt de cliënt bij praktische diensten")],
    "25488": [
        ("P2-K1-W1", "Bereidt projecten en activiteiten voor"),
        ("B1-K1-W1", "Inventariseert de vraag naar sociaal werk"),
    ],
    "25499": [
        ("B1-K1-W1", "Bereidt werkzaamheden voor en stemt af"),
        ("P1-K1-W1", "Assisteert bij beheer van gebouwen"),
    ],
    "25498": [("P2-K1-W1", "Ondersteunt bij wonen en huishouden")],
    "25500": [("P3-K1-W1", "Assisteert bij de uitvoering van activiteiten")],
    "25475": [
        ("P1-K1-W1", "Ondersteunt en motiveert een groep cliënten bij activiteiten"),
        ("B1-K1-W1", "Inventariseert ondersteuningsvragen van de cliënt"),
    ],
    "25476": [("P2-K1-W1", "Levert een bijdrage aan het ondersteuningsplan")],
    "25477": [("P3-K1-W1", "Stelt het ondersteuningsplan op")],
    "25474": [("P4-K1-W1", "Levert een bijdrage aan het ondersteuningsplan")],
    "25479": [("P5-K1-W1", "Maakt samen met de cliënt het ondersteuningsplan")],
    "25478": [("P6-K1-W1", "Schrijft het ondersteuningsplan")],
}


def test_every_kwalificatie_has_pinned_werkprocessen(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    assert set(PINNED_WERKPROCESSEN) == set(kwalificaties)
    for crebo, pins in PINNED_WERKPROCESSEN.items():
        for code, title in pins:
            assert _find(kwalificaties[crebo], code, "werkproces") == [title], (crebo, code)


def test_pinned_statements_25499(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    facilitair = kwalificaties["25499"]
    first = facilitair.statements[0]
    assert first == Statement("B1-K1", "kerntaak", "Voert dienstverlenende werkzaamheden uit")
    assert "heeft basiskennis van hygiëne/HACCP" in _find(facilitair, "B1-K1", "vakkennis")
    assert _find(facilitair, "B1-K1-W1", "resultaat") == ["De werkzaamheden zijn juist voorbereid."]
    gedrag = _find(facilitair, "B1-K1-W1", "gedrag")
    assert gedrag[0] == "kiest de juiste materialen en middelen"
    assert not any(g.startswith("De beroepsbeoefenaar") or g.endswith((";", ".")) for g in gedrag)
    assert "Samenwerken en overleggen" in _find(facilitair, "B1-K1-W1", "competentie")
    omschrijving = _find(facilitair, "B1-K1-W1", "omschrijving")
    assert len(omschrijving) == 1
    assert omschrijving[0].startswith("De beroepsbeoefenaar ontvangt werkopdrachten en instructies")
    assert _find(facilitair, "P1-K1", "kerntaak") == ["Voert facilitaire werkzaamheden uit"]
    # a profiel kerntaak of another kwalificatie in the same dossier is not included
    assert not [s for s in facilitair.statements if s.code.startswith(("P2", "P3"))]


def test_statements_are_well_formed(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    for kwalificatie in kwalificaties.values():
        assert kwalificatie.statements
        assert len(set(kwalificatie.statements)) == len(kwalificatie.statements)
        for statement in kwalificatie.statements:
            assert statement.kind in STATEMENT_KINDS
            assert statement.text
            assert statement.text == " ".join(statement.text.split())
            if statement.kind in ("kerntaak", "vakkennis"):
                assert statement.code.count("-") == 1
            else:
                assert statement.code.count("-") == 2
        competenties = [s for s in kwalificatie.statements if s.kind == "competentie"]
        assert len(set(competenties)) == len(competenties)


def test_werkprocessen_match_derived_csv(real: dict[str, ParsedDossier]) -> None:
    with (_kd_dir() / "derived_werkprocessen.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 111
    expected = {(r["dossier_crebo"], r["werkproces_code"], r["werkproces_titel"].strip()) for r in rows}
    kerntaken = {(r["dossier_crebo"], r["kerntaak_code"], r["kerntaak_titel"].strip()) for r in rows}
    parsed = {
        (dossier.crebo, s.code, s.text)
        for dossier in real.values()
        for k in dossier.kwalificaties
        for s in k.statements
        if s.kind == "werkproces"
    }
    parsed_kerntaken = {
        (dossier.crebo, s.code, s.text)
        for dossier in real.values()
        for k in dossier.kwalificaties
        for s in k.statements
        if s.kind == "kerntaak"
    }
    normalise = lambda triples: {(a, b, " ".join(c.split())) for a, b, c in triples}  # noqa: E731
    assert normalise(parsed) == normalise(expected)
    assert normalise(parsed_kerntaken) == normalise(kerntaken)


def test_per_profiel_addition_only_in_its_own_profiel(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    # 4156 Maatschappelijke Zorg, B1-K1-W3 "Ondersteunt de cliënt bij wonen en huishouden": an omschrijving
    # addition for profiel 1216586 (Thuisbegeleider, 25479) only.
    addition = "De thuisbegeleider maakt samen met de cliënt een plan en werkafspraken"
    thuis = _find(kwalificaties["25479"], "B1-K1-W3", "omschrijving")
    assert len(thuis) == 1
    assert addition in thuis[0]
    assert thuis[0].startswith("De beroepskracht maatschappelijke zorg")  # the basis text comes first
    for other in ("25474", "25475", "25476", "25477", "25478"):
        texts = _find(kwalificaties[other], "B1-K1-W3", "omschrijving")
        assert len(texts) == 1, other
        assert addition not in texts[0], other
    # gedrag additions carry their own lead-in ("De thuisbegeleider:"), which is dropped
    gedrag = [s.text for s in kwalificaties["25479"].statements if s.kind == "gedrag"]
    assert not any(g.startswith("De thuisbegeleider") and g.endswith(":") for g in gedrag)
    # per-profiel vakkennis: 25475 (profiel 1216553) gets 9 extra references on B1-K1, 25479 gets its own
    basis_only = set(_find(kwalificaties["25475"], "B1-K1", "vakkennis")) & set(
        _find(kwalificaties["25479"], "B1-K1", "vakkennis")
    )
    assert len(_find(kwalificaties["25475"], "B1-K1", "vakkennis")) > len(basis_only)


def test_typering_is_not_a_statement(kwalificaties: dict[str, ParsedKwalificatie]) -> None:
    for kwalificatie in kwalificaties.values():
        assert kwalificatie.typering
        assert all(kwalificatie.typering != s.text for s in kwalificatie.statements)
    assert kwalificaties["25479"].typering.startswith("Typerend voor de thuisbegeleider")


def test_content_hash_is_stable_and_sensitive() -> None:
    raw = (_kd_dir() / "2755_Dienstverlening.xml").read_bytes()
    first = parse_sbb_xml(raw)[0]
    assert parse_sbb_xml(raw)[0].content_hash == first.content_hash
    reindented = raw.replace(b"\n      <dossiercrebos>", b"\n\n            <dossiercrebos>")
    reindented = reindented.replace(
        b"De werkzaamheden zijn juist voorbereid.", b"De werkzaamheden  zijn juist\n voorbereid."
    )
    assert reindented != raw
    assert parse_sbb_xml(reindented)[0].content_hash == first.content_hash
    changed = raw.replace(
        b"De werkzaamheden zijn juist voorbereid.", b"De werkzaamheden zijn goed voorbereid."
    )
    assert changed != raw
    assert parse_sbb_xml(changed)[0].content_hash != first.content_hash


# --- refusals ----------------------------------------------------------------------------------------


def _refusal(data: bytes) -> InvalidDocument:
    with pytest.raises(InvalidDocument) as caught:
        parse_sbb_xml(data)
    assert caught.value.errors, "an InvalidDocument must say where"
    return caught.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<sbb><dossiers><dossier titel="&lol9;"/></dossiers></sbb>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE sbb [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sbb><dossiers><dossier titel="&xxe;"/></dossiers></sbb>
"""


def test_refuses_billion_laughs() -> None:
    error = _refusal(BILLION_LAUGHS)
    assert "DTD" in error.detail
    assert error.errors[0].location == "line 2"


def test_refuses_external_entity() -> None:
    error = _refusal(EXTERNAL_ENTITY)
    assert "root:" not in str(error.errors)  # nothing was read from the file system


def test_refuses_malformed_xml_naming_the_line() -> None:
    error = _refusal(b'<?xml version="1.0"?>\n<sbb>\n  <dossiers>\n    <dossier>\n  </dossiers>\n</sbb>\n')
    assert error.errors[0].location.startswith("line 5, column")


def test_refuses_wrong_root() -> None:
    error = _refusal(b"<?xml version='1.0'?>\n<kwalificatiedossier/>")
    assert error.errors[0].location == "line 2, <kwalificatiedossier>"


def test_refuses_profiel_without_crebo() -> None:
    raw = (_kd_dir() / "4156_Maatschappelijke_Zorg.xml").read_bytes()
    start = raw.index(b'<profiel nr="1216586"')
    block = raw.index(b"<creboinformatie>", start)
    end = raw.index(b"</creboinformatie>", block) + len(b"</creboinformatie>")
    broken = raw[:block] + raw[end:]
    line = raw[:start].count(b"\n") + 1
    error = _refusal(broken)
    assert [e.location for e in error.errors] == [f'line {line}, <profiel titel="Thuisbegeleider">']
    assert "crebo" in error.errors[0].message


def test_refuses_niveau_7_and_collects_several_errors() -> None:
    raw = (_kd_dir() / "4156_Maatschappelijke_Zorg.xml").read_bytes()
    broken = raw.replace(b'hoofdstuk="5" niveau="4"', b'hoofdstuk="5" niveau="7"').replace(
        b">25478</crebo>", b">2547</crebo>"
    )
    error = _refusal(broken)
    messages = " | ".join(f"{e.location}: {e.message}" for e in error.errors)
    assert len(error.errors) == 2, messages
    assert 'profiel titel="Thuisbegeleider"' in error.errors[0].location
    assert "7" in error.errors[0].message
    assert "<crebo>" in error.errors[1].location
    assert "5 digits" in error.errors[1].message


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", "<sbb titel='caf\xe9'/>".encode("latin-1"), b"<sbb><dossiers/></sbb>"],
    ids=["empty", "blank", "latin-1", "no-dossiers"],
)
def test_refuses_empty_or_undecodable(data: bytes) -> None:
    _refusal(data)


def test_refuses_non_numeric_hoofdstuk() -> None:
    raw = (FIXTURES / "facilitaire_dienstverlening.xml").read_bytes()
    broken = raw.replace(b'hoofdstuk="2"', b'hoofdstuk="twee"', 1)
    error = _refusal(broken)
    assert "hoofdstuk" in error.errors[0].message
    assert error.errors[0].location.startswith("line ")


# --- our own fixtures -----------------------------------------------------------------------------


def _fixture_counts(dossier: ParsedDossier) -> dict[str, object]:
    return {
        "crebo": dossier.crebo,
        "title": dossier.title,
        "kerntaak_count": dossier.kerntaak_count,
        "werkproces_count": dossier.werkproces_count,
        "kwalificaties": {
            k.crebo: {
                "title": k.title,
                "niveau": k.niveau,
                "statements": dict(sorted(Counter(s.kind for s in k.statements).items())),
            }
            for k in dossier.kwalificaties
        },
    }


def test_fixtures_match_expected_counts() -> None:
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    files = sorted(FIXTURES.glob("*.xml"))
    assert [f.name for f in files] == sorted(expected)
    for path in files:
        dossiers = parse_sbb_xml(path.read_bytes())
        assert len(dossiers) == 1
        assert _fixture_counts(dossiers[0]) == expected[path.name], path.name


def test_fixtures_do_not_collide_with_real_crebos() -> None:
    catalogue = (shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv").read_text(
        "utf-8"
    )
    for path in FIXTURES.glob("*.xml"):
        for dossier in parse_sbb_xml(path.read_bytes()):
            assert dossier.crebo not in catalogue
            assert all(k.crebo not in catalogue for k in dossier.kwalificaties)


def test_fixture_per_profiel_addition() -> None:
    dossier = parse_sbb_xml((FIXTURES / "facilitaire_dienstverlening.xml").read_bytes())[0]
    by_niveau = {k.niveau: k for k in dossier.kwalificaties}
    added = set(by_niveau[3].statements) - set(by_niveau[2].statements)
    basis_added = [s for s in added if s.code.startswith("B1")]
    assert basis_added, "the niveau 3 kwalificatie must get a per-profiel addition in the basisdeel"

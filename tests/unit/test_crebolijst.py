"""The crebolijst CSV parser, against the real HKS 2015 list and small hand-made tables."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

if str(Path(__file__).resolve().parents[2]) not in sys.path:  # until pytest has pythonpath = ["."]
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.errors import InvalidDocument
from app.ingest.crebolijst import CatalogueEntry, parse_crebolijst
from tests.shared_data import shared_data_dir

HEADER = (
    "opleidingsdomein,opleidingsdomein_crebo,dossier_crebo,dossier_prijsfactor,kwalificatiedossier,"
    "kwalificatie_crebo,kwalificatie,niveau,kwalificatie_prijsfactor,soort_opleiding,"
    "wettelijke_beroepsvereisten,leerweg,geldig_vanaf\n"
)
ROW_25499 = (
    'Zorg en welzijn,79140,23189,"1,10",Dienstverlening,25499,Medewerker facilitaire dienstverlening,2,'
    '"1,30",basisberoepsopleiding,,BOL/BBL,2015-08-01\n'
)
ROW_25498 = (
    'Zorg en welzijn,79140,23189,"1,10",Dienstverlening,25498,Helpende Zorg en Welzijn,2,'
    '"1,10",basisberoepsopleiding,,BOL/BBL,2015-08-01\n'
)


def test_real_crebolijst() -> None:
    path = shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv"
    entries = parse_crebolijst(path.read_bytes())
    assert len(entries) == 470
    assert len({e.dossier_crebo for e in entries}) == 172
    assert Counter(e.niveau for e in entries) == {1: 12, 2: 126, 3: 154, 4: 178}
    by_crebo = {e.crebo: e for e in entries}
    assert by_crebo["25499"] == CatalogueEntry(
        crebo="25499",
        title="Medewerker facilitaire dienstverlening",
        niveau=2,
        dossier_crebo="23189",
        dossier_title="Dienstverlening",
        domein="Zorg en welzijn",
        leerweg="BOL/BBL",
        soort_opleiding="basisberoepsopleiding",
    )
    assert by_crebo["25080"].title == "Betonreparateur"
    # the four dossiers of the SBB XML sample are in the list
    assert {"23181", "23183", "23185", "23189"} <= {e.dossier_crebo for e in entries}


def test_small_table_with_bom_and_semicolons() -> None:
    entries = parse_crebolijst(("\ufeff" + HEADER + ROW_25499).encode("utf-8"))
    assert [e.crebo for e in entries] == ["25499"]
    semicolons = HEADER.replace(",", ";") + ROW_25498.replace('"1,10"', "1,10").replace(",", ";").replace(
        "1;10", "1,10"
    )
    assert parse_crebolijst(semicolons.encode("utf-8"))[0].title == "Helpende Zorg en Welzijn"


def test_bad_niveau_names_the_row() -> None:
    bad = ROW_25498.replace("Welzijn,2,", "Welzijn,x,")
    with pytest.raises(InvalidDocument) as caught:
        parse_crebolijst((HEADER + ROW_25499 + bad).encode("utf-8"))
    assert [e.location for e in caught.value.errors] == ["row 3, column niveau"]


def test_duplicate_crebo_is_an_error() -> None:
    with pytest.raises(InvalidDocument) as caught:
        parse_crebolijst((HEADER + ROW_25499 + ROW_25498 + ROW_25499).encode("utf-8"))
    assert [e.location for e in caught.value.errors] == ["row 4, column kwalificatie_crebo"]
    assert "row 2" in caught.value.errors[0].message


@pytest.mark.parametrize(
    ("data", "location"),
    [
        (b"", "row 1"),
        (b"crebo,naam\n25499,x\n", "row 1, column opleidingsdomein"),
        (HEADER.encode() + "Zorg,79140,23189,1,Dienst,25499,Caf\xe9,2".encode("latin-1"), "row 2"),
        ((HEADER + ROW_25499.replace(",25499,", ",2549,")).encode(), "row 2, column kwalificatie_crebo"),
        ((HEADER + "a,b\n").encode(), "row 2"),
        (HEADER.encode(), "row 2"),
    ],
    ids=["empty", "wrong-header", "latin-1", "short-crebo", "short-row", "no-rows"],
)
def test_refusals(data: bytes, location: str) -> None:
    with pytest.raises(InvalidDocument) as caught:
        parse_crebolijst(data)
    assert caught.value.errors[0].location == location

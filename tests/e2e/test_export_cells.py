"""The matrix export never hands a spreadsheet a formula (no browser needed)."""

from __future__ import annotations

import csv
import io

import numpy as np
import openpyxl
import pytest

from app.api.ui.export import matrix_csv, matrix_xlsx, safe_cell
from app.matching.embedders import HashingEmbedder
from app.matching.index import ProgrammeInfo
from app.matching.matrix import CoverageMatrix, WorkplaceRef
from app.matching.service import Matcher


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+31 20 000", "'+31 20 000"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("Baliemedewerker", "Baliemedewerker"),
        ("Medewerker = collega", "Medewerker = collega"),
        ("", ""),
    ],
)
def test_safe_cell(text: str, shown: str) -> None:
    assert safe_cell(text) == shown


def _matrix() -> CoverageMatrix:
    return CoverageMatrix(
        workplaces=(WorkplaceRef(1, "=cmd|' /C calc'!A0", "@Directie"), WorkplaceRef(2, "Balie", "Noord")),
        programmes=(ProgrammeInfo("25901", "Medewerker facilitaire services", 2, "23001", "Facilitair"),),
        coverage=np.array([[0.75], [0.5]]),
        eligible=np.array([[True], [False]]),
        knockouts=np.array([[0], [1]]),
        workplaces_without_skills=(),
        catalogue_version=3,
        config=Matcher(HashingEmbedder()).config(),
    )


def test_csv_export_lists_every_cell_with_formulas_defused() -> None:
    rows = list(csv.DictReader(io.StringIO(matrix_csv(_matrix()).decode("utf-8-sig")), delimiter=";"))
    assert [
        (r["werkplek"], r["organisatieonderdeel"], r["dekking_procent"], r["geschikt"]) for r in rows
    ] == [
        ("'=cmd|' /C calc'!A0", "'@Directie", "75", "ja"),
        ("Balie", "Noord", "50", "nee"),
    ]
    assert rows[1]["knock_outs"] == "1"


def test_xlsx_export_has_no_formula_cells() -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(matrix_xlsx(_matrix())))
    grid = workbook["Matrix"]
    assert grid["A2"].value == "'=cmd|' /C calc'!A0"
    assert grid["C2"].value == 75
    assert grid["C3"].value == 50
    assert all(c.data_type != "f" for sheet in workbook for row in sheet.iter_rows() for c in row)

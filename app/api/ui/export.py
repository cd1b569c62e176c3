"""The coverage matrix as a file: CSV (one row per workplace × programme) and XLSX (that list plus a heatmap).

Text cells that a spreadsheet would read as a formula (starting with = + - @, or a tab or carriage
return) get a leading apostrophe, so that a workplace title can never run as a formula (CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.matching.matrix import CoverageMatrix

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LIST_HEADERS = (
    "werkplek_id",
    "werkplek",
    "organisatieonderdeel",
    "crebo",
    "kwalificatie",
    "niveau",
    "dekking_procent",
    "geschikt",
    "knock_outs",
)


def safe_cell(value: str) -> str:
    """A text cell that no spreadsheet will evaluate."""
    if value.startswith(FORMULA_START):
        return "'" + value
    return value


def _rows(matrix: CoverageMatrix) -> Iterator[tuple[int, str, str, str, str, int, int, str, int]]:
    for r, workplace in enumerate(matrix.workplaces):
        for c, programme in enumerate(matrix.programmes):
            yield (
                workplace.id,
                safe_cell(workplace.title),
                safe_cell(workplace.organisation_unit),
                programme.crebo,
                safe_cell(programme.title),
                programme.niveau,
                round(float(matrix.coverage[r, c]) * 100),
                "ja" if bool(matrix.eligible[r, c]) else "nee",
                int(matrix.knockouts[r, c]),
            )


def matrix_csv(matrix: CoverageMatrix) -> bytes:
    """';'-separated with a byte-order mark, as Dutch Excel opens it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(LIST_HEADERS)
    writer.writerows(_rows(matrix))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def matrix_xlsx(matrix: CoverageMatrix) -> bytes:
    """Sheet 'Matrix': workplaces × programmes, coverage in %, eligible cells green and bold;
    sheet 'Lijst': the same as the CSV; sheet 'Uitleg': the settings the scores were made with."""
    workbook = openpyxl.Workbook()
    grid = workbook.active
    assert grid is not None
    grid.title = "Matrix"
    bold = Font(bold=True)
    eligible_fill = PatternFill("solid", fgColor="B7E1CD")
    grid.append(
        ["werkplek", "organisatieonderdeel"]
        + [safe_cell(f"{p.crebo} {p.title} (niveau {p.niveau})") for p in matrix.programmes]
    )
    for cell in grid[1]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for r, workplace in enumerate(matrix.workplaces):
        grid.append(
            [safe_cell(workplace.title), safe_cell(workplace.organisation_unit)]
            + [round(float(matrix.coverage[r, c]) * 100) for c in range(len(matrix.programmes))]
        )
        for c in range(len(matrix.programmes)):
            if bool(matrix.eligible[r, c]):
                cell = grid.cell(row=r + 2, column=c + 3)
                cell.fill = eligible_fill
                cell.font = bold
    grid.column_dimensions["A"].width = 45
    grid.column_dimensions["B"].width = 30
    for c in range(len(matrix.programmes)):
        grid.column_dimensions[get_column_letter(c + 3)].width = 18
    grid.freeze_panes = "C2"

    listing = workbook.create_sheet("Lijst")
    listing.append(list(LIST_HEADERS))
    for cell in listing[1]:
        cell.font = bold
    for row in _rows(matrix):
        listing.append(list(row))

    about = workbook.create_sheet("Uitleg")
    config = matrix.config
    for key, value in (
        ("dekking", "gewogen aandeel van de vaardigheden van de werkplek dat de kwalificatie dekt, in %"),
        ("geschikt", "dekking minstens de minimale dekking en geen knock-out (groen in de matrix)"),
        ("knock-out", "een essentiële vaardigheid die niet gedekt is en niet trainbaar"),
        ("minimale dekking", f"{round(config.min_coverage * 100)}%"),
        ("model", f"{config.model} {config.model_version}"),
        ("drempel gelijkenis", f"{config.threshold:.2f}"),
        ("catalogusversie", str(matrix.catalogue_version)),
    ):
        about.append([key, value])
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

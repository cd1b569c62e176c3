"""The empty workplace tables users download and fill in: CSV and XLSX, with Dutch headers.

The headers are names that app.ingest.table accepts; tests/unit/test_table.py reads both templates
back through the parser.
"""

from __future__ import annotations

import csv
import io

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

__all__ = ["TEMPLATE_EXAMPLE", "TEMPLATE_HEADERS", "template_csv", "template_xlsx"]

TEMPLATE_HEADERS = (
    "werkplek",
    "organisatieonderdeel",
    "omschrijving",
    "vaardigheid",
    "gewicht",
    "essentieel",
    "trainbaar",
)
TEMPLATE_EXAMPLE = (
    "Medewerker facilitaire dienstverlening stadskantoor",
    "Directie Facilitair Bureau",
    "Je zorgt dat het stadskantoor schoon, veilig en gastvrij is.",
    "Vergaderzalen klaarzetten volgens reservering",
    "3",
    "ja",
    "nee",
)
_TEMPLATE_HELP = (
    ("werkplek", "Naam van de werkplek (workplace). Verplicht op de eerste regel; leeg = zelfde werkplek."),
    ("organisatieonderdeel", "Directie of stadsdeel (organisation_unit), bijv. Stadsdeel Nieuw-West."),
    ("omschrijving", "Korte omschrijving van de werkplek (description); alleen de eerste wordt gebruikt."),
    ("vaardigheid", "Eén vaardigheid per regel (skill). Verplicht."),
    ("gewicht", "1 = laag, 2 = midden (standaard), 3 = hoog (weight)."),
    ("essentieel", "ja/nee: moet iemand dit al kunnen? (must_have)"),
    ("trainbaar", "ja/nee: kan iemand dit op de werkplek leren? (trainable)"),
)


def template_csv() -> str:
    """An empty template with the Dutch headers and one example row, ';'-separated as Dutch Excel writes.

    Starts with a byte-order mark so that Excel opens it as UTF-8 once encoded; the parser accepts it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    writer.writerow(TEMPLATE_EXAMPLE)
    return "\ufeff" + buffer.getvalue()


def template_xlsx() -> bytes:
    """An empty workbook: sheet 'Werkplekken' with the Dutch headers and one example row, plus 'Uitleg'."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Werkplekken"
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append([int(v) if v.isdigit() else v for v in TEMPLATE_EXAMPLE])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for letter, width in zip("ABCDEFG", (45, 30, 50, 50, 10, 12, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    weight = DataValidation(type="list", formula1='"1,2,3"', allow_blank=True)
    yes_no = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
    sheet.add_data_validation(weight)
    sheet.add_data_validation(yes_no)
    weight.add("E2:E2000")
    yes_no.add("F2:G2000")
    help_sheet = workbook.create_sheet("Uitleg")
    help_sheet.append(["kolom", "uitleg"])
    for row in _TEMPLATE_HELP:
        help_sheet.append(list(row))
    help_sheet.column_dimensions["A"].width = 22
    help_sheet.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

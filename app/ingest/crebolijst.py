"""Parser for the national crebolijst (all kwalificaties with their dossier, niveau and domein) as CSV.

Reads the format of `hks_2015_kwalificaties.csv` (header row, comma separated, UTF-8 with or without BOM;
a semicolon-separated export with the same header is accepted too). Pure: bytes in, frozen dataclasses out.
Rows are numbered as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from app.errors import ErrorItem, InvalidDocument

MAX_ERRORS = 50
REQUIRED_COLUMNS = (
    "opleidingsdomein",
    "dossier_crebo",
    "kwalificatiedossier",
    "kwalificatie_crebo",
    "kwalificatie",
    "niveau",
    "soort_opleiding",
    "leerweg",
)

_CREBO = re.compile(r"\d{5}")


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    crebo: str
    title: str
    niveau: int
    dossier_crebo: str
    dossier_title: str
    domein: str
    leerweg: str
    soort_opleiding: str


def parse_crebolijst(data: bytes) -> list[CatalogueEntry]:
    """Parse a crebolijst CSV. Raises InvalidDocument with "row N, column X" locations on bad rows.

    A kwalificatie crebo that occurs twice in one file is an error.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_row = data[: exc.start].count(b"\n") + 1
        raise InvalidDocument(
            "the crebolijst is not valid UTF-8",
            [ErrorItem(f"row {bad_row}", f"invalid byte at offset {exc.start}")],
        ) from None
    if not text.strip():
        raise InvalidDocument("the crebolijst is empty", [ErrorItem("row 1", "no header row")])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InvalidDocument(
            "the crebolijst lacks required columns",
            [ErrorItem(f"row 1, column {name}", "required column is missing") for name in missing],
        )
    index = {name: header.index(name) for name in REQUIRED_COLUMNS}

    errors: list[ErrorItem] = []
    entries: list[CatalogueEntry] = []
    first_row_of: dict[str, int] = {}
    for row_number, row in enumerate(reader, start=2):
        if len(errors) >= MAX_ERRORS:
            break
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            errors.append(
                ErrorItem(f"row {row_number}", f"has {len(row)} cells, the header has {len(header)}")
            )
            continue
        value = {name: " ".join(row[i].split()) for name, i in index.items()}
        row_errors: list[ErrorItem] = []
        for column in ("kwalificatie_crebo", "dossier_crebo"):
            if not _CREBO.fullmatch(value[column]):
                row_errors.append(
                    ErrorItem(
                        f"row {row_number}, column {column}", f"must be 5 digits, not {value[column]!r}"
                    )
                )
        niveau = value["niveau"]
        if not (niveau.isdigit() and 1 <= int(niveau) <= 4):
            row_errors.append(
                ErrorItem(f"row {row_number}, column niveau", f"must be 1 to 4, not {niveau!r}")
            )
        for column in ("kwalificatie", "kwalificatiedossier"):
            if not value[column]:
                row_errors.append(ErrorItem(f"row {row_number}, column {column}", "must not be empty"))
        crebo = value["kwalificatie_crebo"]
        if crebo in first_row_of:
            row_errors.append(
                ErrorItem(
                    f"row {row_number}, column kwalificatie_crebo",
                    f"crebo {crebo} already occurs in row {first_row_of[crebo]}",
                )
            )
        first_row_of.setdefault(crebo, row_number)
        if row_errors:
            errors.extend(row_errors)
            continue
        entries.append(
            CatalogueEntry(
                crebo=crebo,
                title=value["kwalificatie"],
                niveau=int(niveau),
                dossier_crebo=value["dossier_crebo"],
                dossier_title=value["kwalificatiedossier"],
                domein=value["opleidingsdomein"],
                leerweg=value["leerweg"],
                soort_opleiding=value["soort_opleiding"],
            )
        )
    if errors:
        errors = errors[:MAX_ERRORS]
        raise InvalidDocument(f"the crebolijst has {len(errors)} invalid value(s)", errors)
    if not entries:
        raise InvalidDocument("the crebolijst has no rows", [ErrorItem("row 2", "no kwalificaties")])
    return entries

"""Workplace skill profiles from a CSV or XLSX table, as the project team keeps them in Excel.

One row per skill. Rows are grouped into workplaces by (title, organisation unit) in order of first
appearance; a row with an empty title but a filled skill continues the workplace above it (merged
cells in Excel read that way too). Headers are matched case- and accent-insensitively, in Dutch or
English; unknown columns are ignored. Every bad row is collected and reported in one InvalidDocument.

Pure: bytes in, frozen dataclasses out. XML inside an XLSX is parsed by openpyxl, which uses
defusedxml when it is installed (it is a project dependency).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from app.errors import ErrorItem, InvalidDocument, UnsupportedDocument

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "SkillRow",
    "WorkplaceRecord",
    "parse_workplace_table",
    "template_csv",
    "template_xlsx",
]

logger = logging.getLogger(__name__)

MAX_BYTES = 20_000_000  # raw upload
MAX_ROWS = 10_000  # data rows (header not counted)
MAX_COLUMNS = 64  # columns beyond this are not read
MAX_CELL_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 4_000  # a description is free text and may be longer than a skill
MAX_ERRORS = 200  # reported; the count of the rest is added
MAX_XLSX_UNCOMPRESSED = 50_000_000
MAX_XLSX_RATIO = 100
MAX_XLSX_MEMBERS = 1_000

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSV_CONTENT_TYPES = frozenset(
    {
        "text/csv",
        "application/csv",
        "text/plain",
        "text/x-csv",
        "application/vnd.ms-excel",
        "text/tab-separated-values",
    }
)
_CSV_EXTENSIONS = frozenset({".csv", ".txt", ".tsv"})
_XLSX_EXTENSIONS = frozenset({".xlsx", ".xlsm"})
_SHEET_NAMES = ("skills", "werkplekken", "vaardigheden")


@dataclass(frozen=True, slots=True)
class SkillRow:
    text: str
    weight: int  # 1..3, default 2 when the cell is empty
    must_have: bool  # default False
    trainable: bool  # default False
    line: int  # 1-based row number in the sheet/file (header = row 1)


@dataclass(frozen=True, slots=True)
class WorkplaceRecord:
    title: str
    organisation_unit: str  # directie or stadsdeel ("" allowed)
    description: str  # "" when absent; the first non-empty description cell of the group
    skills: tuple[SkillRow, ...]


# --- columns -------------------------------------------------------------------------------------------


def _norm_header(text: str) -> str:
    """'Aan te leren?' -> 'aantelerer'-style key: lower case, no accents, letters and digits only.

    A parenthesised hint is dropped first, so 'Gewicht (1-3)' is 'gewicht'.
    """
    text = re.sub(r"\(.*?\)", "", text)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() and ch.isascii())


# canonical name -> aliases (normalised with _norm_header when looked up)
_ALIASES: dict[str, tuple[str, ...]] = {
    "workplace": ("workplace", "title", "werkplek", "functie", "workplace_title", "werkplektitel"),
    "organisation_unit": (
        "organisation_unit",
        "organization_unit",
        "directie",
        "stadsdeel",
        "organisatieonderdeel",
        "afdeling",
        "directie/stadsdeel",
    ),
    "description": ("description", "omschrijving", "beschrijving"),
    "skill": ("skill", "vaardigheid", "skill_text"),
    "weight": ("weight", "gewicht"),
    "must_have": ("must_have", "essentieel", "knock-out", "knockout", "vereist"),
    "trainable": ("trainable", "trainbaar", "aan te leren", "leerbaar"),
}
_REQUIRED = ("workplace", "skill")
_ALIAS_TO_FIELD: dict[str, str] = {
    _norm_header(alias): field for field, aliases in _ALIASES.items() for alias in aliases
}

_TRUE = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
_FALSE = frozenset({"nee", "n", "no", "false", "onwaar", "0", ""})
_WEIGHT_WORDS = {"laag": 1, "low": 1, "midden": 2, "gemiddeld": 2, "medium": 2, "hoog": 3, "high": 3}


@dataclass(frozen=True, slots=True)
class _Column:
    index: int
    header: str  # as written in the file, for error locations


def _map_columns(header: Sequence[str]) -> dict[str, _Column]:
    """Field name -> column. The first column that matches a field wins; later ones are ignored."""
    columns: dict[str, _Column] = {}
    for index, raw in enumerate(header):
        field = _ALIAS_TO_FIELD.get(_norm_header(raw))
        if field is not None and field not in columns:
            columns[field] = _Column(index, raw.strip())
    missing = [field for field in _REQUIRED if field not in columns]
    if missing:
        found = ", ".join(repr(h.strip()) for h in header if h.strip()) or "none"
        items = [
            ErrorItem(
                location="row 1",
                message=f"missing column '{field}' (accepted names: {', '.join(_ALIASES[field])})",
            )
            for field in missing
        ]
        names = " and ".join(f"'{field}'" for field in missing)
        raise InvalidDocument(f"the table has no {names} column; headers found: {found}", items)
    return columns


# --- cell values ---------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    return " ".join(text.split())


def _parse_bool(value: str) -> bool | None:
    key = value.strip().casefold()
    if key in ("1.0", "0.0"):
        key = key[0]
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    return None


def _parse_weight(value: str) -> int | None:
    key = value.strip().casefold()
    if not key:
        return 2
    if key in _WEIGHT_WORDS:
        return _WEIGHT_WORDS[key]
    try:
        number = float(key.replace(",", "."))
    except ValueError:
        return None
    if number.is_integer() and int(number) in (1, 2, 3):
        return int(number)
    return None


def _shown(value: str) -> str:
    """A bad cell value as quoted in an error message: trimmed, and cut when long."""
    value = " ".join(value.split())
    return value if len(value) <= 40 else value[:40] + "…"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


# --- reading -------------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[ErrorItem] = []
        self.dropped = 0

    def add(self, location: str, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(ErrorItem(location, message))
        else:
            self.dropped += 1

    def raise_if_any(self) -> None:
        if not self.items:
            return
        total = len(self.items) + self.dropped
        items = list(self.items)
        if self.dropped:
            items.append(ErrorItem("table", f"... and {self.dropped} more errors not listed"))
        raise InvalidDocument(
            f"the table has {total} error{'s' if total != 1 else ''}; nothing was imported", items
        )


@dataclass(slots=True)
class _Group:
    title: str
    organisation_unit: str
    description: str
    skills: list[SkillRow]
    first_line: int


def _group_rows(rows: Iterable[tuple[int, list[str]]]) -> list[WorkplaceRecord]:
    """rows: (1-based row number, cell texts) from the first row on, header included."""
    iterator = iter(rows)
    header: list[str] | None = None
    for _line, cells in iterator:
        if any(c.strip() for c in cells):
            header = cells
            break
    if header is None:
        raise InvalidDocument("the table is empty: expected a header row and one row per skill")
    columns = _map_columns(header)

    errors = _Errors()
    groups: dict[tuple[str, str], _Group] = {}
    current: _Group | None = None
    seen_skills: dict[tuple[tuple[str, str], str], int] = {}
    data_rows = 0

    for line, cells in iterator:
        if not any(c.strip() for c in cells):
            continue
        data_rows += 1
        if data_rows > MAX_ROWS:
            raise InvalidDocument(
                f"the table has more than {MAX_ROWS} rows; split it into smaller files",
                [ErrorItem(f"row {line}", f"more than {MAX_ROWS} data rows")],
            )

        def cell(field: str, cells: list[str] = cells) -> str:
            column = columns.get(field)
            if column is None or column.index >= len(cells):
                return ""
            return cells[column.index]

        def where(field: str, line: int = line) -> str:
            return f"row {line}, column {columns[field].header}"

        row_ok = True
        for field in columns:
            limit = MAX_DESCRIPTION_CHARS if field == "description" else MAX_CELL_CHARS
            if len(cell(field)) > limit:
                errors.add(where(field), f"{field} is longer than {limit} characters ({len(cell(field))})")
                row_ok = False

        title = _clean(cell("workplace"))
        unit = _clean(cell("organisation_unit"))
        description = cell("description").replace("\r\n", "\n").strip()
        skill = _clean(cell("skill"))
        weight = _parse_weight(cell("weight"))
        must_have = _parse_bool(cell("must_have"))
        trainable = _parse_bool(cell("trainable"))

        if weight is None:
            errors.add(where("weight"), f"weight must be 1, 2 or 3 (got '{_shown(cell('weight'))}')")
            row_ok = False
        for field, parsed in (("must_have", must_have), ("trainable", trainable)):
            if parsed is None:
                errors.add(where(field), f"{field} must be ja or nee (got '{_shown(cell(field))}')")
                row_ok = False
        if not skill:
            filled = [f for f in ("weight", "must_have", "trainable") if f in columns and cell(f).strip()]
            if filled:
                errors.add(where("skill"), f"skill is empty but {', '.join(filled)} is filled")
                row_ok = False

        if title:
            key = (title.casefold(), unit.casefold())
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(title, unit, "", [], line)
            current = group
        elif current is None:
            errors.add(
                where("workplace"), "workplace title is empty and there is no workplace above this row"
            )
            continue
        group = current
        if description and not group.description:
            group.description = description
        if not skill or not row_ok:
            continue
        skill_key = ((group.title.casefold(), group.organisation_unit.casefold()), skill.casefold())
        if skill_key in seen_skills:
            errors.add(
                where("skill"), f"duplicate skill for '{group.title}' (also on row {seen_skills[skill_key]})"
            )
            continue
        seen_skills[skill_key] = line
        assert weight is not None
        assert must_have is not None
        assert trainable is not None
        group.skills.append(SkillRow(skill, weight, must_have, trainable, line))

    if data_rows == 0:
        raise InvalidDocument("the table has a header row but no data rows")
    for group in groups.values():
        if not group.skills and not group.description and not errors.items:
            errors.add(
                f"row {group.first_line}, column {columns['skill'].header}",
                f"workplace '{group.title}' has no skills and no description",
            )
    errors.raise_if_any()
    return [
        WorkplaceRecord(g.title, g.organisation_unit, g.description, tuple(g.skills)) for g in groups.values()
    ]


def _decode_csv(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ("utf-16",)  # Excel's "Unicode text"
    else:
        encodings = ("utf-8", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InvalidDocument(
        "the file is not readable text; save it as 'CSV UTF-8' or as an Excel workbook (.xlsx)"
    )


def _detect_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ";"))  # a tie goes to ';' (Dutch Excel)
    return best if counts[best] else ","


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode_csv(data)
    lines = text.splitlines(keepends=True)
    delimiter: str | None = None
    if lines and lines[0].strip().casefold().startswith("sep=") and len(lines[0].strip()) == 5:
        delimiter = lines[0].strip()[4]  # Excel's "sep=;" line; Excel hides it, so rows count after it
        lines = lines[1:]
    if delimiter is None:
        first = next((ln for ln in lines if ln.strip()), "")
        delimiter = _detect_delimiter(first)
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise InvalidDocument(
            "the CSV file cannot be read", [ErrorItem(f"row {reader.line_num}", str(exc))]
        ) from exc


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise InvalidDocument("the Excel file is damaged (not a valid .xlsx zip archive)") from exc
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise UnsupportedDocument("the zip file is not an Excel workbook; upload .xlsx or .csv")
    total = sum(info.file_size for info in infos)
    packed = max(sum(info.compress_size for info in infos), 1)
    if (
        len(infos) > MAX_XLSX_MEMBERS
        or total > MAX_XLSX_UNCOMPRESSED
        or (total > 1_000_000 and total / packed > MAX_XLSX_RATIO)
    ):
        logger.warning("refused xlsx: %d members, %d bytes unpacked from %d", len(infos), total, packed)
        raise InvalidDocument(
            f"the Excel file unpacks to {total:,} bytes from {packed:,}; that is too large to read safely"
        )


def _xlsx_rows(data: bytes) -> list[tuple[int, list[str]]]:
    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        logger.info("xlsx not readable: %s", type(exc).__name__)
        raise InvalidDocument("the Excel file cannot be read; save it again as .xlsx") from exc
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise InvalidDocument("the Excel file has no worksheet")
        by_name = {sheet.title.strip().casefold(): sheet for sheet in sheets}
        sheet = next((by_name[n] for n in _SHEET_NAMES if n in by_name), sheets[0])
        rows: list[tuple[int, list[str]]] = []
        non_empty = 0
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                non_empty += 1
                if non_empty > MAX_ROWS + 1:  # _group_rows reports it with the row number
                    rows.append((number, cells))
                    break
            rows.append((number, cells))
        return rows
    except InvalidDocument:
        raise
    except Exception as exc:
        logger.info("xlsx sheet not readable: %s", type(exc).__name__)
        raise InvalidDocument("the Excel file cannot be read; save it again as .xlsx") from exc
    finally:
        workbook.close()


def _kind(data: bytes, filename: str | None, content_type: str | None) -> str:
    extension = ""
    if filename and "." in filename:
        extension = "." + filename.rsplit(".", 1)[1].strip().casefold()
    media = (content_type or "").split(";")[0].strip().casefold()
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnsupportedDocument("old Excel format (.xls); save the file as .xlsx or CSV")
    if extension in (".ods", ".numbers"):
        raise UnsupportedDocument(f"{extension} files are not supported; save the file as .xlsx or CSV")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "xlsx"
    if extension in _XLSX_EXTENSIONS or media == XLSX_CONTENT_TYPE:
        raise InvalidDocument("the Excel file is damaged (not a valid .xlsx zip archive)")
    if extension in _CSV_EXTENSIONS or media in _CSV_CONTENT_TYPES:
        return "csv"
    if not extension and media in ("", "application/octet-stream"):
        return "csv"  # no hint at all: _decode_csv refuses binary data
    shown = extension or media
    raise UnsupportedDocument(
        f"unsupported file type {shown!r}; upload an Excel workbook (.xlsx) or a CSV file"
    )


def parse_workplace_table(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> list[WorkplaceRecord]:
    """Read workplaces from CSV or XLSX bytes.

    The type comes from the magic bytes (a zip is XLSX), then the extension, then the content type.
    Raises UnsupportedDocument for other file types and InvalidDocument, listing every bad row, for
    tables that cannot be imported as a whole.
    """
    if not data.strip():
        raise InvalidDocument("the file is empty")
    if len(data) > MAX_BYTES:
        raise InvalidDocument(f"the file is larger than {MAX_BYTES:,} bytes")
    kind = _kind(data, filename, content_type)
    rows: Iterable[tuple[int, list[str]]] = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    records = _group_rows(rows)
    logger.info(
        "parsed %s table: %d workplaces, %d skills", kind, len(records), sum(len(r.skills) for r in records)
    )
    return records


# --- templates -----------------------------------------------------------------------------------------

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

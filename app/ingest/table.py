"""Workplace skill profiles from a CSV or XLSX table, as the project team keeps them in Excel.

One row per skill. Rows are grouped into workplaces by (title, organisation unit) in order of first
appearance; a row with an empty title but a filled skill continues the workplace above it (merged
cells in Excel read that way too). Headers are matched case- and accent-insensitively, in Dutch or
English; unknown columns are ignored. Every bad row is collected and reported in one InvalidDocument.

Reading the bytes (file kind, encodings, XLSX) is app.ingest.tabular's; the downloadable templates are
app.ingest.templates'. Pure: bytes in, frozen dataclasses out.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.errors import ErrorItem, InvalidDocument
from app.ingest.tabular import MAX_ROWS, Row, read_rows

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_ROWS",
    "SkillRow",
    "WorkplaceRecord",
    "parse_workplace_table",
]

logger = logging.getLogger(__name__)

MAX_CELL_CHARS = 1_000
MAX_DESCRIPTION_CHARS = 4_000  # a description is free text and may be longer than a skill
MAX_ERRORS = 200  # reported; the count of the rest is added


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


def _group_rows(rows: Iterable[Row]) -> list[WorkplaceRecord]:
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


def parse_workplace_table(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> list[WorkplaceRecord]:
    """Read workplaces from CSV or XLSX bytes.

    The type comes from the magic bytes (a zip is XLSX), then the extension, then the content type.
    Raises UnsupportedDocument for other file types and InvalidDocument, listing every bad row, for
    tables that cannot be imported as a whole.
    """
    kind, rows = read_rows(data, filename=filename, content_type=content_type)
    records = _group_rows(rows)
    logger.info(
        "parsed %s table: %d workplaces, %d skills", kind, len(records), sum(len(r.skills) for r in records)
    )
    return records

"""Bytes to rows: what kind of table a file is, and its rows as text cells.

CSV is decoded as UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode text") or
cp1252, with the delimiter taken from an Excel "sep=" line or counted on the first line. XLSX is
checked as a zip archive first (size, members, compression ratio), then read by openpyxl, which uses
defusedxml when it is installed (it is a project dependency). What the rows mean is app.ingest.table's
business.

Pure: bytes in, (1-based row number, cell texts) out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import zipfile
from collections.abc import Iterable, Iterator
from typing import Literal

import openpyxl

from app.errors import ErrorItem, InvalidDocument, UnsupportedDocument

__all__ = ["MAX_BYTES", "MAX_COLUMNS", "MAX_ROWS", "XLSX_CONTENT_TYPE", "Row", "TableKind", "read_rows"]

logger = logging.getLogger(__name__)

MAX_BYTES = 20_000_000  # raw upload
MAX_ROWS = 10_000  # data rows (header not counted)
MAX_COLUMNS = 64  # columns beyond this are not read
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

Row = tuple[int, list[str]]  # (1-based row number, cell texts)
TableKind = Literal["csv", "xlsx"]


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


def _csv_rows(data: bytes) -> Iterator[Row]:
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


def _xlsx_rows(data: bytes) -> list[Row]:
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
        rows: list[Row] = []
        non_empty = 0
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if any(c.strip() for c in cells):
                non_empty += 1
                if non_empty > MAX_ROWS + 1:  # table.py reports it with the row number
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


def _kind(data: bytes, filename: str | None, content_type: str | None) -> TableKind:
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


def read_rows(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> tuple[TableKind, Iterable[Row]]:
    """The file's kind and its rows, from the first row on, header included.

    The kind comes from the magic bytes (a zip is XLSX), then the extension, then the content type.
    CSV rows are read lazily, so a decoding error is raised while the rows are consumed.
    """
    if not data.strip():
        raise InvalidDocument("the file is empty")
    if len(data) > MAX_BYTES:
        raise InvalidDocument(f"the file is larger than {MAX_BYTES:,} bytes")
    kind = _kind(data, filename, content_type)
    rows: Iterable[Row] = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    return kind, rows

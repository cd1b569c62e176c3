"""Export and import ALL data, losslessly, between databases (SQLite ⇄ PostgreSQL).

The export is a stream of JSON records (written one per line by the CLI): a header naming the format,
the schema revision and the tables, then one record per row, table by table in foreign-key order
(`Base.metadata.sorted_tables`), rows ordered by primary key. Every table on the metadata is covered,
so tables added later are included without a change here; a table in the database that the metadata
does not know makes the export fail rather than silently leave it out.

Values are encoded from the column types: bytes (embedding vectors) as base64, dates and times as ISO
8601 strings (timestamps with a time zone in UTC), decimals as strings; the import restores the exact
Python types. The import writes into an EMPTY database at the same schema revision, keeping the ids so
that foreign keys hold, and moves PostgreSQL's id sequences past the imported ids. It only flushes: the
caller's transaction makes it all-or-nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import logging
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Column, Table
from sqlalchemy import types as sqltypes
from sqlalchemy.orm import Session

import app.models  # noqa: F401  (registers the tables on Base.metadata)
from app.catalogue import repository
from app.db import Base
from app.errors import Conflict, ErrorItem, InvalidDocument

log = logging.getLogger(__name__)

FORMAT = "skillmatch-export"
FORMAT_VERSION = 1
BATCH = 1000
# Tables that the migrations themselves fill, with the rows a freshly migrated database holds. An
# import replaces these rows; any other row in the target means it is not empty.
SEEDED: dict[str, list[dict[str, Any]]] = {"catalogue_state": [{"id": 1, "version": 0}]}
IGNORED_TABLES = {"alembic_version"}

Record = dict[str, Any]


@dataclass(slots=True)
class PortabilityReport:
    revision: str
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def tables() -> list[Table]:
    """Every table of the schema, parents before children."""
    return list(Base.metadata.sorted_tables)


def schema_revision(session: Session) -> str:
    """The Alembic revision the database is at ("" when it was never migrated)."""
    return ",".join(sorted(repository.list_schema_revisions(session)))


def _check_known_tables(session: Session) -> None:
    present = repository.list_table_names(session) - IGNORED_TABLES
    unknown = sorted(present - {t.name for t in tables()})
    if unknown:
        raise Conflict(
            f"the database holds tables the application does not know ({', '.join(unknown)}); "
            "an export would not be complete"
        )


# -- encoding ---------------------------------------------------------------------------------------


def _type(column: Column[Any]) -> sqltypes.TypeEngine[Any]:
    kind = column.type
    return kind.impl if isinstance(kind, sqltypes.TypeDecorator) else kind  # type: ignore[return-value]


def _encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = _type(column)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dt.datetime):
        if isinstance(kind, sqltypes.DateTime) and kind.timezone:
            # SQLite keeps no offset: the application stores UTC there, so a naive value is UTC.
            value = value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    kind = _type(column)
    if isinstance(kind, sqltypes.LargeBinary):
        return base64.b64decode(value, validate=True)
    if isinstance(kind, sqltypes.DateTime):
        parsed = dt.datetime.fromisoformat(value)
        if not kind.timezone and parsed.tzinfo is not None:
            parsed = parsed.replace(tzinfo=None)
        return parsed
    if isinstance(kind, sqltypes.Date):
        return dt.date.fromisoformat(value)
    if isinstance(kind, sqltypes.Time):
        return dt.time.fromisoformat(value)
    if isinstance(kind, sqltypes.Interval):
        return dt.timedelta(seconds=value)
    if isinstance(kind, sqltypes.Uuid) and kind.as_uuid:
        return uuid.UUID(value)
    if isinstance(kind, sqltypes.Numeric) and not isinstance(kind, sqltypes.Float) and kind.asdecimal:
        return decimal.Decimal(value)
    if isinstance(kind, sqltypes.Boolean):
        return bool(value)
    return value


# -- export -----------------------------------------------------------------------------------------


def export_all(session: Session) -> Iterator[Record]:
    """The header, then every row of every table as `{"table": name, "row": {column: value}}`."""
    _check_known_tables(session)
    revision = schema_revision(session)
    if not revision:
        raise Conflict("the database has no schema yet; run `skillmatch db upgrade` first")
    ordered = tables()
    counts = {t.name: repository.count_rows(session, t) for t in ordered}
    yield {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "revision": revision,
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "tables": [{"name": t.name, "rows": counts[t.name]} for t in ordered],
    }
    started = time.perf_counter()
    for table in ordered:
        columns = list(table.columns)
        order = list(table.primary_key.columns) or columns
        for row in repository.list_rows(session, table, order_by=order, yield_per=BATCH):
            yield {
                "table": table.name,
                "row": {c.name: _encode(c, row[c]) for c in columns},
            }
    log.info(
        "exported %d rows from %d tables in %.2f s",
        sum(counts.values()),
        len(ordered),
        time.perf_counter() - started,
    )


def write_jsonl(records: Iterable[Record], out: IO[str]) -> int:
    """Write records one JSON object per line; returns the number of lines."""
    lines = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
        out.write("\n")
        lines += 1
    return lines


def read_jsonl(lines: Iterable[str]) -> Iterator[Record]:
    """Parse an export file line by line; a broken line is an InvalidDocument naming its number."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InvalidDocument(
                f"line {number} is not valid JSON", [ErrorItem(f"line {number}", error.msg)]
            ) from error
        if not isinstance(record, dict):
            raise InvalidDocument(
                f"line {number} is not a JSON object", [ErrorItem(f"line {number}", "expected an object")]
            )
        record["_line"] = number
        yield record


# -- import -----------------------------------------------------------------------------------------


def _is_seed(table: Table, rows: list[dict[str, Any]]) -> bool:
    seed = SEEDED.get(table.name)
    if seed is None or len(rows) != len(seed):
        return False
    return all(
        all(row.get(k) == v for k, v in expected.items()) for row, expected in zip(rows, seed, strict=True)
    )


def _check_empty(session: Session) -> None:
    filled = []
    for table in tables():
        count = repository.count_rows(session, table)
        if count == 0:
            continue
        if table.name in SEEDED and count <= len(SEEDED[table.name]):
            rows = [
                dict(r)
                for r in repository.list_rows(session, table, order_by=list(table.primary_key.columns))
            ]
            if _is_seed(table, rows):
                continue
        filled.append(f"{table.name} ({count} rows)")
    if filled:
        raise Conflict(
            "the target database is not empty: "
            + ", ".join(filled)
            + "; import-all only writes into a freshly migrated, empty database"
        )


def _reset_sequences(session: Session, counts: dict[str, int]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite picks max(rowid) + 1 by itself
    for table in tables():
        if not counts.get(table.name):
            continue
        for column in table.primary_key.columns:
            if not isinstance(_type(column), sqltypes.Integer):
                continue
            sequence = repository.get_serial_sequence(session, table.name, column.name)
            if sequence is None:
                continue
            repository.set_sequence_past_max(session, sequence, table=table.name, column=column.name)


def import_all(session: Session, records: Iterable[Record]) -> PortabilityReport:
    """Insert an export into this empty database. Flushes only: the caller commits or rolls back."""
    started = time.perf_counter()
    iterator = iter(records)
    header = next(iterator, None)
    if header is None or header.get("format") != FORMAT:
        raise InvalidDocument(
            "not a skillmatch export", [ErrorItem("line 1", f'expected a header with "format": "{FORMAT}"')]
        )
    if header.get("format_version") != FORMAT_VERSION:
        raise InvalidDocument(
            f"export format version {header.get('format_version')} is not supported (expected {FORMAT_VERSION})",
            [ErrorItem("line 1", "format_version")],
        )
    revision = schema_revision(session)
    if header.get("revision") != revision:
        raise Conflict(
            f"the export is at schema revision {header.get('revision')!r}, this database at {revision!r}; "
            "migrate both to the same revision first"
        )
    _check_known_tables(session)
    _check_empty(session)
    by_name = {t.name: t for t in tables()}
    position = {t.name: i for i, t in enumerate(tables())}
    for seeded in SEEDED:
        if seeded in by_name:
            repository.delete_rows(session, by_name[seeded])

    report = PortabilityReport(revision=revision, rows={t.name: 0 for t in tables()})
    expected = {t["name"]: t["rows"] for t in header.get("tables", []) if isinstance(t, dict)}
    current: str | None = None
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if current is not None and batch:
            repository.add_rows(session, by_name[current], batch)
            batch.clear()

    for record in iterator:
        line = record.get("_line", "?")
        name, row = record.get("table"), record.get("row")
        if name not in by_name or not isinstance(row, dict):
            raise InvalidDocument(
                f"line {line}: unknown table {name!r}" if name not in by_name else f"line {line}: no row",
                [ErrorItem(f"line {line}", 'expected {"table": <known table>, "row": {...}}')],
            )
        if name != current:
            flush()
            if current is not None and position[name] < position[current]:
                raise InvalidDocument(
                    f"line {line}: table {name} comes after {current}, out of dependency order",
                    [ErrorItem(f"line {line}", "tables must follow the export order")],
                )
            current = name
        table = by_name[name]
        unknown = sorted(set(row) - set(table.columns.keys()))
        if unknown:
            raise InvalidDocument(
                f"line {line}: table {name} has no column {', '.join(unknown)}",
                [ErrorItem(f"line {line}", f"unknown column {c}") for c in unknown],
            )
        try:
            batch.append({c.name: _decode(c, row.get(c.name)) for c in table.columns if c.name in row})
        except (ValueError, TypeError) as error:
            raise InvalidDocument(
                f"line {line}: a value of table {name} cannot be read",
                [ErrorItem(f"line {line}", str(error))],
            ) from error
        report.rows[name] += 1
        if len(batch) >= BATCH:
            flush()
    flush()
    mismatched = [n for n, count in expected.items() if n in report.rows and report.rows[n] != count]
    if mismatched:
        raise InvalidDocument(
            "the export is incomplete: "
            + ", ".join(f"{n} has {report.rows[n]} rows, the header says {expected[n]}" for n in mismatched),
            [ErrorItem("header", "row counts differ")],
        )
    session.flush()
    _reset_sequences(session, report.rows)
    log.info(
        "imported %d rows into %d tables in %.2f s",
        report.total,
        len(report.rows),
        time.perf_counter() - started,
    )
    return report

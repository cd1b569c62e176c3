"""The catalogue: import SBB dossiers and the national list of kwalificaties; list and show programmes."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from app.catalogue import repository
from app.errors import NotFound
from app.ingest.crebolijst import parse_crebolijst
from app.ingest.sbb_xml import ParsedDossier, parse_sbb_xml
from app.models import Dossier, Kwalificatie, Programme

log = logging.getLogger(__name__)

DossierStatus = Literal["created", "replaced", "unchanged", "history"]


@dataclass(frozen=True, slots=True)
class DossierOutcome:
    crebo: str
    title: str
    versie: str
    status: DossierStatus
    dossier_id: int
    kwalificaties: int
    werkprocessen: int


@dataclass(slots=True)
class ImportReport:
    dossiers: int = 0
    kwalificaties: int = 0
    kerntaken: int = 0
    werkprocessen: int = 0
    statements: int = 0
    items: list[DossierOutcome] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(i.status in {"created", "replaced"} for i in self.items)


@dataclass(frozen=True, slots=True)
class CatalogueReport:
    entries: int
    created: int
    updated: int


def _recency(valid_from: dt.date | None, vastgesteld_op: dt.date | None) -> tuple[dt.date, dt.date]:
    return (valid_from or dt.date.min, vastgesteld_op or dt.date.min)


def import_dossiers(
    session: Session, *, documents: Sequence[bytes], on_change: Callable[[Session], object] | None = None
) -> ImportReport:
    """Import SBB XML documents. Every document is parsed and checked before anything is written.

    The same content imported again changes nothing. A different version of a dossier that is at
    least as recent (Geldig vanaf, then vastgesteld op) becomes current and the old one is kept as
    history; an older one is stored as history only. `on_change` runs after a change (the matcher
    uses it to embed the new statements inside the same transaction).
    """
    parsed = [d for document in documents for d in parse_sbb_xml(document)]
    return import_parsed(session, dossiers=parsed, on_change=on_change)


def import_parsed(
    session: Session,
    *,
    dossiers: Sequence[ParsedDossier],
    on_change: Callable[[Session], object] | None = None,
) -> ImportReport:
    """Write dossiers already parsed and checked (import_dossiers, or an import job); flushes only."""
    started = time.perf_counter()
    parsed = dossiers
    report = ImportReport()
    for dossier in parsed:
        outcome = _import_one(session, dossier)
        report.items.append(outcome)
        report.dossiers += 1
        report.kwalificaties += len(dossier.kwalificaties)
        report.kerntaken += dossier.kerntaak_count
        report.werkprocessen += dossier.werkproces_count
        report.statements += sum(len(k.statements) for k in dossier.kwalificaties)
    if report.changed:
        repository.bump_catalogue_version(session)
        session.flush()
        if on_change is not None:
            on_change(session)
    log.info(
        "imported %d dossiers (%s) in %.2f s",
        report.dossiers,
        ", ".join(f"{i.crebo}:{i.status}" for i in report.items),
        time.perf_counter() - started,
    )
    return report


def _import_one(session: Session, parsed: ParsedDossier) -> DossierOutcome:
    existing = repository.get_dossier_by_hash(session, crebo=parsed.crebo, content_hash=parsed.content_hash)
    if existing is not None:
        return _outcome(parsed, existing, "unchanged")
    current = repository.get_current_dossier(session, parsed.crebo)
    newer = current is None or _recency(parsed.valid_from, parsed.vastgesteld_op) >= _recency(
        current.valid_from, current.vastgesteld_op
    )
    dossier = Dossier(
        crebo=parsed.crebo,
        sbb_nr=parsed.sbb_nr,
        title=parsed.title,
        versie=parsed.versie,
        status=parsed.status,
        domein=parsed.domein,
        valid_from=parsed.valid_from,
        vastgesteld_op=parsed.vastgesteld_op,
        content_hash=parsed.content_hash,
        kerntaak_count=parsed.kerntaak_count,
        werkproces_count=parsed.werkproces_count,
        is_current=False,
        kwalificaties=[
            Kwalificatie(
                crebo=k.crebo,
                title=k.title,
                niveau=k.niveau,
                beroepsgroep=k.beroepsgroep,
                typering=k.typering,
            )
            for k in parsed.kwalificaties
        ],
    )
    if newer and current is not None:
        current.is_current = False
        current.replaced_at = dt.datetime.now(dt.UTC)
        session.flush()
    dossier.is_current = newer
    session.add(dossier)
    session.flush()
    # The statements as one bulk INSERT per dossier, not one ORM object each: a national export has
    # ~30,000 of them (and a write transaction on SQLite holds every other writer back while it runs).
    repository.add_statements(
        session,
        [
            {"kwalificatie_id": row.id, "position": i, "code": s.code, "kind": s.kind, "text": s.text}
            for row, k in zip(dossier.kwalificaties, parsed.kwalificaties, strict=True)
            for i, s in enumerate(k.statements)
        ],
    )
    if newer:
        _upsert_programmes(session, parsed)
    status: DossierStatus = "history" if not newer else ("replaced" if current is not None else "created")
    return _outcome(parsed, dossier, status)


def _outcome(parsed: ParsedDossier, dossier: Dossier, status: DossierStatus) -> DossierOutcome:
    return DossierOutcome(
        crebo=parsed.crebo,
        title=parsed.title,
        versie=parsed.versie,
        status=status,
        dossier_id=dossier.id,
        kwalificaties=len(parsed.kwalificaties),
        werkprocessen=parsed.werkproces_count,
    )


def _upsert_programmes(session: Session, parsed: ParsedDossier) -> None:
    known = repository.get_programmes(session, [k.crebo for k in parsed.kwalificaties])
    for k in parsed.kwalificaties:
        programme = known.get(k.crebo)
        if programme is None:
            programme = Programme(crebo=k.crebo, leerweg="", soort_opleiding="")
            session.add(programme)
        programme.title = k.title
        programme.niveau = k.niveau
        programme.dossier_crebo = parsed.crebo
        programme.dossier_title = parsed.title
        programme.domein = parsed.domein or programme.domein or ""
    session.flush()


def import_crebolijst(session: Session, *, data: bytes) -> CatalogueReport:
    """Import the national list of kwalificaties as catalogue metadata (no skill content)."""
    entries = parse_crebolijst(data)
    known = repository.get_programmes(session, [e.crebo for e in entries])
    created = updated = 0
    for entry in entries:
        programme = known.get(entry.crebo)
        if programme is None:
            programme = Programme(crebo=entry.crebo)
            session.add(programme)
            created += 1
        else:
            updated += 1
        programme.title = entry.title
        programme.niveau = entry.niveau
        programme.dossier_crebo = entry.dossier_crebo
        programme.dossier_title = entry.dossier_title
        programme.domein = entry.domein
        programme.leerweg = entry.leerweg
        programme.soort_opleiding = entry.soort_opleiding
    session.flush()
    return CatalogueReport(entries=len(entries), created=created, updated=updated)


@dataclass(frozen=True, slots=True)
class ProgrammeDetail:
    programme: Programme
    status: Literal["scored", "no_skill_content"]
    kwalificatie: Kwalificatie | None


def list_programmes(
    session: Session,
    *,
    niveau: Sequence[int] | None = None,
    dossier: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ProgrammeDetail], int]:
    rows, total = repository.list_programmes(
        session, niveau=niveau, dossier=dossier, text=text, limit=limit, offset=offset
    )
    scored = repository.scored_crebos(session)
    return [
        ProgrammeDetail(p, "scored" if p.crebo in scored else "no_skill_content", None) for p in rows
    ], total


def get_programme(session: Session, crebo: str) -> ProgrammeDetail:
    programme = repository.get_programme(session, crebo)
    if programme is None:
        raise NotFound("programme", crebo)
    kwalificatie = repository.current_kwalificatie(session, crebo)
    return ProgrammeDetail(programme, "scored" if kwalificatie else "no_skill_content", kwalificatie)


def list_dossiers(session: Session, *, include_history: bool = False) -> Sequence[Dossier]:
    return repository.list_dossiers(session, include_history=include_history)

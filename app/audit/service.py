"""The audit trail: every match served is recorded, can be listed by an admin, and can be replayed.

A record keeps who asked (key name and role, never the secret), when, what was sent (the ad-hoc body,
or the workplace id and the skills as scored), the scoring configuration, the catalogue version and a
summary of the result. Replaying runs the same input through today's matcher and says whether the
numbers are the same, and if not, whether the configuration or the catalogue changed since.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from app.audit import repository
from app.auth.keys import Principal
from app.errors import NotFound
from app.matching.service import (
    Matcher,
    MatchResult,
    ProgrammeFitResult,
    match_skills,
    programme_workplaces,
)
from app.models import AuditRecord
from app.workplaces.service import SkillInput

log = logging.getLogger(__name__)

Kind = Literal["match", "fit"]  # programmes for a workplace (stored or sent); workplaces for a programme
Channel = Literal["api", "ui", "cli"]


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asked for a match (the key's name and role, never the secret) and through which door."""

    principal: Principal
    channel: Channel


def summarise(result: MatchResult) -> dict[str, Any]:
    return {
        "scored_total": result.scored_total,
        "matches": [
            {
                "crebo": m.programme.crebo,
                "coverage": m.coverage,
                "eligible": m.eligible,
                "knockouts": [k.index for k in m.knockouts],
                "covered": [s.index for s in m.skills if s.covered],
            }
            for m in result.matches
        ],
    }


@dataclass(frozen=True, slots=True)
class MatchRecordParts:
    """What the audit record of a match holds besides who asked and what they sent: computed once per
    answer, so that an answer served again from a cache is recorded without recomputing it."""

    scored_skills: list[dict[str, Any]]
    config: dict[str, Any]
    catalogue_version: int
    result: dict[str, Any]


def record_parts(result: MatchResult) -> MatchRecordParts:
    return MatchRecordParts(
        scored_skills=[asdict(s) for s in result.skills],
        config=asdict(result.config),
        catalogue_version=result.catalogue_version,
        result=summarise(result),
    )


def record_match(
    session: Session,
    *,
    asker: Asker,
    params: dict[str, Any],
    result: MatchResult | MatchRecordParts,
    workplace_id: int | None = None,
) -> int:
    """Record one served match (kind `match`); returns the record's id. `params` holds what was asked; the
    skills as scored are added (for replay). One INSERT … RETURNING, no ORM object."""
    parts = result if isinstance(result, MatchRecordParts) else record_parts(result)
    return repository.insert_record(
        session,
        {
            "key_name": asker.principal.name,
            "role": asker.principal.role,
            "kind": "match",
            "channel": asker.channel,
            "workplace_id": workplace_id,
            "request": {**params, "scored_skills": parts.scored_skills},
            "config": parts.config,
            "catalogue_version": parts.catalogue_version,
            "result": parts.result,
        },
    )


def purge(session: Session, *, retention_days: int, now: dt.datetime | None = None) -> int:
    """Delete records older than the retention period (0 keeps everything). Returns how many went."""
    if retention_days <= 0:
        return 0
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=retention_days)
    deleted = repository.delete_records_before(session, cutoff)
    if deleted:
        log.info("audit retention: %d records older than %d days deleted", deleted, retention_days)
    return deleted


def list_records(
    session: Session, *, limit: int = 50, offset: int = 0, key_name: str | None = None
) -> tuple[Sequence[AuditRecord], int]:
    return repository.list_records(session, limit=limit, offset=offset, key_name=key_name)


def get_record(session: Session, record_id: int) -> AuditRecord:
    record = repository.get_record(session, record_id)
    if record is None:
        raise NotFound("match record", record_id)
    return record


@dataclass(frozen=True, slots=True)
class Replay:
    record: AuditRecord
    result: dict[str, Any]
    config: dict[str, Any]
    catalogue_version: int
    same_configuration: bool
    same_catalogue: bool
    reproduced: bool


def summarise_fit(result: ProgrammeFitResult) -> dict[str, Any]:
    return {
        "status": result.status,
        "workplaces": [
            {"workplace_id": f.workplace_id, "coverage": f.match.coverage, "eligible": f.match.eligible}
            for f in result.workplaces
        ],
    }


def record_fit(session: Session, *, asker: Asker, params: dict[str, Any], result: ProgrammeFitResult) -> int:
    """Record a reverse match (kind `fit`: which workplaces fit a diploma); returns the record's id."""
    return repository.insert_record(
        session,
        {
            "key_name": asker.principal.name,
            "role": asker.principal.role,
            "kind": "fit",
            "channel": asker.channel,
            "workplace_id": None,
            "request": params,
            "config": asdict(result.config),
            "catalogue_version": result.catalogue_version,
            "result": summarise_fit(result),
        },
    )


def replay(session: Session, matcher: Matcher, record_id: int) -> Replay:
    """Score the recorded input again with today's matcher and catalogue, and compare."""
    record = get_record(session, record_id)
    request = record.request
    if record.kind == "fit":
        fit = programme_workplaces(
            session, matcher, request["crebo"], min_coverage=record.config["min_coverage"]
        )
        fit_summary = summarise_fit(fit)
        fit_config = asdict(fit.config)
        version = fit.catalogue_version
        return Replay(
            record=record,
            result=fit_summary,
            config=fit_config,
            catalogue_version=version,
            same_configuration=fit_config == record.config,
            same_catalogue=version == record.catalogue_version,
            reproduced=fit_summary == record.result,
        )
    skills = [SkillInput(**s) for s in request["scored_skills"]]
    limit = len(record.result["matches"]) or 1
    result = match_skills(
        session,
        matcher,
        skills=skills,
        niveau=request.get("niveau"),
        min_coverage=record.config["min_coverage"],
        limit=limit,
    )
    summary = summarise(result)
    config = asdict(result.config)
    return Replay(
        record=record,
        result=summary,
        config=config,
        catalogue_version=result.catalogue_version,
        same_configuration=config == record.config,
        same_catalogue=result.catalogue_version == record.catalogue_version,
        reproduced=summary == record.result,
    )

"""Every match served is recorded in the audit trail and counted in the metrics."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import MatchRecordParts
from app.auth.keys import Principal
from app.matching.service import MatchResult, ProgrammeFitResult


def record_match(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    endpoint: str,
    sent: dict[str, Any],
    result: MatchResult | MatchRecordParts,
    workplace_id: int | None = None,
) -> int:
    record_id = audit.record_match(
        session,
        principal=principal,
        endpoint=endpoint,
        request=sent,
        result=result,
        workplace_id=workplace_id,
    )
    request.app.state.metrics.matches.labels(endpoint).inc()
    return record_id


def record_fit(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    sent: dict[str, Any],
    result: ProgrammeFitResult,
) -> int:
    record = audit.record_fit(session, principal=principal, request=sent, result=result)
    request.app.state.metrics.matches.labels(audit.FIT_ENDPOINT).inc()
    return record.id

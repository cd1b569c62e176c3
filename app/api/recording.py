"""Served matches counted in the metrics, by the route that served them.

The audit record is written by the use case itself (`app.matches.service`), whoever calls it; counting is
HTTP's, so it stays here: each route calls `count` after its use case. The records hold a kind and a
channel, not a route; `route_of` names the route again for the audit listing (`GET /v1/audit`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Asker
from app.auth.keys import Principal
from app.matching.service import MatchResult

MATCH = "POST /v1/match"
WORKPLACE_MATCHES = "GET /v1/workplaces/{id}/matches"
PROGRAMME_WORKPLACES = "GET /v1/programmes/{crebo}/workplaces"
UI_MATCHES = "GET /ui/werkplekken/{id}/matches"
CLI_MATCH = "skillmatch match"


def count(request: Request, route: str) -> None:
    request.app.state.metrics.matches.labels(route).inc()


def route_of(kind: str, channel: str, workplace_id: int | None) -> str:
    """The route (or command) that serves a record's kind through its channel."""
    if channel == "ui":
        return UI_MATCHES
    if channel == "cli":
        return CLI_MATCH
    if kind == "fit":
        return PROGRAMME_WORKPLACES
    return WORKPLACE_MATCHES if workplace_id is not None else MATCH


def record_match(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    endpoint: str,
    sent: dict[str, Any],
    result: MatchResult,
    workplace_id: int | None = None,
) -> int:
    """The web interface's matches page, until it calls `app.matches.service.match_workplace` itself."""
    asker = Asker(principal, "ui" if endpoint == UI_MATCHES else "api")
    record_id = audit.record_match(
        session, asker=asker, params=sent, result=result, workplace_id=workplace_id
    )
    count(request, endpoint)
    return record_id

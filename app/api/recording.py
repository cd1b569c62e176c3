"""Served matches counted in the metrics, by the route that served them.

The audit record is written by the use case itself (`app.matches.service`), whoever calls it; counting is
HTTP's, so it stays here: each route calls `count` after its use case. The records hold a kind and a
channel, not a route; `route_of` names the route again for the audit listing (`GET /v1/audit`).
"""

from __future__ import annotations

from fastapi import Request

MATCH = "POST /v1/match"
WORKPLACE_MATCHES = "GET /v1/workplaces/{id}/matches"
PROGRAMME_WORKPLACES = "GET /v1/programmes/{crebo}/workplaces"
UI_MATCHES = "GET /ui/werkplekken/{id}/matches"
UI_PROGRAMME_WORKPLACES = "GET /ui/kwalificaties/{crebo}"
CLI_MATCH = "skillmatch match"


def count(request: Request, route: str) -> None:
    request.app.state.metrics.matches.labels(route).inc()


def route_of(kind: str, channel: str, workplace_id: int | None) -> str:
    """The route (or command) that serves a record's kind through its channel."""
    if channel == "ui":
        return UI_PROGRAMME_WORKPLACES if kind == "fit" else UI_MATCHES
    if channel == "cli":
        return CLI_MATCH
    if kind == "fit":
        return PROGRAMME_WORKPLACES
    return WORKPLACE_MATCHES if workplace_id is not None else MATCH

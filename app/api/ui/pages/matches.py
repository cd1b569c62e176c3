"""A workplace's matches: programmes ranked by how well they cover its skills, filtered by niveau and
minimum coverage, each with its explanation. Served through the match use case, so every page shown is a
served match in the audit trail (channel "ui")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.deps import MatcherDep, SessionDep
from app.api.recording import UI_MATCHES, count
from app.api.ui import access, messages
from app.api.ui.pages._common import Niveau, Percent, error_page, is_htmx, page, read_niveaus, read_percent
from app.audit.service import Asker
from app.auth.keys import ANONYMOUS_ADMIN, Principal
from app.errors import DomainError, NoProgrammes
from app.matches import service as matches
from app.matching.service import Matcher
from app.models import Workplace
from app.workplaces import service as workplaces

router = APIRouter(route_class=access.UiRoute, dependencies=[Depends(access.principal)])

MATCH_LIMITS = (10, 25, 50, 500)
DEFAULT_LIMIT = 25


@dataclass(frozen=True, slots=True)
class Asked:
    """The page's filters as read: niveaus (none is every niveau), minimum coverage, how many programmes."""

    niveau: list[int]
    min_coverage: float
    limit: int


def _asked(matcher: Matcher, niveau: list[str] | None, minimum: str, aantal: str) -> Asked:
    limit = int(aantal) if aantal.isdigit() and int(aantal) in MATCH_LIMITS else DEFAULT_LIMIT
    return Asked(read_niveaus(niveau), read_percent(minimum, matcher.min_coverage), limit)


def _filters(workplace: Workplace, matcher: Matcher, asked: Asked) -> dict[str, Any]:
    return {
        "workplace": workplace,
        "niveau": asked.niveau,
        "minimum": round(asked.min_coverage * 100),
        "aantal": asked.limit,
        "limits": MATCH_LIMITS,
        "default_minimum": round(matcher.min_coverage * 100),
        "ranking": matcher.ranking,
        "soft_credit": matcher.credit_width > 0,
    }


def _served(
    request: Request, session: Session, matcher: Matcher, who: Principal, workplace_id: int, asked: Asked
) -> dict[str, Any]:
    """The match as the page shows it, recorded by the use case; or why there is none."""
    try:
        served = matches.match_workplace(
            session,
            matcher,
            workplace_id,
            asker=Asker(who, "ui"),
            render=matches.Scored.of,
            niveau=asked.niveau or None,
            min_coverage=asked.min_coverage,
            limit=asked.limit,
        )
    except NoProgrammes:
        return {"no_programmes": True}  # the page says which niveau and where to import dossiers
    except DomainError as error:
        return {"match_error": messages.explain(error)}
    count(request, UI_MATCHES)
    return {"result": served.answer.result, "match_id": served.match_id}


@router.get("/ui/werkplekken/{workplace_id}/matches", response_class=HTMLResponse)
def matches_page(
    request: Request,
    workplace_id: int,
    session: SessionDep,
    matcher: MatcherDep,
    niveau: Niveau = None,
    minimum: Percent = "",
    aantal: Annotated[str, Query(max_length=4)] = "25",
    who: Annotated[Principal, Depends(access.principal)] = ANONYMOUS_ADMIN,
) -> HTMLResponse:
    try:
        workplace = workplaces.get_workplace(session, workplace_id)
    except DomainError as error:
        return error_page(request, error)
    asked = _asked(matcher, niveau, minimum, aantal)
    context = _filters(workplace, matcher, asked)
    context.update(_served(request, session, matcher, who, workplace_id, asked))
    return page(request, "_matches.html" if is_htmx(request) else "matches.html", context)

"""What the pages share: the templates and how a page is rendered, the status of a page that shows a domain
error, and reading the values of the pages' own forms and query strings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from app.api.problems import answer_for
from app.api.ui import messages
from app.auth.keys import Principal
from app.errors import DomainError

UI = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=UI / "templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NIVEAUS = (1, 2, 3, 4)

Niveau = Annotated[list[str] | None, Query()]
# Query values from the pages' own forms, read leniently: a hand-edited URL falls back to the default.
Percent = Annotated[str, Query(max_length=5)]


def static_files() -> StaticFiles:
    return StaticFiles(directory=UI / "static")


def _pct(value: float) -> str:
    return f"{round(value * 100)}%"


def _decimal(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


templates.env.filters["pct"] = _pct
templates.env.filters["decimal"] = _decimal
templates.env.globals["KIND"] = messages.KIND
templates.env.globals["ORIGIN"] = messages.ORIGIN
templates.env.globals["NIVEAUS"] = NIVEAUS
templates.env.globals["DOSSIER_STATUS"] = messages.DOSSIER_STATUS
templates.env.globals["WORKPLACE_STATUS"] = messages.WORKPLACE_STATUS
templates.env.globals["IMPORT_STATE"] = messages.IMPORT_STATE


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """A partial update from htmx; a history restore (back button) gets the whole page."""
    return request.headers.get("hx-request") == "true" and "hx-history-restore-request" not in request.headers


def status_of(error: DomainError) -> int:
    """The status of a page that shows `error`, from the API's map (app.api.problems). The interface sends
    no If-Match: a workplace version comes from a hidden form field, so a stale one is 409, not 412."""
    return answer_for(error, version_from="form").status


def error_page(request: Request, error: DomainError) -> HTMLResponse:
    message = messages.explain(error, max_upload_bytes=request.app.state.settings.max_upload_bytes)
    return page(request, "error.html", {"message": message}, status_code=status_of(error))


def forbidden_page(request: Request, principal: Principal) -> HTMLResponse:
    """A key whose role may not do this (app.api.ui.access.UiRoute shows it for every page)."""
    message = messages.Message(
        f"Met deze sleutel ({principal.name}, rol {principal.role}) mag u hier alleen kijken, niets wijzigen.",
        "Vraag de beheerder om een sleutel met de rol project, of log in met een andere sleutel.",
    )
    return page(request, "error.html", {"message": message}, status_code=403)


def read_niveaus(niveau: Sequence[str] | None) -> list[int]:
    return sorted({int(n) for n in niveau or [] if n.strip() in {str(v) for v in NIVEAUS}})


def read_percent(percent: str, default: float) -> float:
    """A percentage from a form field as a fraction; empty or unreadable means the default."""
    value = percent.strip().rstrip("%").replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return default
    if number != number:  # NaN
        return default
    return min(max(number, 0.0), 100.0) / 100

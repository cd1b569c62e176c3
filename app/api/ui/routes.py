"""The web interface under /ui: server-rendered Dutch pages over the same service functions as the JSON API.

Pages work without JavaScript (plain forms and links); htmx swaps in partial updates where it is
loaded (live filters on the catalogue, the matches and the matrix), and a small script uploads
dossiers one file at a time with a progress bar.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import MatcherDep, SessionDep, SettingsDep
from app.api.import_schemas import ImportJobOut
from app.api.problems import answer_for
from app.api.recording import UI_MATCHES, count
from app.api.schemas import WorkplaceIn
from app.api.ui import access, messages
from app.api.ui.access import UiRoute
from app.api.ui.export import matrix_csv, matrix_xlsx
from app.api.ui.matrix_view import COLUMN_ORDERS, ROW_ORDERS, MatrixView, matrix_view
from app.api.uploads import read_uploads, spool_uploads
from app.audit.service import Asker
from app.auth import keys
from app.auth.keys import ANONYMOUS_ADMIN, Principal, Unauthenticated
from app.catalogue import service as catalogue
from app.errors import (
    DomainError,
    ErrorItem,
    InvalidDocument,
    NoProgrammes,
    NotFound,
)
from app.imports.runner import ImportRunner
from app.ingest.table import template_csv, template_xlsx
from app.matches import service as matches
from app.matching import service as matching
from app.matching.matrix import CoverageMatrix, coverage_matrix
from app.workplaces import edit
from app.workplaces import service as workplaces
from app.workplaces.service import WorkplaceInput

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=HERE / "templates")
# Paths are written out in full (no prefix) so that "/" can lead to the interface too. `router` holds
# the open routes (the way in, logging in and out) and, at the end of this module, every page of `pages`,
# which all ask who the user is first (see app.api.ui.access).
router = APIRouter(include_in_schema=False, route_class=UiRoute)
pages = APIRouter(route_class=UiRoute, dependencies=[Depends(access.principal)])

XML_TYPES = {"application/xml", "text/xml"}
TABLE_TYPES = {
    "text/csv",
    "application/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NIVEAUS = (1, 2, 3, 4)
MATCH_LIMITS = (10, 25, 50, 500)

Niveau = Annotated[list[str] | None, Query()]
# Query values from the pages' own forms, read leniently: a hand-edited URL falls back to the default.
Percent = Annotated[str, Query(max_length=5)]


def static_files() -> StaticFiles:
    return StaticFiles(directory=HERE / "static")


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


def _page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)


def _is_htmx(request: Request) -> bool:
    """A partial update from htmx; a history restore (back button) gets the whole page."""
    return request.headers.get("hx-request") == "true" and "hx-history-restore-request" not in request.headers


def _error_page(request: Request, error: DomainError, *, status_code: int) -> HTMLResponse:
    message = messages.explain(error, max_upload_bytes=request.app.state.settings.max_upload_bytes)
    return _page(request, "error.html", {"message": message}, status_code=status_code)


def _status(error: DomainError) -> int:
    """The status of a page that shows `error`, from the API's map (app.api.problems). The interface sends
    no If-Match: a workplace version comes from a hidden form field, so a stale one is 409, not 412."""
    return answer_for(error, version_from="form").status


def _niveaus(niveau: Sequence[str] | None) -> list[int]:
    return sorted({int(n) for n in niveau or [] if n.strip() in {str(v) for v in NIVEAUS}})


def _fraction(percent: str, default: float) -> float:
    """A percentage from a form field as a fraction; empty or unreadable means the default."""
    value = percent.strip().rstrip("%").replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return default
    if number != number:  # NaN
        return default
    return min(max(number, 0.0), 100.0) / 100


# --- start -------------------------------------------------------------------------------------------------


@router.get("/")
def root() -> RedirectResponse:
    """People who open the server's address land on the web interface; the API lives under /v1."""
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui/inloggen", response_class=HTMLResponse)
def login_page(request: Request, volgende: Annotated[str, Query(max_length=500)] = "/ui") -> HTMLResponse:
    return _page(request, "login.html", {"next": access.safe_next(volgende)})


@router.post("/ui/inloggen", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    session: SessionDep,
    sleutel: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/ui",
) -> Response:
    target = access.safe_next(volgende)
    try:
        found = keys.authenticate(session, sleutel.strip())
    except Unauthenticated:
        message = messages.Message(
            "Deze sleutel kennen we niet, of hij is ingetrokken.",
            "Controleer de sleutel (hij begint met sm_) of vraag de beheerder om een nieuwe.",
        )
        return _page(request, "login.html", {"next": target, "message": message}, status_code=401)
    log.info("web interface: key %s (%s) logged in", found.name, found.role)
    response = RedirectResponse(target, status_code=303)
    access.set_key(response, sleutel.strip(), secure=request.url.scheme == "https")
    return response


@router.post("/ui/uitloggen")
def logout() -> RedirectResponse:
    response = RedirectResponse(access.LOGIN, status_code=303)
    access.clear_key(response)
    return response


def forbidden_page(request: Request, principal: Principal) -> HTMLResponse:
    message = messages.Message(
        f"Met deze sleutel ({principal.name}, rol {principal.role}) mag u hier alleen kijken, niets wijzigen.",
        "Vraag de beheerder om een sleutel met de rol project, of log in met een andere sleutel.",
    )
    return _page(request, "error.html", {"message": message}, status_code=403)


@pages.get("/ui", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    dossiers = catalogue.list_dossiers(session)
    programmes, programme_total = catalogue.list_programmes(session, limit=1)
    scored = sum(len(d.kwalificaties) for d in dossiers)
    _rows, workplace_total = workplaces.list_workplaces(session, limit=1)
    del programmes
    return _page(
        request,
        "home.html",
        {
            "dossiers": len(dossiers),
            "kwalificaties": scored,
            "programmes": programme_total,
            "workplaces": workplace_total,
        },
    )


# --- catalogue ---------------------------------------------------------------------------------------------


def _programme_list(session: Session, niveau: list[int], q: str, offset: int) -> dict[str, Any]:
    rows, total = catalogue.list_programmes(
        session, niveau=niveau or None, text=q.strip() or None, limit=50, offset=offset
    )
    return {"programmes": rows, "total": total, "niveau": niveau, "q": q, "offset": offset, "page_size": 50}


@pages.get("/ui/catalogus", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    session: SessionDep,
    niveau: Niveau = None,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    context = _programme_list(session, _niveaus(niveau), q, offset)
    if _is_htmx(request):
        return _page(request, "_programmes.html", context)
    context.update(_catalogue_context(request, session))
    return _page(request, "catalogue.html", context)


def _catalogue_context(request: Request, session: Session) -> dict[str, Any]:
    """What the catalogue page shows besides the programmes: the dossiers and the latest import job."""
    runner: ImportRunner = request.app.state.imports
    latest = runner.jobs(session, limit=1)
    return {
        "dossiers": catalogue.list_dossiers(session),
        "latest_job": latest[0] if latest else None,
        "max_import_bytes": request.app.state.settings.max_import_bytes,
        "max_upload_bytes": request.app.state.settings.max_upload_bytes,
    }


@pages.post("/ui/catalogus/import", response_class=HTMLResponse, response_model=None)
async def import_export(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A national export (one large SBB XML file) as an import job: on to its progress page (303)."""
    runner: ImportRunner = request.app.state.imports
    try:
        upload = await spool_uploads(request, limit=settings.max_import_bytes, raw_types=XML_TYPES)
        job = await run_in_threadpool(runner.submit, upload.documents, kind="sbb_xml", cleanup=upload.folder)
    except DomainError as error:
        context = _programme_list(session, [], "", 0)
        context.update(_catalogue_context(request, session))
        context["import_message"] = messages.explain(error, max_upload_bytes=settings.max_import_bytes)
        return _page(request, "catalogue.html", context, status_code=_status(error))
    return RedirectResponse(f"/ui/catalogus/import/{job.id}", status_code=303)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


@pages.get("/ui/catalogus/import/{job_id}", response_class=HTMLResponse)
def import_page(request: Request, job_id: int, session: SessionDep) -> HTMLResponse:
    """An import job: a progress bar that refreshes itself (no JavaScript needed) while it runs, then the
    outcome per dossier, or why it failed."""
    runner: ImportRunner = request.app.state.imports
    try:
        job = runner.job(session, job_id)
    except NotFound as error:
        return _error_page(request, error, status_code=_status(error))
    out = ImportJobOut.from_job(job)
    message = None
    if out.state == "failed":
        details = tuple(
            f"{e.document}: {messages.field_name(e.location)}: {e.message}" if e.document else e.message
            for e in out.errors
        )
        message = messages.Message(
            "De import is mislukt; de catalogus is niet veranderd.",
            "Controleer de punten hieronder en probeer het opnieuw; wat al is berekend, hoeft niet opnieuw.",
            details or (out.detail,),
        )
    context = {
        "job": job,
        "running": out.state not in {"done", "failed"},
        "percent": round(out.progress * 100),
        "elapsed": _duration(out.elapsed_seconds),
        "dossiers": out.dossiers,
        "crebolijst": out.crebolijst,
        "message": message,
    }
    return _page(request, "import_job.html", context)


@pages.post("/ui/catalogus/upload", response_class=HTMLResponse)
async def upload_dossiers(
    request: Request, session: SessionDep, settings: SettingsDep, matcher: MatcherDep
) -> HTMLResponse:
    """Import the uploaded SBB XML files, each on its own: one bad file does not stop the others."""
    results: list[dict[str, Any]] = []
    try:
        uploads = await read_uploads(request, limit=settings.max_upload_bytes, raw_types=XML_TYPES)
    except DomainError as error:
        message = messages.explain(error, max_upload_bytes=settings.max_upload_bytes)
        results.append({"filename": "", "message": message, "status": _status(error)})
        uploads = []
    for upload in uploads:
        name = upload.filename or "bestand"
        try:
            report = await run_in_threadpool(_import_one_file, session, matcher, upload.data)
        except DomainError as error:
            results.append({"filename": name, "message": messages.explain(error), "status": _status(error)})
            continue
        results.append({"filename": name, "report": report})
    # one file that failed: the page answers with its status; several: 200, each file says how it went
    status = results[0].get("status", 200) if len(results) == 1 else 200
    if request.headers.get("x-requested-with") == "fetch":
        return _page(request, "_upload_results.html", {"results": results}, status_code=status)
    context = _programme_list(session, [], "", 0)
    context.update(_catalogue_context(request, session))
    context["results"] = results
    return _page(request, "catalogue.html", context, status_code=status)


def _import_one_file(session: Session, matcher: matching.Matcher, data: bytes) -> catalogue.ImportReport:
    with session.begin_nested():
        return catalogue.import_dossiers(session, documents=[data], on_change=matcher.embed_catalogue)


@pages.get("/ui/kwalificaties/{crebo}", response_class=HTMLResponse)
def programme_page(request: Request, crebo: str, session: SessionDep) -> HTMLResponse:
    try:
        detail = catalogue.get_programme(session, crebo)
    except DomainError as error:
        return _error_page(request, error, status_code=_status(error))
    return _page(request, "programme.html", {"detail": detail})


# --- workplaces --------------------------------------------------------------------------------------------


def _grouped(session: Session, unit: str) -> dict[str, Any]:
    rows, total = workplaces.list_workplaces(session, organisation_unit=unit or None, limit=500)
    all_rows, _ = workplaces.list_workplaces(session, limit=500)
    groups: dict[str, list[Any]] = {}
    for workplace in rows:
        groups.setdefault(workplace.organisation_unit, []).append(workplace)
    units = sorted({w.organisation_unit for w in all_rows if w.organisation_unit})
    return {"groups": groups, "total": total, "shown": len(rows), "units": units, "unit": unit}


@pages.get("/ui/werkplekken", response_class=HTMLResponse)
def workplaces_page(
    request: Request,
    session: SessionDep,
    onderdeel: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    return _page(request, "workplaces.html", _grouped(session, onderdeel))


@pages.post("/ui/werkplekken", response_class=HTMLResponse, response_model=None)
def create_workplace(
    request: Request,
    session: SessionDep,
    title: Annotated[str, Form()] = "",
    organisation_unit: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> Response:
    form = {"title": title, "organisation_unit": organisation_unit, "description": description}
    try:
        body = WorkplaceIn(title=title, organisation_unit=organisation_unit, description=description)
    except ValidationError as error:
        return _form_error(request, session, form, error)
    workplace = workplaces.create_workplace(
        session,
        data=WorkplaceInput(
            title=body.title, organisation_unit=body.organisation_unit, description=body.description
        ),
    )
    return RedirectResponse(f"/ui/werkplekken/{workplace.id}?nieuw=1", status_code=303)


def _validation_items(error: ValidationError) -> list[ErrorItem]:
    items = []
    for e in error.errors():
        location = str(e["loc"][0]) if e["loc"] else ""
        if e["type"] == "string_too_short":
            text = "vul dit in"
        elif e["type"] == "string_too_long":
            text = f"te lang (maximaal {e.get('ctx', {}).get('max_length', '?')} tekens)"
        else:
            text = "ongeldige waarde"
        items.append(ErrorItem(location, text))
    return items


def _form_error(
    request: Request, session: Session, form: dict[str, str], error: ValidationError
) -> HTMLResponse:
    message = messages.explain(InvalidDocument("invalid form", _validation_items(error)))
    context = _grouped(session, "")
    context.update({"form": form, "form_error": message})
    return _page(request, "workplaces.html", context, status_code=422)


@pages.post("/ui/werkplekken/import", response_class=HTMLResponse)
async def import_workplaces(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    context: dict[str, Any] = {}
    try:
        uploads = await read_uploads(request, limit=settings.max_upload_bytes, raw_types=TABLE_TYPES)
        imported = []
        for upload in uploads:
            imported.extend(
                await run_in_threadpool(
                    workplaces.import_workplaces,
                    session,
                    data=upload.data,
                    filename=upload.filename,
                    content_type=upload.content_type,
                )
            )
        context["imported"] = imported
        status = 200
    except DomainError as error:
        session.rollback()
        context["import_error"] = messages.explain(error, max_upload_bytes=settings.max_upload_bytes)
        status = _status(error)
    context.update(_grouped(session, ""))
    return _page(request, "workplaces.html", context, status_code=status)


@pages.get("/ui/werkplekken/sjabloon.csv")
def template_csv_file() -> Response:
    return Response(
        template_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="werkplekken-sjabloon.csv"'},
    )


@pages.get("/ui/werkplekken/sjabloon.xlsx")
def template_xlsx_file() -> Response:
    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="werkplekken-sjabloon.xlsx"'},
    )


def _workplace_page(
    request: Request,
    session: Session,
    workplace_id: int,
    *,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        workplace = workplaces.get_workplace(session, workplace_id)
    except DomainError as error:
        return _error_page(request, error, status_code=_status(error))
    context: dict[str, Any] = {"workplace": workplace, "new": request.query_params.get("nieuw") == "1"}
    context.update(extra or {})
    return _page(request, "workplace.html", context, status_code=status)


def _edit_failed(
    request: Request, session: Session, workplace_id: int, error: DomainError, field: str, **extra: Any
) -> HTMLResponse:
    """An edit was refused: undo what it wrote, and show the workplace again with the reason at `field`."""
    session.rollback()
    return _workplace_page(
        request,
        session,
        workplace_id,
        extra={field: messages.explain(error), **extra},
        status=_status(error),
    )


@pages.get("/ui/werkplekken/{workplace_id}", response_class=HTMLResponse)
def workplace_page(request: Request, workplace_id: int, session: SessionDep) -> HTMLResponse:
    return _workplace_page(request, session, workplace_id)


def _weight(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _version(value: str) -> int | None:
    """The workplace version the form was rendered with (the page's If-Match); empty means unchecked."""
    return int(value) if value.strip().isdigit() else None


Version = Annotated[str, Form()]


@pages.post(
    "/ui/werkplekken/{workplace_id}/vaardigheden/{skill_id}", response_class=HTMLResponse, response_model=None
)
def update_skill(
    request: Request,
    workplace_id: int,
    skill_id: int,
    session: SessionDep,
    text: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "2",
    must_have: Annotated[str | None, Form()] = None,
    trainable: Annotated[str | None, Form()] = None,
    version: Version = "",
) -> Response:
    try:
        edit.update_skill(
            session,
            workplace_id,
            skill_id,
            text=text,
            weight=_weight(weight),
            must_have=must_have is not None,
            trainable=trainable is not None,
            expected_version=_version(version),
        )
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "skill_error", error_skill_id=skill_id)
    return RedirectResponse(
        f"/ui/werkplekken/{workplace_id}?opgeslagen={skill_id}#vaardigheid-{skill_id}", status_code=303
    )


@pages.post(
    "/ui/werkplekken/{workplace_id}/vaardigheden/{skill_id}/verwijderen",
    response_class=HTMLResponse,
    response_model=None,
)
def delete_skill(
    request: Request, workplace_id: int, skill_id: int, session: SessionDep, version: Version = ""
) -> Response:
    try:
        edit.delete_skill(session, workplace_id, skill_id, expected_version=_version(version))
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "skill_error")
    return RedirectResponse(f"/ui/werkplekken/{workplace_id}#vaardigheden", status_code=303)


@pages.post("/ui/werkplekken/{workplace_id}/vaardigheden", response_class=HTMLResponse, response_model=None)
def add_skill(
    request: Request,
    workplace_id: int,
    session: SessionDep,
    settings: SettingsDep,
    text: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "2",
    must_have: Annotated[str | None, Form()] = None,
    trainable: Annotated[str | None, Form()] = None,
    version: Version = "",
) -> Response:
    try:
        skill = edit.add_skill(
            session,
            workplace_id,
            text=text,
            weight=_weight(weight),
            must_have=must_have is not None,
            trainable=trainable is not None,
            max_skills=settings.max_skills,
            expected_version=_version(version),
        )
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "add_error")
    return RedirectResponse(f"/ui/werkplekken/{workplace_id}#vaardigheid-{skill.id}", status_code=303)


@pages.post("/ui/werkplekken/{workplace_id}/gegevens", response_class=HTMLResponse, response_model=None)
def update_details(
    request: Request,
    workplace_id: int,
    session: SessionDep,
    title: Annotated[str, Form()] = "",
    organisation_unit: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    reextract: Annotated[str | None, Form()] = None,
    version: Version = "",
) -> Response:
    """Change title, unit and description; the reviewed skills stay unless asked to extract them anew."""
    try:
        body = WorkplaceIn(title=title, organisation_unit=organisation_unit, description=description)
        current = workplaces.get_workplace(session, workplace_id)
    except ValidationError as error:
        message = messages.explain(InvalidDocument("invalid form", _validation_items(error)))
        return _workplace_page(request, session, workplace_id, extra={"details_error": message}, status=422)
    except DomainError as error:
        return _error_page(request, error, status_code=_status(error))
    skills = None if reextract else tuple(matching.skills_of(current))
    try:
        workplaces.update_workplace(
            session,
            workplace_id,
            data=WorkplaceInput(
                title=body.title,
                organisation_unit=body.organisation_unit,
                description=body.description,
                skills=skills,
            ),
            expected_version=_version(version),
        )
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "details_error")
    return RedirectResponse(f"/ui/werkplekken/{workplace_id}", status_code=303)


@pages.post("/ui/werkplekken/{workplace_id}/verwijderen", response_class=HTMLResponse, response_model=None)
def delete_workplace(
    request: Request, workplace_id: int, session: SessionDep, version: Version = ""
) -> Response:
    try:
        workplaces.delete_workplace(session, workplace_id, expected_version=_version(version))
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "details_error")
    return RedirectResponse("/ui/werkplekken", status_code=303)


# --- matches -----------------------------------------------------------------------------------------------


@pages.get("/ui/werkplekken/{workplace_id}/matches", response_class=HTMLResponse)
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
        return _error_page(request, error, status_code=_status(error))
    niveaus = _niveaus(niveau)
    min_coverage = _fraction(minimum, matcher.min_coverage)
    limit = int(aantal) if aantal.isdigit() and int(aantal) in MATCH_LIMITS else 25
    context: dict[str, Any] = {
        "workplace": workplace,
        "niveau": niveaus,
        "minimum": round(min_coverage * 100),
        "aantal": limit,
        "limits": MATCH_LIMITS,
        "default_minimum": round(matcher.min_coverage * 100),
        "ranking": matcher.ranking,
        "soft_credit": matcher.credit_width > 0,
    }
    try:
        # The use case records the match in the audit trail, as for the API (channel "ui").
        served = matches.match_workplace(
            session,
            matcher,
            workplace_id,
            asker=Asker(who, "ui"),
            render=matches.Scored.of,
            niveau=niveaus or None,
            min_coverage=min_coverage,
            limit=limit,
        )
        count(request, UI_MATCHES)
        context["result"] = served.answer.result
        context["match_id"] = served.match_id
    except NoProgrammes:
        context["no_programmes"] = True  # the page says which niveau and where to import dossiers
    except DomainError as error:
        context["match_error"] = messages.explain(error)
    if _is_htmx(request):
        return _page(request, "_matches.html", context)
    return _page(request, "matches.html", context)


# --- overview matrix ---------------------------------------------------------------------------------------


def _matrix(
    session: Session, matcher: matching.Matcher, onderdeel: str, niveau: list[int], minimum: str
) -> tuple[CoverageMatrix, float]:
    min_coverage = _fraction(minimum, matcher.min_coverage)
    matrix = coverage_matrix(
        session,
        matcher,
        organisation_unit=onderdeel or None,
        niveau=niveau or None,
        min_coverage=min_coverage,
    )
    return matrix, min_coverage


@pages.get("/ui/overzicht", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Annotated[str, Query(max_length=200)] = "",
    niveau: Niveau = None,
    minimum: Percent = "",
    rijen: Annotated[str, Query(max_length=20)] = "onderdeel",
    kolommen: Annotated[str, Query(max_length=20)] = "geschikt",
) -> HTMLResponse:
    niveaus = _niveaus(niveau)
    rijen = rijen if rijen in ROW_ORDERS else "onderdeel"
    kolommen = kolommen if kolommen in COLUMN_ORDERS else "geschikt"
    matrix, min_coverage = _matrix(session, matcher, onderdeel, niveaus, minimum)
    view: MatrixView = matrix_view(matrix, rows=rijen, columns=kolommen)
    all_rows, _ = workplaces.list_workplaces(session, limit=500)
    query = [("onderdeel", onderdeel), *[("niveau", str(n)) for n in niveaus]]
    query.append(("minimum", str(round(min_coverage * 100))))
    context = {
        "view": view,
        "matrix": matrix,
        "units": sorted({w.organisation_unit for w in all_rows if w.organisation_unit}),
        "onderdeel": onderdeel,
        "niveau": niveaus,
        "minimum": round(min_coverage * 100),
        "rijen": rijen,
        "kolommen": kolommen,
        "export_query": urlencode(query),
    }
    if _is_htmx(request):
        return _page(request, "_matrix.html", context)
    return _page(request, "overview.html", context)


@pages.get("/ui/overzicht.csv")
def overview_csv(
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Annotated[str, Query(max_length=200)] = "",
    niveau: Niveau = None,
    minimum: Percent = "",
) -> Response:
    matrix, _ = _matrix(session, matcher, onderdeel, _niveaus(niveau), minimum)
    return Response(
        matrix_csv(matrix),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="skillmatch-overzicht.csv"'},
    )


@pages.get("/ui/overzicht.xlsx")
def overview_xlsx(
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Annotated[str, Query(max_length=200)] = "",
    niveau: Niveau = None,
    minimum: Percent = "",
) -> Response:
    matrix, _ = _matrix(session, matcher, onderdeel, _niveaus(niveau), minimum)
    return Response(
        matrix_xlsx(matrix),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="skillmatch-overzicht.xlsx"'},
    )


# Last: every page above, behind the check of who the user is.
router.include_router(pages)

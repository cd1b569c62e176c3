"""The catalogue: programmes by niveau and text, SBB dossiers uploaded file by file, a national export as
an import job with its progress page, and one programme's page: its content, the workplaces that fit the
diploma (the reverse match, served through its use case, so recorded in the audit trail with channel "ui")
and the best rotations of three workplaces for it, each step with what is new there."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import MatcherDep, SessionDep, SettingsDep
from app.api.import_schemas import ImportJobOut
from app.api.recording import UI_PROGRAMME_WORKPLACES, count
from app.api.ui import access, messages
from app.api.ui.pages._common import Niveau, error_page, is_htmx, page, read_niveaus, status_of
from app.api.uploads import read_uploads, spool_uploads
from app.audit.service import Asker
from app.auth.keys import ANONYMOUS_ADMIN, Principal
from app.catalogue import service as catalogue
from app.errors import DomainError, NotFound
from app.imports.runner import ImportRunner
from app.matches import service as matches
from app.matching.service import Matcher
from app.models import ImportJob
from app.planning import rotations

router = APIRouter(route_class=access.UiRoute, dependencies=[Depends(access.principal)])

XML_TYPES = {"application/xml", "text/xml"}
PAGE_SIZE = 50
ROTATION_LENGTH = 3
ROTATIONS_SHOWN = 3
# A rotation step's status (app.planning.rotations), for the project team.
STEP_STATUS = {
    "eligible": "Geschikt",
    "trainable": "Trainbaar",
    "stretch": "Uitdaging",
    "knockout": "Knock-out",
}


def _programme_list(session: Session, niveau: list[int], q: str, offset: int) -> dict[str, Any]:
    rows, total = catalogue.list_programmes(
        session, niveau=niveau or None, text=q.strip() or None, limit=PAGE_SIZE, offset=offset
    )
    return {
        "programmes": rows,
        "total": total,
        "niveau": niveau,
        "q": q,
        "offset": offset,
        "page_size": PAGE_SIZE,
    }


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


def _first_page(request: Request, session: Session) -> dict[str, Any]:
    """The whole catalogue page unfiltered, as shown after an upload or an import."""
    return _programme_list(session, [], "", 0) | _catalogue_context(request, session)


@router.get("/ui/catalogus", response_class=HTMLResponse)
def catalogue_page(
    request: Request,
    session: SessionDep,
    niveau: Niveau = None,
    q: Annotated[str, Query(max_length=100)] = "",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    context = _programme_list(session, read_niveaus(niveau), q, offset)
    if is_htmx(request):
        return page(request, "_programmes.html", context)
    context.update(_catalogue_context(request, session))
    return page(request, "catalogue.html", context)


@router.post("/ui/catalogus/import", response_class=HTMLResponse, response_model=None)
async def import_export(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """A national export (one large SBB XML file) as an import job: on to its progress page (303)."""
    runner: ImportRunner = request.app.state.imports
    try:
        upload = await spool_uploads(request, limit=settings.max_import_bytes, raw_types=XML_TYPES)
        job = await run_in_threadpool(runner.submit, upload.documents, kind="sbb_xml", cleanup=upload.folder)
    except DomainError as error:
        context = _first_page(request, session)
        context["import_message"] = messages.explain(error, max_upload_bytes=settings.max_import_bytes)
        return page(request, "catalogue.html", context, status_code=status_of(error))
    return RedirectResponse(f"/ui/catalogus/import/{job.id}", status_code=303)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def _failure(out: ImportJobOut) -> messages.Message | None:
    """Why a failed job failed, per document and place where known."""
    if out.state != "failed":
        return None
    details = tuple(
        f"{e.document}: {messages.field_name(e.location)}: {e.message}" if e.document else e.message
        for e in out.errors
    )
    return messages.Message(
        "De import is mislukt; de catalogus is niet veranderd.",
        "Controleer de punten hieronder en probeer het opnieuw; wat al is berekend, hoeft niet opnieuw.",
        details or (out.detail,),
    )


def _job_context(job: ImportJob) -> dict[str, Any]:
    out = ImportJobOut.from_job(job)
    return {
        "job": job,
        "running": out.state not in {"done", "failed"},
        "percent": round(out.progress * 100),
        "elapsed": _duration(out.elapsed_seconds),
        "dossiers": out.dossiers,
        "crebolijst": out.crebolijst,
        "message": _failure(out),
    }


@router.get("/ui/catalogus/import/{job_id}", response_class=HTMLResponse)
def import_page(request: Request, job_id: int, session: SessionDep) -> HTMLResponse:
    """An import job: a progress bar that refreshes itself (no JavaScript needed) while it runs, then the
    outcome per dossier, or why it failed."""
    runner: ImportRunner = request.app.state.imports
    try:
        job = runner.job(session, job_id)
    except NotFound as error:
        return error_page(request, error)
    return page(request, "import_job.html", _job_context(job))


def _import_one_file(session: Session, matcher: Matcher, data: bytes) -> catalogue.ImportReport:
    with session.begin_nested():
        return catalogue.import_dossiers(session, documents=[data], on_change=matcher.embed_catalogue)


async def _import_each(
    request: Request, session: Session, matcher: Matcher, *, limit: int
) -> list[dict[str, Any]]:
    """Import the uploaded SBB XML files, each on its own: one bad file does not stop the others. One
    result per file: its report, or a message and the status of its error."""
    try:
        uploads = await read_uploads(request, limit=limit, raw_types=XML_TYPES)
    except DomainError as error:
        message = messages.explain(error, max_upload_bytes=limit)
        return [{"filename": "", "message": message, "status": status_of(error)}]
    results: list[dict[str, Any]] = []
    for upload in uploads:
        name = upload.filename or "bestand"
        try:
            report = await run_in_threadpool(_import_one_file, session, matcher, upload.data)
        except DomainError as error:
            results.append({"filename": name, "message": messages.explain(error), "status": status_of(error)})
            continue
        results.append({"filename": name, "report": report})
    return results


@router.post("/ui/catalogus/upload", response_class=HTMLResponse)
async def upload_dossiers(
    request: Request, session: SessionDep, settings: SettingsDep, matcher: MatcherDep
) -> HTMLResponse:
    """SBB XML files, each imported on its own; the page (or, for the page's script, a fragment) says how
    each went."""
    results = await _import_each(request, session, matcher, limit=settings.max_upload_bytes)
    # one file that failed: the page answers with its status; several: 200, each file says how it went
    status = results[0].get("status", 200) if len(results) == 1 else 200
    if request.headers.get("x-requested-with") == "fetch":
        return page(request, "_upload_results.html", {"results": results}, status_code=status)
    context = _first_page(request, session)
    context["results"] = results
    return page(request, "catalogue.html", context, status_code=status)


def _fits(request: Request, session: Session, matcher: Matcher, who: Principal, crebo: str) -> dict[str, Any]:
    """Where a trainee with this diploma can work: every workplace scored for it (the reverse match, recorded
    in the audit trail) and the best rotations of three; or why there is none."""
    context: dict[str, Any] = {"step_status": STEP_STATUS, "rotation_length": ROTATION_LENGTH}
    try:
        served = matches.fit_programme(session, matcher, crebo, asker=Asker(who, "ui"))
    except DomainError as error:
        return context | {"fit_error": messages.explain(error)}
    count(request, UI_PROGRAMME_WORKPLACES)
    context.update(fit=served.answer, minimum=round(served.answer.config.min_coverage * 100))
    if served.answer.status != "scored":
        return context
    try:
        context["rotations"] = rotations.propose_rotations(
            session, matcher, crebo, length=ROTATION_LENGTH, limit=ROTATIONS_SHOWN
        )
    except DomainError as error:
        context["rotation_error"] = messages.explain(error)
    return context


@router.get("/ui/kwalificaties/{crebo}", response_class=HTMLResponse)
def programme_page(
    request: Request,
    crebo: str,
    session: SessionDep,
    matcher: MatcherDep,
    who: Annotated[Principal, Depends(access.principal)] = ANONYMOUS_ADMIN,
) -> HTMLResponse:
    """A kwalificatie's content, the workplaces that fit it and the best rotations for it."""
    try:
        detail = catalogue.get_programme(session, crebo)
    except DomainError as error:
        return error_page(request, error)
    context: dict[str, Any] = {"detail": detail}
    if detail.kwalificatie is not None:
        context.update(_fits(request, session, matcher, who, crebo))
    return page(request, "programme.html", context)

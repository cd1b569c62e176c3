"""Workplaces: the list by organisation unit, a new one from the form or many from a CSV/XLSX file (and the
templates for that file), and one workplace's page where its details and skills are edited one at a time.

Every edit carries the workplace version the page was rendered with (a hidden form field): an edit on a
stale page is refused (409) and the page shows the workplace as it is now.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.deps import SessionDep, SettingsDep
from app.api.schemas import WorkplaceIn
from app.api.ui import access, messages
from app.api.ui.pages._common import XLSX, error_page, page, status_of
from app.api.uploads import read_uploads
from app.errors import DomainError, ErrorItem, InvalidDocument
from app.ingest.templates import template_csv, template_xlsx
from app.matching import service as matching
from app.workplaces import edit
from app.workplaces import service as workplaces
from app.workplaces.service import ImportedWorkplace, WorkplaceInput

router = APIRouter(route_class=access.UiRoute, dependencies=[Depends(access.principal)])

TABLE_TYPES = {
    "text/csv",
    "application/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
}

Version = Annotated[str, Form()]


def _weight(value: str) -> int:
    return int(value) if value.strip().isdigit() else 0


def _version(value: str) -> int | None:
    """The workplace version the form was rendered with (the page's If-Match); empty means unchecked."""
    return int(value) if value.strip().isdigit() else None


@dataclass(frozen=True, slots=True)
class DetailsForm:
    """The workplace form as typed: title, unit and description."""

    title: str
    organisation_unit: str
    description: str

    def checked(self) -> WorkplaceInput:
        """The workplace these fields describe, validated as the API's WorkplaceIn (ValidationError); its
        skills are extracted from the description unless given."""
        body = WorkplaceIn(
            title=self.title, organisation_unit=self.organisation_unit, description=self.description
        )
        return WorkplaceInput(
            title=body.title, organisation_unit=body.organisation_unit, description=body.description
        )


def _details_form(
    title: Annotated[str, Form()] = "",
    organisation_unit: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
) -> DetailsForm:
    return DetailsForm(title, organisation_unit, description)


@dataclass(frozen=True, slots=True)
class SkillForm:
    """One skill statement's form: its text, weight and flags, and the workplace version it was shown at."""

    text: str
    weight: int
    must_have: bool
    trainable: bool
    version: int | None


def _skill_form(
    text: Annotated[str, Form()] = "",
    weight: Annotated[str, Form()] = "2",
    must_have: Annotated[str | None, Form()] = None,
    trainable: Annotated[str | None, Form()] = None,
    version: Version = "",
) -> SkillForm:
    return SkillForm(text, _weight(weight), must_have is not None, trainable is not None, _version(version))


DetailsFormDep = Annotated[DetailsForm, Depends(_details_form)]
SkillFormDep = Annotated[SkillForm, Depends(_skill_form)]


# --- the list ----------------------------------------------------------------------------------------------


def _grouped(session: Session, unit: str) -> dict[str, Any]:
    rows, total = workplaces.list_workplaces(session, organisation_unit=unit or None, limit=500)
    all_rows, _ = workplaces.list_workplaces(session, limit=500)
    groups: dict[str, list[Any]] = {}
    for workplace in rows:
        groups.setdefault(workplace.organisation_unit, []).append(workplace)
    units = sorted({w.organisation_unit for w in all_rows if w.organisation_unit})
    return {"groups": groups, "total": total, "shown": len(rows), "units": units, "unit": unit}


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


def _form_message(error: ValidationError) -> messages.Message:
    return messages.explain(InvalidDocument("invalid form", _validation_items(error)))


def _form_error(
    request: Request, session: Session, form: DetailsForm, error: ValidationError
) -> HTMLResponse:
    context = _grouped(session, "")
    context.update({"form": asdict(form), "form_error": _form_message(error)})
    return page(request, "workplaces.html", context, status_code=422)


async def _import_files(request: Request, session: Session, *, limit: int) -> list[ImportedWorkplace]:
    """Every uploaded CSV/XLSX file's workplaces, created or updated (DomainError: nothing is kept)."""
    uploads = await read_uploads(request, limit=limit, raw_types=TABLE_TYPES)
    imported: list[ImportedWorkplace] = []
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
    return imported


@router.get("/ui/werkplekken", response_class=HTMLResponse)
def workplaces_page(
    request: Request,
    session: SessionDep,
    onderdeel: Annotated[str, Query(max_length=200)] = "",
) -> HTMLResponse:
    return page(request, "workplaces.html", _grouped(session, onderdeel))


@router.post("/ui/werkplekken", response_class=HTMLResponse, response_model=None)
def create_workplace(request: Request, session: SessionDep, form: DetailsFormDep) -> Response:
    try:
        data = form.checked()
    except ValidationError as error:
        return _form_error(request, session, form, error)
    workplace = workplaces.create_workplace(session, data=data)
    return RedirectResponse(f"/ui/werkplekken/{workplace.id}?nieuw=1", status_code=303)


@router.post("/ui/werkplekken/import", response_class=HTMLResponse)
async def import_workplaces(request: Request, session: SessionDep, settings: SettingsDep) -> HTMLResponse:
    context: dict[str, Any] = {}
    try:
        context["imported"] = await _import_files(request, session, limit=settings.max_upload_bytes)
        status = 200
    except DomainError as error:
        session.rollback()
        context["import_error"] = messages.explain(error, max_upload_bytes=settings.max_upload_bytes)
        status = status_of(error)
    context.update(_grouped(session, ""))
    return page(request, "workplaces.html", context, status_code=status)


@router.get("/ui/werkplekken/sjabloon.csv")
def template_csv_file() -> Response:
    return Response(
        template_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="werkplekken-sjabloon.csv"'},
    )


@router.get("/ui/werkplekken/sjabloon.xlsx")
def template_xlsx_file() -> Response:
    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="werkplekken-sjabloon.xlsx"'},
    )


# --- one workplace -----------------------------------------------------------------------------------------


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
        return error_page(request, error)
    context: dict[str, Any] = {"workplace": workplace, "new": request.query_params.get("nieuw") == "1"}
    context.update(extra or {})
    return page(request, "workplace.html", context, status_code=status)


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
        status=status_of(error),
    )


@router.get("/ui/werkplekken/{workplace_id}", response_class=HTMLResponse)
def workplace_page(request: Request, workplace_id: int, session: SessionDep) -> HTMLResponse:
    return _workplace_page(request, session, workplace_id)


@router.post(
    "/ui/werkplekken/{workplace_id}/vaardigheden/{skill_id}", response_class=HTMLResponse, response_model=None
)
def update_skill(
    request: Request, workplace_id: int, skill_id: int, session: SessionDep, form: SkillFormDep
) -> Response:
    try:
        edit.update_skill(
            session,
            workplace_id,
            skill_id,
            text=form.text,
            weight=form.weight,
            must_have=form.must_have,
            trainable=form.trainable,
            expected_version=form.version,
        )
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "skill_error", error_skill_id=skill_id)
    return RedirectResponse(
        f"/ui/werkplekken/{workplace_id}?opgeslagen={skill_id}#vaardigheid-{skill_id}", status_code=303
    )


@router.post(
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


@router.post("/ui/werkplekken/{workplace_id}/vaardigheden", response_class=HTMLResponse, response_model=None)
def add_skill(
    request: Request, workplace_id: int, session: SessionDep, settings: SettingsDep, form: SkillFormDep
) -> Response:
    try:
        skill = edit.add_skill(
            session,
            workplace_id,
            text=form.text,
            weight=form.weight,
            must_have=form.must_have,
            trainable=form.trainable,
            max_skills=settings.max_skills,
            expected_version=form.version,
        )
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "add_error")
    return RedirectResponse(f"/ui/werkplekken/{workplace_id}#vaardigheid-{skill.id}", status_code=303)


@router.post("/ui/werkplekken/{workplace_id}/gegevens", response_class=HTMLResponse, response_model=None)
def update_details(
    request: Request,
    workplace_id: int,
    session: SessionDep,
    form: DetailsFormDep,
    reextract: Annotated[str | None, Form()] = None,
    version: Version = "",
) -> Response:
    """Change title, unit and description; the reviewed skills stay unless asked to extract them anew."""
    try:
        data = form.checked()
        current = workplaces.get_workplace(session, workplace_id)
    except ValidationError as error:
        extra = {"details_error": _form_message(error)}
        return _workplace_page(request, session, workplace_id, extra=extra, status=422)
    except DomainError as error:
        return error_page(request, error)
    data = replace(data, skills=None if reextract else tuple(matching.skills_of(current)))
    try:
        workplaces.update_workplace(session, workplace_id, data=data, expected_version=_version(version))
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "details_error")
    return RedirectResponse(f"/ui/werkplekken/{workplace_id}", status_code=303)


@router.post("/ui/werkplekken/{workplace_id}/verwijderen", response_class=HTMLResponse, response_model=None)
def delete_workplace(
    request: Request, workplace_id: int, session: SessionDep, version: Version = ""
) -> Response:
    try:
        workplaces.delete_workplace(session, workplace_id, expected_version=_version(version))
    except DomainError as error:
        return _edit_failed(request, session, workplace_id, error, "details_error")
    return RedirectResponse("/ui/werkplekken", status_code=303)

"""Workplaces: CRUD, CSV/XLSX import, and matches for a stored workplace."""

from __future__ import annotations

from functools import partial
from typing import Annotated, TypedDict

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from app.api.answers import Answer, AnswerCache
from app.api.deps import IdPath, MatcherDep, PrincipalDep, SessionDep, SettingsDep
from app.api.problems import problems
from app.api.recording import WORKPLACE_MATCHES, count
from app.api.schemas import (
    MAX_ID,
    ImportedWorkplaceOut,
    MatchesOut,
    WorkplaceImportOut,
    WorkplaceIn,
    WorkplaceListOut,
    WorkplaceOut,
)
from app.api.uploads import read_uploads
from app.audit.service import Asker
from app.errors import InvalidDocument
from app.matches import service as matches
from app.workplaces import service
from app.workplaces.service import SkillInput, WorkplaceInput

router = APIRouter(prefix="/v1/workplaces", tags=["workplaces"])

TABLE_TYPES = {
    "text/csv",
    "application/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
}


def _input(body: WorkplaceIn) -> WorkplaceInput:
    skills = None
    if body.skills is not None:
        skills = tuple(SkillInput(s.text, s.weight, s.must_have, s.trainable, "manual") for s in body.skills)
    return WorkplaceInput(
        title=body.title,
        organisation_unit=body.organisation_unit,
        description=body.description,
        skills=skills,
    )


@router.post("", status_code=201, response_model=WorkplaceOut, responses=problems(422))
def create_workplace(body: WorkplaceIn, session: SessionDep, response: Response) -> WorkplaceOut:
    """Create a workplace. Without `skills`, the description is broken into skill statements to review."""
    workplace = service.create_workplace(session, data=_input(body))
    response.headers["Location"] = f"/v1/workplaces/{workplace.id}"
    return WorkplaceOut.model_validate(workplace)


@router.get("", response_model=WorkplaceListOut)
def list_workplaces(
    session: SessionDep,
    organisation_unit: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> WorkplaceListOut:
    rows, total = service.list_workplaces(
        session, organisation_unit=organisation_unit, limit=limit, offset=offset
    )
    return WorkplaceListOut(items=[WorkplaceOut.model_validate(w) for w in rows], total=total)


@router.post(
    "/import",
    status_code=201,
    response_model=WorkplaceImportOut,
    responses=problems(413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": {"type": "string", "format": "binary"}
                },
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def import_workplaces(
    request: Request, session: SessionDep, settings: SettingsDep
) -> WorkplaceImportOut:
    """Import workplaces from CSV or XLSX, one row per skill. All-or-nothing; same title + unit replaces."""
    uploads = await read_uploads(request, limit=settings.max_upload_bytes, raw_types=TABLE_TYPES)
    items: list[ImportedWorkplaceOut] = []
    for upload in uploads:
        imported = await run_in_threadpool(
            service.import_workplaces,
            session,
            data=upload.data,
            filename=upload.filename,
            content_type=upload.content_type,
        )
        items.extend(
            ImportedWorkplaceOut(
                id=i.workplace.id,
                title=i.workplace.title,
                organisation_unit=i.workplace.organisation_unit,
                skills=len(i.workplace.skills),
                status=i.status,
            )
            for i in imported
        )
    return WorkplaceImportOut(workplaces=len(items), skills=sum(i.skills for i in items), items=items)


IF_MATCH = r'^\s*(\*|(W/)?"?[0-9]{1,18}"?)\s*$'


def _if_match(value: str | None) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`); None for absent or `*`."""
    if value is None or value.strip() == "*":
        return None
    tag = value.strip().removeprefix("W/").strip('"')
    if not tag.isdigit():
        raise InvalidDocument('If-Match must be the ETag of the workplace, e.g. "3"')
    return int(tag)


IfMatch = Annotated[
    str | None,
    Header(
        pattern=IF_MATCH,
        description='The ETag from GET (`"3"`, `W/"3"`, `3` or `*`); the edit fails with 412 if it is stale',
    ),
]


@router.get("/{workplace_id:int}", response_model=WorkplaceOut, responses=problems(404))
def get_workplace(workplace_id: IdPath, session: SessionDep, response: Response) -> WorkplaceOut:
    workplace = service.get_workplace(session, workplace_id)
    response.headers["ETag"] = f'"{workplace.version}"'
    return WorkplaceOut.model_validate(workplace)


@router.put("/{workplace_id:int}", response_model=WorkplaceOut, responses=problems(404, 412, 422))
def update_workplace(
    workplace_id: IdPath, body: WorkplaceIn, session: SessionDep, response: Response, if_match: IfMatch = None
) -> WorkplaceOut:
    """Replace a workplace. Send the reviewed `skills` to keep edits; omit them to re-extract from the text.
    With `If-Match`, a workplace changed by someone else in the meantime is not overwritten (412)."""
    workplace = service.update_workplace(
        session, workplace_id, data=_input(body), expected_version=_if_match(if_match)
    )
    response.headers["ETag"] = f'"{workplace.version}"'
    return WorkplaceOut.model_validate(workplace)


@router.delete("/{workplace_id:int}", status_code=204, responses=problems(404, 412))
def delete_workplace(workplace_id: IdPath, session: SessionDep, if_match: IfMatch = None) -> Response:
    service.delete_workplace(session, workplace_id, expected_version=_if_match(if_match))
    return Response(status_code=204)


class MatchOptions(TypedDict):
    """The query parameters of a stored workplace's matches, named as matches.match_workplace takes them."""

    niveau: list[int] | None
    min_coverage: float | None
    limit: int
    include_unscored: bool


def _match_options(
    niveau: Annotated[list[Annotated[int, Field(ge=1, le=4)]] | None, Query(description="1 to 4")] = None,
    min_coverage: Annotated[float | None, Query(ge=0, le=1)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 10,
    include_unscored: bool = False,
) -> MatchOptions:
    return MatchOptions(
        niveau=niveau, min_coverage=min_coverage, limit=limit, include_unscored=include_unscored
    )


MatchOptionsDep = Annotated[MatchOptions, Depends(_match_options)]


@router.get("/{workplace_id}/matches", response_model=MatchesOut, responses=problems(404, 409, 422))
def workplace_matches(
    workplace_id: IdPath,
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    principal: PrincipalDep,
    options: MatchOptionsDep,
) -> Response:
    """Programmes ranked for a stored workplace, with an explanation per skill."""
    answers: AnswerCache = request.app.state.answers
    served = matches.match_workplace(
        session,
        matcher,
        workplace_id,
        asker=Asker(principal, "api"),
        render=partial(Answer.of, workplace_id=workplace_id),
        answers=answers,
        **options,
    )
    count(request, WORKPLACE_MATCHES)
    # Already serialised (validated when the answer was built): FastAPI does not validate it again.
    return Response(served.answer.body(served.match_id), media_type="application/json")

"""SBB kwalificatiedossiers: import (XML) and list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.api.deps import MatcherDep, SessionDep, SettingsDep
from app.api.problems import problems
from app.api.schemas import DossierImportOut, DossierListOut, DossierOut
from app.api.uploads import read_uploads
from app.catalogue import service

router = APIRouter(prefix="/v1/dossiers", tags=["dossiers"])

XML_TYPES = {"application/xml", "text/xml"}


@router.post(
    "",
    status_code=201,
    response_model=DossierImportOut,
    responses=problems(413, 415, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                        },
                        "required": ["file"],
                    }
                },
            },
        }
    },
)
async def import_dossiers(
    request: Request, session: SessionDep, settings: SettingsDep, matcher: MatcherDep
) -> DossierImportOut:
    """Import SBB XML exports (`<sbb>` root). All-or-nothing; importing the same file again changes nothing."""
    uploads = await read_uploads(request, limit=settings.max_upload_bytes, raw_types=XML_TYPES)
    report = await run_in_threadpool(
        service.import_dossiers,
        session,
        documents=[u.data for u in uploads],
        on_change=matcher.embed_catalogue,
    )
    return DossierImportOut.model_validate(report)


@router.get("", response_model=DossierListOut)
def list_dossiers(session: SessionDep, include_history: bool = False) -> DossierListOut:
    """Imported dossiers; with `include_history`, replaced versions too."""
    rows = service.list_dossiers(session, include_history=include_history)
    return DossierListOut(items=[DossierOut.model_validate(d) for d in rows])

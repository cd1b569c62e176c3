"""Import jobs: an SBB XML export (or the crebolijst) of any size up to `max_import_bytes`, imported in the
background with progress. POST /v1/dossiers stays for small files imported within the request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.deps import IdPath, SessionDep, SettingsDep
from app.api.import_schemas import ImportJobListOut, ImportJobOut
from app.api.problems import problems
from app.api.uploads import spool_uploads
from app.imports.runner import ImportRunner

router = APIRouter(prefix="/v1/imports", tags=["imports"])

IMPORT_TYPES = {"application/xml", "text/xml", "text/csv", "application/csv"}


async def get_runner(request: Request) -> ImportRunner:
    runner: ImportRunner = request.app.state.imports
    return runner


RunnerDep = Annotated[ImportRunner, Depends(get_runner)]


@router.post(
    "",
    status_code=202,
    response_model=ImportJobOut,
    responses={
        **problems(409, 413, 415, 422),
        202: {
            "description": "The job is queued; follow it at the Location",
            "headers": {"Location": {"schema": {"type": "string"}, "description": "/v1/imports/{id}"}},
        },
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
                "text/csv": {"schema": {"type": "string", "format": "binary"}},
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
async def submit_import(
    request: Request, response: Response, settings: SettingsDep, runner: RunnerDep
) -> ImportJobOut:
    """Import SBB XML exports or a crebolijst (CSV) as a job: 202 with `Location: /v1/imports/{id}`.
    All-or-nothing, like POST /v1/dossiers; one import at a time (409 names the running job)."""
    upload = await spool_uploads(request, limit=settings.max_import_bytes, raw_types=IMPORT_TYPES)
    job = await run_in_threadpool(runner.submit, upload.documents, cleanup=upload.folder)
    response.headers["Location"] = f"/v1/imports/{job.id}"
    return ImportJobOut.from_job(job)


@router.get("/{job_id}", response_model=ImportJobOut, responses=problems(404))
def get_import(job_id: IdPath, session: SessionDep, runner: RunnerDep) -> ImportJobOut:
    """A job's state, counts, elapsed time and, once done, the outcome per dossier. Any replica answers."""
    return ImportJobOut.from_job(runner.job(session, job_id))


@router.get("", response_model=ImportJobListOut)
def list_imports(
    session: SessionDep, runner: RunnerDep, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> ImportJobListOut:
    """The latest jobs, newest first."""
    return ImportJobListOut(items=[ImportJobOut.from_job(j) for j in runner.jobs(session, limit=limit)])

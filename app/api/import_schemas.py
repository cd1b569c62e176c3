"""Schemas of import jobs (POST /v1/imports, GET /v1/imports/{id})."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from app.models import ImportJob

JobState = Literal["queued", "parsing", "embedding", "committing", "done", "failed"]


class ImportCountsOut(BaseModel):
    dossiers: int = Field(description="Dossiers read so far (all of them once parsing is over)")
    kwalificaties: int
    statements: int = Field(description="Skill statements in the upload")
    statements_embedded: int = Field(description="Statements whose vector is computed or found cached")
    vectors_computed: int = Field(
        description="Distinct texts the model had to embed (0 when all were cached)"
    )


class ImportErrorOut(BaseModel):
    document: str = Field(description="The uploaded file the error is in")
    location: str = Field(description='Where: "line 12, <werkproces>"')
    message: str


class ImportedDossierOut(BaseModel):
    crebo: str
    title: str
    versie: str
    status: Literal["created", "replaced", "unchanged", "history"]
    dossier_id: int
    kwalificaties: int
    werkprocessen: int


class CrebolijstOutcomeOut(BaseModel):
    entries: int
    created: int
    updated: int


class ImportJobOut(BaseModel):
    id: int
    kind: Literal["sbb_xml", "crebolijst"]
    filename: str
    size_bytes: int
    state: JobState
    progress: float = Field(ge=0, le=1, description="Share of the statements embedded (1 when done)")
    counts: ImportCountsOut
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    elapsed_seconds: float = Field(description="Since the job started, until it ended")
    detail: str = Field(description="Why the job failed (empty otherwise)")
    errors: list[ImportErrorOut] = Field(description="Where a malformed document is wrong")
    dossiers: list[ImportedDossierOut] = Field(description="The outcome per dossier, once done")
    crebolijst: CrebolijstOutcomeOut | None = None

    @classmethod
    def from_job(cls, job: ImportJob, *, now: dt.datetime | None = None) -> ImportJobOut:
        now = now or dt.datetime.now(dt.UTC)
        started = job.started_at or job.created_at or now
        ended = job.finished_at or now
        outcomes = job.outcomes or {}
        if job.state == "done":
            progress = 1.0
        else:
            progress = job.statements_embedded / job.statements if job.statements else 0.0
        return cls(
            id=job.id,
            kind=job.kind,
            filename=job.filename,
            size_bytes=job.size_bytes,
            state=job.state,
            progress=min(progress, 1.0),
            counts=ImportCountsOut(
                dossiers=job.dossiers,
                kwalificaties=job.kwalificaties,
                statements=job.statements,
                statements_embedded=job.statements_embedded,
                vectors_computed=job.vectors_computed,
            ),
            created_at=job.created_at or now,
            started_at=job.started_at,
            finished_at=job.finished_at,
            elapsed_seconds=round(max((ended - started).total_seconds(), 0.0), 3),
            detail=job.detail,
            errors=[ImportErrorOut.model_validate(e) for e in job.errors or []],
            dossiers=[ImportedDossierOut.model_validate(d) for d in outcomes.get("dossiers", [])],
            crebolijst=CrebolijstOutcomeOut.model_validate(outcomes["crebolijst"])
            if "crebolijst" in outcomes
            else None,
        )


class ImportJobListOut(BaseModel):
    items: list[ImportJobOut]

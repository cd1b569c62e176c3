"""The programme catalogue, and the reverse match: which workplaces fit a diploma."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import Field

from app.api.convert import programme_out, programme_workplaces_out
from app.api.deps import MatcherDep, PrincipalDep, SessionDep
from app.api.problems import problems
from app.api.recording import PROGRAMME_WORKPLACES, count
from app.api.schemas import (
    MAX_ID,
    ProgrammeDetailOut,
    ProgrammeListOut,
    ProgrammeWorkplacesOut,
    StatementOut,
)
from app.audit.service import Asker
from app.catalogue import service
from app.matches import service as matches

router = APIRouter(prefix="/v1/programmes", tags=["programmes"])

Crebo = Annotated[str, Path(pattern=r"^\d{5}$", description="Kwalificatie crebo (25xxx)")]


@router.get("", response_model=ProgrammeListOut, responses=problems(422))
def list_programmes(
    session: SessionDep,
    niveau: Annotated[
        list[Annotated[int, Field(ge=1, le=4)]] | None,
        Query(description="1 to 4; repeat for several: niveau=3&niveau=4"),
    ] = None,
    dossier: Annotated[str | None, Query(pattern=r"^\d{5}$", description="Dossier crebo (23xxx)")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Text in the title or dossier title")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> ProgrammeListOut:
    rows, total = service.list_programmes(
        session, niveau=niveau, dossier=dossier, text=q, limit=limit, offset=offset
    )
    return ProgrammeListOut(items=[programme_out(r.programme, r.status) for r in rows], total=total)


@router.get("/{crebo}", response_model=ProgrammeDetailOut, responses=problems(404, 422))
def get_programme(crebo: Crebo, session: SessionDep) -> ProgrammeDetailOut:
    detail = service.get_programme(session, crebo)
    base = programme_out(detail.programme, detail.status)
    k = detail.kwalificatie
    return ProgrammeDetailOut(
        **base.model_dump(),
        beroepsgroep=k.beroepsgroep if k else "",
        typering=k.typering if k else "",
        dossier_versie=k.dossier.versie if k else "",
        statements=[StatementOut.model_validate(s) for s in (k.statements if k else [])],
    )


@router.get("/{crebo}/workplaces", response_model=ProgrammeWorkplacesOut, responses=problems(404, 409, 422))
def programme_workplaces(
    crebo: Crebo,
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    principal: PrincipalDep,
    min_coverage: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> ProgrammeWorkplacesOut:
    """Every stored workplace scored for this diploma, those it is eligible for first, then by coverage."""
    served = matches.fit_programme(
        session, matcher, crebo, asker=Asker(principal, "api"), min_coverage=min_coverage
    )
    count(request, PROGRAMME_WORKPLACES)
    return programme_workplaces_out(served.answer, match_id=served.match_id)

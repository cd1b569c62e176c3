"""The start page with its counts, and the overview: the coverage matrix of workplaces by programme, with
its CSV and XLSX exports."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from app.api.deps import MatcherDep, SessionDep
from app.api.ui import access
from app.api.ui.export import matrix_csv, matrix_xlsx
from app.api.ui.matrix_view import COLUMN_ORDERS, ROW_ORDERS, matrix_view
from app.api.ui.pages._common import XLSX, Niveau, Percent, is_htmx, page, read_niveaus, read_percent
from app.catalogue import service as catalogue
from app.matching.matrix import CoverageMatrix, coverage_matrix
from app.matching.service import Matcher
from app.workplaces import service as workplaces

router = APIRouter(route_class=access.UiRoute, dependencies=[Depends(access.principal)])

Unit = Annotated[str, Query(max_length=200)]


@router.get("/ui", response_class=HTMLResponse)
def home(request: Request, session: SessionDep) -> HTMLResponse:
    dossiers = catalogue.list_dossiers(session)
    _programmes, programme_total = catalogue.list_programmes(session, limit=1)
    _rows, workplace_total = workplaces.list_workplaces(session, limit=1)
    counts = {
        "dossiers": len(dossiers),
        "kwalificaties": sum(len(d.kwalificaties) for d in dossiers),
        "programmes": programme_total,
        "workplaces": workplace_total,
    }
    return page(request, "home.html", counts)


def _matrix(
    session: Session, matcher: Matcher, onderdeel: str, niveau: list[int], minimum: str
) -> tuple[CoverageMatrix, float]:
    min_coverage = read_percent(minimum, matcher.min_coverage)
    matrix = coverage_matrix(
        session,
        matcher,
        organisation_unit=onderdeel or None,
        niveau=niveau or None,
        min_coverage=min_coverage,
    )
    return matrix, min_coverage


def _overview(
    session: Session,
    matcher: Matcher,
    onderdeel: str,
    niveau: list[int],
    minimum: str,
    rijen: str,
    kolommen: str,
) -> dict[str, Any]:
    """The matrix in the order asked for (unknown orders fall back to the default), and the filters."""
    rijen = rijen if rijen in ROW_ORDERS else "onderdeel"
    kolommen = kolommen if kolommen in COLUMN_ORDERS else "geschikt"
    matrix, min_coverage = _matrix(session, matcher, onderdeel, niveau, minimum)
    all_rows, _ = workplaces.list_workplaces(session, limit=500)
    query = [("onderdeel", onderdeel), *[("niveau", str(n)) for n in niveau]]
    query.append(("minimum", str(round(min_coverage * 100))))
    return {
        "view": matrix_view(matrix, rows=rijen, columns=kolommen),
        "matrix": matrix,
        "units": sorted({w.organisation_unit for w in all_rows if w.organisation_unit}),
        "onderdeel": onderdeel,
        "niveau": niveau,
        "minimum": round(min_coverage * 100),
        "rijen": rijen,
        "kolommen": kolommen,
        "export_query": urlencode(query),
    }


@router.get("/ui/overzicht", response_class=HTMLResponse)
def overview_page(
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Unit = "",
    niveau: Niveau = None,
    minimum: Percent = "",
    rijen: Annotated[str, Query(max_length=20)] = "onderdeel",
    kolommen: Annotated[str, Query(max_length=20)] = "geschikt",
) -> HTMLResponse:
    context = _overview(session, matcher, onderdeel, read_niveaus(niveau), minimum, rijen, kolommen)
    return page(request, "_matrix.html" if is_htmx(request) else "overview.html", context)


# The overview's downloads: writer and media type per file kind.
EXPORTS = {"csv": (matrix_csv, "text/csv; charset=utf-8"), "xlsx": (matrix_xlsx, XLSX)}


def _download(
    kind: str, session: SessionDep, matcher: MatcherDep, onderdeel: str, niveau: Niveau, minimum: str
) -> Response:
    matrix, _ = _matrix(session, matcher, onderdeel, read_niveaus(niveau), minimum)
    write, media_type = EXPORTS[kind]
    disposition = f'attachment; filename="skillmatch-overzicht.{kind}"'
    return Response(write(matrix), media_type=media_type, headers={"Content-Disposition": disposition})


@router.get("/ui/overzicht.csv")
def overview_csv(
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Unit = "",
    niveau: Niveau = None,
    minimum: Percent = "",
) -> Response:
    return _download("csv", session, matcher, onderdeel, niveau, minimum)


@router.get("/ui/overzicht.xlsx")
def overview_xlsx(
    session: SessionDep,
    matcher: MatcherDep,
    onderdeel: Unit = "",
    niveau: Niveau = None,
    minimum: Percent = "",
) -> Response:
    return _download("xlsx", session, matcher, onderdeel, niveau, minimum)

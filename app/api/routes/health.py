"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from app.api.problems import RETRY_AFTER_SECONDS, problem
from app.catalogue import repository

router = APIRouter(tags=["operations"])


@router.get("/health", responses={503: {"description": "Not ready"}})
def health(request: Request) -> JSONResponse:
    """200 once the model is loaded and the database answers; 503 problem+json otherwise."""
    matcher = getattr(request.app.state, "matcher", None)
    if matcher is None:
        return problem(503, "Not ready", "the embedding model is not loaded yet", instance="/health")
    try:
        with request.app.state.sessionmaker() as session:
            version = repository.catalogue_version(session)
    except SQLAlchemyError:
        response = problem(503, "Not ready", "the database does not answer", instance="/health")
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return JSONResponse(
        {
            "status": "ok",
            "database": "ok",
            "model": matcher.embedder.name,
            "model_version": matcher.embedder.version,
            "catalogue_version": version,
        }
    )

"""The FastAPI application: create_app(settings) with a lifespan that builds engine and model once."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from app import __version__
from app.api import observability, problems
from app.api.answers import AnswerCache
from app.api.deps import RateLimiter, authorize
from app.api.limits import RequestSizeLimit
from app.api.observability import Metrics
from app.api.routes import (
    admin,
    candidates,
    dossiers,
    health,
    imports,
    match,
    planning,
    programmes,
    trainees,
    workplaces,
)
from app.api.ui import routes as ui
from app.api.uploads import sweep_spooled
from app.audit import service as audit
from app.auth import keys
from app.db import make_engine, make_sessionmaker
from app.imports.runner import ImportRunner
from app.matching.embedders import Embedder
from app.matching.service import build_matcher
from app.settings import Settings, get_settings
from app.trainees import service as trainee_records

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    embedder: Embedder | None = None,
    session_factory: sessionmaker[Session] | None = None,
) -> FastAPI:
    """The app. Tests may inject an embedder (loaded once for the whole run) and a session factory bound
    to a connection whose transaction is rolled back; by default both are built from the settings."""
    settings = settings or get_settings()

    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.auth_disabled:
            log.warning("authentication is DISABLED (SKILLMATCH_AUTH_DISABLED): every caller is admin")
        engine = make_engine(settings.database_url) if session_factory is None else None
        app.state.sessionmaker = session_factory or make_sessionmaker(engine)  # type: ignore[arg-type]
        started = time.perf_counter()
        app.state.matcher = build_matcher(settings, embedder)
        metrics.model_load.set(time.perf_counter() - started)
        with app.state.sessionmaker() as session:
            app.state.matcher.index(session)
            audit.purge(session, retention_days=settings.audit_retention_days)
            trainee_records.purge(session, retention_days=settings.trainee_retention_days)
            session.commit()
        # Import jobs run in a worker thread of this process (app.imports.runner); an app bound to one
        # connection (the tests' rolled-back transaction) runs them in the request's thread instead, since
        # a second thread must not share that connection. A job left unfinished by a dead process is
        # marked failed now.
        app.state.imports = ImportRunner(
            app.state.sessionmaker,
            app.state.matcher,
            background=not isinstance(app.state.sessionmaker.kw.get("bind"), Connection),
        )
        app.state.imports.recover()
        sweep_spooled()
        try:
            yield
        finally:
            app.state.imports.shutdown()
            if engine is not None:
                engine.dispose()

    app = FastAPI(
        title="skillmatch",
        version=__version__,
        description=(
            "Skills-based matching of Dutch mbo qualifications (SBB kwalificatiedossiers) to workplaces. "
            "Every score comes with an explanation per skill; where there is nothing to score, it says so."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.public_rate_limiter = RateLimiter(settings.public_rate_limit_per_minute)
    app.state.answers = AnswerCache(settings.answer_cache_mb * 2**20)
    app.state.key_cache = keys.KeyCache(settings.key_cache_seconds)
    problems.install(app)
    observability.install(app, metrics)
    app.add_middleware(
        RequestSizeLimit,
        limit=settings.max_upload_bytes,
        streamed={path: settings.max_import_bytes for path in ("/v1/imports", "/ui/catalogus/import")},
    )
    # Every /v1 route goes through one authorization policy (app.api.deps.required_scope).
    # Routes are tried in order: the ones recruiters' systems call most come first.
    for router in (
        workplaces.router,
        match.router,
        programmes.router,
        planning.router,
        candidates.router,
        trainees.router,
        dossiers.router,
        imports.router,
        admin.router,
    ):
        app.include_router(router, dependencies=[Depends(authorize)])
    for router in (health.router, ui.router):
        app.include_router(router)
    app.mount("/ui/static", ui.static_files(), name="ui-static")
    return app

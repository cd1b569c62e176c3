"""Request dependencies: settings, the request-scoped session (the only place that commits), the matcher,
and who is calling (API key → role), with a rate limit per key."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.api.schemas import MAX_ID
from app.auth.keys import ANONYMOUS_ADMIN, Forbidden, KeyCache, Principal, Unauthenticated
from app.errors import DomainError
from app.matching.service import Matcher
from app.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    # async: a plain attribute read, not worth a hop to the thread pool
    settings: Settings = request.app.state.settings
    return settings


def _commit(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _roll_back(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def get_session(request: Request) -> AsyncIterator[Session]:
    """Commit on success, roll back on error; runs before the response is sent (scope="function").

    Async, so that opening a session (no I/O: the connection is taken on first use) costs no hop to the
    thread pool; the commit or rollback talks to the database, so it runs in the pool, shielded from
    cancellation so that a client that hangs up cannot leave it half done."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_roll_back, session)
        raise
    with anyio.CancelScope(shield=True):
        await run_in_threadpool(_commit, session)


async def get_matcher(request: Request) -> Matcher:
    matcher: Matcher = request.app.state.matcher
    return matcher


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
# A record's id in a path: 1 to 2³¹ − 1 (a 32-bit integer on every database)
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]


class RateLimited(DomainError):
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class RateLimiter:
    """A token bucket per key: `per_minute` requests a minute on average, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> None:
        if self.per_minute <= 0:
            return
        now = time.monotonic() if now is None else now
        rate = self.per_minute / 60.0
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / rate)
                raise RateLimited(f"the rate limit of {self.per_minute} requests a minute is reached", wait)
            self._buckets[key] = (tokens - 1.0, now)


def required_scope(request: Request) -> str:
    """One policy for every /v1 route: admin paths, the ad-hoc match, reads, and writes."""
    path = request.url.path
    if path.startswith(("/v1/keys", "/v1/audit")):
        return "admin"
    if path.startswith(("/v1/trainees", "/v1/pool-plans")):
        # Personal data (AVG): the project team and admins only, reads too; erasing a trainee is admin's.
        erase = request.method == "DELETE" and path.rstrip("/").count("/") == 3
        return "admin" if erase and path.startswith("/v1/trainees/") else "write"
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return "read"
    if path == "/v1/match" or path.endswith((":suggest", ":plan", "/candidate-fit")):
        return "match"  # computations that store nothing
    return "write"


async def authorize(request: Request, session: SessionDep) -> Principal:
    """The caller, from `Authorization: Bearer <key>`; 401 without a valid key, 403 without the right role.
    A key checked in the last seconds (KeyCache) is known without a database query or a thread hop."""
    settings: Settings = request.app.state.settings
    if settings.auth_disabled:
        principal = ANONYMOUS_ADMIN
    else:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send an API key as `Authorization: Bearer <key>`")
        keys: KeyCache = request.app.state.key_cache
        remembered = keys.remembered(token.strip())
        principal = (
            remembered
            if remembered is not None
            else await run_in_threadpool(keys.authenticate, session, token.strip())
        )
        scope = required_scope(request)
        if not principal.allows(scope):
            raise Forbidden(f"the role {principal.role!r} may not do this ({scope})")
    # One bucket per key; with authentication off, per client address (not one shared by every caller)
    bucket = principal.name
    if settings.auth_disabled:
        bucket = f"{principal.name}@{request.client.host if request.client else ''}"
    request.app.state.rate_limiter.check(bucket)
    request.state.principal = principal
    return principal


PrincipalDep = Annotated[Principal, Depends(authorize)]


async def limit_public(request: Request) -> None:
    """For a route anyone may call without a key (the public candidate check): one bucket per client
    address, `settings.public_rate_limit_per_minute` a minute; 429 problem+json with Retry-After past it."""
    host = request.client.host if request.client else ""
    request.app.state.public_rate_limiter.check(f"public@{host}")


PublicRateLimit = Depends(limit_public)

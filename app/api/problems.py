"""RFC 9457 problem+json for every non-2xx answer. A 5xx never leaks internals."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from app.api.deps import RateLimited
from app.auth.keys import Forbidden, Unauthenticated
from app.errors import (
    Conflict,
    DomainError,
    InvalidDocument,
    NoProgrammes,
    NotFound,
    NothingSent,
    NothingToScore,
    PreconditionFailed,
    UnsupportedDocument,
)

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"
RETRY_AFTER_SECONDS = 5


class PayloadTooLarge(DomainError):
    title = "Payload too large"


# The one map from domain error to answer, for the API (problem+json) and the web interface (its error page)
# alike: the first class in the error's MRO that is here gives the status and the problem type (a slug under
# /problems/, or about:blank); the title is the error's own (`DomainError.title`, refined by subclasses).
# Refusals that depend on the stored data, not on the request, are 409 (docs/deployment.md, "Status codes").
ERRORS: dict[type[DomainError], tuple[int, str]] = {
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    NotFound: (404, "not-found"),
    Conflict: (409, "conflict"),
    PreconditionFailed: (412, "precondition-failed"),
    PayloadTooLarge: (413, "about:blank"),
    UnsupportedDocument: (415, "unsupported-document"),
    InvalidDocument: (422, "invalid-document"),
    RateLimited: (429, "about:blank"),
    NothingToScore: (409, "nothing-to-score"),
    NoProgrammes: (409, "no-programmes"),
    NothingSent: (422, "nothing-to-score"),
}
UNMAPPED = (400, "about:blank")

# Where the version an edit was checked against came from (see `answer_for`).
VersionFrom = Literal["if-match", "form"]


@dataclass(frozen=True, slots=True)
class ErrorAnswer:
    """How a domain error is answered: status, problem type and title."""

    status: int
    type: str
    title: str


def answer_for(error: DomainError, *, version_from: VersionFrom = "if-match") -> ErrorAnswer:
    """The answer to a domain error, from `ERRORS`.

    A stale version (PreconditionFailed: someone else changed the workplace first) depends on where the
    version came from. The API takes it from the `If-Match` header: a condition in a request header that
    evaluates to false is 412 Precondition Failed (RFC 9110, 13.1.1 and 15.5.13). The web interface takes it
    from a hidden field of its form, which is no HTTP precondition at all: what the browser sent conflicts
    with the resource's current state, which is 409 Conflict (RFC 9110, 15.5.10, names exactly this case of
    an edit overtaken by an earlier one). So with `version_from="form"` it is answered as the Conflict entry
    of this same map; the Dutch message stays the one for a stale version (app.api.ui.messages).
    """
    cls: type[DomainError] = type(error)
    if version_from == "form" and isinstance(error, PreconditionFailed):
        cls = Conflict
    status, type_ = next((ERRORS[c] for c in cls.__mro__ if c in ERRORS), UNMAPPED)
    return ErrorAnswer(status, type_, error.title)


def problem(
    status: int, title: str, detail: str, *, type_: str = "about:blank", instance: str = "", **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_ if type_ == "about:blank" else f"/problems/{type_}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem answers a route can give."""
    return {
        code: {
            "description": "Problem",
            "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for code in codes
    }


METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(app: FastAPI, request: Request) -> str:
    """Every method some route serves at this path (RFC 9110 asks a 405 to list them in `Allow`); Starlette
    names only the first route's, and a path often has one route per method."""
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in app.router.routes
        )
    ]
    return ", ".join(allowed)


def _beyond_ids(value: object) -> bool:
    text = str(value).lstrip("-")
    return text.isdigit() and int(text) > 2**31 - 1


def _not_null(parameter: dict[str, Any]) -> None:
    """A query or header parameter is a string on the wire: it is absent or it has a value, never JSON
    null. FastAPI documents an optional one as `anyOf: [{…}, {"type": "null"}]`, which clients read as
    "send the text null" (and a schemathesis run sent `If-Match: null`)."""
    schema = parameter.get("schema", {})
    variants = schema.get("anyOf")
    if not isinstance(variants, list) or {"type": "null"} not in variants:
        return
    rest = [v for v in variants if v != {"type": "null"}]
    del schema["anyOf"]
    if len(rest) == 1:
        schema.update(rest[0])
    else:
        schema["anyOf"] = rest


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, error: DomainError) -> JSONResponse:
        extra: dict[str, Any] = {}
        items = getattr(error, "errors", None)
        if items:
            extra["errors"] = [{"location": e.location, "message": e.message} for e in items]
        answer = answer_for(error)
        response = problem(
            answer.status, answer.title, error.detail, type_=answer.type, instance=request.url.path, **extra
        )
        if isinstance(error, Unauthenticated):
            response.headers["WWW-Authenticate"] = "Bearer"
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "location": ".".join(str(p) for p in e.get("loc", ())),
                "message": e.get("msg", "invalid"),
                "type": e.get("type", ""),
            }
            for e in error.errors()
        ]
        fields = ", ".join(e["location"] for e in errors[:5])
        return problem(
            422,
            "Invalid request",
            f"the request is not valid: {fields}",
            type_="invalid-request",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:
            # FastAPI's and Starlette's only 400: a body they cannot decode (not UTF-8, broken multipart
            # data). The same problem as a body that is not valid JSON.
            return problem(
                422,
                "Invalid request",
                "the request body cannot be parsed",
                type_="invalid-request",
                instance=request.url.path,
                errors=[{"location": "body", "message": "cannot be parsed", "type": "body_unparsable"}],
            )
        detail = error.detail if isinstance(error.detail, str) else "request failed"
        titles = {
            404: "Not found",
            405: "Method not allowed",
            413: "Payload too large",
            415: "Unsupported media type",
        }
        response = problem(
            error.status_code,
            titles.get(error.status_code, "Error"),
            detail,
            instance=request.url.path,
        )
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            response.headers["Allow"] = _allowed_methods(app, request)
        return response

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
        log.warning(
            "database unavailable on %s %s: %s", request.method, request.url.path, type(error).__name__
        )
        response = problem(
            503,
            "Service unavailable",
            "the database does not answer; try again shortly",
            type_="database-unavailable",
            instance=request.url.path,
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, error: Exception) -> JSONResponse:
        # A value from the request the database cannot hold: an id larger than its integers (SQLite's
        # driver raises OverflowError, PostgreSQL "out of range"), or text with a NUL character.
        log.info("unstorable value on %s %s: %s", request.method, request.url.path, type(error).__name__)
        if any(_beyond_ids(value) for value in request.path_params.values()):
            # an id in the path that no record can have: the resource is not there (as for any other id)
            return problem(
                404,
                "Not found",
                "no record has this id: ids are 1 to 2147483647",
                type_="not-found",
                instance=request.url.path,
            )
        return problem(
            422,
            "Invalid request",
            "a value in the request cannot be stored: a number out of range or a NUL character in text",
            type_="invalid-request",
            instance=request.url.path,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(
            500, "Internal error", "the server could not answer this request", instance=request.url.path
        )

    def openapi_with_problem() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}},
            },
            "required": ["type", "title", "status", "detail"],
        }
        # Every error answer is problem+json, including FastAPI's own 422 (documented by default as
        # application/json with its HTTPValidationError shape, which this app never sends). Every /v1
        # operation may also answer 401/403 (key missing, role too low), 429 (rate limit per key) and
        # 503 (database away, with Retry-After).
        for path, operations in schema.get("paths", {}).items():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    _not_null(parameter)
                answers = operation.setdefault("responses", {})
                common = {"401": "Unauthorized", "403": "Forbidden", "429": "Too many requests"}
                for code, description in (common if path.startswith("/v1/") else {}).items():
                    answers.setdefault(code, {"description": description})
                answers.setdefault("503", {"description": "Service unavailable"})
                for code, answer in answers.items():
                    if str(code)[0] in "45":
                        answer["content"] = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        app.openapi_schema = schema
        return schema

    app.openapi = openapi_with_problem  # type: ignore[method-assign]

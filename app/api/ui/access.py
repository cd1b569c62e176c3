"""Who may use the web interface: the same API keys and roles as /v1, kept in a cookie after logging in.

With authentication off (SKILLMATCH_AUTH_DISABLED=true, as `make run` does for local use) every page is
open. Otherwise a page asks for a key once; reading needs the scope `read`, changing anything `write`
(roles project and admin). The cookie is HttpOnly and SameSite=Strict, so another site cannot make the
browser post a form here with it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute

from app.api.deps import SessionDep
from app.api.ui.pages._common import forbidden_page
from app.auth import keys
from app.auth.keys import ANONYMOUS_ADMIN, Principal, Unauthenticated
from app.settings import Settings

COOKIE = "skillmatch_ui_key"
LOGIN = "/ui/inloggen"


class LoginRequired(Exception):
    """No valid key in the cookie: the page sends the browser to the login form."""


class NotAllowed(Exception):
    """A valid key whose role may not do this (a recruiter key that tries to change a workplace)."""

    def __init__(self, principal: Principal, scope: str) -> None:
        super().__init__(f"role {principal.role} lacks scope {scope}")
        self.principal = principal
        self.scope = scope


def principal(request: Request, session: SessionDep) -> Principal:
    """The user of this page, from the cookie; raises LoginRequired or NotAllowed."""
    settings: Settings = request.app.state.settings
    if settings.auth_disabled:
        return ANONYMOUS_ADMIN
    secret = request.cookies.get(COOKIE, "")
    if not secret:
        raise LoginRequired
    try:
        found = keys.authenticate(session, secret)
    except Unauthenticated as error:
        raise LoginRequired from error
    scope = "read" if request.method in {"GET", "HEAD"} else "write"
    if not found.allows(scope):
        raise NotAllowed(found, scope)
    request.state.principal = found
    return found


def safe_next(target: str) -> str:
    """Where to go after logging in: only a page of this interface, never another site."""
    if target.startswith("/ui") and not target.startswith("//") and "\\" not in target:
        return target
    return "/ui"


def login_redirect(request: Request) -> Response:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":
        here = request.headers.get("referer", "/ui")
        here = here.split(str(request.base_url).rstrip("/"), 1)[-1]
    target = f"{LOGIN}?volgende={quote(safe_next(here))}"
    if request.headers.get("hx-request") == "true":
        # A partial update: let htmx load the login page as a whole page, not inside the list.
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def set_key(response: Response, secret: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, secret, httponly=True, samesite="strict", secure=secure, path="/ui")


def clear_key(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ui")


class UiRoute(APIRoute):
    """Turns LoginRequired into a redirect to the login form and NotAllowed into a Dutch 403 page."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except LoginRequired:
                return login_redirect(request)
            except NotAllowed as error:
                return forbidden_page(request, error.principal)

        return guarded

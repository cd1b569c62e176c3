"""The way in: the server's address leads to the interface, logging in with a key and out again. These
routes are open; every other page asks who the user is first (app.api.ui.access)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from app.api.deps import SessionDep
from app.api.ui import access, messages
from app.api.ui.pages._common import page
from app.auth import keys
from app.auth.keys import Unauthenticated

log = logging.getLogger(__name__)

router = APIRouter(route_class=access.UiRoute)

UNKNOWN_KEY = messages.Message(
    "Deze sleutel kennen we niet, of hij is ingetrokken.",
    "Controleer de sleutel (hij begint met sm_) of vraag de beheerder om een nieuwe.",
)


@router.get("/")
def root() -> RedirectResponse:
    """People who open the server's address land on the web interface; the API lives under /v1."""
    return RedirectResponse("/ui", status_code=307)


@router.get("/ui/inloggen", response_class=HTMLResponse)
def login_page(request: Request, volgende: Annotated[str, Query(max_length=500)] = "/ui") -> HTMLResponse:
    return page(request, "login.html", {"next": access.safe_next(volgende)})


@router.post("/ui/inloggen", response_class=HTMLResponse, response_model=None)
def login(
    request: Request,
    session: SessionDep,
    sleutel: Annotated[str, Form()] = "",
    volgende: Annotated[str, Form()] = "/ui",
) -> Response:
    target = access.safe_next(volgende)
    try:
        found = keys.authenticate(session, sleutel.strip())
    except Unauthenticated:
        return page(request, "login.html", {"next": target, "message": UNKNOWN_KEY}, status_code=401)
    log.info("web interface: key %s (%s) logged in", found.name, found.role)
    response = RedirectResponse(target, status_code=303)
    access.set_key(response, sleutel.strip(), secure=request.url.scheme == "https")
    return response


@router.post("/ui/uitloggen")
def logout() -> RedirectResponse:
    response = RedirectResponse(access.LOGIN, status_code=303)
    access.clear_key(response)
    return response

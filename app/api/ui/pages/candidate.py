"""The public candidate check: one page per profile vacancy, /kandidaatcheck/{profile_id}, for people who
read the vacancy and wonder whether to apply, also when their diploma is not listed.

No key: anyone may open it. It is read-only and nothing of the candidate is stored or logged: the form is
posted (so that the choices are not in the address, the browser history or an access log), the check is
the API's (`app.planning.candidate.candidate_fit`, as POST /v1/profiles/{id}/candidate-fit), which writes
no audit record and logs counts only, and this module logs nothing. Each client address may ask
`SKILLMATCH_PUBLIC_RATE_LIMIT_PER_MINUTE` times a minute (`app.api.deps.PublicRateLimit`); past it, a Dutch
page with status 429 and Retry-After.

The skills to tick are the vacancy's (`vacancy.top_skills`, the list the vacancy prints), the diplomas
the kwalificaties the matcher can score. Without JavaScript the form posts and the page comes back with the
result; with htmx, every change updates the result alone.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.api.deps import MatcherDep, PublicRateLimit, RateLimited, SessionDep
from app.api.schemas import MAX_ID
from app.api.ui import messages
from app.api.ui.pages._common import is_htmx, page, status_of
from app.errors import DomainError, NotFound, NothingSent, NothingToScore
from app.matching.service import Matcher
from app.planning import candidate, profiles, vacancy

# What the candidate is told when the check cannot be done; never the English detail of the error.
UNKNOWN_VACANCY = messages.Message(
    "Deze vacature bestaat niet (meer).",
    "Misschien is de vacature gesloten, of is de link niet helemaal overgenomen. Kijk bij de vacature of "
    "de link klopt.",
)
NOTHING_TO_COMPARE = messages.Message(
    "Voor deze vacature valt nog niets te vergelijken.",
    "De werkplekken van dit traineeship hebben nog geen vaardigheden. Kijk later nog eens.",
)
NOT_UNDERSTOOD = messages.Message(
    "Wat je koos, konden we niet nagaan.",
    "Kies je opleiding opnieuw uit de lijst en vink aan wat je kunt. Lukt het dan nog niet, laad de pagina "
    "dan opnieuw.",
)


def _slow_down(retry_after: int) -> messages.Message:
    return messages.Message(
        "Even rustig aan: er kwamen in korte tijd veel vragen van jouw adres.",
        f"Probeer het over {retry_after} seconden opnieuw. Wat je hebt aangevinkt, blijft staan.",
    )


def _message(error: DomainError) -> messages.Message:
    if isinstance(error, NotFound):
        return UNKNOWN_VACANCY
    if isinstance(error, NothingToScore):
        return NOTHING_TO_COMPARE
    if isinstance(error, RateLimited):
        return _slow_down(error.retry_after)
    return NOT_UNDERSTOOD


def _error_page(request: Request, error: DomainError) -> HTMLResponse:
    """A Dutch page, or for htmx the result area, with the status from the API's error map."""
    message = _message(error)
    name = "_candidate_result.html" if is_htmx(request) else "candidate_error.html"
    response = page(request, name, {"message": message}, status_code=status_of(error))
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


class PublicRoute(APIRoute):
    """Past the public rate limit (a dependency of every route here), a Dutch page instead of problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            try:
                return await handler(request)
            except RateLimited as error:
                return _error_page(request, error)

        return limited


router = APIRouter(route_class=PublicRoute, dependencies=[PublicRateLimit])


def _profile_id(text: str) -> int:
    """The id in the address; anything that cannot be a profile's id is a vacancy that does not exist."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise NotFound("profile", text)
    return int(text)


def _offer(session: Session, matcher: Matcher, profile_id: int) -> dict[str, Any]:
    """What the form offers: the profile, the vacancy's skills to tick and the diplomas to choose from."""
    profile = profiles.get_profile(session, profile_id)
    scored = [w for w in profiles.profile_workplaces(profile) if w.skills]
    diplomas = sorted(
        matcher.index(session).programmes, key=lambda p: (p.title.casefold(), p.niveau, p.crebo)
    )
    return {
        "profile": profile,
        "workplaces": scored,
        "skills": vacancy.top_skills(matcher, session, scored),
        "programmes": diplomas,
        "sentence": vacancy.STANDARD_SENTENCE,
    }


def _check(
    session: Session, matcher: Matcher, profile_id: int, crebo: str, held: Sequence[str]
) -> dict[str, Any]:
    """The candidate's fit; none yet while nothing is chosen (the form asks for a choice)."""
    chosen: dict[str, Any] = {"crebo": crebo, "held": set(held)}
    try:
        fit = candidate.candidate_fit(session, matcher, profile_id, crebo=crebo or None, skills_held=held)
    except NothingSent:
        return chosen
    return chosen | {"fit": fit}


@router.get("/kandidaatcheck/{profile_id}", response_class=HTMLResponse)
def candidate_page(
    request: Request, profile_id: str, session: SessionDep, matcher: MatcherDep
) -> HTMLResponse:
    """The vacancy's candidate check, nothing chosen yet."""
    try:
        context = _offer(session, matcher, _profile_id(profile_id))
    except DomainError as error:
        return _error_page(request, error)
    return page(request, "candidate.html", context | {"crebo": "", "held": set()})


@router.post("/kandidaatcheck/{profile_id}", response_class=HTMLResponse)
def check_candidate(
    request: Request,
    profile_id: str,
    session: SessionDep,
    matcher: MatcherDep,
    opleiding: Annotated[str, Form(max_length=20)] = "",
    vaardigheid: Annotated[list[str] | None, Form(max_length=500)] = None,
) -> HTMLResponse:
    """The check for what the candidate chose: the whole page again, or for htmx the result alone."""
    try:
        known = _profile_id(profile_id)
        context = _offer(session, matcher, known)
        context.update(_check(session, matcher, known, opleiding.strip(), vaardigheid or []))
    except DomainError as error:
        return _error_page(request, error)
    return page(request, "_candidate_result.html" if is_htmx(request) else "candidate.html", context)

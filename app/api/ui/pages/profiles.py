"""Profiles (vakgebieden) and their vacancies.

- /ui/profielen: propose k profiles from the workplaces (clustered on their skills; stores nothing) and save
  the proposal; rename a stored profile, move a workplace to another profile, delete a profile;
- /ui/profielen/{id}: a stored profile's workplaces, the skills they share, their cohesion, and the
  programmes that fit (the share of its workplaces where each is eligible, and its mean coverage);
- /ui/profielen/{id}/vacature and /ui/werkplekken/{id}/vacature: the vacancy as the vacancy generator gets
  it, to copy as text or download as Markdown or Word (.docx); for a profile, a preview of what an edit (a
  skill left out or added, another minimum coverage) changes, before anything is saved.

Every rule is app.planning's (profiles, vacancy, vacancy_docx), called as the JSON API calls it
(app.api.routes.planning); this module reads the forms, puts the service calls together and renders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.deps import MatcherDep, SessionDep
from app.api.planning_schemas import ProfileIn, ProfilePatch
from app.api.ui import access, messages
from app.api.ui.pages._common import Percent, is_htmx, page, read_percent, status_of
from app.errors import Conflict, DomainError, ErrorItem, NoProgrammes, NotFound, NothingToScore
from app.matching.service import Matcher
from app.models import Profile
from app.planning import profiles, vacancy, vacancy_docx
from app.planning.skills import PlanSkill

router = APIRouter(route_class=access.UiRoute, dependencies=[Depends(access.principal)])

DEFAULT_K = 4
MAX_K = 50  # as the API's SuggestIn
CLOSEST = 5  # programmes eligible at none of a profile's workplaces, shown for comparison
MARKDOWN = "text/markdown; charset=utf-8"
CANDIDATE_CHECK = "/kandidaatcheck/{profile_id}"  # the public page that makes the standard sentence concrete
FIELDS = {"name": "Naam van het profiel", "workplace_ids": "Werkplekken"}

Kind = Literal["profile", "workplace"]
Extension = Literal["md", "docx"]
Field = Annotated[str, Form()]


# --- messages ----------------------------------------------------------------------------------------------


def _explain(error: DomainError) -> messages.Message:
    """A domain error of these pages in plain Dutch; the rest as every page says it (app.api.ui.messages)."""
    if isinstance(error, NotFound) and error.resource == "profile":
        return messages.Message(
            "Dit profiel bestaat niet (meer).",
            "Misschien is het verwijderd. Ga terug naar de profielen en kies opnieuw.",
        )
    if isinstance(error, NoProgrammes):
        return messages.Message(
            "Er zijn nog geen kwalificaties met vaardigheden om mee te vergelijken.",
            "Lees eerst kwalificatiedossiers in op de catalogus-pagina.",
        )
    if isinstance(error, NothingToScore):
        return messages.Message(
            "Er is nog niets om te vergelijken: geen van deze werkplekken heeft vaardigheden.",
            "Voeg vaardigheden toe op de pagina's van de werkplekken, of vul een omschrijving in.",
        )
    if isinstance(error, Conflict) and error.errors:
        return _conflict(error)
    return messages.explain(error)


def _conflict(error: Conflict) -> messages.Message:
    location = error.errors[0].location
    if location == "k":
        return messages.Message(
            "Er zijn te weinig werkplekken met vaardigheden voor zoveel profielen.",
            "Kies minder profielen, of voeg vaardigheden toe aan meer werkplekken.",
        )
    if location == "remove":
        return messages.Message(
            "Een vaardigheid die u wilt weglaten, hoort niet (meer) bij dit profiel.",
            "Open de vacature opnieuw en kies opnieuw.",
        )
    if location == "werkplek":
        return messages.Message(
            "Deze werkplek hoort niet (meer) bij dit profiel.",
            "Misschien heeft iemand anders haar al verplaatst. Kijk in de lijst hoe het nu is.",
        )
    return messages.explain(error)


def _error(request: Request, error: DomainError) -> HTMLResponse:
    return page(request, "error.html", {"message": _explain(error)}, status_code=status_of(error))


def _form_message(error: ValidationError) -> messages.Message:
    details = []
    for e in error.errors():
        location = str(e["loc"][0]) if e["loc"] else ""
        text = "vul dit in" if e["type"] == "string_too_short" else "ongeldige waarde"
        if e["type"] == "string_too_long":
            text = f"te lang (maximaal {e.get('ctx', {}).get('max_length', '?')} tekens)"
        details.append(f"{FIELDS.get(location, location)}: {text}")
    return messages.Message(
        "Dit kon niet worden opgeslagen; er is niets veranderd.",
        "Controleer de punten hieronder en probeer het opnieuw.",
        tuple(details),
    )


def _number(value: str) -> int:
    """An id from a form field; anything else is 0, which names nothing."""
    value = value.strip()
    return int(value) if value.isdigit() and len(value) <= 10 else 0


def _read_k(value: str) -> int:
    number = _number(value)
    return number if 1 <= number <= MAX_K else DEFAULT_K


# --- the list: a proposal and the stored profiles ----------------------------------------------------------


def _proposal(session: Session, matcher: Matcher, k: int) -> dict[str, Any]:
    """k profiles proposed from all workplaces (stores nothing), or why there is no proposal."""
    try:
        suggestion = profiles.suggest_profiles(session, matcher, k=k)
    except DomainError as error:
        return {"proposal_error": _explain(error), "status": status_of(error)}
    return {"suggestion": suggestion}


def _list_context(session: Session, k: int) -> dict[str, Any]:
    stored = [(p, profiles.profile_workplaces(p)) for p in profiles.list_profiles(session)]
    return {"stored": stored, "k": k, "max_k": MAX_K}


def _list_page(
    request: Request, session: Session, *, extra: dict[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    context = _list_context(session, DEFAULT_K) | (extra or {})
    return page(request, "profiles.html", context, status_code=status)


def _read_proposal(names: Sequence[str], workplaces: Sequence[str]) -> list[ProfileIn]:
    """The proposal as the page showed it: a name and the workplace ids per profile (ValidationError)."""
    return [
        ProfileIn(name=name, workplace_ids=[_number(w) for w in ids.split(",") if w.strip()])
        for name, ids in zip(names, workplaces, strict=False)
    ]


def _move(session: Session, source_id: int, workplace_id: int, target_id: int) -> None:
    """Take a workplace out of one stored profile and put it in another, by the profile service."""
    source = profiles.get_profile(session, source_id)
    target = profiles.get_profile(session, target_id)
    members = [m.workplace_id for m in source.members]
    if workplace_id not in members:
        detail = f"workplace {workplace_id} is not in profile {source_id}"
        raise Conflict(detail, [ErrorItem("werkplek", detail)])
    if target.id == source.id:
        return
    kept = [m.workplace_id for m in target.members]
    profiles.update_profile(session, source_id, workplace_ids=[w for w in members if w != workplace_id])
    profiles.update_profile(session, target_id, workplace_ids=[*kept, workplace_id])


@router.get("/ui/profielen", response_class=HTMLResponse)
def profiles_page(
    request: Request,
    session: SessionDep,
    matcher: MatcherDep,
    k: Annotated[str | None, Query(max_length=3)] = None,
) -> HTMLResponse:
    """The stored profiles; with `k` (the proposal form), also a proposal of k profiles."""
    context = _list_context(session, _read_k(k or ""))
    if k is not None:
        context.update(_proposal(session, matcher, context["k"]))
    return page(request, "profiles.html", context, status_code=context.pop("status", 200))


@router.post("/ui/profielen", response_class=HTMLResponse, response_model=None)
def save_proposal(
    request: Request,
    session: SessionDep,
    naam: Annotated[list[str] | None, Form()] = None,
    werkplekken: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Save the proposal as shown (with the names as typed): one stored profile per proposed profile."""
    try:
        proposal = _read_proposal(naam or [], werkplekken or [])
    except ValidationError as error:
        return _list_page(request, session, extra={"save_error": _form_message(error)}, status=422)
    try:
        for body in proposal:
            profiles.create_profile(session, name=body.name, workplace_ids=body.workplace_ids)
    except DomainError as error:
        session.rollback()
        return _error(request, error)
    return RedirectResponse(f"/ui/profielen?opgeslagen={len(proposal)}#opgeslagen", status_code=303)


@router.post("/ui/profielen/{profile_id}/naam", response_class=HTMLResponse, response_model=None)
def rename_profile(request: Request, profile_id: int, session: SessionDep, naam: Field = "") -> Response:
    try:
        name = ProfilePatch(name=naam).name
    except ValidationError as error:
        extra = {"rename_error": _form_message(error), "rename_id": profile_id}
        return _list_page(request, session, extra=extra, status=422)
    try:
        profiles.update_profile(session, profile_id, name=name)
    except DomainError as error:
        return _error(request, error)
    return RedirectResponse(f"/ui/profielen?hernoemd={profile_id}#profiel-{profile_id}", status_code=303)


@router.post("/ui/profielen/{profile_id}/verplaatsen", response_class=HTMLResponse, response_model=None)
def move_workplace(
    request: Request, profile_id: int, session: SessionDep, werkplek: Field = "", naar: Field = ""
) -> Response:
    """Move one workplace from this profile to the profile `naar`."""
    target = _number(naar)
    try:
        _move(session, profile_id, _number(werkplek), target)
    except DomainError as error:
        session.rollback()
        return _error(request, error)
    return RedirectResponse(f"/ui/profielen?verplaatst={_number(werkplek)}#profiel-{target}", status_code=303)


@router.post("/ui/profielen/{profile_id}/verwijderen", response_class=HTMLResponse, response_model=None)
def delete_profile(request: Request, profile_id: int, session: SessionDep) -> Response:
    try:
        profiles.delete_profile(session, profile_id)
    except DomainError as error:
        return _error(request, error)
    return RedirectResponse("/ui/profielen#opgeslagen", status_code=303)


# --- one profile: its workplaces and the programmes that fit -----------------------------------------------


def _programmes(session: Session, matcher: Matcher, profile_id: int, min_coverage: float) -> dict[str, Any]:
    """The programmes that fit the profile (eligible at one or more of its workplaces), ranked by the
    service, and the closest of the rest; or why there are none to show."""
    try:
        result = profiles.profile_matches(session, matcher, profile_id, min_coverage=min_coverage)
    except DomainError as error:
        return {"fit_error": _explain(error)}
    return {
        "fit": result,
        "fitting": [p for p in result.programmes if p.eligible_workplaces],
        "closest": [p for p in result.programmes if not p.eligible_workplaces][:CLOSEST],
    }


def _profile_context(session: Session, matcher: Matcher, profile: Profile, minimum: str) -> dict[str, Any]:
    workplaces = profiles.profile_workplaces(profile)
    shared, cohesion = profiles.shared_skills(session, matcher, [w for w in workplaces if w.skills])
    min_coverage = read_percent(minimum, matcher.min_coverage)
    return {
        "profile": profile,
        "workplaces": workplaces,
        "directies": sorted({w.organisation_unit for w in workplaces if w.organisation_unit}),
        "shared": shared,
        "cohesion": cohesion,
        "minimum": round(min_coverage * 100),
        "default_minimum": round(matcher.min_coverage * 100),
    } | _programmes(session, matcher, profile.id, min_coverage)


@router.get("/ui/profielen/{profile_id}", response_class=HTMLResponse)
def profile_page(
    request: Request, profile_id: int, session: SessionDep, matcher: MatcherDep, minimum: Percent = ""
) -> HTMLResponse:
    try:
        profile = profiles.get_profile(session, profile_id)
    except DomainError as error:
        return _error(request, error)
    return page(request, "profile.html", _profile_context(session, matcher, profile, minimum))


# --- vacancies ---------------------------------------------------------------------------------------------


def _load_vacancy(session: Session, matcher: Matcher, kind: Kind, key: int, minimum: str) -> vacancy.Vacancy:
    min_coverage = read_percent(minimum, matcher.min_coverage)
    if kind == "profile":
        return vacancy.profile_vacancy(session, matcher, key, min_coverage=min_coverage)
    return vacancy.workplace_vacancy(session, matcher, key, min_coverage=min_coverage)


def plain_text(text: vacancy.VacancyText) -> str:
    """The vacancy as plain text, to paste anywhere: the words of the Markdown and the .docx, no markup."""
    lines = [text.title, ""]
    if text.directies:
        lines += [f"{text.directies[0]}: {text.directies[1]}", ""]
    if text.workplaces_intro:
        lines += [text.workplaces_intro, *(f"- {w}" for w in text.workplaces), ""]
    lines += [text.skills_heading, *(f"- {s}" for s in text.skills), ""]
    if text.trainable:
        lines += [text.trainable, ""]
    lines += [text.programmes_heading, *(f"- {p}" for p in text.programmes)]
    if text.no_programme:
        lines.append(text.no_programme)
    return "\n".join([*lines, "", text.sentence, ""])


def _path(kind: Kind, key: int) -> str:
    return f"/ui/profielen/{key}/vacature" if kind == "profile" else f"/ui/werkplekken/{key}/vacature"


def _vacancy_context(
    request: Request, session: Session, matcher: Matcher, result: vacancy.Vacancy
) -> dict[str, Any]:
    kind: Kind = "profile" if result.kind == "profile" else "workplace"
    text = vacancy.vacancy_text(result)
    context: dict[str, Any] = {
        "vacancy": result,
        "text": text,
        "plain": plain_text(text),
        "minimum": round(result.min_coverage * 100),
        "path": _path(kind, result.id),
        "default_minimum": round(matcher.min_coverage * 100),
    }
    if kind == "profile":
        check = CANDIDATE_CHECK.format(profile_id=result.id)
        context.update(candidate_check=check, candidate_url=str(request.base_url).rstrip("/") + check)
    else:  # the stored profiles this workplace is in: their vacancy and candidate check
        context["profiles_of"] = [
            p for p in profiles.list_profiles(session) if any(m.workplace_id == result.id for m in p.members)
        ]
    return context


def _vacancy_page(
    request: Request, session: Session, matcher: Matcher, kind: Kind, key: int, minimum: str
) -> HTMLResponse:
    try:
        result = _load_vacancy(session, matcher, kind, key, minimum)
    except DomainError as error:
        return _error(request, error)
    return page(request, "vacancy.html", _vacancy_context(request, session, matcher, result))


def _download(
    request: Request, session: Session, matcher: Matcher, kind: Kind, key: int, minimum: str, ext: Extension
) -> Response:
    """The vacancy as a file, from the same service and writers as the API's ?format=markdown|docx."""
    try:
        result = _load_vacancy(session, matcher, kind, key, minimum)
    except DomainError as error:
        return _error(request, error)
    attachment = {"Content-Disposition": f'attachment; filename="{vacancy.filename(result, ext)}"'}
    if ext == "docx":
        return Response(vacancy_docx.to_docx(result), media_type=vacancy_docx.MEDIA_TYPE, headers=attachment)
    return Response(vacancy.to_markdown(result).encode("utf-8"), media_type=MARKDOWN, headers=attachment)


@router.get("/ui/profielen/{profile_id}/vacature", response_class=HTMLResponse)
def profile_vacancy_page(
    request: Request, profile_id: int, session: SessionDep, matcher: MatcherDep, minimum: Percent = ""
) -> HTMLResponse:
    return _vacancy_page(request, session, matcher, "profile", profile_id, minimum)


@router.get("/ui/werkplekken/{workplace_id}/vacature", response_class=HTMLResponse)
def workplace_vacancy_page(
    request: Request, workplace_id: int, session: SessionDep, matcher: MatcherDep, minimum: Percent = ""
) -> HTMLResponse:
    return _vacancy_page(request, session, matcher, "workplace", workplace_id, minimum)


@router.get("/ui/profielen/{profile_id}/vacature.{ext}", response_model=None)
def profile_vacancy_file(
    request: Request,
    profile_id: int,
    ext: Extension,
    session: SessionDep,
    matcher: MatcherDep,
    minimum: Percent = "",
) -> Response:
    return _download(request, session, matcher, "profile", profile_id, minimum, ext)


@router.get("/ui/werkplekken/{workplace_id}/vacature.{ext}", response_model=None)
def workplace_vacancy_file(
    request: Request,
    workplace_id: int,
    ext: Extension,
    session: SessionDep,
    matcher: MatcherDep,
    minimum: Percent = "",
) -> Response:
    return _download(request, session, matcher, "workplace", workplace_id, minimum, ext)


# --- the preview of an edit --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreviewForm:
    """The preview form as typed: the minimum the vacancy is shown at, the skill lines to leave out, a skill to
    add (its text, weight and flags), and another minimum (empty: unchanged)."""

    minimum: str
    remove: tuple[str, ...]
    add: str
    weight: int
    must_have: bool
    trainable: bool
    new_minimum: str

    def edits(self) -> vacancy.VacancyEdits:
        text = " ".join(self.add.split())
        added = (PlanSkill(text, self.weight, self.must_have, self.trainable),) if text else ()
        new = read_percent(self.new_minimum, -1.0) if self.new_minimum.strip() else -1.0
        return vacancy.VacancyEdits(remove=self.remove, add=added, min_coverage=None if new < 0 else new)


def _preview_form(
    minimum: Percent = "",
    weg: Annotated[list[str] | None, Query(max_length=50)] = None,
    nieuw: Annotated[str, Query(max_length=1000)] = "",
    gewicht: Annotated[str, Query(max_length=1)] = "2",
    essentieel: Annotated[str | None, Query(max_length=3)] = None,
    trainbaar: Annotated[str | None, Query(max_length=3)] = None,
    nieuw_minimum: Percent = "",
) -> PreviewForm:
    weight = int(gewicht) if gewicht in {"1", "2", "3"} else 2
    remove = tuple(dict.fromkeys(w for w in weg or [] if w.strip()))
    return PreviewForm(
        minimum, remove, nieuw, weight, essentieel is not None, trainbaar is not None, nieuw_minimum
    )


PreviewFormDep = Annotated[PreviewForm, Depends(_preview_form)]


def _preview(session: Session, matcher: Matcher, profile_id: int, form: PreviewForm) -> dict[str, Any]:
    """The profile's vacancy before and after the edit, and what changes (stores nothing); or why not."""
    current = read_percent(form.minimum, matcher.min_coverage)
    path = _path("profile", profile_id)
    try:
        preview = vacancy.preview_profile_vacancy(
            session, matcher, profile_id, form.edits(), min_coverage=current
        )
    except DomainError as error:
        return {"form": form, "path": path, "preview_error": _explain(error), "status": status_of(error)}
    return {"form": form, "path": path, "preview": preview}


@router.get("/ui/profielen/{profile_id}/vacature/voorbeeld", response_class=HTMLResponse)
def preview_vacancy(
    request: Request, profile_id: int, session: SessionDep, matcher: MatcherDep, form: PreviewFormDep
) -> HTMLResponse:
    """What an edit of the profile's vacancy would change. htmx swaps in the result (always 200, as htmx
    swaps no error answer); without JavaScript the whole vacancy page comes back with it."""
    context = _preview(session, matcher, profile_id, form)
    if is_htmx(request):
        context.pop("status", None)
        return page(request, "_vacancy_preview.html", context)
    try:
        shown = (
            context["preview"].before
            if "preview" in context
            else _load_vacancy(session, matcher, "profile", profile_id, form.minimum)
        )
    except DomainError as error:
        return _error(request, error)
    context = _vacancy_context(request, session, matcher, shown) | context
    return page(request, "vacancy.html", context, status_code=context.pop("status", 200))

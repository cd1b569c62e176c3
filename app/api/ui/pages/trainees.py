"""The trainee pool (issue 22): the trainees, the saved pool plans with their timeline and overrides, each
trainee's learning plan and progress, and the evaluation with its workbook.

Trainee records are personal data: every page here needs the role project or admin, reads too, and
erasing a trainee needs admin (as the API, app.api.deps.required_scope). The rules live in app.trainees:
a refused override is shown with the rules the service names, in Dutch; nothing is checked here twice.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.deps import IdPath, MatcherDep, SessionDep
from app.api.trainee_schemas import LearntIn, TraineeIn
from app.api.ui import access, messages
from app.api.ui.pages._common import XLSX, page, status_of
from app.auth.keys import Principal
from app.catalogue import service as catalogue
from app.errors import Conflict, DomainError, ErrorItem, InvalidDocument, NotFound
from app.matching.service import Matcher
from app.planning import profiles
from app.planning.skills import PlanWorkplace
from app.trainees import calendar, export, plans, progress, service

Field = Annotated[str, Form()]

RESOURCES = {
    "trainee": "Deze trainee",
    "pool plan": "Dit poolplan",
    "placement": "Deze plaatsing",
    "placement of this trainee": "Deze plaatsing van de trainee",
    "progress of this trainee": "Deze markering",
}

FIELDS = {
    "ref": "Naam of referentie",
    "crebo": "Diploma (crebo)",
    "niveau": "Niveau",
    "profile_id": "Profiel",
    "start_date": "Startdatum",
    "begeleider": "Traineebegeleider",
    "skill": "Vaardigheid",
    "learnt_on": "Geleerd op",
    "note": "Notitie",
    "placement_id": "Plaatsing",
    "trainee_ids": "Trainees",
}

# The rules of app.trainees.plans.RULES, said in Dutch (tests check that every rule has its sentence).
RULES = {
    "offered-workplace": "Een plaatsing is op een werkplek van dit plan die nog vaardigheden heeft.",
    "no-double-booking": "Een werkplek heeft in een periode hoogstens één trainee.",
    "different-workplaces": "De werkplekken van een trainee zijn allemaal verschillend.",
    "max-per-directie": "In een directie werken hoogstens zoveel trainees als het plan toestaat.",
    "no-knockout": "Geen plaatsing met een knock-out: een vereiste vaardigheid die het diploma niet dekt "
    "en die op de werkplek niet te leren is.",
    "progress-kept": "Een plaatsing waar al vaardigheden als geleerd zijn gemarkeerd, houdt haar werkplek "
    "(maak die markeringen eerst ongedaan).",
}

STATUS = {
    "optimal": "optimaal: een beter plan bestaat niet",
    "time_limit": "niet bewezen optimaal: de rekentijd was op",
    "infeasible": "geen plan mogelijk",
    "error": "de rekenmodule gaf een fout",
}


# --- who may see this ------------------------------------------------------------------------------


class NotProjectTeam(Exception):
    """A valid key without the role these pages need (trainee records are personal data)."""

    def __init__(self, principal: Principal, scope: str) -> None:
        super().__init__(f"role {principal.role} lacks scope {scope}")
        self.principal = principal
        self.scope = scope


def _refused(request: Request, error: NotProjectTeam) -> HTMLResponse:
    who = f"{error.principal.name}, rol {error.principal.role}"
    if error.scope == "admin":
        title = f"Een trainee wissen mag alleen de beheerder (rol admin); met deze sleutel ({who}) niet."
    else:
        title = (
            f"Trainees zijn persoonsgegevens: alleen het projectteam ziet ze, met deze sleutel ({who}) niet."
        )
    advice = "Vraag de beheerder om een sleutel met de juiste rol, of log in met een andere sleutel."
    return page(request, "error.html", {"message": messages.Message(title, advice)}, status_code=403)


class TraineeRoute(access.UiRoute):
    """The interface's route (login, 403 for a read-only key) plus a Dutch 403 for a missing role."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except NotProjectTeam as error:
                return _refused(request, error)

        return guarded


def project_team(who: Annotated[Principal, Depends(access.principal)]) -> Principal:
    """Reads too need the scope `write` (roles project and admin), as /v1/trainees does."""
    if not who.allows("write"):
        raise NotProjectTeam(who, "write")
    return who


def admin_only(who: Annotated[Principal, Depends(project_team)]) -> Principal:
    if not who.allows("admin"):
        raise NotProjectTeam(who, "admin")
    return who


router = APIRouter(route_class=TraineeRoute, dependencies=[Depends(project_team)])
AdminDep = Annotated[Principal, Depends(admin_only)]


# --- Dutch for errors --------------------------------------------------------------------------------


def _field(location: str) -> str:
    name = location.removeprefix("body.").split(".")[0]
    return FIELDS.get(name, name)


# The messages of app.trainees, said in Dutch.
KNOWN_MESSAGES = {
    "already marked learnt": "deze vaardigheid is hier al als geleerd gemarkeerd",
    "not a skill of the placement's workplace": "geen vaardigheid van de werkplek van deze plaatsing",
    "no workplace in this period": "deze plaatsing heeft geen werkplek",
    "no trainees": "er zijn nog geen trainees; voeg eerst trainees toe",
}


# Why the planner left a trainee without a workplace (app.planning.pool), said in Dutch.
UNPLACED = {
    "no room left: the workplaces are taken in these periods or the directie limit is reached": "geen plek meer: "
    "de werkplekken zijn in deze periodes bezet of de directie heeft haar maximum bereikt",
    "the solver found no solution": "de rekenmodule vond geen oplossing",
    "taken off by an override": "met de hand van deze werkplek gehaald",
}


def unplaced(reason: str) -> str:
    found = re.fullmatch(
        r"no ordering of (\d+) offered workplaces without a knockout exists for this diploma", reason
    )
    if found:
        return f"er zijn geen {found[1]} werkplekken zonder knock-out voor dit diploma"
    return UNPLACED.get(reason, reason)


def _message(text: str) -> str:
    if text in KNOWN_MESSAGES:
        return KNOWN_MESSAGES[text]
    found = re.fullmatch(r"(\d+) is not in the catalogue", text)
    return f"{found[1]} staat niet in de catalogus" if found else text


def explain(error: DomainError) -> messages.Message:
    if isinstance(error, NotFound):
        return messages.Message(
            f"{RESOURCES.get(error.resource, 'Dit item')} bestaat niet (meer).",
            "Misschien is het gewist of verwijderd. Ga terug naar de trainees en kies opnieuw.",
        )
    items = error.errors if isinstance(error, Conflict | InvalidDocument) else []
    details = tuple(f"{_field(e.location)}: {_message(e.message)}" for e in items) or (error.detail,)
    return messages.Message(
        "Dit is niet gelukt; er is niets opgeslagen.", "Controleer het en probeer het opnieuw.", details
    )


def _form_error(error: ValidationError) -> messages.Message:
    details = []
    for e in error.errors():
        where = _field(str(e["loc"][0])) if e["loc"] else ""
        empty = e["type"] in {"missing", "string_too_short"} or e.get("input") in ("", None)
        text = "vul dit in" if empty else "ongeldige waarde"
        details.append(f"{where}: {text}")
    return messages.Message(
        "Dit kon niet worden verwerkt; er is niets opgeslagen.",
        "Controleer de punten hieronder en probeer het opnieuw.",
        tuple(details),
    )


def _error_page(request: Request, session: Session, error: DomainError) -> HTMLResponse:
    session.rollback()
    return page(request, "error.html", {"message": explain(error)}, status_code=status_of(error))


@dataclass(frozen=True, slots=True)
class RuleBroken:
    rule: str
    explanation: str  # the rule in Dutch
    reason: str  # what breaks it here, in Dutch


def _names(session: Session) -> tuple[dict[int, str], dict[int, PlanWorkplace]]:
    return {t.id: t.ref for t in service.list_trainees(session)}, plans.workplaces_by_id(session)


def _reason(message: str, trainees: dict[int, str], workplaces: dict[int, PlanWorkplace]) -> str:
    """The service's reason for one broken rule, in Dutch with names for the ids."""

    def wp(key: str) -> str:
        found = workplaces.get(int(key))
        return found.title if found else f"werkplek {key}"

    def who(key: str) -> str:
        return trainees.get(int(key), f"trainee {key}")

    patterns: list[tuple[str, Callable[[re.Match[str]], str]]] = [
        (
            r"placement \d+ has skills marked learnt",
            lambda m: "bij deze plaatsing zijn al vaardigheden als geleerd gemarkeerd",
        ),
        (
            r"workplace (\d+) is not offered to this plan or has no skills",
            lambda m: f"{wp(m[1])} hoort niet bij dit plan of heeft geen vaardigheden",
        ),
        (
            r"workplace (\d+) has trainee (\d+) in period (\d+)",
            lambda m: f"{wp(m[1])} heeft in periode {m[3]} al {who(m[2])}",
        ),
        (
            r"trainee (\d+) would work at workplace (\d+) twice",
            lambda m: f"{who(m[1])} zou twee keer op {wp(m[2])} werken",
        ),
        (
            r"(.+) would have (\d+) trainees; at most (\d+)",
            lambda m: f"{m[1]} zou {m[2]} trainees krijgen; het plan staat er hoogstens {m[3]} toe",
        ),
        (
            r"at workplace (\d+), period (\d+): (.+)",
            lambda m: (
                f"op {wp(m[1])} in periode {m[2]} dekt het diploma de vereiste vaardigheid {m[3]} niet, "
                "en die is daar niet te leren"
            ),
        ),
    ]
    for pattern, dutch in patterns:
        found = re.fullmatch(pattern, message)
        if found:
            return dutch(found)
    return message


def broken_rules(session: Session, errors: Sequence[ErrorItem]) -> list[RuleBroken]:
    trainees, workplaces = _names(session)
    rows = []
    for item in errors:
        rule = item.location.removeprefix("rule ")
        rows.append(RuleBroken(rule, RULES.get(rule, rule), _reason(item.message, trainees, workplaces)))
    return rows


# --- forms -------------------------------------------------------------------------------------------


def _number(value: str) -> int | str | None:
    value = value.strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


@dataclass(frozen=True, slots=True)
class TraineeForm:
    ref: str
    crebo: str
    niveau: str
    profile_id: str
    start_date: str
    begeleider: str

    def checked(self) -> TraineeIn:
        """The trainee these fields describe, validated as the API's TraineeIn (ValidationError)."""
        return TraineeIn.model_validate(
            {
                "ref": self.ref,
                "crebo": self.crebo.strip(),
                "niveau": _number(self.niveau),
                "profile_id": _number(self.profile_id),
                "start_date": self.start_date.strip() or None,
                "begeleider": self.begeleider,
            }
        )


def _trainee_form(
    ref: Field = "",
    crebo: Field = "",
    niveau: Field = "",
    profile_id: Field = "",
    start_date: Field = "",
    begeleider: Field = "",
) -> TraineeForm:
    return TraineeForm(ref, crebo, niveau, profile_id, start_date, begeleider)


TraineeFormDep = Annotated[TraineeForm, Depends(_trainee_form)]


def _learnt_form(
    placement_id: Field = "", skill: Field = "", learnt_on: Field = "", note: Field = ""
) -> dict[str, Any]:
    return {
        "placement_id": _number(placement_id),
        "skill": skill,
        "learnt_on": learnt_on.strip() or None,
        "note": note,
    }


LearntFormDep = Annotated[dict[str, Any], Depends(_learnt_form)]


# --- the trainees ------------------------------------------------------------------------------------


def _list_context(session: Session) -> dict[str, Any]:
    rows, _total = catalogue.list_programmes(session, limit=1000)
    return {
        "trainees": service.list_trainees(session),
        "programmes": [r.programme for r in rows],
        "profiles": profiles.list_profiles(session),
        "plans": plans.list_plans(session),
        "end_date": calendar.end_date,
        "today": dt.date.today(),
    }


def _list_page(request: Request, session: Session, status: int = 200, **extra: Any) -> HTMLResponse:
    context = _list_context(session)
    context.update(extra)
    context.setdefault("added", request.query_params.get("toegevoegd", ""))
    context.setdefault("erased", request.query_params.get("gewist") == "1")
    return page(request, "trainees.html", context, status_code=status)


@router.get("/ui/trainees", response_class=HTMLResponse)
def trainees_page(request: Request, session: SessionDep) -> HTMLResponse:
    return _list_page(request, session)


@router.post("/ui/trainees", response_class=HTMLResponse, response_model=None)
def add_trainee(request: Request, session: SessionDep, form: TraineeFormDep) -> Response:
    try:
        trainee = service.add_trainee(session, **form.checked().model_dump())
    except ValidationError as error:
        return _list_page(request, session, 422, form=form, form_error=_form_error(error))
    except DomainError as error:
        session.rollback()
        return _list_page(request, session, status_of(error), form=form, form_error=explain(error))
    return RedirectResponse(f"/ui/trainees?toegevoegd={trainee.id}#trainee-{trainee.id}", status_code=303)


@router.get("/ui/trainees/{trainee_id}/wissen", response_class=HTMLResponse)
def erase_confirm(
    request: Request, trainee_id: IdPath, session: SessionDep, _admin: AdminDep
) -> HTMLResponse:
    """The confirm step: what erasing takes with it."""
    try:
        trainee = service.get_trainee(session, trainee_id)
    except DomainError as error:
        return _error_page(request, session, error)
    return page(
        request, "trainee_erase.html", {"trainee": trainee, "phases": calendar.phases(trainee.start_date)}
    )


@router.post("/ui/trainees/{trainee_id}/wissen", response_class=HTMLResponse, response_model=None)
def erase_trainee(request: Request, trainee_id: IdPath, session: SessionDep, _admin: AdminDep) -> Response:
    try:
        service.erase_trainee(session, trainee_id)
    except DomainError as error:
        return _error_page(request, session, error)
    return RedirectResponse("/ui/trainees?gewist=1", status_code=303)


# --- pool plans --------------------------------------------------------------------------------------


@router.post("/ui/trainees/poolplannen", response_class=HTMLResponse, response_model=None)
def create_plan(
    request: Request, session: SessionDep, matcher: MatcherDep, max_per_directie: Field = "4"
) -> Response:
    """Plan every stored trainee over all workplaces (the pool MILP) and save the plan."""
    limit = _number(max_per_directie)
    try:
        plan = plans.create_plan(session, matcher, max_per_directie=limit if isinstance(limit, int) else 4)
    except DomainError as error:
        session.rollback()
        return _list_page(request, session, status_of(error), plan_error=explain(error))
    return RedirectResponse(f"/ui/trainees/poolplannen/{plan.id}", status_code=303)


def _grid(
    view: plans.PlanView, offered: dict[int, PlanWorkplace]
) -> list[tuple[PlanWorkplace, list[list[str]]]]:
    """Per workplace of the plan (offered or used), per period the trainees placed there."""
    workplaces = dict(offered)
    for t in view.trainees:
        workplaces.update({p.workplace.id: p.workplace for p in t.periods if p.workplace is not None})
    rows = []
    for workplace in sorted(workplaces.values(), key=lambda w: (w.organisation_unit, w.title, w.id)):
        cells: list[list[str]] = [[] for _ in range(view.plan.periods)]
        for t in view.trainees:
            for p in t.periods:
                if p.workplace is not None and p.workplace.id == workplace.id:
                    cells[p.period - 1].append(t.trainee.ref)
        rows.append((workplace, cells))
    return rows


def _plan_context(session: Session, matcher: Matcher, plan_id: int) -> dict[str, Any]:
    view = plans.view_plan(session, matcher, plan_id)
    offered = plans.workplaces_by_id(session, [w for w in view.plan.workplace_ids if isinstance(w, int)])
    return {
        "view": view,
        "offered": sorted(offered.values(), key=lambda w: (w.organisation_unit, w.title, w.id)),
        "grid": _grid(view, offered),
        "status": STATUS.get(view.plan.status, view.plan.status),
        "unplaced": unplaced,
    }


def _plan_page(
    request: Request, session: Session, matcher: Matcher, plan_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    try:
        context = _plan_context(session, matcher, plan_id)
    except DomainError as error:
        return _error_page(request, session, error)
    context.update(extra)
    context.setdefault("saved", request.query_params.get("opgeslagen", ""))
    return page(request, "pool_plan.html", context, status_code=status)


@router.get("/ui/trainees/poolplannen/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> HTMLResponse:
    return _plan_page(request, session, matcher, plan_id)


@router.post(
    "/ui/trainees/poolplannen/{plan_id}/plaatsingen/{placement_id}",
    response_class=HTMLResponse,
    response_model=None,
)
def override_placement(
    request: Request,
    plan_id: IdPath,
    placement_id: IdPath,
    session: SessionDep,
    matcher: MatcherDep,
    workplace_id: Field = "",
) -> Response:
    """Another workplace (or none) for one placement: saved when every rule holds, else refused with why."""
    chosen = _number(workplace_id)
    try:
        plans.override_placement(
            session, matcher, plan_id, placement_id, workplace_id=chosen if isinstance(chosen, int) else None
        )
    except plans.PlanRuleBroken as error:
        session.rollback()
        refused = {"placement_id": placement_id, "rules": broken_rules(session, error.errors)}
        return _plan_page(request, session, matcher, plan_id, 409, refused=refused)
    except DomainError as error:
        return _error_page(request, session, error)
    target = f"/ui/trainees/poolplannen/{plan_id}?opgeslagen={placement_id}#plaatsing-{placement_id}"
    return RedirectResponse(target, status_code=303)


# --- leerplan en voortgang ---------------------------------------------------------------------------

GROUPS = (
    ("learnt", "Hier geleerd"),
    ("to_learn", "Te leren op deze werkplek"),
    ("learnt_before", "Gedekt door wat eerder geleerd is"),
    ("diploma", "Gedekt door het diploma"),
    ("gap", "Niet gedekt en hier niet te leren"),
)


def _groups(placement: progress.PlacementProgress) -> list[tuple[str, str, list[progress.SkillProgress]]]:
    """The placement's skills, each in the first group it belongs to by the service's own flags."""
    to_learn = {s.text for s in placement.to_learn}
    found: dict[str, list[progress.SkillProgress]] = {key: [] for key, _ in GROUPS}
    for s in placement.skills:
        if s.learnt is not None:
            found["learnt"].append(s)
        elif s.text in to_learn:
            found["to_learn"].append(s)
        elif s.covered_by_diploma:
            found["diploma"].append(s)
        elif s.learnt_before:
            found["learnt_before"].append(s)
        else:
            found["gap"].append(s)
    return [(key, title, found[key]) for key, title in GROUPS]


def _progress_page(
    request: Request, session: Session, matcher: Matcher, trainee_id: int, status: int = 200, **extra: Any
) -> HTMLResponse:
    plan_id = _number(request.query_params.get("plan", ""))
    try:
        view = progress.trainee_progress(
            session, matcher, trainee_id, plan_id=plan_id if isinstance(plan_id, int) else None
        )
    except DomainError as error:
        return _error_page(request, session, error)
    context: dict[str, Any] = {"view": view, "groups": {p.placement_id: _groups(p) for p in view.placements}}
    context.update(today=dt.date.today(), saved=request.query_params.get("opgeslagen", ""), **extra)
    return page(request, "trainee_progress.html", context, status_code=status)


def _back(trainee_id: int, plan_id: int | str | None, anchor: str) -> str:
    query = f"?plan={plan_id}&opgeslagen=1" if isinstance(plan_id, int) else "?opgeslagen=1"
    return f"/ui/trainees/{trainee_id}/voortgang{query}#{anchor}"


@router.get("/ui/trainees/{trainee_id}/voortgang", response_class=HTMLResponse)
def progress_page(
    request: Request, trainee_id: IdPath, session: SessionDep, matcher: MatcherDep
) -> HTMLResponse:
    """The trainee's placements in their latest plan (or ?plan=), with the skills to learn and learnt."""
    return _progress_page(request, session, matcher, trainee_id)


@router.post("/ui/trainees/{trainee_id}/voortgang", response_class=HTMLResponse, response_model=None)
def mark_learnt(
    request: Request, trainee_id: IdPath, session: SessionDep, matcher: MatcherDep, form: LearntFormDep
) -> Response:
    """Mark a skill of a placement's workplace learnt (date, short note)."""
    try:
        body = LearntIn.model_validate(form)
        progress.mark_learnt(session, trainee_id, **body.model_dump())
    except ValidationError as error:
        return _progress_page(request, session, matcher, trainee_id, 422, mark_error=_form_error(error))
    except DomainError as error:
        session.rollback()
        return _progress_page(
            request, session, matcher, trainee_id, status_of(error), mark_error=explain(error)
        )
    plan_id = _number(request.query_params.get("plan", ""))
    return RedirectResponse(_back(trainee_id, plan_id, f"plaatsing-{body.placement_id}"), status_code=303)


@router.post(
    "/ui/trainees/{trainee_id}/voortgang/{progress_id}/ongedaan",
    response_class=HTMLResponse,
    response_model=None,
)
def unmark_learnt(
    request: Request, trainee_id: IdPath, progress_id: IdPath, session: SessionDep, placement: Field = ""
) -> Response:
    try:
        progress.unmark_learnt(session, trainee_id, progress_id)
    except DomainError as error:
        return _error_page(request, session, error)
    plan_id = _number(request.query_params.get("plan", ""))
    return RedirectResponse(_back(trainee_id, plan_id, f"plaatsing-{placement}"), status_code=303)


# --- evaluatie ---------------------------------------------------------------------------------------


@router.get("/ui/trainees/poolplannen/{plan_id}/evaluatie", response_class=HTMLResponse)
def evaluation_page(
    request: Request, plan_id: IdPath, session: SessionDep, matcher: MatcherDep
) -> HTMLResponse:
    """Per trainee what they brought in and learnt; per workplace which programmes worked there."""
    try:
        evaluation = progress.evaluate_pool(session, matcher, plan_id)
    except DomainError as error:
        return _error_page(request, session, error)
    return page(request, "pool_evaluation.html", {"evaluation": evaluation})


@router.get("/ui/trainees/poolplannen/{plan_id}/evaluatie.xlsx", response_model=None)
def evaluation_xlsx(request: Request, plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> Response:
    try:
        content = export.evaluation_xlsx(progress.evaluate_pool(session, matcher, plan_id))
    except DomainError as error:
        return _error_page(request, session, error)
    disposition = f'attachment; filename="evaluatie-poolplan-{plan_id}.xlsx"'
    return Response(content, media_type=XLSX, headers={"Content-Disposition": disposition})

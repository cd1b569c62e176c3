"""Workplaces: create, edit, import from CSV/XLSX, and break descriptions into skill statements."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from app.errors import NotFound, PreconditionFailed
from app.ingest.table import parse_workplace_table
from app.ingest.textsplit import Statement, is_skill_text, split_description, split_statements
from app.models import Workplace, WorkplaceSkill
from app.workplaces import repository

Origin = Literal["manual", "extracted", "import"]


@dataclass(frozen=True, slots=True)
class SkillInput:
    text: str
    weight: int = 2
    must_have: bool = False
    trainable: bool = False
    origin: Origin = "manual"


@dataclass(frozen=True, slots=True)
class WorkplaceInput:
    title: str
    organisation_unit: str = ""
    description: str = ""
    skills: tuple[SkillInput, ...] | None = None


@dataclass(frozen=True, slots=True)
class ImportedWorkplace:
    workplace: Workplace
    status: Literal["created", "updated"]


def describe(
    description: str, skills: Sequence[SkillInput] | None
) -> tuple[list[SkillInput], list[Statement]]:
    """The skills a workplace is scored on (as `resolve_skills`) and what its description says besides
    the work (traits, context, requirements, what is offered, how to apply): shown with the answer, never
    scored; nothing when the skills were sent as a list. The description is split once."""
    if skills:
        return list(skills), []
    statements = split_description(description)
    work = [SkillInput(text=s.text, origin="extracted") for s in statements if s.kind == "work"]
    return work, [s for s in statements if s.kind != "work"]


def is_scorable(text: str) -> bool:
    """Whether a skill text can be covered at all. A date, number, address, URL, e-mail, telephone
    number, page metadata or a fragment is not (app.ingest.textsplit.is_skill_text); a single word that
    a person names as a skill ("Koken", "HACCP") is."""
    if is_skill_text(text):
        return True
    words = text.split()
    return len(words) == 1 and words[0].isalpha()


def resolve_skills(description: str, skills: Sequence[SkillInput] | None) -> list[SkillInput]:
    """The skills a workplace is scored on: the explicit list if there is one, else the description's statements."""
    if skills:
        return list(skills)
    return [SkillInput(text=t, origin="extracted") for t in split_statements(description)]


def _set_skills(workplace: Workplace, skills: Sequence[SkillInput]) -> None:
    workplace.skills = [
        WorkplaceSkill(
            position=i,
            text=s.text,
            weight=s.weight,
            must_have=s.must_have,
            trainable=s.trainable,
            origin=s.origin,
        )
        for i, s in enumerate(skills)
    ]


def get_workplace(session: Session, workplace_id: int) -> Workplace:
    workplace = repository.get_workplace(session, workplace_id)
    if workplace is None:
        raise NotFound("workplace", workplace_id)
    return workplace


def list_workplaces(
    session: Session, *, organisation_unit: str | None = None, limit: int = 50, offset: int = 0
) -> tuple[Sequence[Workplace], int]:
    return repository.list_workplaces(
        session, organisation_unit=organisation_unit, limit=limit, offset=offset
    )


def create_workplace(session: Session, *, data: WorkplaceInput) -> Workplace:
    workplace = Workplace(
        title=data.title, organisation_unit=data.organisation_unit, description=data.description
    )
    _set_skills(workplace, resolve_skills(data.description, data.skills))
    return repository.add_workplace(session, workplace)


def _claim(session: Session, workplace: Workplace, expected_version: int | None) -> None:
    if not repository.claim_version(session, workplace.id, expected=expected_version):
        raise PreconditionFailed(
            f"workplace {workplace.id} was changed by someone else (it is now at version {workplace.version}, "
            f"not {expected_version}); reload it and apply your edit again"
        )
    session.refresh(workplace, ["version"])


def update_workplace(
    session: Session, workplace_id: int, *, data: WorkplaceInput, expected_version: int | None = None
) -> Workplace:
    """Replace a workplace. Without a skill list, the skills are extracted anew from the description.

    With `expected_version` (the If-Match of the request), the edit only goes through if nobody changed
    the workplace since that version; otherwise PreconditionFailed.
    """
    workplace = get_workplace(session, workplace_id)
    _claim(session, workplace, expected_version)
    workplace.title = data.title
    workplace.organisation_unit = data.organisation_unit
    workplace.description = data.description
    _set_skills(workplace, resolve_skills(data.description, data.skills))
    session.flush()
    return workplace


def delete_workplace(session: Session, workplace_id: int, *, expected_version: int | None = None) -> None:
    workplace = get_workplace(session, workplace_id)
    _claim(session, workplace, expected_version)
    repository.delete_workplace(session, workplace)


def import_workplaces(
    session: Session, *, data: bytes, filename: str | None = None, content_type: str | None = None
) -> list[ImportedWorkplace]:
    """Import a CSV/XLSX skill table. A workplace with the same title and unit is replaced, not duplicated.

    The whole file is parsed and checked before anything is written; the caller's transaction makes
    the write all-or-nothing.
    """
    records = parse_workplace_table(data, filename=filename, content_type=content_type)
    result: list[ImportedWorkplace] = []
    for record in records:
        skills = [
            SkillInput(
                text=r.text, weight=r.weight, must_have=r.must_have, trainable=r.trainable, origin="import"
            )
            for r in record.skills
        ]
        existing = repository.find_workplace(
            session, title=record.title, organisation_unit=record.organisation_unit
        )
        if existing is None:
            workplace = create_workplace(
                session,
                data=WorkplaceInput(
                    title=record.title,
                    organisation_unit=record.organisation_unit,
                    description=record.description,
                    skills=tuple(skills),
                ),
            )
            result.append(ImportedWorkplace(workplace, "created"))
        else:
            _claim(session, existing, None)
            if record.description:
                existing.description = record.description
            _set_skills(existing, skills)
            session.flush()
            result.append(ImportedWorkplace(existing, "updated"))
    return result

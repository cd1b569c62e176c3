"""Single-skill edits on a stored workplace: change, delete or add one skill statement.

The JSON API replaces the whole skill list (PUT); the web interface edits one statement at a time.
Both end in the same rows, so matching sees no difference.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from app.errors import ErrorItem, InvalidDocument, NotFound, PreconditionFailed
from app.models import Workplace, WorkplaceSkill
from app.workplaces import repository
from app.workplaces.service import get_workplace

log = logging.getLogger(__name__)

MAX_SKILL_CHARS = 1_000


def _checked(text: str, weight: int) -> str:
    errors: list[ErrorItem] = []
    cleaned = " ".join(text.split())
    if not cleaned:
        errors.append(ErrorItem("text", "a skill statement must not be empty"))
    elif len(cleaned) > MAX_SKILL_CHARS:
        errors.append(ErrorItem("text", f"a skill statement has at most {MAX_SKILL_CHARS} characters"))
    if weight not in (1, 2, 3):
        errors.append(ErrorItem("weight", "weight must be 1, 2 or 3"))
    if errors:
        raise InvalidDocument("the skill statement is not valid", errors)
    return cleaned


def _claim(session: Session, workplace: Workplace, expected_version: int | None) -> None:
    """Bump the workplace's version, as every change does; with `expected_version`, only if nobody
    changed the workplace since (otherwise PreconditionFailed and nothing is written)."""
    if not repository.claim_version(session, workplace.id, expected=expected_version):
        raise PreconditionFailed(
            f"workplace {workplace.id} was changed by someone else (it is now at version {workplace.version}, "
            f"not {expected_version}); reload it and apply your edit again"
        )
    session.refresh(workplace, ["version"])


def _skill(workplace: Workplace, skill_id: int) -> WorkplaceSkill:
    for skill in workplace.skills:
        if skill.id == skill_id:
            return skill
    raise NotFound("skill", skill_id)


def update_skill(
    session: Session,
    workplace_id: int,
    skill_id: int,
    *,
    text: str,
    weight: int,
    must_have: bool,
    trainable: bool,
    expected_version: int | None = None,
) -> WorkplaceSkill:
    """Change one statement. A changed text becomes a manual statement (it no longer is the extraction)."""
    workplace = get_workplace(session, workplace_id)
    skill = _skill(workplace, skill_id)
    cleaned = _checked(text, weight)
    _claim(session, workplace, expected_version)
    if cleaned != skill.text:
        skill.text = cleaned
        skill.origin = "manual"
    skill.weight = weight
    skill.must_have = must_have
    skill.trainable = trainable
    session.flush()
    log.info("workplace %d: skill %d updated", workplace_id, skill_id)
    return skill


def delete_skill(
    session: Session, workplace_id: int, skill_id: int, *, expected_version: int | None = None
) -> None:
    workplace = get_workplace(session, workplace_id)
    skill = _skill(workplace, skill_id)
    _claim(session, workplace, expected_version)
    workplace.skills.remove(skill)
    for position, remaining in enumerate(workplace.skills):
        remaining.position = position
    session.flush()
    log.info("workplace %d: skill %d deleted", workplace_id, skill_id)


def add_skill(
    session: Session,
    workplace_id: int,
    *,
    text: str,
    weight: int = 2,
    must_have: bool = False,
    trainable: bool = False,
    max_skills: int = 200,
    expected_version: int | None = None,
) -> WorkplaceSkill:
    """Append one manual statement to the workplace."""
    workplace = get_workplace(session, workplace_id)
    cleaned = _checked(text, weight)
    if len(workplace.skills) >= max_skills:
        raise InvalidDocument(
            f"a workplace has at most {max_skills} skills",
            [ErrorItem("text", f"the workplace already has {len(workplace.skills)} skills")],
        )
    _claim(session, workplace, expected_version)
    skill = WorkplaceSkill(
        position=len(workplace.skills),
        text=cleaned,
        weight=weight,
        must_have=must_have,
        trainable=trainable,
        origin="manual",
    )
    workplace.skills.append(skill)
    session.flush()
    log.info("workplace %d: skill %d added", workplace_id, skill.id)
    return skill

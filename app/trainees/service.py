"""Trainee records: add, read, edit, erase, and the retention period.

A trainee record is personal data (AVG). It keeps the minimum the planning needs: a reference or name,
the diploma (crebo and niveau), an optional profile, the start date, the traineebegeleider (a name or
reference) and, for the evaluation, where the trainee landed. Logs name trainees by id only.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.catalogue import repository as catalogue_repository
from app.errors import Conflict, ErrorItem, NotFound
from app.models import Profile, Trainee, Workplace
from app.trainees import calendar, repository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TraineeChanges:
    """What a PATCH sends: only the fields named in `sent` change (None clears an optional reference)."""

    sent: frozenset[str]
    ref: str | None = None
    crebo: str | None = None
    niveau: int | None = None
    profile_id: int | None = None
    start_date: dt.date | None = None
    begeleider: str | None = None
    landed_workplace_id: int | None = None


def get_trainee(session: Session, trainee_id: int) -> Trainee:
    trainee = repository.get_trainee(session, trainee_id)
    if trainee is None:
        raise NotFound("trainee", trainee_id)
    return trainee


def list_trainees(session: Session) -> Sequence[Trainee]:
    return repository.list_trainees(session)


def _programme_niveau(session: Session, crebo: str) -> int:
    programme = catalogue_repository.get_programme(session, crebo)
    if programme is None:
        raise Conflict(
            f"programme {crebo} does not exist", [ErrorItem("crebo", f"{crebo} is not in the catalogue")]
        )
    return int(programme.niveau)


def _check_reference(session: Session, model: type[Profile | Workplace], key: int | None, field: str) -> None:
    if key is not None and session.get(model, key) is None:
        name = "profile" if model is Profile else "workplace"
        raise Conflict(f"{name} {key} does not exist", [ErrorItem(field, f"{name} {key} does not exist")])


def add_trainee(
    session: Session,
    *,
    ref: str,
    crebo: str,
    start_date: dt.date,
    niveau: int | None = None,
    profile_id: int | None = None,
    begeleider: str = "",
) -> Trainee:
    """A new trainee. The niveau defaults to the programme's; an unknown crebo or profile is a 409."""
    programme_niveau = _programme_niveau(session, crebo)
    _check_reference(session, Profile, profile_id, "profile_id")
    trainee = Trainee(
        ref=ref,
        crebo=crebo,
        niveau=programme_niveau if niveau is None else niveau,
        profile_id=profile_id,
        start_date=start_date,
        begeleider=begeleider,
    )
    trainee = repository.add_trainee(session, trainee)
    log.info("trainee %d added", trainee.id)
    return trainee


def update_trainee(session: Session, trainee_id: int, changes: TraineeChanges) -> Trainee:
    trainee = get_trainee(session, trainee_id)
    if changes.crebo is not None and changes.crebo != trainee.crebo:
        niveau = _programme_niveau(session, changes.crebo)
        trainee.crebo = changes.crebo
        trainee.niveau = niveau if changes.niveau is None else changes.niveau
    elif changes.niveau is not None:
        trainee.niveau = changes.niveau
    if "profile_id" in changes.sent:
        _check_reference(session, Profile, changes.profile_id, "profile_id")
        trainee.profile_id = changes.profile_id
    if "landed_workplace_id" in changes.sent:
        _check_reference(session, Workplace, changes.landed_workplace_id, "landed_workplace_id")
        trainee.landed_workplace_id = changes.landed_workplace_id
    for field in ("ref", "start_date", "begeleider"):
        value = getattr(changes, field)
        if value is not None:
            setattr(trainee, field, value)
    session.flush()
    session.refresh(trainee)
    log.info("trainee %d updated", trainee.id)
    return trainee


def erase_trainee(session: Session, trainee_id: int) -> None:
    """Erase a trainee with their placements and progress (the AVG's right to erasure)."""
    get_trainee(session, trainee_id)
    repository.erase_trainees(session, [trainee_id])
    log.info("trainee %d erased with their placements and progress", trainee_id)


def purge(session: Session, *, retention_days: int, today: dt.date | None = None) -> int:
    """Erase the trainees whose traineeship (22 months from the start date) ended more than
    `retention_days` ago, with their placements and progress (0 keeps everything). Returns how many went."""
    if retention_days <= 0:
        return 0
    cutoff = (today or dt.date.today()) - dt.timedelta(days=retention_days)
    # a traineeship that ended before the cutoff started about 22 months before it or earlier: the
    # query asks with a month of slack (month ends), the exact test follows
    candidates = repository.trainees_started_before(
        session, calendar.add_months(cutoff, 1 - calendar.TOTAL_MONTHS)
    )
    expired = [t.id for t in candidates if calendar.end_date(t.start_date) < cutoff]
    erased = repository.erase_trainees(session, expired)
    if erased:
        log.info(
            "trainee retention: %d trainees past %d days after their traineeship erased",
            erased,
            retention_days,
        )
    return erased

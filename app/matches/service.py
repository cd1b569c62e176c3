"""The use cases of matching, each one function: prepare → (cache) → score → audit.

The API, the web interface and the command line call these and nothing below them, so that whatever serves
a match also records it in the audit trail (`app.audit`). Replaying a record is `app.audit.service.replay`.
What stays with the caller: how the answer is rendered (`render`, for a stored workplace whose answers are
cached), and counting served matches in the metrics (the API's `app.api.recording`), which is HTTP's.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.audit import service as audit
from app.audit.service import Asker, MatchRecordParts, record_parts
from app.errors import NoProgrammes, NothingSent, NothingToScore
from app.matching import service as matching
from app.matching.service import Matcher, MatchResult, ProgrammeFitResult
from app.workplaces.service import SkillInput


class Recordable(Protocol):
    """A rendered answer that carries what its audit record needs, so that a cached one needs no result."""

    @property
    def parts(self) -> MatchRecordParts: ...


A = TypeVar("A", bound=Recordable)
R = TypeVar("R")


class Answers(Protocol[A]):
    """Where answers to stored-workplace matches are kept once computed (the API's `AnswerCache`)."""

    def get(self, key: Hashable) -> A | None: ...

    def put(self, key: Hashable, answer: A) -> None: ...


@dataclass(frozen=True, slots=True)
class Served(Generic[R]):
    """An answer and the id of its audit record (the `match_id` the caller shows)."""

    match_id: int
    answer: R


@dataclass(frozen=True, slots=True)
class Scored:
    """A stored workplace's match as computed, for callers that render it themselves (web, command line)."""

    result: MatchResult
    parts: MatchRecordParts

    @classmethod
    def of(cls, result: MatchResult) -> Scored:
        return cls(result, record_parts(result))


def _given(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def match_workplace(
    session: Session,
    matcher: Matcher,
    workplace_id: int,
    *,
    asker: Asker,
    render: Callable[[MatchResult], A],
    answers: Answers[A] | None = None,
    niveau: Collection[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
) -> Served[A]:
    """Programmes ranked for a stored workplace: its skills and the catalogue read (NotFound,
    NothingToScore), the answer taken from `answers` when an equal one was computed before, else scored
    and rendered; recorded in the audit trail either way."""
    prepared = matching.prepare_workplace_match(
        session,
        matcher,
        workplace_id,
        niveau=niveau,
        min_coverage=min_coverage,
        limit=limit,
        include_unscored=include_unscored,
    )
    answer = answers.get(prepared.key) if answers is not None else None
    if answer is None:
        answer = render(prepared.score(session, matcher))
        if answers is not None:
            answers.put(prepared.key, answer)
    params = _given(workplace_id=workplace_id, niveau=niveau, min_coverage=min_coverage, limit=limit)
    match_id = audit.record_match(
        session, asker=asker, params=params, result=answer.parts, workplace_id=workplace_id
    )
    return Served(match_id, answer)


def match_adhoc(
    session: Session,
    matcher: Matcher,
    *,
    asker: Asker,
    title: str | None = None,
    description: str | None = None,
    skills: Sequence[SkillInput] | None = None,
    niveau: Sequence[int] | None = None,
    min_coverage: float | None = None,
    limit: int = 10,
    include_unscored: bool = False,
) -> Served[MatchResult]:
    """Programmes ranked for a workplace sent with the request (stored nowhere); recorded. The workplace
    is the asker's own, so one with nothing to score is what they sent wrong: NothingSent."""
    try:
        result = matching.match_adhoc(
            session,
            matcher,
            description=description or "",
            skills=skills,
            niveau=niveau,
            min_coverage=min_coverage,
            limit=limit,
            include_unscored=include_unscored,
        )
    except NoProgrammes:
        raise  # the catalogue's state, not the request's: 409
    except NothingToScore as error:
        raise NothingSent(error.detail) from error
    sent_skills = None
    if skills is not None:
        sent_skills = [
            {"text": s.text, "weight": s.weight, "must_have": s.must_have, "trainable": s.trainable}
            for s in skills
        ]
    params = _given(
        title=title,
        description=description,
        skills=sent_skills,
        niveau=None if niveau is None else list(niveau),
        min_coverage=min_coverage,
        limit=limit,
        include_unscored=include_unscored,
    )
    return Served(audit.record_match(session, asker=asker, params=params, result=result), result)


def fit_programme(
    session: Session, matcher: Matcher, crebo: str, *, asker: Asker, min_coverage: float | None = None
) -> Served[ProgrammeFitResult]:
    """Which stored workplaces fit a diploma (NotFound for an unknown crebo); recorded."""
    result = matching.programme_workplaces(session, matcher, crebo, min_coverage=min_coverage)
    params = _given(crebo=crebo, min_coverage=min_coverage)
    return Served(audit.record_fit(session, asker=asker, params=params, result=result), result)

"""The candidate check: how far a candidate's diploma, the skills they have and what they have done cover
each workplace of a profile, with the matching rules.

Per workplace skill, three sources of cover:
- the diploma (a crebo): the skill's best statement of that kwalificatie, covered and credited exactly as
  matching does it (app.planning.skills.programme_fit: the matcher's similarity, cover threshold and
  soft credit), so that the coverage from the diploma is the one the workplace's match reports;
- the skills held: labels of the profile's own skills that the candidate ticks (as the vacancy prints
  them, any case). A held skill is covered in full (credit 1); so are its near-duplicates at the
  profile's other workplaces, which the vacancy lists under one label (`vacancy.named_skills`: the
  vacancy's own merging rule, calibrated skill-to-skill similarity ≥ `vacancy.DUPLICATE`);
- experience: free text, split into statements as a workplace description is (`experience_statements`),
  each statement then standing for the candidate as a programme's statement does: a skill's best
  statement covers it and credits it by the matching rule (cover threshold, soft credit), on the
  skill-to-skill similarity scale of the planners.

Coverage per source = Σ weight × credit / Σ weight, with a skill's credit the best of its sources;
eligibility is `scoring.is_eligible`: enough coverage and no knockout (a must-have that is not trainable
and not covered). Gaps are the skills no source covers: trainable ones are the candidate's to learn.

Nothing about the candidate is stored or logged: the experience text is embedded in memory only (the
vector cache's memory, as an ad-hoc match's text), and no audit record is written.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.catalogue import repository as catalogue_repository
from app.errors import Conflict, ErrorItem, NothingSent, NothingToScore
from app.ingest.textsplit import split_description
from app.matching import scoring
from app.matching.core import EPSILON, credit
from app.matching.index import ProgrammeInfo, centred
from app.matching.lexical import build_lexical
from app.matching.service import Matcher
from app.planning.profiles import get_profile, profile_workplaces
from app.planning.skills import PlanSkill, PlanWorkplace, calibrated, programme_fit
from app.planning.vacancy import named_skills
from app.workplaces.service import is_scorable

log = logging.getLogger(__name__)

Status = Literal["eligible", "trainable", "stretch", "knockout"]


@dataclass(frozen=True, slots=True)
class CandidateSkill:
    text: str
    weight: int
    must_have: bool
    trainable: bool
    by_diploma: bool | None  # None: no diploma given
    held: bool  # ticked, or similar to a ticked skill
    by_experience: bool | None  # None: no experience given
    experience_evidence: str | None  # the experience statement that covers the skill best
    credit: float  # toward the combined coverage: the best of the sources (a held skill: 1)

    @property
    def covered(self) -> bool:
        return bool(self.held or self.by_diploma or self.by_experience)

    @property
    def knockout(self) -> bool:
        return not self.covered and self.must_have and not self.trainable


@dataclass(frozen=True, slots=True)
class Sources:
    """One figure per source; None where the source was not given."""

    diploma: float | None
    skills: float | None  # the skills held and experience together
    combined: float


@dataclass(frozen=True, slots=True)
class Eligibility:
    diploma: bool | None
    skills: bool | None
    combined: bool


@dataclass(frozen=True, slots=True)
class WorkplaceFit:
    workplace: PlanWorkplace
    coverage: Sources
    eligible: Eligibility
    status: Status  # of the combined cover, as a rotation step's (app.planning.rotations)
    skills: tuple[CandidateSkill, ...]

    @property
    def gaps(self) -> tuple[CandidateSkill, ...]:
        return tuple(s for s in self.skills if not s.covered)

    @property
    def knockouts(self) -> tuple[CandidateSkill, ...]:
        return tuple(s for s in self.skills if s.knockout)


@dataclass(frozen=True, slots=True)
class CandidateFit:
    profile_id: int
    programme: ProgrammeInfo | None
    skills_held: tuple[str, ...]  # the profile's labels the candidate ticked, as the profile spells them
    experience_statements: tuple[str, ...]  # the work statements read from the experience text
    workplaces: tuple[WorkplaceFit, ...]  # eligible first, then combined coverage, then workplace id
    workplaces_without_skills: tuple[int, ...]
    threshold: float
    min_coverage: float


def experience_statements(text: str) -> tuple[str, ...]:
    """The statements of an experience text: split as a workplace description is (its work sentences into
    their activities), keeping every statement that is a skill text whatever its kind. The splitter's kinds
    tell a vacancy's work from its traits, context and offer; a candidate writes about themselves ("Ik heb
    bij de voedselbank bezoekers ontvangen"), which it reads as "other", and a trait they name ("ik ben
    klantvriendelijk") may well be a skill the workplace asks for."""
    return tuple(s.text for s in split_description(text) if is_scorable(s.text))


def _experience_similarity(
    matcher: Matcher, session: Session, texts: Sequence[str], statements: Sequence[str]
) -> npt.NDArray[np.float32]:
    """Calibrated similarity of each profile skill to each experience statement, on the planners'
    skill-to-skill scale (app.planning.skills.skill_similarity); the statements' vectors are kept in
    memory only."""
    centre = matcher.index(session).centre
    skills = centred(matcher.vectors.vectors(list(texts), session=session), centre)
    experience = centred(matcher.vectors.vectors(list(statements)), centre)
    sims = calibrated(matcher, skills @ experience.T)
    lexical = build_lexical(matcher.lexical, list(statements)) if matcher.lexical_weight > 0 else None
    if lexical is not None:
        sims = (1.0 - matcher.lexical_weight) * sims + matcher.lexical_weight * lexical.similarity(texts)
    # A skill that is no skill text (a date, a fragment) is never covered, as in matching.
    sims[~np.array([is_scorable(t) for t in texts], dtype=bool)] = 0.0
    return sims.astype(np.float32)


def _check_crebo(session: Session, matcher: Matcher, crebo: str) -> None:
    """A crebo that cannot be scored, unknown or known by name only: 409 naming the field, as every
    record a body names that the stored data does not hold (the pool plan's trainees' crebos)."""
    if matcher.index(session).block(crebos={crebo}).programmes:
        return
    if catalogue_repository.get_programme(session, crebo) is None:
        message = f"no kwalificatie has crebo {crebo}"
    else:
        message = f"kwalificatie {crebo} has no skill content to score against (known by name only)"
    raise Conflict(f"crebo: {message}", [ErrorItem("crebo", message)])


def _status(skills: Sequence[CandidateSkill], coverage: float, min_coverage: float) -> Status:
    if any(s.knockout for s in skills):
        return "knockout"
    if coverage >= min_coverage - EPSILON:
        return "eligible"
    if all(s.trainable for s in skills if not s.covered):
        return "trainable"
    return "stretch"


class _Source:
    """One source's credit and cover per profile skill (all skills of the scored workplaces in a row)."""

    def __init__(self, credits: npt.NDArray[np.float64], covered: npt.NDArray[np.bool_]) -> None:
        self.credits = credits
        self.covered = covered

    def at(
        self,
        rows: slice,
        weights: npt.NDArray[np.float64],
        critical: npt.NDArray[np.bool_],
        min_coverage: float,
    ) -> tuple[float, bool]:
        """Coverage and eligibility (the matching rule) of one workplace, whose skills are `rows`."""
        coverage = float(weights @ self.credits[rows] / weights.sum())
        knocked_out = bool((critical & ~self.covered[rows]).any())
        return round(coverage, 4), bool(scoring.is_eligible(coverage, min_coverage, knocked_out))


@dataclass(frozen=True, slots=True)
class _Evidence:
    """Every source for every profile skill (the scored workplaces' skills in a row)."""

    diploma: _Source | None
    own: _Source | None  # skills held and experience
    both: _Source
    held: npt.NDArray[np.bool_]
    by_experience: npt.NDArray[np.bool_] | None
    evidence: list[str | None]

    def skill(self, i: int, s: PlanSkill) -> CandidateSkill:
        return CandidateSkill(
            s.text,
            s.weight,
            s.must_have,
            s.trainable,
            None if self.diploma is None else bool(self.diploma.covered[i]),
            bool(self.held[i]),
            None if self.by_experience is None else bool(self.by_experience[i]),
            self.evidence[i],
            round(float(self.both.credits[i]), 4),
        )

    def workplace(self, w: PlanWorkplace, start: int, min_coverage: float) -> WorkplaceFit:
        rows = slice(start, start + len(w.skills))
        weights = np.array([s.weight for s in w.skills], dtype=np.float64)
        critical = np.array([s.must_have and not s.trainable for s in w.skills], dtype=bool)
        skills = tuple(self.skill(i, s) for i, s in enumerate(w.skills, start=start))
        on_diploma = None if self.diploma is None else self.diploma.at(rows, weights, critical, min_coverage)
        on_own = None if self.own is None else self.own.at(rows, weights, critical, min_coverage)
        coverage, eligible = self.both.at(rows, weights, critical, min_coverage)
        return WorkplaceFit(
            w,
            Sources(
                None if on_diploma is None else on_diploma[0], None if on_own is None else on_own[0], coverage
            ),
            Eligibility(
                None if on_diploma is None else on_diploma[1], None if on_own is None else on_own[1], eligible
            ),
            _status(skills, coverage, min_coverage),
            skills,
        )


def _evidence(
    diploma: _Source | None,
    held: npt.NDArray[np.bool_],
    any_held: bool,
    experience: tuple[npt.NDArray[np.float32], tuple[str, ...]] | None,
    *,
    threshold: float,
    credit_width: float,
) -> _Evidence:
    n = len(held)
    by_experience: npt.NDArray[np.bool_] | None = None
    experience_credit: npt.NDArray[np.float64] = np.zeros(n)
    evidence: list[str | None] = [None] * n
    if experience is not None:
        sims, statements = experience
        experience_credit, by_experience = credit(sims.max(axis=1), threshold, credit_width)
        for i in np.flatnonzero(by_experience):
            evidence[i] = statements[int(sims[i].argmax())]
    own = None
    if any_held or by_experience is not None:
        own = _Source(
            np.where(held, 1.0, experience_credit), held if by_experience is None else held | by_experience
        )
    none = _Source(np.zeros(n), np.zeros(n, dtype=bool))
    both = _Source(
        np.maximum((own or none).credits, (diploma or none).credits),
        (own or none).covered | (diploma or none).covered,
    )
    return _Evidence(diploma, own, both, held, by_experience, evidence)


def candidate_fit(
    session: Session,
    matcher: Matcher,
    profile_id: int,
    *,
    crebo: str | None = None,
    skills_held: Sequence[str] = (),
    experience: str | None = None,
    min_coverage: float | None = None,
) -> CandidateFit:
    """How a candidate fits each workplace of a profile (see the module doc). NotFound for an unknown
    profile; NothingSent (422) when the request gives nothing to score on; NothingToScore (409) for a
    profile without skills; Conflict (409) naming `skills_held` for a label that is none of the profile's
    skills, or `crebo` for a kwalificatie that cannot be scored. Refusals that depend on the stored data
    are 409, refusals of the request itself 422, as everywhere in the API."""
    profile = get_profile(session, profile_id)
    experience = experience if experience and experience.strip() else None
    if crebo is None and not skills_held and experience is None:
        raise NothingSent("nothing to score: send a crebo, skills_held or experience")
    workplaces = profile_workplaces(profile)
    scored = [w for w in workplaces if w.skills]
    if not scored:
        raise NothingToScore(
            f"nothing to score: profile {profile_id} has no workplace with skills; add workplaces or skills"
        )
    texts = [s.text for w in scored for s in w.skills]
    held, held_labels = named_skills(matcher, session, scored, skills_held, field="skills_held")
    statements = experience_statements(experience) if experience is not None else ()
    if crebo is None and not held_labels and not statements:
        raise NothingSent(
            "nothing to score: no work statement could be read from the experience; "
            "name what you did in a sentence per task, or send skills_held"
        )
    min_cov = matcher.min_coverage if min_coverage is None else min_coverage
    diploma: _Source | None = None
    programme = None
    if crebo is not None:
        _check_crebo(session, matcher, crebo)
        fit = programme_fit(session, matcher, matcher.index(session), crebo, texts)
        programme, diploma = fit.programme, _Source(fit.credit, fit.covered)
    evidence = _evidence(
        diploma,
        held,
        bool(held_labels),
        (_experience_similarity(matcher, session, texts, statements), statements) if statements else None,
        threshold=matcher.threshold,
        credit_width=matcher.credit_width,
    )
    starts = np.cumsum([0] + [len(w.skills) for w in scored[:-1]])
    fits = [evidence.workplace(w, int(start), min_cov) for w, start in zip(scored, starts, strict=True)]
    fits.sort(key=lambda f: (not f.eligible.combined, -f.coverage.combined, f.workplace.id))
    log.info(
        "candidate fit for profile %d: %d workplaces, diploma %s, %d skills held, %d experience statements",
        profile_id,
        len(fits),
        "given" if crebo else "none",
        len(held_labels),
        len(statements),
    )
    return CandidateFit(
        profile_id,
        programme,
        held_labels,
        statements,
        tuple(fits),
        tuple(w.id for w in workplaces if not w.skills),
        matcher.threshold,
        min_cov,
    )

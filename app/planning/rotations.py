"""Rotations: ordered workplaces for one trainee with a given diploma, and what each step asks of them.

A step at a workplace counts a skill as covered when the programme covers it (the matching rule) or
when the trainee learnt a similar skill at an earlier workplace of the rotation (skill-to-skill
similarity at or above the matcher's threshold). What a trainee takes to the next step: the skills
covered at this workplace plus its trainable gaps (which the learning plan teaches). Non-trainable gaps
are not assumed to be learnt. Coverage counts each skill's credit, as matching does (soft credit near
the cover threshold, docs/scoring.md); a skill learnt at an earlier step counts in full.

Per step the status is:
- `eligible`: the matching rule holds with learnt skills counted (coverage ≥ min_coverage, no knockout);
- `trainable`: below min_coverage, but every remaining gap is trainable;
- `stretch`: below min_coverage with gaps that are not trainable (no knockout);
- `knockout`: a must-have skill that is uncovered and not trainable. Rotations with a knockout are not
  proposed.

Ranking of proposals (a total order, so reproducible):
1. fewer distinct directies first (unless `prefer_one_directie=False`);
2. more steps `eligible`; then more steps `eligible` or `trainable`;
3. higher score = mean effective coverage − overlap_penalty × mean pairwise skill overlap, where the
   overlap of two workplaces is the weighted share of one's skills with a similar skill at the other,
   averaged both ways (low overlap = the work really differs);
4. workplace ids ascending.
"""

from __future__ import annotations

import itertools
import logging
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.catalogue import repository as catalogue_repository
from app.errors import ErrorItem, InvalidDocument, NotFound, NothingToScore
from app.matching.core import EPSILON
from app.matching.index import ProgrammeInfo
from app.matching.service import Matcher
from app.planning.skills import (
    Floats,
    PlanWorkplace,
    ProgrammeSkillFit,
    load_workplaces,
    programme_fit,
    skill_similarity,
)

log = logging.getLogger(__name__)

StepStatus = Literal["eligible", "trainable", "stretch", "knockout"]
STEP_RANK: dict[str, int] = {"eligible": 0, "trainable": 1, "stretch": 2, "knockout": 3}
MAX_CANDIDATES = 25
# Orderings evaluated for one request at most (each is a few tenths of a millisecond): a rotation of 3 is
# chosen from the best 18 workplaces (4,896 triples), one of 4 from the best 9 (3,024), so that an answer
# takes seconds, not minutes (25 × 24 × 23 × 22 would be 303,600)
MAX_ORDERINGS = 5000


def candidate_limit(length: int) -> int:
    """How many workplaces a rotation of `length` is chosen from: MAX_CANDIDATES, or fewer where every
    ordering of that many would be more than MAX_ORDERINGS."""
    n = MAX_CANDIDATES
    while n > length and math.perm(n, length) > MAX_ORDERINGS:
        n -= 1
    return n


@dataclass(frozen=True, slots=True)
class StepSkill:
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered_by_programme: bool
    learnt_before: bool  # covered because a similar skill was learnt at an earlier step
    new_work: bool  # no similar skill at any earlier workplace of the rotation
    credit: float  # toward the step's coverage, from the programme alone (as in matching)
    effective_credit: float  # toward its effective coverage: 1.0 when learnt at an earlier step

    @property
    def covered(self) -> bool:
        return self.covered_by_programme or self.learnt_before

    @property
    def knockout(self) -> bool:
        return not self.covered and self.must_have and not self.trainable


@dataclass(frozen=True, slots=True)
class Step:
    position: int
    workplace: PlanWorkplace
    coverage: float  # by the programme alone, as in matching
    effective_coverage: float  # learnt skills counted
    status: StepStatus
    skills: tuple[StepSkill, ...]

    @property
    def gaps(self) -> tuple[StepSkill, ...]:
        return tuple(s for s in self.skills if not s.covered)


@dataclass(frozen=True, slots=True)
class Rotation:
    steps: tuple[Step, ...]
    directies: tuple[str, ...]
    overlap: float | None  # mean pairwise skill overlap; None for a single workplace
    score: float

    @property
    def feasible(self) -> bool:
        return all(s.status != "knockout" for s in self.steps)


@dataclass(frozen=True, slots=True)
class RotationProposals:
    programme: ProgrammeInfo
    proposals: tuple[Rotation, ...]
    candidates: int
    evaluated: int
    workplaces_without_skills: tuple[int, ...]
    reason: str  # empty when there are proposals


class RotationContext:
    """The skills of a set of workplaces, their pairwise similarities and their fit for one programme."""

    def __init__(
        self,
        session: Session,
        matcher: Matcher,
        crebo: str,
        workplaces: Sequence[PlanWorkplace],
        *,
        min_coverage: float,
    ) -> None:
        self.matcher = matcher
        self.threshold = matcher.threshold
        self.min_coverage = min_coverage
        self.workplaces = {w.id: w for w in workplaces}
        texts: list[str] = []
        self.rows: dict[int, npt.NDArray[np.intp]] = {}
        for w in workplaces:
            self.rows[w.id] = np.arange(len(texts), len(texts) + len(w.skills), dtype=np.intp)
            texts.extend(s.text for s in w.skills)
        self.texts = texts
        self.weights = np.array([s.weight for w in workplaces for s in w.skills], dtype=np.float64)
        self.trainable = np.array([s.trainable for w in workplaces for s in w.skills], dtype=bool)
        self.similar = skill_similarity(matcher, session, texts) >= self.threshold - EPSILON
        self.index = matcher.index(session)
        self.fit: ProgrammeSkillFit = programme_fit(session, matcher, self.index, crebo, texts)
        self._overlap: dict[tuple[int, int], float] = {}

    @property
    def programme(self) -> ProgrammeInfo:
        return self.fit.programme

    def static_coverage(self, workplace_id: int) -> float:
        rows = self.rows[workplace_id]
        return float(self.weights[rows] @ self.fit.credit[rows] / self.weights[rows].sum())

    def overlap(self, a: int, b: int) -> float:
        key = (min(a, b), max(a, b))
        if key not in self._overlap:
            ra, rb = self.rows[a], self.rows[b]
            block = self.similar[np.ix_(ra, rb)]
            a_in_b = float(self.weights[ra] @ block.any(axis=1) / self.weights[ra].sum())
            b_in_a = float(self.weights[rb] @ block.any(axis=0) / self.weights[rb].sum())
            self._overlap[key] = (a_in_b + b_in_a) / 2
        return self._overlap[key]

    def learnt_cover(
        self, workplace_id: int, acquired: npt.NDArray[np.intp]
    ) -> tuple[npt.NDArray[np.bool_], Floats]:
        """Which skills of a workplace are covered by a similar skill among `acquired` (rows of skills
        learnt before), and each skill's credit: in full when learnt before, else its credit from the
        programme. The one rule for "a skill learnt counts as covered later" (rotations, trainee progress)."""
        rows = self.rows[workplace_id]
        learnt: npt.NDArray[np.bool_] = np.zeros(len(rows), dtype=bool)
        if len(acquired):
            learnt = np.asarray(self.similar[np.ix_(rows, acquired)].any(axis=1), dtype=bool)
        credits: Floats = np.where(learnt, 1.0, self.fit.credit[rows])
        return learnt, credits

    def evaluate(self, order: Sequence[int], *, overlap_penalty: float = 0.5) -> Rotation:
        acquired = np.zeros(0, dtype=np.intp)
        seen = np.zeros(0, dtype=np.intp)
        steps: list[Step] = []
        for position, workplace_id in enumerate(order, start=1):
            rows = self.rows[workplace_id]
            workplace = self.workplaces[workplace_id]
            by_programme = self.fit.covered[rows]
            programme_credits = self.fit.credit[rows]
            learnt, credits = self.learnt_cover(workplace_id, acquired)
            new_work: npt.NDArray[np.bool_] = np.ones(len(rows), dtype=bool)
            if len(seen):
                new_work = ~np.asarray(self.similar[np.ix_(rows, seen)].any(axis=1), dtype=bool)
            covered = by_programme | learnt
            weights = self.weights[rows]
            skills = tuple(
                StepSkill(
                    s.text,
                    s.weight,
                    s.must_have,
                    s.trainable,
                    bool(by_programme[i]),
                    bool(learnt[i] and not by_programme[i]),
                    bool(new_work[i]),
                    round(float(programme_credits[i]), 4),
                    round(float(credits[i]), 4),
                )
                for i, s in enumerate(workplace.skills)
            )
            effective = float(weights @ credits / weights.sum())
            steps.append(
                Step(
                    position,
                    workplace,
                    round(float(weights @ programme_credits / weights.sum()), 4),
                    round(effective, 4),
                    step_status(skills, effective, self.min_coverage),
                    skills,
                )
            )
            acquired = np.concatenate([acquired, rows[covered | self.trainable[rows]]])
            seen = np.concatenate([seen, rows])
        pairs = list(itertools.combinations(order, 2))
        overlap = float(np.mean([self.overlap(a, b) for a, b in pairs])) if pairs else None
        mean_coverage = float(np.mean([s.effective_coverage for s in steps]))
        score = mean_coverage - overlap_penalty * (overlap or 0.0)
        directies = tuple(dict.fromkeys(self.workplaces[w].organisation_unit for w in order))
        return Rotation(
            tuple(steps), directies, None if overlap is None else round(overlap, 4), round(score, 4)
        )


def step_status(skills: Sequence[StepSkill], effective: float, min_coverage: float) -> StepStatus:
    if any(s.knockout for s in skills):
        return "knockout"
    if effective >= min_coverage - EPSILON:
        return "eligible"
    if all(s.trainable for s in skills if not s.covered):
        return "trainable"
    return "stretch"


def describe_ranking(*, overlap_penalty: float) -> str:
    """rank_key in words, for the answer."""
    return (
        "fewer directies (if preferred); more eligible steps; more eligible-or-trainable steps; "
        f"higher score = mean effective coverage − {overlap_penalty} × mean skill overlap; workplace ids"
    )


def rank_key(rotation: Rotation, *, prefer_one_directie: bool) -> tuple[float, ...]:
    statuses = [s.status for s in rotation.steps]
    return (
        len(rotation.directies) if prefer_one_directie else 0,
        -statuses.count("eligible"),
        -sum(1 for s in statuses if s in ("eligible", "trainable")),
        -rotation.score,
        *(s.workplace.id for s in rotation.steps),
    )


def _best_candidates(
    session: Session, matcher: Matcher, crebo: str, workplaces: Sequence[PlanWorkplace], count: int
) -> list[PlanWorkplace]:
    """The `count` workplaces with the highest coverage for the programme (ties: lowest id)."""
    texts = [s.text for w in workplaces for s in w.skills]
    fit = programme_fit(session, matcher, matcher.index(session), crebo, texts)
    coverage: dict[int, float] = {}
    start = 0
    for w in workplaces:
        weights = np.array([s.weight for s in w.skills], dtype=np.float64)
        credits = fit.credit[start : start + len(w.skills)]
        coverage[w.id] = float(weights @ credits / weights.sum())
        start += len(w.skills)
    return sorted(workplaces, key=lambda w: (-coverage[w.id], w.id))[:count]


def ranked_rotations(
    context: RotationContext,
    workplace_ids: Sequence[int],
    length: int,
    *,
    prefer_one_directie: bool = True,
    overlap_penalty: float = 0.5,
) -> list[Rotation]:
    """Every ordering of `length` of these workplaces without a knockout, best first."""
    rotations = (
        context.evaluate(order, overlap_penalty=overlap_penalty)
        for order in itertools.permutations(sorted(workplace_ids), length)
    )
    feasible = [r for r in rotations if r.feasible]
    feasible.sort(key=lambda r: rank_key(r, prefer_one_directie=prefer_one_directie))
    return feasible


def check_length(length: int) -> None:
    if not 1 <= length <= 4:
        raise InvalidDocument(
            "a rotation has 1 to 4 workplaces", [ErrorItem("length", f"{length} is not between 1 and 4")]
        )


def propose_rotations(
    session: Session,
    matcher: Matcher,
    crebo: str,
    *,
    directies: Collection[str] | None = None,
    workplace_ids: Collection[int] | None = None,
    length: int = 3,
    prefer_one_directie: bool = True,
    min_coverage: float | None = None,
    overlap_penalty: float = 0.5,
    limit: int = 10,
) -> RotationProposals:
    """Ordered workplace sequences for a trainee with diploma `crebo`, best first (see module docstring).

    Candidates: the stored workplaces with skills (optionally only these directies or ids); when there
    are more than candidate_limit(length) (25 for 1 or 2 steps, 18 for 3, 9 for 4), that many with the
    highest coverage for the programme. Every ordering of the candidates is evaluated.
    """
    check_length(length)
    started = time.perf_counter()
    min_cov = matcher.min_coverage if min_coverage is None else min_coverage
    workplaces = load_workplaces(session, workplace_ids=workplace_ids, directies=directies)
    without = tuple(w.id for w in workplaces if not w.skills)
    with_skills = [w for w in workplaces if w.skills]
    index = matcher.index(session)
    if not index.block(crebos={crebo}).programmes:
        no_skill_content(session, crebo)
    if len(with_skills) > candidate_limit(length):
        with_skills = _best_candidates(session, matcher, crebo, with_skills, candidate_limit(length))
    context = RotationContext(session, matcher, crebo, with_skills, min_coverage=min_cov)
    if len(with_skills) < length:
        scope = f" in {', '.join(sorted(directies))}" if directies else ""
        reason = f"{len(with_skills)} workplace(s) with skills{scope}: a rotation of {length} needs at least {length}"
        return RotationProposals(context.programme, (), len(with_skills), 0, without, reason)
    evaluated = math.perm(len(with_skills), length)
    feasible = ranked_rotations(
        context,
        [w.id for w in with_skills],
        length,
        prefer_one_directie=prefer_one_directie,
        overlap_penalty=overlap_penalty,
    )
    reason = (
        ""
        if feasible
        else "every ordering has a knockout: a must-have skill that is neither covered nor trainable"
    )
    log.info(
        "rotations for %s: %d candidates, %d orderings, %d feasible in %.2f s",
        crebo,
        len(with_skills),
        evaluated,
        len(feasible),
        time.perf_counter() - started,
    )
    return RotationProposals(
        context.programme, tuple(feasible[:limit]), len(with_skills), evaluated, without, reason
    )


def evaluate_rotation(
    session: Session,
    matcher: Matcher,
    crebo: str,
    workplace_ids: Sequence[int],
    *,
    min_coverage: float | None = None,
) -> tuple[RotationContext, Rotation]:
    """One given rotation (in this order), explained step by step, with the context it was scored in."""
    check_length(len(workplace_ids))
    if len(set(workplace_ids)) != len(workplace_ids):
        raise InvalidDocument(
            "a rotation visits each workplace once",
            [ErrorItem("workplace_id", "a workplace appears more than once")],
        )
    workplaces = load_workplaces(session, workplace_ids=workplace_ids)
    empty = [w.id for w in workplaces if not w.skills]
    if empty:
        raise NothingToScore(f"workplace {empty[0]} has no skills yet: add skills or a description first")
    if not matcher.index(session).block(crebos={crebo}).programmes:
        no_skill_content(session, crebo)
    min_cov = matcher.min_coverage if min_coverage is None else min_coverage
    context = RotationContext(session, matcher, crebo, workplaces, min_coverage=min_cov)
    return context, context.evaluate(list(workplace_ids))


def no_skill_content(session: Session, crebo: str) -> NoReturn:
    """Raise the right error for a programme that is not in the index: unknown, or without a dossier."""
    if catalogue_repository.get_programme(session, crebo) is None:
        raise NotFound("programme", crebo)
    raise NothingToScore(f"programme {crebo} has no skill content: import its kwalificatiedossier first")

"""The vacancy feed: the structured content for the vacancy generator, per profile or per workplace.

Skills come first, diploma names second, as the traineeship intends:
- skills: the profile's skills ranked by importance (weight, must-have, how many of its workplaces have
  a similar skill, then text); near-duplicates (calibrated similarity ≥ 0.9) of different workplaces are
  merged, never two skills of one workplace; at most 12 (fewer only when the workplaces have fewer
  distinct skills);
- programmes: only those eligible (the matching rule) at one or more of the workplaces, with crebo,
  niveau and their mean coverage over the workplaces where they are eligible;
- always the standard sentence inviting people whose diploma is not listed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.errors import Conflict, ErrorItem, NothingToScore
from app.matching import core
from app.matching.core import EPSILON
from app.matching.index import ProgrammeInfo
from app.matching.matrix import coverage_matrix
from app.matching.service import Matcher, no_programmes
from app.planning.profiles import get_profile, profile_workplaces
from app.planning.skills import PlanSkill, PlanWorkplace, load_workplaces, skill_similarity
from app.workplaces.service import SkillInput

STANDARD_SENTENCE = (
    "Staat jouw opleiding er niet tussen maar beschik jij wel over de meeste van deze skills? "
    "Solliciteer dan ook."
)
MAX_SKILLS = 12
MIN_SKILLS = 8
# Two skills are merged in a vacancy only when they are near-duplicates: a stricter bar than the cover
# threshold, on the same calibrated scale, so that related but different skills both stay listed. The bar
# alone does not tell them apart (on ESCO's Dutch labels it merges 91% of preferred/alternative label
# pairs but also 63% of a skill and its broader or related skill), so only skills of different
# workplaces are merged: the skills one workplace lists are distinct by how they were entered.
DUPLICATE = 0.9


@dataclass(frozen=True, slots=True)
class VacancySkill:
    text: str
    must_have: bool
    trainable: bool
    workplaces: int  # how many of the vacancy's workplaces ask for it (or a similar skill)


@dataclass(frozen=True, slots=True)
class VacancyProgramme:
    programme: ProgrammeInfo
    coverage: float  # mean coverage over the workplaces where the programme is eligible
    eligible_workplaces: int


@dataclass(frozen=True, slots=True)
class Vacancy:
    kind: str  # "profile" or "workplace"
    id: int
    name: str
    directies: tuple[str, ...]
    workplaces: tuple[PlanWorkplace, ...]
    skills: tuple[VacancySkill, ...]
    programmes: tuple[VacancyProgramme, ...]
    sentence: str
    min_coverage: float


def plain(text: str) -> str:
    """A skill as a line of a vacancy: trimmed, first letter upper case, no closing full stop."""
    text = " ".join(text.split()).rstrip(".;")
    return text[:1].upper() + text[1:]


def top_skills(matcher: Matcher, session: Session, workplaces: Sequence[PlanWorkplace]) -> list[VacancySkill]:
    owned: list[tuple[int, PlanSkill]] = [(i, s) for i, w in enumerate(workplaces) for s in w.skills]
    if not owned:
        return []
    sims = skill_similarity(matcher, session, [s.text for _i, s in owned])
    similar = sims >= matcher.threshold - EPSILON
    workplace_of = np.array([i for i, _s in owned])
    duplicate = (sims >= max(DUPLICATE, matcher.threshold) - EPSILON) & (
        workplace_of[:, None] != workplace_of[None, :]
    )
    support = [len({owned[j][0] for j in np.flatnonzero(similar[i])}) for i in range(len(owned))]
    order = sorted(
        range(len(owned)),
        key=lambda i: (-owned[i][1].weight, not owned[i][1].must_have, -support[i], owned[i][1].text),
    )
    chosen: list[int] = []
    for i in order:
        if any(duplicate[i, j] for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) == MAX_SKILLS:
            break
    return [
        VacancySkill(plain(owned[i][1].text), owned[i][1].must_have, owned[i][1].trainable, support[i])
        for i in chosen
    ]


@dataclass(frozen=True, slots=True)
class _Fit:
    """Every workplace of a vacancy against every programme: coverage and eligibility (the matching rule)."""

    programmes: tuple[ProgrammeInfo, ...]
    coverage: npt.NDArray[np.float64]  # (workplaces × programmes)
    eligible: npt.NDArray[np.bool_]
    min_coverage: float


def _stored_fit(
    session: Session, matcher: Matcher, workplaces: Sequence[PlanWorkplace], min_coverage: float | None
) -> _Fit:
    """The stored workplaces' fit, from the coverage matrix (batched over distinct skill texts)."""
    matrix = coverage_matrix(
        session, matcher, workplace_ids={w.id for w in workplaces}, min_coverage=min_coverage
    )
    return _Fit(matrix.programmes, matrix.coverage, matrix.eligible, matrix.config.min_coverage)


def _given_fit(
    session: Session, matcher: Matcher, workplaces: Sequence[PlanWorkplace], min_coverage: float | None
) -> _Fit:
    """The fit of workplaces as given (their skills edited, not stored), one workplace at a time with the
    scoring core's rules (`core.score_best`), as a match of the workplace would score it."""
    config = matcher.config(min_coverage=min_coverage)
    index = matcher.index(session)
    block = index.block()
    programmes = tuple(index.programmes[p] for p in block.programmes)
    coverage = np.zeros((len(workplaces), len(programmes)))
    eligible = np.zeros((len(workplaces), len(programmes)), dtype=bool)
    for i, w in enumerate(workplaces if programmes else ()):
        skills = [SkillInput(s.text, s.weight, s.must_have, s.trainable) for s in w.skills]
        sims = matcher.similarity(index, skills, block.columns, session)
        scored = core.score_best(
            np.maximum.reduceat(sims, block.offsets, axis=1),
            [core.SkillSpec(s.weight, s.must_have, s.trainable) for s in skills],
            [p.crebo for p in programmes],
            threshold=config.threshold,
            min_coverage=config.min_coverage,
            credit_width=config.credit_width,
        )
        coverage[i], eligible[i] = scored.coverage, scored.eligible
    return _Fit(programmes, coverage, eligible, config.min_coverage)


def _vacancy(
    session: Session,
    matcher: Matcher,
    *,
    kind: str,
    key: int,
    name: str,
    workplaces: Sequence[PlanWorkplace],
    min_coverage: float | None,
    fit: Callable[[Session, Matcher, Sequence[PlanWorkplace], float | None], _Fit] = _stored_fit,
) -> Vacancy:
    scored = [w for w in workplaces if w.skills]
    if not scored:
        raise NothingToScore(f"{kind} {key} has no workplace with skills: there is nothing to advertise")
    matrix = fit(session, matcher, scored, min_coverage)
    if not matrix.programmes:  # a vacancy naming no programme would read as "no diploma fits"
        raise no_programmes(session, matcher.index(session), None)
    programmes = []
    for j, info in enumerate(matrix.programmes):
        eligible = matrix.eligible[:, j]
        if eligible.any():
            programmes.append(
                VacancyProgramme(
                    info, round(float(matrix.coverage[eligible, j].mean()), 4), int(eligible.sum())
                )
            )
    programmes.sort(key=lambda p: (-p.eligible_workplaces, -p.coverage, p.programme.crebo))
    return Vacancy(
        kind,
        key,
        name,
        tuple(sorted({w.organisation_unit for w in workplaces if w.organisation_unit})),
        tuple(workplaces),
        tuple(top_skills(matcher, session, scored)),
        tuple(programmes),
        STANDARD_SENTENCE,
        matrix.min_coverage,
    )


def profile_vacancy(
    session: Session, matcher: Matcher, profile_id: int, *, min_coverage: float | None = None
) -> Vacancy:
    profile = get_profile(session, profile_id)
    return _vacancy(
        session,
        matcher,
        kind="profile",
        key=profile_id,
        name=profile.name,
        workplaces=profile_workplaces(profile),
        min_coverage=min_coverage,
    )


def workplace_vacancy(
    session: Session, matcher: Matcher, workplace_id: int, *, min_coverage: float | None = None
) -> Vacancy:
    (workplace,) = load_workplaces(session, workplace_ids=[workplace_id])
    return _vacancy(
        session,
        matcher,
        kind="workplace",
        key=workplace_id,
        name=workplace.title,
        workplaces=[workplace],
        min_coverage=min_coverage,
    )


def filename(vacancy: Vacancy, extension: str) -> str:
    """A file name that every system takes: "vacature-klantcontact-en-burgerzaken.docx" (ASCII, lower case,
    words joined by hyphens, at most 80 characters before the extension)."""
    ascii_name = unicodedata.normalize("NFKD", vacancy.name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:80].rstrip("-")
    return f"vacature-{slug or vacancy.kind + '-' + str(vacancy.id)}.{extension}"


def percent(value: float) -> str:
    return f"{round(value * 100)}%"


# --- labels and previews ------------------------------------------------------------------------------


def label_key(text: str) -> str:
    """How a label someone picked from a vacancy is compared with the skills: as `plain` prints it, any case."""
    return plain(text).casefold()


def named_skills(
    matcher: Matcher,
    session: Session,
    workplaces: Sequence[PlanWorkplace],
    labels: Sequence[str],
    *,
    field: str,
    of: str = "this profile",
) -> tuple[npt.NDArray[np.bool_], tuple[str, ...]]:
    """Which skills of the workplaces (all in a row, workplace by workplace) the labels name: those with the
    label (`label_key`), and their near-duplicates at the other workplaces, which the vacancy merges into
    one label (`DUPLICATE`). Also the labels, distinct, as the workplaces spell them. A label that names no
    skill is a Conflict naming `field` and the label: it depends on the stored skills (409)."""
    texts = [s.text for w in workplaces for s in w.skills]
    rows_by_key: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        rows_by_key.setdefault(label_key(text), []).append(i)
    unknown = [label for label in labels if label_key(label) not in rows_by_key]
    if unknown:
        raise Conflict(
            f"{field}: {unknown[0]!r} is not a skill of {of}",
            [ErrorItem(field, f"{label!r} is not a skill of {of}") for label in unknown],
        )
    keys = list(dict.fromkeys(label_key(label) for label in labels))
    named = np.zeros(len(texts), dtype=bool)
    if not keys:
        return named, ()
    rows = [i for key in keys for i in rows_by_key[key]]
    named[rows] = True
    owner = np.repeat(np.arange(len(workplaces)), [len(w.skills) for w in workplaces])
    sims = skill_similarity(matcher, session, texts)[:, rows]
    duplicate = (sims >= max(DUPLICATE, matcher.threshold) - EPSILON) & (
        owner[:, None] != owner[rows][None, :]
    )
    named |= duplicate.any(axis=1)
    return named, tuple(plain(texts[rows_by_key[key][0]]) for key in keys)


@dataclass(frozen=True, slots=True)
class VacancyEdits:
    """A change to a vacancy to preview before it is saved in its workplaces."""

    remove: tuple[str, ...] = ()  # skill labels to leave out, from every workplace (near-duplicates too)
    add: tuple[PlanSkill, ...] = ()  # skills that every workplace of the vacancy is to ask for
    min_coverage: float | None = None  # the minimum coverage for a programme to be listed; None: unchanged


@dataclass(frozen=True, slots=True)
class VacancyPreview:
    before: Vacancy
    after: Vacancy
    programmes_gained: tuple[VacancyProgramme, ...]  # listed after the edit, not before (as listed after)
    programmes_lost: tuple[VacancyProgramme, ...]  # listed before, not after (as listed before)
    # listed before and after, with another coverage or number of workplaces: (before, after)
    programmes_changed: tuple[tuple[VacancyProgramme, VacancyProgramme], ...]
    skills_gained: tuple[str, ...]  # skill lines of the vacancy after, not before
    skills_lost: tuple[str, ...]


def edit_workplaces(
    matcher: Matcher, session: Session, workplaces: Sequence[PlanWorkplace], edits: VacancyEdits
) -> list[PlanWorkplace]:
    """The workplaces with the edits applied: the skills the removed labels name left out (`named_skills`),
    the added skills appended to each (a skill a workplace already has, by its label, is not added twice)."""
    removed, _labels = named_skills(matcher, session, workplaces, edits.remove, field="remove")
    edited: list[PlanWorkplace] = []
    start = 0
    for w in workplaces:
        kept = [s for i, s in enumerate(w.skills, start=start) if not removed[i]]
        start += len(w.skills)
        have = {label_key(s.text) for s in kept}
        added = [s for s in dict.fromkeys(edits.add) if label_key(s.text) not in have]
        edited.append(replace(w, skills=(*kept, *added)))
    return edited


def preview_profile_vacancy(
    session: Session,
    matcher: Matcher,
    profile_id: int,
    edits: VacancyEdits,
    *,
    min_coverage: float | None = None,
) -> VacancyPreview:
    """The profile's vacancy as it is (at `min_coverage`) and as it would be with the edits, and what they
    change: programmes gained, lost and changed, skill lines gained and lost. Stores nothing; both are scored one
    workplace at a time by the scoring core (`_given_fit`), so that only the edit makes a difference."""
    profile = get_profile(session, profile_id)
    workplaces = profile_workplaces(profile)

    def vacancy_of(edited: Sequence[PlanWorkplace], threshold: float | None) -> Vacancy:
        return _vacancy(
            session,
            matcher,
            kind="profile",
            key=profile_id,
            name=profile.name,
            workplaces=edited,
            min_coverage=threshold,
            fit=_given_fit,
        )

    before = vacancy_of(workplaces, min_coverage)
    after = vacancy_of(
        edit_workplaces(matcher, session, workplaces, edits),
        min_coverage if edits.min_coverage is None else edits.min_coverage,
    )
    listed_before = {p.programme.crebo: p for p in before.programmes}
    listed_after = {p.programme.crebo: p for p in after.programmes}
    lines_before = [s.text for s in before.skills]
    lines_after = [s.text for s in after.skills]
    return VacancyPreview(
        before,
        after,
        tuple(p for p in after.programmes if p.programme.crebo not in listed_before),
        tuple(p for p in before.programmes if p.programme.crebo not in listed_after),
        tuple(
            (listed_before[p.programme.crebo], p)
            for p in after.programmes
            if p.programme.crebo in listed_before and listed_before[p.programme.crebo] != p
        ),
        tuple(t for t in lines_after if t not in lines_before),
        tuple(t for t in lines_before if t not in lines_after),
    )


@dataclass(frozen=True, slots=True)
class VacancyText:
    """The vacancy's Dutch text in its parts, as every format renders it (Markdown, .docx)."""

    title: str
    directies: tuple[str, str] | None  # (label, the directies joined), None when there are none
    workplaces_intro: str | None  # with more than one workplace: the sentence before their titles
    workplaces: tuple[str, ...]
    skills_heading: str
    skills: tuple[str, ...]
    trainable: str | None  # the sentence naming the skills learnt on the job
    programmes_heading: str
    programmes: tuple[str, ...]
    no_programme: str | None  # said instead of the list when no programme covers enough
    sentence: str


def vacancy_text(vacancy: Vacancy) -> VacancyText:
    directies = None
    if vacancy.directies:
        label = "Directie/stadsdeel" if len(vacancy.directies) == 1 else "Directies en stadsdelen"
        directies = (label, ", ".join(vacancy.directies))
    several = len(vacancy.workplaces) > 1
    trainable = [s.text for s in vacancy.skills if s.trainable]
    return VacancyText(
        title=f"Traineeship: {vacancy.name}",
        directies=directies,
        workplaces_intro="Je werkt telkens zeven maanden op een werkplek, zoals:" if several else None,
        workplaces=tuple(w.title for w in vacancy.workplaces) if several else (),
        skills_heading="Wat je meebrengt",
        skills=tuple(s.text for s in vacancy.skills),
        trainable=(
            "Een deel hiervan leer je op de werkplek: "
            + "; ".join(t[:1].lower() + t[1:] for t in trainable)
            + "."
            if trainable
            else None
        ),
        programmes_heading="Opleidingen die goed aansluiten",
        programmes=tuple(
            f"{p.programme.title} (crebo {p.programme.crebo}, niveau {p.programme.niveau}): "
            f"dekt {percent(p.coverage)} van de skills"
            for p in vacancy.programmes
        ),
        no_programme=(
            None
            if vacancy.programmes
            else "Er is (nog) geen opleiding die genoeg van deze skills dekt: het gaat om wat je kunt."
        ),
        sentence=vacancy.sentence,
    )


def to_markdown(vacancy: Vacancy) -> str:
    """Ready-to-use Dutch Markdown for the vacancy text."""
    text = vacancy_text(vacancy)
    lines = [f"# {text.title}", ""]
    if text.directies:
        lines += [f"**{text.directies[0]}:** {text.directies[1]}", ""]
    if text.workplaces_intro:
        lines += [text.workplaces_intro, ""]
        lines += [f"- {w}" for w in text.workplaces]
        lines.append("")
    lines += [f"## {text.skills_heading}", ""]
    lines += [f"- {s}" for s in text.skills]
    if text.trainable:
        lines += ["", text.trainable]
    lines += ["", f"## {text.programmes_heading}", ""]
    lines += [f"- {p}" for p in text.programmes]
    if text.no_programme:
        lines.append(text.no_programme)
    lines += ["", text.sentence, ""]
    return "\n".join(lines)

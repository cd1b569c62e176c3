"""Profiles (vakgebieden): suggest them by clustering workplaces on their skills; save, rename, edit; rank
the programmes that fit a profile.

Clustering method (documented in docs/planning.md):
- each workplace is one vector: the weight-weighted mean of its skills' embedding vectors (the
  matcher's embedder), L2-normalised, so that Euclidean k-means ranks like cosine similarity;
- scikit-learn KMeans, k clusters (default 4, never more than the workplaces with skills), k-means++
  starts, n_init=10, random_state=seed: the same input and seed give the same profiles;
- clusters are numbered by their lowest workplace id, so the order does not depend on k-means' labels.

Each profile lists its most characteristic skills (highest weight × (similarity to the own centroid −
the best similarity to another centroid)), the skills shared by two or more of its workplaces
(calibrated similarity ≥ the cover threshold), and a proposed name: the three most distinctive words
of its characteristic skills by class-based TF-IDF (each profile's skill texts as one document).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from app.errors import Conflict, ErrorItem, InvalidDocument, NotFound, NothingToScore
from app.matching.core import EPSILON
from app.matching.index import ProgrammeInfo
from app.matching.matrix import coverage_matrix
from app.matching.service import Matcher, no_programmes
from app.models import Profile
from app.planning import repository
from app.planning.skills import PlanWorkplace, load_workplaces, plan_workplace, skill_similarity

log = logging.getLogger(__name__)

N_INIT = 10  # k-means++ starts; the best of them is kept
CLUSTER_METHOD = (
    f"k-means (scikit-learn KMeans, k-means++, n_init={N_INIT}, random_state=seed) on L2-normalised, "
    "weight-weighted mean skill vectors of each workplace"
)

# Dutch function words, and generic verbs and adjectives, that never name a vakgebied.
STOPWORDS = frozenset(
    {
        "aan",
        "als",
        "bij",
        "dan",
        "dat",
        "de",
        "deze",
        "die",
        "dit",
        "door",
        "een",
        "en",
        "er",
        "het",
        "hun",
        "in",
        "is",
        "je",
        "jouw",
        "met",
        "na",
        "naar",
        "niet",
        "of",
        "om",
        "onder",
        "op",
        "over",
        "te",
        "tot",
        "uit",
        "van",
        "voor",
        "wat",
        "we",
        "zij",
        "zijn",
        "zo",
        "zoals",
        "zich",
        "ook",
        "hebben",
        "heeft",
        "worden",
        "wordt",
        "volgens",
        "samen",
        "andere",
        "eigen",
        "goed",
        "juiste",
        "eenvoudige",
        "verschillende",
        "kleine",
        "leggen",
        "maken",
        "geven",
        "houden",
        "zorgen",
        "voeren",
        "nemen",
        "stellen",
        "werken",
        "gebruiken",
        "uitvoeren",
        "bijhouden",
        "omgaan",
    }
)
CHARACTERISTIC = 5


@dataclass(frozen=True, slots=True)
class SharedSkill:
    text: str  # the representative text (highest weight, then shortest)
    workplaces: int  # how many of the profile's workplaces have it


@dataclass(frozen=True, slots=True)
class SuggestedProfile:
    name: str
    workplaces: tuple[PlanWorkplace, ...]
    directies: tuple[str, ...]
    characteristic_skills: tuple[str, ...]
    shared_skills: tuple[SharedSkill, ...]
    cohesion: float | None  # mean pairwise skill overlap; None for a single workplace


@dataclass(frozen=True, slots=True)
class Suggestion:
    k: int
    seed: int
    profiles: tuple[SuggestedProfile, ...]
    silhouette: float | None  # None when k is 1 or equals the number of workplaces
    workplaces_without_skills: tuple[PlanWorkplace, ...]


def _invalid_k(message: str) -> InvalidDocument:
    return InvalidDocument(message, [ErrorItem("k", message)])


def workplace_vectors(
    matcher: Matcher, session: Session, workplaces: Sequence[PlanWorkplace]
) -> npt.NDArray[np.float64]:
    texts = [s.text for w in workplaces for s in w.skills]
    vectors = matcher.vectors.vectors(texts, session=session).astype(np.float64)
    rows = []
    start = 0
    for w in workplaces:
        weights = np.array([s.weight for s in w.skills], dtype=np.float64)
        mean = weights @ vectors[start : start + len(w.skills)]
        start += len(w.skills)
        norm = np.linalg.norm(mean)
        rows.append(mean / norm if norm > 0 else mean)
    return np.vstack(rows)


def suggest_profiles(
    session: Session,
    matcher: Matcher,
    *,
    workplace_ids: Collection[int] | None = None,
    k: int = 4,
    seed: int = 0,
) -> Suggestion:
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if k < 1:
        raise _invalid_k(f"k must be at least 1, got {k}")
    workplaces = load_workplaces(session, workplace_ids=workplace_ids)
    with_skills = [w for w in workplaces if w.skills]
    without = tuple(w for w in workplaces if not w.skills)
    if not with_skills:
        raise NothingToScore("no workplace with skills to cluster: add skills or a description first")
    if k > len(with_skills):  # depends on the stored workplaces, not on the request: 409
        message = (
            f"k={k} profiles asked for, but only {len(with_skills)} workplace(s) have skills: "
            f"choose k between 1 and {len(with_skills)}"
        )
        raise Conflict(message, [ErrorItem("k", message)])
    features = workplace_vectors(matcher, session, with_skills)
    labels = KMeans(n_clusters=k, n_init=N_INIT, random_state=seed).fit_predict(features)
    silhouette = (
        round(float(silhouette_score(features, labels, metric="cosine")), 4)
        if 1 < k < len(with_skills)
        else None
    )
    clusters = sorted(
        ([w for w, label in zip(with_skills, labels, strict=True) if label == c] for c in range(k)),
        key=lambda members: min(w.id for w in members),
    )
    centroids = []
    for members in clusters:
        rows = [with_skills.index(w) for w in members]
        centroid = features[rows].mean(axis=0)
        centroids.append(centroid / (np.linalg.norm(centroid) or 1.0))
    profiles = describe_clusters(session, matcher, clusters, np.vstack(centroids))
    log.info("profiles suggested: %d workplaces, k=%d, seed=%d", len(with_skills), k, seed)
    return Suggestion(k, seed, tuple(profiles), silhouette, without)


def describe_clusters(
    session: Session,
    matcher: Matcher,
    clusters: Sequence[Sequence[PlanWorkplace]],
    centroids: npt.NDArray[np.float64],
) -> list[SuggestedProfile]:
    characteristic: list[tuple[str, ...]] = []
    for c, members in enumerate(clusters):
        skills = [s for w in members for s in w.skills]
        vectors = matcher.vectors.vectors([s.text for s in skills], session=session).astype(np.float64)
        sims = vectors @ centroids.T
        own = sims[:, c]
        others = np.delete(sims, c, axis=1)
        distinct = own - (others.max(axis=1) if others.shape[1] else 0.0)
        scores = np.array([s.weight for s in skills]) * distinct
        order = sorted(range(len(skills)), key=lambda i: (-float(scores[i]), skills[i].text))
        characteristic.append(tuple(dict.fromkeys(skills[i].text for i in order))[:CHARACTERISTIC])
    names = _names(characteristic)
    profiles = []
    for c, members in enumerate(clusters):
        shared, cohesion = shared_skills(session, matcher, members)
        profiles.append(
            SuggestedProfile(
                names[c],
                tuple(members),
                tuple(sorted({w.organisation_unit for w in members})),
                characteristic[c],
                shared,
                cohesion,
            )
        )
    return profiles


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-zà-ÿ]+", text.lower()) if len(w) > 3 and w not in STOPWORDS]


def _names(characteristic: Sequence[Sequence[str]]) -> list[str]:
    """Class-based TF-IDF: a word's frequency in this profile's characteristic skills × log(1 + profiles /
    profiles using it). The three best words (ties by first appearance) make the name."""
    documents = [[w for text in texts for w in _words(text)] for texts in characteristic]
    n = len(documents)
    names = []
    for words in documents:
        if not words:
            names.append("Profiel zonder omschrijving")
            continue
        counts: dict[str, int] = {}
        for w in words:
            counts[w] = counts.get(w, 0) + 1
        scored = sorted(
            counts,
            key=lambda w: (
                -(counts[w] / len(words)) * np.log(1 + n / sum(1 for d in documents if w in d)),
                words.index(w),
            ),
        )
        top = scored[:3]
        name = ", ".join(top[:-1]) + (" en " if len(top) > 1 else "") + top[-1]
        names.append(name[0].upper() + name[1:])
    return names


def shared_skills(
    session: Session, matcher: Matcher, members: Sequence[PlanWorkplace]
) -> tuple[tuple[SharedSkill, ...], float | None]:
    """Skills that two or more of these workplaces have (similar ≥ threshold), and the mean pairwise
    overlap (None with fewer than two workplaces: there is nothing to compare)."""
    if len(members) < 2:
        return (), None
    owner = [i for i, w in enumerate(members) for _s in w.skills]
    skills = [s for w in members for s in w.skills]
    similar = skill_similarity(matcher, session, [s.text for s in skills]) >= matcher.threshold - EPSILON
    shared: list[SharedSkill] = []
    used: set[int] = set()
    order = sorted(range(len(skills)), key=lambda i: (-skills[i].weight, len(skills[i].text), i))
    for i in order:
        if i in used:
            continue
        group = [j for j in range(len(skills)) if similar[i, j] and j not in used]
        holders = {owner[j] for j in group}
        if len(holders) >= 2:
            shared.append(SharedSkill(skills[i].text, len(holders)))
            used.update(group)
    overlaps = []
    for a in range(len(members)):
        for b in range(a + 1, len(members)):
            ra = [i for i in range(len(skills)) if owner[i] == a]
            rb = [i for i in range(len(skills)) if owner[i] == b]
            wa = np.array([skills[i].weight for i in ra], dtype=np.float64)
            wb = np.array([skills[i].weight for i in rb], dtype=np.float64)
            block = similar[np.ix_(ra, rb)]
            overlaps.append((wa @ block.any(axis=1) / wa.sum() + wb @ block.any(axis=0) / wb.sum()) / 2)
    shared.sort(key=lambda s: (-s.workplaces, s.text))
    return tuple(shared), round(float(np.mean(overlaps)), 4)


# --- saved profiles -----------------------------------------------------------------------------------


def get_profile(session: Session, profile_id: int) -> Profile:
    profile = repository.get_profile(session, profile_id)
    if profile is None:
        raise NotFound("profile", profile_id)
    return profile


def list_profiles(session: Session) -> Sequence[Profile]:
    return repository.list_profiles(session)


def _check_workplaces(session: Session, workplace_ids: Sequence[int]) -> list[int]:
    unique = list(dict.fromkeys(workplace_ids))
    load_workplaces(session, workplace_ids=unique)  # raises NotFound for an unknown id
    return unique


def create_profile(
    session: Session, *, name: str, description: str = "", workplace_ids: Sequence[int]
) -> Profile:
    return repository.add_profile(
        session, name=name, description=description, workplace_ids=_check_workplaces(session, workplace_ids)
    )


def update_profile(
    session: Session,
    profile_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    workplace_ids: Sequence[int] | None = None,
) -> Profile:
    """Rename or edit a profile; fields left None stay as they are."""
    profile = get_profile(session, profile_id)
    if name is not None:
        profile.name = name
    if description is not None:
        profile.description = description
    if workplace_ids is not None:
        repository.set_workplaces(session, profile, _check_workplaces(session, workplace_ids))
    profile.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
    return profile


def delete_profile(session: Session, profile_id: int) -> None:
    repository.delete_profile(session, get_profile(session, profile_id))


def profile_workplaces(profile: Profile) -> list[PlanWorkplace]:
    return [plan_workplace(m.workplace) for m in profile.members]


# --- programmes for a profile -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProfileProgramme:
    programme: ProgrammeInfo
    eligible_share: float  # share of the profile's scored workplaces where the programme is eligible
    eligible_workplaces: tuple[int, ...]
    mean_coverage: float  # over all scored workplaces of the profile
    eligible_coverage: float | None  # mean coverage over the eligible workplaces; None if there are none


@dataclass(frozen=True, slots=True)
class ProfileMatches:
    profile: Profile
    scored_workplaces: tuple[int, ...]
    workplaces_without_skills: tuple[int, ...]
    programmes: tuple[ProfileProgramme, ...]
    min_coverage: float


def profile_matches(
    session: Session, matcher: Matcher, profile_id: int, *, min_coverage: float | None = None
) -> ProfileMatches:
    """Programmes ranked by the share of the profile's workplaces where they are eligible, then by mean
    coverage, then crebo."""
    profile = get_profile(session, profile_id)
    ids = [m.workplace_id for m in profile.members]
    if not ids:
        raise NothingToScore(f"profile {profile_id} has no workplaces: add workplaces first")
    matrix = coverage_matrix(session, matcher, workplace_ids=set(ids), min_coverage=min_coverage)
    if not matrix.workplaces:
        raise NothingToScore(f"profile {profile_id}: none of its workplaces has skills yet")
    if not matrix.programmes:
        raise no_programmes(session, matcher.index(session), None)
    programmes = []
    for j, info in enumerate(matrix.programmes):
        eligible = matrix.eligible[:, j]
        programmes.append(
            ProfileProgramme(
                info,
                round(float(eligible.mean()), 4),
                tuple(w.id for w, e in zip(matrix.workplaces, eligible, strict=True) if e),
                round(float(matrix.coverage[:, j].mean()), 4),
                round(float(matrix.coverage[eligible, j].mean()), 4) if eligible.any() else None,
            )
        )
    programmes.sort(key=lambda p: (-p.eligible_share, -p.mean_coverage, p.programme.crebo))
    return ProfileMatches(
        profile,
        tuple(w.id for w in matrix.workplaces),
        tuple(w.id for w in matrix.workplaces_without_skills),
        tuple(programmes),
        matrix.config.min_coverage,
    )

"""Planning services without HTTP: clustering, rotations with the learning effect, the pool optimiser
against a brute-force oracle, learning plans and vacancies."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.catalogue.service import import_dossiers
from app.errors import Conflict, InvalidDocument, NothingToScore
from app.matching.embedders import Embedder
from app.matching.service import Matcher, match_workplace
from app.planning import learning, pool, profiles, rotations, vacancy
from app.planning.skills import load_workplaces
from app.workplaces.service import SkillInput, WorkplaceInput, create_workplace, import_workplaces

FIXTURES = Path(__file__).resolve().parent.parent.parent / "data" / "fixtures"


@pytest.fixture
def matcher(hashing_embedder: Embedder) -> Matcher:
    return Matcher(hashing_embedder, lexical="none", lexical_weight=0.0, threshold=None, min_coverage=0.7)


@pytest.fixture
def demo(session: Session, matcher: Matcher) -> dict[str, int]:
    import_dossiers(
        session,
        documents=[p.read_bytes() for p in sorted((FIXTURES / "dossiers").glob("*.xml"))],
        on_change=matcher.embed_catalogue,
    )
    imported = import_workplaces(session, data=(FIXTURES / "workplaces.csv").read_bytes(), filename="w.csv")
    return {i.workplace.title: i.workplace.id for i in imported}


def _workplace(session: Session, title: str, unit: str, skills: list[SkillInput]) -> int:
    return create_workplace(
        session, data=WorkplaceInput(title=title, organisation_unit=unit, skills=tuple(skills))
    ).id


def test_clusters_are_stable_under_a_fixed_seed(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    runs = [profiles.suggest_profiles(session, matcher, k=4, seed=11) for _ in range(3)]
    partitions = [[tuple(w.id for w in p.workplaces) for p in run.profiles] for run in runs]
    assert partitions[0] == partitions[1] == partitions[2]
    assert [p.name for p in runs[0].profiles] == [p.name for p in runs[1].profiles]
    assert sorted(i for part in partitions[0] for i in part) == sorted(demo.values())
    # profiles are numbered by their lowest workplace id, whatever k-means called them
    firsts = [min(ids) for ids in partitions[0]]
    assert firsts == sorted(firsts)


def test_similar_workplaces_share_a_profile(session: Session, matcher: Matcher, demo: dict[str, int]) -> None:
    twin = _workplace(
        session,
        "Medewerker klantcontact (2)",
        "Directie Dienstverlening",
        [
            SkillInput("Vragen van burgers telefonisch en schriftelijk beantwoorden", 3, True),
            SkillInput("Klantgegevens nauwkeurig registreren in het klantvolgsysteem", 3, True),
            SkillInput("Klachten en meldingen registreren en afhandelen", 2),
        ],
    )
    suggestion = profiles.suggest_profiles(session, matcher, k=5, seed=0)
    (home,) = [p for p in suggestion.profiles if twin in {w.id for w in p.workplaces}]
    assert demo["Medewerker klantcontact"] in {w.id for w in home.workplaces}
    assert home.shared_skills
    assert home.cohesion is not None


def test_k_is_bounded_by_the_workplaces_with_skills(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    with pytest.raises(Conflict, match="only 6 workplace"):  # depends on the stored workplaces: 409
        profiles.suggest_profiles(session, matcher, k=7)
    single = profiles.suggest_profiles(session, matcher, k=1)
    assert single.silhouette is None
    assert len(single.profiles[0].workplaces) == 6


def test_a_profile_without_skills_has_no_score(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    empty = _workplace(session, "Nog leeg", "Directie Onderwijs", [])
    profile = profiles.create_profile(session, name="Leeg", workplace_ids=[empty])
    with pytest.raises(NothingToScore):
        profiles.profile_matches(session, matcher, profile.id)
    with pytest.raises(NothingToScore):
        vacancy.profile_vacancy(session, matcher, profile.id)
    with pytest.raises(NothingToScore):
        profiles.suggest_profiles(session, matcher, workplace_ids=[empty])


def test_a_skill_learnt_earlier_lifts_a_knockout_later(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    skill = "Een hoogwerker besturen volgens het veiligheidsprotocol van de gemeente"
    first = _workplace(
        session,
        "Leerwerkplek",
        "Directie Facilitair Bureau",
        [
            SkillInput("Vergaderzalen klaarzetten en opruimen volgens reservering", 3, True),
            SkillInput(skill, 1, False, True),
        ],
    )
    second = _workplace(
        session,
        "Vervolgwerkplek",
        "Directie Facilitair Bureau",
        [
            SkillInput("Bezoekers ontvangen en de weg wijzen bij de receptie", 3, True),
            SkillInput(skill, 1, True, False),
        ],
    )
    _, alone = rotations.evaluate_rotation(session, matcher, "25901", [second])
    assert alone.steps[0].status == "knockout"
    _, after = rotations.evaluate_rotation(session, matcher, "25901", [first, second])
    step = after.steps[1]
    assert step.status != "knockout"
    assert [s.text for s in step.skills if s.learnt_before] == [skill]
    assert [(s.credit, s.effective_credit) for s in step.skills if s.learnt_before] == [(0.0, 1.0)]
    assert step.effective_coverage > step.coverage
    plan = learning.learning_plan(session, matcher, "25901", [first, second])
    assert skill not in {g.text for g in plan.steps[1].gaps}
    assert skill in {g.text for g in plan.steps[0].gaps if g.kind == "trainable"}


def test_one_directie_is_preferred_unless_asked_otherwise(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    facilitair = [
        SkillInput("Vergaderzalen klaarzetten en opruimen volgens reservering", 3),
        SkillInput("Bezoekers ontvangen en de weg wijzen bij de receptie", 2),
        SkillInput("Schoonmaakwerkzaamheden uitvoeren volgens schoonmaakplan", 2),
    ]
    same = [_workplace(session, f"Facilitair {i}", "Directie Gebouwen", facilitair) for i in range(3)]
    preferred = rotations.propose_rotations(session, matcher, "25901", limit=5)
    assert preferred.proposals
    assert set(preferred.proposals[0].directies) == {"Directie Gebouwen"}
    assert {s.workplace.id for s in preferred.proposals[0].steps} == set(same)
    mixed = rotations.propose_rotations(session, matcher, "25901", prefer_one_directie=False, limit=5)
    assert len(mixed.proposals[0].directies) > 1  # identical workplaces overlap fully: variety wins
    assert mixed.proposals[0].overlap is not None
    assert mixed.proposals[0].overlap < preferred.proposals[0].overlap  # type: ignore[operator]


def test_rotation_length_is_checked(session: Session, matcher: Matcher, demo: dict[str, int]) -> None:
    with pytest.raises(InvalidDocument):
        rotations.propose_rotations(session, matcher, "25901", length=5)


def _oracle(
    candidates: dict[str, list[rotations.Rotation]], crebos: list[str], limit: int
) -> tuple[int, float]:
    """Brute force: the best (placed, value) over every combination of one rotation (or none) per trainee."""
    best = (0, 0.0)
    options = [[None, *candidates[c]] for c in crebos]
    for combo in itertools.product(*options):
        chosen = [r for r in combo if r is not None]
        slots = [(p, s.workplace.id) for r in chosen for p, s in enumerate(r.steps)]
        if len(slots) != len(set(slots)):
            continue
        per_unit: dict[str, int] = {}
        for r in chosen:
            for d in r.directies:
                per_unit[d] = per_unit.get(d, 0) + 1
        if any(n > limit for n in per_unit.values()):
            continue
        value = sum(pool.rotation_value(r) for r in chosen)
        if (len(chosen), value) > (best[0], best[1] + 1e-9):
            best = (len(chosen), value)
    return best


@pytest.mark.parametrize(("crebos", "limit"), [(["25901", "25902", "25901"], 2), (["25901", "25905"], 1)])
def test_pool_plan_is_optimal_against_a_brute_force_oracle(
    session: Session, matcher: Matcher, demo: dict[str, int], crebos: list[str], limit: int
) -> None:
    plan = pool.plan_pool(
        session, matcher, trainees=[pool.TraineeIn(c) for c in crebos], max_per_directie=limit, periods=2
    )
    assert plan.status == "optimal"
    assert not plan.candidates_truncated
    workplaces = load_workplaces(session)
    candidates = {
        c: rotations.ranked_rotations(
            rotations.RotationContext(session, matcher, c, workplaces, min_coverage=0.7),
            [w.id for w in workplaces],
            2,
        )
        for c in set(crebos)
    }
    placed, value = _oracle(candidates, crebos, limit)
    chosen = [p.rotation for p in plan.placements if p.rotation is not None]
    assert len(chosen) == placed
    assert sum(pool.rotation_value(r) for r in chosen) == pytest.approx(value, abs=1e-6)


def test_learning_plan_equals_the_uncovered_skills(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    for workplace_id in demo.values():
        result = match_workplace(session, matcher, workplace_id, limit=100)
        for match in result.matches:
            plan = learning.learning_plan(session, matcher, match.programme.crebo, [workplace_id])
            (step,) = plan.steps
            assert sorted(g.text for g in step.gaps) == sorted(s.text for s in match.gaps)
            assert sorted(g.text for g in step.gaps if g.kind == "knockout") == sorted(
                s.text for s in match.knockouts
            )
            assert step.coverage == pytest.approx(match.coverage, abs=1e-4)


def test_vacancy_lists_only_eligible_programmes(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    for workplace_id in demo.values():
        result = match_workplace(session, matcher, workplace_id, limit=100)
        eligible = {m.programme.crebo: m.coverage for m in result.matches if m.eligible}
        feed = vacancy.workplace_vacancy(session, matcher, workplace_id)
        assert {p.programme.crebo: p.coverage for p in feed.programmes} == pytest.approx(eligible)
        text = vacancy.to_markdown(feed)
        assert vacancy.STANDARD_SENTENCE in text
        for m in result.matches:
            assert (f"crebo {m.programme.crebo}" in text) == m.eligible


def test_many_workplaces_are_cut_to_the_best_candidates(
    session: Session, matcher: Matcher, demo: dict[str, int]
) -> None:
    for i in range(rotations.MAX_CANDIDATES):
        _workplace(
            session, f"Extra {i}", "Directie Extra", [SkillInput(f"Grafisch ontwerp variant {i} maken")]
        )
    result = rotations.propose_rotations(session, matcher, "25901", length=1, limit=100)
    assert result.candidates == rotations.MAX_CANDIDATES
    assert result.evaluated == rotations.MAX_CANDIDATES
    chosen = {s.workplace.id for r in result.proposals for s in r.steps}
    assert demo["Medewerker facilitaire dienstverlening stadskantoor"] in chosen  # the best fit is kept


def test_with_soft_credit_a_rotation_step_counts_what_matching_counts(
    session: Session, hashing_embedder: Embedder, demo: dict[str, int]
) -> None:
    # With soft credit (docs/scoring.md) a skill near the cover threshold counts in part; a rotation's
    # step must show the same coverage and status as the match answer for that workplace and programme.
    soft = Matcher(
        hashing_embedder,
        lexical="none",
        lexical_weight=0.0,
        threshold=None,
        min_coverage=0.7,
        credit_width=0.3,
    )
    partial = 0
    for workplace_id in demo.values():
        answer = match_workplace(session, soft, workplace_id, limit=100)
        for match in answer.matches[:4]:
            _, rotation = rotations.evaluate_rotation(session, soft, match.programme.crebo, [workplace_id])
            step = rotation.steps[0]
            assert step.coverage == step.effective_coverage == match.coverage
            assert (step.status == "eligible") == match.eligible
            assert [s.covered for s in step.skills] == [s.covered for s in match.skills]
            assert [s.credit for s in step.skills] == [s.credit for s in match.skills]
            partial += sum(0.0 < s.credit < 1.0 for s in match.skills)
    assert partial > 0  # the fixtures do put skills in the soft band


def test_a_vacancy_merges_near_duplicates_of_different_workplaces_never_of_one(
    session: Session, matcher: Matcher
) -> None:
    # The skills one workplace lists are distinct as entered, however alike the model finds them.
    first = _workplace(
        session,
        "Postkamer",
        "Directie X",
        [
            SkillInput("Post sorteren en rondbrengen", weight=3),
            SkillInput("Post sorteren en rondbrengen in het gebouw"),
        ],
    )
    second = _workplace(
        session, "Postkamer 2", "Directie X", [SkillInput("Post sorteren en rondbrengen in het pand")]
    )
    one = vacancy.top_skills(matcher, session, load_workplaces(session, workplace_ids=[first]))
    assert [s.text for s in one] == [
        "Post sorteren en rondbrengen",
        "Post sorteren en rondbrengen in het gebouw",
    ]
    both = vacancy.top_skills(matcher, session, load_workplaces(session, workplace_ids=[first, second]))
    # The second workplace's skill is a near-duplicate of the first's: one line, said to be at both.
    assert [(s.text, s.workplaces) for s in both] == [
        ("Post sorteren en rondbrengen", 2),
        ("Post sorteren en rondbrengen in het gebouw", 2),
    ]

"""Traineeship planning: profiles, rotations, pool plans, learning plans and the vacancy feed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from app.api.convert import programme_ref, workplace_brief
from app.api.deps import IdPath, MatcherDep, SessionDep
from app.api.planning_schemas import (
    GapOut,
    LearningPlanOut,
    PlacementOut,
    PointerOut,
    PoolIn,
    PoolPlanOut,
    ProfileIn,
    ProfileListOut,
    ProfileMatchesOut,
    ProfileOut,
    ProfilePatch,
    ProfileProgrammeOut,
    RotationOut,
    RotationsOut,
    SharedSkillOut,
    StepOut,
    StepPlanOut,
    StepSkillOut,
    SuggestedProfileOut,
    SuggestIn,
    SuggestionOut,
    ThemeOut,
    VacancyOut,
    VacancyProgrammeOut,
    VacancySkillOut,
    WorkplaceBrief,
)
from app.api.problems import problems
from app.api.schemas import Id
from app.errors import Conflict, ErrorItem, NotFound
from app.models import Profile
from app.planning import learning, pool, profiles, rotations, vacancy, vacancy_docx
from app.planning.skills import plan_workplace

router = APIRouter(prefix="/v1", tags=["planning"])

Crebo = Annotated[str, Path(pattern=r"^\d{5}$", description="Kwalificatie crebo (25xxx)")]
MinCoverage = Annotated[float | None, Query(ge=0, le=1)]
Format = Annotated[
    Literal["json", "markdown", "docx"],
    Query(description="json; ready-to-use Dutch Markdown; or a Word document (.docx, as an attachment)"),
]
MARKDOWN = "text/markdown; charset=utf-8"


def _profile_out(profile: Profile) -> ProfileOut:
    workplaces = [plan_workplace(m.workplace) for m in profile.members]
    return ProfileOut(
        id=profile.id,
        name=profile.name,
        description=profile.description,
        workplaces=[workplace_brief(w) for w in workplaces],
        directies=sorted({w.organisation_unit for w in workplaces if w.organisation_unit}),
        created_at=profile.created_at,
        updated_at=profile.updated_at,
    )


def _rotation_out(rotation: rotations.Rotation) -> RotationOut:
    return RotationOut(
        workplace_ids=[s.workplace.id for s in rotation.steps],
        directies=list(rotation.directies),
        overlap=rotation.overlap,
        score=rotation.score,
        steps=[
            StepOut(
                position=s.position,
                workplace=workplace_brief(s.workplace),
                coverage=s.coverage,
                effective_coverage=s.effective_coverage,
                status=s.status,
                new_work=[k.text for k in s.skills if k.new_work],
                learnt_before=[k.text for k in s.skills if k.learnt_before],
                to_learn=[k.text for k in s.gaps if k.trainable],
                gaps=[k.text for k in s.gaps],
                skills=[
                    StepSkillOut(
                        text=k.text,
                        weight=k.weight,
                        must_have=k.must_have,
                        trainable=k.trainable,
                        covered_by_programme=k.covered_by_programme,
                        learnt_before=k.learnt_before,
                        new_work=k.new_work,
                        knockout=k.knockout,
                        credit=k.credit,
                        effective_credit=k.effective_credit,
                    )
                    for k in s.skills
                ],
            )
            for s in rotation.steps
        ],
    )


# --- profiles ----------------------------------------------------------------------------------------


@contextmanager
def _named_in_body(field: str) -> Iterator[None]:
    """A workplace the body names that does not exist conflicts with the stored data (409); 404 is kept
    for the operation's own resource (a profile that does not exist)."""
    try:
        yield
    except NotFound as error:
        if error.resource != "workplace":
            raise
        raise Conflict(error.detail, [ErrorItem(field, error.detail)]) from error


@router.post("/profiles:suggest", response_model=SuggestionOut, responses=problems(404, 409, 422))
def suggest_profiles(body: SuggestIn, session: SessionDep, matcher: MatcherDep) -> SuggestionOut:
    """Cluster workplaces (default: all) into k profiles by their skills. Stores nothing: save the
    profiles you keep with POST /v1/profiles."""
    with _named_in_body("workplace_ids"):
        suggestion = profiles.suggest_profiles(
            session, matcher, workplace_ids=body.workplace_ids, k=body.k, seed=body.seed
        )
    return SuggestionOut(
        k=suggestion.k,
        seed=suggestion.seed,
        method=profiles.CLUSTER_METHOD,
        silhouette=suggestion.silhouette,
        profiles=[
            SuggestedProfileOut(
                name=p.name,
                workplaces=[workplace_brief(w) for w in p.workplaces],
                directies=list(p.directies),
                characteristic_skills=list(p.characteristic_skills),
                shared_skills=[SharedSkillOut(text=s.text, workplaces=s.workplaces) for s in p.shared_skills],
                cohesion=p.cohesion,
            )
            for p in suggestion.profiles
        ],
        workplaces_without_skills=[workplace_brief(w) for w in suggestion.workplaces_without_skills],
    )


@router.get("/profiles", response_model=ProfileListOut)
def list_profiles(session: SessionDep) -> ProfileListOut:
    items = [_profile_out(p) for p in profiles.list_profiles(session)]
    return ProfileListOut(items=items, total=len(items))


@router.post("/profiles", status_code=201, response_model=ProfileOut, responses=problems(409, 422))
def create_profile(body: ProfileIn, session: SessionDep, response: Response) -> ProfileOut:
    with _named_in_body("workplace_ids"):
        profile = profiles.create_profile(
            session, name=body.name, description=body.description, workplace_ids=body.workplace_ids
        )
    response.headers["Location"] = f"/v1/profiles/{profile.id}"
    return _profile_out(profile)


@router.get("/profiles/{profile_id}", response_model=ProfileOut, responses=problems(404))
def get_profile(profile_id: IdPath, session: SessionDep) -> ProfileOut:
    return _profile_out(profiles.get_profile(session, profile_id))


@router.patch("/profiles/{profile_id}", response_model=ProfileOut, responses=problems(404, 409, 422))
def update_profile(profile_id: IdPath, body: ProfilePatch, session: SessionDep) -> ProfileOut:
    """Rename or edit a profile: send only what changes. `workplace_ids` replaces the list."""
    with _named_in_body("workplace_ids"):
        profile = profiles.update_profile(
            session,
            profile_id,
            name=body.name,
            description=body.description,
            workplace_ids=body.workplace_ids,
        )
    return _profile_out(profile)


@router.delete("/profiles/{profile_id}", status_code=204, responses=problems(404))
def delete_profile(profile_id: IdPath, session: SessionDep) -> Response:
    profiles.delete_profile(session, profile_id)
    return Response(status_code=204)


@router.get(
    "/profiles/{profile_id}/matches", response_model=ProfileMatchesOut, responses=problems(404, 409, 422)
)
def profile_matches(
    profile_id: IdPath, session: SessionDep, matcher: MatcherDep, min_coverage: MinCoverage = None
) -> ProfileMatchesOut:
    """Programmes ranked by the share of the profile's workplaces where they are eligible, then mean coverage."""
    result = profiles.profile_matches(session, matcher, profile_id, min_coverage=min_coverage)
    return ProfileMatchesOut(
        profile_id=profile_id,
        scored_workplaces=list(result.scored_workplaces),
        workplaces_without_skills=list(result.workplaces_without_skills),
        min_coverage=result.min_coverage,
        programmes=[
            ProfileProgrammeOut(
                programme=programme_ref(p.programme),
                eligible_share=p.eligible_share,
                eligible_workplaces=list(p.eligible_workplaces),
                mean_coverage=p.mean_coverage,
                eligible_coverage=p.eligible_coverage,
            )
            for p in result.programmes
        ],
    )


# --- vacancies ---------------------------------------------------------------------------------------

VACANCY_RESPONSES = {
    **problems(404, 409, 422),
    200: {
        "content": {"application/json": {}, "text/markdown": {}, vacancy_docx.MEDIA_TYPE: {}},
        "description": "The vacancy",
    },
}


def _vacancy_response(result: vacancy.Vacancy, format: str) -> VacancyOut | Response:
    if format == "docx":
        attachment = f'attachment; filename="{vacancy.filename(result, "docx")}"'
        return Response(
            content=vacancy_docx.to_docx(result),
            media_type=vacancy_docx.MEDIA_TYPE,
            headers={"Content-Disposition": attachment},
        )
    markdown = vacancy.to_markdown(result)
    if format == "markdown":
        inline = f'inline; filename="{vacancy.filename(result, "md")}"'
        return Response(content=markdown, media_type=MARKDOWN, headers={"Content-Disposition": inline})
    return VacancyOut(
        kind="profile" if result.kind == "profile" else "workplace",
        id=result.id,
        name=result.name,
        directies=list(result.directies),
        workplaces=[workplace_brief(w) for w in result.workplaces],
        skills=[
            VacancySkillOut(
                text=s.text, must_have=s.must_have, trainable=s.trainable, workplaces=s.workplaces
            )
            for s in result.skills
        ],
        programmes=[
            VacancyProgrammeOut(
                crebo=p.programme.crebo,
                title=p.programme.title,
                niveau=p.programme.niveau,
                coverage=p.coverage,
                eligible_workplaces=p.eligible_workplaces,
            )
            for p in result.programmes
        ],
        sentence=result.sentence,
        min_coverage=result.min_coverage,
        markdown=markdown,
    )


@router.get("/profiles/{profile_id}/vacancy", response_model=VacancyOut, responses=VACANCY_RESPONSES)
def profile_vacancy(
    profile_id: IdPath,
    session: SessionDep,
    matcher: MatcherDep,
    format: Format = "json",
    min_coverage: MinCoverage = None,
) -> VacancyOut | Response:
    """Vacancy content for a profile: its skills first, then only the programmes that are eligible."""
    return _vacancy_response(
        vacancy.profile_vacancy(session, matcher, profile_id, min_coverage=min_coverage), format
    )


@router.get("/workplaces/{workplace_id}/vacancy", response_model=VacancyOut, responses=VACANCY_RESPONSES)
def workplace_vacancy(
    workplace_id: IdPath,
    session: SessionDep,
    matcher: MatcherDep,
    format: Format = "json",
    min_coverage: MinCoverage = None,
) -> VacancyOut | Response:
    """Vacancy content for one workplace."""
    return _vacancy_response(
        vacancy.workplace_vacancy(session, matcher, workplace_id, min_coverage=min_coverage), format
    )


# --- rotations and learning plans --------------------------------------------------------------------

Directies = Annotated[list[str] | None, Query(description="Only these directies; repeat for several")]
WorkplaceIds = Annotated[
    list[Id],
    Query(
        min_length=1,
        max_length=4,
        json_schema_extra={"uniqueItems": True},
        description="One workplace, or a rotation in order (each workplace once)",
    ),
]


def _rotations_out(result: rotations.RotationProposals, *, overlap_penalty: float) -> RotationsOut:
    return RotationsOut(
        programme=programme_ref(result.programme),
        ranking=rotations.describe_ranking(overlap_penalty=overlap_penalty),
        candidates=result.candidates,
        evaluated=result.evaluated,
        proposals=[_rotation_out(r) for r in result.proposals],
        workplaces_without_skills=list(result.workplaces_without_skills),
        reason=result.reason,
    )


def _pool_plan_out(plan: pool.PoolPlan) -> PoolPlanOut:
    return PoolPlanOut(
        status=plan.status,
        solver=plan.solver,
        message=plan.message,
        objective=plan.objective,
        mip_gap=plan.mip_gap,
        seconds=plan.seconds,
        periods=plan.periods,
        max_per_directie=plan.max_per_directie,
        workplaces=plan.workplaces,
        placed=plan.placed,
        trainees_per_directie=plan.trainees_per_directie,
        candidate_rotations=plan.candidate_rotations,
        candidates_truncated=plan.candidates_truncated,
        placements=[
            PlacementOut(
                trainee=p.trainee,
                ref=p.ref,
                programme=programme_ref(p.programme),
                placed=p.rotation is not None,
                rotation=None if p.rotation is None else _rotation_out(p.rotation),
                reason=p.reason,
            )
            for p in plan.placements
        ],
    )


def _theme_out(theme: learning.Theme) -> ThemeOut:
    return ThemeOut(
        code=theme.code,
        title=theme.title,
        gaps=[
            GapOut(
                text=g.text,
                weight=g.weight,
                must_have=g.must_have,
                kind=g.kind,
                similarity=g.similarity,
                pointers=[
                    PointerOut(code=p.code, kind=p.kind, text=p.text, similarity=p.similarity)
                    for p in g.pointers
                ],
            )
            for g in theme.gaps
        ],
    )


def _learning_plan_out(plan: learning.LearningPlan) -> LearningPlanOut:
    return LearningPlanOut(
        programme=programme_ref(plan.programme),
        threshold=plan.threshold,
        trainable=plan.trainable,
        knockouts=plan.knockouts,
        steps=[
            StepPlanOut(
                position=s.position,
                workplace=WorkplaceBrief(
                    id=s.workplace_id,
                    title=s.workplace_title,
                    organisation_unit=s.organisation_unit,
                    skills=s.skills,
                ),
                coverage=s.coverage,
                effective_coverage=s.effective_coverage,
                status=s.status,
                learnt_before=list(s.learnt_before),
                themes=[_theme_out(t) for t in s.themes],
            )
            for s in plan.steps
        ],
    )


@router.get("/programmes/{crebo}/rotations", response_model=RotationsOut, responses=problems(404, 409, 422))
def programme_rotations(
    crebo: Crebo,
    session: SessionDep,
    matcher: MatcherDep,
    directie: Directies = None,
    length: Annotated[int, Query(ge=1, le=4, description="Workplaces per rotation")] = 3,
    prefer_one_directie: bool = True,
    overlap_penalty: Annotated[float, Query(ge=0, le=2)] = 0.5,
    min_coverage: MinCoverage = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> RotationsOut:
    """Ordered workplaces for a trainee with this diploma, best first, each step explained."""
    result = rotations.propose_rotations(
        session,
        matcher,
        crebo,
        directies=directie,
        length=length,
        prefer_one_directie=prefer_one_directie,
        min_coverage=min_coverage,
        overlap_penalty=overlap_penalty,
        limit=limit,
    )
    return _rotations_out(result, overlap_penalty=overlap_penalty)


@router.post("/rotations:plan", response_model=PoolPlanOut, responses=problems(404, 409, 422))
def plan_rotations(body: PoolIn, session: SessionDep, matcher: MatcherDep) -> PoolPlanOut:
    """Plan a pool of trainees over the offered workplaces: one rotation each, no workplace double-booked
    in a period, at most `max_per_directie` trainees per directie. Solved exactly (MILP, HiGHS)."""
    with _named_in_body("workplace_ids"):
        plan = pool.plan_pool(
            session,
            matcher,
            trainees=[pool.TraineeIn(t.crebo, t.ref) for t in body.trainees],
            workplace_ids=body.workplace_ids,
            directies=body.directies,
            periods=body.periods,
            max_per_directie=body.max_per_directie,
            min_coverage=body.min_coverage,
            time_limit=body.time_limit_seconds,
        )
    return _pool_plan_out(plan)


@router.get(
    "/programmes/{crebo}/learning-plan", response_model=LearningPlanOut, responses=problems(404, 409, 422)
)
def learning_plan(
    crebo: Crebo,
    session: SessionDep,
    matcher: MatcherDep,
    workplace_id: WorkplaceIds,
    min_coverage: MinCoverage = None,
) -> LearningPlanOut:
    """What a trainee with this diploma has to learn at a workplace, or step by step over a rotation."""
    plan = learning.learning_plan(session, matcher, crebo, workplace_id, min_coverage=min_coverage)
    return _learning_plan_out(plan)

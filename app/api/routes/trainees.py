"""The trainee pool: trainee records, saved pool plans, progress and the evaluation.

Trainee records are personal data: every route here needs the `project` or `admin` role (reads too),
and erasing a trainee needs `admin` (app.api.deps.required_scope).
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.convert import workplace_brief
from app.api.deps import IdPath, MatcherDep, SessionDep
from app.api.problems import problems
from app.api.trainee_schemas import (
    EvaluationOut,
    LearntIn,
    LearntOut,
    OverrideIn,
    PhaseOut,
    PlacementOut,
    PlacementProgressOut,
    PlannedTraineeOut,
    PoolPlanIn,
    PoolProgressOut,
    ProgrammeAtWorkplaceOut,
    SavedPlanListOut,
    SavedPlanOut,
    SkillProgressOut,
    TraineeIn,
    TraineeListOut,
    TraineeOut,
    TraineePatch,
    TraineeProgressOut,
)
from app.models import Trainee, TraineeProgress
from app.trainees import calendar, export, plans, progress, service

router = APIRouter(prefix="/v1", tags=["trainees"])

XLSX_RESPONSES = {
    **problems(404, 409),
    200: {"content": {export.MEDIA_TYPE: {}}, "description": "The evaluation as a workbook"},
}


def _phases(phases: tuple[calendar.Phase, ...]) -> list[PhaseOut]:
    return [PhaseOut(period=p.period, name=p.name, start=p.start, end=p.end) for p in phases]


def _trainee_out(t: Trainee) -> TraineeOut:
    return TraineeOut(
        id=t.id,
        ref=t.ref,
        crebo=t.crebo,
        niveau=t.niveau,
        profile_id=t.profile_id,
        start_date=t.start_date,
        end_date=calendar.end_date(t.start_date),
        begeleider=t.begeleider,
        landed_workplace_id=t.landed_workplace_id,
        calendar=_phases(calendar.phases(t.start_date)),
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


def _plan_out(view: plans.PlanView) -> SavedPlanOut:
    plan = view.plan
    return SavedPlanOut(
        id=plan.id,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        status=plan.status,
        objective=plan.objective,
        mip_gap=plan.mip_gap,
        candidates_truncated=plan.candidates_truncated,
        overridden=plan.overridden,
        periods=plan.periods,
        max_per_directie=plan.max_per_directie,
        min_coverage=plan.min_coverage,
        workplace_ids=list(plan.workplace_ids),
        scoring_version=plan.scoring_version,
        current_scoring_version=view.current_scoring_version,
        same_scoring_version=view.same_scoring_version,
        model_version=plan.model_version,
        catalogue_version=plan.catalogue_version,
        calendar=_phases(view.phases),
        trainees_per_directie=view.trainees_per_directie,
        trainees=[
            PlannedTraineeOut(
                trainee_id=t.trainee.id,
                ref=t.trainee.ref,
                crebo=t.trainee.crebo,
                placed=t.placed,
                placements=[
                    PlacementOut(
                        id=p.placement_id,
                        period=p.period,
                        start=p.start,
                        end=p.end,
                        workplace=None if p.workplace is None else workplace_brief(p.workplace),
                        reason=p.reason,
                        overridden=p.overridden,
                    )
                    for p in t.periods
                ],
            )
            for t in view.trainees
        ],
    )


def _learnt_out(m: TraineeProgress) -> LearntOut:
    return LearntOut(id=m.id, placement_id=m.placement_id, skill=m.skill, learnt_on=m.learnt_on, note=m.note)


def _placement_progress_out(p: progress.PlacementProgress) -> PlacementProgressOut:
    return PlacementProgressOut(
        placement_id=p.placement_id,
        period=p.period,
        start=p.start,
        end=p.end,
        workplace=workplace_brief(p.workplace),
        coverage_by_diploma=p.coverage_by_diploma,
        coverage_at_start=p.coverage_at_start,
        coverage_at_end=p.coverage_at_end,
        planned_coverage=p.planned_coverage,
        eligible_by_diploma=p.eligible_by_diploma,
        eligible_at_start=p.eligible_at_start,
        eligible_at_end=p.eligible_at_end,
        qualified_on_skills=p.qualified_on_skills,
        to_learn=[s.text for s in p.to_learn],
        skills=[
            SkillProgressOut(
                text=s.text,
                weight=s.weight,
                must_have=s.must_have,
                trainable=s.trainable,
                covered_by_diploma=s.covered_by_diploma,
                learnt_before=s.learnt_before,
                learnt=None if s.learnt is None else _learnt_out(s.learnt),
                covered_at_end=s.covered_at_end,
            )
            for s in p.skills
        ],
    )


def _progress_out(view: progress.TraineeProgressView) -> TraineeProgressOut:
    return TraineeProgressOut(
        trainee_id=view.trainee.id,
        ref=view.trainee.ref,
        crebo=view.trainee.crebo,
        plan_id=view.plan_id,
        min_coverage=view.min_coverage,
        brought_in=list(view.brought_in),
        learnt=[_learnt_out(m) for m in view.learnt],
        to_learn=view.to_learn,
        landed=None if view.landed is None else workplace_brief(view.landed),
        placements=[_placement_progress_out(p) for p in view.placements],
    )


def _evaluation_out(evaluation: progress.PoolEvaluation) -> EvaluationOut:
    return EvaluationOut(
        plan_id=evaluation.plan.id,
        scoring_version=evaluation.plan.scoring_version,
        current_scoring_version=evaluation.current_scoring_version,
        qualified_on_skills=evaluation.qualified_on_skills,
        trainees=[_progress_out(v) for v in evaluation.trainees],
        placements=[
            ProgrammeAtWorkplaceOut(
                workplace=workplace_brief(r.workplace),
                crebo=r.crebo,
                title=r.title,
                niveau=r.niveau,
                trainee_id=r.trainee_id,
                period=r.period,
                eligible_by_diploma=r.eligible_by_diploma,
                qualified_on_skills=r.qualified_on_skills,
                coverage_by_diploma=r.coverage_by_diploma,
                coverage_at_end=r.coverage_at_end,
            )
            for r in evaluation.placements
        ],
    )


# --- trainees ----------------------------------------------------------------------------------------


@router.post("/trainees", status_code=201, response_model=TraineeOut, responses=problems(409, 422))
def create_trainee(body: TraineeIn, session: SessionDep, response: Response) -> TraineeOut:
    trainee = service.add_trainee(session, **body.model_dump())
    response.headers["Location"] = f"/v1/trainees/{trainee.id}"
    return _trainee_out(trainee)


@router.get("/trainees", response_model=TraineeListOut)
def list_trainees(session: SessionDep) -> TraineeListOut:
    items = [_trainee_out(t) for t in service.list_trainees(session)]
    return TraineeListOut(items=items, total=len(items))


@router.get("/trainees/{trainee_id}", response_model=TraineeOut, responses=problems(404))
def get_trainee(trainee_id: IdPath, session: SessionDep) -> TraineeOut:
    return _trainee_out(service.get_trainee(session, trainee_id))


@router.patch("/trainees/{trainee_id}", response_model=TraineeOut, responses=problems(404, 409, 422))
def update_trainee(trainee_id: IdPath, body: TraineePatch, session: SessionDep) -> TraineeOut:
    """Send only what changes; null clears `profile_id` or `landed_workplace_id`."""
    sent = body.model_dump(exclude_unset=True)
    changes = service.TraineeChanges(sent=frozenset(sent), **sent)
    return _trainee_out(service.update_trainee(session, trainee_id, changes))


@router.delete("/trainees/{trainee_id}", status_code=204, responses=problems(404))
def erase_trainee(trainee_id: IdPath, session: SessionDep) -> Response:
    """Erase the trainee with their placements and progress (admin only)."""
    service.erase_trainee(session, trainee_id)
    return Response(status_code=204)


# --- progress ----------------------------------------------------------------------------------------


@router.get(
    "/trainees/{trainee_id}/progress", response_model=TraineeProgressOut, responses=problems(404, 409)
)
def trainee_progress(trainee_id: IdPath, session: SessionDep, matcher: MatcherDep) -> TraineeProgressOut:
    """The trainee's placements in their latest plan, with what they learnt and the coverage it gave."""
    return _progress_out(progress.trainee_progress(session, matcher, trainee_id))


@router.post(
    "/trainees/{trainee_id}/progress",
    status_code=201,
    response_model=LearntOut,
    responses=problems(404, 409, 422),
)
def mark_learnt(trainee_id: IdPath, body: LearntIn, session: SessionDep) -> LearntOut:
    """Mark a skill of a placement's workplace as learnt: it counts as covered at every later placement."""
    return _learnt_out(progress.mark_learnt(session, trainee_id, **body.model_dump()))


@router.delete("/trainees/{trainee_id}/progress/{progress_id}", status_code=204, responses=problems(404))
def unmark_learnt(trainee_id: IdPath, progress_id: IdPath, session: SessionDep) -> Response:
    progress.unmark_learnt(session, trainee_id, progress_id)
    return Response(status_code=204)


# --- pool plans --------------------------------------------------------------------------------------


@router.post("/pool-plans", status_code=201, response_model=SavedPlanOut, responses=problems(404, 409, 422))
def create_pool_plan(
    body: PoolPlanIn, session: SessionDep, matcher: MatcherDep, response: Response
) -> SavedPlanOut:
    """Plan the stored trainees over the offered workplaces (the MILP of POST /v1/rotations:plan) and
    save the plan with the scoring version it was made under."""
    values = body.model_dump()
    values["time_limit"] = values.pop("time_limit_seconds")
    plan = plans.create_plan(session, matcher, **values)
    response.headers["Location"] = f"/v1/pool-plans/{plan.id}"
    return _plan_out(plans.view_plan(session, matcher, plan.id))


@router.get("/pool-plans", response_model=SavedPlanListOut)
def list_pool_plans(session: SessionDep, matcher: MatcherDep) -> SavedPlanListOut:
    items = [_plan_out(plans.view_plan(session, matcher, p.id)) for p in plans.list_plans(session)]
    return SavedPlanListOut(items=items, total=len(items))


@router.get("/pool-plans/{plan_id}", response_model=SavedPlanOut, responses=problems(404))
def get_pool_plan(plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> SavedPlanOut:
    """The plan with its calendar, and whether the scoring version has changed since it was made."""
    return _plan_out(plans.view_plan(session, matcher, plan_id))


@router.delete("/pool-plans/{plan_id}", status_code=204, responses=problems(404))
def delete_pool_plan(plan_id: IdPath, session: SessionDep) -> Response:
    """Delete the plan with its placements and the progress recorded at them."""
    plans.delete_plan(session, plan_id)
    return Response(status_code=204)


@router.patch(
    "/pool-plans/{plan_id}/placements/{placement_id}",
    response_model=SavedPlanOut,
    responses=problems(404, 409, 422),
)
def override_placement(
    plan_id: IdPath, placement_id: IdPath, body: OverrideIn, session: SessionDep, matcher: MatcherDep
) -> SavedPlanOut:
    """Put one trainee in one period at another workplace (or none). Every rule of the plan is checked
    again; when one breaks, nothing changes and the 409 names each rule that breaks."""
    plans.override_placement(session, matcher, plan_id, placement_id, workplace_id=body.workplace_id)
    return _plan_out(plans.view_plan(session, matcher, plan_id))


@router.get("/pool-plans/{plan_id}/progress", response_model=PoolProgressOut, responses=problems(404, 409))
def pool_progress(plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> PoolProgressOut:
    views = progress.pool_progress(session, matcher, plan_id)
    return PoolProgressOut(
        plan_id=plan_id,
        learnt=sum(len(v.learnt) for v in views),
        to_learn=sum(v.to_learn for v in views),
        trainees=[_progress_out(v) for v in views],
    )


@router.get("/pool-plans/{plan_id}/evaluation", response_model=EvaluationOut, responses=problems(404, 409))
def pool_evaluation(plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> EvaluationOut:
    """Per trainee what they brought in and learnt; per workplace which programmes worked there."""
    return _evaluation_out(progress.evaluate_pool(session, matcher, plan_id))


@router.get("/pool-plans/{plan_id}/evaluation.xlsx", response_class=Response, responses=XLSX_RESPONSES)
def pool_evaluation_xlsx(plan_id: IdPath, session: SessionDep, matcher: MatcherDep) -> Response:
    content = export.evaluation_xlsx(progress.evaluate_pool(session, matcher, plan_id))
    disposition = f'attachment; filename="evaluatie-poolplan-{plan_id}.xlsx"'
    return Response(content, media_type=export.MEDIA_TYPE, headers={"Content-Disposition": disposition})

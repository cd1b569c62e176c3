"""The candidate check for recruiters: how a candidate fits a profile's workplaces. Stores nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.candidate_schemas import (
    CandidateFitIn,
    CandidateFitOut,
    CandidateSkillOut,
    CandidateWorkplaceOut,
    EligibilityOut,
    SourcesOut,
)
from app.api.convert import programme_ref
from app.api.deps import IdPath, MatcherDep, SessionDep
from app.api.planning_schemas import WorkplaceBrief
from app.api.problems import problems
from app.planning import candidate

router = APIRouter(prefix="/v1", tags=["planning"])

MinCoverage = Annotated[float | None, Query(ge=0, le=1)]


@router.post(
    "/profiles/{profile_id}/candidate-fit",
    response_model=CandidateFitOut,
    responses=problems(404, 409, 422),
)
def candidate_fit(
    profile_id: IdPath,
    body: CandidateFitIn,
    session: SessionDep,
    matcher: MatcherDep,
    min_coverage: MinCoverage = None,
) -> CandidateFitOut:
    """Per workplace of the profile: the coverage from the diploma, from the skills held (and experience)
    and from both together, eligibility and gaps, by the matching rules; a skill held counts as covered.
    Nothing of the candidate is stored, logged or audited."""
    result = candidate.candidate_fit(
        session,
        matcher,
        profile_id,
        crebo=body.crebo,
        skills_held=body.skills_held,
        experience=body.experience,
        min_coverage=min_coverage,
    )
    return fit_out(result)


def fit_out(result: candidate.CandidateFit) -> CandidateFitOut:
    return CandidateFitOut(
        profile_id=result.profile_id,
        programme=None if result.programme is None else programme_ref(result.programme),
        skills_held=list(result.skills_held),
        experience_statements=list(result.experience_statements),
        threshold=result.threshold,
        min_coverage=result.min_coverage,
        eligible_workplaces=sum(1 for w in result.workplaces if w.eligible.combined),
        workplaces=[_workplace_out(w) for w in result.workplaces],
        workplaces_without_skills=list(result.workplaces_without_skills),
    )


def _workplace_out(fit: candidate.WorkplaceFit) -> CandidateWorkplaceOut:
    w = fit.workplace
    return CandidateWorkplaceOut(
        workplace=WorkplaceBrief(
            id=w.id, title=w.title, organisation_unit=w.organisation_unit, skills=len(w.skills)
        ),
        coverage=SourcesOut(
            diploma=fit.coverage.diploma, skills=fit.coverage.skills, combined=fit.coverage.combined
        ),
        eligible=EligibilityOut(
            diploma=fit.eligible.diploma, skills=fit.eligible.skills, combined=fit.eligible.combined
        ),
        status=fit.status,
        to_learn=[s.text for s in fit.gaps if s.trainable],
        gaps=[s.text for s in fit.gaps],
        knockouts=[s.text for s in fit.knockouts],
        skills=[
            CandidateSkillOut(
                text=s.text,
                weight=s.weight,
                must_have=s.must_have,
                trainable=s.trainable,
                by_diploma=s.by_diploma,
                held=s.held,
                by_experience=s.by_experience,
                experience_evidence=s.experience_evidence,
                covered=s.covered,
                knockout=s.knockout,
                credit=s.credit,
            )
            for s in fit.skills
        ],
    )

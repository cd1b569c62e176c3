"""Ad-hoc matching for the ATS: a workplace in the body, nothing stored."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.api.convert import matches_out
from app.api.deps import MatcherDep, PrincipalDep, SessionDep
from app.api.problems import problems
from app.api.recording import MATCH, count
from app.api.schemas import MatchesOut, MatchIn
from app.audit.service import Asker
from app.matches import service as matches
from app.workplaces.service import SkillInput

router = APIRouter(prefix="/v1", tags=["match"])


@router.post("/match", response_model=MatchesOut, responses=problems(401, 403, 409, 422, 429))
def match(
    body: MatchIn, request: Request, session: SessionDep, matcher: MatcherDep, principal: PrincipalDep
) -> MatchesOut:
    """Rank programmes for skills and/or a Dutch description. 422 when the body holds nothing to score
    (no skills, and no skill statement in the description); 409 when no programme is there to score
    against."""
    skills = None
    if body.skills:
        skills = [SkillInput(s.text, s.weight, s.must_have, s.trainable, "manual") for s in body.skills]
    served = matches.match_adhoc(
        session,
        matcher,
        asker=Asker(principal, "api"),
        title=body.title,
        description=body.description,
        skills=skills,
        niveau=body.niveau,
        min_coverage=body.min_coverage,
        limit=body.limit,
        include_unscored=body.include_unscored,
    )
    count(request, MATCH)
    return matches_out(served.answer, match_id=served.match_id)

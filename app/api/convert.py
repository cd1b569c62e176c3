"""Service results → response schemas."""

from __future__ import annotations

from app.api.planning_schemas import WorkplaceBrief
from app.api.schemas import (
    ConfigOut,
    DossierRef,
    EvidenceOut,
    MatchesOut,
    MatchOut,
    NotScoredOut,
    ProgrammeOut,
    ProgrammeRef,
    ProgrammeWorkplacesOut,
    SkillMatchOut,
    SkillOut,
    WorkplaceFitOut,
)
from app.matching.index import ProgrammeInfo
from app.matching.service import (
    MatchResult,
    ProgrammeFitResult,
    ProgrammeMatch,
    ScoringConfig,
    SkillResult,
    UnscoredProgramme,
)
from app.models import Programme
from app.planning.skills import PlanWorkplace


def programme_ref(info: ProgrammeInfo) -> ProgrammeRef:
    return ProgrammeRef(
        crebo=info.crebo,
        title=info.title,
        niveau=info.niveau,
        dossier=DossierRef(crebo=info.dossier_crebo, title=info.dossier_title),
    )


def programme_out(programme: Programme, status: str) -> ProgrammeOut:
    return ProgrammeOut(
        crebo=programme.crebo,
        title=programme.title,
        niveau=programme.niveau,
        dossier=DossierRef(crebo=programme.dossier_crebo, title=programme.dossier_title),
        domein=programme.domein,
        leerweg=programme.leerweg,
        status="scored" if status == "scored" else "no_skill_content",
    )


def skill_match_out(result: SkillResult) -> SkillMatchOut:
    return SkillMatchOut(
        index=result.index,
        text=result.text,
        weight=result.weight,
        must_have=result.must_have,
        trainable=result.trainable,
        covered=result.covered,
        similarity=result.similarity,
        credit=result.credit,
        evidence=EvidenceOut.model_validate(result.evidence),
    )


def config_out(config: ScoringConfig) -> ConfigOut:
    return ConfigOut.model_validate(config)


def match_out(match: ProgrammeMatch | UnscoredProgramme) -> MatchOut:
    if isinstance(match, UnscoredProgramme):
        return MatchOut(
            programme=programme_ref(match.programme),
            status="no_skill_content",
            coverage=None,
            eligible=None,
            knockouts=[],
            skills=[],
            gaps=[],
        )
    return MatchOut(
        programme=programme_ref(match.programme),
        status="scored",
        coverage=match.coverage,
        eligible=match.eligible,
        relevance=round(match.relevance, 4),
        titles_only=match.titles_only,
        knockouts=[skill_match_out(s) for s in match.knockouts],
        skills=[skill_match_out(s) for s in match.skills],
        gaps=[skill_match_out(s) for s in match.gaps],
    )


def matches_out(
    result: MatchResult, *, workplace_id: int | None = None, match_id: int | None = None
) -> MatchesOut:
    return MatchesOut(
        match_id=match_id,
        workplace_id=workplace_id,
        skills=[
            SkillOut(
                text=s.text, weight=s.weight, must_have=s.must_have, trainable=s.trainable, origin=s.origin
            )
            for s in result.skills
        ],
        matches=[match_out(m) for m in result.matches] + [match_out(u) for u in result.unscored],
        scored_total=result.scored_total,
        catalogue_version=result.catalogue_version,
        config=config_out(result.config),
        not_scored=[NotScoredOut(text=s.text, kind=s.kind) for s in result.not_scored if s.kind != "work"],
    )


def programme_workplaces_out(result: ProgrammeFitResult, *, match_id: int) -> ProgrammeWorkplacesOut:
    return ProgrammeWorkplacesOut(
        match_id=match_id,
        programme=programme_ref(result.programme),
        status=result.status,
        workplaces=[
            WorkplaceFitOut(
                workplace_id=f.workplace_id,
                title=f.title,
                organisation_unit=f.organisation_unit,
                coverage=f.match.coverage,
                eligible=f.match.eligible,
                knockouts=[skill_match_out(s) for s in f.match.knockouts],
                skills=[skill_match_out(s) for s in f.match.skills],
                gaps=[skill_match_out(s) for s in f.match.gaps],
            )
            for f in result.workplaces
        ],
        workplaces_without_skills=result.workplaces_without_skills,
        config=config_out(result.config),
    )


def workplace_brief(w: PlanWorkplace) -> WorkplaceBrief:
    """A planned workplace in brief, as the planning and trainee answers name it."""
    return WorkplaceBrief(id=w.id, title=w.title, organisation_unit=w.organisation_unit, skills=len(w.skills))

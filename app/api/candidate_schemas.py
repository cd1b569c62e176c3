"""Schemas of the candidate check (POST /v1/profiles/{id}/candidate-fit)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.api.planning_schemas import Crebo, WorkplaceBrief
from app.api.schemas import ProgrammeRef, Strict

SkillLabel = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class CandidateFitIn(Strict):
    """What a candidate brings; any of the three, at least one. Nothing of it is stored or logged."""

    crebo: Crebo | None = Field(default=None, description="The candidate's diploma (kwalificatie crebo)")
    skills_held: list[SkillLabel] = Field(
        default_factory=list,
        max_length=500,
        description="Skills the candidate has: labels of the profile's skills, as its vacancy lists them",
    )
    experience: Annotated[str, StringConstraints(max_length=20_000)] | None = Field(
        default=None,
        description="What the candidate did (work, volunteering), in Dutch: read into statements as a "
        "workplace description is, each scored against the workplace skills",
    )


class SourcesOut(BaseModel):
    diploma: float | None = Field(
        description="Coverage from the diploma alone, as its match reports; null without crebo"
    )
    skills: float | None = Field(
        description="Coverage from the skills held and experience; null when neither was sent"
    )
    combined: float = Field(description="Coverage from everything together: per skill the best source")


class EligibilityOut(BaseModel):
    diploma: bool | None
    skills: bool | None
    combined: bool


class CandidateSkillOut(BaseModel):
    text: str
    weight: int
    must_have: bool
    trainable: bool
    by_diploma: bool | None = Field(
        description="Covered by the diploma (the matching rule); null without crebo"
    )
    held: bool = Field(description="Ticked, or similar to a ticked skill (the cover threshold)")
    by_experience: bool | None = Field(
        description="Covered by an experience statement; null without experience"
    )
    experience_evidence: str | None = Field(description="The experience statement that covers it best")
    covered: bool
    knockout: bool = Field(description="A must-have, not trainable and not covered: not eligible here")
    credit: float = Field(description="Credit toward the combined coverage (0–1; 1 for a skill held)")


class CandidateWorkplaceOut(BaseModel):
    workplace: WorkplaceBrief
    coverage: SourcesOut
    eligible: EligibilityOut
    status: Literal["eligible", "trainable", "stretch", "knockout"] = Field(
        description="eligible; trainable (below the minimum, every gap trainable); stretch; knockout"
    )
    to_learn: list[str] = Field(description="Gaps the workplace teaches (trainable)")
    gaps: list[str] = Field(description="Every skill not covered, trainable or not")
    knockouts: list[str]
    skills: list[CandidateSkillOut]


class CandidateFitOut(BaseModel):
    profile_id: int
    programme: ProgrammeRef | None
    skills_held: list[str] = Field(description="The ticked labels, as the profile spells them")
    experience_statements: list[str] = Field(description="The work statements read from `experience`")
    threshold: float
    min_coverage: float
    eligible_workplaces: int
    workplaces: list[CandidateWorkplaceOut] = Field(
        description="Eligible first, then by combined coverage, then workplace id"
    )
    workplaces_without_skills: list[int]

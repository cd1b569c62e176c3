"""Schemas for traineeship planning: profiles, rotations, pool plans, learning plans and vacancies."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.api.schemas import Id, ProgrammeRef, Strict

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    Field(json_schema_extra={"pattern": r"\S"}),
]
Crebo = Annotated[str, StringConstraints(pattern=r"^\d{5}$")]


class WorkplaceBrief(BaseModel):
    id: int
    title: str
    organisation_unit: str
    skills: int = Field(description="Number of skills")


# --- profiles ----------------------------------------------------------------------------------------


class SuggestIn(Strict):
    workplace_ids: list[Id] | None = Field(
        default=None, max_length=1000, description="Workplaces to cluster; default all"
    )
    k: int = Field(default=4, ge=1, le=50, description="Number of profiles")
    seed: int = Field(default=0, ge=0, le=2**31 - 1, description="Random seed: same seed, same profiles")


class SharedSkillOut(BaseModel):
    text: str
    workplaces: int


class SuggestedProfileOut(BaseModel):
    name: str = Field(description="Proposed name, from the profile's most distinctive words")
    workplaces: list[WorkplaceBrief]
    directies: list[str]
    characteristic_skills: list[str]
    shared_skills: list[SharedSkillOut]
    cohesion: float | None = Field(description="Mean pairwise skill overlap; null for a single workplace")


class SuggestionOut(BaseModel):
    k: int
    seed: int
    method: str
    silhouette: float | None = Field(description="Cosine silhouette; null when k is 1 or k = workplaces")
    profiles: list[SuggestedProfileOut]
    workplaces_without_skills: list[WorkplaceBrief]


class ProfileIn(Strict):
    name: Name
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    workplace_ids: list[Id] = Field(default_factory=list, max_length=1000)


class ProfilePatch(Strict):
    name: Name | None = None
    description: Annotated[str, StringConstraints(max_length=5000)] | None = None
    workplace_ids: list[Id] | None = Field(default=None, max_length=1000)


class ProfileOut(BaseModel):
    id: int
    name: str
    description: str
    workplaces: list[WorkplaceBrief]
    directies: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime


class ProfileListOut(BaseModel):
    items: list[ProfileOut]
    total: int


class ProfileProgrammeOut(BaseModel):
    programme: ProgrammeRef
    eligible_share: float = Field(description="Share of the profile's scored workplaces where it is eligible")
    eligible_workplaces: list[int]
    mean_coverage: float = Field(description="Mean coverage over the profile's scored workplaces")
    eligible_coverage: float | None = Field(description="Mean coverage where eligible; null if nowhere")


class ProfileMatchesOut(BaseModel):
    profile_id: int
    scored_workplaces: list[int]
    workplaces_without_skills: list[int]
    min_coverage: float
    programmes: list[ProfileProgrammeOut]


# --- rotations ---------------------------------------------------------------------------------------


class StepSkillOut(BaseModel):
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered_by_programme: bool
    learnt_before: bool = Field(description="Covered because a similar skill was learnt at an earlier step")
    new_work: bool = Field(description="No similar skill at any earlier workplace of the rotation")
    knockout: bool
    credit: float = Field(
        description="Credit toward `coverage`, from the programme alone, as in matching (0–1)"
    )
    effective_credit: float = Field(
        description="Credit toward `effective_coverage`: 1 for a skill learnt at an earlier step, else `credit`"
    )


class StepOut(BaseModel):
    position: int
    workplace: WorkplaceBrief
    coverage: float = Field(description="By the programme alone, as in matching")
    effective_coverage: float = Field(description="With skills learnt at earlier steps counted")
    status: Literal["eligible", "trainable", "stretch", "knockout"]
    new_work: list[str]
    learnt_before: list[str]
    to_learn: list[str] = Field(description="Uncovered trainable skills: the learning plan of this step")
    gaps: list[str] = Field(description="Every uncovered skill")
    skills: list[StepSkillOut]


class RotationOut(BaseModel):
    workplace_ids: list[int]
    directies: list[str]
    overlap: float | None = Field(description="Mean pairwise skill overlap between the workplaces")
    score: float
    steps: list[StepOut]


class RotationsOut(BaseModel):
    programme: ProgrammeRef
    ranking: str
    candidates: int
    evaluated: int
    proposals: list[RotationOut]
    workplaces_without_skills: list[int]
    reason: str = Field(description="Why there are no proposals; empty when there are")


class TraineeSpec(Strict):
    crebo: Crebo
    ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] = Field(
        default="", description="Your own label for the trainee (e.g. T1); do not send names"
    )


class PoolIn(Strict):
    trainees: list[TraineeSpec] = Field(min_length=1, max_length=200)
    workplace_ids: list[Id] | None = Field(default=None, max_length=25, description="Offered workplaces")
    directies: list[str] | None = Field(default=None, max_length=50)
    periods: int = Field(default=3, ge=1, le=4, description="Workplaces per trainee, 7 months each")
    max_per_directie: int = Field(default=4, ge=1, le=100, description="Trainees per directie, at most")
    min_coverage: float | None = Field(default=None, ge=0, le=1)
    time_limit_seconds: float = Field(default=20.0, gt=0, le=60)


class PlacementOut(BaseModel):
    trainee: int
    ref: str
    programme: ProgrammeRef
    placed: bool
    rotation: RotationOut | None
    reason: str


class PoolPlanOut(BaseModel):
    status: Literal["optimal", "time_limit", "infeasible", "error"]
    solver: str
    message: str
    objective: float | None
    mip_gap: float | None
    seconds: float
    periods: int
    months_per_period: int = 7
    max_per_directie: int
    workplaces: int
    placed: int
    trainees_per_directie: dict[str, int]
    candidate_rotations: dict[str, int]
    candidates_truncated: bool
    placements: list[PlacementOut]


# --- learning plans ----------------------------------------------------------------------------------


class PointerOut(BaseModel):
    code: str
    kind: str
    text: str
    similarity: float


class GapOut(BaseModel):
    text: str
    weight: int
    must_have: bool
    kind: Literal["trainable", "knockout", "not_trainable"]
    similarity: float
    pointers: list[PointerOut]


class ThemeOut(BaseModel):
    code: str = Field(description="SBB kerntaak code")
    title: str
    gaps: list[GapOut]


class StepPlanOut(BaseModel):
    position: int
    workplace: WorkplaceBrief
    coverage: float
    effective_coverage: float
    status: str
    learnt_before: list[str]
    themes: list[ThemeOut]


class LearningPlanOut(BaseModel):
    programme: ProgrammeRef
    threshold: float
    trainable: int
    knockouts: int
    steps: list[StepPlanOut]


# --- vacancies ---------------------------------------------------------------------------------------


class VacancySkillOut(BaseModel):
    text: str
    must_have: bool
    trainable: bool
    workplaces: int


class VacancyProgrammeOut(BaseModel):
    crebo: str
    title: str
    niveau: int
    coverage: float = Field(description="Mean coverage over the workplaces where the programme is eligible")
    eligible_workplaces: int


class VacancyOut(BaseModel):
    kind: Literal["profile", "workplace"]
    id: int
    name: str
    directies: list[str]
    workplaces: list[WorkplaceBrief]
    skills: list[VacancySkillOut]
    programmes: list[VacancyProgrammeOut]
    sentence: str
    min_coverage: float
    markdown: str

"""Schemas for the trainee pool: trainee records, saved pool plans, progress and the evaluation."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.api.planning_schemas import Crebo, Name, WorkplaceBrief
from app.api.schemas import Id, Strict

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Niveau = Annotated[int, Field(ge=1, le=4)]
# an ISO date in JSON ("2026-09-01"): not strict, since JSON has no date type
Day = Annotated[dt.date, Field(strict=False, ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]


# --- trainees ----------------------------------------------------------------------------------------


class TraineeIn(Strict):
    ref: Name = Field(description="A reference or the trainee's name (personal data: never logged)")
    crebo: Crebo = Field(description="The diploma's kwalificatie crebo")
    niveau: Niveau | None = Field(default=None, description="Default: the programme's niveau")
    profile_id: Id | None = None
    start_date: Day
    begeleider: Text200 = Field(default="", description="The traineebegeleider: a name or reference")


class TraineePatch(Strict):
    ref: Name | None = None
    crebo: Crebo | None = None
    niveau: Niveau | None = None
    profile_id: Id | None = Field(default=None, description="null removes the profile")
    start_date: Day | None = None
    begeleider: Text200 | None = None
    landed_workplace_id: Id | None = Field(
        default=None, description="Where the trainee went after the traineeship; null clears it"
    )


class PhaseOut(BaseModel):
    period: int = Field(description="0 for the introduction month, then 1, 2, 3")
    name: str
    start: dt.date
    end: dt.date = Field(description="The last day, inclusive")


class TraineeOut(BaseModel):
    id: int
    ref: str
    crebo: str
    niveau: int
    profile_id: int | None
    start_date: dt.date
    end_date: dt.date
    begeleider: str
    landed_workplace_id: int | None
    calendar: list[PhaseOut]
    created_at: dt.datetime
    updated_at: dt.datetime


class TraineeListOut(BaseModel):
    items: list[TraineeOut]
    total: int


# --- pool plans --------------------------------------------------------------------------------------


class PoolPlanIn(Strict):
    trainee_ids: list[Id] | None = Field(default=None, max_length=200, description="Default: every trainee")
    workplace_ids: list[Id] | None = Field(default=None, max_length=1000, description="Default: all")
    directies: list[Annotated[str, StringConstraints(max_length=200)]] | None = Field(
        default=None, max_length=100
    )
    start_date: Day | None = Field(default=None, description="Default: the earliest trainee start date")
    max_per_directie: int = Field(default=4, ge=1, le=100)
    min_coverage: float | None = Field(default=None, ge=0, le=1)
    time_limit_seconds: float = Field(default=20.0, gt=0, le=120)


class PlacementOut(BaseModel):
    id: int
    period: int
    start: dt.date
    end: dt.date
    workplace: WorkplaceBrief | None
    reason: str = Field(description="Why there is no workplace; empty when there is one")
    overridden: bool


class PlannedTraineeOut(BaseModel):
    trainee_id: int
    ref: str
    crebo: str
    placed: bool
    placements: list[PlacementOut]


class SavedPlanOut(BaseModel):
    id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    status: str = Field(description="The solver's: optimal, time_limit, infeasible or error")
    objective: float | None
    mip_gap: float | None
    candidates_truncated: bool
    overridden: bool = Field(description="A person changed a placement since the solver made the plan")
    periods: int
    max_per_directie: int
    min_coverage: float
    workplace_ids: list[int] = Field(description="The workplaces offered to the plan")
    scoring_version: str = Field(description="The scoring version the plan was made under")
    current_scoring_version: str
    same_scoring_version: bool
    model_version: str
    catalogue_version: int
    calendar: list[PhaseOut]
    trainees_per_directie: dict[str, int]
    trainees: list[PlannedTraineeOut]


class SavedPlanListOut(BaseModel):
    items: list[SavedPlanOut]
    total: int


class OverrideIn(Strict):
    workplace_id: Id | None = Field(description="The workplace for this trainee in this period; null: none")


# --- progress and evaluation -------------------------------------------------------------------------


class LearntIn(Strict):
    placement_id: Id
    skill: Annotated[str, StringConstraints(min_length=1, max_length=2000)] = Field(
        description="The text of a skill of the placement's workplace"
    )
    learnt_on: Day | None = Field(default=None, description="Default: today")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


class LearntOut(BaseModel):
    id: int
    placement_id: int
    skill: str
    learnt_on: dt.date
    note: str


class SkillProgressOut(BaseModel):
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered_by_diploma: bool
    learnt_before: bool = Field(description="Covered by a similar skill learnt at an earlier placement")
    learnt: LearntOut | None = Field(description="Marked learnt at this placement")
    covered_at_end: bool


class PlacementProgressOut(BaseModel):
    placement_id: int
    period: int
    start: dt.date
    end: dt.date
    workplace: WorkplaceBrief
    coverage_by_diploma: float
    coverage_at_start: float
    coverage_at_end: float
    planned_coverage: float = Field(description="The planner's assumption: earlier trainable gaps learnt")
    eligible_by_diploma: bool
    eligible_at_start: bool
    eligible_at_end: bool
    qualified_on_skills: bool = Field(description="Eligible at the end, not by the diploma alone")
    to_learn: list[str] = Field(description="Trainable skills not covered at the start")
    skills: list[SkillProgressOut]


class TraineeProgressOut(BaseModel):
    trainee_id: int
    ref: str
    crebo: str
    plan_id: int | None = Field(description="The plan these placements are from; null when not planned")
    min_coverage: float
    brought_in: list[str] = Field(description="Skills of their workplaces that the diploma covers")
    learnt: list[LearntOut]
    to_learn: int
    landed: WorkplaceBrief | None
    placements: list[PlacementProgressOut]


class PoolProgressOut(BaseModel):
    plan_id: int
    learnt: int
    to_learn: int
    trainees: list[TraineeProgressOut]


class ProgrammeAtWorkplaceOut(BaseModel):
    workplace: WorkplaceBrief
    crebo: str
    title: str
    niveau: int
    trainee_id: int
    period: int
    eligible_by_diploma: bool
    qualified_on_skills: bool
    coverage_by_diploma: float
    coverage_at_end: float


class EvaluationOut(BaseModel):
    plan_id: int
    scoring_version: str
    current_scoring_version: str
    qualified_on_skills: int = Field(description="Placements that qualified on skills, not by diploma")
    trainees: list[TraineeProgressOut]
    placements: list[ProgrammeAtWorkplaceOut]

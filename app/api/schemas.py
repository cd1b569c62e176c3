"""Request and response schemas: one family per resource (…In for requests, …Out for answers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

# The server strips whitespace before it counts characters; the patterns say so in the OpenAPI document
# (at least two, or one, characters that are not whitespace), so that a client or fuzzer need not guess.
NOT_BLANK = r"\S"
TWO_NOT_BLANK = r"\S[\s\S]*\S"
SkillText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=500),
    Field(json_schema_extra={"pattern": TWO_NOT_BLANK}),
]


# Ids are 32-bit integers on every database (PostgreSQL's integer): a larger one names no record.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _integral_numbers(value: Any) -> Any:
    """JSON Schema's integer is any number without a fraction (3.0 is one); strict validation takes 3 only."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_integral_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral_numbers(v) for k, v in value.items()}
    return value


class Strict(BaseModel):
    # strict: a JSON boolean is not 0 and a number is not "3", as the OpenAPI types say; 3.0 is an integer
    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _json_integers(cls, data: Any) -> Any:
        return _integral_numbers(data)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- skills and workplaces ---------------------------------------------------------------------------


class SkillIn(Strict):
    text: SkillText
    weight: int = Field(default=2, ge=1, le=3, description="1 = nice to have, 3 = central to the work")
    must_have: bool = Field(default=False, description="Essential: uncovered and not trainable knocks out")
    trainable: bool = Field(default=False, description="Can be learnt in a short training on the job")


class SkillOut(Out):
    id: int | None = None
    text: str
    weight: int
    must_have: bool
    trainable: bool
    origin: Literal["manual", "extracted", "import"]


class WorkplaceIn(Strict):
    title: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
        Field(json_schema_extra={"pattern": NOT_BLANK}),
    ]
    organisation_unit: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = Field(
        default="", description="Directie or stadsdeel"
    )
    description: Annotated[str, StringConstraints(max_length=20_000)] = Field(
        default="", description="Free text in Dutch; broken into skill statements when no skills are sent"
    )
    skills: list[SkillIn] | None = Field(default=None, max_length=200)


class WorkplaceOut(Out):
    id: int
    title: str
    organisation_unit: str
    description: str
    skills: list[SkillOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int = Field(
        description="Also the ETag; send it as If-Match with PUT/DELETE to avoid lost updates"
    )


class WorkplaceListOut(BaseModel):
    items: list[WorkplaceOut]
    total: int


class ImportedWorkplaceOut(BaseModel):
    id: int
    title: str
    organisation_unit: str
    skills: int
    status: Literal["created", "updated"]


class WorkplaceImportOut(BaseModel):
    workplaces: int
    skills: int
    items: list[ImportedWorkplaceOut]


# --- catalogue ---------------------------------------------------------------------------------------


class DossierRef(Out):
    crebo: str
    title: str


class ProgrammeRef(BaseModel):
    crebo: str
    title: str
    niveau: int
    dossier: DossierRef


class StatementOut(Out):
    code: str
    kind: str
    text: str


class ProgrammeOut(BaseModel):
    crebo: str
    title: str
    niveau: int
    dossier: DossierRef
    domein: str
    leerweg: str
    status: Literal["scored", "no_skill_content"]


class ProgrammeListOut(BaseModel):
    items: list[ProgrammeOut]
    total: int


class ProgrammeDetailOut(ProgrammeOut):
    beroepsgroep: str
    typering: str = Field(description="Typering van het beroep: shown for context, never scored")
    dossier_versie: str
    statements: list[StatementOut]


class DossierOutcomeOut(Out):
    crebo: str
    title: str
    versie: str
    status: Literal["created", "replaced", "unchanged", "history"]
    dossier_id: int
    kwalificaties: int
    werkprocessen: int


class DossierImportOut(Out):
    dossiers: int
    kwalificaties: int
    kerntaken: int
    werkprocessen: int
    statements: int
    items: list[DossierOutcomeOut]


class DossierOut(Out):
    id: int
    crebo: str
    title: str
    versie: str
    status: str
    domein: str
    valid_from: dt.date | None
    vastgesteld_op: dt.date | None
    is_current: bool
    kerntaak_count: int
    werkproces_count: int
    imported_at: dt.datetime
    replaced_at: dt.datetime | None


class DossierListOut(BaseModel):
    items: list[DossierOut]


# --- matching ----------------------------------------------------------------------------------------


class MatchIn(Strict):
    # Skills, or a description to read them from: a body with neither is refused (422, nothing-to-score)
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["skills"], "properties": {"skills": {"type": "array", "minItems": 1}}},
                {
                    "required": ["description"],
                    "properties": {"description": {"type": "string", "pattern": NOT_BLANK}},
                },
            ]
        }
    )
    title: Annotated[str, StringConstraints(max_length=300)] | None = None
    description: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    skills: list[SkillIn] | None = Field(default=None, max_length=200)
    niveau: list[Annotated[int, Field(ge=1, le=4)]] | None = Field(default=None, max_length=4)
    min_coverage: float | None = Field(default=None, ge=0, le=1)
    limit: int = Field(default=10, ge=1, le=500)
    include_unscored: bool = False


class EvidenceOut(Out):
    code: str
    kind: str
    text: str


class SkillMatchOut(Out):
    index: int
    text: str
    weight: int
    must_have: bool
    trainable: bool
    covered: bool
    similarity: float
    credit: float = Field(
        description="This skill's credit toward coverage, 0–1: with soft credit (config.credit_width > 0) it "
        "rises from 0 at threshold − width/2 to 1 at threshold + width/2, and covered ⇔ credit ≥ 0.5; with "
        "hard credit it is 1 or 0. coverage = Σ weight × credit / Σ weight (docs/scoring.md)"
    )
    evidence: EvidenceOut = Field(description="The programme statement that covers this skill best")


class MatchOut(BaseModel):
    programme: ProgrammeRef
    status: Literal["scored", "no_skill_content"]
    coverage: float | None = Field(
        description="Σ weight × credit / Σ weight over the workplace's skills (each skill's `credit`); "
        "null if unscored"
    )
    eligible: bool | None
    relevance: float | None = Field(
        default=None,
        description="Orders the programmes (config.ranking): skill_weight × z-scored mean best similarity + "
        "document_weight × z-scored whole-document TF-IDF + semantic_weight × z-scored whole-document e5 + "
        "name_weight × z-scored similarity to the programme's name, over the programmes ranked; "
        "null if unscored (docs/scoring.md)",
    )
    knockouts: list[SkillMatchOut]
    skills: list[SkillMatchOut]
    gaps: list[SkillMatchOut]
    titles_only: bool = Field(
        default=False,
        description="The programme is known by its kerntaak and werkproces titles only (no omschrijving, "
        "gedrag or vakkennis): its coverage rests on short titles, and on the benchmark its own diploma "
        "clears the line less often than with full content (docs/benchmarks.md)",
    )


class ConfigOut(Out):
    model: str
    model_version: str
    threshold: float
    min_coverage: float
    lexical: str
    lexical_weight: float
    scoring_version: str
    title_offset: float = Field(
        default=0.0,
        description="Added to the similarity with a kerntaak or werkproces title (docs/scoring.md)",
    )
    credit_width: float = Field(default=0.0, description="Soft-credit width; 0: a skill is covered or not")
    ranking: str = Field(
        default="eligible",
        description="Order of the programmes: `eligible` (eligible first, each group by relevance), "
        "`coverage` (coverage, then relevance) or `relevance`; ties by crebo (docs/scoring.md)",
    )
    document_weight: float = Field(
        default=1.0, description="Weight of whole-document TF-IDF evidence in relevance (docs/scoring.md)"
    )
    skill_weight: float = Field(
        default=1.0, description="Weight of the skills' mean best similarity in relevance (docs/scoring.md)"
    )
    semantic_weight: float = Field(
        default=0.0, description="Weight of whole-document e5 evidence in relevance (docs/scoring.md)"
    )
    name_weight: float = Field(
        default=0.0,
        description="Weight in relevance of the text's TF-IDF similarity to the programme's name (kwalificatie "
        "and dossier title); a name never counts toward coverage (docs/scoring.md)",
    )
    centred: bool = Field(
        default=False,
        description="Sentence vectors centred on the catalogue's mean statement vector before the cosine, "
        "with the model's centred calibration (docs/scoring.md)",
    )


class NotScoredOut(BaseModel):
    text: str
    kind: Literal["trait", "context", "requirement", "offer", "apply", "other"] = Field(
        description="Why it is not a skill to cover: a personal trait, the context of the work (where, with "
        "whom), a requirement (diploma, licence, availability), what is offered, how to apply, or other "
        "(pitch, diversity statement, page text)"
    )


class MatchesOut(BaseModel):
    match_id: int | None = Field(
        default=None, description="Audit record of this answer; GET /v1/matches/{match_id} replays it"
    )
    workplace_id: int | None = None
    skills: list[SkillOut]
    matches: list[MatchOut]
    scored_total: int = Field(description="Programmes scored before `limit` was applied")
    catalogue_version: int
    config: ConfigOut
    not_scored: list[NotScoredOut] = Field(
        default_factory=list,
        description="What the description says besides the work, in text order: shown, never scored",
    )


class WorkplaceFitOut(BaseModel):
    workplace_id: int
    title: str
    organisation_unit: str
    coverage: float
    eligible: bool
    knockouts: list[SkillMatchOut]
    skills: list[SkillMatchOut]
    gaps: list[SkillMatchOut]


class ProgrammeWorkplacesOut(BaseModel):
    match_id: int | None = None
    programme: ProgrammeRef
    status: Literal["scored", "no_skill_content"]
    workplaces: list[WorkplaceFitOut]
    workplaces_without_skills: int
    config: ConfigOut


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"]
    model: str
    model_version: str
    catalogue_version: int

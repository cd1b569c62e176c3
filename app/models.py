"""SQLAlchemy ORM tables. No behaviour here: services and repositories work on these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Dossier(Base):
    """One imported version of an SBB kwalificatiedossier (crebo 23xxx). Old versions stay as history."""

    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("crebo", "content_hash", name="uq_dossiers_crebo_content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    crebo: Mapped[str] = mapped_column(String(5), index=True)
    sbb_nr: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    versie: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(50), default="")
    domein: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    vastgesteld_op: Mapped[dt.date | None] = mapped_column(Date)
    content_hash: Mapped[str] = mapped_column(String(64))
    kerntaak_count: Mapped[int] = mapped_column(Integer)
    werkproces_count: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, index=True)
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    replaced_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    kwalificaties: Mapped[list[Kwalificatie]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Kwalificatie.crebo"
    )


class Kwalificatie(Base):
    """A profiel of one dossier version: a kwalificatie (crebo 25xxx) with its skill statements."""

    __tablename__ = "kwalificaties"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    crebo: Mapped[str] = mapped_column(String(5), index=True)
    title: Mapped[str] = mapped_column(String(300))
    niveau: Mapped[int] = mapped_column(SmallInteger)
    beroepsgroep: Mapped[str] = mapped_column(String(300), default="")
    typering: Mapped[str] = mapped_column(Text, default="")

    dossier: Mapped[Dossier] = relationship(back_populates="kwalificaties")
    statements: Mapped[list[Statement]] = relationship(
        back_populates="kwalificatie", cascade="all, delete-orphan", order_by="Statement.position"
    )


class Statement(Base):
    """One skill statement of a kwalificatie: a kerntaak, werkproces, its parts, vakkennis or competentie."""

    __tablename__ = "statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    kwalificatie_id: Mapped[int] = mapped_column(
        ForeignKey("kwalificaties.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)

    kwalificatie: Mapped[Kwalificatie] = relationship(back_populates="statements")


class Programme(Base):
    """The catalogue: one row per kwalificatie crebo, from the national list and/or an imported dossier."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    crebo: Mapped[str] = mapped_column(String(5), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    niveau: Mapped[int] = mapped_column(SmallInteger, index=True)
    dossier_crebo: Mapped[str] = mapped_column(String(5), index=True, default="")
    dossier_title: Mapped[str] = mapped_column(String(300), default="")
    domein: Mapped[str] = mapped_column(String(200), default="")
    leerweg: Mapped[str] = mapped_column(String(20), default="")
    soort_opleiding: Mapped[str] = mapped_column(String(50), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Workplace(Base):
    __tablename__ = "workplaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    organisation_unit: Mapped[str] = mapped_column(String(200), default="", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    # Bumped by every change; answered as the ETag, checked against If-Match (no silent overwrites).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    skills: Mapped[list[WorkplaceSkill]] = relationship(
        back_populates="workplace", cascade="all, delete-orphan", order_by="WorkplaceSkill.position"
    )


class WorkplaceSkill(Base):
    __tablename__ = "workplace_skills"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 3", name="weight_1_3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workplace_id: Mapped[int] = mapped_column(ForeignKey("workplaces.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(SmallInteger, default=2)
    must_have: Mapped[bool] = mapped_column(Boolean, default=False)
    trainable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Where the statement came from: "manual", "extracted" (from the description) or "import" (CSV/XLSX).
    origin: Mapped[str] = mapped_column(String(20), default="manual")

    workplace: Mapped[Workplace] = relationship(back_populates="skills")


class EmbeddingCache(Base):
    """A text's vector, per model and model version, so that re-importing costs nothing."""

    __tablename__ = "embedding_cache"
    __table_args__ = (
        UniqueConstraint("model", "model_version", "text_hash", name="uq_embedding_cache_model_version_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    model: Mapped[str] = mapped_column(String(100))
    model_version: Mapped[str] = mapped_column(String(50))
    text_hash: Mapped[str] = mapped_column(String(64))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes] = mapped_column(LargeBinary)


class CatalogueState(Base):
    """A single row whose version is bumped by every catalogue change, so in-memory indexes can refresh."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # The import job that holds the catalogue (one at a time, across replicas): set by a conditional
    # UPDATE … WHERE import_job_id IS NULL, cleared when the job ends (app.catalogue.jobs).
    import_job_id: Mapped[int | None] = mapped_column(Integer)


class ImportJob(Base):
    """An import of an uploaded document (SBB XML export or crebolijst) run in the background."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "sbb_xml" or "crebolijst"
    filename: Mapped[str] = mapped_column(String(300), default="")
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    # queued, parsing, embedding, committing, done, failed
    state: Mapped[str] = mapped_column(String(20), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")  # why it failed
    errors: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # where, for a malformed document
    dossiers: Mapped[int] = mapped_column(Integer, default=0)
    kwalificaties: Mapped[int] = mapped_column(Integer, default=0)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    statements_embedded: Mapped[int] = mapped_column(Integer, default=0)
    vectors_computed: Mapped[int] = mapped_column(Integer, default=0)
    outcomes: Mapped[dict[str, Any] | None] = mapped_column(
        JSON
    )  # {"dossiers": [...]} or {"crebolijst": {...}}
    # Which process runs it ("host:pid"), to tell a job whose process died on a single host (SQLite).
    runner: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Profile(Base):
    """A traineeship profile (vakgebied): a named group of workplaces that gets its own vacancy."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    members: Mapped[list[ProfileWorkplace]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="ProfileWorkplace.workplace_id"
    )


class ProfileWorkplace(Base):
    """A workplace's membership of a profile. Deleting either side removes the membership."""

    __tablename__ = "profile_workplaces"

    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), primary_key=True)
    workplace_id: Mapped[int] = mapped_column(
        ForeignKey("workplaces.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    profile: Mapped[Profile] = relationship(back_populates="members")
    workplace: Mapped[Workplace] = relationship()


class ApiKey(Base):
    """An API key. The secret is shown once at creation; only its SHA-256 is kept."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    # The first characters of the secret, to find the key without scanning; not secret on their own.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AuditRecord(Base):
    """One served match: who, when, what was asked, with which configuration and catalogue, and the result."""

    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), index=True
    )
    key_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    # What was served ("match": programmes for a workplace, stored or sent; "fit": workplaces for a
    # programme) and through which door ("api", "ui", "cli"); `request` holds its parameters.
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20))
    workplace_id: Mapped[int | None] = mapped_column(Integer)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    catalogue_version: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)


class Trainee(Base):
    """A trainee of the pool: personal data (AVG), so only what the planning needs. `ref` is a reference
    or a name, `begeleider` the traineebegeleider's name or reference; neither is ever logged."""

    __tablename__ = "trainees"
    __table_args__ = (CheckConstraint("niveau BETWEEN 1 AND 4", name="niveau_1_4"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(200))
    crebo: Mapped[str] = mapped_column(String(5))
    niveau: Mapped[int] = mapped_column(SmallInteger)
    profile_id: Mapped[int | None] = mapped_column(ForeignKey("profiles.id", ondelete="SET NULL"), index=True)
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    begeleider: Mapped[str] = mapped_column(String(200), default="")
    # Where the trainee went after the traineeship (a workplace of ours), when known: for the evaluation.
    landed_workplace_id: Mapped[int | None] = mapped_column(ForeignKey("workplaces.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class PoolPlan(Base):
    """A saved pool plan: the trainees' placements per period, with what it was planned under."""

    __tablename__ = "pool_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    start_date: Mapped[dt.date] = mapped_column(Date)  # the calendar's first day (the introduction month)
    periods: Mapped[int] = mapped_column(SmallInteger)
    max_per_directie: Mapped[int] = mapped_column(SmallInteger)
    min_coverage: Mapped[float]
    workplace_ids: Mapped[list[int]] = mapped_column(JSON)  # the workplaces offered to the planner
    status: Mapped[str] = mapped_column(String(20))  # the solver's: optimal, time_limit, infeasible, error
    objective: Mapped[float | None]
    mip_gap: Mapped[float | None]
    candidates_truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)  # a person changed a placement since
    scoring_version: Mapped[str] = mapped_column(String(50))
    model_version: Mapped[str] = mapped_column(String(100))
    catalogue_version: Mapped[int] = mapped_column(Integer)

    placements: Mapped[list[PoolPlacement]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="PoolPlacement.id",
    )


class PoolPlacement(Base):
    """One trainee in one period of a plan: at a workplace, or nowhere (with the planner's reason)."""

    __tablename__ = "pool_placements"
    __table_args__ = (
        UniqueConstraint("plan_id", "trainee_id", "period", name="uq_pool_placements_plan_trainee_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("pool_plans.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), index=True)
    period: Mapped[int] = mapped_column(SmallInteger)  # 1, 2, 3
    workplace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workplaces.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why there is no workplace
    overridden: Mapped[bool] = mapped_column(Boolean, default=False)

    plan: Mapped[PoolPlan] = relationship(back_populates="placements")


class TraineeProgress(Base):
    """A skill of a placement's workplace that the traineebegeleider marked as learnt."""

    __tablename__ = "trainee_progress"
    __table_args__ = (UniqueConstraint("placement_id", "skill", name="uq_trainee_progress_placement_skill"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), index=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("pool_placements.id", ondelete="CASCADE"))
    skill: Mapped[str] = mapped_column(Text)  # the workplace skill's text, as it was when marked
    learnt_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

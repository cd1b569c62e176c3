"""The embedding cache table: every query of `app.matching` is here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.matching.embedders import Matrix
from app.models import EmbeddingCache

_CHUNK = 500  # hashes per IN list, rows per INSERT


def get_vectors(
    session: Session, *, model: str, model_version: str, hashes: Sequence[str]
) -> dict[str, Matrix]:
    """The stored vectors of `model` at `model_version` for those of `hashes` that have one."""
    result: dict[str, Matrix] = {}
    for start in range(0, len(hashes), _CHUNK):
        chunk = list(hashes[start : start + _CHUNK])
        rows = session.execute(
            select(EmbeddingCache.text_hash, EmbeddingCache.vector).where(
                EmbeddingCache.model == model,
                EmbeddingCache.model_version == model_version,
                EmbeddingCache.text_hash.in_(chunk),
            )
        )
        for h, blob in rows:
            result[h] = np.frombuffer(blob, dtype=np.float32)
    return result


def add_vectors(session: Session, *, model: str, model_version: str, vectors: dict[str, Matrix]) -> None:
    """Store vectors by text hash; a hash stored already (by another process, say) is left as it is."""
    rows: list[dict[str, Any]] = [
        {
            "model": model,
            "model_version": model_version,
            "text_hash": h,
            "dim": int(v.shape[0]),
            "vector": np.asarray(v, dtype=np.float32).tobytes(),
        }
        for h, v in vectors.items()
    ]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(rows), _CHUNK):
        statement = insert(EmbeddingCache).values(rows[start : start + _CHUNK])
        session.execute(statement.on_conflict_do_nothing())

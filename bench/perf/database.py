"""The benchmark database: migrated by the real migrations, filled with the national catalogue, the
workplaces and their vectors (as a service that has imported its catalogue and matched its workplaces once).

Rows go in with bulk INSERTs rather than through `import_dossiers`: the synthetic dossiers have no XML,
and the import path itself is measured separately on the four real dossiers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import insert, make_url, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from app.db import make_engine
from app.matching.embedders import text_hash
from app.migrate import upgrade
from app.models import (
    CatalogueState,
    Dossier,
    EmbeddingCache,
    Kwalificatie,
    Programme,
    Statement,
    Workplace,
    WorkplaceSkill,
)
from bench.perf.data import SyntheticDossier, SyntheticWorkplace
from bench.quality.cache import CachedEmbedder

_BATCH = 2000


def fresh_sqlite(path: Path) -> Engine:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _chunks(rows: list[dict[str, object]]) -> list[list[dict[str, object]]]:
    return [rows[i : i + _BATCH] for i in range(0, len(rows), _BATCH)]


def load_catalogue(engine: Engine, catalogue: Sequence[SyntheticDossier]) -> int:
    """Insert the synthetic dossiers as current versions and bump the catalogue version; returns statements."""
    dossiers: list[dict[str, object]] = []
    kwalificaties: list[dict[str, object]] = []
    statements: list[dict[str, object]] = []
    programmes: list[dict[str, object]] = []
    for d_id, d in enumerate(catalogue, start=1):
        t = d.template
        content = "|".join(s.text for k in d.kwalificaties for s in k.statements)
        dossiers.append(
            {
                "id": d_id,
                "crebo": d.crebo,
                "sbb_nr": t.sbb_nr,
                "title": d.title,
                "versie": t.versie,
                "status": t.status,
                "domein": t.domein,
                "valid_from": t.valid_from,
                "vastgesteld_op": t.vastgesteld_op,
                "content_hash": hashlib.sha256(content.encode()).hexdigest(),
                "kerntaak_count": t.kerntaak_count,
                "werkproces_count": t.werkproces_count,
                "is_current": True,
                "imported_at": dt.datetime.now(dt.UTC),
            }
        )
        for k in d.kwalificaties:
            k_id = len(kwalificaties) + 1
            kwalificaties.append(
                {
                    "id": k_id,
                    "dossier_id": d_id,
                    "crebo": k.crebo,
                    "title": k.title,
                    "niveau": k.niveau,
                    "beroepsgroep": "",
                    "typering": "",
                }
            )
            statements.extend(
                {"kwalificatie_id": k_id, "position": i, "code": s.code, "kind": s.kind, "text": s.text}
                for i, s in enumerate(k.statements)
            )
            programmes.append(
                {
                    "crebo": k.crebo,
                    "title": k.title,
                    "niveau": k.niveau,
                    "dossier_crebo": d.crebo,
                    "dossier_title": d.title,
                    "domein": t.domein,
                    "leerweg": "",
                    "soort_opleiding": "",
                }
            )
    with engine.begin() as connection:
        for table, rows in (
            (Dossier, dossiers),
            (Kwalificatie, kwalificaties),
            (Statement, statements),
            (Programme, programmes),
        ):
            for chunk in _chunks(rows):
                connection.execute(insert(table), chunk)
        connection.execute(
            update(CatalogueState).where(CatalogueState.id == 1).values(version=CatalogueState.version + 1)
        )
    return len(statements)


def load_workplaces(engine: Engine, workplaces: Sequence[SyntheticWorkplace]) -> list[int]:
    rows: list[dict[str, object]] = []
    skills: list[dict[str, object]] = []
    for w_id, w in enumerate(workplaces, start=1):
        rows.append(
            {"id": w_id, "title": w.title, "organisation_unit": w.organisation_unit, "description": ""}
        )
        skills.extend(
            {
                "workplace_id": w_id,
                "position": i,
                "text": s.text,
                "weight": s.weight,
                "must_have": s.must_have,
                "trainable": s.trainable,
                "origin": "import",
            }
            for i, s in enumerate(w.skills)
        )
    with engine.begin() as connection:
        for chunk in _chunks(rows):
            connection.execute(insert(Workplace), chunk)
        for chunk in _chunks(skills):
            connection.execute(insert(WorkplaceSkill), chunk)
    return [int(r["id"]) for r in rows]  # type: ignore[call-overload]


def load_vectors(engine: Engine, parts: Sequence[CachedEmbedder], texts: Sequence[str]) -> int:
    """Write the disk-cached vectors of `texts` into `embedding_cache`, one row per text and model."""
    unique = list(dict.fromkeys(texts))
    rows: list[dict[str, object]] = []
    for part in parts:
        vectors = part.encode(unique)
        rows.extend(
            {
                "model": part.name,
                "model_version": part.version,
                "text_hash": text_hash(t),
                "dim": part.dim,
                "vector": np.asarray(v, dtype=np.float32).tobytes(),
            }
            for t, v in zip(unique, vectors, strict=True)
        )
    with engine.begin() as connection:
        for chunk in _chunks(rows):
            connection.execute(insert(EmbeddingCache), chunk)
    return len(rows)


POSTGRES_DATABASE = "skillmatch_bench_perf"


def postgres_copy(admin_url: str, embedder: str) -> str | None:
    """The benchmark data in a fresh PostgreSQL database (dropped first if left over); None when
    PostgreSQL does not answer. Returns the database's URL."""
    from bench.perf import cache, data  # the same deterministic data as the SQLite database

    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{POSTGRES_DATABASE}"'))
    except OperationalError:
        return None
    finally:
        admin.dispose()
    url = make_url(admin_url).set(database=POSTGRES_DATABASE).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    dossiers = data.real_dossiers()
    national = data.national_catalogue(dossiers)
    pool, _ = data.skill_phrases()
    load_catalogue(engine, national)
    load_workplaces(engine, data.workplaces(pool))
    texts = [s.text for d in national for k in d.kwalificaties for s in k.statements]
    load_vectors(engine, cache.cached_parts(embedder), texts + pool)
    with engine.begin() as connection:  # explicit ids were inserted: move the sequences past them
        for table in ("dossiers", "kwalificaties", "workplaces"):
            connection.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
    engine.dispose()
    return url


def drop_postgres(admin_url: str) -> None:
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{POSTGRES_DATABASE}" WITH (FORCE)'))
    admin.dispose()

"""Migrations: from zero to head and back on SQLite and PostgreSQL, and the models match the schema."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db import Base
from app.migrate import downgrade, upgrade

TABLES = {
    "dossiers",
    "kwalificaties",
    "statements",
    "programmes",
    "workplaces",
    "workplace_skills",
    "embedding_cache",
    "catalogue_state",
}


def test_schema_from_zero_matches_the_models(engine: Engine) -> None:
    # The session fixture migrated an empty database from zero to head.
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    downgrade(engine, "base")
    assert not (TABLES & set(inspect(engine).get_table_names()))
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES

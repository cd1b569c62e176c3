"""Migration 0006 adds the trainee tables and takes them away again, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from app.migrate import downgrade, upgrade

TABLES = {"trainees", "pool_plans", "pool_placements", "trainee_progress"}


def test_trainee_tables_up_and_down(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(engine, "0005")
    try:
        assert not TABLES & set(inspect(engine).get_table_names())
        assert "profiles" in set(inspect(engine).get_table_names())  # the rest stays
    finally:
        upgrade(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.begin() as connection:  # an erased trainee takes their placements along (ON DELETE CASCADE)
        connection.execute(
            text(
                "INSERT INTO trainees (ref, crebo, niveau, start_date, begeleider) VALUES ('t', '25901', 2, '2026-09-01', '')"
            )
        )
        trainee = connection.execute(text("SELECT max(id) FROM trainees")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO pool_plans (start_date, periods, max_per_directie, min_coverage, workplace_ids, status, "
                "candidates_truncated, overridden, scoring_version, model_version, catalogue_version) "
                "VALUES ('2026-09-01', 3, 4, 0.7, '[]', 'optimal', false, false, 'v', 'm', 1)"
            )
        )
        plan = connection.execute(text("SELECT max(id) FROM pool_plans")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO pool_placements (plan_id, trainee_id, period, reason, overridden) VALUES (:p, :t, 1, '', false)"
            ),
            {"p": plan, "t": trainee},
        )
        connection.execute(text("DELETE FROM trainees WHERE id = :t"), {"t": trainee})
        assert (
            connection.execute(
                text("SELECT count(*) FROM pool_placements WHERE plan_id = :p"), {"p": plan}
            ).scalar_one()
            == 0
        )
        connection.execute(text("DELETE FROM pool_plans WHERE id = :p"), {"p": plan})

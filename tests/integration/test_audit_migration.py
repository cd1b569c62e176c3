"""Migration 0005 carries the audit records over: a route string becomes a kind and a channel, and back."""

from __future__ import annotations

from sqlalchemy import Engine, text

from app.migrate import downgrade, upgrade

ROUTES = {
    "POST /v1/match": ("match", "api", None),
    "GET /v1/workplaces/{id}/matches": ("match", "api", 7),
    "GET /v1/programmes/{crebo}/workplaces": ("fit", "api", None),
    "GET /ui/werkplekken/{id}/matches": ("match", "ui", 7),
}
INSERT = text(
    "INSERT INTO audit_records (key_name, role, endpoint, workplace_id, request, config, "
    "catalogue_version, result) VALUES ('k', 'admin', :endpoint, :workplace_id, '{}', '{}', 1, '{}')"
)


def test_audit_records_keep_what_was_served_across_the_migration(engine: Engine) -> None:
    downgrade(engine, "0004")
    try:
        with engine.begin() as connection:
            for endpoint, (_kind, _channel, workplace_id) in ROUTES.items():
                connection.execute(INSERT, {"endpoint": endpoint, "workplace_id": workplace_id})
        upgrade(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT kind, channel, workplace_id FROM audit_records ORDER BY id")
            ).all()
        assert [tuple(r) for r in rows] == list(ROUTES.values())

        downgrade(engine, "0004")
        with engine.connect() as connection:
            endpoints = connection.execute(text("SELECT endpoint FROM audit_records ORDER BY id")).scalars()
            assert list(endpoints) == list(ROUTES)
    finally:
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM audit_records"))
        upgrade(engine)

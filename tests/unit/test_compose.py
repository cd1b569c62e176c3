"""docker-compose.yml: the service and PostgreSQL 16, both with health checks, data on a named volume,
and the service pointed at that database (no Docker engine needed to check this)."""

from __future__ import annotations

import yaml

from app.settings import Settings
from tests.conftest import ROOT


def test_compose_wires_the_service_to_postgres_16_with_health_checks() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    db, service = compose["services"]["db"], compose["services"]["skillmatch"]
    assert db["image"] == "postgres:16"
    assert service["build"] == "."
    assert (ROOT / "Dockerfile").is_file()
    assert db["healthcheck"]["test"]
    assert service["healthcheck"]["test"]
    assert service["depends_on"]["db"]["condition"] == "service_healthy"
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    url = service["environment"]["SKILLMATCH_DATABASE_URL"]
    assert "@db:5432/" + db["environment"]["POSTGRES_DB"] in url
    # the URL is one Settings accepts (the PostgreSQL driver we ship)
    assert Settings(
        database_url=url.replace("${SKILLMATCH_DB_PASSWORD:?set SKILLMATCH_DB_PASSWORD}", "x")
    ).database_url.startswith("postgresql+psycopg://")
    assert service["environment"]["SKILLMATCH_AUTH_DISABLED"] == "false"

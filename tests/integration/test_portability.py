"""`export` / `import-all`: every table round-trips losslessly SQLite → PostgreSQL → SQLite, ids and
foreign keys kept, vectors byte for byte; the import refuses a non-empty target and writes nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.audit import service as audit
from app.auth import keys
from app.auth.keys import Principal
from app.catalogue import portability
from app.catalogue import service as catalogue
from app.cli import cli
from app.db import make_engine, make_sessionmaker
from app.errors import Conflict, InvalidDocument
from app.matching.embedders import HashingEmbedder
from app.matching.service import build_matcher, match_workplace
from app.migrate import upgrade
from app.models import Dossier, EmbeddingCache, Kwalificatie, Profile, ProfileWorkplace, Statement, Workplace
from app.settings import Settings
from app.workplaces import service as workplaces
from tests.helpers import FIXTURE_DOSSIERS, FIXTURE_WORKPLACES
from tests.integration.throwaway import postgres_database
from tests.shared_data import shared_data_dir

SETTINGS = Settings(database_url="sqlite://", embedder="hashing", lexical="none", lexical_weight=0.0)


def _migrated(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    return engine


def _fill(sessions: sessionmaker[Session]) -> None:
    """Real fixture dossiers and workplaces through the services, with vectors, a profile and a crebolijst."""
    matcher = build_matcher(SETTINGS, HashingEmbedder())
    with sessions.begin() as session:
        catalogue.import_dossiers(
            session, documents=[p.read_bytes() for p in FIXTURE_DOSSIERS], on_change=matcher.embed_catalogue
        )
        catalogue.import_crebolijst(
            session,
            data=(shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv").read_bytes(),
        )
        imported = workplaces.import_workplaces(
            session, data=FIXTURE_WORKPLACES.read_bytes(), filename=FIXTURE_WORKPLACES.name
        )
        key = keys.create_key(session, name="ats-test", role="recruiter")
        for item in imported:
            # stores the workplace skills' vectors, and is recorded in the audit trail as the API does
            result = match_workplace(session, matcher, item.workplace.id)
            audit.record_match(
                session,
                asker=audit.Asker(Principal(name=key.key.name, role=key.key.role), "api"),
                params={"workplace_id": item.workplace.id},
                result=result,
                workplace_id=item.workplace.id,
            )
        keys.revoke_key(session, name="ats-test")
        profile = Profile(name="Facilitair", description="Werkplekken in de facilitaire dienst")
        profile.members = [ProfileWorkplace(workplace_id=item.workplace.id) for item in imported[:2]]
        session.add(profile)
    with sessions.begin() as session:  # a removed workplace leaves a gap in the ids, which must survive
        workplaces.delete_workplace(session, imported[-1].workplace.id)


def _export(engine: Engine) -> list[dict[str, Any]]:
    with make_sessionmaker(engine)() as session:
        buffer = io.StringIO()
        portability.write_jsonl(portability.export_all(session), buffer)
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    records[0].pop("exported_at")
    return records


def _import(engine: Engine, records: list[dict[str, Any]]) -> portability.PortabilityReport:
    lines = [json.dumps(r) for r in records]
    with make_sessionmaker(engine).begin() as session:
        return portability.import_all(session, portability.read_jsonl(lines))


@pytest.fixture
def sqlite_source(tmp_path: Path) -> Iterator[Engine]:
    engine = _migrated(f"sqlite:///{tmp_path / 'source.db'}")
    _fill(make_sessionmaker(engine))
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    with postgres_database() as url:
        yield url


def _counts(records: list[dict[str, Any]]) -> dict[str, int]:
    return {t["name"]: t["rows"] for t in records[0]["tables"]}


def test_round_trip_sqlite_postgres_sqlite(sqlite_source: Engine, postgres_url: str, tmp_path: Path) -> None:
    first = _export(sqlite_source)
    counts = _counts(first)
    # Every table of the schema is in the export, and the data is real: nothing trivially empty.
    assert set(counts) == {t.name for t in portability.tables()}
    for table in ("dossiers", "kwalificaties", "statements", "programmes", "workplaces", "workplace_skills"):
        assert counts[table] > 0, table
    assert counts["embedding_cache"] > 100
    assert counts["profile_workplaces"] == 2
    assert counts["api_keys"] == 1
    assert counts["audit_records"] == counts["workplaces"] + 1  # one was deleted after its match

    pg = _migrated(postgres_url)
    try:
        report = _import(pg, first)
        assert report.rows == counts
        second = _export(pg)
        assert second == first  # lossless: the same rows, ids, bytes, dates and texts

        # Restored with their real types on PostgreSQL: bytes are vectors again, dates are dates.
        with make_sessionmaker(pg)() as session:
            cached = session.scalars(select(EmbeddingCache).order_by(EmbeddingCache.id)).first()
            assert cached is not None
            vector = np.frombuffer(cached.vector, dtype=np.float32)
            assert vector.shape == (cached.dim,)
            assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-3)
            dossier = session.scalars(select(Dossier).where(Dossier.valid_from.is_not(None))).first()
            assert dossier is not None
            assert dossier.imported_at.tzinfo is not None
            # foreign keys hold: every statement's kwalificatie and dossier exist
            orphans = session.scalar(
                select(func.count())
                .select_from(Statement)
                .outerjoin(Kwalificatie, Statement.kwalificatie_id == Kwalificatie.id)
                .where(Kwalificatie.id.is_(None))
            )
            assert orphans == 0
        # The sequences were moved past the imported ids: a new row gets a fresh id, no clash.
        max_id = max(r["row"]["id"] for r in first if r.get("table") == "workplaces")
        with make_sessionmaker(pg).begin() as session:
            created = workplaces.create_workplace(
                session,
                data=workplaces.WorkplaceInput(
                    title="Nieuwe werkplek", organisation_unit="Test", description="", skills=()
                ),
            )
            assert created.id > max_id
            session.rollback()

        # And back again, through the command line: PostgreSQL → file → a fresh SQLite database.
        dump = tmp_path / "pg.jsonl"
        runner = CliRunner()
        result = runner.invoke(cli, ["export", str(dump)], env={"SKILLMATCH_DATABASE_URL": postgres_url})
        assert result.exit_code == 0, result.output
        target = f"sqlite:///{tmp_path / 'target.db'}"
        result = runner.invoke(cli, ["import-all", str(dump)], env={"SKILLMATCH_DATABASE_URL": target})
        assert result.exit_code == 0, result.output
        assert f"{sum(counts.values())} rows imported" in result.output
    finally:
        pg.dispose()
    back = make_engine(target)
    try:
        third = _export(back)
        assert third == first
        with make_sessionmaker(back)() as session:
            titles = session.scalars(select(Workplace.title).order_by(Workplace.id)).all()
            assert len(titles) == counts["workplaces"]
    finally:
        back.dispose()


def test_import_refuses_a_filled_database_and_writes_nothing(sqlite_source: Engine, tmp_path: Path) -> None:
    records = _export(sqlite_source)
    with pytest.raises(Conflict, match=r"not empty: .*dossiers"):
        _import(sqlite_source, records)

    target = _migrated(f"sqlite:///{tmp_path / 'target.db'}")
    try:
        # A cut file (last rows missing) is refused, and nothing of it stays behind.
        with pytest.raises(InvalidDocument, match="incomplete"):
            _import(target, records[:-3])
        broken = [json.dumps(r) for r in records]
        broken[5] = broken[5][:20]
        with (
            pytest.raises(InvalidDocument, match="line 6"),
            make_sessionmaker(target).begin() as session,
        ):
            portability.import_all(session, portability.read_jsonl(broken))
        assert all(r["rows"] == 0 for r in _export(target)[0]["tables"] if r["name"] != "catalogue_state")
        # after the failures, the same export goes in whole
        assert _import(target, records).rows == _counts(records)
    finally:
        target.dispose()


def test_cli_refuses_non_empty_target_with_a_clear_message(sqlite_source: Engine, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    url = sqlite_source.url.render_as_string(hide_password=False)
    runner = CliRunner()
    assert runner.invoke(cli, ["export", str(dump)], env={"SKILLMATCH_DATABASE_URL": url}).exit_code == 0
    result = runner.invoke(cli, ["import-all", str(dump)], env={"SKILLMATCH_DATABASE_URL": url})
    assert result.exit_code == 1
    assert "nothing was written" in result.output
    assert "not empty" in result.output

"""The command line: the same service functions as the API, no HTTP involved."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from app.catalogue import service as catalogue
from app.db import make_engine, make_sessionmaker
from app.matching.service import build_matcher
from app.migrate import upgrade
from app.settings import Settings, get_settings
from app.workplaces import service as workplaces

log = logging.getLogger("skillmatch")

cli = typer.Typer(help="skillmatch: match mbo programmes to workplaces on skills.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")

FIXTURES = Path(__file__).resolve().parent.parent / "data" / "fixtures"

Files = Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)]


def _setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _sessions() -> tuple[Settings, sessionmaker[Session]]:
    settings = get_settings()
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return settings, make_sessionmaker(engine)


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    _setup_logging()
    engine = make_engine(get_settings().database_url)
    upgrade(engine)
    typer.echo(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@cli.command("import-dossiers")
def import_dossiers(files: Files) -> None:
    """Import SBB kwalificatiedossier XML files (all-or-nothing)."""
    _setup_logging()
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    started = time.perf_counter()
    with sessions.begin() as session:
        report = catalogue.import_dossiers(
            session, documents=[f.read_bytes() for f in files], on_change=matcher.embed_catalogue
        )
    for item in report.items:
        typer.echo(f"{item.crebo} {item.title}: {item.status} ({item.kwalificaties} kwalificaties)")
    typer.echo(
        f"{report.dossiers} dossiers, {report.kwalificaties} kwalificaties, {report.werkprocessen} werkprocessen, "
        f"{report.statements} statements in {time.perf_counter() - started:.2f} s"
    )


@cli.command("import-catalogue")
def import_catalogue(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import the national list of kwalificaties (crebolijst CSV) as catalogue metadata."""
    _setup_logging()
    _settings, sessions = _sessions()
    with sessions.begin() as session:
        report = catalogue.import_crebolijst(session, data=file.read_bytes())
    typer.echo(f"{report.entries} kwalificaties: {report.created} new, {report.updated} updated")


@cli.command("import-workplaces")
def import_workplaces(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Import workplaces from CSV or XLSX, one row per skill (all-or-nothing)."""
    _setup_logging()
    _settings, sessions = _sessions()
    with sessions.begin() as session:
        imported = workplaces.import_workplaces(session, data=file.read_bytes(), filename=file.name)
    for item in imported:
        typer.echo(
            f"{item.workplace.id} {item.workplace.title}: {item.status} ({len(item.workplace.skills)} skills)"
        )


@cli.command("demo")
def demo() -> None:
    """Load the demo data from data/fixtures (idempotent)."""
    dossiers = sorted((FIXTURES / "dossiers").glob("*.xml"))
    import_dossiers(dossiers)
    import_workplaces(FIXTURES / "workplaces.csv")


@cli.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Apply pending migrations, then serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    _setup_logging()
    upgrade(make_engine(get_settings().database_url))
    uvicorn.run("app.main:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def main() -> None:
    cli()

"""The command line: the same service functions as the API, no HTTP involved."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session, sessionmaker

from app.auth import keys
from app.catalogue import portability
from app.catalogue import service as catalogue
from app.db import make_engine, make_sessionmaker
from app.errors import DomainError
from app.logs import configure_json_logging
from app.matching.service import build_matcher
from app.migrate import upgrade
from app.planning import profiles as planning_profiles
from app.planning import rotations as planning_rotations
from app.planning import vacancy as planning_vacancy
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


@cli.command("export")
def export(file: Annotated[Path, typer.Argument(dir_okay=False, help="JSON-lines file to write")]) -> None:
    """Write ALL data (every table, ids kept) to a JSON-lines file, for `import-all` into another database."""
    _setup_logging()
    _settings, sessions = _sessions()
    partial = file.with_name(file.name + ".partial")
    with sessions() as session:
        if session.get_bind().dialect.name == "postgresql":
            # one snapshot for all tables, so the export is consistent while others write
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        try:
            with partial.open("w", encoding="utf-8") as out:
                lines = portability.write_jsonl(portability.export_all(session), out)
        except DomainError as error:
            partial.unlink(missing_ok=True)
            typer.echo(f"export failed: {error.detail}", err=True)
            raise typer.Exit(1) from error
    partial.replace(file)
    typer.echo(f"{lines - 1} rows written to {file}")


@cli.command("import-all")
def import_all(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]) -> None:
    """Load a file written by `export` into an EMPTY database (all-or-nothing, ids kept)."""
    _setup_logging()
    _settings, sessions = _sessions()
    try:
        with sessions.begin() as session, file.open(encoding="utf-8") as lines:
            report = portability.import_all(session, portability.read_jsonl(lines))
    except DomainError as error:
        typer.echo(f"import-all failed, nothing was written: {error.detail}", err=True)
        raise typer.Exit(1) from error
    for name, count in report.rows.items():
        typer.echo(f"{name}: {count}")
    typer.echo(f"{report.total} rows imported at schema revision {report.revision}")


@cli.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
) -> None:
    """Apply pending migrations, then serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    configure_json_logging()
    settings = get_settings()
    upgrade(make_engine(settings.database_url))
    if settings.auth_disabled:
        log.warning("serving WITHOUT authentication (SKILLMATCH_AUTH_DISABLED=true): for local use only")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        log_config=None,
        access_log=False,
    )


keys_cli = typer.Typer(help="API keys (roles: recruiter, project, vacancy, admin).", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")


@keys_cli.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="recruiter, project, vacancy or admin")],
    name: Annotated[str, typer.Option(help="Who holds the key, e.g. 'ats-productie'")],
) -> None:
    """Create a key. The secret is printed once; only its hash is stored."""
    _settings, sessions = _sessions()
    with sessions.begin() as session:
        created = keys.create_key(session, name=name, role=role)
        typer.echo(f"key {created.key.id} '{name}' ({role}) created. Secret, shown only now:")
        typer.echo(created.secret)


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Option(help="The key's name")]) -> None:
    """Revoke a key by name; it stops working at once."""
    _settings, sessions = _sessions()
    with sessions.begin() as session:
        key = keys.revoke_key(session, name=name)
    typer.echo(f"key '{key.name}' revoked")


@keys_cli.command("list")
def keys_list() -> None:
    """List keys (never their secrets)."""
    _settings, sessions = _sessions()
    with sessions() as session:
        for key in keys.list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
            typer.echo(f"{key.id}\t{key.name}\t{key.role}\t{state}")


@cli.command("suggest-profiles")
def suggest_profiles(
    k: Annotated[int, typer.Option(help="Number of profiles")] = 4,
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same profiles")] = 0,
) -> None:
    """Cluster the stored workplaces into k traineeship profiles by their skills (stores nothing)."""
    _setup_logging()
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    with sessions() as session:
        try:
            suggestion = planning_profiles.suggest_profiles(session, matcher, k=k, seed=seed)
        except DomainError as error:
            typer.echo(f"suggest-profiles failed: {error.detail}", err=True)
            raise typer.Exit(1) from error
    for profile in suggestion.profiles:
        ids = ", ".join(str(w.id) for w in profile.workplaces)
        typer.echo(f"{profile.name}: workplaces {ids} ({'; '.join(profile.directies)})")


@cli.command("rotations")
def rotations(
    crebo: Annotated[str, typer.Argument(help="Kwalificatie crebo (25xxx)")],
    directie: Annotated[list[str] | None, typer.Option(help="Only this directie; repeat for several")] = None,
    limit: Annotated[int, typer.Option(help="Proposals to show")] = 3,
) -> None:
    """Propose ordered workplace triples for a trainee with this diploma."""
    _setup_logging()
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    with sessions() as session:
        try:
            result = planning_rotations.propose_rotations(
                session, matcher, crebo, directies=directie, limit=limit
            )
        except DomainError as error:
            typer.echo(f"rotations failed: {error.detail}", err=True)
            raise typer.Exit(1) from error
    if not result.proposals:
        typer.echo(f"no proposals: {result.reason}")
    for rotation in result.proposals:
        steps = " -> ".join(
            f"{s.workplace.id} {s.workplace.title} ({s.status}, {s.effective_coverage:.0%})"
            for s in rotation.steps
        )
        typer.echo(f"score {rotation.score:.3f}: {steps}")


@cli.command("vacancy")
def vacancy_text(
    profile: Annotated[int | None, typer.Option(help="Profile id")] = None,
    workplace: Annotated[int | None, typer.Option(help="Workplace id")] = None,
) -> None:
    """Print the Dutch Markdown vacancy of a saved profile or a workplace."""
    if (profile is None) == (workplace is None):
        typer.echo("give exactly one of --profile or --workplace", err=True)
        raise typer.Exit(2)
    _setup_logging()
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    with sessions() as session:
        try:
            feed = (
                planning_vacancy.profile_vacancy(session, matcher, profile)
                if profile is not None
                else planning_vacancy.workplace_vacancy(session, matcher, workplace or 0)
            )
        except DomainError as error:
            typer.echo(f"vacancy failed: {error.detail}", err=True)
            raise typer.Exit(1) from error
    typer.echo(planning_vacancy.to_markdown(feed))


def main() -> None:
    cli()

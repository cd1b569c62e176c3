"""The command line: the same service functions as the API, no HTTP involved."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from typer._click.core import Context  # the click that typer runs on (vendored)
from typer.core import TyperGroup

from app.audit.service import Asker
from app.auth import keys
from app.auth.keys import Principal
from app.catalogue import portability
from app.catalogue import service as catalogue
from app.db import make_engine, make_sessionmaker
from app.errors import DomainError, ImportRunning, InvalidDocument, NotFound
from app.imports.runner import ImportRunner, Progress
from app.imports.service import Document
from app.logs import configure_json_logging
from app.matches import service as matches
from app.matching.service import MatchResult, build_matcher
from app.migrate import upgrade
from app.planning import profiles as planning_profiles
from app.planning import rotations as planning_rotations
from app.planning import vacancy as planning_vacancy
from app.settings import Settings, get_settings
from app.workplaces import service as workplaces
from app.workplaces.service import SkillInput

log = logging.getLogger("skillmatch")

# Exit codes (README, "Exit codes"): the same cases as the API's problem+json answers.
EXIT_REFUSED = (
    1  # the data does not allow it (API 409/412/422 other than a document): e.g. a non-empty target
)
EXIT_USAGE = 2  # a missing file or a wrong option (typer's own)
EXIT_INVALID_DOCUMENT = (
    3  # a document that cannot be imported (API 415/422 invalid-document); nothing written
)
EXIT_NOT_FOUND = 4  # API 404
EXIT_BUSY = 5  # another import is running (API 409 naming the job); try again when it has ended
EXIT_DATABASE = 6  # the database does not answer (API 503)

DATABASE_UNAVAILABLE = "error: Service unavailable: the database does not answer; try again shortly"


def exit_code(error: DomainError) -> int:
    if isinstance(error, InvalidDocument):
        return EXIT_INVALID_DOCUMENT
    if isinstance(error, NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, ImportRunning):
        return EXIT_BUSY
    return EXIT_REFUSED


def report_error(error: DomainError, note: str = "") -> int:
    """Print a domain error as the API's problem+json says it (title, detail, and per error the file,
    line and element); returns the exit code. Never a traceback: these are the user's mistakes."""
    lines = [note] if note else []
    lines.append(f"error: {error.title}: {error.detail}")
    if isinstance(error, InvalidDocument):
        for item in error.errors:
            where = f"{error.document}: {item.location}" if error.document else item.location
            lines.append(f"  {where}: {item.message}")
    for line in lines:
        typer.echo(line, err=True)
    return exit_code(error)


class _Commands(TyperGroup):
    """Every command's domain errors (and an unreachable database) end in a message and an exit code."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as error:
            raise typer.Exit(report_error(error)) from None
        except (OperationalError, InterfaceError):
            typer.echo(DATABASE_UNAVAILABLE, err=True)
            raise typer.Exit(EXIT_DATABASE) from None


cli = typer.Typer(
    help="skillmatch: match mbo programmes to workplaces on skills.", no_args_is_help=True, cls=_Commands
)
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


class _ProgressDisplay:
    """An import's progress: a bar on a terminal, plain lines otherwise (a log, a pipe)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.state = ""
        self.bar: Any = None
        self.shown = 0
        self.step = 0

    def __call__(self, progress: Progress) -> None:
        if progress.state != self.state:
            self.close()
            self.state = progress.state
            if progress.state == "embedding" and self.tty and progress.statements:
                self.bar = typer.progressbar(
                    length=progress.statements,
                    label=f"embedding {progress.statements} statements",
                    file=self.stream,
                )
                self.bar.__enter__()
            elif progress.state == "embedding":
                self._line(f"embedding {progress.statements} statements of {progress.dossiers} dossiers")
            elif progress.state not in {"parsing", "done", "failed"}:
                self._line(progress.state)
        if progress.state == "parsing" and progress.dossiers:
            if self.tty:
                self.stream.write(f"\rparsing: {progress.dossiers} dossiers")
                self.stream.flush()
        elif progress.state == "embedding" and progress.statements:
            if self.bar is not None:
                self.bar.update(progress.statements_embedded - self.shown)
                self.shown = progress.statements_embedded
            else:
                tenth = progress.statements_embedded * 10 // progress.statements
                if tenth > self.step:
                    self.step = tenth
                    self._line(f"embedded {progress.statements_embedded}/{progress.statements} statements")

    def _line(self, text: str) -> None:
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        elif self.state == "parsing" and self.tty:
            self.stream.write("\n")


@cli.command("import-dossiers")
def import_dossiers(files: Files) -> None:
    """Import SBB kwalificatiedossier XML files (all-or-nothing), as an import job run here: one import at
    a time, also against `skillmatch serve` on the same database. Progress goes to stderr."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    runner = ImportRunner(sessions, matcher, background=False)
    display = _ProgressDisplay(sys.stderr)
    started = time.perf_counter()
    try:
        job = runner.submit(
            [Document(f, str(f)) for f in files], kind="sbb_xml", on_progress=display, raise_failure=True
        )
    finally:
        display.close()
    outcomes = (job.outcomes or {}).get("dossiers", [])
    for item in outcomes:
        typer.echo(
            f"{item['crebo']} {item['title']}: {item['status']} ({item['kwalificaties']} kwalificaties)"
        )
    werkprocessen = sum(int(item["werkprocessen"]) for item in outcomes)
    typer.echo(
        f"{job.dossiers} dossiers, {job.kwalificaties} kwalificaties, {werkprocessen} werkprocessen, "
        f"{job.statements} statements in {time.perf_counter() - started:.2f} s (import job {job.id})"
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
            raise typer.Exit(report_error(error, "export failed")) from None
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
        raise typer.Exit(report_error(error, "import-all failed, nothing was written")) from None
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


# Who asks when the command line serves a match (its audit records carry channel "cli").
COMMAND_LINE = Principal(name="command-line", role="admin")


def _workplace_file(file: Path) -> dict[str, Any]:
    """A workplace as `POST /v1/match` takes it (title, description, skills, niveau, min_coverage,
    limit), read from a JSON file; InvalidDocument when it is not one."""
    try:
        sent = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidDocument(f"{file.name} is not JSON: {error}") from None
    skills = sent.get("skills") if isinstance(sent, dict) else None
    if not isinstance(sent, dict) or not (
        skills is None
        or (isinstance(skills, list) and all(isinstance(s, dict) and "text" in s for s in skills))
    ):
        raise InvalidDocument(
            f"{file.name}: give an object with a description and/or skills [{{'text': …}}, …]"
        )
    return sent


def _file_skills(sent: dict[str, Any], file: Path) -> list[SkillInput]:
    try:
        return [
            SkillInput(
                str(s["text"]),
                int(s.get("weight", 2)),
                bool(s.get("must_have", False)),
                bool(s.get("trainable", False)),
                "manual",
            )
            for s in sent.get("skills") or []
        ]
    except (TypeError, ValueError) as error:
        raise InvalidDocument(f"{file.name}: a skill's weight is a number 1 to 3 ({error})") from None


def _print_match(result: MatchResult, match_id: int) -> None:
    for m in result.matches:
        label = "eligible" if m.eligible else "not eligible"
        typer.echo(
            f"{m.programme.crebo} {m.programme.title} (niveau {m.programme.niveau}): {m.coverage:.0%}, {label}"
        )
    if not result.matches:
        typer.echo("no programme to show")
    typer.echo(f"match {match_id} (recorded in the audit trail)")


@cli.command("match")
def match(
    workplace: Annotated[int | None, typer.Argument(help="A stored workplace's id")] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False, readable=True, help="A workplace as POST /v1/match takes it"
        ),
    ] = None,
    niveau: Annotated[
        list[int] | None, typer.Option(help="Only this niveau (1-4); repeat for several")
    ] = None,
    min_coverage: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Minimum coverage")] = None,
    limit: Annotated[int | None, typer.Option(min=1, max=500, help="Programmes to show (10)")] = None,
) -> None:
    """Rank programmes for a stored workplace or one in a JSON file; recorded in the audit trail like
    every match the API serves."""
    if (workplace is None) == (file is None):
        typer.echo("give exactly one of WORKPLACE or --file", err=True)
        raise typer.Exit(EXIT_USAGE)
    _setup_logging()
    settings, sessions = _sessions()
    matcher = build_matcher(settings)
    asker = Asker(COMMAND_LINE, "cli")
    with sessions.begin() as session:
        if workplace is not None:
            stored = matches.match_workplace(
                session,
                matcher,
                workplace,
                asker=asker,
                render=matches.Scored.of,
                niveau=niveau,
                min_coverage=min_coverage,
                limit=limit or 10,
            )
            result, match_id = stored.answer.result, stored.match_id
        else:
            sent = _workplace_file(file or Path())
            skills = _file_skills(sent, file or Path())
            adhoc = matches.match_adhoc(
                session,
                matcher,
                asker=asker,
                title=sent.get("title"),
                description=sent.get("description"),
                skills=skills or None,
                niveau=niveau or sent.get("niveau"),
                min_coverage=min_coverage if min_coverage is not None else sent.get("min_coverage"),
                limit=limit or int(sent.get("limit", 10)),
            )
            result, match_id = adhoc.answer, adhoc.match_id
    _print_match(result, match_id)


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
            raise typer.Exit(report_error(error, "suggest-profiles failed")) from None
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
            raise typer.Exit(report_error(error, "rotations failed")) from None
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
        raise typer.Exit(EXIT_USAGE)
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
            raise typer.Exit(report_error(error, "vacancy failed")) from None
    typer.echo(planning_vacancy.to_markdown(feed))


def main() -> None:
    cli()

"""`skillmatch match`: a stored workplace or a JSON file, ranked and recorded in the audit trail."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from app.cli import EXIT_INVALID_DOCUMENT, EXIT_NOT_FOUND, EXIT_USAGE, cli
from app.db import make_engine


def _run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, list(args), env={"SKILLMATCH_DATABASE_URL": url, "SKILLMATCH_EMBEDDER": "hashing"}
    )
    return result.exit_code, result.output


def _records(url: str) -> list[tuple[str, str, str, int | None]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT key_name, kind, channel, workplace_id FROM audit_records ORDER BY id")
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_match_serves_and_records_a_stored_workplace_and_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run(url, "demo")[0] == 0
    code, output = _run(url, "match", "1", "--limit", "3")
    assert code == 0, output
    assert output.strip().splitlines()[-1] == "match 1 (recorded in the audit trail)"
    assert len(output.strip().splitlines()) == 4  # three programmes, then the match id

    workplace = tmp_path / "workplace.json"
    workplace.write_text(
        json.dumps({"title": "Post", "skills": [{"text": "sorteert de post", "must_have": True}]}),
        encoding="utf-8",
    )
    code, output = _run(url, "match", "--file", str(workplace))
    assert code == 0, output
    assert "match 2 (recorded in the audit trail)" in output
    assert _records(url) == [("command-line", "match", "cli", 1), ("command-line", "match", "cli", None)]


def test_match_refuses_what_it_cannot_serve(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert _run(url, "match")[0] == EXIT_USAGE
    assert _run(url, "match", "999")[0] == EXIT_NOT_FOUND
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2", encoding="utf-8")
    code, output = _run(url, "match", "--file", str(broken))
    assert code == EXIT_INVALID_DOCUMENT
    assert "Traceback" not in output
    assert _records(url) == []

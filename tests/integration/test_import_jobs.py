"""Import jobs: a national-size SBB export uploaded through the web interface or the job API, followed
from another replica, ends in the same catalogue as the CLI's import of the same file; one job at a time;
limits, malformed documents and the CLI's answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from app.cli import EXIT_INVALID_DOCUMENT, cli
from app.main import create_app
from app.matching.embedders import Embedder
from bench.perf.export import Export, write_export
from tests.helpers import assert_problem
from tests.imports import (
    catalogue_snapshot,
    count,
    database,
    fixture_export,
    follow,
    real_dossiers,
    replica,
    settings_for,
)

MB = 1_000_000


@pytest.fixture(scope="module")
def export_24mb(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """160 dossiers copied from the 4 real ones with every text perturbed: 24.7 MB, 560 kwalificaties."""
    export = write_export(tmp_path_factory.mktemp("export") / "export.xml", real_dossiers(), dossiers=160)
    assert export.size_bytes > 24 * MB
    return export


def _cli_import(url: str, path: Path) -> str:
    result = CliRunner().invoke(
        cli,
        ["import-dossiers", str(path)],
        env={"SKILLMATCH_DATABASE_URL": url, "SKILLMATCH_EMBEDDER": "hashing"},
    )
    assert result.exit_code == 0, result.output
    return result.output


def _ui_progress(page: str) -> int:
    found = re.search(r'<progress id="import-progress" max="100" value="(\d+)"', page)
    assert found, page
    return int(found.group(1))


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_24_mb_export_as_a_job_ends_as_the_cli_import_of_it(
    backend: str, export_24mb: Export, hashing_embedder: Embedder, tmp_path: Path
) -> None:
    """SQLite: uploaded through the web interface, followed on its page; PostgreSQL: through the JSON API.
    Either way a second replica reports the progress, refuses a second import with 409, and sees the
    catalogue change; the catalogue equals the one `skillmatch import-dossiers` makes of the same file."""
    data = export_24mb.path.read_bytes()
    with database(backend, tmp_path, "jobs") as url, database(backend, tmp_path, "cli") as cli_url:
        with replica(url, hashing_embedder) as a, replica(url, hashing_embedder) as b:
            version_before = b.get("/health").json()["catalogue_version"]
            if backend == "sqlite":
                answer = a.post(
                    "/ui/catalogus/import",
                    files={"file": ("landelijk.xml", data, "text/xml")},
                    follow_redirects=False,
                )
                assert answer.status_code == 303, answer.text
                job_id = int(answer.headers["location"].rsplit("/", 1)[1])
                page = b.get(answer.headers["location"])
                assert page.status_code == 200
                assert (
                    '<meta http-equiv="refresh" content="2">' in page.text
                )  # refreshes itself, no JavaScript
                assert 0 <= _ui_progress(page.text) < 100
            else:
                answer = a.post("/v1/imports", files={"file": ("landelijk.xml", data, "application/xml")})
                assert answer.status_code == 202, answer.text
                assert answer.json()["state"] in {"queued", "parsing"}
                job_id = answer.json()["id"]
                assert answer.headers["location"] == f"/v1/imports/{job_id}"

            # One at a time, across replicas: B refuses a second import, naming the running job.
            second = b.post("/v1/imports", content=b"<sbb/>", headers={"content-type": "application/xml"})
            assert_problem(second, 409, f"import job {job_id} is running")

            seen = follow(lambda: b.get(f"/v1/imports/{job_id}").json())
            states = [s["state"] for s in seen]
            done = seen[-1]
            assert done["state"] == "done", done
            assert {"parsing", "embedding", "committing"} <= set(states)
            partial = [s for s in seen if s["state"] == "embedding" and 0 < s["progress"] < 1]
            assert partial, states  # progress was seen part way, from the other replica
            assert all(p["counts"]["statements"] == done["counts"]["statements"] for p in partial)
            assert done["counts"]["dossiers"] == export_24mb.dossiers == len(done["dossiers"]) == 160
            assert done["counts"]["kwalificaties"] == export_24mb.kwalificaties
            assert done["counts"]["statements_embedded"] == done["counts"]["statements"] > 100_000
            assert {d["status"] for d in done["dossiers"]} == {"created"}
            assert done["elapsed_seconds"] > 0

            if backend == "sqlite":
                page = a.get(f"/ui/catalogus/import/{job_id}").text
                assert "http-equiv" not in page
                assert _ui_progress(page) == 100
                assert page.count("nieuw ingelezen") == 160
            # B's matcher follows the catalogue version the job moved.
            assert b.get("/health").json()["catalogue_version"] == version_before + 1
            assert (
                b.post(
                    "/v1/imports", content=b"<sbb/>", headers={"content-type": "application/xml"}
                ).status_code
                == 202
            )

        output = _cli_import(cli_url, export_24mb.path)
        assert "160 dossiers, 560 kwalificaties" in output
        job_catalogue, cli_catalogue = catalogue_snapshot(url), catalogue_snapshot(cli_url)
        assert len(job_catalogue["statements"]) == done["counts"]["statements"]
        for part in ("dossiers", "kwalificaties", "statements", "programmes", "vectors"):
            assert job_catalogue[part] == cli_catalogue[part], part
        assert job_catalogue["version"] == cli_catalogue["version"] == [(1, None)]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_job_through_one_replica_is_ranked_by_the_others_next_match(
    backend: str, hashing_embedder: Embedder, tmp_path: Path
) -> None:
    export = fixture_export(tmp_path / "small.xml", dossiers=6)
    with (
        database(backend, tmp_path, "replicas") as url,
        replica(url, hashing_embedder) as a,
        replica(url, hashing_embedder) as b,
    ):
        empty = b.post("/v1/match", json={"skills": [{"text": "Begeleidt kinderen bij spel"}]})
        assert empty.json()["type"] == "/problems/no-programmes"
        answer = a.post("/v1/imports", content=export.path.read_bytes(), headers={"content-type": "text/xml"})
        assert answer.status_code == 202, answer.text
        done = follow(lambda: b.get(answer.headers["location"]).json())[-1]
        assert done["state"] == "done", done
        match = b.post("/v1/match", json={"skills": [{"text": "Begeleidt kinderen bij spel"}], "limit": 50})
        assert match.status_code == 200, match.text
        crebos = {m["programme"]["dossier"]["crebo"] for m in match.json()["matches"]}
        assert crebos == {d["crebo"] for d in done["dossiers"]}
        listed = b.get("/v1/imports").json()["items"]
        assert [j["id"] for j in listed] == [done["id"]]


@pytest.fixture
def small_client(session_factory: sessionmaker[Session], hashing_embedder: Embedder) -> Any:
    app = create_app(
        settings_for("sqlite://", max_import_bytes=5_000),
        embedder=hashing_embedder,
        session_factory=session_factory,
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_an_upload_above_max_import_bytes_is_413(small_client: TestClient) -> None:
    body = b"<sbb>" + b" " * 6_000 + b"</sbb>"
    declared = small_client.post("/v1/imports", content=body, headers={"content-type": "application/xml"})
    assert_problem(declared, 413, "5000")
    streamed = small_client.post(
        "/v1/imports", content=iter([body[:3_000], body[3_000:]]), headers={"content-type": "application/xml"}
    )
    assert_problem(streamed, 413, "5000")
    assert small_client.get("/v1/imports").json()["items"] == []


def test_max_import_bytes_is_its_own_limit_above_max_upload_bytes(client: TestClient, tmp_path: Path) -> None:
    export = fixture_export(tmp_path / "big.xml", dossiers=360)
    data = export.path.read_bytes()
    assert len(data) > 10 * MB  # above max_upload_bytes
    assert_problem(
        client.post("/v1/dossiers", content=data, headers={"content-type": "application/xml"}), 413
    )
    answer = client.post("/v1/imports", content=data, headers={"content-type": "application/xml"})
    assert answer.status_code == 202, answer.text
    done = client.get(answer.headers["location"]).json()
    assert done["state"] == "done"
    assert done["counts"]["dossiers"] == 360


def test_a_malformed_export_fails_its_job_with_line_and_element_and_changes_nothing(
    client: TestClient, tmp_path: Path
) -> None:
    export = fixture_export(tmp_path / "bad.xml", dossiers=4)
    data = export.path.read_bytes().replace(b'niveau="3"', b'niveau="9"')
    answer = client.post("/v1/imports", files={"file": ("landelijk.xml", data, "text/xml")})
    assert answer.status_code == 202, answer.text
    job = client.get(answer.headers["location"]).json()
    assert job["state"] == "failed"
    assert job["detail"].startswith("landelijk.xml: the SBB XML document has ")
    assert job["errors"]
    for error in job["errors"]:
        assert error["document"] == "landelijk.xml"
        assert re.fullmatch(r'line \d+, <profiel titel="[^"]+">', error["location"]), error
        assert error["message"] == "niveau must be 1 to 4, not '9'"
    assert client.get("/v1/dossiers").json()["items"] == []
    # the catalogue is free again: the next import runs
    good = client.post(
        "/v1/imports",
        content=fixture_export(tmp_path / "good.xml", 2).path.read_bytes(),
        headers={"content-type": "application/xml"},
    )
    assert client.get(good.headers["location"]).json()["state"] == "done"


def test_unknown_job_is_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/imports/999999"), 404, "import job 999999 does not exist")


def test_the_ui_imports_an_export_as_a_job_and_shows_the_outcome_per_dossier(
    client: TestClient, tmp_path: Path
) -> None:
    export = fixture_export(tmp_path / "ui.xml", dossiers=5)
    answer = client.post(
        "/ui/catalogus/import",
        files={"file": ("ui.xml", export.path.read_bytes(), "text/xml")},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert page.status_code == 200
    assert 'data-state="done"' in page.text
    assert "http-equiv" not in page.text
    assert page.text.count("nieuw ingelezen") == 5
    catalogue = client.get("/ui/catalogus").text
    assert 'data-testid="latest-import"' in catalogue
    assert "klaar" in catalogue
    bad = client.post("/ui/catalogus/import", files={"file": ("kapot.xml", b"<sbb><dossiers>", "text/xml")})
    page = client.get(bad.url).text if bad.status_code == 200 else bad.text
    assert "De import is mislukt; de catalogus is niet veranderd." in page
    assert "kapot.xml: regel 1, kolom 15" in page


def test_the_cli_answers_a_malformed_file_with_file_line_and_element(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    source = fixture_export(tmp_path / "source.xml", dossiers=2).path.read_text(encoding="utf-8")
    bad.write_text(source.replace('niveau="3"', 'niveau="9"', 1), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = CliRunner().invoke(
        cli,
        ["import-dossiers", str(bad)],
        env={"SKILLMATCH_DATABASE_URL": url, "SKILLMATCH_EMBEDDER": "hashing"},
    )
    assert result.exit_code == EXIT_INVALID_DOCUMENT == 3
    lines = result.output.strip().splitlines()
    assert lines[0] == "error: Invalid document: the SBB XML document has 1 structural error"
    (where,) = lines[1:]
    assert re.fullmatch(
        rf'  {re.escape(str(bad))}: line \d+, <profiel titel="[^"]+">: niveau must be 1 to 4, not \'9\'',
        where,
    )
    assert "Traceback" not in result.output
    assert count(url, "SELECT count(*) FROM dossiers") == 0
    failed = count(url, "SELECT count(*) FROM import_jobs WHERE state = 'failed'")
    assert failed == 1


def test_a_service_stopped_during_a_job_marks_it_failed(hashing_embedder: Embedder, tmp_path: Path) -> None:
    """Shutdown (SIGTERM: the lifespan ends) stops the job at its next chunk: failed, catalogue unchanged."""
    export = fixture_export(tmp_path / "stop.xml", dossiers=300)
    with database("sqlite", tmp_path, "stop") as url:
        with replica(url, hashing_embedder) as a:
            answer = a.post(
                "/v1/imports", content=export.path.read_bytes(), headers={"content-type": "text/xml"}
            )
            assert answer.status_code == 202, answer.text
            location = answer.headers["location"]
        with replica(url, hashing_embedder) as b:
            job = b.get(location).json()
        assert job["state"] == "failed", job
        assert job["detail"].startswith("the service was stopped during the import")
        assert count(url, "SELECT count(*) FROM dossiers") == 0
        assert count(url, "SELECT import_job_id IS NULL FROM catalogue_state") == 1


def test_the_crebolijst_is_imported_as_a_job_too(client: TestClient) -> None:
    from tests.shared_data import shared_data_dir

    path = shared_data_dir() / "sbb-hks-2015-crebolijst" / "hks_2015_kwalificaties.csv"
    answer = client.post("/v1/imports", content=path.read_bytes(), headers={"content-type": "text/csv"})
    assert answer.status_code == 202, answer.text
    job = client.get(answer.headers["location"]).json()
    assert job["state"] == "done", job
    assert job["kind"] == "crebolijst"
    assert job["crebolijst"]["entries"] == job["counts"]["kwalificaties"] > 400
    assert client.get("/v1/programmes?limit=1").json()["total"] == job["crebolijst"]["entries"]

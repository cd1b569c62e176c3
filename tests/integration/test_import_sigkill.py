"""`skillmatch serve` killed with SIGKILL in the middle of an import job's embedding: the catalogue is as it
was, the vectors computed so far stay in the cache, and the restarted service reports the job failed with
the reason, never half-done; the retry is faster for the cached vectors. On SQLite and PostgreSQL, with a
real server process (tests/integration/test_sigkill.py does the same for the CLI's import)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.ingest.sbb_xml import parse_sbb_xml
from bench.perf.export import write_export
from tests.conftest import ROOT
from tests.imports import catalogue_snapshot, count, database, real_dossiers

START_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _serve(url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    env = {
        **os.environ,
        "SKILLMATCH_DATABASE_URL": url,
        "SKILLMATCH_EMBEDDER": "hashing",
        "SKILLMATCH_AUTH_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def _job(base: str, job_id: int) -> dict[str, Any]:
    answer = httpx.get(f"{base}/v1/imports/{job_id}", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_sigkill_during_embedding_leaves_the_catalogue_and_fails_the_job_after_restart(
    backend: str, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export.xml", real_dossiers(), dossiers=40)
    data = export.path.read_bytes()
    parsed = parse_sbb_xml(data)
    texts = {s.text for d in parsed for k in d.kwalificaties for s in k.statements}
    log = tmp_path / "serve.log"
    with database(backend, tmp_path, "kill") as url:
        before = catalogue_snapshot(url)
        with _serve(url, log) as (base, process):
            answer = httpx.post(
                f"{base}/v1/imports", content=data, headers={"content-type": "application/xml"}, timeout=60
            )
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["id"]
            deadline = time.monotonic() + 300
            while True:
                job = _job(base, job_id)
                assert job["state"] not in {"committing", "done", "failed"}, job
                if job["state"] == "embedding" and job["counts"]["statements_embedded"] > 0:
                    break
                assert time.monotonic() < deadline, job
                time.sleep(0.05)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        cached = count(url, "SELECT count(*) FROM embedding_cache")
        after_kill = catalogue_snapshot(url)
        # the catalogue is as it was; the job still looks as it did when the process died
        for part in ("dossiers", "kwalificaties", "statements", "programmes"):
            assert after_kill[part] == before[part] == [], part
        assert after_kill["version"] == [(0, job_id)]
        assert 0 < cached < len(texts)  # the chunks committed so far stay cached

        with _serve(url, log) as (base, _process):
            job = _job(base, job_id)
            assert job["state"] == "failed", job
            assert "stopped before it ended" in job["detail"]
            assert job["finished_at"] is not None
            assert count(url, "SELECT count(*) FROM dossiers") == 0
            # the retry runs at once and embeds only what was not cached
            retry = httpx.post(
                f"{base}/v1/imports", content=data, headers={"content-type": "application/xml"}, timeout=60
            )
            assert retry.status_code == 202, retry.text
            deadline = time.monotonic() + 300
            while (done := _job(base, retry.json()["id"]))["state"] not in {"done", "failed"}:
                assert time.monotonic() < deadline, done
                time.sleep(0.2)
            assert done["state"] == "done", done
            assert done["counts"]["vectors_computed"] == len(texts) - cached
        final = catalogue_snapshot(url)
        assert len(final["dossiers"]) == len(parsed) == 40
        assert len(final["statements"]) == sum(len(k.statements) for d in parsed for k in d.kwalificaties)
        assert final["version"] == [(1, None)]

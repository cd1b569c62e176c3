"""The national export imported as a job: `python -m bench.perf.imports` (rewrites "## Import job" in
docs/benchmarks.md).

A national-size SBB export (bench.perf.export: 470 kwalificaties in 135 dossiers copied from the four real
ones, every text perturbed so each is new to the model, about 34,000 statements) is uploaded to a real
`skillmatch serve` (the configured embedder, a fresh SQLite database) through POST /v1/imports and followed
with GET /v1/imports/{id} until done: cold (an empty vector cache: the model embeds every distinct text),
then cached (a fresh database and server whose vector cache already holds the vectors, as for a retry after
a failure). Recorded: wall time from upload to done, time per state, statements per second, and the
server's peak RSS. The parser's own peak RSS on the file is measured in a process of its own, beside that
of a whole-tree parse (what the parser did before it streamed).
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench import docs
from bench.perf.data import dossier_files
from bench.perf.export import Export, write_export
from bench.perf.measure import machine, mb, peak_rss, rss, today

log = logging.getLogger("bench.perf.imports")
ROOT = Path(__file__).resolve().parents[2]
HEADING = "## Import job"
KWALIFICATIES = 470
KEEP = 0.3  # share of werkprocessen, vakkennis and competenties kept: ~34,000 statements


@dataclass(slots=True)
class Run:
    label: str
    wall: float = 0.0
    states: dict[str, float] = field(default_factory=dict)
    statements: int = 0
    computed: int = 0
    rss_before: int = 0
    peak: int = 0


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _import(label: str, database: Path, export: Export, folder: Path) -> Run:
    port = _free_port()
    env = {
        **os.environ,
        "SKILLMATCH_DATABASE_URL": f"sqlite:///{database}",
        "SKILLMATCH_AUTH_DISABLED": "true",
    }
    logfile = (folder / f"serve-{label}.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    run = Run(label)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"skillmatch serve did not start: see {logfile.name}")
            time.sleep(0.5)
        run.rss_before = rss(server.pid)
        started = time.perf_counter()
        with export.path.open("rb") as body:
            answer = httpx.post(
                f"{base}/v1/imports", content=body, headers={"content-type": "application/xml"}, timeout=600
            )
        answer.raise_for_status()
        location = answer.headers["location"]
        state = ""
        while True:
            job = httpx.get(f"{base}{location}", timeout=60).json()
            now = time.perf_counter() - started
            if job["state"] != state:
                state = job["state"]
                run.states[state] = now
                log.info("%s: %s at %.1f s %s", label, state, now, job["counts"])
            if state in {"done", "failed"}:
                break
            time.sleep(0.5)
        if state != "done":
            raise SystemExit(f"the import failed: {job['detail']}")
        run.wall = time.perf_counter() - started
        run.statements = job["counts"]["statements"]
        run.computed = job["counts"]["vectors_computed"]
        run.peak = peak_rss(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=60)
        logfile.close()
    return run


PARSE = {
    "streaming": "from app.ingest.sbb_xml import read_sbb_xml\nwith open(PATH, 'rb') as f: read_sbb_xml(f)",
    "whole tree": "from defusedxml.ElementTree import parse\nparse(PATH)",
}


def _parse_peak(path: Path, how: str) -> tuple[int, int, float]:
    """(peak RSS of the parse, of the same process doing nothing, seconds) in a fresh interpreter."""
    code = (
        "import time, app.ingest.sbb_xml, defusedxml.ElementTree\n"
        "from bench.perf.measure import peak_rss\n"
        "base = peak_rss()\nPATH = "
        + repr(str(path))
        + "\nstarted = time.perf_counter()\n"
        + PARSE[how]
        + "\nprint(peak_rss(), base, time.perf_counter() - started)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    peak, base, seconds = out.stdout.split()
    return int(peak), int(base), float(seconds)


def _embedder() -> str:
    from app.settings import Settings

    settings = Settings()
    engine = f", engine {settings.e5_engine}" if "e5" in settings.embedder else ""
    return f"`{settings.embedder}`{engine}"


def render(
    export: Export, statements: int, texts: int, runs: list[Run], parses: dict[str, tuple[int, int, float]]
) -> str:
    lines = [
        HEADING,
        "",
        f"`python -m bench.perf.imports`, {today()}, on {machine()}. Embedder: {_embedder()} (the configured "
        "one), `skillmatch serve` on a fresh SQLite database, the job's chunks of 256 texts; the whole "
        "tree is only ElementTree's, the streaming parse also builds the parsed dossiers.",
        "",
        f"The export: {export.size_bytes / 1e6:.1f} MB, {export.dossiers} dossiers, {export.kwalificaties} "
        f"kwalificaties, {statements:,} statements, {texts:,} distinct texts (bench/perf/export.py: the four "
        "real dossiers copied, every text perturbed, a share of the werkprocessen, vakkennis and competenties "
        "kept).",
        "",
        "| run | wall time, upload to done | parsing | embedding | committing | statements/s | texts embedded by "
        "the model | server RSS before → peak |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        s = run.states
        parsing = s.get("embedding", 0) - s.get("parsing", 0)
        embedding = s.get("committing", 0) - s.get("embedding", 0)
        committing = s.get("done", 0) - s.get("committing", 0)
        lines.append(
            f"| {run.label} | {run.wall:.1f} s | {parsing:.1f} s | {embedding:.1f} s | {committing:.1f} s | "
            f"{run.statements / run.wall:,.0f} | {run.computed:,} | {mb(run.rss_before)} → {mb(run.peak)} |"
        )
    lines += [
        "",
        "The parser alone on the same file, each in a fresh process (peak RSS of the process; "
        "the interpreter with the modules loaded and nothing parsed in brackets):",
        "",
    ]
    for how, (peak, base, seconds) in parses.items():
        lines.append(f"- {how}: {mb(peak)} ({mb(base)}), {seconds:.1f} s")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.imports", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--no-write", action="store_true", help="print the section instead of writing the doc"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        export = write_export(
            folder / "national.xml", dossier_files(), kwalificaties=KWALIFICATIES, keep=KEEP
        )
        from app.ingest.sbb_xml import read_sbb_xml

        with export.path.open("rb") as source:
            parsed = read_sbb_xml(source)
        statements = [s.text for d in parsed for k in d.kwalificaties for s in k.statements]
        del parsed
        parses = {how: _parse_peak(export.path, how) for how in PARSE}
        cold_db = folder / "cold.db"
        cold = _import("cold (empty vector cache)", cold_db, export, folder)
        cached_db = folder / "cached.db"
        subprocess.run(
            [sys.executable, "-c", "from app.cli import main; main()", "db", "upgrade"],
            cwd=ROOT,
            env={**os.environ, "SKILLMATCH_DATABASE_URL": f"sqlite:///{cached_db}"},
            check=True,
            capture_output=True,
        )
        with sqlite3.connect(cached_db) as connection:
            connection.execute("ATTACH DATABASE ? AS cold", (str(cold_db),))
            connection.execute("INSERT INTO embedding_cache SELECT * FROM cold.embedding_cache")
        cached = _import("cached (vectors in the database)", cached_db, export, folder)
        section = render(export, len(statements), len(set(statements)), [cold, cached], parses)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.no_write:
        print(section)
    else:
        docs.write_section(section, heading=HEADING)
        log.info("wrote %s", docs.BENCHMARKS)


if __name__ == "__main__":
    main()

"""Paired timing: a base revision against HEAD, alternately in one run, written to docs/benchmarks.md.

    python -m bench.perf.paired --base 1cf168b      # or: make bench-perf-paired BASE=1cf168b
    python -m bench.perf.paired --base 1cf168b --rounds 8 --no-write

On a shared host the speed of the same code drifts by up to 2× between runs (see "## Performance"), so
"is HEAD slower than it was?" can only be answered by timing both in the same run, turn about. Both
revisions are checked out with `git worktree` into a temporary folder, which is removed afterwards (no
code of the base is committed). Each round runs bench/perf/paired_worker.py once per side, each in a
subprocess of its own with that side's checkout first on sys.path and the same Python; which side goes
first alternates from round to round. Each subprocess builds the national benchmark database with its own
checkout's `bench.perf` helpers and migrations, as `python -m bench.perf` does, builds its index, and times
25 cached skills ad hoc, a ~150-word description ad hoc and a stored workplace in process. Per round and
side the figure is the median of its calls; the subsection gives each side's median over the rounds, their
ratio, and the spread (the ratio within each round, each side's range).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.settings import Settings
from bench import docs
from bench.perf import cache, data
from bench.perf.measure import Paired, gemm_rate, machine, secs
from bench.perf.render import PAIRED_SECTION, SECTION, paired_section
from bench.shared import REPO_ROOT, shared_data

log = logging.getLogger("bench.perf.paired")

WORKER = Path(__file__).resolve().parent / "paired_worker.py"
DOC = REPO_ROOT / "docs" / "benchmarks.md"
# What a worker prints: its checkout's folders, model and scoring version, the catalogue's size, and per
# measurement the seconds of each call.
Result = dict[str, Any]
MEASUREMENTS = (
    ("cached", "ad-hoc match, 25 cached skills (in process)"),
    ("description", "ad-hoc match, 150-word description (embedded in the call)"),
    ("stored", "stored-workplace match (in process)"),
)


def round_order(rounds: int) -> list[tuple[str, str]]:
    """Which side runs first in each round: base first, then head first, turn about, so that a host
    that speeds up or slows down during the run favours neither side."""
    return [("base", "head") if r % 2 == 0 else ("head", "base") for r in range(rounds)]


def summarise(results: dict[str, list[Result]], key: str) -> Paired:
    """Per round, the median of one side's calls of measurement `key`: the base's rounds against the
    head's, in round order."""

    def medians(side: str) -> tuple[float, ...]:
        return tuple(statistics.median(r[key]) for r in results[side])

    return Paired(base=medians("base"), head=medians("head"))


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _describe(commit: str) -> str:
    return _git("log", "-1", "--format=`%h` (%cd, “%s”)", "--date=format:%Y-%m-%d %H:%M", commit)


def _checkout(commit: str, folder: Path) -> Path:
    """A detached worktree of `commit`, sharing the disk vector cache (vectors are keyed by model and
    version, so the two sides cannot mix them)."""
    _git("worktree", "add", "--detach", str(folder), commit)
    (folder / "bench" / ".cache").mkdir(parents=True, exist_ok=True)
    (folder / "bench" / ".cache" / "perf").symlink_to(cache.CACHE_DIR, target_is_directory=True)
    return folder


def _fill_cache() -> None:
    """The vectors every side loads into its database, embedded once before the timed rounds."""
    national = data.national_catalogue(data.real_dossiers())
    pool, _ = data.skill_phrases()
    texts = [s.text for d in national for k in d.kwalificaties for s in k.statements]
    computed = cache.fill(cache.cached_parts(Settings().embedder), texts + pool)
    if computed:
        log.info("embedded %d texts into %s", computed, cache.CACHE_DIR)


def _run_side(checkout: Path, database: Path) -> Result:
    env = {**os.environ, "PYTHONPATH": str(checkout), "SKILLMATCH_SHARED_DATA": str(shared_data())}
    done = subprocess.run(
        [sys.executable, "-P", str(WORKER), "--database", str(database)],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the worker failed in {checkout} ({done.returncode}):\n{done.stderr[-4000:]}")
    result: Result = json.loads(done.stdout.strip().splitlines()[-1])
    if Path(str(result["app"])) != (checkout / "app").resolve():
        raise SystemExit(f"the worker for {checkout} imported app from {result['app']}")
    return result


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def run(base: str, head: str, rounds: int) -> tuple[dict[str, list[Result]], dict[str, str]]:
    commits = {"base": _git("rev-parse", "--verify", base + "^{commit}"), "head": _git("rev-parse", head)}
    load_start = _load()
    _fill_cache()
    work = Path(tempfile.mkdtemp(prefix="skillmatch-paired-"))
    checkouts: dict[str, Path] = {}
    results: dict[str, list[Result]] = {"base": [], "head": []}
    try:
        for side, commit in commits.items():
            checkouts[side] = _checkout(commit, work / side)
        for r, sides in enumerate(round_order(rounds), start=1):
            for side in sides:
                result = _run_side(checkouts[side], work / f"{side}.db")
                results[side].append(result)
                log.info(
                    "round %d/%d %s: cached %.2f ms, description %.1f ms, stored %.2f ms",
                    r,
                    rounds,
                    side,
                    *(1000 * statistics.median(result[k]) for k, _ in MEASUREMENTS),
                )
    finally:
        for folder in checkouts.values():
            _git("worktree", "remove", "--force", str(folder))
        shutil.rmtree(work, ignore_errors=True)
        _git("worktree", "prune")
    facts = {
        "base": f"{_describe(commits['base'])}, scoring {results['base'][0]['scoring_version']}",
        "head": f"{_describe(commits['head'])}, scoring {results['head'][0]['scoring_version']}",
        "load": (
            f"load average (1, 5, 15 min) {load_start} at the start and {_load()} at the end, float32 "
            f"GEMM at the end {gemm_rate():.0f} GFLOP/s"
        ),
    }
    return results, facts


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf.paired", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the git revision to compare against (e.g. 1cf168b)")
    parser.add_argument("--head", default="HEAD", help="the revision under test (default: HEAD)")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of one base and one head run each")
    parser.add_argument("--no-write", action="store_true", help="print the subsection instead of writing it")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    host = machine()
    results, facts = run(args.base, args.head, args.rounds)
    (cache.CACHE_DIR / "paired.json").write_text(json.dumps(results), encoding="utf-8")
    first = results["head"][0]
    calls = {k: len(first[k]) for k, _ in MEASUREMENTS}
    built = statistics.median(r["built_seconds"] for s in results.values() for r in s)
    indexed = statistics.median(r["index_seconds"] for s in results.values() for r in s)
    facts |= {
        "command": f"python -m bench.perf.paired --base {args.base} --head {args.head} --rounds {args.rounds}",
        "machine": host,
        "elapsed": secs(time.perf_counter() - started),
        "method": (
            f"{args.rounds} round{'s' if args.rounds != 1 else ''} of one subprocess per side, each from its own temporary `git worktree` "
            "with the same Python and packages; the side that goes first alternates (base–head, head–base, "
            f"…). Per round and side, the median of its calls: {calls['cached']} ad-hoc calls with 25 "
            f"cached skills, {calls['description']} descriptions (each text once, embedded in the call), "
            f"{calls['stored']} stored workplaces, each after one untimed call; each side with its own "
            f"defaults (model {first['model']})."
        ),
        "data": (
            f"The national-size catalogue of `python -m bench.perf` ({first['programmes']} programmes, "
            f"{first['statements']:,} statements, 1,000 workplaces), built from scratch in every "
            f"subprocess with that checkout's `bench.perf` helpers and migrations (median {secs(built)}), "
            f"then the index (median {secs(indexed)})."
        ),
        "reading": (
            "Head ÷ base below 1 is faster. The per-round median is the paired figure: a slow spell of the "
            "host that hits both runs of a round cancels out of it. Where the per-round range holds 1, this "
            "run cannot tell the two sides apart."
        ),
    }
    text = paired_section([(what, summarise(results, key)) for key, what in MEASUREMENTS], facts)
    if args.no_write:
        print(text)
    else:
        docs.write_subsection(text, heading=PAIRED_SECTION, parent=SECTION, doc=DOC)
        log.info("wrote %s", DOC)


if __name__ == "__main__":
    main()

"""One side of a paired run (bench/perf/paired.py): time three of bench/perf's in-process cases once.

    PYTHONPATH=<checkout> python -P bench/perf/paired_worker.py --database <file.db>

Run as a script by the paired runner, once per side and round, with a checkout of the revision under test
first on sys.path (`-P` keeps this file's own folder off it): `app` and `bench.perf`'s data and database
helpers come from that checkout, so each side builds the benchmark database with its own migrations and
models, the same way `python -m bench.perf` does, and is timed with its own matching code. This file holds
only what both sides must share: the order and the number of calls. It therefore imports nothing that
an older checkout may lack; it prints one JSON object on stdout (seconds per call), logs on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("bench.perf.paired_worker")

CACHED_RUNS = 40  # as `python -m bench.perf`: 25 cached skills and stored workplaces, 40 calls each
DESCRIPTION_RUNS = 12  # at most; bench.perf keeps 3 descriptions back for its baseline
WARM_PHRASE_SETS = 3  # untimed calls with new phrases before the descriptions (bench.perf's case b)


def _times(calls: list[Callable[[], object]]) -> list[float]:
    result = []
    for call in calls:
        started = time.perf_counter()
        call()
        result.append(time.perf_counter() - started)
    return result


def run(database: Path) -> dict[str, object]:
    import app
    from app.db import make_engine, make_sessionmaker
    from app.matching.service import build_matcher, configured_embedder, match_adhoc, match_workplace
    from app.settings import Settings
    from bench.perf import cache, data
    from bench.perf import database as bench_database
    from bench.perf.__main__ import _skills

    started = time.perf_counter()
    dossiers = data.real_dossiers()
    national = data.national_catalogue(dossiers)
    pool, fresh = data.skill_phrases()
    workplaces = data.workplaces(pool)
    statement_texts = [s.text for d in national for k in d.kwalificaties for s in k.statements]
    engine = bench_database.fresh_sqlite(database)
    statements = bench_database.load_catalogue(engine, national)
    bench_database.load_workplaces(engine, workplaces)
    bench_database.load_vectors(engine, cache.cached_parts(Settings().embedder), statement_texts + pool)
    engine.dispose()
    built = time.perf_counter() - started

    embedder = configured_embedder(Settings())
    matcher = build_matcher(Settings(database_url="sqlite://"), embedder)
    sessions = make_sessionmaker(make_engine(f"sqlite:///{database}"))
    descriptions = data.descriptions(dossiers)
    with sessions() as session:
        started = time.perf_counter()
        index = matcher.index(session)
        indexed = time.perf_counter() - started

        # 25 skills seen before (bench.perf case a): one untimed call each, then one timed call each
        queries = [_skills(pool[(25 * i) % 1175 : (25 * i) % 1175 + 25], i) for i in range(CACHED_RUNS)]
        for q in queries:
            match_adhoc(session, matcher, description="", skills=q)
        cached = _times(
            [lambda q=q: match_adhoc(session, matcher, description="", skills=q) for q in queries]
        )

        # the model warmed on new phrases, as bench.perf's case b does before the descriptions
        for i in range(WARM_PHRASE_SETS):
            match_adhoc(session, matcher, description="", skills=_skills(fresh[25 * i : 25 * i + 25]))

        # a ~150-word description, split and embedded in the call (bench.perf case c); each text once
        count = min(len(descriptions) - 3, DESCRIPTION_RUNS)
        described = _times(
            [
                lambda d=d: match_adhoc(session, matcher, description=d, skills=None)
                for d in descriptions[:count]
            ]
        )

        # a stored workplace (bench.perf case d): one untimed call each, then one timed call each
        ids = [1 + (i * 37) % len(workplaces) for i in range(CACHED_RUNS)]
        for i in ids:
            match_workplace(session, matcher, i)
        stored = _times([lambda i=i: match_workplace(session, matcher, i) for i in ids])

    params = getattr(matcher, "params", None)
    return {
        "app": str(Path(app.__file__).resolve().parent),
        "bench": str(Path(data.__file__).resolve().parent),
        "model": f"{embedder.name} {embedder.version}",
        "scoring_version": str(getattr(params, "version", "unknown")),
        "programmes": len(index.programmes),
        "statements": statements,
        "built_seconds": built,
        "index_seconds": indexed,
        "cached": cached,
        "description": described,
        "stored": stored,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", type=Path, required=True, help="the SQLite file to build (replaced)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(json.dumps(run(args.database)))


if __name__ == "__main__":
    main()

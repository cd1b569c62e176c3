"""Load test: `skillmatch serve` on 127.0.0.1 under a steady mix of requests for 5 minutes, with wrk.

1. A fresh SQLite database gets the demo data (fixture dossiers and workplaces) and, where the shared
   data folder is present, the 4 real SBB dossiers; an API key with the `recruiter` role is created.
2. The real server (`skillmatch serve`, one uvicorn worker, the configured embedder, authentication on)
   starts on a free loopback port. The per-key rate limit is switched off for the run: it would answer
   429 long before the server is loaded, and the point here is what the server itself sustains.
3. Calibration: wrk with 2 connections as fast as they go for 20 s gives the saturated throughput.
4. The run: wrk for 5 minutes at a fixed share of that (default 50 %: each connection waits between
   requests, so the server is not saturated), cycling through a recruiter's mix of requests. Every
   5 s the server's resident memory (VmRSS) is sampled.
5. Pass: zero errors (no socket error, no non-2xx answer, no timeout) and stable memory (after the first
   minute, the median RSS of the last quarter is less than 5 % above that of the first quarter, and the
   trend is under 1 MB per minute). The figures go to the "## Load"
   section of docs/benchmarks.md; the exit status is 1 when the run did not pass.

Everything runs on one machine: wrk takes CPU from the server, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.settings import Settings
from bench import docs

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Load"
FIXTURES = ROOT / "data" / "fixtures"
SHARED_DOSSIERS = "sbb-kd-xml-2016"
CALIBRATION_CONNECTIONS = 2

LUA = r"""
local requests = %(requests)s
local auth = %(auth)s
local delay_ms = %(delay_ms)d
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  counter = (id or 1) * 7
  statuses = {}
end

function request()
  counter = counter + 1
  local r = requests[(counter %% #requests) + 1]
  local headers = { ["Authorization"] = auth, ["Accept"] = "application/json" }
  if r[3] ~= nil then
    headers["Content-Type"] = "application/json"
  end
  return wrk.format(r[1], r[2], headers, r[3])
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    if counts ~= nil then
      for code, n in pairs(counts) do
        merged[code] = (merged[code] or 0) + n
      end
    end
  end
  local parts = {}
  for code, n in pairs(merged) do
    table.insert(parts, string.format('"%%s": %%d', code, n))
  end
  io.write(string.format(
    'WRK-JSON {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "mean_us": %%f, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "statuses": {%%s}}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout, latency.mean,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(parts, ", ")))
end
"""


@dataclass(slots=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int
    statuses: dict[str, int]
    mean_ms: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class Memory:
    samples: list[tuple[float, int]] = field(default_factory=list)  # (seconds since start, RSS bytes)

    def window(self, start: float, end: float) -> list[int]:
        return [rss for t, rss in self.samples if start <= t <= end]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _rss(pid: int) -> int:
    """Resident memory of the process and its children (uvicorn runs the app in the process itself)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            continue
    return total


def _skillmatch(*args: str, env: dict[str, str]) -> str:
    command = [sys.executable, "-c", "from app.cli import main; main()", *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"skillmatch {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _get(url: str, key: str) -> Any:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _wait_healthy(base: str, server: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise SystemExit("the server stopped during start-up")
        try:
            with urllib.request.urlopen(base + "/health", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server was not healthy within {timeout:.0f} s")


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal for this ASCII-safe text


def _requests(base: str, key: str) -> list[tuple[str, str, str | None]]:
    """A recruiter's mix: stored-workplace matches, programme pages, workplace pages, ad hoc matches."""
    workplaces = [w["id"] for w in _get(base + "/v1/workplaces?limit=100", key)["items"]]
    programmes = [p["crebo"] for p in _get(base + "/v1/programmes?limit=50", key)["items"]]
    if not workplaces or not programmes:
        raise SystemExit("no demo data: workplaces or programmes are missing")
    adhoc = [
        ["klanten te woord staan aan de balie", "afspraken plannen in de agenda", "post sorteren"],
        ["kinderen begeleiden bij spel", "ouders informeren over de dag", "veiligheid bewaken"],
        ["schoonmaakwerkzaamheden uitvoeren", "voorraad bijhouden", "storingen melden"],
    ]
    mix: list[tuple[str, str, str | None]] = []
    for i, workplace in enumerate(workplaces):
        mix.append(("GET", f"/v1/workplaces/{workplace}/matches", None))
        mix.append(("GET", f"/v1/workplaces/{workplace}", None))
        mix.append(("GET", f"/v1/programmes/{programmes[i % len(programmes)]}", None))
    mix.append(("GET", "/v1/programmes?limit=20", None))
    mix.append(("GET", "/health", None))
    for skills in adhoc:
        body = json.dumps({"skills": [{"text": s} for s in skills]}, ensure_ascii=True)
        mix.append(("POST", "/v1/match", body))
    return mix


def _wrk(
    base: str,
    key: str,
    mix: list[tuple[str, str, str | None]],
    *,
    seconds: int,
    connections: int,
    delay_ms: int,
) -> WrkResult:
    entries = ", ".join(
        "{" + ", ".join([_lua_string(m), _lua_string(p), _lua_string(b) if b else "nil"]) + "}"
        for m, p, b in mix
    )
    script = LUA % {
        "requests": "{" + entries + "}",
        "auth": _lua_string(f"Bearer {key}"),
        "delay_ms": delay_ms,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "30s",
            "-s",
            handle.name,
            base,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=seconds + 120)
    finally:
        os.unlink(handle.name)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    data = json.loads(line.removeprefix("WRK-JSON "))
    statuses = {k: int(v) for k, v in data["statuses"].items()}
    non_2xx = sum(n for code, n in statuses.items() if not code.startswith("2"))
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"] + max(data["status"], non_2xx)
    return WrkResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        errors=int(errors),
        statuses=statuses,
        mean_ms=data["mean_us"] / 1000,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
    )


def _sample_memory(pid: int, memory: Memory, stop: threading.Event, every: float) -> None:
    started = time.monotonic()
    while not stop.is_set():
        rss = _rss(pid)
        if rss:
            memory.samples.append((time.monotonic() - started, rss))
        stop.wait(every)


def _slope_mb_per_minute(samples: list[tuple[float, int]]) -> float:
    if len(samples) < 3:
        return 0.0
    xs = [t / 60 for t, _ in samples]
    ys = [rss / 2**20 for _, rss in samples]
    return float(statistics.linear_regression(xs, ys).slope)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=300, help="length of the sustained run (default 300)")
    parser.add_argument("--share", type=float, default=0.5, help="share of the saturated rate to sustain")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--embedder",
        default=Settings().embedder,
        help="default: the service's (SKILLMATCH_EMBEDDER or its default)",
    )
    parser.add_argument("--no-write", action="store_true", help="print the section, do not write the doc")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    workdir = Path(tempfile.mkdtemp(prefix="skillmatch-load-"))
    env = {
        **os.environ,
        "SKILLMATCH_DATABASE_URL": f"sqlite:///{workdir / 'load.db'}",
        "SKILLMATCH_EMBEDDER": args.embedder,
        "SKILLMATCH_AUTH_DISABLED": "false",
        "SKILLMATCH_RATE_LIMIT_PER_MINUTE": "0",
    }
    server: subprocess.Popen[bytes] | None = None
    try:
        print("loading the demo data ...", flush=True)
        _skillmatch("db", "upgrade", env=env)
        _skillmatch("demo", env=env)
        shared = (
            Path(os.environ.get("SKILLMATCH_SHARED_DATA", ROOT.parent / "shared" / "data")) / SHARED_DOSSIERS
        )
        real = sorted(shared.glob("*.xml")) if shared.is_dir() else []
        if real:
            _skillmatch("import-dossiers", *map(str, real), env=env)
        secret = _skillmatch("keys", "create", "--role", "recruiter", "--name", "load-test", env=env)
        key = secret.strip().splitlines()[-1].strip()

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from app.cli import main; main()",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "server.log").open("wb"),
        )
        startup = _wait_healthy(base, server, timeout=600)
        mix = _requests(base, key)
        print(f"server healthy after {startup:.1f} s; {len(mix)} distinct requests in the mix", flush=True)

        # warm the caches (vectors of the ad hoc texts, the catalogue index) before measuring
        _wrk(base, key, mix, seconds=10, connections=2, delay_ms=0)
        calibration = _wrk(base, key, mix, seconds=20, connections=CALIBRATION_CONNECTIONS, delay_ms=0)
        if calibration.errors:
            raise SystemExit(f"errors already during calibration: {calibration.statuses}")
        target = calibration.rate * args.share
        # each connection: one request, then a pause; rate ≈ connections / (time per request + pause).
        # The time per request comes from the calibration by Little's law (2 connections / rate): the
        # mean latency wrk reports is pulled up by the slow tail and would make the pause too short.
        seconds_per_request = CALIBRATION_CONNECTIONS / calibration.rate
        delay_ms = max(0, round(1000 * (args.connections / target - seconds_per_request)))
        print(
            f"saturated: {calibration.rate:.1f} req/s; sustaining {target:.1f} req/s for {args.seconds} s "
            f"({args.connections} connections, {delay_ms} ms between requests)",
            flush=True,
        )
        memory = Memory()
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_memory, args=(server.pid, memory, stop, 5.0), daemon=True)
        sampler.start()
        sustained = _wrk(
            base, key, mix, seconds=args.seconds, connections=args.connections, delay_ms=delay_ms
        )
        stop.set()
        sampler.join()
        alive = server.poll() is None
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if os.environ.get("KEEP_LOAD_DIR") is None:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"kept {workdir}")

    duration = memory.samples[-1][0] if memory.samples else 0.0
    warm = min(60.0, duration * 0.2)  # the first minute: caches and allocator pools fill up
    settled = [s for s in memory.samples if s[0] >= warm]
    quarter = max(1, len(settled) // 4)
    first = [rss for _, rss in settled[:quarter]]
    last = [rss for _, rss in settled[-quarter:]]
    start_mb = statistics.median(first) / 2**20 if first else 0.0
    end_mb = statistics.median(last) / 2**20 if last else 0.0
    peak_mb = max(rss for _, rss in memory.samples) / 2**20 if memory.samples else 0.0
    slope = _slope_mb_per_minute(settled)
    growth = (end_mb - start_mb) / start_mb if start_mb else 0.0
    stable = bool(first) and growth < 0.05 and slope < 1.0
    passed = alive and sustained.errors == 0 and stable

    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(sustained.statuses.items()))
    lines = [
        SECTION,
        "",
        f"`make bench-load` (`python -m bench.load`), run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on "
        f"{_machine()}, shared with wrk itself. Server: `skillmatch serve` on 127.0.0.1, one uvicorn worker, "
        f"embedder `{args.embedder}`, SQLite, authentication on (a `recruiter` key), rate limit off for the run. "
        f"Data: the demo fixtures{' and the 4 real SBB dossiers' if real else ''}. Mix: {len(mix)} distinct requests "
        "(stored-workplace matches, workplace and programme pages, the programme list, ad hoc matches, /health), "
        "cycled.",
        "",
        "| | |",
        "|---|---|",
        f"| saturated throughput (2 connections, 20 s) | {calibration.rate:.1f} req/s, p50 {calibration.p50_ms:.0f} ms |",
        f"| sustained run | {sustained.seconds:.0f} s at {sustained.rate:.1f} req/s "
        f"({sustained.rate / calibration.rate:.0%} of the saturated rate; {args.connections} connections, "
        f"{delay_ms} ms pause between requests) |",
        f"| requests | {sustained.requests} ({statuses}) |",
        f"| errors (socket, timeout, non-2xx) | **{sustained.errors}** |",
        f"| latency | mean {sustained.mean_ms:.0f} ms, p50 {sustained.p50_ms:.0f} ms, p90 {sustained.p90_ms:.0f} ms, "
        f"p99 {sustained.p99_ms:.0f} ms, max {sustained.max_ms:.0f} ms |",
        f"| server memory (RSS, {len(memory.samples)} samples every 5 s) | after warm-up: {start_mb:.0f} MB "
        f"(median of the first quarter), at the end: {end_mb:.0f} MB (last quarter), peak {peak_mb:.0f} MB; "
        f"trend {slope:+.2f} MB/min ({growth:+.1%}) |",
        f"| server start-up (model load, index) | {startup:.1f} s |",
        f"| verdict | {'**pass**: zero errors, stable memory' if passed else '**FAIL**'} |",
        "",
        "Pass means zero errors and, after the first minute, memory growth under 5 % and under 1 MB/min. "
        "The client shares the 2 cores with the server, so these are floors for a server with the machine "
        "to itself. Each match served is also written to the audit trail, so the figures include that write.",
        "",
    ]
    section = "\n".join(lines)
    if args.no_write:
        print(section)
    else:
        docs.write_section(section, heading=SECTION, doc=DOC)
        print(section)
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Stored-workplace matches over HTTP: `skillmatch serve` on loopback, loaded by wrk with 16 connections.

The server is the real command (`skillmatch serve`, one uvicorn worker, the configured model, API keys
checked, the per-key rate limit off) on the benchmark database. wrk runs for a bounded time against 127.0.0.1 only, cycling through the workplace
ids with a Lua script. Everything runs on the same 2-core machine, so wrk's own threads take CPU from
the server: the figure is a floor for a server with the machine to itself.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.perf.measure import peak_rss, rss

log = logging.getLogger(__name__)

LUA = """
counter = 0
request = function()
  counter = counter + 1
  local id = (counter * 7919) %% %(workplaces)d + 1
  return wrk.format("GET", "/v1/workplaces/" .. id .. "/matches", %(headers)s)
end
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    non_2xx: int
    socket_errors: int
    latency_p50_ms: float
    latency_p99_ms: float
    server_rss: int
    server_peak_rss: int
    startup_seconds: float
    first_pass_seconds: float  # every workplace requested once (answers computed), 16 clients
    health_requests_per_second: float  # GET /health under the same wrk load: the framework's ceiling here


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"skillmatch serve exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"skillmatch serve was not ready within {timeout:.0f} s")


def _latency_ms(text: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", text, re.MULTILINE)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _wrk(url: str, script: Path, *, connections: int, seconds: int) -> str:
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=True)
    return done.stdout


def _first_pass(base: str, workplaces: int, api_key: str | None, clients: int) -> float:
    """Request every workplace's matches once (the service computes and keeps each answer), with
    `clients` concurrent clients; returns the seconds it took. Any answer but 200 stops the benchmark."""
    headers = {} if api_key is None else {"Authorization": f"Bearer {api_key}"}

    def get(workplace_id: int) -> int:
        request = urllib.request.Request(f"{base}/v1/workplaces/{workplace_id}/matches", headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = set(pool.map(get, range(1, workplaces + 1)))
    if statuses != {200}:
        raise RuntimeError(f"first pass answered {statuses}")
    return time.perf_counter() - started


def load_test(
    database_url: str,
    *,
    workplaces: int,
    api_key: str | None,
    connections: int = 16,
    seconds: int = 20,
    warmup_seconds: int = 3,
) -> tuple[LoadResult, str]:
    """Start the server, warm it up, load it; returns the figures and wrk's own report."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: run bench/perf/ensure-wrk.sh (apt-get install wrk)")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # The per-key rate limit (600/min by default) would answer 429 long before the server is loaded: off.
    env = {**os.environ, "SKILLMATCH_DATABASE_URL": database_url, "SKILLMATCH_RATE_LIMIT_PER_MINUTE": "0"}
    skillmatch = Path(sys.executable).parent / "skillmatch"
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(skillmatch), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(f"{base}/health", process, timeout=300)
        startup = time.perf_counter() - started
        headers = "nil" if api_key is None else f'{{["Authorization"] = "Bearer {api_key}"}}'
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(LUA % {"workplaces": workplaces, "headers": headers})
            script = Path(handle.name)
        health = script.with_suffix(".health.lua")
        health.write_text('request = function() return wrk.format("GET", "/health") end\n')
        try:
            first_pass = _first_pass(base, workplaces, api_key, connections)
            _wrk(base, script, connections=connections, seconds=warmup_seconds)
            report = _wrk(base, script, connections=connections, seconds=seconds)
            health_report = _wrk(base, health, connections=connections, seconds=max(5, seconds // 4))
        finally:
            script.unlink(missing_ok=True)
            health.unlink(missing_ok=True)
        result = LoadResult(
            connections=connections,
            seconds=seconds,
            requests=int(re.search(r"(\d+) requests in", report).group(1)),  # type: ignore[union-attr]
            requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),  # type: ignore[union-attr]
            non_2xx=int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", report)) else 0,
            socket_errors=(
                sum(int(x) for x in m.groups())
                if (m := re.search(r"connect (\d+), read (\d+), write (\d+), timeout (\d+)", report))
                else 0
            ),
            latency_p50_ms=_latency_ms(report, "50"),
            latency_p99_ms=_latency_ms(report, "99"),
            server_rss=rss(process.pid),
            server_peak_rss=peak_rss(process.pid),
            startup_seconds=startup,
            first_pass_seconds=first_pass,
            health_requests_per_second=float(
                re.search(r"Requests/sec:\s+([\d.]+)", health_report).group(1)  # type: ignore[union-attr]
            ),
        )
        return result, report
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

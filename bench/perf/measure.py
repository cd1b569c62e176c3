"""Timing, memory and machine facts for the benchmark."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Timing:
    samples: tuple[float, ...]  # seconds

    @property
    def p50(self) -> float:
        return float(np.percentile(self.samples, 50))

    @property
    def p99(self) -> float:
        return float(np.percentile(self.samples, 99))

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    def __len__(self) -> int:
        return len(self.samples)


@dataclass(frozen=True, slots=True)
class Paired:
    """One measurement of a paired run: per round, one figure for the base and one for the head (each
    a subprocess's median), taken one right after the other so that both see the same host."""

    base: tuple[float, ...]  # seconds, per round
    head: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.base or len(self.base) != len(self.head):
            raise ValueError(f"need as many head as base figures, at least one: {self.base}, {self.head}")

    @property
    def base_median(self) -> float:
        return statistics.median(self.base)

    @property
    def head_median(self) -> float:
        return statistics.median(self.head)

    @property
    def ratio(self) -> float:
        """Head over base, of the medians across rounds: below 1 is faster."""
        return self.head_median / self.base_median

    @property
    def round_ratios(self) -> tuple[float, ...]:
        """Head over base within each round, the spread of the ratio."""
        return tuple(h / b for b, h in zip(self.base, self.head, strict=True))

    @property
    def round_ratio(self) -> float:
        """The median of the rounds' own ratios: what a slow spell that hits both sides of a round
        cancels out of."""
        return statistics.median(self.round_ratios)


def timed(function: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def repeat(functions: Sequence[Callable[[], object]]) -> Timing:
    """Run each callable once, in order, timing each."""
    return Timing(tuple(timed(f)[0] for f in functions))


def _status(pid: int | str, field: str) -> int:
    """A memory field of /proc/<pid>/status in bytes (0 where /proc is absent)."""
    path = Path(f"/proc/{pid}/status")
    if not path.exists():
        return 0
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def rss(pid: int | str = "self") -> int:
    return _status(pid, "VmRSS")


def peak_rss(pid: int | str = "self") -> int:
    return _status(pid, "VmHWM")


def reset_peak() -> None:
    """Reset this process's peak RSS (Linux: writing 5 to clear_refs), so a stage's own peak can be read."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total = int(meminfo.read_text().split()[1]) * 1024
        memory = f", {total / 2**30:.0f} GiB memory"
    load = ""
    if hasattr(os, "getloadavg"):
        load = f", load average at start {os.getloadavg()[0]:.1f}"
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}{load}, "
        f"float32 GEMM at start {gemm_rate():.0f} GFLOP/s"
    )


def gemm_rate() -> float:
    """The host's float32 matrix-product rate now (numpy, 1024², median of 7), reported beside each run:
    the same code runs up to 1.8× slower on this shared host from one run to the next."""
    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    times = []
    for _ in range(7):
        started = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - started)
    return 2 * 1024**3 / float(np.median(times)) / 1e9


def today() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def ms(seconds: float) -> str:
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f} ms"
    if value >= 10:
        return f"{value:.1f} ms"
    return f"{value:.2f} ms"


def secs(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:,.0f} s"


def mb(size: int) -> str:
    return f"{size / 2**20:,.0f} MB"

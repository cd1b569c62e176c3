"""Throwaway databases for the reliability tests: a fresh database on the shared PostgreSQL server (created
and dropped by the test), and a whole PostgreSQL cluster of its own (initdb in a temporary folder, own
port) for the tests that stop the server. The shared server on 5432 is never stopped."""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db import make_engine
from tests.conftest import IN_CI, POSTGRES_URL


def _unreachable(reason: str) -> None:
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(f"{reason} (required when CI=true)")


@contextmanager
def postgres_database(prefix: str = "skillmatch_rt") -> Iterator[str]:
    """CREATE DATABASE <prefix>_<random> on the shared server; yields its URL; drops it afterwards."""
    admin = make_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        admin.dispose()
        _unreachable(f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}")
    name = f"{prefix}_{secrets.token_hex(4)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A PostgreSQL cluster of its own: initdb in a temporary folder, listening on 127.0.0.1:<port>."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir = bindir
        self.root = root
        self.data = root / "data"
        self.port = _free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self._prefix = as_postgres

    def _run(self, *args: str) -> None:
        subprocess.run([*self._prefix, *args], check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        result = subprocess.run(
            [*self._prefix, str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """Start a throwaway cluster for the test; always stopped and removed afterwards."""
    bindir = _pg_bin()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        _unreachable("initdb (PostgreSQL server binaries) not available")
        raise AssertionError  # not reached: skip and fail raise
    # Not under pytest's tmp_path: its parent is private to root, and the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="skillmatch-pg-"))
    try:
        cluster = Cluster(bindir, root)
        cluster.init()
        cluster.start()
        try:
            yield cluster
        finally:
            if cluster.running():
                cluster.stop("immediate")
            deadline = time.monotonic() + 10
            while cluster.running() and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        shutil.rmtree(root, ignore_errors=True)

"""Browser tests: `skillmatch serve` on a free localhost port with a temporary SQLite database and the demo
data, driven by Debian's Chromium through Playwright. Playwright's own browser download is never used.

Without Chromium (see scripts/ensure-chromium.sh) the tests skip, except on CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = Path(os.environ.get("SKILLMATCH_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives the web interface in headless Chromium")


def _unavailable(message: str) -> None:
    if IN_CI:
        pytest.fail(f"{message} (required when CI=true; scripts/ensure-chromium.sh installs it)")
    pytest.skip(f"{message}; run scripts/ensure-chromium.sh to install Debian's chromium")


def _skillmatch() -> list[str]:
    script = Path(sys.executable).with_name("skillmatch")
    if script.exists():
        return [str(script)]
    found = shutil.which("skillmatch")
    if found:
        return [found]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    url: str
    env: dict[str, str]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`skillmatch demo` then `skillmatch serve` on a fresh SQLite database, hashing embedder."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium not found at {CHROMIUM}")
    folder = tmp_path_factory.mktemp("e2e")
    env = {
        **os.environ,
        "SKILLMATCH_DATABASE_URL": f"sqlite:///{folder / 'e2e.db'}",
        "SKILLMATCH_EMBEDDER": "hashing",
        # The tests read the JSON API as the oracle for what the pages show; no API keys on this private server.
        "SKILLMATCH_AUTH_DISABLED": "true",
        "PYTHONUNBUFFERED": "1",
    }
    demo = subprocess.run(
        [*_skillmatch(), "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    port = _free_port()
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [*_skillmatch(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            if process.poll() is not None:
                pytest.fail("skillmatch serve stopped:\n" + (folder / "serve.log").read_text())
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    "skillmatch serve did not answer within 60 s:\n" + (folder / "serve.log").read_text()
                )
            time.sleep(0.2)
        yield Server(url, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def browser_context(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _unavailable("the Python package playwright is not installed")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="nl-NL",
            base_url=server.url,
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context: Any) -> Iterator[Any]:
    page = browser_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    page.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def screenshot() -> Callable[..., None]:
    """Keep a picture of a main page for the README: docs/screenshots/NAME.png."""

    def take(page: Any, name: str, *, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)

    return take

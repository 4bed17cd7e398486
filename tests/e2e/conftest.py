"""One real Streamlit server and one real Chromium for all browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
# Flags for a closed network, as root, without a screen.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_db(tmp_path_factory) -> Path:
    """The store the app serves: tests read expected counts from it."""
    return tmp_path_factory.mktemp("app") / "events.duckdb"


@pytest.fixture(scope="session")
def app_url(app_db):
    """Base URL of `streamlit run dashboard.py` on the default data, in a
    store of its own so the tests never touch data/events.duckdb."""
    db = app_db
    subprocess.run([sys.executable, "-m", "events", "init", "--db", str(db)], cwd=ROOT, check=True)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true",
         # A file edited in the checkout while the tests run must not reload
         # the app's modules under them.
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "EVENTS_DB": str(db)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    # Streamlit prints its URL once it listens; reading blocks until then.
    for line in server.stdout:
        if f"127.0.0.1:{port}" in line:
            break
    else:
        pytest.fail(f"streamlit exited with {server.wait()} before serving")
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(30)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make test` as root to install Debian's chromium")
    from playwright.sync_api import expect, sync_playwright

    # A rerun on a busy machine can take seconds: wait for what a person
    # would see for up to 30 s rather than Playwright's default 5 s.
    expect.set_options(timeout=30_000)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()

"""Shared fixtures: a fresh store per test, the shared folder, CI rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from events.duckdb_store import DuckDBStore
from events.store import Store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# The throwaway PostgreSQL cluster (postgres_server, postgres_dsn).
pytest_plugins = ["tests.postgres"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI=true a browser or database test that skips is a failure:
    a green run must mean those paths were exercised."""
    outcome = yield
    report = outcome.get_result()
    if ON_CI and report.skipped and ({"browser", "database"} & {m.name for m in item.iter_markers()}):
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which counts as a failure: {report.longrepr}"


@pytest.fixture(autouse=True)
def _no_configured_area(monkeypatch):
    """The tests assume the whole world unless they set EVENTS_AREA: a
    developer's own setting must not change their outcome."""
    monkeypatch.delenv("EVENTS_AREA", raising=False)


@pytest.fixture
def store(tmp_path) -> DuckDBStore:
    """An empty DuckDB store in a temporary file."""
    return DuckDBStore(tmp_path / "events.duckdb")


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.database)])
def any_store(request, tmp_path) -> Store:
    """An empty store of each backend in turn: a DuckDB file, then a
    database of its own on the throwaway PostgreSQL cluster."""
    if request.param == "duckdb":
        return DuckDBStore(tmp_path / "events.duckdb")
    from events.postgres_store import PostgresStore

    return PostgresStore(request.getfixturevalue("postgres_dsn"))


@pytest.fixture(scope="session")
def seed_report() -> str:
    """The Arabic seed report from ../shared/seeds (skips when absent)."""
    seeds = sorted((SHARED / "seeds").glob("*.txt")) if SHARED.exists() else []
    if not seeds:
        pytest.skip(f"no seed report: {SHARED / 'seeds'} does not exist")
    return seeds[0].read_text(encoding="utf-8")

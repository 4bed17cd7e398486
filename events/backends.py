"""Which store to open: a DuckDB file (the default) or, for a team, a
PostgreSQL server named by a DSN.

Kept out of `store` so that the interface imports no backend, and no
backend imports a module that imports it back.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from pathlib import Path

from .exc import ConfigurationError, StoreError
from .store import Store

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "events.duckdb"
# How long the app keeps a DuckDB file open after a call (DuckDBStore's
# `hold`), unless EVENTS_HOLD says: a person's reruns come seconds apart,
# and a program that waits for the file (the command line's import) waits
# no longer than this once the app is idle.
APP_HOLD_SECONDS = 5.0
_MOST_HOLD = 60.0


def app_hold(environ: Mapping[str, str] | None = None) -> float:
    """The app's hold in seconds: EVENTS_HOLD (0 to 60; 0 opens the file
    for each call), else APP_HOLD_SECONDS. Raises ConfigurationError for
    another value."""
    setting = (os.environ if environ is None else environ).get("EVENTS_HOLD")
    if setting is None:
        return APP_HOLD_SECONDS
    try:
        seconds = float(setting)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= _MOST_HOLD:
        raise ConfigurationError(f"EVENTS_HOLD must be a number of seconds from 0 to {_MOST_HOLD:.0f}, "
                                 f"not {setting!r}")
    return seconds


def open_store(db: str | os.PathLike | None = None, dsn: str | None = None, hold: float = 0.0) -> Store:
    """The store named by a DuckDB path or a PostgreSQL DSN.

    Without either, `EVENTS_DSN` is used if set, else `EVENTS_DB`, else
    the default DuckDB file `data/events.duckdb`. A DuckDB file stays open
    `hold` seconds after each call (DuckDBStore). Raises StoreError when
    the store cannot be opened.
    """
    dsn = dsn or (None if db else os.environ.get("EVENTS_DSN"))
    db = db or os.environ.get("EVENTS_DB")
    if dsn:
        if not dsn.startswith(("postgresql://", "postgres://")) and "=" not in dsn:
            raise StoreError(f"EVENTS_DSN must name a PostgreSQL server (postgresql://user@host:port/database),"
                             f" not {dsn!r}")
        from .postgres_store import PostgresStore

        return PostgresStore(dsn)
    from .duckdb_store import DuckDBStore

    return DuckDBStore(Path(db) if db else DEFAULT_DB, hold)

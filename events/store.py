"""The store interface: what the pages and the CLI may ask of any backend.

Nothing here depends on where events are kept; `open_store` picks the
backend from a path or a DSN. Checking a file is DuckDB's work whatever the
backend (events.importer), so `staging` hands out a DuckDB connection to
check in, and `store_staged` stores the accepted rows from it.

Every method that takes an `EventQuery` applies it through
`EventQuery.where()`, so all backends filter identically.
"""

from __future__ import annotations

import abc
import datetime as dt
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from .exc import StoreError
from .filters import EventQuery
from .schema import FIELD_NAMES

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "events.duckdb"
SCHEMA_VERSION = 5
# Batch origins that are not imports of a file (see `Store.imports`).
NOT_IMPORTS = ("demo", "coded")


@dataclass(frozen=True)
class Summary:
    count: int
    fatalities: int


@dataclass(frozen=True)
class Batch:
    """One write into the store: an import, the demo load, or a saved draft."""

    batch_id: str
    origin: str
    file_name: str | None = None
    file_hash: str | None = None
    coder: str | None = None
    created_at: dt.datetime | None = None
    rejected: int = 0
    skipped: int = 0


class Store(abc.ABC):
    """Events in, filtered views out. Writes are one transaction each."""

    @abc.abstractmethod
    def insert(self, events: Sequence[dict] | pa.Table, batch: Batch, replace: Sequence[str] = (),
               edits: Sequence[dict] = ()) -> int:
        """Store `events` (checked, typed: dicts or an Arrow table with the
        schema's columns) as one batch, all or nothing; with them, `edits`
        (event_id, field, drafted, saved: what a coder changed in a draft).

        Stored events whose ids are in `replace` are set aside first (so the
        batch can be undone). Returns the number stored. Raises
        DuplicateEventError if another id is already stored,
        StoreLockedError if another process is writing.
        """

    @contextmanager
    def staging(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A DuckDB connection, in a transaction, to check a file in: the
        importer makes table `checked` there (the schema's columns, typed,
        and its own), then `store_staged` stores its accepted rows. Leaving
        without `store_staged` stores nothing. By default a database in
        memory."""
        con = duckdb.connect()
        con.execute("BEGIN TRANSACTION")
        try:
            yield con
        finally:
            con.close()

    def store_staged(self, con: duckdb.DuckDBPyConnection, accepted: str, batch: Batch,
                     replace: Sequence[str] = ()) -> int:
        """Store the rows of table `checked` of `con` (from `staging`) that
        match `accepted`, the importer's SQL condition over its columns, as
        `insert` does. Returns the number stored."""
        columns = ", ".join(FIELD_NAMES)
        return self.insert(con.sql(f"SELECT {columns} FROM checked WHERE {accepted}").to_arrow_table(), batch,
                           replace=replace)

    @abc.abstractmethod
    def edits(self, event_id: str) -> pd.DataFrame:
        """The history of one coded event: each field whose saved value
        differs from the draft (field, drafted, saved, coder, edited_at)."""

    @abc.abstractmethod
    def stored_timestamps(self, ids: pa.Array) -> pa.Table:
        """(event_id, timestamp) of those of `ids` already stored."""

    @abc.abstractmethod
    def undo_batch(self, batch_id: str, coder: str | None = None) -> int:
        """Remove a batch's events and bring back the ones it replaced, in
        one transaction, recording who undid it (`undone`). Returns the
        number of events removed. Raises UndoOrderError, naming them, while
        later batches that replaced some of its events stand."""

    @abc.abstractmethod
    def undone(self) -> pd.DataFrame:
        """Undone batches, last undone first: what `batches` said of each,
        and undone_by, undone_at."""

    @abc.abstractmethod
    def similar(self, event: dict) -> list[dict]:
        """Stored events that may be `event` coded again: the same
        event_date and sub_event_type, and the same location or admin2
        (left blank, neither matches). The event itself (its event_id) is
        left out."""

    @abc.abstractmethod
    def summary(self, query: EventQuery) -> Summary:
        """Count and total fatalities of the matching events."""

    @abc.abstractmethod
    def frame(self, query: EventQuery, limit: int | None = None) -> pd.DataFrame:
        """Matching events, newest first, every schema column."""

    @abc.abstractmethod
    def iter_events(self, query: EventQuery, chunk_size: int = 10_000) -> Iterator[dict]:
        """Matching events one dict at a time, newest first, for export."""

    @abc.abstractmethod
    def points(self, query: EventQuery) -> pd.DataFrame:
        """Matching events aggregated by place: location, admin1, latitude,
        longitude, events, fatalities. A place is a point (rounded to 4
        decimals), named by its commonest spelling there. Bounded by the
        number of places, not of events, so the map stays small at a million
        rows."""

    @abc.abstractmethod
    def timeline(self, query: EventQuery) -> pd.DataFrame:
        """Matching events per month: month (first day), events, fatalities."""

    @abc.abstractmethod
    def distinct(self, column: str) -> list[str]:
        """Sorted distinct non-empty values of a schema column."""

    @abc.abstractmethod
    def date_span(self) -> tuple[dt.date, dt.date] | None:
        """First and last event_date stored, or None when empty."""

    @abc.abstractmethod
    def batches(self) -> pd.DataFrame:
        """Recorded batches, newest first."""

    def imports(self) -> pd.DataFrame:
        """The batches that are imported files, newest first: the ones an
        analyst undoes. The demo load and single coded events are not."""
        batches = self.batches()
        return batches[~batches["origin"].isin(NOT_IMPORTS)].reset_index(drop=True)

    @abc.abstractmethod
    def save_place(self, name: str, latitude: float, longitude: float, aliases: Sequence[str] = (),
                   admin1: str | None = None, coder: str | None = None) -> None:
        """Keep an analyst's own place (a village no gazetteer knows) for
        later geocoding; saving a name again moves it."""

    @abc.abstractmethod
    def learned_places(self) -> list[dict]:
        """Places for the gazetteer, with aliases and provenance: the
        analysts' own, then those coders pinned to a town (geo_precision 1)
        in stored events (source: origin, an event id and its batch)."""


def open_store(db: str | os.PathLike | None = None, dsn: str | None = None) -> Store:
    """The store named by a DuckDB path or a PostgreSQL DSN.

    Without either, `EVENTS_DSN` is used if set, else `EVENTS_DB`, else
    the default DuckDB file `data/events.duckdb`.
    """
    dsn = dsn or (None if db else os.environ.get("EVENTS_DSN"))
    db = db or os.environ.get("EVENTS_DB")
    if dsn:
        raise StoreError("the PostgreSQL backend is not available yet; use a DuckDB file (--db PATH)")
    from .duckdb_store import DuckDBStore

    return DuckDBStore(Path(db) if db else DEFAULT_DB)

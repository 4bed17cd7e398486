"""The store interface: what the pages and the CLI may ask of any backend.

No database module is imported here: each backend (`duckdb_store`, and
the PostgreSQL one to come) translates its own errors and renders the
filters in its own dialect (`EventQuery.where(dialect)`), so that all
backends filter identically. `backends.open_store` picks one.

Every event lives in one place, which a backend calls `events`: the rows
of every batch, coded events and the rows an undo brings back alike.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pandas as pd
import pyarrow as pa

from .filters import EventQuery

# Batch origins that are not imports of a file (see `Store.imports`).
NOT_IMPORTS = ("demo", "coded")
# What `Store.insert` takes: dicts, or an Arrow table with the schema's columns, typed.
Events: TypeAlias = Sequence[dict] | pa.Table


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
    def insert(self, events: Events, batch: Batch, replace: Sequence[str] = (), edits: Sequence[dict] = ()) -> int:
        """Store `events` (checked and typed) as one batch, all or nothing;
        with them, `edits`
        (event_id, field, drafted, saved: what a coder changed in a draft).

        Stored events whose ids are in `replace` are set aside first (so the
        batch can be undone). Returns the number stored. Raises
        DuplicateEventError if another id is already stored,
        StoreLockedError if another process is writing.
        """

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


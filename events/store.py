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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import pandas as pd
import pyarrow as pa

from .exc import UndoOrderError
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
class View:
    """What one rerun of the Explore page shows (`Store.view`)."""

    summary: Summary
    page: pd.DataFrame
    timeline: pd.DataFrame
    map_events: pd.DataFrame | None
    grid: pd.DataFrame
    regions: pd.DataFrame


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


@dataclass(frozen=True)
class Stored:
    """A stored event as read for an edit: every schema field (`event`)
    and its `version`, read in one statement. Each edit adds one to the
    version; an edit is applied only to the version its editor read."""

    event: dict
    version: int

    @property
    def event_id(self) -> str:
        return str(self.event["event_id"])


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
        """The history of one event: each field a coder changed in its
        draft before saving, then each field of each edit of the stored
        event (field, drafted: the value before, saved, coder, edited_at,
        version: the version the edit made; 1 for the draft's changes)."""

    @abc.abstractmethod
    def stored(self, event_id: str) -> Stored | None:
        """One stored event with its version, or None."""

    @abc.abstractmethod
    def edit_event(self, read: Stored, changes: Mapping[str, object], user: str | None) -> Stored:
        """Change fields of a stored event (`changes`: field -> value,
        checked by the caller, see `coding.edit_stored`) in one
        transaction, recording each in the edit history with `user`,
        if the stored event is still the version `read`; returns it as
        stored after the edit. The editor hands back what they read, so
        that a refusal can say what changed since.

        Raises StaleEditError (nothing written; it says what changed since
        and holds `changes`, to apply again on its `current`) when another
        edit, an import or an undo changed the event since `read`, and
        ValidationError when `changes` is empty or names a field that is
        not editable (event_id and provenance are the store's)."""

    @abc.abstractmethod
    def account_rows(self, statement: str, params: Mapping[str, object]) -> list[tuple]:
        """Run the statement of `events.accounts.STATEMENTS` named
        `statement` (the accounts and sessions tables, nothing else) with
        `params`, in a transaction of its own; the rows it returns. Only
        `events.accounts` calls this."""

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
    def timeline(self, query: EventQuery, unit: str = "month") -> pd.DataFrame:
        """Matching events per `unit` ("day", "week" from Monday, "month";
        `explore.timeline_unit` picks one for a span) and event type:
        period (its first day), event_type, events, fatalities; by period,
        then type. Periods without events have no rows. Raises QueryError
        for another unit."""

    @abc.abstractmethod
    def page(self, query: EventQuery, offset: int = 0, limit: int = 50, sort: str = "event_date",
             descending: bool = True, columns: Sequence[str] | None = None) -> pd.DataFrame:
        """Rows offset .. offset + limit - 1 of the matching events sorted
        by the schema field `sort` (NULLs last), ties by event_id: every
        schema column, or event_id and `columns` (explore.page_columns).
        Pages of one query cover each event exactly once. Raises
        QueryError for a sort or column that is not a schema field or a
        negative offset or limit."""

    @abc.abstractmethod
    def event(self, event_id: str) -> dict | None:
        """One stored event, every schema column, or None."""

    @abc.abstractmethod
    def map_events(self, query: EventQuery, limit: int) -> pd.DataFrame | None:
        """The matching events as single points, newest first, with the
        columns of `explore.MAP_COLUMNS`; events without coordinates are
        left out. None when more than `limit` events match: the map then
        draws `grid` and `regions`."""

    @abc.abstractmethod
    def grid(self, query: EventQuery, cell_degrees: float) -> pd.DataFrame:
        """The matching events placed at a town or near one (geo_precision
        1 or 2, with coordinates) in square cells `cell_degrees` wide,
        edges at multiples of it: latitude, longitude (the cell's centre),
        events, fatalities; most events first. With `regions` it counts
        every matching event once (see `events.explore`)."""

    @abc.abstractmethod
    def regions(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        """The matching events the grid does not draw (geo_precision 3, or
        no precision or no coordinates), per area of `level` ("admin1" or
        "admin2"): area, admin1, events, fatalities; an event without that
        area counts in the row whose area is None. Grid events plus region
        events equal `summary(query).count`."""

    @abc.abstractmethod
    def areas(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        """Every matching event per area of `level`, for a choropleth:
        area, admin1, events, fatalities (area None: the area is not known)."""

    @abc.abstractmethod
    def compare(self, query: EventQuery, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date],
                level: str = "admin1") -> pd.DataFrame:
        """Per area of `level`, the matching events in two periods (each
        from its first to its last day inclusive; the query's own dates are
        ignored): area, admin1, first_events, second_events, change
        (second - first), first_fatalities, second_fatalities; largest
        change first. Areas with no event in either period have no row."""

    def view(self, query: EventQuery, *, limit: int = 50, sort: str = "event_date", descending: bool = True,
             unit: str = "month", map_limit: int = 5_000, cell_degrees: float = 0.1,
             level: str = "admin1", columns: Sequence[str] | None = None) -> View:
        """What one Explore rerun shows, answered together (a backend may
        do it in one connection): the summary, the first page, the
        timeline, the single events (None above `map_limit`), the grid
        and the regions, as the methods of the same names (the page of
        `columns`, as `page`)."""
        summary = self.summary(query)
        return View(summary, self.page(query, 0, limit, sort, descending, columns), self.timeline(query, unit),
                    self.map_events(query, map_limit) if summary.count <= map_limit else None,
                    self.grid(query, cell_degrees), self.regions(query, level))

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


def refuse_out_of_order(batch_id: str, superseding: Callable[[list[str]], Iterable[str]],
                        described: Callable[[list[str]], Sequence[tuple[str, str | None, dt.datetime]]]) -> None:
    """Raise UndoOrderError if later batches replaced events of `batch_id`
    (or of a batch that did): they are named, newest first, the order in
    which undoing them works. Each backend asks its own tables:
    `superseding(ids)` gives the batches that replaced events of the batches
    `ids`, `described(ids)` gives (batch_id, file_name, created_at) of the
    batches `ids`, newest first."""
    later: set[str] = set()
    frontier = {batch_id}
    while frontier:
        frontier = set(superseding(sorted(frontier))) - later
        later |= frontier
    if not later:
        return
    first = described(sorted(later))
    names = "; then ".join(f"{b} ({name or 'no file'}, stored {created:%Y-%m-%d %H:%M})" for b, name, created in first)
    raise UndoOrderError(f"batch {batch_id} cannot be undone yet: later imports replaced some of its events. "
                         f"Undo first {names}.", [b for b, _, _ in first])

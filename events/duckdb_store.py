"""The default store: one DuckDB file.

A connection is opened per operation and closed after it, because DuckDB
lets only one process hold a file: a connection kept open in the app
would lock out the CLI. The app asks for the file to stay open for a few
seconds after its last call (`hold`): the reruns of a person at work then
find DuckDB's buffers warm, and other programs get the file once the app
has been idle that long. DuckDB's own errors are translated here and
nowhere else.

Every event is a row of table `events`. An import by path may check its
file on the store's own connection (`checking`, a capability of this
backend outside the shared interface): the importer's TEMP table of
checked rows, with its working columns, never reaches the file; its
accepted rows are copied into `events` in the same transaction
(`store_checked`), so a large import is checked and stored all or nothing.
"""

from __future__ import annotations

import atexit
import dataclasses
import datetime as dt
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from . import accounts, duckdb_explore, editing, explore
from .exc import DuplicateEventError, QueryError, StoreError, StoreLockedError, ValidationError
from .filters import DUCKDB, EventQuery
from .schema import DATE, FIELD_NAMES, FIELDS, FIELDS_BY_NAME, INTEGER, REAL, SQL_TYPES, TIMESTAMP
from .store import Batch, Events, Store, Stored, Summary, View, refuse_out_of_order
from .text_search import SEARCH_FOLD_DUCKDB

SCHEMA_VERSION = 7
_ARROW_TYPES = {INTEGER: pa.int64(), REAL: pa.float64(), DATE: pa.date32(), TIMESTAMP: pa.timestamp("us")}
_COLUMNS = ", ".join(FIELD_NAMES)
# Versions 2 to 4 had `events` as a table, as this one does; version 5 made
# it a view over `events_base` and one kept table per large import, which
# `_one_events_table` folds back into one table.
# Version 7 added each event's version (edits), the edits' version, and
# the accounts and sessions tables (`_VERSIONED` adds the columns).
_MIGRATES_FROM = {2, 3, 4, 5, 6}

_DDL = [
    # Ids are kept unique by insert (one writer, one transaction), not by a
    # primary key: its index costs a third of the time of a large import.
    # Stores made before keep theirs, which does no harm.
    "CREATE TABLE IF NOT EXISTS events ("
    + ", ".join(f"{f.name} {SQL_TYPES.get(f.kind, 'VARCHAR')}" for f in FIELDS) + ", version BIGINT DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS batches (batch_id VARCHAR PRIMARY KEY, origin VARCHAR, file_name VARCHAR,"
    " file_hash VARCHAR, coder VARCHAR, created_at TIMESTAMP, rows BIGINT, rejected BIGINT, skipped BIGINT)",
    "CREATE TABLE IF NOT EXISTS places (name VARCHAR PRIMARY KEY, aliases VARCHAR[], latitude DOUBLE,"
    " longitude DOUBLE, admin1 VARCHAR, coder VARCHAR, saved_at TIMESTAMP)",
    # What coders changed in drafts before saving them: the edit history.
    "CREATE TABLE IF NOT EXISTS edits (event_id VARCHAR, field VARCHAR, drafted VARCHAR, saved VARCHAR,"
    " coder VARCHAR, edited_at TIMESTAMP, version BIGINT)",
    # Rows a later batch replaced, kept so that undoing that batch restores them.
    "CREATE TABLE IF NOT EXISTS replaced_events AS SELECT *, NULL::VARCHAR AS superseded_by FROM events LIMIT 0",
    # Batches undone: their record, and who undid them when.
    "CREATE TABLE IF NOT EXISTS undone_batches (batch_id VARCHAR, origin VARCHAR, file_name VARCHAR,"
    " file_hash VARCHAR, coder VARCHAR, created_at TIMESTAMP, rows BIGINT, rejected BIGINT, skipped BIGINT,"
    " undone_by VARCHAR, undone_at TIMESTAMP)",
    *accounts.DDL,
]
# Version 6 to 7: tables made before have no version columns. A row kept
# before edits existed is its first version.
_VERSIONED = [
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS version BIGINT DEFAULT 1",
    "ALTER TABLE replaced_events ADD COLUMN IF NOT EXISTS version BIGINT",
    "ALTER TABLE edits ADD COLUMN IF NOT EXISTS version BIGINT",
]
_BATCH_COLUMNS = "batch_id, origin, file_name, file_hash, coder, created_at, rows, rejected, skipped"
# What a warning of similar events can name: a few, not a page of them.
_SIMILAR_LIMIT = 10


# DuckDB sees no conflict between one transaction's UPDATE of a row and
# another's DELETE of it: both commit. An edit racing an import that sets
# its event aside (or an undo removing it) was lost, yet said saved. So the
# writes of one process to a file take turns, as PostgreSQL's take their
# advisory lock; another process cannot write meanwhile (the file's lock).
# Reentrant: the importer's check (`checking`) stores in the same thread.
_WRITERS: dict[str, threading.RLock] = {}
_WRITERS_GUARD = threading.Lock()


# Opening and closing connections take turns in this process: DuckDB
# shuts a file's database down as its last connection closes, and a
# connection opened by another thread meanwhile fails ("Unique file handle
# conflict": a tenth of the calls of 8 threads at once, and failed reruns of
# ten Explore sessions). Queries still run side by side.
_OPENING = threading.Lock()


# Files this process keeps open between calls (DuckDBStore's `hold`), each
# by one connection that runs no query, and when each is let go. Changed
# only under _OPENING.
_HELD: dict[str, duckdb.DuckDBPyConnection] = {}
_RELEASE_AT: dict[str, float] = {}


def _release_when_idle(key: str) -> None:
    """Close the connection holding file `key` open once its time is up;
    a call since then moved the time on, so look again at that time."""
    with _OPENING:
        left = _RELEASE_AT.get(key, 0.0) - time.monotonic()
        if left <= 0:
            _RELEASE_AT.pop(key, None)
            held = _HELD.pop(key, None)
            if held is not None:
                held.close()
            return
    timer = threading.Timer(left, _release_when_idle, (key,))
    timer.daemon = True
    timer.start()


@atexit.register
def _release_all() -> None:
    """Close the files still held as the program ends (DuckDB's bindings
    complain of leaked objects otherwise)."""
    with _OPENING:
        while _HELD:
            _HELD.popitem()[1].close()


def release(path: Path) -> None:
    """Close file `path` now if this process holds it open (`hold`), so
    that another process may open it, or a bench time a cold call."""
    key = str(Path(path).resolve())
    with _OPENING:
        _RELEASE_AT.pop(key, None)
        held = _HELD.pop(key, None)
        if held is not None:
            held.close()


def _writer(path: Path) -> threading.RLock:
    """The lock of this process's writes to the file `path`."""
    with _WRITERS_GUARD:
        return _WRITERS.setdefault(str(path.resolve()), threading.RLock())


def _commit(con: duckdb.DuckDBPyConnection) -> None:
    """End a write. Its own function, so that a test can stop or fail a
    write at its last moment (tests/crash_import.py)."""
    con.execute("COMMIT")


def _arrow(events: Sequence[dict]) -> pa.Table:
    return pa.table({
        name: pa.array([event.get(name) for event in events],
                       type=_ARROW_TYPES.get(FIELDS_BY_NAME[name].kind, pa.string()))
        for name in FIELD_NAMES
    })


def _one_events_table(con: duckdb.DuckDBPyConnection) -> None:
    """Version 5 to 6: the rows `events` showed (table `events_base` and the
    accepted rows of each kept table) become table `events`; the kept
    tables and their views go."""
    con.execute(f"CREATE TABLE events_migrated AS SELECT {_COLUMNS} FROM events")
    con.execute("DROP VIEW events")
    kept = [table for (table,) in con.execute(
        "SELECT staged_table FROM batches WHERE staged_table IS NOT NULL").fetchall()]
    for table in kept:
        # A name read from the file goes into SQL: only one this program made may.
        if not re.fullmatch(r"staged_[0-9]+", table):
            raise StoreError(f"the store's batches table names {table!r}, a table this program did not make")
        con.execute(f"DROP VIEW IF EXISTS {table}_accepted")
        con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute("DROP TABLE events_base")
    con.execute("ALTER TABLE events_migrated RENAME TO events")
    # DuckDB drops no column of a table with a primary key: the batches are copied.
    con.execute(f"CREATE TABLE batches_migrated AS SELECT {_BATCH_COLUMNS} FROM batches")
    con.execute("DROP TABLE batches")
    con.execute("CREATE TABLE batches (batch_id VARCHAR PRIMARY KEY, origin VARCHAR, file_name VARCHAR,"
                " file_hash VARCHAR, coder VARCHAR, created_at TIMESTAMP, rows BIGINT, rejected BIGINT,"
                " skipped BIGINT)")
    con.execute(f"INSERT INTO batches SELECT {_BATCH_COLUMNS} FROM batches_migrated")
    con.execute("DROP TABLE batches_migrated")
    con.execute("DROP SEQUENCE IF EXISTS staged_numbers")


def _set_aside(con: duckdb.DuckDBPyConnection, replace: Sequence[str], batch_id: str) -> None:
    """Move the stored events whose ids are in `replace` to replaced_events."""
    if not replace:
        return
    con.register("replaced_ids", pa.table({"event_id": pa.array(list(replace), pa.string())}))
    con.execute(f"INSERT INTO replaced_events ({_COLUMNS}, version, superseded_by) SELECT {_COLUMNS}, version, $batch"
                " FROM events "
                "WHERE event_id IN (SELECT event_id FROM replaced_ids)", {"batch": batch_id})
    con.execute("DELETE FROM events WHERE event_id IN (SELECT event_id FROM replaced_ids)")
    con.unregister("replaced_ids")


@contextmanager
def _committing(con: duckdb.DuckDBPyConnection, batch: Batch) -> Iterator[None]:
    """The rest of `con`'s open transaction, which writes `batch`: committed
    when the block ends, rolled back when it raises."""
    try:
        yield
        _commit(con)
    except duckdb.ConstraintException as err:  # a store made with a primary key
        con.execute("ROLLBACK")
        raise DuplicateEventError(f"an event id in batch {batch.batch_id} is already stored: {err}") from err
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _record(con: duckdb.DuckDBPyConnection, batch: Batch, rows: int) -> None:
    con.execute(
        f"INSERT INTO batches ({_BATCH_COLUMNS}) VALUES ($batch_id, $origin, $file_name, $file_hash, $coder,"
        " $created_at, $rows, $rejected, $skipped)",
        {"batch_id": batch.batch_id, "origin": batch.origin, "file_name": batch.file_name,
         "file_hash": batch.file_hash, "coder": batch.coder, "created_at": batch.created_at, "rows": rows,
         "rejected": batch.rejected, "skipped": batch.skipped},
    )


def _refuse_out_of_order(con: duckdb.DuckDBPyConnection, batch_id: str) -> None:
    """store.refuse_out_of_order over this store's tables."""
    refuse_out_of_order(
        batch_id,
        lambda ids: [b for (b,) in con.execute("SELECT DISTINCT superseded_by FROM replaced_events "
                                               "WHERE list_contains($b, batch_id)", {"b": ids}).fetchall()],
        lambda ids: con.execute("SELECT batch_id, file_name, created_at FROM batches WHERE list_contains($b, batch_id)"
                                " ORDER BY created_at DESC, batch_id DESC", {"b": ids}).fetchall())


class DuckDBStore(Store):
    def __init__(self, path: Path, hold: float = 0.0):
        """The store in the DuckDB file `path` (made if missing). With
        `hold` > 0, the file stays open for that many seconds after each
        call, in this process, so that the next call finds it warm
        (136 against 67 ms a rerun of Explore at 1M events); meanwhile
        another process cannot open it."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._key = str(self.path.resolve())
        self.hold = hold
        self._writes = _writer(self.path)
        with self._writing() as con:
            con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = None if row is None else int(row[0])
            if version not in (None, SCHEMA_VERSION, *_MIGRATES_FROM):
                raise StoreError(f"{self.path} has schema version {version}, this program reads {SCHEMA_VERSION}")
            con.execute("BEGIN TRANSACTION")
            if version == 5:
                _one_events_table(con)
            for statement in _DDL:
                con.execute(statement)
            if version != SCHEMA_VERSION:
                for statement in _VERSIONED:
                    con.execute(statement)
                con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', $v)", {"v": str(SCHEMA_VERSION)})
            con.execute("COMMIT")

    def __repr__(self) -> str:
        return f"DuckDBStore({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        try:
            with _OPENING:
                con = duckdb.connect(str(self.path))
                if self.hold > 0 and self._key not in _HELD:
                    _HELD[self._key] = duckdb.connect(str(self.path))
                    _RELEASE_AT[self._key] = time.monotonic() + self.hold
                    first = True
                else:
                    first = False
        except duckdb.IOException as err:
            if "Could not set lock" in str(err):
                raise StoreLockedError(
                    f"The event store {self.path} is in use by another program (an import, or the dashboard,"
                    " which keeps it open while it is being used). Wait a few seconds, or close that program,"
                    " and try again."
                ) from err
            raise StoreError(f"cannot open the event store {self.path}: {err}") from err
        if first:
            _release_when_idle(self._key)
        try:
            yield con
        finally:
            with _OPENING:
                con.close()
                if self._key in _HELD:
                    _RELEASE_AT[self._key] = max(_RELEASE_AT[self._key], time.monotonic() + self.hold)

    @contextmanager
    def _writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for a write, once this process's other writes to the file are done (`_writer`)."""
        with self._writes, self._connect() as con:
            yield con

    @contextmanager
    def _reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection for the queries: the filters' SQL function search_fold is defined on it."""
        with self._connect() as con:
            con.execute(SEARCH_FOLD_DUCKDB)
            yield con

    def insert(self, events: Events, batch: Batch, replace: Sequence[str] = (), edits: Sequence[dict] = ()) -> int:
        with self._writing() as con:
            con.register("incoming", _arrow(events) if isinstance(events, Sequence) else events)
            return self._write(con, batch, replace, edits)

    @contextmanager
    def checking(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection on the store's file, in a transaction, for the
        importer to check a file in (into TEMP table `checked`) and then
        `store_checked` its accepted rows: one transaction from the first
        row read to the commit. Leaving without `store_checked` stores
        nothing (closing the connection rolls back)."""
        with self._writing() as con:
            con.execute("BEGIN TRANSACTION")
            yield con

    def store_checked(self, con: duckdb.DuckDBPyConnection, accepted: str, batch: Batch,
                      replace: Sequence[str] = ()) -> int:
        """Copy the rows of TEMP table `checked` on `con` (from `checking`)
        that match `accepted`, the importer's condition over its columns,
        into `events` as `batch`, as `insert` does, and commit. Returns the
        number stored."""
        # Every read orders its rows, so the store need not keep the batch's
        # order: without it DuckDB writes a large batch ~40% faster.
        con.execute("SET SESSION preserve_insertion_order = false")
        with _committing(con, batch):
            _set_aside(con, replace, batch.batch_id)
            # The importer compared the rows with the store through another
            # connection: one more look, in this transaction, that no id
            # was stored meanwhile.
            clash = con.execute(f"SELECT event_id FROM checked WHERE {accepted} AND event_id IN "
                                "(SELECT event_id FROM events) LIMIT 1").fetchall()
            if clash:
                raise DuplicateEventError(f"event id {clash[0][0]} of batch {batch.batch_id} is already stored")
            [(count,)] = con.execute(
                f"INSERT INTO events ({_COLUMNS}) SELECT {_COLUMNS} FROM checked WHERE {accepted}").fetchall()
            con.execute("DROP TABLE checked")
            _record(con, batch, count)
        return count

    def _write(self, con: duckdb.DuckDBPyConnection, batch: Batch, replace: Sequence[str] = (),
               edits: Sequence[dict] = ()) -> int:
        """Store the rows of relation `incoming` as `batch`, in one transaction."""
        created = batch.created_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        con.execute("SET SESSION preserve_insertion_order = false")  # as in store_checked
        con.execute("BEGIN TRANSACTION")
        with _committing(con, batch):
            _set_aside(con, replace, batch.batch_id)
            clash = con.execute(
                "SELECT event_id FROM incoming GROUP BY event_id HAVING count(*) > 1 UNION ALL "
                "SELECT event_id FROM incoming WHERE event_id IN (SELECT event_id FROM events) LIMIT 1").fetchall()
            if clash:
                raise DuplicateEventError(f"event id {clash[0][0]} of batch {batch.batch_id} is already stored "
                                          "or given twice")
            stamped = ", ".join(
                "$batch_id" if name == "batch_id"
                else f"coalesce(CAST({name} AS TIMESTAMP), $created)" if name in ("created_at", "updated_at")
                else name for name in FIELD_NAMES)
            [(count,)] = con.execute(f"INSERT INTO events ({_COLUMNS}) SELECT {stamped} FROM incoming",
                                     {"batch_id": batch.batch_id, "created": created}).fetchall()
            if edits:
                con.executemany(editing.insert_edits_sql(DUCKDB),
                                [{**edit, "coder": batch.coder, "edited_at": created, "version": 1} for edit in edits])
            _record(con, dataclasses.replace(batch, created_at=created), count)
        return count

    def edits(self, event_id: str) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute("SELECT field, drafted, saved, coder, edited_at, version FROM edits"
                               " WHERE event_id = $id ORDER BY edited_at, version, field", {"id": event_id}).df()

    def stored(self, event_id: str) -> Stored | None:
        with self._connect() as con:
            rows = con.execute(editing.stored_sql(DUCKDB), {"id": event_id}).fetchall()
        return editing.stored_of(rows)

    def edit_event(self, read: Stored, changes: Mapping[str, object], user: str | None) -> Stored:
        changes = editing.checked_changes(changes)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        done: list[tuple] = []
        # Leaving the block without a commit (stale, or failed) rolls the
        # edit back: closing the connection does.
        with self._writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                done = con.execute(*editing.update_sql(read, changes, now, DUCKDB)).fetchall()
                if done:
                    con.executemany(editing.insert_edits_sql(DUCKDB),
                                    editing.edit_rows(read, changes, user, now, int(done[0][0])))
                    _commit(con)
            except duckdb.TransactionException:
                # Another connection of this process changed the row first
                # (DuckDB's optimistic concurrency): as stale as a lost race.
                done = []
            except duckdb.ConversionException as err:
                raise ValidationError(f"event {read.event_id} was not changed: {err}") from err
        if not done:
            raise editing.refusal(self, read, changes)
        # Read afresh; should an undo have removed it meanwhile, what was written.
        return self.stored(read.event_id) or Stored({**read.event, **changes, "updated_at": now}, int(done[0][0]))

    def account_rows(self, statement: str, params: Mapping[str, object]) -> list[tuple]:
        sql = accounts.statement(statement, DUCKDB)
        with self._connect() if statement in accounts.READS else self._writing() as con:
            try:
                return con.execute(sql, dict(params)).fetchall()
            except duckdb.ConstraintException as err:
                raise ValidationError(f"the accounts refused this: {err}") from err

    def stored_timestamps(self, ids: pa.Array) -> pa.Table:
        with self._connect() as con:
            con.register("wanted", pa.table({"event_id": ids}))
            return con.sql("SELECT event_id, timestamp FROM events WHERE event_id IN "
                           "(SELECT event_id FROM wanted)").to_arrow_table()

    def undo_batch(self, batch_id: str, coder: str | None = None) -> int:
        with self._writing() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                [(known,)] = con.execute("SELECT count(*) FROM batches WHERE batch_id = $b",
                                         {"b": batch_id}).fetchall()
                if known == 0:
                    raise StoreError(f"there is no batch {batch_id}")
                # Its rows were replaced since: undoing it now would leave
                # the later batches pointing at rows that are gone.
                _refuse_out_of_order(con, batch_id)
                con.execute(f"INSERT INTO undone_batches SELECT {_BATCH_COLUMNS}, $by, $at FROM batches "
                            "WHERE batch_id = $b",
                            {"b": batch_id, "by": coder, "at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
                [(removed,)] = con.execute("SELECT count(*) FROM events WHERE batch_id = $b",
                                           {"b": batch_id}).fetchall()
                con.execute("DELETE FROM events WHERE batch_id = $b", {"b": batch_id})
                con.execute(f"INSERT INTO events ({_COLUMNS}, version) SELECT {_COLUMNS}, coalesce(version, 1)"
                            " FROM replaced_events WHERE superseded_by = $b", {"b": batch_id})
                con.execute("DELETE FROM replaced_events WHERE superseded_by = $b", {"b": batch_id})
                con.execute("DELETE FROM batches WHERE batch_id = $b", {"b": batch_id})
                _commit(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return int(removed)

    def undone(self) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute("SELECT * FROM undone_batches ORDER BY undone_at DESC, batch_id").df()

    def similar(self, event: dict) -> list[dict]:
        with self._connect() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM events WHERE event_date = $date AND sub_event_type = $sub"
                " AND event_id IS DISTINCT FROM $id"
                " AND (lower(location) = lower(nullif($location, '')) OR admin2 = nullif($admin2, ''))"
                " ORDER BY event_id LIMIT $limit",
                {"date": event.get("event_date"), "sub": event.get("sub_event_type"), "id": event.get("event_id"),
                 "location": event.get("location"), "admin2": event.get("admin2"), "limit": _SIMILAR_LIMIT},
            ).fetchall()
        return [dict(zip(FIELD_NAMES, row, strict=True)) for row in rows]

    def summary(self, query: EventQuery) -> Summary:
        with self._reading() as con:
            [(count, fatalities)] = con.execute(*explore.summary_sql(query, DUCKDB)).fetchall()
        return Summary(int(count), int(fatalities))

    def frame(self, query: EventQuery, limit: int | None = None) -> pd.DataFrame:
        where, params = query.where(DUCKDB)
        sql = f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY event_date DESC, event_id"
        if limit is not None:
            sql += " LIMIT $limit"
            params = {**params, "limit": int(limit)}
        with self._reading() as con:
            return con.execute(sql, params).df()

    def iter_events(self, query: EventQuery, chunk_size: int = 10_000) -> Iterator[dict]:
        where, params = query.where(DUCKDB)
        with self._reading() as con:
            cursor = con.execute(
                f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY event_date DESC, event_id", params
            )
            while rows := cursor.fetchmany(chunk_size):
                for row in rows:
                    yield dict(zip(FIELD_NAMES, row, strict=True))

    def points(self, query: EventQuery) -> pd.DataFrame:
        where, params = query.where(DUCKDB)
        # One circle per point, not per spelling: sources write one town as
        # "Hamah" and "Hama". The point is rounded to ~10 m and named by its
        # commonest spelling (ties: the first in sort order).
        with self._reading() as con:
            return con.execute(
                "WITH spelled AS (SELECT location, admin1, round(latitude, 4) AS latitude,"
                " round(longitude, 4) AS longitude, count(*) AS events, coalesce(sum(fatalities), 0) AS fatalities"
                f" FROM events WHERE {where} GROUP BY ALL)"
                " SELECT first(location ORDER BY events DESC, location) AS location,"
                " first(admin1 ORDER BY events DESC, location) AS admin1, latitude, longitude,"
                " sum(events) AS events, sum(fatalities) AS fatalities FROM spelled"
                " GROUP BY latitude, longitude ORDER BY events DESC, location",
                params,
            ).df()

    def timeline(self, query: EventQuery, unit: str = "month") -> pd.DataFrame:
        with self._reading() as con:
            return duckdb_explore.frame(con, explore.timeline_sql(query, DUCKDB, unit))

    def page(self, query: EventQuery, offset: int = 0, limit: int = 50, sort: str = "event_date",
             descending: bool = True, columns: Sequence[str] | None = None) -> pd.DataFrame:
        with self._reading() as con:
            return duckdb_explore.frame(con, explore.page_sql(query, DUCKDB, offset, limit, sort, descending,
                                                              columns=", ".join(explore.page_columns(columns))))

    def event(self, event_id: str) -> dict | None:
        with self._reading() as con:
            rows = con.execute(*explore.event_sql(event_id, DUCKDB)).fetchall()
        return dict(zip(FIELD_NAMES, rows[0], strict=True)) if rows else None

    def map_events(self, query: EventQuery, limit: int) -> pd.DataFrame | None:
        with self._reading() as con:
            return duckdb_explore.map_events(con, query, limit)

    def grid(self, query: EventQuery, cell_degrees: float) -> pd.DataFrame:
        with self._reading() as con:
            return duckdb_explore.frame(con, explore.grid_sql(query, DUCKDB, cell_degrees))

    def regions(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        with self._reading() as con:
            return duckdb_explore.frame(con, explore.areas_sql(query, DUCKDB, level, regions_only=True))

    def areas(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        with self._reading() as con:
            return duckdb_explore.frame(con, explore.areas_sql(query, DUCKDB, level))

    def compare(self, query: EventQuery, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date],
                level: str = "admin1") -> pd.DataFrame:
        with self._reading() as con:
            frame = duckdb_explore.frame(con, explore.compare_sql(query, DUCKDB, first, second, level))
        return explore.with_change(frame)

    def view(self, query: EventQuery, *, limit: int = 50, sort: str = "event_date", descending: bool = True,
             unit: str = "month", map_limit: int = 5_000, cell_degrees: float = 0.1,
             level: str = "admin1", columns: Sequence[str] | None = None) -> View:
        with self._reading() as con:
            return duckdb_explore.view(con, query, limit=limit, sort=sort, descending=descending, unit=unit,
                                       map_limit=map_limit, cell_degrees=cell_degrees, level=level,
                                       columns=explore.page_columns(columns))

    def distinct(self, column: str) -> list[str]:
        if column not in FIELDS_BY_NAME:
            raise QueryError(f"{column!r} is not an event field")
        with self._connect() as con:
            rows = con.execute(
                f"SELECT DISTINCT {column} FROM events WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY 1"
            ).fetchall()
        return [row[0] for row in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        with self._connect() as con:
            [(first, last)] = con.execute("SELECT min(event_date), max(event_date) FROM events").fetchall()
        return None if first is None else (first, last)

    def save_place(self, name: str, latitude: float, longitude: float, aliases: Sequence[str] = (),
                   admin1: str | None = None, coder: str | None = None) -> None:
        if not name.strip() or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError("a place needs a name and a point on Earth (latitude -90..90, longitude -180..180)")
        with self._writing() as con:
            con.execute("INSERT OR REPLACE INTO places VALUES ($name, $aliases, $lat, $lon, $admin1, $coder, $at)",
                        {"name": name.strip(), "aliases": [a.strip() for a in aliases if a.strip()],
                         "lat": latitude, "lon": longitude, "admin1": admin1, "coder": coder,
                         "at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})

    def learned_places(self) -> list[dict]:
        with self._connect() as con:
            own = con.execute("SELECT name, aliases, latitude, longitude, admin1, coder, saved_at FROM places "
                              "ORDER BY name").fetchall()
            rows = con.execute(
                "SELECT location, latitude, longitude, admin1, origin, min(event_id), min(batch_id), count(*) "
                "FROM events WHERE geo_precision = 1 AND location IS NOT NULL AND origin <> 'demo' "
                "GROUP BY location, latitude, longitude, admin1, origin ORDER BY location, origin"
            ).fetchall()
        analysts = [{"name": name, "aliases": list(aliases), "latitude": latitude, "longitude": longitude,
                     "admin1": admin1 or "", "source": f"saved by {coder or 'an analyst'} on {saved:%Y-%m-%d}"}
                    for name, aliases, latitude, longitude, admin1, coder, saved in own]
        return analysts + [
            {"name": name, "aliases": [], "latitude": latitude, "longitude": longitude, "admin1": admin1 or "",
             "source": f"learned from {origin} event {event_id} (batch {batch_id}; {count} event(s))"}
            for name, latitude, longitude, admin1, origin, event_id, batch_id, count in rows]

    def batches(self) -> pd.DataFrame:
        with self._connect() as con:
            return con.execute("SELECT * FROM batches ORDER BY created_at DESC, batch_id").df()

"""The team store: one PostgreSQL database, named by a DSN.

The schema is the DuckDB store's (same tables, columns and schema
version), created on open. Rows go in by `COPY` (CSV written by Arrow)
into a TEMP table, are checked there and copied into `events` in the same
transaction, so a batch is stored all or nothing, whoever else is writing
or however the server stops. Writes take one advisory lock, so that
concurrent imports, replacements and undos happen one after the other
(each still completely); reads never wait for it.

Results are shaped as the DuckDB store shapes them (the rows become an
Arrow table of the schema's types, then a DataFrame through DuckDB's own
conversion), so that both backends give identical frames. psycopg's
errors are translated here and nowhere else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import functools
import hashlib
import io
import sys
import threading
import unicodedata
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import duckdb
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import conninfo, errors, sql
from psycopg_pool import ConnectionPool, PoolTimeout

from . import accounts, editing, explore, text_search
from .exc import DuplicateEventError, QueryError, StoreError, ValidationError
from .filters import POSTGRESQL, EventQuery
from .schema import DATE, FIELD_NAMES, FIELDS, FIELDS_BY_NAME, INTEGER, REAL, TIMESTAMP
from .store import Batch, Events, Store, Stored, Summary, View, refuse_out_of_order

SCHEMA_VERSION = 7  # duckdb_store.SCHEMA_VERSION: one schema, two backends (a test checks)
_PG_TYPES = {INTEGER: "BIGINT", REAL: "DOUBLE PRECISION", DATE: "DATE", TIMESTAMP: "TIMESTAMP"}
_ARROW_TYPES = {INTEGER: pa.int64(), REAL: pa.float64(), DATE: pa.date32(), TIMESTAMP: pa.timestamp("us")}
_COLUMNS = ", ".join(FIELD_NAMES)
_COLUMN_DDL = ", ".join(f"{f.name} {_PG_TYPES.get(f.kind, 'TEXT')}" for f in FIELDS)
_BATCH_COLUMNS = "batch_id, origin, file_name, file_hash, coder, created_at, rows, rejected, skipped"
_SIMILAR_LIMIT = 10
# A batch of this many rows or more is followed by ANALYZE.
_ANALYZE_AFTER = 10_000
# Every write (and the schema's creation) holds this advisory lock until it commits.
_WRITE_LOCK = 7_419_001
# Reads take a connection from a pool of this many (a new one costs about 15 ms,
# more than most queries), waiting at most _POOL_WAIT seconds for one.
_POOL_SIZE = 10
_POOL_WAIT = 2.0


@functools.cache
def _marks_class() -> str:
    """A regular-expression bracket of every Unicode mark (Mn, Mc, Me): what
    `text_search.fold` drops after decomposing, as DuckDB's strip_accents."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) in ("Mn", "Mc", "Me"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "[" + "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]"


def _search_fold_function() -> str:
    """search_fold(text) in PostgreSQL, the fold of DuckDB's macro
    (`text_search.SEARCH_FOLD_DUCKDB`): marks dropped, then the letters
    replaced by `translate` (ـ, mapped to nothing, last: translate drops it)."""
    # The letters are text_search's own table, so that the two folds cannot drift apart.
    letters = text_search.LETTERS
    kept = [(old, new) for old, new in letters.items() if new] + [(old, new) for old, new in letters.items() if not new]
    source = "".join(old for old, _ in kept).replace("'", "''")
    target = "".join(new for _, new in kept).replace("'", "''")
    stripped = f"normalize(regexp_replace(normalize(s, NFD), '{_marks_class()}', '', 'g'), NFC)"
    return ("CREATE OR REPLACE FUNCTION search_fold(s TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE"
            f" RETURN translate({stripped}, '{source}', '{target}')")


# What Explore's counts, timeline, grid and regions read of a row.
_EXPLORED = ("event_type", "admin1", "admin2", "fatalities", "latitude", "longitude", "geo_precision")


def _covering(name: str, *keys: str) -> str:
    """An index on `keys` that holds the rest of _EXPLORED too."""
    included = ", ".join(c for c in _EXPLORED if c not in keys)
    return f"CREATE INDEX IF NOT EXISTS {name} ON events ({', '.join(keys)}) INCLUDE ({included})"


_DDL = [
    # The primary key keeps ids unique across concurrent writers.
    f"CREATE TABLE IF NOT EXISTS events ({_COLUMN_DDL}, version BIGINT DEFAULT 1, PRIMARY KEY (event_id))",
    "CREATE TABLE IF NOT EXISTS batches (batch_id TEXT PRIMARY KEY, origin TEXT, file_name TEXT,"
    " file_hash TEXT, coder TEXT, created_at TIMESTAMP, rows BIGINT, rejected BIGINT, skipped BIGINT)",
    "CREATE TABLE IF NOT EXISTS places (name TEXT PRIMARY KEY, aliases TEXT[], latitude DOUBLE PRECISION,"
    " longitude DOUBLE PRECISION, admin1 TEXT, coder TEXT, saved_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS edits (event_id TEXT, field TEXT, drafted TEXT, saved TEXT,"
    " coder TEXT, edited_at TIMESTAMP, version BIGINT)",
    f"CREATE TABLE IF NOT EXISTS replaced_events ({_COLUMN_DDL}, version BIGINT, superseded_by TEXT)",
    "CREATE TABLE IF NOT EXISTS undone_batches (batch_id TEXT, origin TEXT, file_name TEXT,"
    " file_hash TEXT, coder TEXT, created_at TIMESTAMP, rows BIGINT, rejected BIGINT, skipped BIGINT,"
    " undone_by TEXT, undone_at TIMESTAMP)",
    *accounts.DDL,
    # Version 6 to 7 (as duckdb_store._VERSIONED): a row kept before edits existed is its first version.
    "ALTER TABLE events ADD COLUMN IF NOT EXISTS version BIGINT DEFAULT 1",
    "ALTER TABLE replaced_events ADD COLUMN IF NOT EXISTS version BIGINT",
    "ALTER TABLE edits ADD COLUMN IF NOT EXISTS version BIGINT",
    # Indexes that fit the filters and the page's order, and what undo looks up.
    # The first page in the page's own order (NULLS LAST: the index before,
    # DESC alone, is NULLS FIRST and went unused for it).
    "DROP INDEX IF EXISTS events_event_date",
    "CREATE INDEX IF NOT EXISTS events_page_order ON events (event_date DESC NULLS LAST, event_id)",
    # Dates, governorates, types: each index holds the columns Explore's
    # counts, timeline, grid and regions read, so that a filtered view is
    # answered from the index alone (an index-only scan, where VACUUM has
    # marked the pages) instead of fetching rows spread over every page.
    # A filtered view of 1M events: 4-30x faster (EXPLAIN ANALYZE of its queries).
    "DROP INDEX IF EXISTS events_event_type",
    "DROP INDEX IF EXISTS events_admin1",
    _covering("events_date_cover", "event_date", "event_id"),
    _covering("events_admin1_date", "admin1", "event_date"),
    _covering("events_type_date", "event_type", "event_date"),
    "CREATE INDEX IF NOT EXISTS events_batch_id ON events (batch_id)",
    "CREATE INDEX IF NOT EXISTS replaced_events_superseded_by ON replaced_events (superseded_by)",
    "CREATE INDEX IF NOT EXISTS edits_event_id ON edits (event_id)",
]
# The Latin text filter is ILIKE '%...%' on these columns: trigram indexes
# serve it, where the server has pg_trgm (a contrib module, trusted).
_TRIGRAM_DDL = [f"CREATE INDEX IF NOT EXISTS events_{c}_trgm ON events USING gin ({c} gin_trgm_ops)"
                for c in text_search.TEXT_COLUMNS]

# PostgreSQL type oids -> the Arrow type DuckDB would have given the column.
_OID_TYPES = {16: pa.bool_(), 20: pa.int64(), 21: pa.int64(), 23: pa.int64(), 700: pa.float64(),
              701: pa.float64(), 1700: pa.float64(), 1082: pa.date32(), 1114: pa.timestamp("us"),
              1009: pa.list_(pa.string())}


def _commit(con: psycopg.Connection) -> None:
    """End a write. Its own function, so that a test can stop or fail a
    write at its last moment."""
    con.commit()


def _arrow(events: Sequence[dict]) -> pa.Table:
    return pa.table({
        name: pa.array([event.get(name) for event in events],
                       type=_ARROW_TYPES.get(FIELDS_BY_NAME[name].kind, pa.string()))
        for name in FIELD_NAMES
    })


def _typed(table: pa.Table) -> pa.Table:
    """The schema's columns of `table`, in order, each of its Arrow type."""
    columns = []
    for name in FIELD_NAMES:
        wanted = _ARROW_TYPES.get(FIELDS_BY_NAME[name].kind, pa.string())
        column = table.column(name) if name in table.column_names else pa.nulls(len(table), wanted)
        columns.append(column if column.type == wanted else column.cast(wanted))
    return pa.table(columns, names=list(FIELD_NAMES))


def _csv(table: pa.Table) -> bytes:
    """`table` as CSV for COPY: NULL unquoted and empty, every text quoted
    (so an empty text stays empty), no header."""
    out = io.BytesIO()
    pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
    return out.getvalue()


def _cell(value: object) -> object:
    return float(value) if isinstance(value, decimal.Decimal) else value


def _arrow_of(cursor: psycopg.Cursor) -> pa.Table:
    """The cursor's remaining rows as an Arrow table of the types DuckDB gives them."""
    description = cursor.description or []
    rows = cursor.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in description]
    return pa.table({column.name: pa.array([_cell(v) for v in values], type=_OID_TYPES.get(column.type_code,
                                                                                            pa.string()))
                     for column, values in zip(description, columns, strict=True)})


def _frame(cursor: psycopg.Cursor) -> pd.DataFrame:
    """The cursor's rows as the DuckDB store's `.df()` gives them."""
    # A DuckDB cursor of its own: the module's default connection refuses a
    # call from a second thread while busy (Streamlit's sessions are threads).
    with duckdb.default_connection().cursor() as con:
        return con.from_arrow(_arrow_of(cursor)).df()


def _said(err: Exception) -> str:
    """psycopg's message on one line, without its last full stop."""
    return " ".join(str(err).split()).rstrip(".")


def _where_dsn(dsn: str) -> str:
    """Where a DSN points, without its password: for messages."""
    try:
        parts = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        return "the server named by EVENTS_DSN"
    host = parts.get("host") or "the local socket"
    port = parts.get("port") or "5432"
    return f"database {parts.get('dbname') or '(default)'} on {host} port {port} as {parts.get('user') or '(default)'}"


class PostgresStore(Store):
    def __init__(self, dsn: str):
        self.dsn = dsn
        self._pool: ConnectionPool | None = None
        self._pool_lock = threading.Lock()
        fold = hashlib.sha256(_search_fold_function().encode()).hexdigest()
        with self._connect() as con, self._translated():
            [(encoding,)] = con.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database"
                                        " WHERE datname = current_database()").fetchall()
            if encoding != "UTF8":
                raise StoreError(f"{_where_dsn(dsn)} has encoding {encoding}: the event store needs a UTF8 database"
                                 " (createdb -E UTF8)")
            # Made already (the usual case): opening takes no lock, so that
            # it never waits for an import in progress.
            if self._made(con) == (str(SCHEMA_VERSION), fold):
                self.trigram = con.execute("SELECT to_regclass('events_notes_trgm') IS NOT NULL").fetchone() == (True,)
                return
            con.rollback()
            # Closing a connection without a commit rolls its transaction back.
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            version = self._made(con)[0]
            if version not in (None, "6", str(SCHEMA_VERSION)):  # 6 is migrated by _DDL
                raise StoreError(f"{_where_dsn(dsn)} has schema version {version}, this program reads "
                                 f"{SCHEMA_VERSION}")
            for statement in _DDL:
                con.execute(statement)
            con.execute(_search_fold_function())
            self.trigram = self._trigram_indexes(con)
            for key, value in (("schema_version", str(SCHEMA_VERSION)), ("search_fold", fold)):
                con.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            (key, value))
            con.commit()

    @staticmethod
    def _made(con: psycopg.Connection) -> tuple[str | None, str | None]:
        """The schema version and the hash of search_fold's definition the
        database was made with (None, None: not made yet)."""
        if con.execute("SELECT to_regclass('meta')").fetchone() == (None,):
            return None, None
        rows = con.execute("SELECT key, value FROM meta WHERE key IN ('schema_version', 'search_fold')").fetchall()
        values: dict[str, str] = dict(rows)
        return values.get("schema_version"), values.get("search_fold")

    def __repr__(self) -> str:
        return f"PostgresStore({_where_dsn(self.dsn)!r})"

    @staticmethod
    def _trigram_indexes(con: psycopg.Connection) -> bool:
        """Make the text filter's trigram indexes if the server has pg_trgm; whether it has."""
        if not con.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").fetchall():
            return False
        try:
            with con.transaction():
                con.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                for statement in _TRIGRAM_DDL:
                    con.execute(statement)
        except errors.InsufficientPrivilege:
            return False  # the text filter still works, by reading every row
        return True

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        try:
            con = psycopg.connect(self.dsn, connect_timeout=10, options="-c timezone=UTC")
        except psycopg.OperationalError as err:
            raise StoreError(
                f"cannot connect to the event store ({_where_dsn(self.dsn)}): {_said(err)}. Check that the"
                " PostgreSQL server is running and reachable there, and the user, password and database name in"
                " EVENTS_DSN."
            ) from err
        except psycopg.ProgrammingError as err:
            raise StoreError(f"cannot read the PostgreSQL address EVENTS_DSN: {err}") from err
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _translated(self, batch: Batch | None = None) -> Iterator[None]:
        """psycopg's errors in the block as ours."""
        try:
            yield
        except errors.UniqueViolation as err:
            what = f"batch {batch.batch_id}" if batch else "this write"
            raise DuplicateEventError(f"an event id of {what} is already stored: "
                                      f"{(err.diag.message_detail or str(err)).strip()}") from err
        except psycopg.OperationalError as err:
            raise StoreError(f"the event store ({_where_dsn(self.dsn)}) stopped answering: {_said(err)}."
                             " Nothing of the unfinished write was stored; try again once the server is back.") from err
        except psycopg.Error as err:
            raise StoreError(f"the event store ({_where_dsn(self.dsn)}) refused: {_said(err)}") from err

    def _read_pool(self) -> ConnectionPool:
        """The store's pool of read connections, opened on first use; a
        connection is checked as it is taken, so that one the server
        dropped (a restart) is replaced rather than failing a read."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(self.dsn, min_size=0, max_size=_POOL_SIZE, max_idle=60,
                                            kwargs={"connect_timeout": 10, "options": "-c timezone=UTC"},
                                            check=ConnectionPool.check_connection, name="events-read", open=True)
                # Closed when the store goes, from the thread that lets it go: left
                # to the pool's own __del__, it may run in a worker of the pool, which
                # cannot join itself.
                weakref.finalize(self, self._pool.close)
            return self._pool

    @contextmanager
    def _reading(self) -> Iterator[psycopg.Connection]:
        """A connection for reads: from the pool, else (none came in time:
        the server is down, or every pooled one is busy) a connection of its
        own, which serves the read or says why the server cannot."""
        pool = self._read_pool()
        try:
            con = pool.getconn(timeout=_POOL_WAIT)
        except PoolTimeout:
            with self._connect() as con, self._translated():
                yield con
            return
        try:
            # Leaving `con` ends its transaction; the pool keeps the connection.
            with self._translated(), con:
                yield con
        finally:
            pool.putconn(con)

    def _frame(self, statement: tuple[str, dict[str, object]]) -> pd.DataFrame:
        with self._reading() as con:
            return _frame(con.execute(*statement))

    def insert(self, events: Events, batch: Batch, replace: Sequence[str] = (), edits: Sequence[dict] = ()) -> int:
        table = _arrow(events) if isinstance(events, Sequence) else _typed(events)
        created = batch.created_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self._connect() as con, self._translated(batch):
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            con.execute(f"CREATE TEMP TABLE incoming ({_COLUMN_DDL}) ON COMMIT DROP")
            with con.cursor().copy(f"COPY incoming ({_COLUMNS}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(_csv(table))
            self._set_aside(con, replace, batch.batch_id)
            clash = con.execute(
                "(SELECT event_id FROM incoming GROUP BY event_id HAVING count(*) > 1) UNION ALL "
                "(SELECT event_id FROM incoming WHERE event_id IN (SELECT event_id FROM events)) LIMIT 1").fetchall()
            if clash:
                raise DuplicateEventError(f"event id {clash[0][0]} of batch {batch.batch_id} is already stored "
                                          "or given twice")
            stamped = ", ".join(
                "%(batch_id)s" if name == "batch_id"
                else f"coalesce({name}, %(created)s)" if name in ("created_at", "updated_at")
                else name for name in FIELD_NAMES)
            count = con.execute(f"INSERT INTO events ({_COLUMNS}) SELECT {stamped} FROM incoming",
                                {"batch_id": batch.batch_id, "created": created}).rowcount
            if edits:
                with con.cursor() as cursor:
                    cursor.executemany(
                        editing.insert_edits_sql(POSTGRESQL),
                        [{**edit, "coder": batch.coder, "edited_at": created, "version": 1} for edit in edits])
            self._record(con, dataclasses.replace(batch, created_at=created), count)
            _commit(con)
            if count >= _ANALYZE_AFTER:
                # Fresh statistics, so that the next query picks the indexes
                # (autovacuum would get there, a minute or so later).
                con.execute("ANALYZE events")
                con.commit()
        return count

    @staticmethod
    def _set_aside(con: psycopg.Connection, replace: Sequence[str], batch_id: str) -> None:
        if not replace:
            return
        ids = list(replace)
        con.execute(f"INSERT INTO replaced_events ({_COLUMNS}, version, superseded_by) SELECT {_COLUMNS}, version,"
                    " %(batch)s FROM events WHERE event_id = ANY(%(ids)s)", {"batch": batch_id, "ids": ids})
        con.execute("DELETE FROM events WHERE event_id = ANY(%(ids)s)", {"ids": ids})

    @staticmethod
    def _record(con: psycopg.Connection, batch: Batch, rows: int) -> None:
        con.execute(
            f"INSERT INTO batches ({_BATCH_COLUMNS}) VALUES (%(batch_id)s, %(origin)s, %(file_name)s, %(file_hash)s,"
            " %(coder)s, %(created_at)s, %(rows)s, %(rejected)s, %(skipped)s)",
            {"batch_id": batch.batch_id, "origin": batch.origin, "file_name": batch.file_name,
             "file_hash": batch.file_hash, "coder": batch.coder, "created_at": batch.created_at, "rows": rows,
             "rejected": batch.rejected, "skipped": batch.skipped},
        )

    def edits(self, event_id: str) -> pd.DataFrame:
        return self._frame(("SELECT field, drafted, saved, coder, edited_at, version FROM edits"
                            " WHERE event_id = %(id)s ORDER BY edited_at, version, field", {"id": event_id}))

    def stored(self, event_id: str) -> Stored | None:
        with self._reading() as con:
            rows = con.execute(editing.stored_sql(POSTGRESQL), {"id": event_id}).fetchall()
        return editing.stored_of(rows)

    def edit_event(self, read: Stored, changes: Mapping[str, object], user: str | None) -> Stored:
        changes = editing.checked_changes(changes)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with self._connect() as con, self._translated():
            # The writers' lock: an import setting this event aside copies
            # the row it read, so an edit must not land between its copy and
            # its delete. Two editors also queue here; the version decides.
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            try:
                done = con.execute(*editing.update_sql(read, changes, now, POSTGRESQL)).fetchone()
            except (errors.DataError, errors.InvalidTextRepresentation) as err:
                raise ValidationError(f"event {read.event_id} was not changed: {_said(err)}") from err
            if done is not None:
                with con.cursor() as cursor:
                    cursor.executemany(editing.insert_edits_sql(POSTGRESQL),
                                       editing.edit_rows(read, changes, user, now, int(done[0])))
                _commit(con)
        # Closing the connection without a commit rolled a stale edit back.
        if done is None:
            raise editing.refusal(self, read, changes)
        return self.stored(read.event_id) or Stored({**read.event, **changes, "updated_at": now}, int(done[0]))

    def account_rows(self, statement: str, params: Mapping[str, object]) -> list[tuple]:
        sql = accounts.statement(statement, POSTGRESQL)
        if statement in accounts.READS:
            # Checking a session is every page run's first query: a pooled connection.
            with self._reading() as con:
                return con.execute(sql, dict(params)).fetchall()
        with self._connect() as con, self._translated():
            try:
                cursor = con.execute(sql, dict(params))
            except errors.UniqueViolation as err:
                raise ValidationError(f"the accounts refused this: {_said(err)}") from err
            rows = cursor.fetchall() if cursor.description else []
            con.commit()
        return rows

    def stored_timestamps(self, ids: pa.Array) -> pa.Table:
        with self._reading() as con:
            rows = con.execute("SELECT event_id, timestamp FROM events WHERE event_id = ANY(%(ids)s)",
                               {"ids": [i for i in ids.to_pylist() if i is not None]}).fetchall()
        return pa.table({"event_id": pa.array([r[0] for r in rows], pa.string()),
                         "timestamp": pa.array([r[1] for r in rows], pa.int64())})

    @staticmethod
    def _refuse_out_of_order(con: psycopg.Connection, batch_id: str) -> None:
        """store.refuse_out_of_order over this store's tables."""
        refuse_out_of_order(
            batch_id,
            lambda ids: [b for (b,) in con.execute("SELECT DISTINCT superseded_by FROM replaced_events "
                                                   "WHERE batch_id = ANY(%(b)s)", {"b": ids}).fetchall()],
            lambda ids: con.execute("SELECT batch_id, file_name, created_at FROM batches WHERE batch_id = ANY(%(b)s)"
                                    " ORDER BY created_at DESC NULLS LAST, batch_id DESC", {"b": ids}).fetchall())

    def undo_batch(self, batch_id: str, coder: str | None = None) -> int:
        with self._connect() as con, self._translated():
            con.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            b = {"b": batch_id}
            if not con.execute("SELECT 1 FROM batches WHERE batch_id = %(b)s", b).fetchall():
                raise StoreError(f"there is no batch {batch_id}")
            self._refuse_out_of_order(con, batch_id)
            con.execute(f"INSERT INTO undone_batches SELECT {_BATCH_COLUMNS}, %(by)s, %(at)s FROM batches"
                        " WHERE batch_id = %(b)s",
                        {**b, "by": coder, "at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
            removed = con.execute("DELETE FROM events WHERE batch_id = %(b)s", b).rowcount
            con.execute(f"INSERT INTO events ({_COLUMNS}, version) SELECT {_COLUMNS}, coalesce(version, 1)"
                        " FROM replaced_events WHERE superseded_by = %(b)s", b)
            con.execute("DELETE FROM replaced_events WHERE superseded_by = %(b)s", b)
            con.execute("DELETE FROM batches WHERE batch_id = %(b)s", b)
            _commit(con)
        return int(removed)

    def undone(self) -> pd.DataFrame:
        return self._frame(("SELECT * FROM undone_batches ORDER BY undone_at DESC NULLS LAST, batch_id", {}))

    def similar(self, event: dict) -> list[dict]:
        with self._reading() as con:
            rows = con.execute(
                f"SELECT {_COLUMNS} FROM events WHERE event_date = %(date)s AND sub_event_type = %(sub)s"
                " AND event_id IS DISTINCT FROM %(id)s::TEXT"
                " AND (lower(location) = lower(nullif(%(location)s::TEXT, ''))"
                " OR admin2 = nullif(%(admin2)s::TEXT, '')) ORDER BY event_id LIMIT %(limit)s",
                {"date": event.get("event_date"), "sub": event.get("sub_event_type"), "id": event.get("event_id"),
                 "location": event.get("location"), "admin2": event.get("admin2"), "limit": _SIMILAR_LIMIT},
            ).fetchall()
        return [dict(zip(FIELD_NAMES, row, strict=True)) for row in rows]

    def summary(self, query: EventQuery) -> Summary:
        with self._reading() as con:
            [(count, fatalities)] = con.execute(*explore.summary_sql(query, POSTGRESQL)).fetchall()
        return Summary(int(count), int(fatalities))

    def frame(self, query: EventQuery, limit: int | None = None) -> pd.DataFrame:
        where, params = query.where(POSTGRESQL)
        statement = f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY event_date DESC, event_id"
        if limit is not None:
            statement += " LIMIT %(limit)s"
            params = {**params, "limit": int(limit)}
        return self._frame((statement, params))

    def iter_events(self, query: EventQuery, chunk_size: int = 10_000) -> Iterator[dict]:
        where, params = query.where(POSTGRESQL)
        # A server-side cursor: an export of a million rows is read a chunk at a time.
        with self._reading() as con, con.transaction(), con.cursor(name="export") as cursor:
            cursor.itersize = chunk_size
            cursor.execute(f"SELECT {_COLUMNS} FROM events WHERE {where} ORDER BY event_date DESC, event_id", params)
            for row in cursor:
                yield dict(zip(FIELD_NAMES, row, strict=True))

    def points(self, query: EventQuery) -> pd.DataFrame:
        where, params = query.where(POSTGRESQL)
        # As the DuckDB store's: one circle per point rounded to ~10 m, named
        # by its commonest spelling (ties: the first in sort order).
        return self._frame((
            "WITH spelled AS (SELECT location, admin1, round(latitude::NUMERIC, 4)::DOUBLE PRECISION AS latitude,"
            " round(longitude::NUMERIC, 4)::DOUBLE PRECISION AS longitude, count(*) AS events,"
            f" coalesce(sum(fatalities), 0)::BIGINT AS fatalities FROM events WHERE {where} GROUP BY 1, 2, 3, 4)"
            " SELECT (array_agg(location ORDER BY events DESC, location))[1] AS location,"
            " (array_agg(admin1 ORDER BY events DESC, location))[1] AS admin1, latitude, longitude,"
            # DuckDB's sums here are HUGEINT, which its frames give as float: so are these.
            " sum(events)::DOUBLE PRECISION AS events, sum(fatalities)::DOUBLE PRECISION AS fatalities FROM spelled"
            " GROUP BY latitude, longitude ORDER BY events DESC, location", params))

    def timeline(self, query: EventQuery, unit: str = "month") -> pd.DataFrame:
        return self._frame(explore.timeline_sql(query, POSTGRESQL, unit))

    def page(self, query: EventQuery, offset: int = 0, limit: int = 50, sort: str = "event_date",
             descending: bool = True, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return self._frame(explore.page_sql(query, POSTGRESQL, offset, limit, sort, descending,
                                            columns=", ".join(explore.page_columns(columns))))

    def event(self, event_id: str) -> dict | None:
        with self._reading() as con:
            rows = con.execute(*explore.event_sql(event_id, POSTGRESQL)).fetchall()
        return dict(zip(FIELD_NAMES, rows[0], strict=True)) if rows else None

    def map_events(self, query: EventQuery, limit: int) -> pd.DataFrame | None:
        points = self._frame(explore.map_sql(query, POSTGRESQL, limit))
        if len(points) > limit:
            return None
        return points[points["latitude"].notna() & points["longitude"].notna()].reset_index(drop=True)

    def grid(self, query: EventQuery, cell_degrees: float) -> pd.DataFrame:
        return self._frame(explore.grid_sql(query, POSTGRESQL, cell_degrees))

    def regions(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        return self._frame(explore.areas_sql(query, POSTGRESQL, level, regions_only=True))

    def areas(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        return self._frame(explore.areas_sql(query, POSTGRESQL, level))

    def compare(self, query: EventQuery, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date],
                level: str = "admin1") -> pd.DataFrame:
        return explore.with_change(self._frame(explore.compare_sql(query, POSTGRESQL, first, second, level)))

    def view(self, query: EventQuery, *, limit: int = 50, sort: str = "event_date", descending: bool = True,
             unit: str = "month", map_limit: int = 5_000, cell_degrees: float = 0.1,
             level: str = "admin1", columns: Sequence[str] | None = None) -> View:
        # One connection and one snapshot for the whole rerun: the parts agree
        # even while another coder writes, and a connection is opened once.
        with self._reading() as con:
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            table = "events"
            if query.text:
                # A text search is evaluated once, not once per part: its
                # matching rows go into a TEMP table that every part reads.
                where, params = query.where(POSTGRESQL)
                con.execute(f"CREATE TEMP TABLE explore_hits ON COMMIT DROP AS SELECT {_COLUMNS} FROM events"
                            f" WHERE {where}", params)
                query, table = EventQuery(), "explore_hits"
            [(count, fatalities)] = con.execute(
                f"SELECT count(*), coalesce(sum(fatalities), 0) FROM {table} WHERE {query.where(POSTGRESQL)[0]}",
                query.where(POSTGRESQL)[1]).fetchall()
            summary = Summary(int(count), int(fatalities))
            points = None
            if summary.count <= map_limit:
                where, params = query.where(POSTGRESQL)
                points = _frame(con.execute(f"SELECT {', '.join(explore.MAP_SELECT)} FROM {table} WHERE {where}"
                                            " ORDER BY event_date DESC, event_id", params))
                points = points[points["latitude"].notna() & points["longitude"].notna()].reset_index(drop=True)
            return View(
                summary, _frame(con.execute(*explore.page_sql(
                    query, POSTGRESQL, 0, limit, sort, descending, table=table,
                    columns=", ".join(explore.page_columns(columns))))),
                _frame(con.execute(*explore.timeline_sql(query, POSTGRESQL, unit, table=table))), points,
                _frame(con.execute(*explore.grid_sql(query, POSTGRESQL, cell_degrees, table=table))),
                _frame(con.execute(*explore.areas_sql(query, POSTGRESQL, level, regions_only=True, table=table))))

    def distinct(self, column: str) -> list[str]:
        if column not in FIELDS_BY_NAME:
            raise QueryError(f"{column!r} is not an event field")
        name = sql.Identifier(column)
        with self._reading() as con:
            rows = con.execute(sql.SQL("SELECT DISTINCT {c} FROM events WHERE {c} IS NOT NULL AND {c}::TEXT <> ''"
                                       " ORDER BY 1").format(c=name)).fetchall()
        return [row[0] for row in rows]

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        with self._reading() as con:
            [(first, last)] = con.execute("SELECT min(event_date), max(event_date) FROM events").fetchall()
        return None if first is None else (first, last)

    def save_place(self, name: str, latitude: float, longitude: float, aliases: Sequence[str] = (),
                   admin1: str | None = None, coder: str | None = None) -> None:
        if not name.strip() or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise ValidationError("a place needs a name and a point on Earth (latitude -90..90, longitude -180..180)")
        with self._connect() as con, self._translated():
            con.execute("INSERT INTO places VALUES (%(name)s, %(aliases)s, %(lat)s, %(lon)s, %(admin1)s, %(coder)s,"
                        " %(at)s) ON CONFLICT (name) DO UPDATE SET aliases = EXCLUDED.aliases,"
                        " latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, admin1 = EXCLUDED.admin1,"
                        " coder = EXCLUDED.coder, saved_at = EXCLUDED.saved_at",
                        {"name": name.strip(), "aliases": [a.strip() for a in aliases if a.strip()],
                         "lat": latitude, "lon": longitude, "admin1": admin1, "coder": coder,
                         "at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})
            con.commit()

    def learned_places(self) -> list[dict]:
        with self._reading() as con:
            own = con.execute("SELECT name, aliases, latitude, longitude, admin1, coder, saved_at FROM places "
                              "ORDER BY name").fetchall()
            rows = con.execute(
                "SELECT location, latitude, longitude, admin1, origin, min(event_id), min(batch_id), count(*) "
                "FROM events WHERE geo_precision = 1 AND location IS NOT NULL AND origin <> 'demo' "
                "GROUP BY location, latitude, longitude, admin1, origin ORDER BY location, origin"
            ).fetchall()
        analysts = [{"name": name, "aliases": list(aliases or []), "latitude": latitude, "longitude": longitude,
                     "admin1": admin1 or "", "source": f"saved by {coder or 'an analyst'} on {saved:%Y-%m-%d}"}
                    for name, aliases, latitude, longitude, admin1, coder, saved in own]
        return analysts + [
            {"name": name, "aliases": [], "latitude": latitude, "longitude": longitude, "admin1": admin1 or "",
             "source": f"learned from {origin} event {event_id} (batch {batch_id}; {count} event(s))"}
            for name, latitude, longitude, admin1, origin, event_id, batch_id, count in rows]

    def batches(self) -> pd.DataFrame:
        return self._frame(("SELECT * FROM batches ORDER BY created_at DESC NULLS LAST, batch_id", {}))

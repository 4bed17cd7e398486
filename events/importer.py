"""Import: read a file, check every row, then commit exactly the accepted rows.

`preview` reads and checks a file without writing anything: the accepted
rows (typed, ready to store), each rejected row with its physical line,
column, reason code and raw text, and the rows skipped on purpose (not a
violent GDELT code; an id already stored and not newer). `commit` writes
the accepted rows of a preview as one batch in one transaction; in strict
mode it writes nothing when anything was rejected.

Rows already stored are replaced when the incoming `timestamp` is newer
(ACLED is a living dataset: an event keeps its id and gets a new
timestamp when it changes); otherwise they are skipped and counted.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from geo.admin import canonical_admin1

from . import checks, fast_reading, formats
from .access import REVIEW, UPLOAD, GuardedStore
from .duckdb_store import DuckDBStore
from .exc import EventsError, ImportFileError, StrictImportRefused
from .fast_reading import FastTable, FileBytes
from .problems import Problem, Reason
from .reading import ENCODING_NAMES, UNDECODABLE, Table, decode, is_utf16, read_table, sniff_delimiter
from .schema import FIELD_NAMES
from .store import Batch, Store

Progress = Callable[[float, str], None]


@dataclass
class Skipped:
    line: int
    reason: Reason
    message: str


@dataclass
class ImportPreview:
    file_name: str
    file_hash: str
    format: str
    encoding: str
    rows_read: int = 0
    accepted_count: int = 0
    # The accepted rows, typed; left None by import_path, which stores them
    # straight from where they were checked.
    accepted: pa.Table | None = None
    rejected: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    replaced_ids: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    restricted: bool = False

    @property
    def duplicates(self) -> int:
        """Rows whose id is already stored and that were not newer."""
        return sum(1 for s in self.skipped if s.reason is Reason.ALREADY_STORED)


def _header(first_line: str, delimiter: str) -> list[str]:
    return [name.strip() for name in next(csv.reader(io.StringIO(first_line), delimiter=delimiter), [])]


def _first_records(head: str, delimiter: str, count: int = 20) -> list[list[str]]:
    """Up to `count` records after the header, read from the file's first
    bytes (the last may be cut short: it is left out), for format detection."""
    reader = csv.reader(io.StringIO(head), delimiter=delimiter)
    records = []
    try:
        next(reader, None)
        for record in reader:
            records.append(record)
            if len(records) > count:
                break
    except csv.Error:  # a quoted field cut off where the head ends
        pass
    return records[:count] if len(records) > count else records[:-1] or records


def preview(data: bytes, file_name: str, store: Store | None = None, format: str = "auto",
            area: checks.Area | None = None, progress: Progress | None = None,
            path: Path | None = None, encoding: str | None = None) -> ImportPreview:
    """Read and check a file's bytes (`path`, when given, is a file holding
    them, which DuckDB then reads in place); nothing is written. The
    accepted rows are in the result, for `commit`. Points outside `area`
    are refused; by default it is EVENTS_AREA's (checks.Area.from_environment).
    `encoding` forces the file's encoding (by default: reading.decode's rule).

    A guarded `store` (team mode) is asked first: one whose account may
    not import refuses before the file is read, and for one that may not
    review, rows saying "reviewed" are accepted as drafts (GuardedStore.insert's rule).

    Raises AccessDenied as said, ImportFileError when the file is empty or
    not a table of events in a known format (or lacks a required column),
    ConfigurationError when EVENTS_AREA cannot be read.
    """
    require_import(store)
    report = progress or (lambda fraction, message: None)
    con = duckdb.connect()
    con.execute("BEGIN TRANSACTION")  # as _check expects; nothing is committed
    try:
        result = _check(con, data, file_name, store, format, area, report, path, encoding=encoding,
                        drafts=_drafts_only(store))
        # Every problem has its raw line now: let the file's bytes go before
        # the accepted rows are built, so that a large import holds one of the two.
        del data
        result.accepted = con.sql(f"SELECT {', '.join(FIELD_NAMES)} FROM checked WHERE {_ACCEPTED} "
                                  "ORDER BY rowid").to_arrow_table()
    finally:
        con.close()
    report(1.0, "checked")
    return result


def import_path(store: Store, path: Path, format: str = "auto", area: checks.Area | None = None,
                strict: bool = False, progress: Progress | None = None, coder: str | None = None,
                origin: str | None = None, encoding: str | None = None) -> tuple[ImportPreview, Batch]:
    """Check a file and store its accepted rows as one batch (the CLI and
    the demo load): the same checks as `preview` and `commit`. A DuckDB
    store checks the file on its own connection and stores the accepted
    rows in the same transaction, so that a large file is not handed over
    as Arrow in between. The batch records `coder` and `origin` (by
    default the file's format; the demo load says "demo").

    A guarded store is asked before the file is read, as by `preview`.

    Raises AccessDenied (reading nothing) when the store's account may not
    import, StrictImportRefused (storing nothing; the check's result is on
    the exception) in strict mode when rows were rejected.
    """
    require_import(store)
    path = Path(path)
    if not isinstance(store, DuckDBStore):
        result = preview(path.read_bytes(), path.name, store, format, area, progress, path, encoding)
        return result, commit(store, result, coder, strict, origin)
    report = progress or (lambda fraction, message: None)
    data = fast_reading.file_bytes(path)
    # Made before the check, which stamps its id on every row; the file's
    # hash and the counts are known after it.
    batch = _batch(path.name, coder)
    with store.checking() as con:
        result = _check(con, data, path.name, store, format, area, report, path, stamp=batch, encoding=encoding,
                        drafts=_drafts_only(store))
        del data  # every problem has its raw line: unmap the file before the store takes memory to write
        if strict and result.rejected:
            raise StrictImportRefused(_refusal(result), result)
        report(0.9, "storing")
        batch = _counted(batch, result, origin)
        store.store_checked(con, _ACCEPTED, batch, replace=result.replaced_ids)
    report(1.0, "stored")
    return result, batch


def require_import(store: Store | None) -> None:
    """Raise AccessDenied unless `store` lets its account import a file
    (a GuardedStore asks the role; any other store, trusted, does): asked
    before a file is read, so that a refusal does not wait for the check."""
    if isinstance(store, GuardedStore):
        store.require(UPLOAD)


def _drafts_only(store: Store | None) -> bool:
    """Whether `store`'s account may not store a row as reviewed."""
    return isinstance(store, GuardedStore) and not store.may(REVIEW)


def _check(con: duckdb.DuckDBPyConnection, data: FileBytes, file_name: str, store: Store | None,
           format: str, area: checks.Area | None, report: Progress, path: Path | None,
           stamp: Batch | None = None, encoding: str | None = None, drafts: bool = False) -> ImportPreview:
    """Read and check the file into TEMP table `checked` of `con`, one row per
    record in the file's order: the schema's fields, typed; `_skip`;
    `_failed` (the checks it fails, as checks.failed_sql's bits; NULL when
    none) and `_text` (the mapped text of a row that fails any, for the
    messages); `_drop` (an earlier row has its id, or it is stored and not
    newer). The accepted rows are those matching `_ACCEPTED`. With
    `stamp`, the rows carry its batch id and time; with `drafts`, a status
    "reviewed" is "draft" (for an account that may not review).

    `con` is in a transaction with nothing in it yet: `_check` may roll it
    back and begin it again."""
    area = checks.Area.from_environment() if area is None else area
    if len(data) <= 65536 and not bytes(data).removeprefix(b"\xef\xbb\xbf").strip():
        raise ImportFileError(f"{file_name}: the file is empty")
    report(0.0, "reading")
    # UTF-16, or an encoding the user names, is made UTF-8 first: then
    # DuckDB reads it as any other file. Line breaks, and so lines, are kept.
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError as err:
            raise ImportFileError(f"{file_name}: unknown encoding {encoding!r}") from err
    forced = encoding
    read_as: str | None = None  # the encoding of a file made UTF-8 here
    if (forced is not None and forced not in ("utf-8", "utf-8-sig")) or is_utf16(bytes(data[:65536])):
        text, read_as = decode(bytes(data), forced)
        data, path = text.removeprefix("\ufeff").encode("utf-8"), None
        del text
    head = data[:65536].decode("utf-8-sig", errors="ignore")
    first = re.split(r"\r\n|\r|\n", head, maxsplit=1)[0]
    delimiter = sniff_delimiter(first)
    header = _header(first, delimiter)
    fmt = formats.FORMATS.get(format) if format != "auto" else formats.detect(header, _first_records(head, delimiter))
    if fmt is None:
        raise ImportFileError(f"{file_name}: unknown format (header starts {first[:80]!r}); "
                              f"choose one of {', '.join(formats.FORMATS)}")
    # A format of fixed columns (GDELT) may come without its header.
    has_header = True
    if fmt.columns and not set(fmt.required) <= set(header):
        has_header, header = False, list(fmt.columns)
    missing = [c for c in fmt.required if c not in header]
    if missing:
        raise ImportFileError(f"{file_name}: missing required column(s) {', '.join(missing)} "
                              f"for the {fmt.name} format")
    # A quoted field starting with an apostrophe: perhaps a cell our export
    # guarded. Only then is the guard undone, at a cost to every row.
    guarded = bool(fmt.guarded) and fast_reading.holds(data, b"\"'")
    # After the search, not beside it: the two passes over the same mapped
    # pages, each letting them go, made the search 7 times slower (0.88 s
    # against 0.12 s on a 1M-row file).
    scanning = fast_reading.start_scan(data)
    checks.load_vocabularies(con)
    every_check = checks.checks()
    # Checks of admin1 wait for its spellings to be made canonical.
    late = [number for number, (_, name, _, _) in enumerate(every_check) if name == "admin1"]
    early = [number for number in range(len(every_check)) if number not in late]

    instead, stamping = {}, {}
    if stamp is not None:
        instead = {"batch_id": "$batch_id", "created_at": "coalesce(TRY_CAST(created_at AS TIMESTAMP), $created)",
                   "updated_at": "coalesce(TRY_CAST(updated_at AS TIMESTAMP), $created)"}
        stamping = {"batch_id": stamp.batch_id, "created": stamp.created_at}
    field_list = ", ".join(FIELD_NAMES)
    # _Rows counts rows by rowid: the table must be made in the file's order,
    # so the statement holds no join (a join put a table of 250,000 checked
    # rows in another order than the file's; numbering the records as they
    # were read instead, row_number() OVER (), made the read single-threaded).
    con.execute("SET SESSION preserve_insertion_order = true")

    def load(columns: list[str], source: str, params: dict, undecodable: bool = False, padded: bool = False) -> str:
        """Table `checked` from `source` (the file as read), in one pass."""
        mapped = fmt.select({name: i for i, name in enumerate(columns)}, undecodable, padded, unguard=guarded)
        # Each step its own SELECT: DuckDB copies an expression into every
        # place that names it within one (nullif(x, 0) computes x twice),
        # and the checks are most of the work.
        fast_reading.execute_reporting(con, f"CREATE TEMP TABLE checked AS WITH staged AS (SELECT * FROM {source}) "
                                       f"SELECT {checks.typed_select(instead)}, _skip, _failed, "
                                       f"CASE WHEN _failed IS NOT NULL THEN [{field_list}] END AS _text, "
                                       f"NULL::BOOLEAN AS _drop FROM (SELECT * EXCLUDE (_all), "
                                       f"CASE WHEN _all <> 0 THEN _all END AS _failed "
                                       f"FROM (SELECT *, {checks.failed_sql(early)} AS _all FROM ({mapped})))",
                                       {**params, **stamping, **area.params()},
                                       lambda done: report(0.4 * done, "reading and checking"))
        return "checked"

    # DuckDB reads UTF-8 in place; what it cannot read exactly (other
    # encodings, quotes fast_reading cannot follow) is decoded and read by the exact reader.
    encoding = read_as or ("utf-8-sig" if data[:3] == b"\xef\xbb\xbf" else "utf-8")
    def restart() -> None:
        con.execute("ROLLBACK")
        con.execute("BEGIN TRANSACTION")
        checks.load_vocabularies(con)

    staged = fast_reading.stage(con, data, scanning, header, has_header, delimiter,
                                lambda source, params: load(header, source, params, padded=True), path, restart)
    table: Table | FastTable
    if staged is not None:
        table = staged
    else:
        # DuckDB may have given up with an error, which aborts the transaction.
        restart()
        text, found = decode(bytes(data), "utf-8" if read_as or forced else None)
        encoding = read_as or found
        if has_header:
            header = _header(re.split(r"\r\n|\r|\n", text, maxsplit=1)[0], delimiter)
        exact = read_table(text, header=None if has_header else header, delimiter=delimiter)
        con.register("read_file", exact.arrow())
        load(exact.header, "read_file", {}, undecodable=encoding == UNDECODABLE)
        con.unregister("read_file")
        exact.batches = []
        table = exact
    result = ImportPreview(file_name, scanning.result().sha256, fmt.name, encoding,
                           restricted=fmt.restricted)
    if encoding in ENCODING_NAMES:
        result.notices.append(f"The file is in {ENCODING_NAMES[encoding]}; it was read as such.")
    extra = [c for c in table.header if c not in FIELD_NAMES]
    if extra and fmt is formats.NATIVE:
        result.notices.append(f"Columns not in our schema were ignored: {', '.join(extra)}.")
    result.rows_read = table.records + len(table.problems)
    result.rejected.extend(table.problems)
    report(0.4, "checking")
    rows = _Rows(con, table)
    _canonical_admin1(con)
    for number in late:
        condition = every_check[number][0]
        # Judged on the few distinct spellings first: most files have no
        # row to mark, and then the million rows are not scanned again.
        [(any_bad,)] = con.execute(f"SELECT count(*) > 0 FROM (SELECT DISTINCT country, admin1 FROM checked) "
                                   f"WHERE {condition}").fetchall()
        if any_bad:
            con.execute(f"UPDATE checked SET _failed = coalesce(_failed, 0) | {1 << number} WHERE {condition}")
    _skips(rows, fmt, result)
    problems = _problems(rows, fmt, area)
    report(0.8, "comparing with the store")
    if store is not None:
        _compare_with_store(rows, store, result)
    result.rejected = sorted(result.rejected + problems, key=lambda p: (p.line or 0, p.column or ""))
    result.skipped.sort(key=lambda s: s.line)
    if drafts:
        # In the table, whichever way its rows then go (GuardedStore.insert,
        # or store_checked, which copies them as they are here).
        con.execute("UPDATE checked SET status = 'draft' WHERE status = 'reviewed'")
    [(result.accepted_count,)] = con.execute(f"SELECT count(*) FROM checked WHERE {_ACCEPTED}").fetchall()
    table.release()
    return result


def _canonical_admin1(con: duckdb.DuckDBPyConnection) -> None:
    """Sources spell governorates their own way ("Hamah governorate"): map
    each distinct spelling once to the canonical name."""
    spellings = [name for (name,) in con.execute(
        "SELECT DISTINCT admin1 FROM checked WHERE country = 'Syria' AND admin1 IS NOT NULL").fetchall()]
    canonical = {name: canonical_admin1(name) for name in spellings}
    renames = {name: to for name, to in canonical.items() if to and to != name}
    if renames:
        con.execute("UPDATE checked SET admin1 = $canonical[list_position($spellings, admin1)] "
                    "WHERE country = 'Syria' AND list_contains($spellings, admin1)",
                    {"spellings": list(renames), "canonical": list(renames.values())})


class _Rows:
    """The rows of table `checked` by their ordinal, their place (from 0)
    among the file's good records, and the lines they are on. The table
    was made in the file's order (no join in the statement), so that its
    rowids, from wherever DuckDB starts them in a transaction, count the
    rows in that order."""

    def __init__(self, con: duckdb.DuckDBPyConnection, table: Table | FastTable):
        self.con, self.table = con, table
        [(first,)] = con.execute("SELECT coalesce(min(rowid), 0) FROM checked").fetchall()
        self.ordinal = f"(rowid - {first})"

    def lines(self, ordinals: list[int]) -> list[int]:
        return self.table.line_of(np.array(ordinals, dtype=np.int64)).tolist()

    def drop(self, ordinals: list[int]) -> None:
        """Mark rows as dropped (not stored, and not problems of their own)."""
        if ordinals:
            self.con.register("dropped", pa.table({"ordinal": pa.array(ordinals, pa.int64())}))
            self.con.execute(f"UPDATE checked SET _drop = true WHERE {self.ordinal} IN (SELECT ordinal FROM dropped)")
            self.con.unregister("dropped")


def _skips(rows: _Rows, fmt: formats.Format, result: ImportPreview) -> None:
    """Rows left out on purpose, those holding undecodable bytes, and those
    of the wrong number of fields that DuckDB read (padded)."""
    found = rows.con.execute(f"SELECT {rows.ordinal}, _skip FROM checked WHERE _skip IS NOT NULL "
                             f"ORDER BY {rows.ordinal}").fetchall()
    for line, (_, number) in zip(rows.lines([ordinal for ordinal, _ in found]), found, strict=True):
        if number <= formats.WRONG_COUNT:
            result.rejected.append(Problem(None, Reason.WRONG_FIELD_COUNT, f"expected {len(rows.table.header)} "
                                           f"fields, found {formats.WRONG_COUNT - number}", line, rows.table.raw(line)))
        elif number < 0:
            result.rejected.append(Problem(None, Reason.BAD_ENCODING, "the line holds bytes that are not UTF-8",
                                           line, rows.table.raw(line)))
        else:
            code, message = fmt.skip[number][1].split(": ", 1)
            result.skipped.append(Skipped(line, Reason(code), message))


def _problems(rows: _Rows, fmt: formats.Format, area: checks.Area) -> list[Problem]:
    """The problems of the rows not skipped; marks rows repeating an earlier
    id as dropped."""
    con, raw = rows.con, rows.table.raw
    # The messages quote the text as mapped; a row that failed only the
    # late checks kept none, and its typed values are that text.
    text = ", ".join(f"CASE WHEN _text IS NULL THEN CAST({name} AS VARCHAR) ELSE _text[{number}] END AS {name}"
                     for number, name in enumerate(FIELD_NAMES, start=1))
    con.execute(f"CREATE TEMP TABLE failing AS SELECT {rows.ordinal} AS _row, _failed AS failed, {text} "
                "FROM checked WHERE _skip IS NULL AND _failed IS NOT NULL")
    found = checks.describe(con, "failing", area)
    con.execute("DROP TABLE failing")
    columns = {name: fmt.source_column(name) for name in FIELD_NAMES}  # a regex each: once, not per problem
    problems = [Problem(columns[name], reason, message, line, raw(line))
                for line, (_, name, reason, message) in zip(rows.lines([row for row, *_ in found]), found, strict=True)]
    repeats = con.execute(
        f"SELECT ordinal, event_id FROM (SELECT {rows.ordinal} AS ordinal, event_id, row_number() OVER "
        f"(PARTITION BY event_id ORDER BY {rows.ordinal}) AS n FROM checked WHERE _skip IS NULL AND event_id IN "
        "(SELECT event_id FROM checked WHERE _skip IS NULL GROUP BY event_id HAVING count(*) > 1)) "
        "WHERE n > 1 ORDER BY ordinal").fetchall()
    for line, (_, event_id) in zip(rows.lines([ordinal for ordinal, _ in repeats]), repeats, strict=True):
        problems.append(Problem(fmt.source_column("event_id"), Reason.DUPLICATE_IN_FILE,
                                f"id {event_id} already appears earlier in the file", line, raw(line)))
    rows.drop([ordinal for ordinal, _ in repeats])
    return problems


_ACCEPTED = "_skip IS NULL AND _failed IS NULL AND _drop IS NULL"


def _compare_with_store(rows: _Rows, store: Store, result: ImportPreview) -> None:
    """Rows already stored: newer ones will replace, the rest are skipped."""
    con = rows.con
    ids = con.sql(f"SELECT event_id FROM checked WHERE {_ACCEPTED}").to_arrow_table()
    stored = store.stored_timestamps(ids.column(0) if ids.num_rows else pa.array([], pa.string()))
    if not stored.num_rows:
        return
    con.register("stored", stored)
    # A row without a timestamp is never newer: it cannot replace anything.
    newer = "coalesce(g.timestamp > coalesce(s.timestamp, -1), false)"
    older = []
    found = con.execute(f"SELECT {rows.ordinal}, g.event_id, {newer} FROM checked g JOIN stored s USING (event_id) "
                        f"WHERE {_ACCEPTED} ORDER BY g.rowid").fetchall()
    con.unregister("stored")
    for line, (ordinal, event_id, is_newer) in zip(rows.lines([ordinal for ordinal, *_ in found]), found,
                                                  strict=True):
        if is_newer:
            result.replaced_ids.append(event_id)
        else:
            older.append(ordinal)
            result.skipped.append(Skipped(line, Reason.ALREADY_STORED,
                                          f"{event_id} is already stored and this row is not newer"))
    rows.drop(older)


def commit(store: Store, result: ImportPreview, coder: str | None = None, strict: bool = False,
           origin: str | None = None) -> Batch:
    """Store the accepted rows of a `preview` as one batch, in one transaction.

    Raises StrictImportRefused (storing nothing) in strict mode when rows
    were rejected.
    """
    if strict and result.rejected:
        raise StrictImportRefused(_refusal(result), result)
    batch = _counted(_batch(result.file_name, coder), result, origin)
    if result.accepted is None:
        raise EventsError("commit takes the result of preview, which holds the accepted rows")
    store.insert(result.accepted, batch, replace=result.replaced_ids)
    return batch


def _refusal(result: ImportPreview) -> str:
    return f"{len(result.rejected)} problem(s) in {result.file_name}; strict mode stored nothing"


def _batch(file_name: str, coder: str | None) -> Batch:
    """A new batch; `_counted` adds what the check of its file found."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return Batch(batch_id=f"import-{now:%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}", origin="",
                 file_name=file_name, coder=coder, created_at=now)


def _counted(batch: Batch, result: ImportPreview, origin: str | None = None) -> Batch:
    """`batch` with what the check of its file found."""
    return dataclasses.replace(batch, origin=origin or result.format, file_hash=result.file_hash,
                               rejected=len({p.line for p in result.rejected}), skipped=len(result.skipped))

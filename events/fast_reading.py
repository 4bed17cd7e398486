"""The fast path for reading large UTF-8 files: DuckDB parses, we count lines.

DuckDB's `read_csv` parses a file an order of magnitude faster than
Python's csv module, but it numbers records, not physical lines, and a
quote left open to the end of the file silently swallows what follows.
When the file has as many lines as DuckDB found records (the usual case),
each record is one line and nothing more is needed. Otherwise the
records' boundaries and lines are found from the bytes (a newline outside
quotes ends a record: the count of quotes before it is even), DuckDB's
rejects are mapped onto those records, and the two must agree on every
record; when they do not, or the bytes are not UTF-8, `stage` returns
None and the caller reads the file with the exact, slower reader
(reading.read_table).

The bytes are scanned once (`start_scan`: their SHA-256, every line end,
any bare CR) in a thread while DuckDB parses them: both passes are needed,
and neither waits for the other.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from .problems import Problem, Reason

# A file's bytes, read into memory or mapped (events.importer maps files it
# is given by path); only slicing, `find` and the buffer protocol are used.
FileBytes = bytes | mmap.mmap

# Small enough that numpy's temporary arrays stay in the CPU's cache: scanning
# a 432 MB file measured 0.65 CPU-s, against 0.84 in 16 MB chunks.
_CHUNK = 1 << 20
# The only text DuckDB reads as NULL, so that an empty field is '' and a
# NULL is a field the record lacks: the four characters \x00, which no
# event field is made of (one that is would be reported as missing).
_NEVER_NULL = "\\x00"
# DuckDB's limit on a record (2 MB by default) misreads a longer one: a
# 50 MB field was reported as an unterminated quote on the line before
# it. Up to this size DuckDB reads the record, and the field's length is
# checked as any other; a longer record goes to the exact reader.
MAX_RECORD_BYTES = 1 << 27
_SERIAL_ONLY = "does not support null_padding in conjunction with quoted new lines"
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@dataclass(frozen=True)
class ByteScan:
    """What one pass over a file's bytes finds."""

    sha256: str
    newlines: np.ndarray  # the offset of every LF
    # A CR not followed by LF: DuckDB takes it for a line end where Python's
    # csv module and our line numbers do not.
    bare_cr: bool

    def lines(self, data: FileBytes) -> int:
        """The number of physical lines."""
        return len(self.newlines) + (0 if data[-1:] == b"\n" else 1)


def scan(data: FileBytes) -> ByteScan:
    digest = hashlib.sha256()
    view = np.frombuffer(data, np.uint8)
    found, bare_cr = [np.empty(0, np.int64)], False
    for at in range(0, len(view), _CHUNK):
        chunk = view[at:at + _CHUNK]
        digest.update(chunk.data)
        found.append(np.flatnonzero(chunk == 10) + at)
        if not bare_cr and data.find(b"\r", at, at + _CHUNK) >= 0:
            after = np.flatnonzero(chunk == 13) + at + 1
            bare_cr = bool((after >= len(view)).any() or (view[np.minimum(after, len(view) - 1)] != 10).any())
    return ByteScan(digest.hexdigest(), np.concatenate(found), bare_cr)


_SCANNER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="byte-scan")


def start_scan(data: FileBytes) -> Future[ByteScan]:
    """`scan` in a thread: hashlib and numpy let go of the GIL, and DuckDB
    parses the same bytes meanwhile."""
    return _SCANNER.submit(scan, data)


def file_bytes(path: Path) -> FileBytes:
    """The file's bytes, mapped rather than read: hashing and scanning them
    then needs no copy of a large file in memory. The map is not closed
    explicitly (numpy views of it may outlive a failed import); it goes
    with its last reference."""
    with open(path, "rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return b""  # an empty file cannot be mapped
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


_POLL_SECONDS = 0.25


def execute_reporting(con: duckdb.DuckDBPyConnection, sql: str, params: dict,
                       report: Callable[[float], None]) -> None:
    """`con.execute(sql, params)` in a thread, while this one reports the
    fraction DuckDB says it has done: reading a large file is most of an
    import, and the caller (a page's progress bar) must hear of it from
    its own thread. DuckDB's estimate runs behind for a statement this
    complex (it says 48% as it ends on the bench's file), so the bar
    moves, then jumps; only a larger fraction is reported."""
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    done = 0.0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-statement") as pool:
        running = pool.submit(con.execute, sql, params)
        try:
            while True:
                try:
                    running.result(timeout=_POLL_SECONDS)
                    return
                except TimeoutError:
                    percent = con.query_progress()  # -1: no query is running yet, or any more
                    if percent / 100 > done:
                        done = min(percent, 100.0) / 100
                        report(done)
        except BaseException:
            # Stopped here (Ctrl-C, a page's run stopped by the user): stop
            # DuckDB too, or leaving the pool would wait for the statement.
            con.interrupt()
            raise


@dataclass
class FastTable:
    """What the importer needs of a read file (as reading.Table offers)."""

    header: list[str]
    data: FileBytes
    newlines: np.ndarray
    records: int = 0
    problems: list[Problem] = field(default_factory=list)
    first: int = 1  # the line of the first record
    # The line of each good record, when they are not simply consecutive lines.
    good_lines: np.ndarray | None = None

    def line_of(self, ordinals: np.ndarray) -> np.ndarray:
        """The physical line of each good record, given its place (0-based)
        among the good records."""
        return ordinals + self.first if self.good_lines is None else self.good_lines[ordinals]

    def line_at(self, offset: int) -> int:
        """The physical line holding byte `offset`."""
        return int(np.searchsorted(self.newlines, offset)) + 1

    def release(self) -> None:
        """Drop the file's bytes (raw lines can no longer be given)."""
        self.data = b""
        self.newlines = np.empty(0, np.int64)

    def raw(self, first: int, last: int | None = None) -> str:
        """The text of physical lines first..last (1-based, inclusive)."""
        last = last or first
        begin = 0 if first == 1 else int(self.newlines[first - 2]) + 1
        end = int(self.newlines[last - 1]) if last - 1 < len(self.newlines) else len(self.data)
        return self.data[begin:end].decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")


def _record_starts(data: FileBytes, newlines: np.ndarray) -> tuple[np.ndarray, bool]:
    """(record starts, a quote left open at the end): a line end outside
    quotes (the count of quotes before it is even) ends a record."""
    size, carry = len(data), 0
    ends = []
    for offset in range(0, size, _CHUNK):
        chunk = np.frombuffer(data, np.uint8, count=min(_CHUNK, size - offset), offset=offset)
        parity = np.bitwise_xor.accumulate((chunk == 34).view(np.uint8)) ^ carry
        low, high = np.searchsorted(newlines, (offset, offset + len(chunk)))
        at = newlines[low:high] - offset
        ends.append(at[parity[at] == 0] + offset)
        carry = int(parity[-1]) if len(parity) else carry
    record_ends = np.concatenate(ends) if ends else np.empty(0, np.int64)
    first = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    starts = np.concatenate(([first], record_ends + 1)).astype(np.int64)
    return starts[starts < size], bool(carry)


def stage(con: duckdb.DuckDBPyConnection, data: FileBytes, scanning: Future[ByteScan], header: list[str],
          has_header: bool, delimiter: str, load: Callable[[str, dict], str],
          path: Path | None = None, restart: Callable[[], None] = lambda: None) -> FastTable | None:
    """Call `load(source, params)`: `source` is the SQL of a table function
    reading the file (columns c0, c1, ...), to be run with `params`; `load`
    reads it once into a table, in the file's order, and returns the
    table's name, and DuckDB records its rejects while it reads. Then find
    each good record's physical line (`FastTable.line_of`), from
    `scanning` (`start_scan` of `data`).

    Returns None, with nothing left behind, when the exact reader must do
    it: a bare CR, bytes that are not UTF-8, an open quote at the end, a
    reject DuckDB cannot place, any disagreement in the count of records.
    When `load` raised (DuckDB gave up on the file), a transaction `con`
    is in is aborted: the caller must roll it back.
    `path`, when given, is a file holding `data`, read in place of a
    temporary copy. `restart` rolls back and begins again the transaction
    `con` is in, for a second reading when the first could not be parallel.
    """
    # One column more than the header, padded with NULL, and no field read
    # as NULL otherwise: DuckDB silently drops one extra empty field at the
    # end of a record ("a,b,c,"), and a record of the wrong length must be
    # reported as such. formats.Format.select(padded=True) tells them apart.
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        if path is None:
            path = Path(tmp) / "import.csv"
            path.write_bytes(data)
        options = (f"read_csv($path, header = {str(has_header).lower()}, delim = $delim, quote = '\"', escape = '\"', "
                   f"strict_mode = true, store_rejects = true, auto_detect = false, columns = {{{columns}}}, "
                   f"null_padding = true, nullstr = '{_NEVER_NULL}', allow_quoted_nulls = false, "
                   f"max_line_size = {MAX_RECORD_BYTES}")
        params = {"path": str(path), "delim": delimiter}
        try:
            try:
                loaded = load(options + ")", params)
            except duckdb.Error as err:
                if _SERIAL_ONLY not in str(err):
                    raise
                # A quoted field holds a line break: DuckDB pads records
                # only when it reads the file in one thread.
                restart()
                loaded = load(options + ", parallel = false)", params)
        except duckdb.Error as err:
            # DuckDB gives up on some damage it cannot reject row by row
            # (a bare CR; bytes that are not UTF-8, when it reads in one
            # thread): the exact reader reports it.
            if isinstance(err, duckdb.InvalidInputException) or str(err).startswith("CSV Error"):
                return None
            raise
    scanned = scanning.result()
    if scanned.bare_cr:
        con.execute(f"DROP TABLE {loaded}")
        return None
    rejects = con.execute("SELECT DISTINCT ON (line_byte_position) line_byte_position, error_type, "
                          "error_message FROM reject_errors ORDER BY line_byte_position").fetchall()
    [(good,)] = con.execute(f"SELECT count(*) FROM {loaded}").fetchall()
    first = 2 if has_header else 1
    table = FastTable(header=header, data=data, newlines=scanned.newlines, records=int(good), first=first)
    physical = scanned.lines(data)
    good_lines = None
    if any(kind not in _PLACEABLE for _, kind, _ in rejects):
        pass
    elif good + len(rejects) == physical - first + 1:
        # Every physical line is one record (no blank lines, no line breaks
        # inside quotes): a record's line is its place in the file.
        for line_start, kind, message in rejects:
            line = table.line_at(line_start)
            table.problems.append(_problem(table, kind, message, line, line))
        if not rejects:
            return table
        bad = np.array([p.line for p in table.problems], dtype=np.int64)
        good_lines = np.setdiff1d(np.arange(first, physical + 1, dtype=np.int64), bad, assume_unique=True)
    else:
        good_lines = _place(table, rejects, has_header)
    if good_lines is None:
        con.execute(f"DROP TABLE {loaded}")
        return None
    table.good_lines = good_lines
    return table


_PLACEABLE = ("MISSING COLUMNS", "TOO MANY COLUMNS", "UNQUOTED VALUE")


def _problem(table: FastTable, kind: str, message: str, line: int, last: int) -> Problem:
    if kind != "UNQUOTED VALUE" and (found := _FIELD_COUNT.search(message)):
        return Problem(None, Reason.WRONG_FIELD_COUNT, f"expected {found.group(1)} fields, found {found.group(2)}",
                       line, table.raw(line, last))
    return Problem(None, Reason.UNTERMINATED_QUOTE, f"a quoted field is not closed properly ({message})", line,
                   table.raw(line))


def _place(table: FastTable, rejects: list[tuple], has_header: bool) -> np.ndarray | None:
    """The lines of the good records, from the records' boundaries in the
    bytes (quotes counted); None when DuckDB and the bytes disagree."""
    data, newlines = table.data, table.newlines
    starts, open_quote = _record_starts(data, newlines)
    if open_quote or not len(starts):
        return None
    ends = np.append(starts[1:] - 1, len(data))
    view = np.frombuffer(data, np.uint8)
    length = ends - starts
    blank = (length == 0) | ((length == 1) & (view[np.minimum(starts, len(data) - 1)] == 13))
    lines = np.searchsorted(newlines, starts) + 1
    expected = np.flatnonzero(~blank)
    if has_header:
        expected = expected[expected > 0]
    rejected: dict[int, Problem] = {}
    for line_start, kind, message in rejects:
        index = int(np.searchsorted(starts, line_start, side="right")) - 1
        while index < len(starts) and blank[index]:  # DuckDB may start a reject at a blank line before it
            index += 1
        if index >= len(starts) or index in rejected:
            continue
        line = int(lines[index])
        last = int(np.searchsorted(newlines, ends[index])) + 1 if ends[index] < len(data) else line
        if kind != "UNQUOTED VALUE" and not _FIELD_COUNT.search(message):
            return None
        rejected[index] = _problem(table, kind, message, line, last)
    bad = np.array(sorted(rejected), dtype=np.int64)
    if table.records + len(bad) != len(expected) or not np.isin(bad, expected).all():
        return None
    table.problems = [rejected[i] for i in sorted(rejected)]
    return lines[np.setdiff1d(expected, bad, assume_unique=True)].astype(np.int64)

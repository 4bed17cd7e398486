"""The fast path for reading large UTF-8 files: DuckDB parses, we count lines.

DuckDB's `read_csv` parses a file an order of magnitude faster than
Python's csv module, but it numbers records, not physical lines, and a
quote left open to the end of the file silently swallows what follows.
When the file has as many lines as DuckDB found records (the usual case),
each record is one line and nothing more is needed. Otherwise the
records' boundaries and lines are found from the bytes (a line end outside
quotes ends a record: the count of quotes before it is even), DuckDB's
rejects are mapped onto those records, and the two must agree on every
record; when they do not, or the bytes are not UTF-8, `stage` returns
None and the caller reads the file with the exact, slower reader
(reading.read_table).

Lines end as Python's csv module ends them (reading.read_table counts
them so too): at an LF, a CRLF or a bare CR, inside quotes or not. DuckDB
takes one style of line end from a file's first line and gives up on
another, and reads a line break inside quotes in one thread only. So a
file with a bare CR, with LF and CRLF both, or with a line break inside
quotes is read by DuckDB from a copy of the same length (`_copy`): every
CR outside quotes made an LF (a CRLF then reads as a line end and a blank
line), and every CR or LF inside quotes a byte the file does not hold,
put back in the values as DuckDB reads them. The copy is made only where
quotes open and close as Python's csv module reads them; else the exact
reader reads the file.

The bytes are scanned once (`start_scan`: their SHA-256, every line end,
whether they end lines unusually) in a thread while DuckDB parses them:
both passes are needed, and neither waits for the other. The scan tells
as soon as it finds unusual line ends, and DuckDB's reading of the file
as it is then stops.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import re
import tempfile
import threading
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
_WRITE_BUFFER = 1 << 24  # writing 432 MB in blocks of 1 MB took 3-12x the CPU time of 16 MB blocks
# The only text DuckDB reads as NULL, so that an empty field is '' and a
# NULL is a field the record lacks: the four characters \x00, which no
# event field is made of (one that is would be reported as missing).
_NEVER_NULL = "\\x00"
# DuckDB's limit on a record (2 MB by default) misreads a longer one: a
# 50 MB field was reported as an unterminated quote on the line before
# it. Up to this size DuckDB reads the record, and the field's length is
# checked as any other; a longer record goes to the exact reader.
MAX_RECORD_BYTES = 1 << 27
# ... but a limit that large makes DuckDB read in one thread (its buffers
# are sized from it): a file is read with the default limit first, and
# again with the large one only when the scan finds a line this long. A
# record read in parallel is one line (a line break inside quotes is read
# in one thread), so its line bounds it. Half DuckDB's default, for margin.
_PARALLEL_LINE_BYTES = 1 << 21
LONG_LINE_BYTES = _PARALLEL_LINE_BYTES // 2
_SERIAL_ONLY = "does not support null_padding in conjunction with quoted new lines"
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@dataclass(frozen=True)
class ByteScan:
    """What one pass over a file's bytes finds."""

    sha256: str
    # The offset of every line end, as Python's csv module ends lines: each
    # LF (a CRLF's is its LF) and each bare CR (one not followed by an LF).
    newlines: np.ndarray
    bare_cr: bool
    mixed: bool = False  # lines end with an LF alone and with a CRLF both
    longest: int = 0  # bytes of the longest line, its line end included

    @property
    def unusual(self) -> bool:
        """Line ends that DuckDB reads only from a copy (`_copy`)."""
        return self.bare_cr or self.mixed

    def lines(self, data: FileBytes) -> int:
        """The number of physical lines."""
        return len(self.newlines) + (0 if data[-1:] in (b"\n", b"\r") else 1)


def _release(data: FileBytes, start: int, length: int) -> None:
    """Let this process's memory drop the mapped pages of `data[start:start
    + length]` (`start` a multiple of the page size): read once, they would
    stay resident and count against the import's memory, 432 MB for a 1M-row
    file. A later read maps them again, from the kernel's page cache."""
    if isinstance(data, mmap.mmap):
        data.madvise(mmap.MADV_DONTNEED, start, length)


def holds(data: FileBytes, needle: bytes) -> bool:
    """Whether `data` holds `needle`, read in chunks whose pages are let go as it goes.

    numpy finds the needle's last byte, then compares the bytes before each:
    `find` stops at every byte equal to the needle's first (a quote, for the
    importer's needle: every field), 3.5 times slower on a 1M-row file."""
    view, size, width = np.frombuffer(data, np.uint8), len(data), len(needle)
    pattern = np.frombuffer(needle, np.uint8)
    for at in range(0, size, _CHUNK):
        chunk = view[at:at + _CHUNK + width - 1]
        hits = np.flatnonzero(chunk[width - 1:] == pattern[-1])
        for back in range(1, width):
            hits = hits[chunk[hits + width - 1 - back] == pattern[-1 - back]]
        if len(hits):
            return True
        _release(data, at, min(_CHUNK, size - at))
    return False


def scan(data: FileBytes, unusual: Callable[[], None] = lambda: None) -> ByteScan:
    """One pass over `data`; `unusual` is called once, as soon as the line
    ends are found to be unusual (`ByteScan.unusual`)."""
    digest = hashlib.sha256()
    view = np.frombuffer(data, np.uint8)
    size = len(view)
    found, bare_cr, told = [np.empty(0, np.int64)], False, False
    lfs = crlfs = 0  # a CRLF is counted with its CR, perhaps a chunk before its LF
    last_end, longest = -1, 0
    for at in range(0, size, _CHUNK):
        chunk = view[at:at + _CHUNK]
        digest.update(chunk.data)
        ends = np.flatnonzero(chunk == 10) + at
        lfs += len(ends)
        if data.find(b"\r", at, at + _CHUNK) >= 0:
            crs = np.flatnonzero(chunk == 13) + at
            after = crs + 1
            bare = crs[(after >= size) | (view[np.minimum(after, size - 1)] != 10)]
            crlfs += len(crs) - len(bare)
            if len(bare):
                bare_cr = True
                ends = np.sort(np.concatenate((ends, bare)))
        found.append(ends)
        if len(ends):
            longest = max(longest, int(ends[0]) - last_end, int(np.diff(ends).max(initial=0)))
            last_end = int(ends[-1])
        _release(data, at, len(chunk))
        if not told and (bare_cr or 0 < crlfs < lfs):
            told = True
            unusual()
    longest = max(longest, size - 1 - last_end)
    return ByteScan(digest.hexdigest(), np.concatenate(found), bare_cr, mixed=0 < crlfs < lfs, longest=longest)


class Scanning(Future[ByteScan]):
    """A `scan` running (`start_scan`); `unusual` is set as soon as it finds
    unusual line ends, before it is done."""

    def __init__(self) -> None:
        super().__init__()
        self.unusual = threading.Event()


_SCANNER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="byte-scan")


def start_scan(data: FileBytes) -> Scanning:
    """`scan` in a thread: hashlib and numpy let go of the GIL, and DuckDB
    parses the same bytes meanwhile."""
    scanning = Scanning()

    def run() -> None:
        if scanning.set_running_or_notify_cancel():
            try:
                scanning.set_result(scan(data, scanning.unusual.set))
            except BaseException as err:  # the scan's failure is the future's
                scanning.set_exception(err)

    _SCANNER.submit(run)
    return scanning


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
_WATCH_SECONDS = 0.05


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
    """Call `load(source, params)`: `source` is the SQL of a table (a table
    function or a query) reading the file (columns c0, c1, ...), to be run
    with `params`; `load` reads it once into a table, in the file's order,
    and returns the table's name, and DuckDB records its rejects while it
    reads. Then find each good record's physical line
    (`FastTable.line_of`), from `scanning` (`start_scan` of `data`; when it
    is a `Scanning`, DuckDB's reading of the file as it is stops as soon as
    the scan finds unusual line ends).

    Returns None, with nothing left behind, when the exact reader must do
    it: bytes that are not UTF-8, an open quote at the end, quotes that
    Python's csv module reads otherwise than by their count where DuckDB
    must read a copy, a reject DuckDB cannot place, any disagreement in
    the count of records. When `load` raised (DuckDB gave up on the file),
    a transaction `con` is in is aborted: the caller must roll it back.
    `path`, when given, is a file holding `data`, read in place of a
    temporary copy. `restart` rolls back and begins again the transaction
    `con` is in, for a second reading when the first was given up.
    """
    # One column more than the header, padded with NULL, and no field read
    # as NULL otherwise: DuckDB silently drops one extra empty field at the
    # end of a record ("a,b,c,"), and a record of the wrong length must be
    # reported as such. formats.Format.select(padded=True) tells them apart.
    width = len(header) + 1
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    unusual = scanning.unusual if isinstance(scanning, Scanning) else None
    starts = None  # the records' starts, when a copy was made
    with tempfile.TemporaryDirectory() as tmp:
        if path is None:
            path = Path(tmp) / "import.csv"
            path.write_bytes(data)
        def reading(limit: int) -> str:
            return (f"read_csv($path, header = {str(has_header).lower()}, delim = $delim, quote = '\"', "
                    f"escape = '\"', strict_mode = true, store_rejects = true, auto_detect = false, "
                    f"columns = {{{columns}}}, null_padding = true, nullstr = '{_NEVER_NULL}', "
                    f"allow_quoted_nulls = false, max_line_size = {limit}")

        options = reading(_PARALLEL_LINE_BYTES)
        params = {"path": str(path), "delim": delimiter}
        failed: duckdb.Error | None = None
        try:
            loaded = _stopping(con, scanning, unusual, lambda: load(options + ")", params))
        except duckdb.Error as err:
            if not (_gave_up(err) or (isinstance(err, duckdb.InterruptException) and unusual and unusual.is_set())):
                raise
            failed = err
        scanned = scanning.result()
        if scanned.longest > LONG_LINE_BYTES:
            # A line too long for that reading, which may have misread it:
            # read again (or from a copy, below) with the large limit.
            restart()
            options, failed = reading(MAX_RECORD_BYTES), None
            if not scanned.unusual:
                try:
                    loaded = load(options + ")", params)
                except duckdb.Error as err:
                    if not _gave_up(err):
                        raise
                    failed = err
        if failed is not None and not scanned.unusual and _SERIAL_ONLY not in str(failed):
            return None  # damage DuckDB cannot reject row by row (bytes that are not UTF-8, in one thread)
        if failed is not None or scanned.unusual:
            # DuckDB gave up (a line break inside quotes, which it pads
            # records around only in one thread; line ends of another style
            # than the first line's; damage it cannot reject row by row),
            # or it read line ends Python's csv module may end lines at
            # otherwise: it reads a copy with plain line ends. Rolled back
            # first, which also drops the first reading's rejects.
            restart()
            copy = _copy(data, delimiter, Path(tmp) / "plain.csv")
            if copy is None:
                if failed is None or _SERIAL_ONLY not in str(failed) or scanned.unusual:
                    return None
                # Quotes the copy cannot follow: DuckDB reads the file as
                # it is, in one thread.
                source, copy_params = options + ", parallel = false)", params
            else:
                source = copy.source(options + (", parallel = false)" if copy.serial else ")"), width)
                copy_params = {**params, "path": str(copy.path)}
                starts = copy.starts
            try:
                loaded = load(source, copy_params)
            except duckdb.Error as err:
                if _gave_up(err):
                    return None
                raise
    rejects = con.execute("SELECT DISTINCT ON (line_byte_position) line_byte_position, error_type, "
                          "error_message FROM reject_errors ORDER BY line_byte_position").fetchall()
    rejects = _past_line_ends(data, rejects)
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
        good_lines = _place(table, rejects, has_header, starts)
    if good_lines is None:
        con.execute(f"DROP TABLE {loaded}")
        return None
    table.good_lines = good_lines
    return table


def _gave_up(err: duckdb.Error) -> bool:
    """Whether DuckDB gave up on the file rather than failed."""
    return isinstance(err, duckdb.InvalidInputException) or str(err).startswith("CSV Error")


def _stopping(con: duckdb.DuckDBPyConnection, scanning: Future[ByteScan], unusual: threading.Event | None,
              run: Callable[[], str]) -> str:
    """`run()`, DuckDB's statement interrupted as soon as `unusual` is set
    (its reading would be thrown away) until `run` returns."""
    if unusual is None:
        return run()
    finished, lock = threading.Event(), threading.Lock()

    def watch() -> None:
        while not finished.wait(_WATCH_SECONDS):  # wakes at once when `run` returns
            if unusual.is_set():
                with lock:
                    if not finished.is_set():
                        con.interrupt()  # again at each wake: the statement may not have begun
            elif scanning.done():
                return

    watcher = threading.Thread(target=watch, name="line-ends-watch", daemon=True)
    watcher.start()
    try:
        return run()
    finally:
        with lock:
            finished.set()
        watcher.join()


def _past_line_ends(data: FileBytes, rejects: list[tuple]) -> list[tuple]:
    """DuckDB's rejects, each starting past any line ends at its offset,
    one per offset: DuckDB may start a reject at the blank lines before
    it, and in a copy a CRLF is a line end and a blank line."""
    size, moved, seen = len(data), [], set()
    for line_start, kind, message in rejects:
        while line_start < size and data[line_start] in (10, 13):  # each blank run is passed by its one reject
            line_start += 1
        if line_start not in seen:
            seen.add(line_start)
            moved.append((line_start, kind, message))
    return moved


@dataclass(frozen=True)
class _Copy:
    """A file's copy for DuckDB (`_copy`), of the same length: offsets in
    it are offsets in the file."""

    path: Path
    starts: np.ndarray  # the offset of each record (blank ones too)
    marks: dict[int, int]  # a byte put for a line break inside quotes: the byte it stands for
    serial: bool  # line breaks are left inside quotes (no byte was free to mark them)

    def source(self, read_csv: str, width: int) -> str:
        """The query reading the copy with `read_csv`, the marked bytes put back."""
        if not self.marks:
            return read_csv
        def restored(i: int) -> str:
            value = f"c{i}"
            for mark, byte in self.marks.items():
                # Only a value holding a mark is made anew: at 1M rows, 0.2-0.8 CPU-s less than replacing in each.
                value = f"CASE WHEN contains({value}, chr({mark})) THEN replace({value}, chr({mark}), chr({byte})) " \
                        f"ELSE {value} END"
            return f"{value} AS c{i}"
        return f"(SELECT {', '.join(restored(i) for i in range(width))} FROM {read_csv})"


# Bytes that can stand for a line break inside quotes: control characters
# no UTF-8 text holds within another character.
_MARKS = [b for b in range(1, 32) if b not in (9, 10, 13)]


def _copy(data: FileBytes, delimiter: str, target: Path) -> _Copy | None:
    """Write to `target` a copy of `data` that DuckDB reads in parallel, as
    Python's csv module reads `data`: each CR outside quotes an LF (a CRLF
    becomes a line end and a blank line), each CR and LF inside quotes a
    byte `data` does not hold. None when a quote is left open at the end,
    or opens or closes where Python's csv module (strict) would not take
    it for a quote (after or before anything but a delimiter, a line end
    or a quote), so that counting quotes would not follow it.
    """
    view = np.frombuffer(data, np.uint8)
    size = len(view)
    first = 3 if data[:3] == b"\xef\xbb\xbf" else 0
    edge = np.zeros(256, dtype=bool)
    edge[[ord(delimiter), 10, 13, 34]] = True
    free = [b for b in _MARKS if b != ord(delimiter) and data.find(bytes([b])) < 0][:2]
    mark_of = dict(zip((10, 13), free, strict=False)) if len(free) == 2 else {}
    quotes_before, ends = 0, []
    inside_found: set[int] = set()  # the line-break bytes found inside quotes
    with open(target, "wb", buffering=_WRITE_BUFFER) as out:
        for at in range(0, size, _CHUNK):
            chunk = view[at:at + _CHUNK]
            quotes = np.flatnonzero(chunk == 34)
            # A quote opens when an even number of quotes is before it.
            opening = quotes[quotes_before % 2::2] + at
            closing = quotes[1 - quotes_before % 2::2] + at
            if not ((edge[view[np.maximum(opening - 1, 0)]] | (opening == first)).all()
                    and (edge[view[np.minimum(closing + 1, size - 1)]] | (closing == size - 1)).all()):
                return None
            breaks = np.flatnonzero((chunk == 10) | (chunk == 13))
            if len(breaks):
                inside = (np.searchsorted(quotes, breaks) + quotes_before) % 2 == 1
                is_cr = chunk[breaks] == 13
                spot = breaks + at
                line_end = ~is_cr | (view[np.minimum(spot + 1, size - 1)] != 10) | (spot == size - 1)
                ends.append(spot[line_end & ~inside])
                if (is_cr & ~inside).any() or (inside.any() and mark_of):
                    chunk = chunk.copy()
                    chunk[breaks[is_cr & ~inside]] = 10
                    for byte, mark in mark_of.items():
                        chunk[breaks[inside & (chunk[breaks] == byte)]] = mark
                inside_found.update(int(b) for b in np.unique(view[spot[inside]]))
            quotes_before += len(quotes)
            out.write(chunk.data)
            _release(data, at, len(chunk))
    if quotes_before % 2:
        return None
    record_ends = np.concatenate(ends) if ends else np.empty(0, np.int64)
    starts = np.concatenate(([first], record_ends + 1)).astype(np.int64)
    return _Copy(target, starts[starts < size], {mark: byte for byte, mark in mark_of.items() if byte in inside_found},
                 serial=bool(inside_found) and not mark_of)


_PLACEABLE = ("MISSING COLUMNS", "TOO MANY COLUMNS", "UNQUOTED VALUE")


def _problem(table: FastTable, kind: str, message: str, line: int, last: int) -> Problem:
    if kind != "UNQUOTED VALUE" and (found := _FIELD_COUNT.search(message)):
        return Problem(None, Reason.WRONG_FIELD_COUNT, f"expected {found.group(1)} fields, found {found.group(2)}",
                       line, table.raw(line, last))
    return Problem(None, Reason.UNTERMINATED_QUOTE, f"a quoted field is not closed properly ({message})", line,
                   table.raw(line))


def _place(table: FastTable, rejects: list[tuple], has_header: bool,
           starts: np.ndarray | None = None) -> np.ndarray | None:
    """The lines of the good records, from the records' boundaries in the
    bytes (quotes counted; `starts`, when given, found so already); None
    when DuckDB and the bytes disagree."""
    data, newlines = table.data, table.newlines
    if starts is None:
        starts, open_quote = _record_starts(data, newlines)
        if open_quote:
            return None
    if not len(starts):
        return None
    # Each record's end is its line end, or the end of a file that has none
    # (a blank line at the very end is then blank like any other).
    ends = np.append(starts[1:] - 1, len(data) - 1 if data[-1:] in (b"\n", b"\r") else len(data))
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

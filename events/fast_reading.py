"""The fast path for reading large UTF-8 files: DuckDB parses, we count lines.

DuckDB's `read_csv` parses a file an order of magnitude faster than
Python's csv module, but it numbers records, not physical lines, and a
quote left open to the end of the file silently swallows what follows.
So the records' boundaries and lines are found first from the bytes (a
newline outside quotes ends a record: the count of quotes before it is
even), DuckDB's rejects are mapped onto those records, and the two must
agree on every record; when they do not, `stage` returns None and the
caller reads the file with the exact, slower reader (reading.read_table).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from .problems import Problem, Reason

_CHUNK = 1 << 24
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


@dataclass
class FastTable:
    """What the importer needs of a read file (as reading.Table offers)."""

    header: list[str]
    data: bytes
    newlines: np.ndarray               # offsets of every LF
    records: int = 0
    problems: list[Problem] = field(default_factory=list)

    def raw(self, first: int, last: int | None = None) -> str:
        """The text of physical lines first..last (1-based, inclusive)."""
        last = last or first
        begin = 0 if first == 1 else int(self.newlines[first - 2]) + 1
        end = int(self.newlines[last - 1]) if last - 1 < len(self.newlines) else len(self.data)
        return self.data[begin:end].decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")


def _scan(data: bytes) -> tuple[np.ndarray, np.ndarray, bool]:
    """(record starts, every LF offset, a quote left open at the end)."""
    size, carry = len(data), 0
    newlines, ends = [], []
    for offset in range(0, size, _CHUNK):
        chunk = np.frombuffer(data, np.uint8, count=min(_CHUNK, size - offset), offset=offset)
        parity = np.bitwise_xor.accumulate((chunk == 34).view(np.uint8)) ^ carry
        at = np.flatnonzero(chunk == 10)
        newlines.append(at + offset)
        ends.append(at[parity[at] == 0] + offset)
        carry = int(parity[-1]) if len(parity) else carry
    newlines_all = np.concatenate(newlines) if newlines else np.empty(0, np.int64)
    record_ends = np.concatenate(ends) if ends else np.empty(0, np.int64)
    first = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    starts = np.concatenate(([first], record_ends + 1)).astype(np.int64)
    return starts[starts < size], newlines_all, bool(carry)


def stage(con: duckdb.DuckDBPyConnection, data: bytes, header: list[str], has_header: bool,
          delimiter: str) -> FastTable | None:
    """Parse `data` into table `staged` (c0.., _line) of `con`, or None when
    the exact reader must do it (an open quote at the end, a reject DuckDB
    cannot place, any disagreement in the count of records)."""
    starts, newlines, open_quote = _scan(data)
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

    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "import.csv"
        path.write_bytes(data)
        con.execute(
            f"CREATE TABLE raw_read AS SELECT * FROM read_csv($path, header = {str(has_header).lower()}, "
            f"delim = $delim, quote = '\"', escape = '\"', strict_mode = true, store_rejects = true, "
            f"auto_detect = false, columns = {{{columns}}})", {"path": str(path), "delim": delimiter})
        rejects = con.execute("SELECT line_byte_position, byte_position, error_type, error_message "
                              "FROM reject_errors ORDER BY line_byte_position").fetchall()
    table = FastTable(header=header, data=data, newlines=newlines)
    rejected: dict[int, Problem] = {}
    for line_start, _position, kind, message in rejects:
        index = int(np.searchsorted(starts, line_start, side="right")) - 1
        while index < len(starts) and blank[index]:  # DuckDB may start a reject at a blank line before it
            index += 1
        if index >= len(starts) or index in rejected:
            continue
        line = int(lines[index])
        last = int(np.searchsorted(newlines, ends[index])) + 1 if ends[index] < len(data) else line
        if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS") and (found := _FIELD_COUNT.search(message)):
            rejected[index] = Problem(None, Reason.WRONG_FIELD_COUNT,
                                      f"expected {found.group(1)} fields, found {found.group(2)}",
                                      line, table.raw(line, last))
        elif kind == "UNQUOTED VALUE":
            rejected[index] = Problem(None, Reason.UNTERMINATED_QUOTE,
                                      f"a quoted field is not closed properly ({message})", line, table.raw(line))
        else:
            return None
    [(good,)] = con.execute("SELECT count(*) FROM raw_read").fetchall()
    bad = np.array(sorted(rejected), dtype=np.int64)
    if good + len(bad) != len(expected) or not np.isin(bad, expected).all():
        con.execute("DROP TABLE raw_read")
        return None
    good_lines = lines[np.setdiff1d(expected, bad, assume_unique=True)]
    # DuckDB keeps the file's order: the n-th good row is the n-th good record.
    con.register("good_lines", pa.table({"_line": pa.array(good_lines.astype(np.int64))}))
    con.execute("CREATE TABLE staged AS SELECT * FROM raw_read POSITIONAL JOIN good_lines")
    con.execute("DROP TABLE raw_read")
    con.unregister("good_lines")
    table.records = int(good)
    table.problems = [rejected[i] for i in sorted(rejected)]
    return table

"""Reading a delimited file into records, each with its physical line.

This layer knows bytes, encodings, quotes and field counts, nothing of
events. A record that cannot be read (a wrong number of fields, an
unterminated quote, bytes that are not text) is reported with the line it
starts on (header = 1) and its raw text; every other record is kept.
"""

from __future__ import annotations

import csv
import io
import re
from array import array
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .problems import Problem, Reason

# Windows-1256 is how Arabic spreadsheets are saved on Windows; a file that
# is not UTF-8 but decodes to mostly Arabic letters in it is taken as such.
_ARABIC = range(0x0600, 0x0700)
_LINE_ENDS = re.compile(r"\r\n|\r|\n")


_CHUNK = 50_000  # records turned into Arrow at a time: Python strings are ~10x larger


@dataclass
class Table:
    """Records as read: `header`, then the good records as Arrow batches of
    strings (columns c0, c1, ... in header order) with the line each starts on."""

    header: list[str]
    text: str = ""
    delimiter: str = ","
    batches: list[pa.RecordBatch] = field(default_factory=list)
    lines: array = field(default_factory=lambda: array("q"))
    problems: list[Problem] = field(default_factory=list)
    line_starts: array = field(default_factory=lambda: array("q"))
    _pending: list[list[str]] = field(default_factory=list)

    @property
    def records(self) -> int:
        return len(self.lines)

    def line_of(self, ordinals: np.ndarray) -> np.ndarray:
        """The physical line of each good record, given its place (0-based)
        among the good records."""
        return np.frombuffer(self.lines, np.int64)[ordinals]

    def raw(self, first: int, last: int | None = None) -> str:
        """The text of physical lines first..last (1-based, inclusive)."""
        last = last or first
        end = self.line_starts[last] if last < len(self.line_starts) else len(self.text)
        return self.text[self.line_starts[first - 1]:end].rstrip("\r\n")

    def release(self) -> None:
        """Drop the file's text (raw lines can no longer be given)."""
        self.text = ""
        self.line_starts = array("q")

    def _add(self, record: list[str], line: int) -> None:
        self._pending.append(record)
        self.lines.append(line)
        if len(self._pending) >= _CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            columns = list(zip(*self._pending, strict=True))  # _add takes only full-width records
            self.batches.append(pa.record_batch([pa.array(c, pa.string()) for c in columns],
                                                names=[f"c{i}" for i in range(len(columns))]))
            self._pending = []

    def arrow(self) -> pa.Table:
        """The good records as one Arrow table (their lines: `line_of`)."""
        schema = pa.schema([(f"c{i}", pa.string()) for i in range(len(self.header))])
        return pa.Table.from_batches(self.batches, schema=schema)


UNDECODABLE = "utf-8 with undecodable bytes"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of a file's bytes: UTF-8 (with or without BOM),
    else Windows-1256 when that reads as Arabic text, else UTF-8 with each
    undecodable byte replaced by U+FFFD so that only those lines are lost.
    """
    try:
        return data.decode("utf-8-sig"), ("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8")
    except UnicodeDecodeError:
        pass
    as_utf8 = data.decode("utf-8-sig", errors="replace")
    # A few bad bytes in UTF-8 text are damage to report line by line;
    # mostly undecodable non-ASCII text is another encoding. Characters,
    # not bytes, are compared: UTF-8 Arabic takes two bytes a letter.
    non_ascii = sum(1 for c in as_utf8 if ord(c) > 0x7F)
    if as_utf8.count("\ufffd") * 2 < non_ascii:
        return as_utf8, UNDECODABLE
    text = data.decode("cp1256", errors="replace")  # cp1256 maps almost every byte
    letters = [c for c in text if ord(c) >= 0x80 and c.isalpha()]
    if letters and sum(ord(c) in _ARABIC for c in letters) >= 0.8 * len(letters):
        return text, "windows-1256"
    return as_utf8, UNDECODABLE


def sniff_delimiter(first_line: str) -> str:
    """Tab for GDELT-style files, else comma."""
    return "\t" if first_line.count("\t") > first_line.count(",") else ","


def read_table(text: str, header: list[str] | None = None, delimiter: str | None = None) -> Table:
    """Parse `text`; the first record is the header unless `header` is given.

    Each record must have as many fields as the header; an unterminated
    quote is reported on the line where the quoted field starts.
    """
    first_line = text.split("\n", 1)[0]
    delimiter = delimiter or sniff_delimiter(first_line)
    table = Table(header=list(header) if header else [], text=text, delimiter=delimiter)
    # Offsets of line starts, not the lines: a copy of a large file is too dear.
    # The csv module counts CR, LF and CRLF as line ends; so must we.
    table.line_starts = array("q", [0])
    table.line_starts.extend(m.end() for m in _LINE_ENDS.finditer(text))

    def reader_from(line: int):
        """A reader starting at physical line `line`, and the line before it."""
        begin = table.line_starts[line - 1] if line - 1 < len(table.line_starts) else len(text)
        return csv.reader(io.StringIO(text[begin:], newline=""), delimiter=delimiter, strict=True), line - 1

    reader, base = reader_from(1)
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            # A quote opened and not closed where it should be. Reading goes
            # on at the next line, so a quote open to the end of the file
            # costs one record, not all that follow.
            table.problems.append(Problem(None, Reason.UNTERMINATED_QUOTE,
                                          f"a quoted field is not closed properly ({err})", start, table.raw(start)))
            start += 1
            reader, base = reader_from(start)
            continue
        end = base + reader.line_num
        if not table.header and header is None and start == 1:
            table.header = [name.strip() for name in record]
        elif record:  # [] is a blank line; a row of empty fields is checked like any other
            if len(record) != len(table.header):
                table.problems.append(Problem(
                    None, Reason.WRONG_FIELD_COUNT, f"expected {len(table.header)} fields, found {len(record)}",
                    start, table.raw(start, end),
                ))
            else:
                table._add(record, start)
        start = end + 1
    table._flush()
    return table

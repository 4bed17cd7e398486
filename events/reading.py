"""Reading a delimited file into records, each with its physical line.

This layer knows bytes, encodings, quotes and field counts, nothing of
events. A record that cannot be read (a wrong number of fields, an
unterminated quote, bytes that are not text) is reported with the line it
starts on (header = 1) and its raw text; every other record is kept.
"""

from __future__ import annotations

import codecs
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
# Runs of letters, Arabic vowel marks within them (not letters to \w).
_WORDS = re.compile(r"(?:[^\W\d_]|[\u064B-\u065F\u0670])+")


# Python's csv refuses a field over 128 kB ("field larger than field
# limit"): a long field is read, and its length checked as any other.
csv.field_size_limit(1 << 30)

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

# What the import says of each encoding it read, for its notice.
ENCODING_NAMES = {"utf-16": "UTF-16", "utf-16-le": "UTF-16 (little-endian, no BOM)",
                  "utf-16-be": "UTF-16 (big-endian, no BOM)", "windows-1256": "Windows-1256 (Arabic)",
                  "windows-1252": "Windows-1252 (Western European)", "latin-1": "Latin-1 (ISO 8859-1)"}


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with no BOM: a CSV's delimiters, digits and quotes are ASCII,
    so one byte of each pair is mostly NUL; UTF-8 and the 8-bit encodings
    hold no NUL in text."""
    sample = data[:65536]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    if odd >= 0.2 and even < 0.01:
        return "utf-16-le"
    if even >= 0.2 and odd < 0.01:
        return "utf-16-be"
    return None


def _reads_as_arabic(text: str) -> bool:
    """Whether text decoded as Windows-1256 is Arabic: at least 80% of its
    letters beyond ASCII are in words of two or more Arabic letters. French
    in Latin-1 read so gives Arabic letters too (É is ة, À is ہ), but alone
    or inside Latin words ("SÉCURITAIRE", "À TAGBARA")."""
    letters = arabic = 0
    for word in _WORDS.findall(text):
        beyond_ascii = sum(1 for c in word if ord(c) >= 0x80)
        letters += beyond_ascii
        if len(word) >= 2 and beyond_ascii == len(word) and all(ord(c) in _ARABIC for c in word):
            arabic += len(word)
    return letters > 0 and arabic >= 0.8 * letters


def is_utf16(sample: bytes) -> bool:
    """Whether a file's first bytes are UTF-16: a BOM, or its NUL bytes."""
    return sample.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(sample) is not None


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of a file's bytes; `encoding` forces one.

    The rule, measured in tests/test_encodings.py: a UTF-16 BOM, or UTF-16's
    pattern of NUL bytes; else UTF-8 (with or without BOM); else, when a few
    bytes of mostly good UTF-8 text are damaged, UTF-8 with each undecodable
    byte replaced by U+FFFD so that only those lines are lost; else
    Windows-1256 when that reads as Arabic text; else Windows-1252, or
    Latin-1 for the five bytes Windows-1252 leaves undefined.
    """
    if encoding is not None:
        name = codecs.lookup(encoding).name  # LookupError for a name Python does not know
        if name == "utf-8" or name == "utf-8-sig":
            try:
                return data.decode("utf-8-sig"), "utf-8"
            except UnicodeDecodeError:
                return data.decode("utf-8-sig", errors="replace"), UNDECODABLE
        name = {"cp1256": "windows-1256", "cp1252": "windows-1252", "iso8859-1": "latin-1"}.get(name, name)
        return data.decode(name, errors="replace").removeprefix("\ufeff"), name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return data.decode(utf16, errors="replace"), utf16
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
    if _reads_as_arabic(text):
        return text, "windows-1256"
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


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

"""Our own CSV format: every schema field, every cell quoted, text made inert.

Spreadsheet programs run a cell that starts with = + - @ (or a tab, CR or
LF before one) as a formula. On export such a text cell gets a leading
apostrophe; a text cell that already starts with an apostrophe gets one
more, so the reader strips exactly one and the round trip is exact.
Numbers and dates are written by `format_value` and are never formulas.
Reading is the importer's job (formats.NATIVE undoes the apostrophe).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO

from .schema import FIELD_NAMES, FIELDS, TEXT, format_value

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "'")
_TEXT_FIELDS = frozenset(f.name for f in FIELDS if f.kind == TEXT)


def neutralise(cell: str) -> str:
    """Make a text cell inert in a spreadsheet; `restore` undoes it.

    An empty text becomes a lone apostrophe, so that it stays distinct from
    an unset value (an empty cell) through export and import.
    """
    return "'" + cell if cell == "" or cell.startswith(_FORMULA_STARTS) else cell


def restore(cell: str) -> str:
    """Undo `neutralise`."""
    return cell[1:] if cell.startswith("'") else cell


def csv_writer(handle: IO[str], bom: bool = False):
    """A CSV writer that quotes every field (CPython 3.11 leaves a bare CR
    unquoted otherwise), after an optional UTF-8 BOM for Excel."""
    if bom:
        handle.write("\ufeff")
    return csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\r\n")


def write_native(events: Iterable[dict], handle: IO[str], bom: bool = False) -> int:
    """Write events as native CSV to a text handle opened with newline=''.

    Returns the number of rows written.
    """
    writer = csv_writer(handle, bom)
    writer.writerow(FIELD_NAMES)
    count = 0
    for event in events:
        row = []
        for name in FIELD_NAMES:
            value = event.get(name)
            row.append(neutralise(value) if name in _TEXT_FIELDS and value is not None else format_value(value))
        writer.writerow(row)
        count += 1
    return count


def native_csv(events: Iterable[dict], bom: bool = False) -> str:
    """The native CSV text of `events`."""
    buffer = io.StringIO(newline="")
    write_native(events, buffer, bom=bom)
    return buffer.getvalue()

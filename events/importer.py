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

import csv
import datetime as dt
import getpass
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb
import pyarrow as pa

from geo.admin import canonical_admin1

from . import checks, fast_reading, formats
from .exc import EventsError, ValidationError
from .fast_reading import FastTable
from .reading import UNDECODABLE, Table, decode, is_utf8, read_table, sniff_delimiter
from .schema import FIELD_NAMES
from .store import Batch, Store
from .problems import Problem, Reason

Progress = Callable[[float, str], None]


class ImportFileError(ValidationError):
    """The file cannot be read as events at all (nothing was stored)."""


class StrictImportRefused(EventsError):
    """Strict mode: the file has rejected rows, so nothing was stored."""


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
    accepted: pa.Table | None = None
    rejected: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    replaced_ids: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    restricted: bool = False

    @property
    def accepted_count(self) -> int:
        return 0 if self.accepted is None else self.accepted.num_rows

    @property
    def duplicates(self) -> int:
        """Rows whose id is already stored and that were not newer."""
        return sum(1 for s in self.skipped if s.reason is Reason.ALREADY_STORED)


def _sql_columns(expression: str, positions: dict[str, int]) -> str:
    """Replace {source column} by the staged column holding it, or NULL.
    Source names never enter SQL: staged columns are c0, c1, ..."""
    return re.sub(r"\{([^}]+)\}", lambda m: f"c{positions[m.group(1)]}" if m.group(1) in positions else "NULL",
                  expression)


def preview(data: bytes, file_name: str, store: Store | None = None, format: str = "auto",
            area: checks.Area = checks.Area(), progress: Progress | None = None) -> ImportPreview:
    """Read and check a file's bytes; nothing is written.

    Raises ImportFileError when the file is not a table of events in a
    known format (or lacks a required column).
    """
    report = progress or (lambda fraction, message: None)
    report(0.0, "reading")
    # Plain UTF-8 goes to the fast reader without a decoded copy of the file.
    fast = is_utf8(data) and data.count(b"\r") == data.count(b"\r\n")
    text, encoding = (None, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8") if fast else decode(data)
    head = data[:65536].decode("utf-8-sig", errors="ignore") if fast else text
    first = re.split(r"\r\n|\r|\n", head, maxsplit=1)[0]
    delimiter = sniff_delimiter(first)
    header = [name.strip() for name in next(csv.reader(io.StringIO(first), delimiter=delimiter), [])]
    fmt = formats.FORMATS.get(format) if format != "auto" else formats.detect(header)
    if fmt is None:
        raise ImportFileError(f"{file_name}: unknown format (header starts {first[:80]!r}); "
                              f"choose one of {', '.join(formats.FORMATS)}")
    has_header = not (fmt.columns and not set(fmt.required) <= set(header))
    if not has_header:
        header = list(fmt.columns)
    missing = [c for c in fmt.required if c not in header]
    if missing:
        raise ImportFileError(f"{file_name}: missing required column(s) {', '.join(missing)} "
                              f"for the {fmt.name} format")
    con = duckdb.connect()
    checks.load_vocabularies(con)
    # DuckDB parses; the bytes tell the lines. Files it cannot be trusted
    # with (other encodings, bare CR line ends) go to the exact reader.
    table = fast_reading.stage(con, data, header, has_header, delimiter) if fast else None
    if table is None:
        text = text if text is not None else data.decode("utf-8-sig")
        table = read_table(text, header=None if has_header else header, delimiter=delimiter)
        con.register("staged_arrow", table.arrow())
        con.execute("CREATE TABLE staged AS SELECT * FROM staged_arrow")
        con.unregister("staged_arrow")
        table.batches = []
    result = ImportPreview(file_name, hashlib.sha256(data).hexdigest(), fmt.name, encoding,
                           restricted=fmt.restricted)
    if encoding == "windows-1256":
        result.notices.append("The file is in Windows-1256 (Arabic); it was read as such.")
    extra = [c for c in table.header if c not in FIELD_NAMES]
    if extra and fmt is formats.NATIVE:
        result.notices.append(f"Columns not in our schema were ignored: {', '.join(extra)}.")
    result.rows_read = table.records + len(table.problems)
    result.rejected.extend(table.problems)
    report(0.4, "checking")

    positions = {name: i for i, name in enumerate(table.header)}
    _stage(con, table, fmt, positions, result)
    _map(con, fmt, positions)
    problems = _check(con, table, fmt, area)
    report(0.8, "comparing with the store")
    if store is not None:
        _compare_with_store(con, store, result)
    result.accepted = con.sql(f"SELECT {checks.typed_select()} FROM good ORDER BY _line").to_arrow_table()
    result.rejected = sorted(result.rejected + problems, key=lambda p: (p.line or 0, p.column or ""))
    result.skipped.sort(key=lambda s: s.line)
    con.close()
    report(1.0, "checked")
    return result


def _stage(con: duckdb.DuckDBPyConnection, table: Table | FastTable, fmt: formats.Format,
           positions: dict[str, int], result: ImportPreview) -> None:
    """Take out of table `staged` the undecodable rows and those the format skips."""
    if result.encoding == UNDECODABLE:
        condition = " OR ".join(f"contains(c{i}, '\ufffd')" for i in range(len(table.header)))
        for (line,) in con.execute(f"SELECT _line FROM staged WHERE {condition} ORDER BY _line").fetchall():
            result.rejected.append(Problem(None, Reason.BAD_ENCODING, "the line holds bytes that are not UTF-8",
                                           line, table.raw(line)))
        con.execute(f"DELETE FROM staged WHERE {condition}")
    for condition, reason in fmt.skip:
        code, message = reason.split(": ", 1)
        where = _sql_columns(condition, positions)
        rows = con.execute(f"SELECT _line FROM staged WHERE {where} ORDER BY _line").fetchall()
        result.skipped += [Skipped(line, Reason(code), message) for (line,) in rows]
        con.execute(f"DELETE FROM staged WHERE {where}")


def _map(con: duckdb.DuckDBPyConnection, fmt: formats.Format, positions: dict[str, int]) -> None:
    """Table `mapped`: one text column per schema field, by the format's adapter."""
    select = []
    for name in FIELD_NAMES:
        expression = _sql_columns(fmt.fields[name], positions) if name in fmt.fields else "NULL"
        if name == "origin":
            expression = f"coalesce({expression}, '{fmt.origin}')"
        elif name == "status":
            expression = f"coalesce({expression}, '{fmt.status}')"
        select.append(f"CAST({expression} AS VARCHAR) AS {name}")
    con.execute(f"CREATE TABLE mapped AS SELECT _line, {', '.join(select)} FROM staged")
    con.execute("DROP TABLE staged")
    # Sources spell governorates their own way ("Hamah governorate"): map
    # each distinct spelling once to the canonical name.
    spellings = [name for (name,) in con.execute(
        "SELECT DISTINCT admin1 FROM mapped WHERE country = 'Syria' AND admin1 IS NOT NULL").fetchall()]
    canonical = {name: canonical_admin1(name) for name in spellings}
    renames = {name: to for name, to in canonical.items() if to and to != name}
    if renames:
        con.register("renames", pa.table({"spelling": list(renames), "admin1": list(renames.values())}))
        con.execute("UPDATE mapped SET admin1 = renames.admin1 FROM renames "
                    "WHERE mapped.country = 'Syria' AND mapped.admin1 = renames.spelling")


def _check(con: duckdb.DuckDBPyConnection, table: Table | FastTable, fmt: formats.Format, area: checks.Area) -> list[Problem]:
    """The problems of the mapped rows; table `good` holds the rows without any."""
    problems = [Problem(fmt.source_column(name), reason, message, line, table.raw(line))
                for line, name, reason, message in checks.run_checks(con, area)]
    for line, event_id in con.execute(
            "SELECT _line, event_id FROM (SELECT _line, event_id, row_number() OVER (PARTITION BY event_id "
            "ORDER BY _line) AS n FROM mapped WHERE event_id IS NOT NULL) WHERE n > 1").fetchall():
        problems.append(Problem(fmt.source_column("event_id"), Reason.DUPLICATE_IN_FILE,
                                f"id {event_id} already appears earlier in the file", line, table.raw(line)))
    bad_lines = sorted({p.line for p in problems})
    con.register("bad", pa.table({"_line": pa.array(bad_lines, pa.int64())}))
    con.execute("CREATE TABLE good AS SELECT * FROM mapped WHERE _line NOT IN (SELECT _line FROM bad)")
    con.execute("DROP TABLE mapped")
    return problems


def _compare_with_store(con: duckdb.DuckDBPyConnection, store: Store, result: ImportPreview) -> None:
    """Rows already stored: newer ones will replace, the rest are skipped."""
    ids = con.sql("SELECT event_id FROM good").to_arrow_table()
    stored = store.stored_timestamps(ids.column(0) if ids.num_rows else pa.array([], pa.string()))
    con.register("stored", stored)
    # A row without a timestamp is never newer: it cannot replace anything.
    newer = "coalesce(TRY_CAST(g.timestamp AS BIGINT) > coalesce(s.timestamp, -1), false)"
    for line, event_id, is_newer in con.execute(
            f"SELECT g._line, g.event_id, {newer} FROM good g JOIN stored s USING (event_id) "
            "ORDER BY g._line").fetchall():
        if is_newer:
            result.replaced_ids.append(event_id)
        else:
            result.skipped.append(Skipped(line, Reason.ALREADY_STORED,
                                          f"{event_id} is already stored and this row is not newer"))
    con.execute(f"DELETE FROM good WHERE event_id IN (SELECT event_id FROM stored s JOIN good g "
                f"USING (event_id) WHERE NOT {newer})")


def commit(store: Store, result: ImportPreview, coder: str | None = None, strict: bool = False) -> Batch:
    """Store the accepted rows of `result` as one batch, in one transaction.

    Raises StrictImportRefused (storing nothing) in strict mode when rows
    were rejected.
    """
    if strict and result.rejected:
        raise StrictImportRefused(f"{len(result.rejected)} problem(s) in {result.file_name}; strict mode stored "
                                  "nothing")
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    batch = Batch(
        batch_id=f"import-{now:%Y%m%dT%H%M%S%f}-{result.file_hash[:8]}",
        origin=result.format,
        file_name=result.file_name,
        file_hash=result.file_hash,
        coder=coder or getpass.getuser(),
        created_at=now,
        rejected=len({p.line for p in result.rejected}),
        skipped=len(result.skipped),
    )
    store.insert(result.accepted, batch, replace=result.replaced_ids)
    return batch


def import_path(store: Store, path: Path, format: str = "auto", strict: bool = False,
                progress: Progress | None = None) -> tuple[ImportPreview, Batch]:
    """Preview and commit a file in one call (the CLI and the demo load)."""
    path = Path(path)
    result = preview(path.read_bytes(), path.name, store, format=format, progress=progress)
    return result, commit(store, result, strict=strict)

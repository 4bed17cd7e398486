"""The fast reader (DuckDB + a byte scan) must give exactly what the exact
reader gives, or hand the file over to it; and a file imported by path
(checked where it is stored) must store what a preview and commit store."""

import csv
import hashlib
import io
from concurrent.futures import Future

import duckdb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import duckdb_store, fast_reading, importer
from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from events.native import native_csv
from events.synthetic import generate
from tests.conftest import FIXTURES
from tests.helpers import make_event


def _hostile() -> dict[str, bytes]:
    text = native_csv([make_event(i, notes=("two\nlines" if i == 2 else "x")) for i in range(1, 7)])
    lines = text.split("\r\n")
    return {
        "extra field": "\r\n".join(lines[:3] + [lines[4] + ',"9"'] + lines[5:]).encode(),
        "missing field": "\r\n".join(lines[:3] + [lines[4].rsplit(",", 1)[0]] + lines[5:]).encode(),
        "blank lines": "\r\n".join(lines[:3] + ["", ""] + lines[3:]).encode(),
        "LF only": "\n".join(lines).encode(),
        "stray quote": "\r\n".join(lines[:4] + [lines[5].replace('"x"', '"x"y', 1)] + lines[6:]).encode(),
        "quote open to the end": "\r\n".join(lines[:5] + [lines[5].replace('"x"', '"x', 1)] + lines[6:]).encode(),
        "BOM": b"\xef\xbb\xbf" + text.encode(),
        "bare CR": text.replace("\r\n", "\r").encode(),
        "synthetic": native_csv(generate(300, seed=9)).encode(),
    }


_HEADER = native_csv([]).removesuffix("\r\n")


def _record(number: int, **fields) -> str:
    """One native record (no line end): event `number`, with `fields`."""
    return native_csv([make_event(number, **fields)]).split("\r\n", 1)[1].removesuffix("\r\n")


def _native(ends: list[str], notes: dict[int, str] | None = None, bad: tuple[int, ...] = (3, 6),
            surplus: int = 5) -> str:
    """A native file: the header ends with ends[0], record n (from 1) with
    ends[n]; records in `bad` have latitude 95, record `surplus` one field
    too many."""
    notes = notes or {}
    records = [_record(n, notes=notes.get(n, "x"), latitude=95.0 if n in bad else 35.1318)
               + (',"9"' if n == surplus else "") for n in range(1, len(ends))]
    return "".join(record + end for record, end in zip([_HEADER, *records], ends, strict=True))


def _line_cases() -> dict[str, tuple[str, bool]]:
    """name: (a file's text, whether the fast reader reads it)."""
    crlf = ["\r\n"] * 9
    mixed = ["\r\n", "\n", "\r", "\r\n\r", "\n\n", "\r\r\n", "\r\n\n", "\r", "\n"]
    unquoted = _native(crlf).replace('"Hama","', 'Ha\rma,"', 1)  # record 1's admin1: two records of the wrong length
    literal_quote = _native(["\r\n", "\r\n", "\r", *crlf[3:]], notes={4: "y"}).replace('"y"', 'x"y', 1)
    return {
        "bare CR inside quotes": (_native(crlf, notes={2: "a\rb", 7: "c\rd\re"}), True),
        "bare CR as a line end": (_native(["\r\n", "\r\n", "\r", *crlf[3:]]), True),
        "CRLF": (_native(crlf), True),
        "CRLF, line breaks inside quotes": (_native(crlf, notes={2: "two\r\nlines", 4: "one\ntwo"}), True),
        "LF, a bare CR as a line end": (_native(["\n", "\n", "\n", "\r", "\n", "\n", "\n", "\n", "\n"]), True),
        "LF, CRLF inside quotes": (_native(["\n"] * 9, notes={1: "a\r\nb"}), True),
        "CR only": (_native(["\r"] * 9, notes={4: "p\rq"}), True),
        "mixed, blank lines of each kind": (_native(mixed, notes={2: "a\rb", 5: "c\r\nd", 7: "e\nf\r"}, surplus=4),
                                            True),
        "bare CR inside an unquoted field": (unquoted, True),
        "line breaks inside quotes, no byte free to mark them": (
            _native(["\r\n", "\r", *crlf[2:]], notes={2: "".join(map(chr, fast_reading._MARKS)) + "a\nb\rc"}), True),
        # A quote inside an unquoted field is a character: counting quotes
        # would not follow the file, so the exact reader reads it.
        "a quote inside an unquoted field, a bare CR": (literal_quote, False),
    }


LINE_CASES = _line_cases()
CASES = {**{p.name: p.read_bytes() for p in sorted((FIXTURES / "formats").iterdir())}, **_hostile(),
         **{name: text.encode() for name, (text, _) in LINE_CASES.items()}}


def _report(result):
    return (result.format, result.rows_read, [(p.line, p.column, p.reason.value, p.raw) for p in result.rejected],
            [(s.line, s.reason.value) for s in result.skipped], result.file_hash, result.encoding)


def _summary(result):
    return _report(result), result.accepted.to_pylist()


@pytest.mark.parametrize("name", sorted(CASES))
def test_fast_and_exact_readers_agree(name, monkeypatch):
    fast = importer.preview(CASES[name], name)
    monkeypatch.setattr(fast_reading, "stage", lambda *args: None)
    exact = importer.preview(CASES[name], name)
    assert _summary(fast) == _summary(exact)


def _spy_on_stage(monkeypatch) -> list[bool]:
    """Whether the fast reader read each file from now on."""
    taken: list[bool] = []
    stage = fast_reading.stage

    def spied(*args):
        staged = stage(*args)
        taken.append(staged is not None)
        return staged

    monkeypatch.setattr(fast_reading, "stage", spied)
    return taken


def test_the_fast_path_is_taken_for_ordinary_files_and_a_bare_cr_and_refused_for_an_open_quote(monkeypatch):
    taken = _spy_on_stage(monkeypatch)
    importer.preview(CASES["synthetic"], "synthetic.csv")
    importer.preview(CASES["quote open to the end"], "open.csv")
    importer.preview(CASES["bare CR"], "cr.csv")
    assert taken == [True, False, True]


def _true_problems(text: str) -> list[tuple[int, str]]:
    """(line, reason) of each record of a native file that is not accepted,
    as Python's csv module reads it (its line_num counts CR, LF and CRLF as
    line ends, inside quotes too) and as the file was written (`_native`):
    a record of the wrong length, or a latitude of 95."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader)
    found, start = [], reader.line_num + 1
    for record in reader:
        if len(record) not in (0, len(header)):
            found.append((start, "wrong_number_of_fields"))
        elif record and record[header.index("latitude")] == "95.0":
            found.append((start, "latitude_out_of_range"))
        start = reader.line_num + 1
    return found


_ENDS = st.sampled_from(["\r\n", "\n", "\r", "\r\n\r\n", "\r\r", "\n\n", "\r\n\r"])
_NOTES = st.lists(st.sampled_from(["a", " ", '"', "\r", "\n", "\r\n"]), max_size=6).map(lambda s: "x" + "".join(s))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ends=st.lists(_ENDS, min_size=2, max_size=12), data=st.data())
def test_any_line_ends_are_read_fast_as_the_exact_reader_reads_them(ends, data):
    rows = len(ends) - 1
    notes = data.draw(st.dictionaries(st.integers(1, rows), _NOTES, max_size=rows))
    bad = tuple(data.draw(st.sets(st.integers(1, rows), max_size=3)))
    # A record with a field too many stays on one line: of one over several lines, importer._skips quotes
    # only the first line where the exact reader quotes them all (the lines and reasons agree).
    surplus = data.draw(st.sampled_from([n for n in range(rows + 1) if n not in notes]))  # 0: none
    text = _native(ends, notes=notes, bad=bad, surplus=surplus)
    with pytest.MonkeyPatch.context() as monkeypatch:
        taken = _spy_on_stage(monkeypatch)
        fast = importer.preview(text.encode(), "any.csv")
        assert taken == [True]
        monkeypatch.setattr(fast_reading, "stage", lambda *args: None)
        exact = importer.preview(text.encode(), "any.csv")
    assert [(p.line, p.reason.value) for p in fast.rejected] == _true_problems(text)
    assert _summary(fast) == _summary(exact)


def test_the_true_problems_are_counted_as_written():
    # The helper itself, on a file whose lines are counted by hand: the
    # header (1), record 1 (2), record 2 over lines 3-4 (a CR inside
    # quotes), a blank line (5), record 3 (6: latitude 95), record 4 (7),
    # record 5 (8: one field too many).
    text = _native(["\r\n", "\r\n", "\r\n\r", "\r", "\n", "\r\n"], notes={2: "a\rb"})
    assert _true_problems(text) == [(6, "latitude_out_of_range"), (8, "wrong_number_of_fields")]


@pytest.mark.parametrize("name", sorted(LINE_CASES))
def test_every_kind_of_line_end_is_read_on_its_true_line(name, monkeypatch):
    text, fast = LINE_CASES[name]
    taken = _spy_on_stage(monkeypatch)
    result = importer.preview(text.encode(), f"{name}.csv")
    assert [(p.line, p.reason.value) for p in result.rejected] == _true_problems(text)
    assert taken == [fast]


def test_a_large_file_with_bare_crs_and_mixed_line_ends_is_read_fast_on_its_true_lines(tmp_path, store, monkeypatch):
    # Past two of DuckDB's parallel chunks (122,880 rows each), read by
    # this machine's two threads: the copy DuckDB reads must keep the
    # file's order and its offsets.
    rows = 2 * 122_880 + 5_000
    bad = {7, 122_879, 200_001, rows - 1}
    notes = {100_000: "one\rtwo", 245_000: "three\r\nfour"}
    good = _record(0)
    ends = {1_000: "\r", 150_000: "\n", 150_001: "\r\r\n", rows - 10: "\r"}
    parts = [_HEADER, "\r\n"]
    for n in range(1, rows + 1):
        if n in bad or n in notes:
            parts.append(_record(n, latitude=95.0 if n in bad else 35.1318, notes=notes.get(n, "")))
        else:
            parts.append(good.replace('"test:0"', f'"test:{n}"', 1))
        parts.append(ends.get(n, "\r\n"))
    text = "".join(parts)
    path = tmp_path / "large.csv"
    path.write_text(text, encoding="utf-8", newline="")
    taken = _spy_on_stage(monkeypatch)
    result, _ = importer.import_path(store, path)
    assert taken == [True]
    assert [(p.line, p.reason.value) for p in result.rejected] == _true_problems(text)
    assert result.accepted_count == rows - len(bad)


@pytest.mark.parametrize("data, newlines, bare_cr, mixed", [
    (b"", [], False, False),
    (b"a,b\r\n1,2\r\n", [4, 9], False, False),
    (b"a,b\n1,2", [3], False, False),
    (b"a,b\r1,2\n", [3, 7], True, False),
    (b"a,b\n1,2\r", [3, 7], True, False),  # a CR as the very last byte
    (b"a,b\r\n1,2\n", [4, 8], False, True),
    (b'a,b\r\n"1\r",2\r\r\n', [4, 7, 11, 13], True, False),  # a bare CR inside quotes is a line end too
])
def test_one_scan_finds_the_hash_and_every_line_end(data, newlines, bare_cr, mixed):
    scanned = fast_reading.start_scan(data).result()
    assert (scanned.sha256, scanned.newlines.tolist(), scanned.bare_cr, scanned.mixed) == (
        hashlib.sha256(data).hexdigest(), newlines, bare_cr, mixed)
    assert scanned.lines(data) == len(data.decode().splitlines()) or not data


def test_the_scan_reads_past_its_chunk_size(monkeypatch):
    monkeypatch.setattr(fast_reading, "_CHUNK", 4)
    data = b"ab\r\ncd\r\nef\ngh\r"
    scanned = fast_reading.scan(data)
    assert (scanned.newlines.tolist(), scanned.bare_cr, scanned.mixed, scanned.lines(data)) == (
        [3, 7, 10, 13], True, True, 4)
    assert fast_reading.scan(data[:-1]).newlines.tolist() == [3, 7, 10]
    assert not fast_reading.scan(data[:-1]).bare_cr


def test_the_scan_tells_of_unusual_line_ends_as_soon_as_it_finds_them(monkeypatch):
    monkeypatch.setattr(fast_reading, "_CHUNK", 4)
    told = []
    data = b"ab\r\ncd\rxy\r\n" + b"ef\r\n" * 100
    fast_reading.scan(data, lambda: told.append(len(told)))
    assert told == [0]
    assert fast_reading.start_scan(data).unusual.wait(5)
    assert not fast_reading.start_scan(b"ab\r\n" * 100).unusual.wait(0.1)


def test_damage_duckdb_gives_up_on_goes_to_the_exact_reader():
    # Line ends of another style than the first line's, under strict mode:
    # DuckDB raises rather than rejects. The scan is told nothing is
    # unusual, so only the raise can send the file on.
    data = b'event_id,event_date\r\n"a",2024-01-01\n"b",2024-01-02\n'
    scanning = Future()
    scanning.set_result(fast_reading.ByteScan("", np.array([20, 38, 56]), bare_cr=False))
    con, raised = duckdb.connect(), []

    def load(source, params):
        try:
            con.execute(f"CREATE TEMP TABLE t AS SELECT * FROM {source}", params)
        except duckdb.InvalidInputException as err:
            raised.append(err)
            raise
        return "t"

    assert fast_reading.stage(con, data, scanning, ["event_id", "event_date"], True, ",", load) is None
    assert len(raised) == 1


@pytest.mark.parametrize("data, delimiter, copied", [
    (b'a,b\r\n"x\ry",1\r\n', ",", b'a,b\n\n"x\x02y",1\n\n'),
    (b'a\tb\r"x\ny"\t"""1"\r\n', "\t", b'a\tb\n"x\x01y"\t"""1"\n\n'),
    (b'a,b\n"x""\r\n",1\n', ",", b'a,b\n"x""\x02\x01",1\n'),
    (b'\xef\xbb\xbf"a",b\r1,2', ",", b'\xef\xbb\xbf"a",b\n1,2'),
    (b'a,b\rx"y,1\n', ",", None),  # a quote inside an unquoted field
    (b'a,b\r"x"y,1\n', ",", None),  # a quote closed before the field ends
    (b'a,b\r"x,1\n', ",", None),  # a quote open to the end
])
def test_the_copy_duckdb_reads_has_plain_line_ends_and_marks_inside_quotes(data, delimiter, copied, tmp_path):
    copy = fast_reading._copy(data, delimiter, tmp_path / "copy.csv")
    assert (copy and copy.path.read_bytes()) == copied
    if copy:
        assert len(copied) == len(data)


def _stored(store):
    return sorted((e | {"batch_id": None, "created_at": None, "updated_at": None}
                   for e in store.iter_events(EventQuery())), key=lambda e: e["event_id"])


@pytest.mark.parametrize("name", sorted(CASES))
def test_importing_by_path_stores_what_preview_and_commit_store(name, tmp_path):
    path = tmp_path / name
    path.write_bytes(CASES[name])
    by_preview, by_path = DuckDBStore(tmp_path / "a.duckdb"), DuckDBStore(tmp_path / "b.duckdb")
    checked = importer.preview(CASES[name], name, by_preview)
    importer.commit(by_preview, checked)
    result, batch = importer.import_path(by_path, path)
    assert _report(result) == _report(checked)
    assert (result.accepted, result.accepted_count) == (None, checked.accepted_count)
    assert _stored(by_path) == _stored(by_preview)
    [(rows,)] = by_path.batches().query("batch_id == @batch.batch_id")[["rows"]].values.tolist()
    assert rows == checked.accepted_count


def _synthetic(tmp_path):
    """The synthetic case's file (300 rows) and an empty store with its tables."""
    path = tmp_path / "synthetic.csv"
    path.write_bytes(CASES["synthetic"])
    store = DuckDBStore(tmp_path / "events.duckdb")
    return path, store, _tables(store)


def test_an_import_by_path_leaves_no_table_of_its_own(tmp_path):
    path, store, before = _synthetic(tmp_path)
    _, batch = importer.import_path(store, path)
    assert _tables(store) == before
    stamps = {(e["batch_id"], e["created_at"], e["updated_at"]) for e in store.iter_events(EventQuery())}
    assert stamps == {(batch.batch_id, batch.created_at, batch.created_at)}
    batches = store.batches()
    with pytest.raises(importer.StrictImportRefused) as refused:
        importer.import_path(store, path, strict=True, area=importer.checks.Area(north=0.0))
    assert (len(refused.value.result.rejected), len(_stored(store)), _tables(store)) == (300, 300, before)
    assert store.batches().equals(batches)
    again, _ = importer.import_path(store, path)
    assert (again.duplicates, len(_stored(store)), _tables(store)) == (300, 300, before)
    assert store.undo_batch(batch.batch_id) == 300
    assert (_tables(store), _stored(store)) == (before, [])


def test_a_failure_while_storing_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    path, store, _ = _synthetic(tmp_path)
    importer.import_path(store, path)
    before = (_tables(store), _stored(store), store.batches())

    def fail(con):
        raise RuntimeError("disk full")

    monkeypatch.setattr(duckdb_store, "_commit", fail)
    more = tmp_path / "more.csv"
    more.write_text(native_csv([make_event(i) for i in range(1, 4)]), encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk full"):
        importer.import_path(store, more)
    after = (_tables(store), _stored(store), store.batches())
    assert after[:2] == before[:2] and after[2].equals(before[2])


def _tables(store):
    with duckdb.connect(str(store.path), read_only=True) as con:
        return sorted(name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall())


@pytest.mark.parametrize("data, longest", [
    (b"ab\ncdef\r\ng", 6),  # a line's length counts its line end
    (b"abc", 3),
    (b"a\rbb\r\n", 4),  # a bare CR ends a line
    (b"a\n" + b"x" * (3 << 20) + b"\nb", (3 << 20) + 1),  # a line over several of the scan's chunks
])
def test_the_scan_finds_the_longest_line(data, longest):
    assert fast_reading.scan(data).longest == longest


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40).map(lambda b: bytes(c % 4 + 32 for c in b)), st.binary(min_size=1, max_size=3)
       .map(lambda b: bytes(c % 4 + 32 for c in b)))
def test_holds_finds_a_needle_as_bytes_find_does(data, needle):
    assert fast_reading.holds(data, needle) == (needle in data)


@pytest.mark.parametrize("before", [(1 << 20) - 2, (1 << 20) - 1, 1 << 20])
def test_holds_finds_a_needle_across_the_scans_chunks(before):
    assert fast_reading.holds(b"x" * before + b"\"'" + b"x" * 5, b"\"'")

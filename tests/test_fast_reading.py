"""The fast reader (DuckDB + a byte scan) must give exactly what the exact
reader gives, or hand the file over to it; and a file imported by path
(checked where it is stored) must store what a preview and commit store."""

import hashlib
from concurrent.futures import Future

import duckdb
import numpy as np
import pytest

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


CASES = {**{p.name: p.read_bytes() for p in sorted((FIXTURES / "formats").iterdir())}, **_hostile()}


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


def test_the_fast_path_is_taken_for_ordinary_files_and_refused_for_an_open_quote(monkeypatch):
    taken = []
    stage = fast_reading.stage
    monkeypatch.setattr(fast_reading, "stage", lambda *args: taken.append(stage(*args)) or taken[-1])
    importer.preview(CASES["synthetic"], "synthetic.csv")
    importer.preview(CASES["quote open to the end"], "open.csv")
    importer.preview(CASES["bare CR"], "cr.csv")
    assert [t is not None for t in taken] == [True, False, False]


@pytest.mark.parametrize("data, newlines, bare_cr", [
    (b"", [], False),
    (b"a,b\r\n1,2\r\n", [4, 9], False),
    (b"a,b\n1,2", [3], False),
    (b"a,b\r1,2\n", [7], True),
    (b"a,b\n1,2\r", [3], True),  # a CR as the very last byte
])
def test_one_scan_finds_the_hash_the_line_ends_and_a_bare_cr(data, newlines, bare_cr):
    scanned = fast_reading.start_scan(data).result()
    assert (scanned.sha256, scanned.newlines.tolist(), scanned.bare_cr) == (
        hashlib.sha256(data).hexdigest(), newlines, bare_cr)


def test_the_scan_reads_past_its_chunk_size(monkeypatch):
    monkeypatch.setattr(fast_reading, "_CHUNK", 4)
    data = b"ab\r\ncd\r\nef\ngh\r"
    scanned = fast_reading.scan(data)
    assert (scanned.newlines.tolist(), scanned.bare_cr, scanned.lines(data)) == ([3, 7, 10], True, 4)
    assert np.array_equal(fast_reading.scan(data[:-1]).newlines, scanned.newlines)
    assert not fast_reading.scan(data[:-1]).bare_cr


def test_damage_duckdb_gives_up_on_goes_to_the_exact_reader():
    # A bare CR inside quotes, under strict mode: DuckDB raises rather than
    # rejects. The scan is told there is no bare CR, so only the raise can
    # send the file on.
    data = b'event_id,event_date\r\n"a\rb",2024-01-01\n'
    scanning = Future()
    scanning.set_result(fast_reading.ByteScan("", np.array([20, 42]), bare_cr=False))
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

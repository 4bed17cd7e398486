"""A killed import leaves nothing behind; a rerun imports everything.

The import runs in a subprocess through tests/crash_import.py, which stops
it at its commit, after every row was written inside the transaction."""

import signal
import subprocess
import sys

import duckdb
import pytest

from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from events.native import native_csv
from events.synthetic import generate
from tests.conftest import ROOT


@pytest.mark.parametrize("rows", [20_000, 100_000])
def test_sigkill_mid_import_stores_none_of_the_file(tmp_path, rows):
    path = tmp_path / "big.csv"
    path.write_text(native_csv(generate(rows, seed=11, prefix="crash")), encoding="utf-8")
    db = tmp_path / "events.duckdb"
    arguments = ["import", str(path), "--db", str(db), "--json"]
    importing = subprocess.Popen([sys.executable, "-m", "tests.crash_import", *arguments], cwd=ROOT,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Every row is written inside the open transaction when this line comes.
    for line in importing.stderr:
        if "paused before commit" in line:
            break
    importing.send_signal(signal.SIGKILL)
    assert importing.wait(30) == -signal.SIGKILL

    store = DuckDBStore(db)
    assert store.summary(EventQuery()).count == 0
    assert store.batches().empty
    assert _tables(db) == EMPTY_STORE

    rerun = subprocess.run([sys.executable, "-m", "events", *arguments], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert store.summary(EventQuery()).count == rows
    assert _tables(db) == EMPTY_STORE


# The importer's table of checked rows is TEMP: no table of it reaches the file.
EMPTY_STORE = ["accounts", "batches", "edits", "events", "meta", "places", "replaced_events", "sessions",
               "undone_batches"]


def _tables(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return [name for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                                "ORDER BY 1").fetchall()]

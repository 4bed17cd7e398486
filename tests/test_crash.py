"""A killed import leaves nothing behind; a rerun imports everything."""

import os
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


# 100,000 accepted rows: the store keeps the batch's table of checked rows
# (DuckDBStore's default staged_table_from); fewer are copied.
@pytest.mark.parametrize("rows, tables", [(20_000, []), (100_000, ["staged_1", "staged_1_accepted"])])
def test_sigkill_mid_import_stores_none_of_the_file(tmp_path, rows, tables):
    path = tmp_path / "big.csv"
    path.write_text(native_csv(generate(rows, seed=11, prefix="crash")), encoding="utf-8")
    db = tmp_path / "events.duckdb"
    command = [sys.executable, "-m", "events", "import", str(path), "--db", str(db), "--json"]
    importing = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True,
                                 env={**os.environ, "EVENTS_CRASH_TEST": "pause-before-commit"})
    # Every row is written inside the open transaction when this line comes.
    for line in importing.stderr:
        if "paused before commit" in line:
            break
    importing.send_signal(signal.SIGKILL)
    assert importing.wait(30) == -signal.SIGKILL

    store = DuckDBStore(db)
    assert store.summary(EventQuery()).count == 0
    assert store.batches().empty
    assert _staged(db) == []

    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert store.summary(EventQuery()).count == rows
    assert _staged(db) == tables


def _staged(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return [name for (name,) in con.execute("SELECT table_name FROM information_schema.tables "
                                                "WHERE table_name LIKE 'staged%' ORDER BY 1").fetchall()]

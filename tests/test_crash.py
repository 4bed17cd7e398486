"""A killed import leaves nothing behind; a rerun imports everything."""

import os
import signal
import subprocess
import sys

from events.duckdb_store import DuckDBStore
from events.filters import EventQuery
from events.native import native_csv
from events.synthetic import generate
from tests.conftest import ROOT


def test_sigkill_mid_import_stores_none_of_the_file(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text(native_csv(generate(20_000, seed=11, prefix="crash")), encoding="utf-8")
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

    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert store.summary(EventQuery()).count == 20_000

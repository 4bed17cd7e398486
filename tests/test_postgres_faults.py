"""The PostgreSQL store under concurrent writers and an abrupt stop of its
server, on real clusters (tests/postgres.py)."""

from __future__ import annotations

import contextlib
import multiprocessing
from pathlib import Path

import pytest

from events import postgres_store
from events.exc import StoreError
from events.filters import EventQuery
from events.importer import import_path
from events.native import native_csv
from events.postgres_store import PostgresStore
from tests.helpers import make_event

pytestmark = pytest.mark.database
_ROWS = 2_000


def _import(dsn: str, path: str, start) -> None:
    start.wait(60)
    import_path(PostgresStore(dsn), Path(path))


def test_four_processes_importing_at_once_store_every_row_exactly_once(postgres_dsn, tmp_path):
    PostgresStore(postgres_dsn)
    paths = []
    for number in range(4):
        path = tmp_path / f"part{number}.csv"
        path.write_text(native_csv([make_event(number * _ROWS + i) for i in range(_ROWS)]), encoding="utf-8")
        paths.append(path)
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [context.Process(target=_import, args=(postgres_dsn, str(path), start)) for path in paths]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(240)
    assert [worker.exitcode for worker in workers] == [0, 0, 0, 0]
    store = PostgresStore(postgres_dsn)
    ids = [event["event_id"] for event in store.iter_events(EventQuery())]
    assert len(ids) == len(set(ids)) == 4 * _ROWS
    assert sorted(store.batches()["rows"]) == [_ROWS] * 4


def _import_stopped_before_commit(dsn: str, path: str, reached, stopped, outcome) -> None:
    """Import `path`, but wait at the commit until the server is gone."""

    def commit(con) -> None:
        reached.set()
        stopped.wait(60)
        con.commit()

    postgres_store._commit = commit  # the test's hook, installed in this process only
    try:
        import_path(PostgresStore(dsn), Path(path))
        outcome.put("stored")
    except StoreError as err:
        outcome.put(str(err))


def test_an_abrupt_stop_during_an_import_leaves_none_of_the_batch(own_postgres_server, tmp_path):
    cluster = own_postgres_server
    dsn = cluster.createdb()
    store = PostgresStore(dsn)
    store.insert([make_event(0)], postgres_store.Batch("before", "native"))
    path = tmp_path / "big.csv"
    path.write_text(native_csv([make_event(i) for i in range(1, _ROWS + 1)]), encoding="utf-8")
    context = multiprocessing.get_context("spawn")
    reached, stopped, outcome = context.Event(), context.Event(), context.Queue()
    worker = context.Process(target=_import_stopped_before_commit, args=(dsn, str(path), reached, stopped, outcome))
    worker.start()
    try:
        assert reached.wait(120), "the import never reached its commit"
        cluster.stop("immediate")
        stopped.set()
        message = outcome.get(timeout=60)
    finally:
        worker.join(60)
    assert "stopped answering" in message and "Nothing of the unfinished write was stored" in message
    with pytest.raises(StoreError, match="cannot connect to the event store"):
        store.summary(EventQuery())
    cluster.start()
    assert store.summary(EventQuery()).count == 1
    assert list(store.batches()["batch_id"]) == ["before"]


def test_an_abrupt_stop_after_an_import_keeps_all_of_the_batch(own_postgres_server, tmp_path):
    cluster = own_postgres_server
    store = PostgresStore(cluster.createdb())
    path = tmp_path / "big.csv"
    path.write_text(native_csv([make_event(i) for i in range(1, _ROWS + 1)]), encoding="utf-8")
    import_path(store, path)
    cluster.stop("immediate")
    cluster.start()
    assert store.summary(EventQuery()).count == _ROWS


def _import_quietly(dsn: str, path: str) -> None:
    # The server is stopped under it: the test looks at what was stored.
    with contextlib.suppress(StoreError):
        import_path(PostgresStore(dsn), Path(path))


@pytest.mark.parametrize("delay", [0.5, 1.5])
def test_an_abrupt_stop_at_any_moment_of_an_import_leaves_all_or_none(own_postgres_server, tmp_path, delay):
    import time

    cluster = own_postgres_server
    dsn = cluster.createdb()
    store = PostgresStore(dsn)
    rows = 10 * _ROWS
    path = tmp_path / "big.csv"
    path.write_text(native_csv([make_event(i) for i in range(rows)]), encoding="utf-8")
    worker = multiprocessing.get_context("spawn").Process(target=_import_quietly, args=(dsn, str(path)))
    worker.start()
    time.sleep(delay)
    cluster.stop("immediate")
    worker.join(120)
    cluster.start()
    stored = store.summary(EventQuery()).count
    assert stored in (0, rows)
    assert list(store.batches()["rows"]) == ([rows] if stored else [])

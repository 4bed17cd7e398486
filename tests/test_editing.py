"""Edits of stored events on both backends: versions, stale edits refused
and applied again, the edit history, marking reviewed, migrations."""

from __future__ import annotations

import threading

import duckdb
import pytest

from events import postgres_store
from events.coding import edit_stored, mark_reviewed, save_coded
from events.duckdb_store import DuckDBStore
from events.exc import CodedEventError, StaleEditError, ValidationError
from events.filters import EventQuery
from events.store import Batch, Store, Stored, Summary
from tests.helpers import make_event


def _batch(name="b1"):
    return Batch(batch_id=name, origin="native", file_name="t.csv")


def _stored_one(store: Store, **fields) -> Stored:
    store.insert([make_event(1, **fields)], _batch())
    read = store.stored("test:1")
    assert read is not None
    return read


def test_a_stored_event_starts_at_version_1_and_each_edit_adds_one(any_store):
    read = _stored_one(any_store)
    assert read.version == 1
    assert read.event["fatalities"] == 10
    after = any_store.edit_event(read, {"fatalities": 12}, "rana")
    assert (after.version, after.event["fatalities"]) == (2, 12)
    again = any_store.edit_event(after, {"notes": "Two strikes", "fatalities": 14}, "sami")
    assert (again.version, again.event["fatalities"], again.event["notes"]) == (3, 14, "Two strikes")
    assert any_store.summary(EventQuery()) == Summary(1, 14)
    assert again.event["updated_at"] > read.event["updated_at"]
    assert (again.event["batch_id"], again.event["coder"]) == ("b1", None)  # provenance stays the store's


def test_every_edit_is_in_the_history_with_who_made_it(any_store):
    read = _stored_one(any_store)
    after = any_store.edit_event(read, {"fatalities": 12}, "rana")
    any_store.edit_event(after, {"admin2": "Hama", "fatalities": 11}, "sami")
    history = any_store.edits("test:1").astype(object)
    history = history.where(history.notna(), None)
    assert history[["field", "drafted", "saved", "coder", "version"]].values.tolist() == [
        ["fatalities", "10", "12", "rana", 2], ["admin2", None, "Hama", "sami", 3],
        ["fatalities", "12", "11", "sami", 3]]


def test_a_stale_edit_is_refused_says_what_changed_and_keeps_the_changes(any_store):
    read = _stored_one(any_store, notes="Air strike")
    any_store.edit_event(read, {"fatalities": 15, "notes": "Air strikes"}, "rana")
    with pytest.raises(StaleEditError) as refused:
        any_store.edit_event(read, {"fatalities": 12, "location": "Hamah"}, "sami")
    err = refused.value
    # Fields in the schema's order.
    assert str(err) == ("Event test:1 was changed since you opened it (by rana): notes: “Air strike” → "
                        "“Air strikes”; fatalities: 10 → 15. Nothing of yours was saved. "
                        "Your changes: fatalities → 12; location → “Hamah”.")
    assert err.changes == {"fatalities": 12, "location": "Hamah"}
    assert err.changed == {"fatalities": (10, 15), "notes": ("Air strike", "Air strikes")}
    assert err.current is not None and err.current.version == 2
    stored = any_store.stored("test:1")
    assert stored is not None
    assert (stored.version, stored.event["fatalities"], stored.event["location"]) == (2, 15, "Hama")
    assert list(any_store.edits("test:1")["coder"]) == ["rana", "rana"]


def test_a_refused_edit_is_applied_again_on_the_current_version(any_store):
    read = _stored_one(any_store)
    any_store.edit_event(read, {"notes": "Air strikes"}, "rana")
    with pytest.raises(StaleEditError) as refused:
        any_store.edit_event(read, {"fatalities": 12}, "sami")
    assert refused.value.current is not None
    after = any_store.edit_event(refused.value.current, refused.value.changes, "sami")
    assert (after.version, after.event["fatalities"], after.event["notes"]) == (3, 12, "Air strikes")


def test_an_event_replaced_by_an_import_since_it_was_read_is_stale(any_store):
    read = _stored_one(any_store)
    any_store.insert([make_event(1, fatalities=20)], _batch("b2"), replace=["test:1"])
    with pytest.raises(StaleEditError, match=r"\(batch b2 replaced it\): fatalities: 10 → 20\.") as refused:
        any_store.edit_event(read, {"fatalities": 12}, "sami")
    # The replacing row is version 1 too: the batch tells it apart.
    assert refused.value.current is not None and refused.value.current.version == 1


def test_an_edit_is_kept_when_its_import_replaced_it_and_was_undone(any_store):
    read = _stored_one(any_store)
    edited = any_store.edit_event(read, {"fatalities": 12}, "rana")
    any_store.insert([make_event(1, fatalities=20)], _batch("b2"), replace=["test:1"])
    any_store.undo_batch("b2")
    restored = any_store.stored("test:1")
    assert restored is not None
    assert (restored.version, restored.event["fatalities"]) == (2, 12)
    with pytest.raises(StaleEditError):  # read before rana's edit: still stale after the undo
        any_store.edit_event(read, {"notes": "x"}, "sami")
    assert any_store.edit_event(edited, {"notes": "x"}, "rana").version == 3


def test_an_event_gone_since_it_was_read_is_stale_with_no_current(any_store):
    read = _stored_one(any_store)
    any_store.undo_batch("b1")
    with pytest.raises(StaleEditError, match="no longer stored") as refused:
        any_store.edit_event(read, {"fatalities": 12}, "sami")
    assert refused.value.current is None


@pytest.mark.parametrize("changes, message", [
    ({}, "nothing to change"),
    ({"event_id": "test:2"}, "cannot edit event_id"),
    ({"batch_id": "b9", "coder": "x"}, "cannot edit batch_id, coder"),
    ({"fatalities; DROP TABLE events": 1}, "cannot edit fatalities; DROP TABLE events"),
])
def test_an_edit_of_no_field_or_of_the_stores_own_fields_is_refused(any_store, changes, message):
    read = _stored_one(any_store)
    with pytest.raises(ValidationError, match=message):
        any_store.edit_event(read, changes, "rana")
    stored = any_store.stored("test:1")
    assert stored is not None and stored.version == 1


def test_an_edit_failing_at_its_commit_changes_nothing(any_store, monkeypatch):
    from events import duckdb_store

    module = duckdb_store if isinstance(any_store, DuckDBStore) else postgres_store
    read = _stored_one(any_store)

    def failing(con):
        raise OSError("disk full")

    monkeypatch.setattr(module, "_commit", failing)
    with pytest.raises(OSError, match="disk full"):
        any_store.edit_event(read, {"fatalities": 12}, "rana")
    stored = any_store.stored("test:1")
    assert stored is not None and (stored.version, stored.event["fatalities"]) == (1, 10)
    assert any_store.edits("test:1").empty


def test_a_value_the_field_cannot_hold_is_refused(any_store):
    read = _stored_one(any_store)
    with pytest.raises(ValidationError, match="event test:1 was not changed"):
        any_store.edit_event(read, {"fatalities": "many"}, "rana")
    stored = any_store.stored("test:1")
    assert stored is not None and stored.version == 1


def test_edit_stored_validates_and_stores_only_what_differs(any_store):
    read = _stored_one(any_store)
    with pytest.raises(CodedEventError, match="sub_event_type"):
        edit_stored(any_store, read, {**read.event, "sub_event_type": "Armed clash"}, "rana")
    with pytest.raises(ValidationError, match="nothing was changed"):
        edit_stored(any_store, read, dict(read.event), "rana")
    after = edit_stored(any_store, read, {**read.event, "fatalities": 11, "evidence": {}}, "rana")
    assert after.version == 2
    assert list(any_store.edits("test:1")["field"]) == ["fatalities"]


def test_marking_reviewed_is_an_edit_refused_when_stale(any_store):
    draft = make_event(7, status="draft", origin="coded")
    save_coded(any_store, draft, coder="rana")
    read = any_store.stored("test:7")
    assert read is not None
    reviewed = mark_reviewed(any_store, read, "lina")
    assert (reviewed.event["status"], reviewed.version) == ("reviewed", 2)
    with pytest.raises(StaleEditError, match=r"status: “draft” → “reviewed”"):
        mark_reviewed(any_store, read, "omar")
    with pytest.raises(ValidationError, match="reviewed already"):
        mark_reviewed(any_store, reviewed, "omar")
    assert any_store.edits("test:7")[["field", "saved", "coder", "version"]].values.tolist() == [
        ["status", "reviewed", "lina", 2]]


def test_two_threads_editing_one_version_one_wins(any_store):
    read = _stored_one(any_store)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def edit(name: str, fatalities: int) -> None:
        start.wait(10)
        try:
            any_store.edit_event(read, {"fatalities": fatalities}, name)
            outcomes.append("saved")
        except StaleEditError:
            outcomes.append("stale")

    threads = [threading.Thread(target=edit, args=(n, f)) for n, f in (("rana", 12), ("sami", 13))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(outcomes) == ["saved", "stale"]
    stored = any_store.stored("test:1")
    assert stored is not None and stored.version == 2
    assert len(any_store.edits("test:1")) == 1


@pytest.mark.parametrize("write", ["replace", "undo"])
def test_an_edit_while_an_import_replaces_or_an_undo_removes_the_event_is_refused(any_store, monkeypatch, write):
    """The import (or undo) has set the event aside and not committed yet
    when an editor saves the version it read: the edit waits for it, then
    is refused, not said saved and lost (DuckDB sees no conflict between
    one transaction's UPDATE of a row and another's DELETE of it)."""
    from events import duckdb_store

    module = duckdb_store if isinstance(any_store, DuckDBStore) else postgres_store
    read = _stored_one(any_store)
    committing, release = threading.Event(), threading.Event()
    real_commit = module._commit

    def held_commit(con):
        if not committing.is_set():  # the import's (or undo's) commit, held; the edit's goes through
            committing.set()
            release.wait(30)
        real_commit(con)

    monkeypatch.setattr(module, "_commit", held_commit)
    writer = threading.Thread(target=lambda: any_store.insert(
        [make_event(1, fatalities=20)], _batch("b2"), replace=["test:1"]) if write == "replace"
        else any_store.undo_batch("b1"))
    writer.start()
    assert committing.wait(30)
    outcome: list[object] = []

    def edit() -> None:
        try:
            outcome.append(any_store.edit_event(read, {"fatalities": 99}, "rana"))
        except StaleEditError as err:
            outcome.append(err)

    editor = threading.Thread(target=edit)
    editor.start()
    editor.join(1.0)  # waits for the writer (or, unguarded, has "saved" already)
    release.set()
    writer.join(30)
    editor.join(30)
    [refused] = outcome
    assert isinstance(refused, StaleEditError) and refused.changes == {"fatalities": 99}
    assert any_store.edits("test:1").empty
    current = any_store.stored("test:1")
    if write == "replace":
        assert current is not None and (current.event["batch_id"], current.event["fatalities"]) == ("b2", 20)
        any_store.undo_batch("b2")
        restored = any_store.stored("test:1")
        assert restored is not None and (restored.version, restored.event["fatalities"]) == (1, 10)
    else:
        assert current is None and refused.current is None


def _lock_waited_for(dsn: str) -> str:
    """The lock a backend of the database waits for, once one does (the
    server's own view of it, not a guess from the clock)."""
    import time

    import psycopg

    with psycopg.connect(dsn, autocommit=True) as watcher:
        for _ in range(600):
            rows = watcher.execute("SELECT wait_event FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                   " AND datname = current_database()").fetchall()
            if rows:
                return rows[0][0]
            time.sleep(0.05)
    raise AssertionError("no backend waited for a lock within 30 s")


@pytest.mark.database
def test_on_postgresql_an_editor_waiting_for_another_is_refused_once_it_commits(postgres_dsn, monkeypatch):
    """Two connections: the first has updated the row and not committed yet
    when the second edits the same version; the second waits, and once the
    first commits it finds the version gone and is refused."""
    store = postgres_store.PostgresStore(postgres_dsn)
    read = _stored_one(store)
    updated, release = threading.Event(), threading.Event()
    real_commit = postgres_store._commit

    def held_commit(con):
        if threading.current_thread().name == "first":
            updated.set()
            assert release.wait(30)
        real_commit(con)

    monkeypatch.setattr(postgres_store, "_commit", held_commit)
    results: dict[str, object] = {}

    def edit(fatalities: int) -> None:
        try:
            results[threading.current_thread().name] = store.edit_event(read, {"fatalities": fatalities},
                                                                        threading.current_thread().name).version
        except StaleEditError as err:
            results[threading.current_thread().name] = err

    first = threading.Thread(target=edit, args=(12,), name="first")
    second = threading.Thread(target=edit, args=(13,), name="second")
    first.start()
    assert updated.wait(30)
    second.start()
    assert _lock_waited_for(postgres_dsn) == "advisory"  # the second waits for the first's transaction
    release.set()
    first.join(30)
    second.join(30)
    assert results["first"] == 2
    refused = results["second"]
    assert isinstance(refused, StaleEditError)
    assert "(by first): fatalities: 10 → 12" in str(refused)
    stored = store.stored("test:1")
    assert stored is not None and (stored.version, stored.event["fatalities"]) == (2, 12)


@pytest.mark.database
def test_on_postgresql_the_conditional_update_alone_lets_one_of_two_editors_win(postgres_dsn):
    """The edit's statement itself, without the writers' lock: the second
    UPDATE waits for the first one's row lock and, once it commits, finds
    the version gone (PostgreSQL evaluates the condition again on the
    row as committed) and changes nothing."""
    import datetime as dt

    import psycopg

    from events import editing
    from events.filters import POSTGRESQL

    store = postgres_store.PostgresStore(postgres_dsn)
    read = _stored_one(store)
    now = dt.datetime(2026, 5, 1, 12)
    with psycopg.connect(postgres_dsn) as first, psycopg.connect(postgres_dsn) as second:
        assert first.execute(*editing.update_sql(read, {"fatalities": 12}, now, POSTGRESQL)).fetchall() == [(2,)]
        outcome: list[list[tuple]] = []
        waiting = threading.Thread(target=lambda: outcome.append(
            second.execute(*editing.update_sql(read, {"fatalities": 13}, now, POSTGRESQL)).fetchall()))
        waiting.start()
        assert _lock_waited_for(postgres_dsn) == "transactionid"  # blocked on the first editor's row
        assert outcome == []
        first.commit()
        waiting.join(30)
        second.commit()
    assert outcome == [[]]
    stored = store.stored("test:1")
    assert stored is not None and (stored.version, stored.event["fatalities"]) == (2, 12)


def test_a_version_6_duckdb_store_gets_versions(tmp_path):
    path = tmp_path / "v6.duckdb"
    DuckDBStore(path).insert([make_event(1), make_event(2)], _batch())
    with duckdb.connect(str(path)) as con:
        # Version 6's layout: no version columns, no accounts.
        for table in ("events", "replaced_events", "edits"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN version")
        con.execute("DROP TABLE accounts")
        con.execute("DROP TABLE sessions")
        con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    store = DuckDBStore(path)
    read = store.stored("test:2")
    assert read is not None and read.version == 1
    assert store.edit_event(read, {"fatalities": 3}, "rana").version == 2
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("7",)
        assert con.execute("SELECT count(*) FROM accounts").fetchone() == (0,)


@pytest.mark.database
def test_a_version_6_postgresql_store_gets_versions(postgres_dsn):
    import psycopg

    postgres_store.PostgresStore(postgres_dsn).insert([make_event(1)], _batch())
    with psycopg.connect(postgres_dsn) as con:
        for table in ("events", "replaced_events", "edits"):
            con.execute(f"ALTER TABLE {table} DROP COLUMN version")
        con.execute("DROP TABLE accounts")
        con.execute("DROP TABLE sessions")
        con.execute("UPDATE meta SET value = '6' WHERE key = 'schema_version'")
    store = postgres_store.PostgresStore(postgres_dsn)
    read = store.stored("test:1")
    assert read is not None and read.version == 1
    assert store.edit_event(read, {"fatalities": 3}, "rana").version == 2
    with psycopg.connect(postgres_dsn) as con:
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("7",)

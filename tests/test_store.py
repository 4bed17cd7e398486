import datetime as dt
import multiprocessing
import re
import time
from pathlib import Path

import duckdb
import pytest

from events.backends import app_hold
from events.duckdb_store import DuckDBStore, release
from events.exc import ConfigurationError, DuplicateEventError, StoreError, StoreLockedError
from events.filters import EventQuery
from events.importer import import_path
from events.native import native_csv
from events.store import Batch, Summary
from tests.helpers import make_event


def _batch(name="b1"):
    return Batch(batch_id=name, origin="native", file_name="t.csv")


def test_insert_then_summary(store):
    stored = store.insert([make_event(1), make_event(2, fatalities=3, admin1="Idleb")], _batch())
    assert stored == 2
    assert store.summary(EventQuery()) == Summary(2, 13)
    assert store.summary(EventQuery(admin1=("Idleb",))) == Summary(1, 3)
    assert store.summary(EventQuery(admin1=("Aleppo",))) == Summary(0, 0)


def test_round_trip_of_values(store):
    event = make_event(1, notes="عشرات القتلى ' \" ; \r\n =1+1", event_date_end=dt.date(2024, 3, 18),
                       fatalities_low=5, fatalities_high=20, timestamp=1710000000)
    store.insert([event], _batch())
    row = next(store.iter_events(EventQuery()))
    assert {k: row[k] for k in event if k not in ("batch_id", "created_at", "updated_at")} == {
        k: v for k, v in event.items() if k not in ("batch_id", "created_at", "updated_at")
    }
    assert row["batch_id"] == "b1"


def test_a_duplicate_id_stores_nothing_of_the_batch(store):
    store.insert([make_event(1)], _batch("first"))
    with pytest.raises(DuplicateEventError):
        store.insert([make_event(2), make_event(1)], _batch("second"))
    assert store.summary(EventQuery()).count == 1
    assert list(store.batches()["batch_id"]) == ["first"]


def test_points_aggregate_by_place(store):
    store.insert([make_event(1), make_event(2, fatalities=2), make_event(3, location="Saraqib", admin1="Idleb",
                                                                          latitude=35.8645, longitude=36.8059)],
                 _batch())
    points = store.points(EventQuery())
    assert points[["location", "events", "fatalities"]].values.tolist() == [["Hama", 2, 12], ["Saraqib", 1, 10]]


def test_points_of_one_place_spelled_two_ways_are_one_circle_named_by_the_commoner_spelling(store):
    # Hamah and Hama, Dar‘a and Dar'a: the same point, as sources spell it.
    store.insert([make_event(1, location="Hamah"), make_event(2, location="Hamah", fatalities=1),
                  make_event(3, location="Hama", latitude=35.13181, fatalities=2),
                  make_event(4, location="Dar'a", admin1="Dar'a", latitude=32.6189, longitude=36.1021),
                  make_event(5, location="Dar‘a", admin1="Dar'a", latitude=32.6189, longitude=36.1021)],
                 _batch())
    points = store.points(EventQuery())
    assert points[["location", "admin1", "latitude", "longitude", "events", "fatalities"]].values.tolist() == [
        ["Hamah", "Hama", 35.1318, 36.7578, 3, 13], ["Dar'a", "Dar'a", 32.6189, 36.1021, 2, 20]]


def test_timeline_by_month(store):
    store.insert([make_event(1), make_event(2, event_date=dt.date(2024, 3, 1)),
                  make_event(3, event_date=dt.date(2024, 5, 9))], _batch())
    timeline = store.timeline(EventQuery())
    assert [(m[:10], n) for m, n in zip(timeline["period"].astype(str), timeline["events"], strict=True)] == [
        ("2024-03-01", 2), ("2024-05-01", 1)]


def test_distinct_refuses_unknown_columns(store):
    with pytest.raises(ValueError):
        store.distinct("event_id; DROP TABLE events")


def test_schema_version_mismatch_is_refused(tmp_path):
    path = tmp_path / "old.duckdb"
    DuckDBStore(path)
    con = duckdb.connect(str(path))
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema version 99"):
        DuckDBStore(path)


def _hold_lock(path, ready, release):
    con = duckdb.connect(path)
    con.execute("BEGIN TRANSACTION")
    ready.set()
    release.wait(30)
    con.close()


def test_a_second_writer_gets_a_readable_error(tmp_path):
    path = tmp_path / "locked.duckdb"
    store = DuckDBStore(path)
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with pytest.raises(StoreLockedError, match="in use by another program"):
            store.summary(EventQuery())
    finally:
        release.set()
        holder.join(30)


def _summary_elsewhere(path: str) -> str:
    """What another process gets when it asks the store at `path` for a summary."""
    try:
        return f"count {DuckDBStore(Path(path)).summary(EventQuery()).count}"
    except StoreLockedError as err:
        return str(err)


def _asked_while_held(store: DuckDBStore, other) -> str:
    """What the other process gets when it asks right after a call of
    `store`; asked again if a slow machine let the hold run out meanwhile."""
    for _ in range(10):
        store.summary(EventQuery())
        called = time.monotonic()
        answer = other.apply(_summary_elsewhere, (str(store.path),))
        if time.monotonic() - called < store.hold:
            return answer
    raise AssertionError("the other process never answered within the hold")


def test_a_held_file_stays_open_while_in_use_then_lets_others_in(tmp_path):
    path = tmp_path / "held.duckdb"
    DuckDBStore(path).insert([make_event(1)], _batch())
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as other:
        assert other.apply(_summary_elsewhere, (str(path),)) == "count 1"  # started, and the file free
        store = DuckDBStore(path, hold=3.0)
        refused = _asked_while_held(store, other)
        assert "in use by another program" in refused and "the dashboard" in refused
        # Let go once idle for the hold's time: the other process gets in.
        deadline = time.monotonic() + 30
        while (answer := other.apply(_summary_elsewhere, (str(path),))) != "count 1":
            assert time.monotonic() < deadline, answer
            time.sleep(0.5)
        # The next call holds it again, until let go by `release`.
        assert "in use by another program" in _asked_while_held(store, other)
        release(path)
        assert other.apply(_summary_elsewhere, (str(path),)) == "count 1"


@pytest.mark.parametrize("setting, seconds", [(None, 5.0), ("0", 0.0), ("2.5", 2.5), ("60", 60.0)])
def test_the_apps_hold_is_five_seconds_unless_events_hold_says(setting, seconds):
    assert app_hold({} if setting is None else {"EVENTS_HOLD": setting}) == seconds


@pytest.mark.parametrize("setting", ["soon", "-1", "61", "nan", "inf", ""])
def test_an_events_hold_of_no_meaning_is_refused_with_its_value(setting):
    message = f"EVENTS_HOLD must be a number of seconds from 0 to 60, not {setting!r}"
    with pytest.raises(ConfigurationError, match=re.escape(message)):
        app_hold({"EVENTS_HOLD": setting})


def test_an_analysts_place_is_kept_and_moved(store):
    store.save_place("Tell Example", 35.2, 36.6, aliases=["تل المثال", " "], coder="rana")
    store.save_place("Tell Example", 35.25, 36.65, aliases=["تل المثال"], coder="rana")
    [place] = store.learned_places()
    assert {k: place[k] for k in ("name", "aliases", "latitude", "longitude")} == {
        "name": "Tell Example", "aliases": ["تل المثال"], "latitude": 35.25, "longitude": 36.65}
    assert place["source"].startswith("saved by rana on ")
    from events.exc import ValidationError
    with pytest.raises(ValidationError, match="point on Earth"):
        store.save_place("Nowhere", 95.0, 0.0)


@pytest.mark.parametrize("version, dropped", [("2", ["places", "edits"]), ("3", ["edits"]), ("4", [])])
def test_an_older_store_is_brought_up_to_date(tmp_path, version, dropped):
    path = tmp_path / f"v{version}.duckdb"
    DuckDBStore(path).insert([make_event(1)], _batch())
    con = duckdb.connect(str(path))
    # The layout of versions 2 to 4: this one's, less the tables added since.
    for table in dropped:
        con.execute(f"DROP TABLE {table}")
    con.execute("UPDATE meta SET value = $v WHERE key = 'schema_version'", {"v": version})
    con.close()
    DuckDBStore(path).save_place("Tell Example", 35.2, 36.6)
    store = DuckDBStore(path)
    assert store.edits("none").empty
    assert [e["event_id"] for e in store.iter_events(EventQuery())] == ["test:1"]
    csv_path = tmp_path / "more.csv"
    csv_path.write_text(native_csv([make_event(2)]), encoding="utf-8")
    _, batch = import_path(store, csv_path)
    assert sorted(e["event_id"] for e in store.iter_events(EventQuery())) == ["test:1", "test:2"]
    assert store.undo_batch(batch.batch_id) == 1
    assert [e["event_id"] for e in store.iter_events(EventQuery())] == ["test:1"]
    assert duckdb.connect(str(path)).execute("SELECT value FROM meta").fetchone() == ("7",)


def test_a_version_5_store_of_kept_tables_becomes_one_events_table(tmp_path):
    path = tmp_path / "v5.duckdb"
    DuckDBStore(path).insert([make_event(1)], _batch("b1"))
    con = duckdb.connect(str(path))
    # Version 5: `events` a view over `events_base` and, per large import, a
    # kept table of checked rows (working columns, rows not accepted) seen
    # through a view of its accepted rows.
    con.execute("ALTER TABLE events RENAME TO events_base")
    con.execute("CREATE TABLE staged_1 AS SELECT * REPLACE ('test:' || n AS event_id, 'b2' AS batch_id), "
                "CASE WHEN n = 3 THEN 1 END AS _failed FROM events_base, range(2, 5) AS r(n)")
    con.execute("CREATE VIEW staged_1_accepted AS SELECT * EXCLUDE (n, _failed) FROM staged_1 WHERE _failed IS NULL")
    con.execute("CREATE VIEW events AS SELECT * FROM events_base UNION ALL SELECT * FROM staged_1_accepted")
    con.execute("ALTER TABLE batches ADD COLUMN staged_table VARCHAR")
    con.execute("INSERT INTO batches VALUES ('b2', 'acled', 'big.csv', NULL, NULL, TIMESTAMP '2024-06-01', 2, 1, 0,"
                " 'staged_1')")
    con.execute("CREATE SEQUENCE staged_numbers")
    con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    store = DuckDBStore(path)
    assert sorted(e["event_id"] for e in store.iter_events(EventQuery())) == ["test:1", "test:2", "test:4"]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT table_name, table_type FROM information_schema.tables ORDER BY 1").fetchall() == [
            (name, "BASE TABLE") for name in
            ["accounts", "batches", "edits", "events", "meta", "places", "replaced_events", "sessions",
             "undone_batches"]]
        assert con.execute("SELECT count(*) FROM duckdb_sequences()").fetchone() == (0,)
    assert sorted(store.batches()["batch_id"]) == ["b1", "b2"]
    assert store.undo_batch("b2") == 2
    assert [e["event_id"] for e in store.iter_events(EventQuery())] == ["test:1"]


def test_an_id_given_twice_in_one_batch_stores_nothing(store):
    with pytest.raises(DuplicateEventError, match="test:1"):
        store.insert([make_event(1), make_event(2), make_event(1)], _batch("twice"))
    assert store.summary(EventQuery()).count == 0


def test_a_coded_event_keeps_what_the_coder_changed_in_its_draft(store):
    from events.coding import save_coded

    drafted = make_event(7, fatalities=10, admin1="Hama")
    drafted["status"] = "draft"
    saved = {**drafted, "fatalities": 12, "status": "reviewed"}
    save_coded(store, saved, coder="rana", drafted=drafted)
    history = store.edits("test:7")
    assert history[["field", "drafted", "saved", "coder"]].values.tolist() == [
        ["fatalities", "10", "12", "rana"], ["status", "draft", "reviewed", "rana"]]


def test_an_undo_is_recorded_with_who_undid_it(store):
    store.insert([make_event(1), make_event(2)], _batch("b1"))
    assert store.undo_batch("b1", coder="Rana") == 2
    [undone] = store.undone().to_dict(orient="records")
    assert (undone["batch_id"], undone["file_name"], undone["rows"], undone["undone_by"]) == ("b1", "t.csv", 2,
                                                                                             "Rana")
    assert undone["undone_at"] is not None


def test_imports_leave_out_the_demo_load_and_single_coded_events(tmp_path):
    from events.coding import save_coded
    from events.default_data import load_default

    store = DuckDBStore(tmp_path / "events.duckdb")
    load_default(store)
    save_coded(store, make_event(9, origin="coded"))
    store.insert([make_event(1)], _batch("an-import"))
    assert set(store.batches()["origin"]) == {"demo", "coded", "native"}
    assert list(store.imports()["batch_id"]) == ["an-import"]


@pytest.mark.parametrize("changes, found", [
    ({}, True),                                                   # the same event, drafted again
    ({"location": "Kafr Nabudah", "latitude": 35.4, "longitude": 36.5}, True),  # same district (admin2)
    ({"location": "Kafr Nabudah", "admin2": "Al-Suqaylabiyah"}, False),
    ({"event_date": dt.date(2024, 3, 17)}, False),
    ({"event_type": "Battles", "sub_event_type": "Armed clash"}, False),
])
def test_similar_finds_a_stored_event_of_the_same_day_place_and_sub_event_type(store, changes, found):
    store.insert([make_event(1, admin2="Hama"),
                  make_event(2, location="Aleppo", admin1="Aleppo", admin2="Jebel Saman")], _batch())
    draft = make_event(50, **{"admin2": "Hama", **changes})
    similar = store.similar(draft)
    assert [e["event_id"] for e in similar] == (["test:1"] if found else [])


def test_similar_leaves_out_the_event_itself_and_places_left_blank(store):
    store.insert([make_event(1, location=None, admin2=None)], _batch())
    assert store.similar(make_event(1)) == []
    assert store.similar(make_event(2, location=None, admin2=None)) == []


def test_replacing_and_undoing_name_their_columns(store):
    """A store whose tables hold their columns in another order (as one
    grown by migrations may) replaces and restores the same values."""
    old = make_event(1, fatalities=3, timestamp=1)
    store.insert([old], _batch("b1"))
    with duckdb.connect(str(store.path)) as con:
        columns = [name for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'replaced_events' "
            "ORDER BY ordinal_position DESC").fetchall()]
        con.execute(f"CREATE TABLE reversed AS SELECT {', '.join(columns)} FROM replaced_events")
        con.execute("DROP TABLE replaced_events")
        con.execute("ALTER TABLE reversed RENAME TO replaced_events")
    store.insert([make_event(1, fatalities=9, timestamp=2)], _batch("b2"), replace=["test:1"])
    assert store.summary(EventQuery()) == Summary(1, 9)
    assert store.undo_batch("b2") == 1
    [restored] = store.iter_events(EventQuery())
    assert (restored["fatalities"], restored["timestamp"], restored["notes"]) == (3, 1, old["notes"])


def test_many_threads_opening_and_closing_the_store_at_once_all_get_their_answer(tmp_path):
    # Each call opens and closes a connection; DuckDB shuts the file's
    # database down as its last one closes, and a thread opening one
    # meanwhile failed ("Unique file handle conflict"), about one call in
    # ten: the reruns of ten Explore sessions at once failed so.
    import threading

    store = DuckDBStore(tmp_path / "shared.duckdb")
    store.insert([make_event(1)], Batch("b", "native"))
    answers, failures = [], []

    def calls() -> None:
        for _ in range(150):
            try:
                answers.append(store.summary(EventQuery()).count)
            except Exception as err:  # noqa: BLE001 (every failure is the finding)
                failures.append(type(err).__name__)

    threads = [threading.Thread(target=calls) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert answers == [1] * 1200

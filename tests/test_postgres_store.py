"""The store's suite on both backends (`any_store`: DuckDB, then PostgreSQL
on the throwaway cluster of tests/postgres.py), and the two backends
compared on the same events: every read gives identical frames."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from events import duckdb_store, postgres_store
from events.backends import open_store
from events.duckdb_store import DuckDBStore
from events.exc import DuplicateEventError, StoreError, UndoOrderError
from events.filters import EventQuery
from events.importer import import_path
from events.native import native_csv
from events.store import Batch, Store, Summary
from tests.helpers import make_event


def _batch(name="b1", created=None):
    return Batch(batch_id=name, origin="native", file_name="t.csv", created_at=created)


def _events() -> list[dict]:
    """A few events over two governorates, three months and every precision."""
    return [
        make_event(1),
        make_event(2, fatalities=3, admin1="Idleb", admin2="Ariha", location="Saraqib", latitude=35.8645,
                   longitude=36.8059, geo_precision=1, event_date=dt.date(2024, 1, 5)),
        make_event(3, event_type="Battles", sub_event_type="Armed clash", event_date=dt.date(2024, 2, 29),
                   geo_precision=2, notes="غارات جوية على حماة", source="SOHR; SANA"),
        make_event(4, fatalities=0, admin1=None, location=None, event_date=dt.date(2024, 3, 16)),
        make_event(5, location="Hamah", latitude=35.13181, fatalities=1, event_date=dt.date(2024, 3, 20),
                   notes="Shelling near the citadel", actor2="Civilians (Syria)"),
    ]


def test_the_backends_share_one_schema_version():
    assert postgres_store.SCHEMA_VERSION == duckdb_store.SCHEMA_VERSION


def test_insert_then_summary(any_store: Store):
    assert any_store.insert([make_event(1), make_event(2, fatalities=3, admin1="Idleb")], _batch()) == 2
    assert any_store.summary(EventQuery()) == Summary(2, 13)
    assert any_store.summary(EventQuery(admin1=("Idleb",))) == Summary(1, 3)
    assert any_store.summary(EventQuery(admin1=("Aleppo",))) == Summary(0, 0)


def test_round_trip_of_values(any_store: Store):
    event = make_event(1, notes="عشرات القتلى ' \" ; \r\n =1+1, \\N", event_date_end=dt.date(2024, 3, 18),
                       fatalities_low=5, fatalities_high=20, timestamp=1710000000, tags="", latitude=35.123456789)
    any_store.insert([event], _batch())
    row = next(any_store.iter_events(EventQuery()))
    kept = ("batch_id", "created_at", "updated_at")
    assert {k: row[k] for k in event if k not in kept} == {k: v for k, v in event.items() if k not in kept}
    assert row["batch_id"] == "b1"


def test_frame_and_export_are_newest_first_then_by_id(any_store: Store):
    any_store.insert(_events(), _batch())
    assert list(any_store.frame(EventQuery())["event_id"]) == ["test:5", "test:1", "test:4", "test:3", "test:2"]
    assert [e["event_id"] for e in any_store.iter_events(EventQuery(), chunk_size=2)] == [
        "test:5", "test:1", "test:4", "test:3", "test:2"]
    assert list(any_store.frame(EventQuery(), limit=2)["event_id"]) == ["test:5", "test:1"]


def test_a_duplicate_id_stores_nothing_of_the_batch(any_store: Store):
    any_store.insert([make_event(1)], _batch("first"))
    with pytest.raises(DuplicateEventError):
        any_store.insert([make_event(2), make_event(1)], _batch("second"))
    with pytest.raises(DuplicateEventError, match="test:3"):
        any_store.insert([make_event(3), make_event(4), make_event(3)], _batch("twice"))
    assert any_store.summary(EventQuery()).count == 1
    assert list(any_store.batches()["batch_id"]) == ["first"]


def test_replace_then_undo_restores_the_replaced_rows(any_store: Store):
    old = make_event(1, fatalities=3, timestamp=1)
    any_store.insert([old, make_event(2)], _batch("b1", dt.datetime(2024, 6, 1)))
    any_store.insert([make_event(1, fatalities=9, timestamp=2)], _batch("b2", dt.datetime(2024, 6, 2)),
                     replace=["test:1"])
    assert any_store.summary(EventQuery()) == Summary(2, 19)
    assert any_store.undo_batch("b2", coder="Rana") == 1
    restored = any_store.event("test:1")
    assert restored is not None
    assert (restored["fatalities"], restored["timestamp"], restored["batch_id"]) == (3, 1, "b1")
    assert any_store.summary(EventQuery()) == Summary(2, 13)
    [undone] = any_store.undone().to_dict(orient="records")
    assert (undone["batch_id"], undone["rows"], undone["undone_by"]) == ("b2", 1, "Rana")


def test_an_undo_out_of_order_is_refused_naming_the_later_batch(any_store: Store):
    any_store.insert([make_event(1, timestamp=1)], _batch("b1", dt.datetime(2024, 6, 1)))
    any_store.insert([make_event(1, timestamp=2)], _batch("b2", dt.datetime(2024, 6, 2)), replace=["test:1"])
    with pytest.raises(UndoOrderError, match="Undo first b2") as refused:
        any_store.undo_batch("b1")
    assert refused.value.first == ["b2"]
    assert any_store.summary(EventQuery()).count == 1
    with pytest.raises(StoreError, match="no batch"):
        any_store.undo_batch("nope")
    assert any_store.undo_batch("b2") == 1
    assert any_store.undo_batch("b1") == 1
    assert any_store.summary(EventQuery()).count == 0


def test_a_coded_event_keeps_what_the_coder_changed_in_its_draft(any_store: Store):
    from events.coding import save_coded

    drafted = make_event(7, fatalities=10, admin1="Hama")
    drafted["status"] = "draft"
    save_coded(any_store, {**drafted, "fatalities": 12, "status": "reviewed"}, coder="rana", drafted=drafted)
    assert any_store.edits("test:7")[["field", "drafted", "saved", "coder"]].values.tolist() == [
        ["fatalities", "10", "12", "rana"], ["status", "draft", "reviewed", "rana"]]


def test_learned_places_are_the_analysts_then_the_coders(any_store: Store):
    any_store.save_place("Tell Example", 35.2, 36.6, aliases=["تل المثال", " "], coder="rana")
    any_store.save_place("Tell Example", 35.25, 36.65, aliases=["تل المثال"], coder="rana")
    any_store.insert(_events(), _batch())
    own, learned = any_store.learned_places()
    assert {k: own[k] for k in ("name", "aliases", "latitude", "longitude")} == {
        "name": "Tell Example", "aliases": ["تل المثال"], "latitude": 35.25, "longitude": 36.65}
    assert own["source"].startswith("saved by rana on ")
    assert (learned["name"], learned["source"]) == ("Saraqib",
                                                    "learned from native event test:2 (batch b1; 1 event(s))")


def test_similar_and_distinct_and_date_span(any_store: Store):
    assert any_store.date_span() is None
    any_store.insert(_events(), _batch())
    assert [e["event_id"] for e in any_store.similar(make_event(50))] == ["test:1"]
    assert any_store.distinct("admin1") == ["Hama", "Idleb"]
    assert any_store.date_span() == (dt.date(2024, 1, 5), dt.date(2024, 3, 20))
    with pytest.raises(ValueError):
        any_store.distinct("event_id; DROP TABLE events")


def test_stored_timestamps(any_store: Store):
    any_store.insert([make_event(1, timestamp=7), make_event(2)], _batch())
    found = any_store.stored_timestamps(pa.array(["test:1", "test:2", "test:3"]))
    assert sorted(found.to_pylist(), key=lambda r: r["event_id"]) == [
        {"event_id": "test:1", "timestamp": 7}, {"event_id": "test:2", "timestamp": None}]


def test_import_path_checks_and_stores_a_file_as_one_batch(any_store: Store, tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(native_csv(_events()), encoding="utf-8")
    result, batch = import_path(any_store, path, coder="rana")
    assert any_store.summary(EventQuery()) == Summary(5, 24)
    assert list(any_store.imports()["batch_id"]) == [batch.batch_id]
    assert any_store.undo_batch(batch.batch_id) == 5
    assert any_store.summary(EventQuery()).count == 0


QUERIES = [EventQuery(), EventQuery(admin1=("Hama",)), EventQuery(date_from=dt.date(2024, 2, 1), min_fatalities=1),
           EventQuery(text="citadel"), EventQuery(text="غارة"), EventQuery(text="حماه"), EventQuery(source="sana"),
           EventQuery(event_type=("Battles", "Explosions/Remote violence"), geo_precision=(2, 3))]


@pytest.fixture
def both(tmp_path, postgres_dsn) -> tuple[DuckDBStore, postgres_store.PostgresStore]:
    """The same events in a DuckDB store and a PostgreSQL one."""
    pair = DuckDBStore(tmp_path / "events.duckdb"), postgres_store.PostgresStore(postgres_dsn)
    for store in pair:
        store.insert(_events(), _batch("b1", dt.datetime(2024, 6, 1)))
        store.save_place("Tell Example", 35.2, 36.6, coder="rana")
    return pair


@pytest.mark.database
@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_both_backends_answer_every_read_alike(both, query):
    duck, pg = both
    assert pg.summary(query) == duck.summary(query)
    assert pg.summary(query).count > 0
    frames = {
        "frame": lambda s: s.frame(query), "points": lambda s: s.points(query),
        "timeline": lambda s: s.timeline(query, "month"), "weeks": lambda s: s.timeline(query, "week"),
        "page": lambda s: s.page(query, 0, 3, "fatalities", False),
        "columns": lambda s: s.page(query, 1, 3, "fatalities", False, ("notes", "location")),
        "grid": lambda s: s.grid(query, 0.1),
        "regions": lambda s: s.regions(query, "admin2"), "areas": lambda s: s.areas(query),
        "compare": lambda s: s.compare(query, (dt.date(2024, 1, 1), dt.date(2024, 2, 1)),
                                       (dt.date(2024, 2, 2), dt.date(2024, 3, 31))),
        "map": lambda s: s.map_events(query, 100),
        "batches": lambda s: s.batches(),
    }
    for name, read in frames.items():
        pd.testing.assert_frame_equal(read(pg), read(duck), obj=name)
    assert list(pg.iter_events(query)) == list(duck.iter_events(query))
    assert pg.map_events(query, 0) is duck.map_events(query, 0) or pg.summary(query).count == 0
    for options in ({}, {"map_limit": 1, "sort": "location", "descending": False, "unit": "week", "level": "admin2"},
                    {"columns": ("fatalities", "notes")}):
        view_pg, view_duck = pg.view(query, **options), duck.view(query, **options)
        assert view_pg.summary == view_duck.summary
        for part in ("page", "timeline", "grid", "regions"):
            pd.testing.assert_frame_equal(getattr(view_pg, part), getattr(view_duck, part), obj=part)
        if view_duck.map_events is None:
            assert view_pg.map_events is None
        else:
            pd.testing.assert_frame_equal(view_pg.map_events, view_duck.map_events, obj="map_events")


@pytest.mark.database
def test_both_backends_answer_the_other_reads_alike(both):
    duck, pg = both
    assert pg.event("test:3") == duck.event("test:3")
    assert pg.event("nope") is duck.event("nope") is None
    assert pg.learned_places() == duck.learned_places()
    assert pg.similar(make_event(50)) == duck.similar(make_event(50))
    for column in ("admin1", "event_type", "location"):
        assert pg.distinct(column) == duck.distinct(column)
    assert pg.date_span() == duck.date_span()


@pytest.mark.database
def test_open_store_picks_postgresql_by_dsn_or_events_dsn(postgres_dsn, monkeypatch):
    assert isinstance(open_store(dsn=postgres_dsn), postgres_store.PostgresStore)
    monkeypatch.setenv("EVENTS_DSN", postgres_dsn)
    assert isinstance(open_store(), postgres_store.PostgresStore)
    with pytest.raises(StoreError, match="must name a PostgreSQL server"):
        open_store(dsn="events.duckdb")


def test_a_server_that_is_not_there_is_named_in_the_error():
    with pytest.raises(StoreError, match=r"127\.0\.0\.1 port 9.*Check that the PostgreSQL server is running"):
        postgres_store.PostgresStore("postgresql://nobody:secret@127.0.0.1:9/events")
    try:
        postgres_store.PostgresStore("postgresql://nobody:secret@127.0.0.1:9/events")
    except StoreError as err:
        assert "secret" not in str(err)


def test_a_newer_import_replaces_and_its_undo_restores(any_store: Store, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(native_csv([make_event(1, timestamp=1, fatalities=3), make_event(2, timestamp=1)]),
                     encoding="utf-8")
    second.write_text(native_csv([make_event(1, timestamp=2, fatalities=9), make_event(2, timestamp=1),
                                  make_event(3)]), encoding="utf-8")
    import_path(any_store, first)
    result, batch = import_path(any_store, second)
    assert (result.replaced_ids, len(result.skipped)) == (["test:1"], 1)
    assert any_store.summary(EventQuery()) == Summary(3, 29)
    assert any_store.undo_batch(batch.batch_id) == 2
    assert any_store.summary(EventQuery()) == Summary(2, 13)


@pytest.mark.database
def test_both_backends_have_the_same_tables_and_columns(tmp_path, postgres_dsn):
    import duckdb
    import psycopg

    DuckDBStore(tmp_path / "events.duckdb")
    postgres_store.PostgresStore(postgres_dsn)
    listing = ("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = {schema}"
               " ORDER BY table_name, ordinal_position")
    with duckdb.connect(str(tmp_path / "events.duckdb")) as con:
        duck = con.execute(listing.format(schema="'main'")).fetchall()
    with psycopg.connect(postgres_dsn) as con:
        pg = con.execute(listing.format(schema="'public'")).fetchall()
    assert pg == duck
    assert {table for table, _ in pg} == {"accounts", "batches", "edits", "events", "meta", "places",
                                          "replaced_events", "sessions", "undone_batches"}


@pytest.mark.database
def test_opening_waits_for_no_writer_and_refuses_another_schema_version(postgres_dsn):
    import psycopg

    store = postgres_store.PostgresStore(postgres_dsn)
    store.insert([make_event(1)], _batch())
    with psycopg.connect(postgres_dsn, autocommit=True) as writer:
        writer.execute("SELECT pg_advisory_lock(%s)", (postgres_store._WRITE_LOCK,))  # as an import holds it
        assert postgres_store.PostgresStore(postgres_dsn).summary(EventQuery()).count == 1
        writer.execute("SELECT pg_advisory_unlock_all()")
        writer.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version 99, this program reads 7"):
        postgres_store.PostgresStore(postgres_dsn)


def test_a_batch_failing_after_setting_rows_aside_changes_nothing(any_store: Store):
    any_store.insert([make_event(1, fatalities=3)], _batch("b1"))
    with pytest.raises(DuplicateEventError, match="test:2"):
        any_store.insert([make_event(1, fatalities=9), make_event(2), make_event(2)], _batch("b2"),
                         replace=["test:1"])
    assert any_store.summary(EventQuery()) == Summary(1, 3)
    assert list(any_store.batches()["batch_id"]) == ["b1"]
    assert any_store.undo_batch("b1") == 1  # nothing of b2 stands, nor any row it set aside

"""The store's explore queries on small hand-made stores: exact values."""

import datetime as dt
import json
import random

import duckdb
import pandas as pd
import pytest

from events.__main__ import main
from events.exc import QueryError
from events.explore import MAP_COLUMNS, NOTES_EXCERPT, page_cutoff, roll_up, timeline_unit
from events.filters import EventQuery
from events.schema import FIELD_NAMES
from events.store import Batch
from tests.helpers import make_event

D = dt.date


def _events():
    """Eight events in two governorates, three districts, three precisions."""
    return [
        make_event(1, event_date=D(2024, 1, 5), fatalities=0, geo_precision=1, admin2="Hama", location="Hama",
                   event_type="Protests", sub_event_type="Peaceful protest", actor1="Protesters (Syria)",
                   notes="Protest in the square", source="SOHR"),
        make_event(2, event_date=D(2024, 1, 20), fatalities=3, geo_precision=1, admin2="Hama",
                   latitude=35.01, longitude=36.71, notes="غارات جوية على حماة", source="SANA; SOHR"),
        make_event(3, event_date=D(2024, 2, 3), fatalities=7, geo_precision=2, admin2="Masyaf", location="Masyaf",
                   latitude=35.0653, longitude=36.3421, actor2="Hayat Tahrir al-Sham", notes="غارةٌ جوّية قرب مصياف"),
        make_event(4, event_date=D(2024, 2, 3), fatalities=12, geo_precision=3, admin2=None, notes="Hama countryside",
                   event_type="Battles", sub_event_type="Armed clash", actor1="Hayat Tahrir al-Sham",
                   actor2="Military Forces of Syria"),
        make_event(5, event_date=D(2024, 3, 1), fatalities=1, geo_precision=1, admin1="Idleb", admin2="Idleb",
                   location="Saraqib", latitude=35.8645, longitude=36.8059, notes="قصف على ريف حماه",
                   origin="acled", status="draft"),
        make_event(6, event_date=D(2024, 3, 2), fatalities=2, geo_precision=3, admin1="Idleb", admin2="Ariha",
                   location="Ariha", notes="Shelling near Ariha", source="Step News"),
        # No coordinates, no admin2: counted by the regions, in a row whose area is None.
        make_event(7, event_date=D(2024, 3, 9), fatalities=4, geo_precision=1, latitude=None, longitude=None,
                   admin2=None, notes="مقاتلين في المدينة"),
        make_event(8, event_date=D(2024, 4, 30), fatalities=5, geo_precision=2, admin1=None, admin2=None,
                   location=None, latitude=36.2, longitude=37.15, notes="Clashes"),
    ]


@pytest.fixture
def filled(store):
    store.insert(_events(), Batch("b", "native"))
    return store


def _ids(frame):
    return sorted(int(i.split(":")[1]) for i in frame["event_id"])


def test_page_has_every_column_and_sorts_with_ties_by_event_id(filled):
    page = filled.page(EventQuery(), limit=3)
    assert list(page.columns) == list(FIELD_NAMES)
    assert list(page["event_id"]) == ["test:8", "test:7", "test:6"]
    by_fatalities = filled.page(EventQuery(), sort="fatalities", descending=False, limit=8)
    assert list(by_fatalities["fatalities"]) == [0, 1, 2, 3, 4, 5, 7, 12]
    same_day = filled.page(EventQuery(date_from=D(2024, 2, 3), date_to=D(2024, 2, 3)))
    assert list(same_day["event_id"]) == ["test:3", "test:4"]


@pytest.mark.parametrize("size", [1, 3, 5, 8, 20])
def test_pages_cover_every_row_exactly_once(filled, size):
    seen = []
    for offset in range(0, 8, size):
        seen += list(filled.page(EventQuery(), offset=offset, limit=size, sort="admin1")["event_id"])
    assert sorted(seen) == sorted(f"test:{n}" for n in range(1, 9))


@pytest.mark.parametrize("query", [EventQuery(admin1=("Hama",)), EventQuery(text="غارة")])
def test_a_page_of_some_columns_holds_them_after_event_id(filled, query):
    whole = filled.page(query, 0, 3, "fatalities", True)
    part = filled.page(query, 0, 3, "fatalities", True, ("notes", "event_id", "location"))
    assert list(part.columns) == ["event_id", "notes", "location"]
    pd.testing.assert_frame_equal(part, whole[["event_id", "notes", "location"]])
    view = filled.view(query, limit=3, sort="fatalities", columns=("notes", "location"))
    pd.testing.assert_frame_equal(view.page, part)
    with pytest.raises(QueryError, match="'rowid' is not a schema field to show"):
        filled.page(query, columns=("rowid",))


def test_page_refuses_a_sort_that_is_not_a_schema_field(filled):
    with pytest.raises(QueryError):
        filled.page(EventQuery(), sort="event_date; DROP TABLE events")


def test_one_event(filled):
    event = filled.event("test:3")
    assert event is not None and set(event) == set(FIELD_NAMES)
    assert event["location"] == "Masyaf" and event["fatalities"] == 7
    assert filled.event("test:99") is None


def test_timeline_stacked_by_type(filled):
    timeline = filled.timeline(EventQuery(), unit="month")
    rows = [(str(p)[:10], t, e, f) for p, t, e, f in timeline.itertuples(index=False)]
    assert list(timeline.columns) == ["period", "event_type", "events", "fatalities"]
    assert rows == [("2024-01-01", "Explosions/Remote violence", 1, 3), ("2024-01-01", "Protests", 1, 0),
                    ("2024-02-01", "Battles", 1, 12), ("2024-02-01", "Explosions/Remote violence", 1, 7),
                    ("2024-03-01", "Explosions/Remote violence", 3, 7),
                    ("2024-04-01", "Explosions/Remote violence", 1, 5)]
    weeks = filled.timeline(EventQuery(admin1=("Hama",), date_to=D(2024, 1, 31)), unit="week")
    assert [str(p)[:10] for p in weeks["period"]] == ["2024-01-01", "2024-01-15"]  # Mondays
    with pytest.raises(QueryError):
        filled.timeline(EventQuery(), unit="year")


@pytest.mark.parametrize("first, last, unit", [
    (D(2024, 1, 1), D(2024, 1, 1), "day"), (D(2024, 1, 1), D(2024, 4, 1), "day"),
    (D(2024, 1, 1), D(2024, 4, 3), "week"), (D(2023, 1, 1), D(2024, 12, 31), "week"),
    (D(2022, 1, 1), D(2024, 12, 31), "month"),
])
def test_timeline_unit_by_span(first, last, unit):
    assert timeline_unit(first, last) == unit


def test_map_events_below_the_limit_and_none_above(filled):
    points = filled.map_events(EventQuery(admin1=("Hama",)), limit=10)
    assert points is not None and list(points.columns) == list(MAP_COLUMNS)
    assert _ids(points) == [1, 2, 3, 4]  # event 7 has no point
    assert filled.map_events(EventQuery(), limit=7) is None
    assert filled.map_events(EventQuery(), limit=8) is not None


def test_the_map_carries_the_start_of_long_notes_only(store):
    long = "غارة جوية على ريف حماة. " * 10  # 240 characters
    store.insert([make_event(1, notes=long, geo_precision=1), make_event(2, notes="x" * NOTES_EXCERPT, geo_precision=1),
                  make_event(3, notes=None, geo_precision=1)], Batch("b", "native"))
    expected = {"test:1": long[:NOTES_EXCERPT - 1] + "…", "test:2": "x" * NOTES_EXCERPT, "test:3": ""}
    # Each way the store reads the map: alone, in a view, in a view of a text search.
    for points in (store.map_events(EventQuery(), 10), store.view(EventQuery()).map_events,
                   store.view(EventQuery(text="Military")).map_events):
        assert points is not None and dict(zip(points["event_id"], points["notes"].fillna(""), strict=True)) == expected


def test_grid_bins_precise_events_in_cells(filled):
    grid = filled.grid(EventQuery(), cell_degrees=0.5)
    cells = {(round(lat, 2), round(lon, 2)): (e, f) for lat, lon, e, f in grid.itertuples(index=False)}
    # Events 1 and 2 (Hama) share a cell; 3 (Masyaf), 5 (Saraqib) and 8 have their own; 4 and 6 are
    # region-precision events and 7 has no point: the regions count those.
    assert cells == {(35.25, 36.75): (2, 3), (35.25, 36.25): (1, 7), (35.75, 36.75): (1, 1), (36.25, 37.25): (1, 5)}
    assert list(grid.columns) == ["latitude", "longitude", "events", "fatalities"]


def test_regions_count_what_the_grid_does_not_draw(filled):
    regions = filled.regions(EventQuery(), level="admin1")
    assert [tuple(r) for r in regions.itertuples(index=False)] == [("Hama", "Hama", 2, 16), ("Idleb", "Idleb", 1, 2)]
    districts = filled.regions(EventQuery(), level="admin2")
    assert [tuple(r) for r in districts.fillna("-").itertuples(index=False)] == [
        ("-", "Hama", 2, 16), ("Ariha", "Idleb", 1, 2)]


@pytest.mark.parametrize("query", [
    EventQuery(), EventQuery(admin1=("Hama",)), EventQuery(geo_precision=(3,)), EventQuery(text="غارة"),
    EventQuery(min_fatalities=4), EventQuery(admin2=("Hama", "Ariha")),
])
@pytest.mark.parametrize("level", ["admin1", "admin2"])
def test_grid_and_regions_add_up_to_the_count(filled, query, level):
    grid, regions = filled.grid(query, 0.1), filled.regions(query, level)
    assert int(grid["events"].sum()) + int(regions["events"].sum()) == filled.summary(query).count
    assert (int(grid["fatalities"].sum()) + int(regions["fatalities"].sum())
            == filled.summary(query).fatalities)


def test_areas_count_every_event(filled):
    areas = filled.areas(EventQuery(), level="admin1")
    assert [tuple(r) for r in areas.fillna("-").itertuples(index=False)] == [
        ("Hama", "Hama", 5, 26), ("Idleb", "Idleb", 2, 3), ("-", "-", 1, 5)]
    with pytest.raises(QueryError):
        filled.areas(EventQuery(), level="admin3; DROP TABLE events")


def test_compare_two_periods(filled):
    compared = filled.compare(EventQuery(date_from=D(2030, 1, 1)), (D(2024, 1, 1), D(2024, 1, 31)),
                              (D(2024, 3, 1), D(2024, 3, 31)), level="admin1")
    assert list(compared.columns) == ["area", "admin1", "first_events", "second_events", "change",
                                      "first_fatalities", "second_fatalities"]
    assert [tuple(r) for r in compared.itertuples(index=False)] == [
        ("Idleb", "Idleb", 0, 2, 2, 0, 3), ("Hama", "Hama", 2, 1, -1, 3, 4)]


@pytest.mark.parametrize("query", [EventQuery(admin1=("Hama",)), EventQuery(admin1=("Hama",), text="غارة"),
                                   EventQuery(text="a"), EventQuery(text="nothing like it")])
@pytest.mark.parametrize("sort, descending, unit", [("event_date", True, "week"), ("event_date", False, "month"),
                                                    ("fatalities", True, "day"), ("notes", False, "month")])
@pytest.mark.parametrize("limit", [1, 3])
def test_view_answers_as_the_methods_do(filled, query, sort, descending, unit, limit):
    view = filled.view(query, limit=limit, sort=sort, descending=descending, map_limit=3, cell_degrees=0.5,
                       level="admin2", unit=unit)
    assert view.summary == filled.summary(query)
    assert view.page.equals(filled.page(query, limit=limit, sort=sort, descending=descending))
    assert view.timeline.equals(filled.timeline(query, unit=unit))
    assert view.grid.equals(filled.grid(query, 0.5)) and view.regions.equals(filled.regions(query, "admin2"))
    count = view.summary.count
    assert (view.map_events is None) == (count > 3)
    points = filled.view(query, map_limit=count).map_events
    assert points is not None and points.equals(filled.map_events(query, count))


@pytest.mark.parametrize("query, expected", [
    (EventQuery(), [1, 2, 3, 4, 5, 6, 7, 8]),
    (EventQuery(date_from=D(2024, 3, 1)), [5, 6, 7, 8]),
    (EventQuery(date_to=D(2024, 2, 3)), [1, 2, 3, 4]),  # both ends inclusive
    (EventQuery(event_type=("Protests", "Battles")), [1, 4]),
    (EventQuery(sub_event_type=("Armed clash",)), [4]),
    (EventQuery(actor=("Hayat Tahrir al-Sham",)), [3, 4]),  # actor2 of 3, actor1 of 4
    (EventQuery(actor=("Protesters (Syria)", "Nobody")), [1]),
    (EventQuery(admin1=("Idleb",)), [5, 6]),
    (EventQuery(admin2=("Masyaf", "Ariha")), [3, 6]),
    (EventQuery(min_fatalities=5), [3, 4, 8]),
    (EventQuery(max_fatalities=2), [1, 5, 6]),
    (EventQuery(min_fatalities=2, max_fatalities=4), [2, 6, 7]),
    (EventQuery(geo_precision=(3,)), [4, 6]),
    (EventQuery(geo_precision=(1, 2)), [1, 2, 3, 5, 7, 8]),
    (EventQuery(source="sohr"), [1, 2]),  # case-insensitive, anywhere in "SANA; SOHR"
    (EventQuery(source="Step"), [6]),
    (EventQuery(origin=("acled",)), [5]),
    (EventQuery(status="draft"), [5]),
    (EventQuery(status="reviewed"), [1, 2, 3, 4, 6, 7, 8]),
    # Latin text: a case-insensitive substring of notes, location, actors or source.
    (EventQuery(text="hama"), [1, 2, 4, 7]),
    (EventQuery(text="CLASH"), [8]),
    (EventQuery(text="Tahrir"), [3, 4]),
    (EventQuery(text="50%_"), []),
    # Arabic text: folded and stemmed on both sides.
    (EventQuery(text="حماة"), [2, 5]),  # حماة and حماه
    (EventQuery(text="حماه"), [2, 5]),
    (EventQuery(text="غارة"), [2, 3]),  # غارات, and غارةٌ with its tanween
    (EventQuery(text="غارات"), [2, 3]),
    (EventQuery(text="غارة جوية"), [2, 3]),  # جوّية with its shadda
    (EventQuery(text="جَوِّيَّة"), [2, 3]),  # diacritics in the search
    (EventQuery(text="مقاتلون"), [7]),  # مقاتلين
    (EventQuery(text="ريف حماة"), [5]),
    (EventQuery(text="ريف حمص"), []),
    (EventQuery(text="مـصـيـاف"), [3]),  # tatweel
    # Combined: every filter applies.
    (EventQuery(admin1=("Hama",), geo_precision=(1,), text="غارة"), [2]),
    (EventQuery(admin1=("Hama",), date_from=D(2024, 2, 1), max_fatalities=10), [3, 7]),
    (EventQuery(actor=("Military Forces of Syria",), event_type=("Battles",), min_fatalities=10), [4]),
    (EventQuery(admin2=("Hama", "Idleb"), source="SOHR", text="حماة"), [2]),
    (EventQuery(sub_event_type=("Air/drone strike",), origin=("native",), status="reviewed",
                geo_precision=(1, 2), date_to=D(2024, 3, 31)), [2, 3, 7]),
])
def test_every_filter_alone_and_combined(filled, query, expected):
    assert filled.summary(query).count == len(expected)
    assert _ids(filled.page(query, limit=20)) == expected
    assert EventQuery.from_params(query.to_params()) == query


def test_a_query_reads_the_same_from_the_command_line(filled, capsys):
    query = EventQuery(date_from=D(2024, 1, 1), sub_event_type=("Air/drone strike",),
                       actor=("Military Forces of Syria",), admin2=("Hama", "Masyaf"), max_fatalities=10,
                       geo_precision=(1, 2), source="SOHR", text="غارة")
    flags = []
    for key, values in query.to_params().items():
        for value in values:
            flags += ["--" + key.replace("_", "-"), value]
    assert main(["query", "--db", str(filled.path), *flags, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"count": 1, "fatalities": 3}
    assert filled.summary(query).count == 1


def test_view_of_an_empty_store(store):
    view = store.view(EventQuery(), unit="week")
    assert view.summary.count == 0 and view.page.empty and view.timeline.empty
    assert view.map_events is not None and view.map_events.empty
    assert view.grid.empty and view.regions.empty
    assert store.compare(EventQuery(), (D(2024, 1, 1), D(2024, 1, 31)), (D(2024, 2, 1), D(2024, 2, 29))).empty


@pytest.mark.parametrize("unit", ["day", "week", "month"])
def test_an_event_without_a_date_is_counted_and_paged_last(store, unit):
    store.insert([*_events(), make_event(9, event_date=None, fatalities=6)], Batch("b", "native"))
    view = store.view(EventQuery(), limit=9, unit=unit, map_limit=0)
    assert view.summary == store.summary(EventQuery()) and view.summary.count == 9
    assert view.timeline.equals(store.timeline(EventQuery(), unit))
    assert view.timeline["period"].isna().sum() == 1  # its own row, last
    assert list(view.page["event_id"])[-1] == "test:9"
    assert view.page.equals(store.page(EventQuery(), limit=9))
    assert int(view.grid["events"].sum()) + int(view.regions["events"].sum()) == 9


@pytest.mark.parametrize("dots, characters", [(1, 160), (625, 160), (1_000, 100), (2_500, 40), (10_000, 40)])
def test_the_tooltips_notes_shorten_as_the_dots_grow(dots, characters):
    import explore_map

    assert explore_map.notes_length(dots) == characters


def test_a_timeline_rolled_up_from_days_is_the_timeline_of_the_unit():
    """roll_up and page_cutoff (numpy) against DuckDB's own grouping, on
    random days, types and gaps, NULL dates and types among them."""
    con = duckdb.connect()
    rng = random.Random(7)
    per = ("SELECT CAST(date_trunc('{unit}', event_date) AS DATE) AS period, event_type, count(*) AS events,"
           " CAST(coalesce(sum(fatalities), 0) AS BIGINT) AS fatalities FROM e GROUP BY 1, 2 ORDER BY 1, 2")
    for _ in range(120):
        rows = [(None if rng.random() < 0.1 else dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 800)),
                 None if rng.random() < 0.1 else rng.choice(["Battles", "Protests", "Riots"]), rng.randint(0, 5))
                for _ in range(rng.randint(0, 40))]
        con.execute("CREATE OR REPLACE TABLE e (event_date DATE, event_type VARCHAR, fatalities BIGINT)")
        if rows:
            con.executemany("INSERT INTO e VALUES (?, ?, ?)", rows)
        daily = con.execute(per.format(unit="day")).df()
        for unit in ("week", "month"):
            assert roll_up(daily, unit).equals(con.execute(per.format(unit=unit)).df())
        dated = sorted((d for d, _, _ in rows if d is not None), reverse=True)
        for limit in (1, 5, 30):
            # The first `limit` events newest first all fall on or after the cutoff; None when fewer are dated.
            expected = dated[limit - 1] if len(dated) >= limit else None
            assert page_cutoff(daily, limit, descending=True) == expected
            ascending = sorted(dated)
            assert page_cutoff(daily, limit, descending=False) == (
                ascending[limit - 1] if len(ascending) >= limit else None)

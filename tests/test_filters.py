import datetime as dt

import pytest

from events.filters import DUCKDB, POSTGRESQL, EventQuery


def test_no_filter_selects_everything():
    assert EventQuery().where(DUCKDB) == ("TRUE", {})
    assert EventQuery().sentences() == []


@pytest.mark.parametrize(
    "query, sql, params, sentence",
    [
        (EventQuery(date_from=dt.date(2024, 1, 1)), "event_date >= $date_from",
         {"date_from": dt.date(2024, 1, 1)}, "on or after 2024-01-01"),
        (EventQuery(admin1=("Hama", "Idleb")), "admin1 = ANY($admin1)",
         {"admin1": ["Hama", "Idleb"]}, "governorate is Hama, Idleb"),
        (EventQuery(min_fatalities=5), "fatalities >= $min_fatalities", {"min_fatalities": 5},
         "at least 5 fatalities"),
        (EventQuery(status="draft"), "status = $status", {"status": "draft"}, "status is draft"),
    ],
)
def test_one_filter(query, sql, params, sentence):
    assert query.where(DUCKDB) == (sql, params)
    assert query.sentences() == [sentence]


def test_text_is_a_bound_escaped_pattern():
    where, params = EventQuery(text="50%_off' OR 1=1 --").where(DUCKDB)
    assert "50%" not in where and "OR 1=1" not in where
    assert params == {"text": "%50\\%\\_off' or 1=1 --%"}


def test_each_dialect_names_the_same_parameters_its_own_way():
    query = EventQuery(date_from=dt.date(2024, 1, 1), admin1=("Hama",), text="air")
    duckdb_sql, duckdb_params = query.where(DUCKDB)
    postgresql_sql, postgresql_params = query.where(POSTGRESQL)
    assert duckdb_params == postgresql_params
    assert duckdb_sql.startswith("event_date >= $date_from AND admin1 = ANY($admin1) AND (lower(translate(notes, ")
    assert duckdb_sql.count("LIKE $text ESCAPE") == 7
    assert postgresql_sql == duckdb_sql.replace("$date_from", "%(date_from)s").replace(
        "$admin1", "%(admin1)s").replace("$text", "%(text)s")


def test_url_parameters_round_trip():
    query = EventQuery(date_from=dt.date(2024, 1, 1), event_type=("Battles", "Protests"), admin1=("Hama",),
                       min_fatalities=3, text="ريف", status="reviewed")
    assert EventQuery.from_params(query.to_params()) == query


def test_status_all_means_no_filter():
    assert EventQuery.from_params({"status": ["all"]}) == EventQuery()


def test_bad_url_value_names_the_filter():
    with pytest.raises(ValueError, match="date_from"):
        EventQuery.from_params({"date_from": ["16/03/2024"]})


def test_filters_select_the_right_events(store):
    from events.store import Batch
    from tests.helpers import make_event

    store.insert([
        make_event(1, event_date=dt.date(2024, 1, 1), fatalities=0, notes="Protest in the square"),
        make_event(2, event_date=dt.date(2024, 2, 1), fatalities=7, admin1="Idleb"),
        make_event(3, event_date=dt.date(2024, 3, 1), fatalities=12, status="draft"),
    ], Batch("b", "native"))
    count = lambda **kw: store.summary(EventQuery(**kw)).count  # noqa: E731
    assert count(date_from=dt.date(2024, 2, 1), date_to=dt.date(2024, 2, 1)) == 1  # both ends inclusive
    assert count(admin1=("Hama",)) == 2
    assert count(min_fatalities=7) == 2
    assert count(text="SQUARE") == 1
    assert count(status="draft") == 1
    assert count(event_type=("Battles",)) == 0

import dataclasses
import datetime as dt

import duckdb
import pytest

from events import text_search
from events.exc import QueryError
from events.filters import DUCKDB, FILTERS, FILTERS_BY_KEY, POSTGRESQL, EventQuery
from events.schema import FIELD_NAMES

EVERYTHING = EventQuery(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 6, 30),
                        event_type=("Battles", "Protests"), sub_event_type=("Armed clash",),
                        actor=("Hayat Tahrir al-Sham", "Military Forces of Syria"), admin1=("Hama",),
                        admin2=("Masyaf", "Hama"), min_fatalities=3, max_fatalities=50, geo_precision=(1, 3),
                        source="SOHR", origin=("acled", "native"), status="reviewed", text="غارة جوية")


def test_no_filter_selects_everything():
    assert EventQuery().where(DUCKDB) == ("TRUE", {})
    assert EventQuery().sentences() == []


def test_every_query_field_is_one_declared_filter_named_as_the_schema_names_it():
    assert [f.name for f in dataclasses.fields(EventQuery)] == [f.key for f in FILTERS]
    spanning = {"actor": ("actor1", "actor2"), "text": text_search.TEXT_COLUMNS,
                "min_fatalities": ("fatalities",), "max_fatalities": ("fatalities",),
                "date_from": ("event_date",), "date_to": ("event_date",)}
    for f in FILTERS:
        assert f.key in FIELD_NAMES or set(spanning[f.key]) <= set(FIELD_NAMES), f.key
        assert f.label and f.sentence


@pytest.mark.parametrize(
    "query, sql, params, sentence",
    [
        (EventQuery(date_from=dt.date(2024, 1, 1)), "event_date >= $date_from",
         {"date_from": dt.date(2024, 1, 1)}, "on or after 2024-01-01"),
        (EventQuery(date_to=dt.date(2024, 1, 31)), "event_date <= $date_to",
         {"date_to": dt.date(2024, 1, 31)}, "on or before 2024-01-31"),
        (EventQuery(event_type=("Battles",)), "event_type IN ($event_type_0)", {"event_type_0": "Battles"},
         "event type is Battles"),
        (EventQuery(sub_event_type=("Armed clash", "Attack")),
         "sub_event_type IN ($sub_event_type_0, $sub_event_type_1)",
         {"sub_event_type_0": "Armed clash", "sub_event_type_1": "Attack"}, "sub-event type is Armed clash, Attack"),
        (EventQuery(actor=("Islamic State",)), "(actor1 IN ($actor_0) OR actor2 IN ($actor_0))",
         {"actor_0": "Islamic State"}, "actor1 or actor2 is Islamic State"),
        (EventQuery(admin1=("Hama", "Idleb")), "admin1 IN ($admin1_0, $admin1_1)",
         {"admin1_0": "Hama", "admin1_1": "Idleb"}, "governorate is Hama, Idleb"),
        (EventQuery(admin2=("Masyaf",)), "admin2 IN ($admin2_0)", {"admin2_0": "Masyaf"}, "district is Masyaf"),
        (EventQuery(min_fatalities=5), "fatalities >= $min_fatalities", {"min_fatalities": 5},
         "at least 5 fatalities"),
        (EventQuery(max_fatalities=9), "fatalities <= $max_fatalities", {"max_fatalities": 9},
         "at most 9 fatalities"),
        (EventQuery(geo_precision=(1, 2)), "geo_precision IN ($geo_precision_0, $geo_precision_1)",
         {"geo_precision_0": 1, "geo_precision_1": 2},
         "geo precision is 1, 2 (1 town, 2 near a town, 3 region)"),
        (EventQuery(source="SO_HR%"), "source ILIKE $source ESCAPE '\\'", {"source": "%SO\\_HR\\%%"},
         "source contains 'SO_HR%'"),
        (EventQuery(origin=("acled",)), "origin IN ($origin_0)", {"origin_0": "acled"}, "origin is acled"),
        (EventQuery(status="draft"), "status = $status", {"status": "draft"}, "status is draft"),
    ],
)
def test_one_filter(query, sql, params, sentence):
    assert query.where(DUCKDB) == (sql, params)
    assert query.sentences() == [sentence]


def test_latin_text_is_a_bound_escaped_substring_of_any_text_column():
    where, params = EventQuery(text="50%_off' OR 1=1 --").where(DUCKDB)
    assert "50%" not in where and "OR 1=1" not in where
    assert params == {"text": "%50\\%\\_off' OR 1=1 --%"}
    assert where == "(" + " OR ".join(f"{c} ILIKE $text ESCAPE '\\'" for c in text_search.TEXT_COLUMNS) + ")"
    assert EventQuery(text="Arab 48").sentences() == ["text contains 'Arab 48'"]


def test_arabic_text_is_folded_stemmed_and_bound():
    where, params = EventQuery(text="غاراتٌ جوية").where(DUCKDB)
    assert params == {"text": "%غار% جوي%", "text_hint": "%غ%ر%ج%"}
    assert "غار" not in where
    assert "SELECT rowid FROM events WHERE CASE WHEN notes LIKE $text_hint THEN search_fold(notes) LIKE $text" in where


@pytest.mark.parametrize("query", [EVERYTHING.replace(text="air"), EVERYTHING])
def test_each_dialect_names_the_same_parameters_its_own_way(query):
    duckdb_sql, duckdb_params = query.where(DUCKDB)
    postgresql_sql, postgresql_params = query.where(POSTGRESQL)
    assert duckdb_params == postgresql_params
    expected = duckdb_sql
    for name in sorted(duckdb_params, key=len, reverse=True):  # $text_hint before $text
        expected = expected.replace(f"${name}", f"%({name})s")
    assert postgresql_sql == expected.replace("rowid", "ctid")  # how each names a row
    assert duckdb_sql.startswith("event_date >= $date_from AND event_date <= $date_to AND event_type IN (")


def test_url_parameters_round_trip_every_filter():
    assert set(EVERYTHING.active()) == set(FILTERS_BY_KEY)
    params = EVERYTHING.to_params()
    assert params["geo_precision"] == ["1", "3"] and params["text"] == ["غارة جوية"]
    assert EventQuery.from_params(params) == EVERYTHING
    one_value = {key: values[0] for key, values in params.items()}  # a str where a list was
    assert EventQuery.from_params(one_value).actor == ("Hayat Tahrir al-Sham",)


def test_status_all_and_empty_values_mean_no_filter():
    assert EventQuery.from_params({"status": ["all"], "admin1": [""], "text": ""}) == EventQuery()


@pytest.mark.parametrize("params, key", [
    ({"date_from": ["16/03/2024"]}, "date_from"), ({"max_fatalities": ["many"]}, "max_fatalities"),
    ({"geo_precision": ["1", "4"]}, "geo_precision"), ({"geo_precision": ["town"]}, "geo_precision"),
    ({"status": ["final"]}, "status"),
])
def test_bad_url_value_names_the_filter(params, key):
    with pytest.raises(QueryError, match=key):
        EventQuery.from_params(params)


@pytest.mark.parametrize("word, stem", [
    ("غاره", "غار"), ("غارات", "غار"), ("حماه", "حما"), ("مقاتلين", "مقاتل"), ("مقاتلون", "مقاتل"),
    ("مدنيين", "مدني"), ("قوات", "قوات"), ("الدين", "الدين"), ("المدنيات", "المدني"), ("حمص", "حمص"),
    ("hama", "hama"), ("stations", "stations"),
])
def test_light_stemming(word, stem):
    assert text_search.stem(word) == stem


@pytest.mark.parametrize("text, key", [
    ("ريفِ حماةَ", "ريف حماه"), ("إدلب", "ادلب"), ("مـــدينة", "مدينه"), ("مستشفى", "مستشفي"),
    ("أإآٱ ؤ ئ", "اااا و ي"), ("٢٠٢٤ ۱۲", "2024 12"), ("Ḩamāh HAMA", "hamah hama"), ("ک ی", "ك ي"),
])
def test_fold_in_python_and_in_sql_agree(text, key):
    assert text_search.fold(text) == key
    con = duckdb.connect()
    con.execute(text_search.SEARCH_FOLD_DUCKDB)
    full = text_search.folded("$t", "٤ A")  # a search with digits and cased letters folds everything
    assert con.execute(f"SELECT {full}", {"t": text}).fetchall() == [(key,)]


def test_a_hint_holds_the_letters_every_matching_raw_text_holds_in_order():
    assert text_search.hint("حماة") == "%ح%م%"
    assert text_search.hint("غارة جوية") == "%غ%ر%ج%"
    assert text_search.hint("وادي") == "%د%"
    assert text_search.hint("اوي") == "%"  # folding makes all of these: every row is folded
    assert text_search.hint("٤٨ قتيلا HTS") == "%ق%ت%ل%"

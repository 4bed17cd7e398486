"""Every rejected and skipped row is reported on its true physical line, in
every format, on both readers, whatever plan DuckDB picks.

The files are generated here with the lines of each row written down as
they are written, so the expected lines never come from the importer."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from events.export import ACLED_COLUMNS
from events.formats import GDELT_COLUMNS
from events.importer import import_path, preview

# Each row is one of these: accepted, or bad in one way (the reason code
# that must be reported), or (GDELT) skipped as not violent.
GOOD, BAD_LATITUDE, BAD_DATE, UNKNOWN_TYPE, FIELDS, SKIPPED = range(6)
_BAD = {BAD_LATITUDE: "latitude_out_of_range", BAD_DATE: "bad_date", UNKNOWN_TYPE: "unknown_event_type",
        FIELDS: "wrong_number_of_fields"}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _csv_file(header: list[str], rows: list[dict], kinds: list[int], multiline: list[bool]) -> tuple[str, dict]:
    """The file's text and {line: kind} for each row not accepted."""
    out, line, expected = [",".join(header)], 2, {}
    for row, kind, broken in zip(rows, kinds, multiline, strict=True):
        fields = [_quoted(row.get(name, "")) for name in header]
        if kind == FIELDS:
            fields.insert(3, '"surplus"')  # in the middle: the rest is shifted
        if broken:
            row_notes = header.index("notes")
            fields[row_notes] = _quoted("first line\nsecond line")
        if kind != GOOD:
            expected[line] = kind
        record = ",".join(fields)
        out.append(record)
        line += record.count("\n") + 1
    return "\n".join(out) + "\n", expected


def _acled_legacy_row(n: int, kind: int) -> dict:
    return {"data_id": str(n), "iso": "760", "event_id_cnty": f"SYR{n}", "event_id_no_cnty": str(n),
            "event_date": "31 February 2020" if kind == BAD_DATE else "07 March 2020", "year": "2020",
            "time_precision": "1", "event_type": "Fighting" if kind == UNKNOWN_TYPE else "Battles",
            "sub_event_type": "Armed clash", "actor1": "Military Forces of Syria (2000-)", "inter1": "1",
            "actor2": "Hayat Tahrir al-Sham", "inter2": "2", "interaction": "12", "region": "Middle East",
            "country": "Syria", "admin1": "Idleb", "location": "Ariha",
            "latitude": "95" if kind == BAD_LATITUDE else "35.8124", "longitude": "36.6103",
            "geo_precision": "1", "source": "Test outlet", "source_scale": "National", "notes": "ours",
            "fatalities": "4", "timestamp": "1583600000", "iso3": "SYR"}


_LEGACY = list(_acled_legacy_row(0, GOOD))


def _ucdp_row(n: int, kind: int) -> dict:
    return {"id": f"{n}.0", "type_of_violence": "1.0", "date_start": "2013-02-30" if kind == BAD_DATE else
            "2013-03-18 00:00:00.000", "date_end": "2013-03-18 00:00:00.000", "date_prec": "1.0",
            "where_prec": "2.0", "latitude": "95" if kind == BAD_LATITUDE else "36.2",
            "longitude": "37.16", "best": "1.0", "low": "1.0", "high": "2.0", "country": "Syria",
            "adm_1": "Aleppo governorate", "side_a": "Government of Syria", "side_b": "Syrian insurgents",
            "where_description": "ours", "notes": "ours",
            # UCDP has no event type column: an unknown violence code stands for one.
            **({"type_of_violence": "9"} if kind == UNKNOWN_TYPE else {})}


_UCDP = [*list(_ucdp_row(0, GOOD)), "source_headline"]


def _gdelt_file(kinds: list[int]) -> tuple[str, dict]:
    out, expected = [], {}
    for n, kind in enumerate(kinds):
        row = dict.fromkeys(GDELT_COLUMNS, "")
        row.update(GLOBALEVENTID=str(900000 + n), SQLDATE="2019022" if kind == BAD_DATE else "20191024",
                   EventCode="190" if kind != SKIPPED else "042", EventRootCode="19" if kind != SKIPPED else "04",
                   ActionGeo_Type="4", ActionGeo_CountryCode="SY", ActionGeo_FullName="Idlib, Idlib, Syria",
                   ActionGeo_Lat="95" if kind == BAD_LATITUDE else "35.93", ActionGeo_Long="36.63",
                   Actor1Name="SYRIA", DATEADDED="20191024143000", SOURCEURL="https://example.org/a")
        fields = [row[c] for c in GDELT_COLUMNS]
        if kind == FIELDS:
            fields.insert(5, "surplus")
        if kind == UNKNOWN_TYPE:  # GDELT's types come from CAMEO codes: a bad id stands in
            fields[0] = ""
        if kind != GOOD:
            expected[n + 1] = kind
        out.append("\t".join(fields))
    return "\n".join(out) + "\n", expected


def _outcome(result) -> dict[int, str]:
    """{line: reason} of everything reported, as the user reads it."""
    found = {s.line: "skipped" for s in result.skipped}
    for p in result.rejected:
        found.setdefault(p.line, p.reason.value)
    return found


def _expected(expected: dict[int, int], fmt: str) -> dict[int, str]:
    def reason(kind: int) -> str:
        if kind == SKIPPED:
            return "skipped"
        if fmt == "gdelt" and kind == UNKNOWN_TYPE:
            return "missing_value"
        return _BAD[kind]
    return {line: reason(kind) for line, kind in expected.items()}


_KINDS = st.lists(st.sampled_from([GOOD] * 6 + [BAD_LATITUDE, BAD_DATE, UNKNOWN_TYPE, FIELDS]), min_size=1,
                  max_size=40)


def _acled_row(n: int, kind: int) -> dict:
    """A current ACLED row: ISO dates, text actor types, disorder type."""
    legacy = _acled_legacy_row(n, kind)
    return {**{c: legacy.get(c, "") for c in ACLED_COLUMNS}, "disorder_type": "Political violence",
            "event_date": "2020-02-31" if kind == BAD_DATE else "2020-03-07", "inter1": "State forces",
            "inter2": "Rebel group"}


# format -> (header, row builder)
_CSV_FORMATS = {"acled-legacy": (_LEGACY, _acled_legacy_row), "ucdp": (_UCDP, _ucdp_row),
                "acled": (list(ACLED_COLUMNS), _acled_row)}


@pytest.mark.parametrize("fmt", sorted(_CSV_FORMATS))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=_KINDS, data=st.data())
def test_lines_are_true(fmt, kinds, data):
    header, row = _CSV_FORMATS[fmt]
    multiline = data.draw(st.lists(st.booleans(), min_size=len(kinds), max_size=len(kinds)))
    text, expected = _csv_file(header, [row(n, k) for n, k in enumerate(kinds)], kinds, multiline)
    result = preview(text.encode(), f"{fmt}.csv")
    assert (result.format, _outcome(result)) == (fmt, _expected(expected, fmt))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kinds=st.lists(st.sampled_from([GOOD] * 4 + [SKIPPED] * 3 + [BAD_LATITUDE, BAD_DATE, UNKNOWN_TYPE, FIELDS]),
                      min_size=1, max_size=40))
def test_gdelt_lines_are_true(kinds):
    # A headerless file is known as GDELT by its first record: 61 fields, an id.
    assume(kinds[0] not in (FIELDS, UNKNOWN_TYPE))
    text, expected = _gdelt_file(kinds)
    assert _outcome(preview(text.encode(), "gdelt.CSV")) == _expected(expected, "gdelt")


def _large_legacy(rows: int, bad: dict[int, int]) -> tuple[str, dict]:
    kinds = [bad.get(n, GOOD) for n in range(rows)]
    out = io.StringIO()
    out.write(",".join(_LEGACY) + "\n")
    good = ",".join(_quoted(v) for v in _acled_legacy_row(0, GOOD).values())
    expected = {}
    for n, kind in enumerate(kinds):
        if kind == GOOD:
            out.write(good.replace('"SYR0"', f'"SYR{n}"', 1) + "\n")
        else:
            out.write(",".join(_quoted(v) for v in _acled_legacy_row(n, kind).values()) + "\n")
            expected[n + 2] = kind
    return out.getvalue(), expected


def test_lines_are_true_in_a_file_larger_than_duckdbs_parallel_chunks(tmp_path, store):
    # DuckDB reads 122,880 rows a vector group; past two of them, with two
    # threads, it may assemble a table in another order than the file's.
    rows = 2 * 122_880 + 5_000
    bad = {7: BAD_LATITUDE, 122_879: BAD_DATE, 122_880: UNKNOWN_TYPE, 200_001: BAD_LATITUDE, rows - 1: BAD_DATE}
    text, expected = _large_legacy(rows, bad)
    path = tmp_path / "large_legacy.csv"
    path.write_text(text, encoding="utf-8")
    result, _ = import_path(store, path)
    assert _outcome(result) == _expected(expected, "acled-legacy")
    assert result.accepted_count == rows - len(bad)


@pytest.mark.parametrize("fmt", sorted(_CSV_FORMATS))
def test_the_statement_that_reads_a_file_holds_no_join(fmt, monkeypatch):
    # Rows are known by their place in the table the statement makes, which
    # follows the file only while no join can move them.
    from events import fast_reading

    plans = []
    execute = fast_reading.execute_reporting

    def explained(con, sql, params, report):
        select = sql.split(" AS ", 1)[1]  # CREATE TABLE checked AS <select>
        plans.append("\n".join(row[1] for row in con.execute("EXPLAIN " + select, params).fetchall()))
        return execute(con, sql, params, report)

    monkeypatch.setattr(fast_reading, "execute_reporting", explained)
    header, row = _CSV_FORMATS[fmt]
    text, _ = _csv_file(header, [row(n, GOOD) for n in range(3)], [GOOD] * 3, [False] * 3)
    assert preview(text.encode(), f"{fmt}.csv").accepted_count == 3
    assert plans and all("join" not in plan.lower() for plan in plans), plans

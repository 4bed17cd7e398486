"""Conformance on real files nobody here wrote (../shared/corpora, read-only).

Each file's expected outcome is derived here from the file itself, with
Python's csv module and the format's published rules
(../shared/reference/schemas.md), never saved from the importer's output.
ACLED rows are read from ../shared only: none is copied into the repository.
"""

from __future__ import annotations

import csv
import math

import pytest

from events.importer import preview
from tests.conftest import SHARED

CORPORA = SHARED / "corpora"
csv.field_size_limit(1 << 30)

# schemas.md A.5: the legacy/API-2022 numeric actor types and their text.
INTER_TEXT = {0: None, 1: "State forces", 2: "Rebel group", 3: "Political militia", 4: "Identity militia",
              5: "Rioters", 6: "Protesters", 7: "Civilians", 8: "External/Other forces"}


def _corpus(relative: str):
    path = CORPORA / relative
    if not path.exists():
        pytest.skip(f"{path} is absent (the real corpora live in ../shared/corpora)")
    return path


def _rows(path, delimiter=","):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _whole(text: str) -> int | None:
    """A whole number as pandas or R may write it ("2.0"); None when blank."""
    if text.strip() == "":
        return None
    value = float(text)
    assert value == math.floor(value), text
    return int(value)


def _accepted(result) -> dict[str, dict]:
    return {row["event_id"]: row for row in result.accepted.to_pylist()}


def _ucdp_expected(row: dict) -> dict:
    """schemas.md B and the adapter's documented mapping, from the raw row."""
    violence, date_prec, where_prec = _whole(row["type_of_violence"]), _whole(row["date_prec"]), \
        _whole(row["where_prec"])
    return {
        "event_date": row["date_start"][:10],
        "event_type": "Violence against civilians" if violence == 3 else "Battles",
        "sub_event_type": "Attack" if violence == 3 else "Armed clash",
        "time_precision": {1: 1, 2: 2, 3: 2, 4: 3, 5: 3}[date_prec],
        "geo_precision": {1: 1, 2: 2, 3: 2}.get(where_prec, 3),
        "fatalities": _whole(row["best"]),
        "fatalities_low": _whole(row["low"]),
        "fatalities_high": _whole(row["high"]),
    }


@pytest.mark.parametrize("name", ["ucdp/ged231_car.csv", "ucdp/ged231_car_pandas_floats.csv",
                                  "ucdp/ged231_syria_dev.csv"])
def test_ucdp_ged_files_import_every_row_as_ucdp_codes_them(name):
    path = _corpus(name)
    rows = _rows(path)
    result = preview(path.read_bytes(), path.name)
    assert (result.format, result.rows_read, result.rejected, result.skipped) == ("ucdp", len(rows), [], [])
    accepted = _accepted(result)
    expected = {f"ucdp:{_whole(row['id'])}": _ucdp_expected(row) for row in rows}
    assert sorted(accepted) == sorted(expected)
    fields = list(next(iter(expected.values())))
    got = {event_id: {f: (str(accepted[event_id][f]) if f == "event_date" else accepted[event_id][f])
                      for f in fields} for event_id in accepted}
    assert got == expected


def test_ucdp_as_pandas_writes_it_stores_the_same_events_as_ucdps_layout():
    original, floats = _corpus("ucdp/ged231_car.csv"), _corpus("ucdp/ged231_car_pandas_floats.csv")
    a = _accepted(preview(original.read_bytes(), original.name))
    b = _accepted(preview(floats.read_bytes(), floats.name))
    assert len(a) == 1848
    assert a == b


def _acled_expected(row: dict) -> dict:
    def inter(text: str) -> str | None:
        return INTER_TEXT[_whole(text)] if text.strip() else None
    return {
        "time_precision": _whole(row["time_precision"]),
        "geo_precision": _whole(row["geo_precision"]),
        "fatalities": _whole(row["fatalities"]),
        "timestamp": _whole(row["timestamp"]),
        "inter1": inter(row["inter1"]),
        "inter2": inter(row["inter2"]),
        "assoc_actor_1": row["assoc_actor_1"] or None,
        "notes": row["notes"] or None,
    }


@pytest.mark.parametrize("name", ["acled/acled_world_2022_dev.csv", "acled/acled_world_2022_sample_pandas_floats.csv",
                                  "acled/acled_syria_2022_dev.csv"])
def test_acled_api_2022_files_map_numeric_actor_types_to_acleds_text(name):
    path = _corpus(name)
    rows = _rows(path)
    result = preview(path.read_bytes(), path.name)
    assert (result.format, result.rows_read, result.rejected, result.skipped) == ("acled-2022", len(rows), [], [])
    accepted = _accepted(result)
    expected = {f"acled:{row['event_id_cnty']}": _acled_expected(row) for row in rows}
    assert sorted(accepted) == sorted(expected)
    fields = list(next(iter(expected.values())))
    assert {i: {f: accepted[i][f] for f in fields} for i in accepted} == expected


def test_a_real_acled_row_with_a_long_list_of_associated_actors_is_kept():
    path = _corpus("acled/acled_world_2022_dev.csv")
    longest = max(_rows(path), key=lambda row: len(row["assoc_actor_1"]))
    assert len(longest["assoc_actor_1"]) == 1620
    accepted = _accepted(preview(path.read_bytes(), path.name))
    assert accepted[f"acled:{longest['event_id_cnty']}"]["assoc_actor_1"] == longest["assoc_actor_1"]


def test_legacy_acled_export_reads_its_dates_and_numeric_actor_types():
    path = _corpus("acled/legacy_burkina_faso_head.csv")
    rows = _rows(path)
    result = preview(path.read_bytes(), path.name)
    assert (result.format, result.rows_read, result.rejected, result.skipped) == ("acled-legacy", 58, [], [])
    import datetime as dt
    accepted = _accepted(result)
    assert {i: (accepted[i]["event_date"], accepted[i]["inter1"], accepted[i]["inter2"]) for i in accepted} == {
        f"acled:{row['event_id_cnty']}": (dt.datetime.strptime(row["event_date"], "%d %B %Y").date(),
                                          INTER_TEXT[int(row["inter1"])], INTER_TEXT[int(row["inter2"])])
        for row in rows}


def _gdelt_records(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_gdelt_export_keeps_violent_rows_and_names_every_country():
    from events.formats import GDELT_COLUMNS

    path = _corpus("gdelt/20191024143000.export.CSV")
    records = [dict(zip(GDELT_COLUMNS, r, strict=True)) for r in _gdelt_records(path)]
    result = preview(path.read_bytes(), path.name)
    violent = [r for r in records if r["EventRootCode"] in ("18", "19", "20")]
    placed = [r for r in violent if r["ActionGeo_Lat"] and r["ActionGeo_Long"] and r["ActionGeo_CountryCode"]]
    assert (result.format, result.rows_read, result.accepted_count) == ("gdelt", len(records), len(placed))
    countries = {row["country"] for row in result.accepted.to_pylist()}
    # No raw FIPS code (two capitals) stands for a country's name.
    assert [c for c in countries if len(c) == 2 and c.isupper()] == []


def test_gdelt_reports_the_true_line_of_every_rejected_and_skipped_row_in_every_run():
    path = _corpus("gdelt/20191024143000.export.CSV")
    records = _gdelt_records(path)
    from events.formats import GDELT_COLUMNS

    root, lat, country = (GDELT_COLUMNS.index(c) for c in ("EventRootCode", "ActionGeo_Lat", "ActionGeo_CountryCode"))
    # No field of this file holds a line break: record i is on line i + 1.
    skipped = [i + 1 for i, r in enumerate(records) if r[root] not in ("18", "19", "20")]
    rejected = sorted({i + 1 for i, r in enumerate(records)
                       if r[root] in ("18", "19", "20") and not (r[lat] and r[country])})
    for _ in range(10):
        result = preview(path.read_bytes(), path.name)
        assert [s.line for s in result.skipped] == skipped
        assert sorted({p.line for p in result.rejected}) == rejected

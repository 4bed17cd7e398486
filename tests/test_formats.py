"""Format adapters on the cases real files showed (generated here, no ACLED rows)."""

from __future__ import annotations

import io

import pytest

from events.export import ACLED_COLUMNS, export
from events.importer import preview
from events.problems import Reason
from tests.helpers import make_event

_ACLED_HEADER = ",".join(ACLED_COLUMNS)


def _acled_file(rows: list[dict]) -> bytes:
    lines = [_ACLED_HEADER]
    for row in rows:
        values = {"event_id_cnty": "TST1", "event_date": "2022-06-01", "year": "2022", "time_precision": "1",
                  "disorder_type": "Political violence", "event_type": "Battles", "sub_event_type": "Armed clash",
                  "actor1": "Military Forces of Syria (2000-)", "inter1": "State forces",
                  "country": "Syria", "admin1": "Idleb", "location": "Saraqib", "latitude": "35.8617",
                  "longitude": "36.8006", "geo_precision": "1", "fatalities": "0", "timestamp": "1656000000",
                  **row}
        lines.append(",".join(f'"{values.get(c, "")}"' for c in ACLED_COLUMNS))
    return ("\n".join(lines) + "\n").encode()


def _accepted(result) -> list[dict]:
    return result.accepted.to_pylist()


@pytest.mark.parametrize("written, stored", [("2.0", 2), ("-1.0", None), ("2022.0", 2022), ("3.", 3), ("0.00", 0)])
def test_whole_numbers_written_as_floats_are_whole_numbers(written, stored):
    result = preview(_acled_file([{"fatalities": written, "time_precision": "1.0", "geo_precision": "2.0",
                                   "timestamp": "1656000000.0"}]), "floats.csv")
    if stored is None:  # a whole number, and a negative count: refused for that reason alone
        assert [(p.column, p.reason) for p in result.rejected] == [("fatalities", Reason.BAD_FATALITIES)]
        assert result.rejected[0].message == "fatalities cannot be negative: -1.0"
        return
    assert result.rejected == []
    [row] = _accepted(result)
    assert (row["fatalities"], row["time_precision"], row["geo_precision"], row["timestamp"]) == (
        stored, 1, 2, 1656000000)


def test_a_fraction_is_refused_and_the_message_says_what_it_saw():
    result = preview(_acled_file([{"fatalities": "2.5"}]), "fraction.csv")
    assert [(p.line, p.column, p.reason, p.message) for p in result.rejected] == [
        (2, "fatalities", Reason.BAD_FATALITIES, "fatalities is not a whole number: 2.5")]


def test_numeric_actor_types_are_read_as_acled_api_2022():
    result = preview(_acled_file([{"inter1": "1", "inter2": "3", "actor2": "Unidentified Armed Group (Syria)"},
                                  {"event_id_cnty": "TST2", "inter1": "8.0", "inter2": "0"}]), "api2022.csv")
    assert result.format == "acled-2022"
    assert [(r["inter1"], r["inter2"]) for r in _accepted(result)] == [
        ("State forces", "Political militia"), ("External/Other forces", None)]


def test_text_actor_types_stay_current_acled():
    result = preview(_acled_file([{"inter2": "Rebel group"}]), "current.csv")
    assert result.format == "acled"
    assert [(r["inter1"], r["inter2"]) for r in _accepted(result)] == [("State forces", "Rebel group")]


def test_a_long_list_of_associated_actors_fits():
    actors = "; ".join(f"Labour Group {n} (Syria)" for n in range(80))
    assert len(actors) > 1620
    [row] = _accepted(preview(_acled_file([{"assoc_actor_1": actors}]), "long.csv"))
    assert row["assoc_actor_1"] == actors


def test_acled_columns_export_then_import_changes_nothing():
    events = [
        make_event(1, event_id="ucdp:464518", source_id="ucdp:464518", origin="ucdp", notes="=HYPERLINK(1)",
                   actor1="-Military Forces of Syria", location="'Quoted'"),
        make_event(2, event_id="acled:SYR1", source_id="acled:SYR1", origin="acled", notes="+ shells"),
    ]
    buffer = io.StringIO(newline="")
    export(events, buffer, format="acled")
    result = preview(buffer.getvalue().encode(), "roundtrip.csv")
    assert result.rejected == []
    got = {r["event_id"]: (r["origin"], r["source_id"], r["notes"], r["actor1"], r["location"])
           for r in _accepted(result)}
    assert got == {
        "ucdp:464518": ("ucdp", "ucdp:464518", "=HYPERLINK(1)", "-Military Forces of Syria", "'Quoted'"),
        "acled:SYR1": ("acled", "acled:SYR1", "+ shells", "Military Forces of Syria", "Hama"),
    }


def _legacy(rows: list[dict]) -> bytes:
    from tests.test_lines import _LEGACY, GOOD, _acled_legacy_row, _csv_file

    full = [{**_acled_legacy_row(n, GOOD), **row} for n, row in enumerate(rows)]
    text, _ = _csv_file(_LEGACY, full, [GOOD] * len(full), [False] * len(full))
    return text.encode()


def test_a_duplicate_id_in_a_legacy_file_keeps_the_first_row():
    result = preview(_legacy([{}, {"notes": "first"}, {}, {"event_id_cnty": "SYR1", "notes": "later"}]), "dup.csv")
    assert [(p.line, p.reason) for p in result.rejected] == [(5, Reason.DUPLICATE_IN_FILE)]
    assert [(r["event_id"], r["notes"]) for r in _accepted(result)] == [
        ("acled:SYR0", "ours"), ("acled:SYR1", "first"), ("acled:SYR2", "ours")]


@pytest.mark.parametrize("size", [3 * 1024 * 1024, 50 * 1024 * 1024])
def test_a_huge_field_is_too_long_on_its_own_line_and_the_rest_is_stored(size):
    result = preview(_legacy([{}, {}, {"notes": "x" * size}, {}]), "huge.csv")
    assert [(p.line, p.column, p.reason, p.message) for p in result.rejected] == [
        (4, "notes", Reason.TOO_LONG, "notes is longer than 100000 characters")]
    assert [r["event_id"] for r in _accepted(result)] == ["acled:SYR0", "acled:SYR1", "acled:SYR3"]


@pytest.mark.parametrize("line_end", ["\n", "\r"])
def test_a_huge_field_of_short_lines_is_too_long_on_its_own_line_and_the_rest_is_stored(line_end):
    # Each of its lines is short, so the scan finds no long line (the
    # fast reader's cue for DuckDB's large line limit), but the record is
    # 3 MB: it must still be read whole, whichever reader reads it.
    notes = (("x" * 99 + line_end) * (3 * 1024 * 1024 // 100)).rstrip(line_end)
    result = preview(_legacy([{}, {}, {"notes": notes}, {}]), "huge_lines.csv")
    [problem] = result.rejected
    assert (problem.column, problem.reason, problem.message) == (
        "notes", Reason.TOO_LONG, "notes is longer than 100000 characters")
    assert problem.line == 4
    assert [r["event_id"] for r in _accepted(result)] == ["acled:SYR0", "acled:SYR1", "acled:SYR3"]

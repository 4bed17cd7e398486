"""Import: every format in, every bad row reported with its line and reason."""

import datetime as dt
import random

import pytest

from events.checks import Area
from events.filters import EventQuery
from events.importer import ImportFileError, StrictImportRefused, commit, import_path, preview
from events.native import native_csv
from events.store import Batch
from events.synthetic import generate
from tests.conftest import FIXTURES
from tests.helpers import make_event

FORMATS = FIXTURES / "formats"


def _rejects(result):
    return [(p.line, p.column, p.reason.value) for p in result.rejected]


def _preview(name, store=None, **kw):
    path = FORMATS / name
    return preview(path.read_bytes(), name, store, **kw)


def test_acled_current(store):
    result = _preview("acled_current.csv", store)
    assert (result.format, result.rows_read, result.accepted_count) == ("acled", 8, 3)
    assert _rejects(result) == [
        (5, "latitude", "latitude_out_of_range"),
        (6, "event_type", "unknown_event_type"),
        (8, "event_date", "bad_date"),
        (9, "fatalities", "bad_fatalities"),
        (10, "event_id_cnty", "duplicate_id_in_file"),
    ]
    assert result.rejected[0].raw.startswith('SYR900003,2024-03-16,2024,1,')
    assert result.restricted
    rows = result.accepted.to_pylist()
    assert [r["event_id"] for r in rows] == ["acled:SYR900001", "acled:SYR900002", "acled:SYR900005"]
    assert rows[1]["notes"] == "Two lines\nof notes, بالعربية"
    assert rows[2]["sub_event_type"] == "Excessive force against protesters"
    assert (rows[0]["event_date"], rows[0]["latitude"], rows[0]["fatalities"], rows[0]["timestamp"]) == (
        dt.date(2024, 3, 16), 35.1318, 10, 1710600000)
    assert {r["origin"] for r in rows} == {"acled"}


def test_acled_legacy_dates_and_numeric_actor_types():
    result = _preview("acled_legacy.csv")
    assert (result.format, result.accepted_count) == ("acled-legacy", 2)
    assert _rejects(result) == [(3, "event_date", "bad_date")]
    first, second = result.accepted.to_pylist()
    assert (first["event_date"], first["inter1"], first["inter2"], first["disorder_type"]) == (
        dt.date(2020, 3, 7), "State forces", "Rebel group", "Political violence")
    assert (second["event_date"], second["inter2"], second["disorder_type"]) == (
        dt.date(2021, 4, 15), None, "Strategic developments")


def test_ucdp_ged():
    result = _preview("ucdp_ged.csv")
    assert (result.format, result.accepted_count) == ("ucdp", 2)
    assert _rejects(result) == [(4, "type_of_violence", "unknown_event_type"), (5, "date_end", "bad_date")]
    first, second = result.accepted.to_pylist()
    assert {k: first[k] for k in ("event_id", "event_date", "event_date_end", "time_precision", "event_type",
                                  "sub_event_type", "admin1", "geo_precision", "fatalities", "fatalities_low",
                                  "fatalities_high", "actor1", "actor2", "notes")} == {
        "event_id": "ucdp:700001", "event_date": dt.date(2017, 4, 1), "event_date_end": dt.date(2017, 4, 3),
        "time_precision": 1, "event_type": "Battles", "sub_event_type": "Armed clash", "admin1": "Hama",
        "geo_precision": 3, "fatalities": 7, "fatalities_low": 5, "fatalities_high": 12,
        "actor1": "Government of Syria", "actor2": "Syrian insurgents",
        "notes": "Hama countryside | Fixture written by us"}
    assert (second["event_type"], second["sub_event_type"], second["admin1"], second["time_precision"],
            second["geo_precision"]) == ("Violence against civilians", "Attack", "Idleb", 3, 1)


@pytest.mark.parametrize("name, first_line", [("gdelt_noheader.tsv", 1), ("gdelt_header.tsv", 2)])
def test_gdelt(name, first_line):
    result = _preview(name)
    assert (result.format, result.rows_read, result.accepted_count) == ("gdelt", 4, 2)
    assert _rejects(result) == [(first_line + 3, "SQLDATE", "bad_date")]
    assert [(s.line, s.reason.value) for s in result.skipped] == [(first_line + 1, "not_violent")]
    strike, clash = result.accepted.to_pylist()
    assert {k: strike[k] for k in ("event_id", "event_date", "sub_event_type", "event_type", "country", "admin1",
                                   "geo_precision", "fatalities", "source", "status")} == {
        "event_id": "gdelt:1100000001", "event_date": dt.date(2024, 3, 16), "sub_event_type": "Air/drone strike",
        "event_type": "Explosions/Remote violence", "country": "Syria", "admin1": "Hama", "geo_precision": 1,
        "fatalities": 0, "source": "example.org", "status": "draft"}
    assert (clash["sub_event_type"], clash["admin1"], clash["geo_precision"]) == ("Armed clash", None, 3)


def _native(*events) -> bytes:
    return native_csv(events).encode("utf-8")


def test_native_hostile_rows_are_reported_and_the_rest_land(store):
    text = native_csv([make_event(1), make_event(2), make_event(3), make_event(4)])
    lines = text.split("\r\n")
    lines[2] = lines[2] + ',"extra"'                    # line 3: one field too many
    lines[3] = lines[3].replace('"Hama"', '"Hama', 1)   # line 4: unterminated quote from here on
    data = "\r\n".join(lines[:3] + [lines[4], lines[3]] + lines[5:]).encode("utf-8")
    result = preview(data, "hostile.csv", store)
    assert _rejects(result) == [(3, None, "wrong_number_of_fields"), (5, None, "unterminated_quote")]
    assert [r["event_id"] for r in result.accepted.to_pylist()] == ["test:1", "test:4"]


def test_native_extra_column_is_ignored_and_said():
    data = native_csv([make_event(1)]).replace('"status"\r\n', '"status","mood"\r\n', 1).replace(
        '"reviewed"\r\n', '"reviewed","calm"\r\n')
    result = preview(data.encode(), "extra.csv")
    assert (result.accepted_count, result.rejected) == (1, [])
    assert result.notices == ["Columns not in our schema were ignored: mood."]


def test_missing_required_column_refuses_the_file():
    data = native_csv([make_event(1)]).replace('"latitude"', '"lat"', 1).encode()
    with pytest.raises(ImportFileError, match="missing required column.*latitude"):
        preview(data, "nolat.csv")


def test_unknown_format_is_refused_with_the_choices():
    with pytest.raises(ImportFileError, match="unknown format.*choose one of acled"):
        preview(b"a,b,c\n1,2,3\n", "what.csv")


def test_windows_1256_arabic_is_read_and_said(store):
    data = native_csv([make_event(1, notes="غارات جوية على ريف حماة")]).encode("cp1256")
    result = preview(data, "arabic.csv", store)
    assert result.encoding == "windows-1256"
    assert result.notices == ["The file is in Windows-1256 (Arabic); it was read as such."]
    assert result.accepted.to_pylist()[0]["notes"] == "غارات جوية على ريف حماة"


def test_bytes_that_are_not_utf8_lose_only_their_line():
    good = native_csv([make_event(1, notes="عربي"), make_event(2), make_event(3, notes="عربي")]).encode()
    data = good.replace(b'"test:2"', b'"test:\xff2"')
    result = preview(data, "damaged.csv")
    assert _rejects(result) == [(3, None, "bad_encoding")]
    assert result.accepted_count == 2


def test_one_bad_row_among_ten_thousand(store):
    events = list(generate(10_000, seed=3, prefix="big"))
    events[6_789]["latitude"] = 95.0
    result = preview(_native(*events), "big.csv", store)
    assert _rejects(result) == [(6_791, "latitude", "latitude_out_of_range")]
    assert result.accepted_count == 9_999
    commit(store, result)
    assert store.summary(EventQuery()).count == 9_999


def test_configured_area():
    result = preview(_native(make_event(1), make_event(2, latitude=48.85, longitude=2.35)), "area.csv",
                     area=Area(south=32.0, west=35.5, north=37.5, east=42.5))
    assert _rejects(result) == [(3, "latitude", "outside_configured_area")]


def test_strict_mode_stores_nothing(store):
    result = preview(_native(make_event(1), make_event(2, event_type="Skirmish")), "strict.csv", store)
    with pytest.raises(StrictImportRefused):
        commit(store, result, strict=True)
    assert store.summary(EventQuery()).count == 0


def _imported(store, data: bytes, name: str, route: str, folder):
    """Import by one of the two routes: preview then commit, or by path
    (checked in the store's staging connection)."""
    if route == "preview":
        result = preview(data, name, store)
        return result, commit(store, result)
    path = folder / name
    path.write_bytes(data)
    return import_path(store, path)


@pytest.mark.parametrize("route", ["preview", "path"])
def test_shuffled_copy_with_one_newer_row_replaces_exactly_that_row(store, route, tmp_path):
    events = [make_event(i, timestamp=1000, fatalities=i) for i in range(1, 21)]
    _imported(store, _native(*events), "v1.csv", route, tmp_path)
    edited = [dict(e) for e in events]
    random.Random(5).shuffle(edited)
    target = next(e for e in edited if e["event_id"] == "test:7")
    target.update(fatalities=70, timestamp=2000)
    result, batch = _imported(store, _native(*edited), "v2.csv", route, tmp_path)
    assert (result.accepted_count, result.duplicates, result.replaced_ids) == (1, 19, ["test:7"])
    stored = {e["event_id"]: e["fatalities"] for e in store.iter_events(EventQuery())}
    assert stored == {f"test:{i}": (70 if i == 7 else i) for i in range(1, 21)}
    # Undoing the second import brings the replaced version back.
    assert store.undo_batch(batch.batch_id) == 1
    stored = {e["event_id"]: e["fatalities"] for e in store.iter_events(EventQuery())}
    assert stored == {f"test:{i}": i for i in range(1, 21)}


@pytest.mark.parametrize("route", ["preview", "path"])
def test_same_file_twice_adds_nothing_and_says_so(store, route, tmp_path):
    data = _native(*[make_event(i, timestamp=1000) for i in range(1, 6)])
    _imported(store, data, "a.csv", route, tmp_path)
    again, batch = _imported(store, data, "a.csv", route, tmp_path)
    assert (again.accepted_count, again.duplicates, batch.skipped) == (0, 5, 5)
    assert [(s.line, s.reason.value) for s in again.skipped] == [(n, "id_already_stored") for n in range(2, 7)]
    assert store.summary(EventQuery()).count == 5


def test_undo_removes_the_batch(store):
    batch = commit(store, preview(_native(make_event(1), make_event(2)), "u.csv", store))
    assert list(store.batches()[["file_name", "rows"]].itertuples(index=False, name=None)) == [("u.csv", 2)]
    assert store.undo_batch(batch.batch_id) == 2
    assert store.summary(EventQuery()).count == 0
    assert store.batches().empty


def test_progress_is_reported():
    seen = []
    preview(_native(make_event(1)), "p.csv", progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_rows_without_timestamp_are_skipped_not_duplicated(store):
    data = _native(make_event(1), make_event(2))  # no timestamp: never newer
    commit(store, preview(data, "a.csv", store))
    again = preview(data, "a.csv", store)
    assert (again.accepted_count, again.duplicates) == (0, 2)
    commit(store, again)
    assert store.summary(EventQuery()).count == 2


def test_utf8_arabic_with_one_stray_byte_stays_utf8():
    data = _native(make_event(1, notes="حماة"), make_event(2), make_event(3, notes="ريف")).replace(
        b'"test:2"', b'"test:\xe92"')
    result = preview(data, "mixed.csv")
    assert result.encoding == "utf-8 with undecodable bytes"
    assert _rejects(result) == [(3, None, "bad_encoding")]
    assert [r["notes"] for r in result.accepted.to_pylist()] == ["حماة", "ريف"]


def test_a_real_replacement_character_in_utf8_is_kept():
    result = preview(_native(make_event(1, notes="broken \ufffd glyph")), "ok.csv")
    assert (result.rejected, result.accepted.to_pylist()[0]["notes"]) == ([], "broken \ufffd glyph")


@pytest.mark.parametrize("column, value, reason", [
    ("fatalities", "2.7", "bad_fatalities"),
    ("fatalities", "0x10", "bad_fatalities"),
    ("event_date", "infinity", "bad_date"),
    ("time_precision", "1.4", "bad_value"),
    ("created_at", "garbage", "bad_date"),
])
def test_values_are_not_rounded_or_guessed(column, value, reason):
    text = native_csv([make_event(1)])
    header, row = text.split("\r\n")[:2]
    cells = row.split('","')
    cells[header.split(",").index(f'"{column}"')] = value
    data = (header + "\r\n" + '","'.join(cells) + "\r\n").encode()
    assert _rejects(preview(data, "v.csv")) == [(2, column, reason)]


def test_codes_are_trimmed_and_free_text_is_kept_as_written():
    text = (FORMATS / "acled_current.csv").read_text(encoding="utf-8")
    padded = text.replace(",Explosions/Remote violence,Air/drone strike,",
                          ", Explosions/Remote violence , Air/drone strike,", 1)
    padded = padded.replace(",Test outlet,National,Fixture row written by us; not ACLED data.,10,",
                            ", Test outlet,National ,  Fixture row written by us; not ACLED data. , 10 ,", 1)
    assert padded != text
    row = preview(padded.encode(), "padded.csv").accepted.to_pylist()[0]
    assert (row["event_id"], row["event_type"], row["sub_event_type"], row["fatalities"]) == (
        "acled:SYR900001", "Explosions/Remote violence", "Air/drone strike", 10)
    assert (row["source"], row["source_scale"], row["notes"]) == (
        " Test outlet", "National ", "  Fixture row written by us; not ACLED data. ")


def test_an_empty_source_id_is_missing_not_namespaced():
    text = (FORMATS / "acled_current.csv").read_text(encoding="utf-8").replace("SYR900002,", ",", 1)
    assert (3, "event_id_cnty", "missing_value") in _rejects(preview(text.encode(), "noid.csv"))


def test_no_record_is_lost():
    text = native_csv([make_event(1), make_event(2)])
    header, first, second = text.split("\r\n")[:3]
    empty = ",".join(['""'] * len(header.split(",")))
    broken = first.replace('"test:1"', '"test:9', 1)  # quote left open to the end of the file
    data = "\r\n".join([header, second, empty, broken, first, ""]).encode()
    result = preview(data, "lossless.csv")
    lines = {p.line for p in result.rejected}
    assert result.accepted_count + len(lines) == result.rows_read == 4
    assert (3, "event_id", "missing_value") in _rejects(result)
    assert (4, None, "unterminated_quote") in _rejects(result)
    assert [r["event_id"] for r in result.accepted.to_pylist()] == ["test:2", "test:1"]


def test_empty_text_round_trips_apart_from_unset(store):
    store.insert([make_event(1, notes="", location=None)], Batch("b", "native"))
    [back] = preview(native_csv(store.iter_events(EventQuery())).encode(), "e.csv").accepted.to_pylist()
    assert (back["notes"], back["location"]) == ("", None)


@pytest.mark.parametrize("first, second", [("preview", "preview"), ("path", "path"), ("preview", "path"),
                                           ("path", "preview")])
def test_undo_in_the_wrong_order_is_refused(store, first, second, tmp_path):
    from events.exc import StoreError

    _, v1 = _imported(store, _native(make_event(1, timestamp=1), make_event(2)), "v1.csv", first, tmp_path)
    _, v2 = _imported(store, _native(make_event(1, timestamp=2, notes="newer")), "v2.csv", second, tmp_path)
    notes = {e["event_id"]: e["notes"] for e in store.iter_events(EventQuery())}
    assert (sorted(notes), notes["test:1"]) == (["test:1", "test:2"], "newer")
    with pytest.raises(StoreError, match="Undo first"):
        store.undo_batch(v1.batch_id)
    assert store.undo_batch(v2.batch_id) == 1
    assert store.undo_batch(v1.batch_id) == 2
    assert store.summary(EventQuery()).count == 0
    with pytest.raises(StoreError, match="no batch"):
        store.undo_batch(v1.batch_id)


def test_a_long_statement_reports_duckdbs_progress_to_the_calling_thread():
    import threading

    import duckdb

    from events.fast_reading import execute_reporting

    con, seen = duckdb.connect(), []
    # Should DuckDB never report progress, the test fails rather than count to 10^10.
    timer = threading.Timer(60, con.interrupt)
    timer.start()

    def report(done):
        seen.append((done, threading.current_thread() is threading.main_thread()))
        con.interrupt()  # once heard from, the test has what it needs

    with pytest.raises(duckdb.InterruptException):
        execute_reporting(con, "SELECT count(*) FROM range(10000000000) WHERE random() < 0", {}, report)
    timer.cancel()
    assert seen and all(0.0 <= done <= 1.0 and on_main_thread for done, on_main_thread in seen)


def test_undo_in_the_wrong_order_names_the_imports_to_undo_first(store, tmp_path):
    from events.exc import UndoOrderError

    _, v1 = _imported(store, _native(make_event(1, timestamp=1), make_event(2)), "v1.csv", "preview", tmp_path)
    _, v2 = _imported(store, _native(make_event(1, timestamp=2)), "v2.csv", "preview", tmp_path)
    _, v3 = _imported(store, _native(make_event(1, timestamp=3)), "v3.csv", "path", tmp_path)
    with pytest.raises(UndoOrderError) as refused:
        store.undo_batch(v1.batch_id)
    # Newest first: v3 replaced v2's row, which replaced v1's.
    assert refused.value.first == [v3.batch_id, v2.batch_id]
    message = str(refused.value)
    assert "v3.csv" in message and "v2.csv" in message and message.index(v3.batch_id) < message.index(v2.batch_id)
    assert store.summary(EventQuery()).count == 2  # nothing undone


def test_an_upload_records_the_coder_given_never_the_os_account(store, tmp_path):
    import getpass

    result = preview(_native(make_event(1)), "a.csv", store)
    assert commit(store, result).coder is None
    assert commit(store, preview(_native(make_event(2)), "b.csv", store), coder="Rana").coder == "Rana"
    path = tmp_path / "c.csv"
    path.write_bytes(_native(make_event(3)))
    assert import_path(store, path, coder="Samir")[1].coder == "Samir"
    assert getpass.getuser() not in set(store.batches()["coder"].dropna())


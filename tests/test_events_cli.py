import csv
import json
import os
import subprocess
import sys

import pytest

from events.native import native_csv
from tests.conftest import ROOT
from tests.helpers import make_event


def _cli(*args, env=None):
    """`python -m events ARGS`; `env` adds to (or, with None values, removes from) the environment."""
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if v is not None}
    return subprocess.run([sys.executable, "-m", "events", *args], cwd=ROOT, capture_output=True, text=True,
                          env=environment)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "events.duckdb"
    result = _cli("init", "--db", str(path))
    assert result.returncode == 0, result.stderr
    assert "2401 default events loaded" in result.stderr
    return str(path)


def _query(db, *filters):
    result = _cli("query", "--db", db, *filters, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_init_is_idempotent(demo_db):
    result = _cli("init", "--db", demo_db)
    assert result.returncode == 0
    assert "already holds events" in result.stderr
    assert _query(demo_db) == {"count": 2401, "fatalities": 3084}


@pytest.mark.parametrize(
    "filters, expected",
    [
        (("--admin1", "Hama"), {"count": 237, "fatalities": 248}),
        (("--admin1", "Hama", "--admin1", "Idleb"), {"count": 438, "fatalities": 438}),
        (("--type", "Explosions/Remote violence", "--from", "2024-01-01", "--to", "2024-03-31"),
         {"count": 181, "fatalities": 240}),
        (("--min-fatalities", "50"), {"count": 3, "fatalities": 299}),
        (("--text", "Arab 48"), {"count": 1, "fatalities": 10}),
        (("--status", "draft"), {"count": 0, "fatalities": 0}),
        (("--from", "2030-01-01"), {"count": 0, "fatalities": 0}),
    ],
)
def test_query(demo_db, filters, expected):
    assert _query(demo_db, *filters) == expected


def test_bad_filter_value_exits_2_with_a_message(demo_db):
    result = _cli("query", "--db", demo_db, "--from", "16/03/2024", "--json")
    assert result.returncode == 2
    assert "cannot read filter date_from='16/03/2024'" in result.stderr


def test_export_writes_the_filtered_set(demo_db, tmp_path):
    out = tmp_path / "hama.csv"
    result = _cli("export", "--db", demo_db, "--out", str(out), "--admin1", "Hama", "--text", "Arab 48")
    assert result.returncode == 0, result.stderr
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["event_id"], r["admin1"], r["fatalities"], r["source"]) for r in rows] == [
        ("coded:seed-arab48-20240316", "Hama", "10", "Arab 48")]


def test_import_reports_rejects_with_lines(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(native_csv([make_event(1), make_event(2, latitude=95.0), make_event(3)]), encoding="utf-8")
    db = str(tmp_path / "events.duckdb")
    result = _cli("import", str(path), "--db", db, "--json")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["rows_read"], out["accepted"], out["committed"]) == (3, 2, True)
    assert out["rejected"] == [{"line": 3, "column": "latitude", "reason": "latitude_out_of_range",
                                "message": "latitude 95.0 is outside -90..90"}]
    assert _query(db) == {"count": 2, "fatalities": 20}


def test_import_cli_exit_codes_and_report(tmp_path):
    from tests.conftest import FIXTURES

    db = str(tmp_path / "events.duckdb")
    fixture = str(FIXTURES / "formats" / "acled_current.csv")
    strict = _cli("import", fixture, "--db", db, "--strict", "--json")
    assert strict.returncode == 1
    assert json.loads(strict.stdout)["committed"] is False
    dry = _cli("import", fixture, "--db", db, "--dry-run", "--json")
    assert dry.returncode == 0
    out = json.loads(dry.stdout)
    assert (out["format"], out["rows_read"], out["accepted"], out["committed"], out["batch_id"]) == (
        "acled", 8, 3, False, None)
    assert [(r["line"], r["reason"]) for r in out["rejected"]] == [
        (5, "latitude_out_of_range"), (6, "unknown_event_type"), (8, "bad_date"), (9, "bad_fatalities"),
        (10, "duplicate_id_in_file")]
    assert _query(db) == {"count": 0, "fatalities": 0}
    first = json.loads(_cli("import", fixture, "--db", db, "--json").stdout)
    second = json.loads(_cli("import", fixture, "--db", db, "--json").stdout)
    assert (first["accepted"], first["duplicates"], second["accepted"], second["duplicates"]) == (3, 0, 0, 3)
    assert second["skipped"] == [{"line": 2, "reason": "id_already_stored"}, {"line": 3, "reason": "id_already_stored"},
                                 {"line": 7, "reason": "id_already_stored"}]
    assert _query(db) == {"count": 3, "fatalities": 11}
    undo = _cli("undo", first["batch_id"], "--db", db)
    assert undo.returncode == 0 and "3 events removed" in undo.stderr
    missing = _cli("import", str(tmp_path / "nope.csv"), "--db", db, "--json")
    assert missing.returncode == 2 and "error:" in missing.stderr
    (tmp_path / "odd.csv").write_text("a,b\n1,2\n")
    odd = _cli("import", str(tmp_path / "odd.csv"), "--db", db, "--json")
    assert odd.returncode == 2 and "unknown format" in odd.stderr


def test_export_formats_and_the_acled_warning(tmp_path):
    from tests.conftest import FIXTURES

    db = str(tmp_path / "events.duckdb")
    assert _cli("import", str(FIXTURES / "formats" / "acled_current.csv"), "--db", db, "--json").returncode == 0
    out = tmp_path / "acled.csv"
    result = _cli("export", "--db", db, "--out", str(out), "--format", "acled")
    assert result.returncode == 0
    assert "warning: 3 exported row(s) come from ACLED: ACLED's terms of use forbid" in result.stderr
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first = next(r for r in rows if r["event_id_cnty"] == "SYR900001")
    assert {k: first[k] for k in ("year", "interaction", "iso", "region", "admin1", "fatalities")} == {
        "year": "2024", "interaction": "State forces-Political militia", "iso": "760", "region": "Middle East",
        "admin1": "Hama", "fatalities": "10"}
    geo = tmp_path / "events.geojson"
    assert _cli("export", "--db", db, "--out", str(geo), "--format", "geojson").returncode == 0
    collection = json.loads(geo.read_text(encoding="utf-8"))
    point = next(f for f in collection["features"] if f["properties"]["event_id"] == "acled:SYR900002")
    assert point["geometry"] == {"type": "Point", "coordinates": [36.8059, 35.8645]}
    assert point["properties"]["notes"] == "Two lines\nof notes, بالعربية"


def test_origin_filter_and_configured_area(tmp_path):
    from tests.conftest import FIXTURES

    db = str(tmp_path / "events.duckdb")
    fixture = str(FIXTURES / "formats" / "acled_current.csv")
    out = json.loads(_cli("import", fixture, "--db", db, "--area", "35.5,35.5,37.5,42.5", "--json").stdout)
    assert [(r["line"], r["reason"]) for r in out["rejected"]][:2] == [(2, "outside_configured_area"),
                                                                     (5, "latitude_out_of_range")]
    assert out["accepted"] == 1  # only Saraqib lies north of 35.5
    assert _query(db, "--origin", "acled") == {"count": 1, "fatalities": 0}
    assert _query(db, "--origin", "ucdp") == {"count": 0, "fatalities": 0}
    bad = _cli("import", fixture, "--db", db, "--area", "north", "--json")
    assert bad.returncode == 2 and "SOUTH,WEST,NORTH,EAST" in bad.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("query",),
        ("export", "--out", "{tmp}/out.csv"),
        ("batches",),
        ("undo", "import-1"),
        ("places", "--out", "{tmp}/places.csv"),
        ("add-place", "Tell Abyad", "--lat", "36.69", "--lon", "38.95"),
    ],
)
def test_only_init_and_import_create_a_store(tmp_path, command):
    db = tmp_path / "mistyped.duckdb"
    args = [part.replace("{tmp}", str(tmp_path)) for part in command]
    for result in (_cli(*args, "--db", str(db)), _cli(*args, env={"EVENTS_DB": str(db), "EVENTS_DSN": None})):
        assert result.returncode == 2
        assert f"error: no event store at {db}" in result.stderr
    assert os.listdir(tmp_path) == []


def test_a_failed_export_leaves_the_target_untouched(demo_db, tmp_path):
    keep = tmp_path / "keep.csv"
    keep.write_text("precious\n", encoding="utf-8")
    failed = _cli("export", "--db", demo_db, "--out", str(keep), "--from", "16/03/2024")
    assert failed.returncode == 2 and "cannot read filter date_from" in failed.stderr
    assert keep.read_text(encoding="utf-8") == "precious\n"
    assert os.listdir(tmp_path) == ["keep.csv"]
    done = _cli("export", "--db", demo_db, "--out", str(keep), "--text", "Arab 48")
    assert done.returncode == 0, done.stderr
    assert keep.read_text(encoding="utf-8").startswith('"event_id",')
    assert os.listdir(tmp_path) == ["keep.csv"]


@pytest.mark.parametrize(
    "command, says",
    [
        (("query", "--db", "{demo}", "--from", "16/03/2024"), "cannot read filter date_from='16/03/2024'"),
        (("query", "--db", "{demo}", "--status", "final"), "invalid choice: 'final'"),
        (("export", "--db", "{demo}", "--out", "{tmp}/x.csv", "--from", "16/03/2024"), "cannot read filter"),
        (("import", "{tmp}/nope.csv", "--db", "{tmp}/events.duckdb"), "nope.csv"),
        (("import", "{fixture}", "--db", "{tmp}/events.duckdb", "--area", "nan,0,1,1"), "--area"),
        (("batches", "--db", "{tmp}/missing.duckdb"), "no event store at"),
        (("undo", "import-1", "--db", "{demo}"), "there is no batch import-1"),
        (("places", "--db", "{tmp}/missing.duckdb", "--out", "{tmp}/p.csv"), "no event store at"),
        (("add-place", "X", "--lat", "35", "--lon", "36", "--db", "{tmp}/missing.duckdb"), "no event store at"),
        (("init", "--dsn", "postgresql://127.0.0.1:9/events"), "cannot connect to the event store"),
        (("generate", "--count", "3", "--out", "{tmp}/no/such/dir/x.csv"), "x.csv"),
    ],
)
def test_with_json_a_failure_prints_an_error_object(demo_db, tmp_path, command, says):
    from tests.conftest import FIXTURES

    fill = {"{demo}": demo_db, "{tmp}": str(tmp_path), "{fixture}": str(FIXTURES / "formats" / "acled_current.csv")}
    args = []
    for part in command:
        for key, value in fill.items():
            part = part.replace(key, value)
        args.append(part)
    result = _cli(*args, "--json")
    assert result.returncode == 2
    error = json.loads(result.stdout)
    assert list(error) == ["error"] and says in error["error"]
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def _json(*args):
    """The JSON report of a command that must succeed."""
    result = _cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_subcommand_reports_as_json(tmp_path):
    db = str(tmp_path / "events.duckdb")
    events = tmp_path / "events.csv"
    made = _json("generate", "--count", "3", "--seed", "1", "--out", str(events), "--json")
    assert made == {"out": str(events), "written": 3}
    demo = str(tmp_path / "demo.duckdb")
    assert _json("init", "--db", demo, "--json") == {"store": demo, "loaded": 2401}
    assert _json("init", "--db", demo, "--json") == {"store": demo, "loaded": 0}
    batch = _json("import", str(events), "--db", db, "--json")["batch_id"]
    assert _json("undo", batch, "--db", db, "--json") == {"batch_id": batch, "removed": 3}
    place = _json("add-place", "Tell Abyad", "--lat", "36.69", "--lon", "38.95", "--db", db, "--json")
    assert place == {"name": "Tell Abyad", "latitude": 36.69, "longitude": 38.95, "aliases": []}
    places = _json("places", "--db", db, "--out", str(tmp_path / "p.csv"), "--json")
    assert places["out"] == str(tmp_path / "p.csv") and places["written"] >= 1
    out = str(tmp_path / "hama.csv")
    exported = _json("export", "--db", demo, "--out", out, "--text", "Arab 48", "--json")
    assert exported == {"out": out, "written": 1, "warnings": []}


def test_an_empty_file_to_import_says_so(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = _cli("import", str(empty), "--db", str(tmp_path / "events.duckdb"))
    assert result.returncode == 2
    assert "error: empty.csv: the file is empty" in result.stderr
    assert "unknown format" not in result.stderr


@pytest.mark.parametrize("area, says", [
    ("nan,0,1,1", "south must be a finite number, not nan"),
    ("1,2,3", "must be four numbers SOUTH,WEST,NORTH,EAST"),
    ("10,0,5,1", "south (10.0) is north of north (5.0)"),
    ("0,170,1,-170", "across the antimeridian is not supported"),
    ("0,0,100,1", "north must be within -90..90"),
])
def test_a_bad_area_is_refused_with_a_sentence(tmp_path, area, says):
    from tests.conftest import FIXTURES

    fixture = str(FIXTURES / "formats" / "acled_current.csv")
    db = str(tmp_path / "events.duckdb")
    for result, setting in ((_cli("import", fixture, "--db", db, "--area", area), "--area"),
                            (_cli("import", fixture, "--db", db, env={"EVENTS_AREA": area}), "EVENTS_AREA")):
        assert result.returncode == 2
        assert f"error: {setting}" in result.stderr and says in result.stderr
        assert "Traceback" not in result.stderr


def test_events_area_is_the_default_and_the_flag_wins(tmp_path):
    from tests.conftest import FIXTURES

    fixture = str(FIXTURES / "formats" / "acled_current.csv")
    db = str(tmp_path / "events.duckdb")
    syria = {"EVENTS_AREA": "35.5,35.5,37.5,42.5"}
    out = json.loads(_cli("import", fixture, "--db", db, "--dry-run", "--json", env=syria).stdout)
    assert (out["rejected"][0]["reason"], out["accepted"]) == ("outside_configured_area", 1)
    world = json.loads(_cli("import", fixture, "--db", db, "--dry-run", "--json", "--area=-90,-180,90,180",
                            env=syria).stdout)
    assert world["accepted"] == 3

import csv
import json
import subprocess
import sys

import pytest

from events.native import native_csv
from tests.conftest import ROOT
from tests.helpers import make_event


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "events", *args], cwd=ROOT, capture_output=True, text=True)


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

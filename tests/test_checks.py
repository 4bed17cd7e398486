"""The configured area: read once in the core, checked, bound into the SQL checks."""

import math

import pytest

from events import checks
from events.checks import Area
from events.coding import CodedEventError, save_coded
from events.exc import ConfigurationError
from events.filters import EventQuery
from events.importer import import_path, preview
from events.native import native_csv
from events.validate import Reason, validate_event
from tests.helpers import make_event

SYRIA = "32.0,35.5,37.5,42.5"
PARIS = {"latitude": 48.85, "longitude": 2.35}


def _outside(problems):
    return [p.reason for p in problems if p.reason is Reason.OUTSIDE_AREA]


def test_without_events_area_the_area_is_the_world(monkeypatch):
    monkeypatch.delenv("EVENTS_AREA", raising=False)
    assert Area.from_environment() == Area()


def test_events_area_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("EVENTS_AREA", " 32, 35.5 ,37.5,42.5 ")
    assert Area.from_environment() == Area(32.0, 35.5, 37.5, 42.5)


@pytest.mark.parametrize(
    "text, says",
    [
        ("nan,0,1,1", "south must be a finite number"),
        ("0,inf,1,1", "west must be a finite number"),
        ("1,2,3", "four numbers"),
        ("1,2,3,4,5", "four numbers"),
        ("a,b,c,d", "four numbers"),
        ("", "four numbers"),
        ("91,0,92,1", "south must be within -90..90"),
        ("0,-181,1,1", "west must be within -180..180"),
        ("10,0,5,1", "south (10.0) is north of north (5.0)"),
        ("0,170,1,-170", "across the antimeridian"),
    ],
)
def test_a_bad_area_is_refused_with_a_sentence(text, says):
    with pytest.raises(ConfigurationError, match="--area") as caught:
        Area.parse(text, "--area")
    assert says in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_a_bad_events_area_names_the_variable(monkeypatch):
    monkeypatch.setenv("EVENTS_AREA", "nan,0,1,1")
    with pytest.raises(ConfigurationError, match="EVENTS_AREA 'nan,0,1,1': south must be a finite number"):
        Area.from_environment()


def test_an_area_made_in_code_is_checked_too():
    with pytest.raises(ConfigurationError):
        Area(south=math.nan)
    with pytest.raises(ConfigurationError):
        Area(south=10.0, north=5.0)


def test_the_area_enters_the_sql_as_bound_parameters():
    sql = checks.failed_sql() + " ".join(message for *_, message in checks.checks())
    assert all(f"${name}" in sql for name in Area().params())
    area = Area(31.123456, 35.654321, 37.987654, 42.192837)
    assert area.params() == {"area_south": 31.123456, "area_west": 35.654321, "area_north": 37.987654,
                             "area_east": 42.192837}


def test_the_message_still_quotes_the_area():
    [problem] = validate_event(make_event(**PARIS), Area(32.0, 35.5, 37.5, 42.5))
    assert problem.message == "the point 48.85, 2.35 is outside the configured area (32.0..37.5, 35.5..42.5)"


def test_preview_uses_events_area_by_default(monkeypatch):
    """The Upload page calls preview without an area."""
    data = native_csv([make_event(1), make_event(2, **PARIS)]).encode("utf-8")
    monkeypatch.setenv("EVENTS_AREA", SYRIA)
    result = preview(data, "area.csv")
    assert [(p.line, p.reason) for p in result.rejected] == [(3, Reason.OUTSIDE_AREA)]
    assert result.accepted_count == 1
    monkeypatch.delenv("EVENTS_AREA")
    assert preview(data, "area.csv").accepted_count == 2


def test_import_path_uses_events_area_by_default(monkeypatch, store, tmp_path):
    path = tmp_path / "area.csv"
    path.write_text(native_csv([make_event(1), make_event(2, **PARIS)]), encoding="utf-8")
    monkeypatch.setenv("EVENTS_AREA", SYRIA)
    result, _ = import_path(store, path)
    assert [(p.line, p.reason) for p in result.rejected] == [(3, Reason.OUTSIDE_AREA)]
    assert store.summary(EventQuery()).count == 1


def test_an_explicit_area_wins_over_events_area(monkeypatch):
    monkeypatch.setenv("EVENTS_AREA", SYRIA)
    assert validate_event(make_event(**PARIS), Area()) == []


def test_coded_events_are_held_to_events_area(monkeypatch, store):
    monkeypatch.setenv("EVENTS_AREA", SYRIA)
    assert _outside(validate_event(make_event(**PARIS))) == [Reason.OUTSIDE_AREA]
    with pytest.raises(CodedEventError, match="outside the configured area"):
        save_coded(store, make_event(**PARIS))
    assert store.summary(EventQuery()).count == 0
    save_coded(store, make_event(2))
    assert store.summary(EventQuery()).count == 1


def test_a_bad_events_area_stops_a_preview_with_the_sentence(monkeypatch):
    monkeypatch.setenv("EVENTS_AREA", "10,0,5,1")
    with pytest.raises(ConfigurationError, match="EVENTS_AREA"):
        preview(native_csv([make_event(1)]).encode("utf-8"), "area.csv")

import datetime as dt

import pytest

from events.validate import Reason, validate_event
from tests.helpers import make_event


def test_a_valid_event_has_no_problems():
    assert validate_event(make_event()) == []


@pytest.mark.parametrize(
    "fields, column, reason",
    [
        ({"event_date": None}, "event_date", Reason.MISSING_VALUE),
        ({"latitude": 95.0}, "latitude", Reason.LATITUDE_RANGE),
        ({"longitude": -181.0}, "longitude", Reason.LONGITUDE_RANGE),
        ({"event_type": "Skirmish"}, "event_type", Reason.UNKNOWN_EVENT_TYPE),
        ({"sub_event_type": "Armed clash"}, "sub_event_type", Reason.SUB_TYPE_MISMATCH),
        ({"fatalities": -1}, "fatalities", Reason.BAD_FATALITIES),
        ({"fatalities": "ten"}, "fatalities", Reason.BAD_FATALITIES),  # negative or non-numeric: one reason
        ({"admin1": "Hamah"}, "admin1", Reason.UNKNOWN_ADMIN1),
        ({"location": "x" * 1001}, "location", Reason.TOO_LONG),
        ({"event_date_end": dt.date(2024, 3, 1)}, "event_date_end", Reason.BAD_DATE),
        ({"status": "final"}, "status", Reason.BAD_VALUE),
    ],
)
def test_each_problem_has_its_reason(fields, column, reason):
    assert [(p.column, p.reason) for p in validate_event(make_event(**fields))] == [(column, reason)]


def test_problems_are_collected_not_stopped_at_the_first():
    problems = validate_event(make_event(latitude=95.0, event_type="Skirmish", fatalities=-2))
    assert [p.reason for p in problems] == [Reason.LATITUDE_RANGE, Reason.UNKNOWN_EVENT_TYPE, Reason.BAD_FATALITIES]

"""Validation of events against the schema and the ACLED taxonomy.

Problems are collected, never raised one at a time: a caller gets every
reason an event fails, each with a reason code from `Reason`, the way
pandera reports lazy validation.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from geo.admin import canonical_admin1

from . import taxonomy
from .schema import (
    DATE,
    FIELDS,
    GEO_PRECISIONS,
    INTEGER,
    REAL,
    STATUSES,
    TIME_PRECISIONS,
)


class Reason(str, enum.Enum):
    """Why a row was refused or skipped; the values are what reports print."""

    MISSING_COLUMN = "missing_required_column"
    MISSING_VALUE = "missing_value"
    BAD_VALUE = "bad_value"
    BAD_DATE = "bad_date"
    LATITUDE_RANGE = "latitude_out_of_range"
    LONGITUDE_RANGE = "longitude_out_of_range"
    OUTSIDE_AREA = "outside_configured_area"
    UNKNOWN_EVENT_TYPE = "unknown_event_type"
    SUB_TYPE_MISMATCH = "sub_event_type_not_under_event_type"
    BAD_FATALITIES = "bad_fatalities"
    UNKNOWN_ADMIN1 = "unknown_admin1"
    TOO_LONG = "field_too_long"
    DUPLICATE_IN_FILE = "duplicate_id_in_file"
    ALREADY_STORED = "id_already_stored"
    BAD_ENCODING = "bad_encoding"
    WRONG_FIELD_COUNT = "wrong_number_of_fields"
    UNTERMINATED_QUOTE = "unterminated_quote"
    NOT_VIOLENT = "not_violent"


@dataclass(frozen=True)
class Problem:
    """One reason one event (or one file line) was refused."""

    column: str | None
    reason: Reason
    message: str
    line: int | None = None
    raw: str | None = None  # the record as written in the file


def validate_event(event: dict) -> list[Problem]:
    """Every problem with `event` (a dict of parsed values); [] when it is valid."""
    problems: list[Problem] = []
    for field in FIELDS:
        value = event.get(field.name)
        if value is None or value == "":
            if field.required:
                problems.append(Problem(field.name, Reason.MISSING_VALUE, f"{field.name} is required"))
            continue
        if field.kind == INTEGER and not isinstance(value, int):
            problems.append(Problem(field.name, Reason.BAD_VALUE, f"{field.name} must be a whole number"))
        elif field.kind == REAL and not isinstance(value, (int, float)):
            problems.append(Problem(field.name, Reason.BAD_VALUE, f"{field.name} must be a number"))
        elif field.kind == DATE and not isinstance(value, dt.date):
            problems.append(Problem(field.name, Reason.BAD_DATE, f"{field.name} must be a date"))
        elif field.max_length and isinstance(value, str) and len(value) > field.max_length:
            problems.append(
                Problem(field.name, Reason.TOO_LONG, f"{field.name} is longer than {field.max_length} characters")
            )
    if problems:
        return problems
    return _check_meaning(event)


def _check_meaning(event: dict) -> list[Problem]:
    problems: list[Problem] = []
    latitude, longitude = event["latitude"], event["longitude"]
    if not -90 <= latitude <= 90:
        problems.append(Problem("latitude", Reason.LATITUDE_RANGE, f"latitude {latitude} is outside -90..90"))
    if not -180 <= longitude <= 180:
        problems.append(Problem("longitude", Reason.LONGITUDE_RANGE, f"longitude {longitude} is outside -180..180"))
    event_type, sub_event_type = event["event_type"], event["sub_event_type"]
    if event_type not in taxonomy.event_types():
        problems.append(Problem("event_type", Reason.UNKNOWN_EVENT_TYPE, f"unknown event type {event_type!r}"))
    elif sub_event_type not in taxonomy.sub_event_types(event_type):
        problems.append(
            Problem(
                "sub_event_type",
                Reason.SUB_TYPE_MISMATCH,
                f"{sub_event_type!r} is not a sub-event type of {event_type!r}",
            )
        )
    for name in ("fatalities", "fatalities_low", "fatalities_high"):
        if event.get(name) is not None and event[name] < 0:
            problems.append(Problem(name, Reason.BAD_FATALITIES, f"{name} cannot be negative"))
    if event["time_precision"] not in TIME_PRECISIONS:
        problems.append(Problem("time_precision", Reason.BAD_VALUE, "time_precision must be 1, 2 or 3"))
    if event["geo_precision"] not in GEO_PRECISIONS:
        problems.append(Problem("geo_precision", Reason.BAD_VALUE, "geo_precision must be 1, 2 or 3"))
    if event["status"] not in STATUSES:
        problems.append(Problem("status", Reason.BAD_VALUE, f"status must be one of {', '.join(STATUSES)}"))
    end = event.get("event_date_end")
    if end is not None and end < event["event_date"]:
        problems.append(Problem("event_date_end", Reason.BAD_DATE, "event_date_end is before event_date"))
    admin1 = event.get("admin1")
    if admin1 and event.get("country") == "Syria" and canonical_admin1(admin1) != admin1:
        problems.append(
            Problem("admin1", Reason.UNKNOWN_ADMIN1, f"{admin1!r} is not a canonical Syrian governorate name")
        )
    return problems

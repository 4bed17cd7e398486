"""Why a row or an event was refused: reason codes and the problem record.

Every refusal anywhere (import, coding, reading) is a `Problem` with a
`Reason`, collected rather than raised one at a time, the way pandera
reports lazy validation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Reason(enum.StrEnum):
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

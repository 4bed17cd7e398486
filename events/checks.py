"""Validation of a whole file's rows at once, in SQL.

The rows arrive as text in a table `mapped` (one column per schema field
plus `_line`, the physical line). Each check is one row below: an SQL
condition that is true for a bad row, the field it is about, the reason
code, and the message (an SQL expression, so it can quote the value).
The same checks type the accepted rows, so what is validated is exactly
what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from .schema import DATE, FIELDS, GEO_PRECISIONS, INTEGER, REAL, STATUSES, TIME_PRECISIONS
from .validate import Reason


@dataclass(frozen=True)
class Area:
    """The configured area: rows outside it are refused. Default: the world."""

    south: float = -90.0
    west: float = -180.0
    north: float = 90.0
    east: float = 180.0


_SQL_TYPES = {INTEGER: "BIGINT", REAL: "DOUBLE", DATE: "DATE"}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def checks(area: Area) -> list[tuple[str, str, Reason, str]]:
    """(condition, field, reason, message expression) for every check."""
    rows: list[tuple[str, str, Reason, str]] = []
    for f in FIELDS:
        name = f.name
        if f.required:
            rows.append((f"{name} IS NULL", name, Reason.MISSING_VALUE, _quote(f"{name} is required")))
        kind = _SQL_TYPES.get(f.kind)
        if kind:
            reason = (Reason.BAD_DATE if f.kind == DATE else
                      Reason.BAD_FATALITIES if name.startswith("fatalities") else Reason.BAD_VALUE)
            noun = {DATE: "a date (YYYY-MM-DD)", INTEGER: "a whole number", REAL: "a number"}[f.kind]
            rows.append((f"{name} IS NOT NULL AND TRY_CAST({name} AS {kind}) IS NULL", name, reason,
                         f"{_quote(f'{name} is not {noun}: ')} || {name}"))
        elif f.max_length:
            rows.append((f"length({name}) > {f.max_length}", name, Reason.TOO_LONG,
                         _quote(f"{name} is longer than {f.max_length} characters")))
    lat, lon = "TRY_CAST(latitude AS DOUBLE)", "TRY_CAST(longitude AS DOUBLE)"
    rows += [
        (f"NOT {lat} BETWEEN -90 AND 90", "latitude", Reason.LATITUDE_RANGE,
         "'latitude ' || latitude || ' is outside -90..90'"),
        (f"NOT {lon} BETWEEN -180 AND 180", "longitude", Reason.LONGITUDE_RANGE,
         "'longitude ' || longitude || ' is outside -180..180'"),
        (f"{lat} BETWEEN -90 AND 90 AND {lon} BETWEEN -180 AND 180 AND NOT ({lat} BETWEEN {area.south} AND "
         f"{area.north} AND {lon} BETWEEN {area.west} AND {area.east})", "latitude", Reason.OUTSIDE_AREA,
         f"'the point ' || latitude || ', ' || longitude || ' is outside the configured area "
         f"({area.south}..{area.north}, {area.west}..{area.east})'"),
        ("TRY_CAST(fatalities AS BIGINT) < 0", "fatalities", Reason.BAD_FATALITIES,
         "'fatalities cannot be negative: ' || fatalities"),
        ("event_type NOT IN (SELECT event_type FROM taxonomy)", "event_type", Reason.UNKNOWN_EVENT_TYPE,
         "'unknown event type: ' || event_type"),
        ("event_type IN (SELECT event_type FROM taxonomy) AND (event_type, sub_event_type) NOT IN "
         "(SELECT event_type, sub_event_type FROM taxonomy)", "sub_event_type", Reason.SUB_TYPE_MISMATCH,
         "'''' || sub_event_type || ''' is not a sub-event type of ''' || event_type || ''''"),
        (f"TRY_CAST(time_precision AS BIGINT) NOT IN {TIME_PRECISIONS}", "time_precision", Reason.BAD_VALUE,
         "'time_precision must be 1, 2 or 3, not ' || time_precision"),
        (f"TRY_CAST(geo_precision AS BIGINT) NOT IN {GEO_PRECISIONS}", "geo_precision", Reason.BAD_VALUE,
         "'geo_precision must be 1, 2 or 3, not ' || geo_precision"),
        (f"status NOT IN {STATUSES}", "status", Reason.BAD_VALUE, "'status must be draft or reviewed'"),
        ("TRY_CAST(event_date_end AS DATE) < TRY_CAST(event_date AS DATE)", "event_date_end", Reason.BAD_DATE,
         "'event_date_end is before event_date'"),
        ("country = 'Syria' AND admin1 IS NOT NULL AND admin1 NOT IN (SELECT admin1 FROM admin1_names)", "admin1",
         Reason.UNKNOWN_ADMIN1, "'not a Syrian governorate: ' || admin1"),
    ]
    return rows


def typed_select() -> str:
    """SELECT list casting every text field of `mapped` to its schema type."""
    parts = []
    for f in FIELDS:
        kind = _SQL_TYPES.get(f.kind) or ("TIMESTAMP" if f.kind == "timestamp" else None)
        parts.append(f"TRY_CAST({f.name} AS {kind}) AS {f.name}" if kind else f.name)
    return ", ".join(parts)

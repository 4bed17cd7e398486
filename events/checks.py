"""Validation of a whole file's rows at once, in SQL.

The rows arrive as text, one column per schema field. Each check is one
row below: an SQL condition that is true for a bad row, the field it is
about, the reason code, and the message (an SQL expression, so it can
quote the value).
The same checks type the accepted rows, so what is validated is exactly
what is stored.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import duckdb
import pyarrow as pa

from geo.admin import ADMIN1_NAMES

from . import taxonomy
from .exc import ConfigurationError, EventsError
from .problems import Problem, Reason
from .schema import (
    DATE,
    FIELD_NAMES,
    FIELDS,
    GEO_PRECISIONS,
    INTEGER,
    REAL,
    SQL_TYPES,
    STATUSES,
    TIME_PRECISIONS,
    TIMESTAMP,
    format_value,
)


@dataclass(frozen=True)
class Area:
    """The configured area: rows outside it are refused. Default: the world.

    Raises ConfigurationError unless the bounds are finite numbers of
    degrees with south <= north and west <= east: an area across the
    antimeridian is refused, as the checks compare longitudes as numbers.
    """

    south: float = -90.0
    west: float = -180.0
    north: float = 90.0
    east: float = 180.0

    def __post_init__(self) -> None:
        for name, limit in (("south", 90), ("west", 180), ("north", 90), ("east", 180)):
            value = getattr(self, name)
            try:
                value = float(value)
            except (TypeError, ValueError) as err:
                raise ConfigurationError(f"{name} must be a number of degrees, not {value!r}") from err
            if not math.isfinite(value):
                raise ConfigurationError(f"{name} must be a finite number, not {value}")
            if not -limit <= value <= limit:
                raise ConfigurationError(f"{name} must be within -{limit}..{limit}, not {value}")
            object.__setattr__(self, name, value)  # frozen; stored as float so that messages say 32.0
        if self.south > self.north:
            raise ConfigurationError(f"south ({self.south}) is north of north ({self.north})")
        if self.west > self.east:
            raise ConfigurationError(f"west ({self.west}) is east of east ({self.east}): an area across "
                                     "the antimeridian is not supported")

    @classmethod
    def parse(cls, text: str, setting: str = "the area") -> Area:
        """The area written SOUTH,WEST,NORTH,EAST in degrees; `setting` (the
        option or variable it came from) starts the ConfigurationError's message."""
        parts = text.split(",")
        try:
            if len(parts) != 4:
                raise ValueError
            south, west, north, east = (float(part) for part in parts)
        except ValueError as err:
            raise ConfigurationError(f"{setting} must be four numbers SOUTH,WEST,NORTH,EAST in degrees, "
                                     f"not {text!r}") from err
        try:
            return cls(south, west, north, east)
        except ConfigurationError as err:
            raise ConfigurationError(f"{setting} {text!r}: {err}") from err

    @classmethod
    def from_environment(cls) -> Area:
        """EVENTS_AREA (SOUTH,WEST,NORTH,EAST) when set, else the world: the
        default of every check that takes an area (imports, coded events).
        Read at each call, so a changed variable holds from the next check."""
        text = os.environ.get("EVENTS_AREA", "").strip()
        return cls.parse(text, "EVENTS_AREA") if text else cls()

    def params(self) -> dict[str, float]:
        """The bound parameters the checks' SQL names (`$area_south`, ...)."""
        return {"area_south": self.south, "area_west": self.west, "area_north": self.north,
                "area_east": self.east}


@cache
def _vocabularies() -> dict[str, pa.Table]:
    """The lookup tables the late checks read (the rest of the vocabulary is
    written into the SQL as CASE lookups: formats._lookup, _KNOWN_TYPE)."""
    return {"admin1_names": pa.table({"admin1": pa.array(ADMIN1_NAMES, pa.string())})}


def load_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    # TEMP tables, not registered Arrow: DuckDB cannot say how far a query
    # joining an Arrow scan has got, and an import reports that progress.
    for name, table in _vocabularies().items():
        con.register("vocabulary", table)
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM vocabulary")
        con.unregister("vocabulary")


# What a value must look like before it is cast: TRY_CAST alone would
# round 2.7 to 3, read 0x10 as 16 and accept "infinity" as a date.
_SHAPES = {
    # A whole number as pandas and R write it (2.0, -1.0) is one: one
    # to_csv() does that to every integer column with a blank in it.
    INTEGER: "[+-]?[0-9]+(\\.0*)?",
    DATE: "[0-9]{4}-[0-9]{2}-[0-9]{2}",
    TIMESTAMP: "[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?)?",
}


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _case(expression: str, pairs: Iterable[tuple[str, str]]) -> str:
    return f"CASE {expression} " + " ".join(f"WHEN {_quote(a)} THEN {_quote(b)}" for a, b in pairs) + " END"


# The taxonomy written into the checks, not joined: a join in the statement
# that reads a file may change the order of its rows, and rows are known by
# their place in the file (importer._Rows; tests/test_lines.py).
_KNOWN_TYPE = _case("event_type", ((t, t) for t in taxonomy.event_types()))
_TYPE_OF_SUB = _case("sub_event_type", ((s, taxonomy.event_type_of(s) or "") for s in taxonomy.sub_event_types()))


def checks() -> list[tuple[str, str, Reason, str]]:
    """(condition, field, reason, message expression) for every check. The
    configured area's bounds are parameters (`$area_south`, ...): a
    statement holding the area's check binds `Area.params()`."""
    rows: list[tuple[str, str, Reason, str]] = []
    for f in FIELDS:
        name = f.name
        if f.required:
            rows.append((f"{name} IS NULL", name, Reason.MISSING_VALUE, _quote(f"{name} is required")))
        kind = SQL_TYPES.get(f.kind)
        if kind:
            reason = (Reason.BAD_DATE if f.kind in (DATE, TIMESTAMP) else
                      Reason.BAD_FATALITIES if name.startswith("fatalities") else Reason.BAD_VALUE)
            noun = {DATE: "a date (YYYY-MM-DD)", TIMESTAMP: "a date and time", INTEGER: "a whole number",
                    REAL: "a number"}[f.kind]
            shape = f"NOT regexp_full_match(trim({name}), '{_SHAPES[f.kind]}') OR " if f.kind in _SHAPES else ""
            rows.append((f"{name} IS NOT NULL AND ({shape}TRY_CAST({name} AS {kind}) IS NULL)", name, reason,
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
        (f"{lat} BETWEEN -90 AND 90 AND {lon} BETWEEN -180 AND 180 AND NOT ({lat} BETWEEN $area_south AND "
         f"$area_north AND {lon} BETWEEN $area_west AND $area_east)", "latitude", Reason.OUTSIDE_AREA,
         "'the point ' || latitude || ', ' || longitude || ' is outside the configured area (' || "
         "CAST($area_south AS VARCHAR) || '..' || CAST($area_north AS VARCHAR) || ', ' || "
         "CAST($area_west AS VARCHAR) || '..' || CAST($area_east AS VARCHAR) || ')'"),
        (f"{_KNOWN_TYPE} IS NULL", "event_type", Reason.UNKNOWN_EVENT_TYPE,
         "'unknown event type: ' || event_type"),
        (f"{_KNOWN_TYPE} IS NOT NULL AND {_TYPE_OF_SUB} IS DISTINCT FROM event_type", "sub_event_type",
         Reason.SUB_TYPE_MISMATCH,
         "'''' || sub_event_type || ''' is not a sub-event type of ''' || event_type || ''''"),
        ("TRY_CAST(fatalities AS BIGINT) < 0", "fatalities", Reason.BAD_FATALITIES,
         "'fatalities cannot be negative: ' || fatalities"),
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


def typed_select(instead: dict[str, str] | None = None) -> str:
    """SELECT list casting every mapped text field to its schema type; the
    fields in `instead` get the SQL expression given there."""
    parts = []
    for f in FIELDS:
        kind = SQL_TYPES.get(f.kind)
        expression = (instead or {}).get(f.name) or (f"TRY_CAST({f.name} AS {kind})" if kind else f.name)
        parts.append(f"{expression} AS {f.name}")
    return ", ".join(parts)


def failed_sql(numbers: Iterable[int] | None = None) -> str:
    """An SQL expression over a row of mapped text fields: the checks it
    fails (of `checks()`; all, or those in `numbers`) as a BIGINT with
    bit n set when it fails check n, 0 when it fails none (`failed_bit`
    tests one). One pass over the rows evaluates every check; messages are
    made later, for the few failing rows only (`describe`).

    Bits, not a list: a list of one entry per check, made for every row,
    took a tenth of the time of a million-row import."""
    every_check = checks()
    if len(every_check) > 63:
        raise EventsError("more checks than the bits of a BIGINT")
    return "(" + " + ".join(f"(CASE WHEN {every_check[number][0]} THEN {1 << number} ELSE 0 END)::BIGINT"
                            for number in (range(len(every_check)) if numbers is None else numbers)) + ")"


def failed_bit(failed: str, number: int) -> str:
    """SQL: whether `failed` (as failed_sql gives it) holds check `number`."""
    return f"(({failed} >> {number}) & 1 = 1)"


def describe(con: duckdb.DuckDBPyConnection, failing: str, area: Area) -> list[tuple[int, str, Reason, str]]:
    """(row, field, reason, message) for each failed check of the rows of
    table `failing` (mapped text fields, `failed` as given by failed_sql,
    and `_row`, a number naming the row), in the order of `_row`; the
    messages quote `area`."""
    every_check = checks()
    union = " UNION ALL ".join(f"SELECT _row, {number} AS check_no, {message} AS message FROM {failing} "
                               f"WHERE {failed_bit('failed', number)}"
                               for number, (_, _, _, message) in enumerate(every_check))
    found = []
    for row, number, message in con.execute(union + " ORDER BY _row, check_no", area.params()).fetchall():
        _, name, reason, _ = every_check[number]
        found.append((row, name, reason, message))
    return found


def find_problems(events: list[dict], area: Area | None = None) -> list[list[Problem]]:
    """The problems of each event (typed values), by the same checks as
    imports; `area` by default is EVENTS_AREA's (Area.from_environment)."""
    area = Area.from_environment() if area is None else area
    con = duckdb.connect()
    load_vocabularies(con)
    texts = {name: pa.array([None if e.get(name) is None else format_value(e.get(name)) for e in events],
                            pa.string()) for name in FIELD_NAMES}
    con.register("events_in", pa.table({**texts, "_row": pa.array(range(len(events)), pa.int64())}))
    con.execute(f"CREATE TABLE failing AS SELECT * FROM (SELECT *, {failed_sql()} AS failed FROM events_in) "
                "WHERE failed <> 0", area.params())
    problems: list[list[Problem]] = [[] for _ in events]
    for row, name, reason, message in describe(con, "failing", area):
        problems[row].append(Problem(name, reason, message))
    con.close()
    return problems

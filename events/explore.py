"""What the Explore page asks of a store, as SQL every backend shares.

Each function returns (SQL, bound parameters) for one of the store's
explore methods, in the given dialect, over `events` (or a table of its
columns that the backend names: `table`, never input). The filters
render through `EventQuery.where(dialect)`, every value is a bound
parameter, and the only names written into the SQL are our schema's (a
sort column, an admin level, a time unit: each checked against a fixed
list here, QueryError otherwise). The backends run them and shape the
results.

How the map counts: an event is drawn in the grid when it has a point
worth placing (geo_precision 1 or 2, both coordinates present), and counted
with its area in `regions` otherwise (geo_precision 3, or no precision or
no point): every matching event is in exactly one of the two, so their
events add up to the summary's count. An event without the admin area
asked for is counted in a row whose area is NULL.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .exc import QueryError
from .filters import Dialect, EventQuery
from .schema import FIELD_NAMES

UNITS = ("day", "week", "month")
LEVELS = ("admin1", "admin2")
MAP_COLUMNS = ("event_id", "event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
               "admin2", "fatalities", "geo_precision", "source", "latitude", "longitude", "notes")
# The map's tooltips show the start of the notes: a long note is cut here, in
# the store, so that it never reaches the page (thousands of dots each carry
# one to the browser).
NOTES_EXCERPT = 160
# The SELECT list of MAP_COLUMNS: notes as their excerpt, ending in "…" when cut.
MAP_SELECT = (*MAP_COLUMNS[:-1], f"CASE WHEN length(notes) > {NOTES_EXCERPT}"
              f" THEN substr(notes, 1, {NOTES_EXCERPT - 1}) || '…' ELSE notes END AS notes")
# Spans up to these many days are drawn per day, then per week (at most
# ~13 and ~105 bars); longer ones per month.
DAYS_BY_DAY = 92
DAYS_BY_WEEK = 731

_COLUMNS = ", ".join(FIELD_NAMES)
# An event the grid draws, and one it does not: exact complements (neither
# is ever NULL), written as plain conjuncts and disjuncts so that the
# backend can test them as it reads the table.
ON_GRID = "geo_precision IN (1, 2) AND latitude IS NOT NULL AND longitude IS NOT NULL"
OFF_GRID = "(geo_precision NOT IN (1, 2) OR geo_precision IS NULL OR latitude IS NULL OR longitude IS NULL)"
# DuckDB sums BIGINT as HUGEINT, which pandas reads as float.
_FATALITIES = "CAST(coalesce(sum(fatalities), 0) AS BIGINT) AS fatalities"


def timeline_unit(first: dt.date, last: dt.date) -> str:
    """The unit a timeline from `first` to `last` is drawn in: "day" up to
    92 days (a quarter: at most 93 bars), "week" up to 731 (two years: 14
    to 105 bars), else "month" (25 bars and more, 105 at nine years)."""
    days = abs((last - first).days)
    if days <= DAYS_BY_DAY:
        return "day"
    return "week" if days <= DAYS_BY_WEEK else "month"


def _checked(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise QueryError(f"{value!r} is not a {what}: one of {', '.join(allowed)}")
    return value


def _area(level: str) -> tuple[str, str]:
    """(SELECT list, GROUP BY list) naming an admin level's area and its governorate."""
    _checked(level, LEVELS, "level (admin area)")
    if level == "admin1":
        return "admin1 AS area, admin1", "admin1"
    return "admin2 AS area, admin1", "admin1, admin2"


def summary_sql(query: EventQuery, dialect: Dialect) -> tuple[str, dict[str, object]]:
    where, params = query.where(dialect)
    return f"SELECT count(*), {_FATALITIES} FROM events WHERE {where}", params


# The columns a coder reads first: the table's own, until one picks others.
FIRST_COLUMNS = ("event_date", "event_type", "actor1", "actor2", "location", "fatalities", "notes")


def page_columns(columns: Sequence[str] | None) -> tuple[str, ...]:
    """The columns a page holds: event_id and `columns` (schema fields),
    or every schema field for None. A page reads only what the table
    shows: of 50 rows spread over the file, each column read costs (a
    third of the first page's time at 1M events is its unseen columns)."""
    if columns is None:
        return FIELD_NAMES
    for name in columns:
        _checked(name, FIELD_NAMES, "schema field to show")
    return tuple(dict.fromkeys(("event_id", *columns)))


def page_sql(query: EventQuery, dialect: Dialect, offset: int, limit: int, sort: str, descending: bool,
             table: str = "events", columns: str = _COLUMNS) -> tuple[str, dict[str, object]]:
    """One page of the matching events of `table`, every column (or
    `columns`, an SQL list), sorted by `sort` (NULLs last), ties by event_id."""
    _checked(sort, FIELD_NAMES, "schema field to sort by")
    if offset < 0 or limit < 0:
        raise QueryError("a page's offset and limit are zero or more")
    where, params = query.where(dialect)
    order = f"{sort} {'DESC' if descending else 'ASC'} NULLS LAST"
    if sort != "event_id":
        order += ", event_id"
    sql = (f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"
           f" LIMIT {dialect.parameter('page_limit')} OFFSET {dialect.parameter('page_offset')}")
    return sql, {**params, "page_limit": int(limit), "page_offset": int(offset)}


def event_sql(event_id: str, dialect: Dialect) -> tuple[str, dict[str, object]]:
    return f"SELECT {_COLUMNS} FROM events WHERE event_id = {dialect.parameter('event_id')}", {"event_id": event_id}


def timeline_sql(query: EventQuery, dialect: Dialect, unit: str, table: str = "events"
                 ) -> tuple[str, dict[str, object]]:
    _checked(unit, UNITS, "timeline unit")
    where, params = query.where(dialect)
    return (f"SELECT CAST(date_trunc('{unit}', event_date) AS DATE) AS period, event_type, count(*) AS events,"
            f" {_FATALITIES} FROM {table} WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2"), params


def map_sql(query: EventQuery, dialect: Dialect, limit: int | None) -> tuple[str, dict[str, object]]:
    """The matching events with a point, newest first (MAP_COLUMNS, the
    notes cut to NOTES_EXCERPT); with `limit`, at most limit + 1 matching
    events are read (one more says: too many)."""
    where, params = query.where(dialect)
    sql = f"SELECT {', '.join(MAP_SELECT)} FROM events WHERE {where} ORDER BY event_date DESC, event_id"
    if limit is not None:
        sql += f" LIMIT {dialect.parameter('map_limit')}"
        params = {**params, "map_limit": int(limit) + 1}
    return sql, params


def grid_sql(query: EventQuery, dialect: Dialect, cell_degrees: float, table: str = "events"
             ) -> tuple[str, dict[str, object]]:
    """Square cells of `cell_degrees` (edges at multiples of it), named by
    their centre, of the events the grid draws."""
    if not cell_degrees > 0:
        raise QueryError(f"a grid cell is more than 0 degrees wide, not {cell_degrees!r}")
    where, params = query.where(dialect)
    cell = dialect.parameter("cell")
    return (f"SELECT (y + 0.5) * {cell} AS latitude, (x + 0.5) * {cell} AS longitude, count(*) AS events,"
            f" {_FATALITIES} FROM (SELECT floor(latitude / {cell}) AS y, floor(longitude / {cell}) AS x,"
            f" fatalities FROM {table} WHERE {where} AND {ON_GRID}) AS cells"
            " GROUP BY y, x ORDER BY events DESC, y, x"), {**params, "cell": float(cell_degrees)}


def areas_sql(query: EventQuery, dialect: Dialect, level: str, regions_only: bool = False, table: str = "events"
              ) -> tuple[str, dict[str, object]]:
    """Events per area of `level`; with `regions_only`, only those the
    grid does not draw (see the module's note)."""
    select, group = _area(level)
    where, params = query.where(dialect)
    if regions_only:
        where += f" AND {OFF_GRID}"
    return (f"SELECT {select}, count(*) AS events, {_FATALITIES} FROM {table} WHERE {where}"
            f" GROUP BY {group} ORDER BY events DESC, area NULLS LAST, admin1 NULLS LAST"), params


def compare_sql(query: EventQuery, dialect: Dialect, first: tuple[dt.date, dt.date],
                second: tuple[dt.date, dt.date], level: str) -> tuple[str, dict[str, object]]:
    """Events and fatalities per area in two periods (each inclusive); the
    query's own dates give way to the periods."""
    select, group = _area(level)
    where, params = query.replace(date_from=None, date_to=None).where(dialect)
    bounds = {"first_from": first[0], "first_to": first[1], "second_from": second[0], "second_to": second[1]}
    p = {key: dialect.parameter(key) for key in bounds}
    in_first = f"event_date BETWEEN {p['first_from']} AND {p['first_to']}"
    in_second = f"event_date BETWEEN {p['second_from']} AND {p['second_to']}"
    return (f"SELECT {select}, count(*) FILTER (WHERE {in_first}) AS first_events,"
            f" count(*) FILTER (WHERE {in_second}) AS second_events,"
            f" CAST(coalesce(sum(fatalities) FILTER (WHERE {in_first}), 0) AS BIGINT) AS first_fatalities,"
            f" CAST(coalesce(sum(fatalities) FILTER (WHERE {in_second}), 0) AS BIGINT) AS second_fatalities"
            f" FROM events WHERE {where} AND ({in_first} OR {in_second}) GROUP BY {group}"), {**params, **bounds}


def with_change(frame: pd.DataFrame) -> pd.DataFrame:
    """compare_sql's rows with `change` (second - first), in the order of
    `Store.compare`: largest change first, then by area."""
    frame = frame.assign(change=frame["second_events"] - frame["first_events"])
    frame = frame.sort_values(["change", "area", "admin1"], ascending=[False, True, True], na_position="last")
    return frame[["area", "admin1", "first_events", "second_events", "change", "first_fatalities",
                  "second_fatalities"]].reset_index(drop=True)


def roll_up(daily: pd.DataFrame, unit: str) -> pd.DataFrame:
    """A timeline per day (`timeline_sql(..., "day")`) as the timeline per
    `unit` would be: the same rows, in the same order and types. In numpy:
    pandas' groupby took 5 ms of a 60 ms view for a few thousand rows."""
    _checked(unit, UNITS, "timeline unit")
    if unit == "day" or daily.empty:
        return daily
    days = daily["period"].to_numpy()
    if unit == "month":
        starts = days.astype("datetime64[M]").astype(days.dtype)
    else:
        whole = days.astype("datetime64[D]")
        # 1970-01-01 was a Thursday: (day + 3) % 7 days have passed since Monday.
        starts = (whole - (whole.astype(np.int64) + 3) % 7).astype(days.dtype)
    codes, _ = pd.factorize(daily["event_type"], sort=True)
    # Ordered as the SQL orders: by period, then type, NULLs last.
    codes = np.where(codes < 0, codes.max(initial=0) + 1, codes)
    when = np.where(np.isnat(starts), np.iinfo(np.int64).max, starts.astype(np.int64))
    order = np.lexsort((codes, when))
    when, codes = when[order], codes[order]
    first = np.flatnonzero(np.r_[True, (when[1:] != when[:-1]) | (codes[1:] != codes[:-1])])
    rolled = pd.DataFrame({
        "period": starts[order][first], "event_type": daily["event_type"].to_numpy()[order][first],
        "events": np.add.reduceat(daily["events"].to_numpy()[order], first),
        "fatalities": np.add.reduceat(daily["fatalities"].to_numpy()[order], first)})
    return rolled.astype(daily.dtypes.to_dict())


def page_cutoff(daily: pd.DataFrame, rows: int, descending: bool) -> dt.date | None:
    """The day on or after which (on or before, ascending) the first
    `rows` events by event_date all fall, from the timeline per day; None
    when the dated events are fewer."""
    days = daily["period"].to_numpy()
    dated = ~np.isnat(days)
    days, events = days[dated], daily["events"].to_numpy()[dated]
    if not len(days):
        return None
    # The timeline is in date order: each day's rows are together.
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    per_day, day = np.add.reduceat(events, starts), days[starts]
    if descending:
        per_day, day = per_day[::-1], day[::-1]
    reached = np.flatnonzero(np.cumsum(per_day) >= rows)
    return None if not len(reached) else pd.Timestamp(day[reached[0]]).date()

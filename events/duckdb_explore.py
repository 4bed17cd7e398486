"""The DuckDB store's answers to the Explore page, on one connection.

`DuckDBStore` opens a connection per call and hands it here. `view`
answers a whole rerun of the page on one connection and in one snapshot
(one transaction): opening a connection costs about 15 ms, as much as a
query. The SQL is `events.explore`'s, shared with other backends; only the
way it is run is DuckDB's:

- The summary is the timeline's sum (every matching event is in one row
  of it), so it costs no query of its own; the timeline is read per day
  and rolled up, and the days tell the first page by date which rows it
  can hold (a bound on event_date that DuckDB tests as it reads).
- A text filter is evaluated once, not once per query: the matching rows'
  narrow columns go into a TEMP table (`explore_hits`, with each row's
  `rowid`), which the aggregates read; the page and the map fetch their
  full rows from `events` by rowid.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from . import explore
from .filters import DUCKDB, EventQuery
from .schema import FIELD_NAMES
from .store import Summary, View

# What the aggregates and the page's ordering read of a matching row.
_HIT_COLUMNS = ("event_id", "event_date", "event_type", "fatalities", "latitude", "longitude", "geo_precision",
                "admin1", "admin2")
_NOTHING = EventQuery()


def frame(con: duckdb.DuckDBPyConnection, statement: tuple[str, dict[str, object]]) -> pd.DataFrame:
    return con.execute(*statement).df()


def map_events(con: duckdb.DuckDBPyConnection, query: EventQuery, limit: int | None) -> pd.DataFrame | None:
    """Store.map_events; without `limit`, every matching event."""
    points = frame(con, explore.map_sql(query, DUCKDB, limit))
    if limit is not None and len(points) > limit:
        return None
    return _located(points)


def _located(points: pd.DataFrame) -> pd.DataFrame:
    return points[points["latitude"].notna() & points["longitude"].notna()].reset_index(drop=True)


def summary_of(timeline: pd.DataFrame) -> Summary:
    return Summary(int(timeline["events"].sum()), int(timeline["fatalities"].sum()))


def _by_rowid(con: duckdb.DuckDBPyConnection, columns: tuple[str, ...], row_ids: list[int]) -> pd.DataFrame:
    """Rows of `events` by rowid, in the order of `row_ids`."""
    rows = con.execute(f"SELECT rowid AS _row_id, {', '.join(columns)} FROM events WHERE rowid = ANY($ids::BIGINT[])",
                       {"ids": row_ids}).df()
    order = {row_id: position for position, row_id in enumerate(row_ids)}
    rows = rows.sort_values("_row_id", key=lambda ids: ids.map(order))
    return rows.drop(columns="_row_id").reset_index(drop=True)


def view(con: duckdb.DuckDBPyConnection, query: EventQuery, *, limit: int, sort: str, descending: bool, unit: str,
         map_limit: int, cell_degrees: float, level: str, columns: tuple[str, ...] = FIELD_NAMES) -> View:
    """Store.view, in one transaction of `con`; the page holds `columns`
    (explore.page_columns)."""
    con.execute("BEGIN TRANSACTION")
    try:
        if query.text:
            return _view_of_hits(con, query, limit=limit, sort=sort, descending=descending, unit=unit,
                                 map_limit=map_limit, cell_degrees=cell_degrees, level=level, columns=columns)
        daily = frame(con, explore.timeline_sql(query, DUCKDB, "day"))
        timeline = explore.roll_up(daily, unit)
        summary = summary_of(timeline)
        return View(summary, _page(con, query, daily, limit, sort, descending, columns), timeline,
                    map_events(con, query, None) if summary.count <= map_limit else None,
                    frame(con, explore.grid_sql(query, DUCKDB, cell_degrees)),
                    frame(con, explore.areas_sql(query, DUCKDB, level, regions_only=True)))
    finally:
        con.execute("ROLLBACK")  # it wrote nothing but its TEMP table


def _page(con: duckdb.DuckDBPyConnection, query: EventQuery, daily: pd.DataFrame, limit: int, sort: str,
          descending: bool, columns: tuple[str, ...]) -> pd.DataFrame:
    """The first page; by date, only the days it can hold are read (the
    timeline per day says which), so that few rows reach the sort."""
    if sort == "event_date" and (cutoff := explore.page_cutoff(daily, limit, descending)) is not None:
        if descending:
            query = query.replace(date_from=max(cutoff, query.date_from or cutoff))
        else:
            query = query.replace(date_to=min(cutoff, query.date_to or cutoff))
    return frame(con, explore.page_sql(query, DUCKDB, 0, limit, sort, descending, columns=", ".join(columns)))


def _view_of_hits(con: duckdb.DuckDBPyConnection, query: EventQuery, *, limit: int, sort: str, descending: bool,
                  unit: str, map_limit: int, cell_degrees: float, level: str, columns: tuple[str, ...]) -> View:
    # The sort is checked (a schema field) before its name goes into SQL.
    page_sql, page_params = explore.page_sql(_NOTHING, DUCKDB, 0, limit, sort, descending, table="explore_hits",
                                             columns="row_id")
    where, params = query.where(DUCKDB)
    narrow = ", ".join(dict.fromkeys((*_HIT_COLUMNS, sort)))
    con.execute(f"CREATE TEMP TABLE explore_hits AS SELECT rowid AS row_id, {narrow} FROM events WHERE {where}",
                params)
    timeline = frame(con, explore.timeline_sql(_NOTHING, DUCKDB, unit, table="explore_hits"))
    summary = summary_of(timeline)
    page_ids = [row_id for (row_id,) in con.execute(page_sql, page_params).fetchall()]
    points = None
    if summary.count <= map_limit:
        hits = [row_id for (row_id,) in con.execute(
            "SELECT row_id FROM explore_hits ORDER BY event_date DESC, event_id").fetchall()]
        points = _located(_by_rowid(con, explore.MAP_SELECT, hits))
    return View(summary, _by_rowid(con, columns, page_ids), timeline, points,
                frame(con, explore.grid_sql(_NOTHING, DUCKDB, cell_degrees, table="explore_hits")),
                frame(con, explore.areas_sql(_NOTHING, DUCKDB, level, regions_only=True, table="explore_hits")))

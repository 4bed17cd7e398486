"""Explore's table and export: pages of the whole filtered set, sorted by
the store, with the columns the person picks; a click on a row opens the
event; the export holds exactly the filtered set, named after the filter.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pandas as pd
import streamlit as st

import explore_details
import i18n
import ui
from events import explore
from events.export import FORMATS as EXPORT_FORMATS
from events.export import RESTRICTED_ORIGINS
from events.filters import EventQuery
from events.schema import FIELD_NAMES

# A list: the multiselect's value in session state.
FIRST_COLUMNS = list(explore.FIRST_COLUMNS)
PAGE_SIZES = (25, 50, 100)
PAGE_SIZE_KEY, SORT_KEY, DESCENDING_KEY, COLUMNS_KEY, PAGE_KEY = (
    "table_page_size", "table_sort", "table_descending", "table_columns", "table_page")
TABLE_KEY, IDS_KEY = "table", "table_ids"
# A file name holds at most this many characters of the filter.
NAME_LENGTH = 120


def sort_choice() -> tuple[int, str, bool]:
    """(page size, sort column, descending) as chosen, with their defaults:
    the view asks the store for the first page with them."""
    return (int(st.session_state.get(PAGE_SIZE_KEY, 50)), st.session_state.get(SORT_KEY, "event_date"),
            bool(st.session_state.get(DESCENDING_KEY, True)))


def columns_choice() -> tuple[str, ...]:
    """The columns the table shows, as chosen (by default FIRST_COLUMNS):
    the store reads only these for the page."""
    return tuple(st.session_state.get(COLUMNS_KEY) or FIRST_COLUMNS)


def _column_name(column: str) -> str:
    key = f"col.{column}"
    return i18n.t(key) if key in i18n.STRINGS["en"] else column


def _on_row() -> None:
    rows = ((st.session_state.get(TABLE_KEY) or {}).get("selection") or {}).get("rows") or []
    ids = st.session_state.get(IDS_KEY) or []
    if rows and rows[0] < len(ids):
        explore_details.open_event(ids[rows[0]])


def table(query: EventQuery, count: int, first_page: pd.DataFrame) -> None:
    """The paged table of the `count` events of `query`; `first_page` is the
    view's, so the first page costs no second query."""
    st.subheader(i18n.t("table"))
    # Defaults in session state, not in the boxes: a box given a default and
    # a value set in session state (as the language switch does) warns.
    for key, value in ((COLUMNS_KEY, FIRST_COLUMNS), (SORT_KEY, "event_date"), (DESCENDING_KEY, True),
                       (PAGE_SIZE_KEY, 50)):
        st.session_state.setdefault(key, value)
    size, sort, descending = sort_choice()
    left, middle, right, last = st.columns([3, 2, 1, 1])
    column_names = i18n.names(FIELD_NAMES, _column_name)
    columns = left.multiselect(i18n.t("table.columns"), list(FIELD_NAMES), key=COLUMNS_KEY, format_func=column_names,
                               placeholder=i18n.t("choose")) or FIRST_COLUMNS
    middle.selectbox(i18n.t("table.sort"), list(FIELD_NAMES), key=SORT_KEY, format_func=column_names)
    right.toggle(i18n.t("table.descending"), key=DESCENDING_KEY)
    last.selectbox(i18n.t("table.page_size"), PAGE_SIZES, key=PAGE_SIZE_KEY)
    pages = max(1, math.ceil(count / size))
    if int(st.session_state.get(PAGE_KEY, 1)) > pages:
        st.session_state[PAGE_KEY] = pages
    number = int(st.number_input(i18n.t("table.page"), min_value=1, max_value=pages, step=1, key=PAGE_KEY))
    offset = (number - 1) * size
    frame = first_page if offset == 0 else ui.page(query, offset, size, sort, descending, tuple(columns))
    st.session_state[IDS_KEY] = list(frame["event_id"])
    st.caption(i18n.t("table.rows", first=i18n.number(min(offset + 1, count)),
                      last=i18n.number(offset + len(frame)), count=i18n.number(count), column=_column_name(sort)))
    shown = frame[columns].copy()
    if "event_type" in shown:
        shown["event_type"] = [i18n.value_name(v) for v in shown["event_type"]]
    config = {c: st.column_config.Column(_column_name(c)) for c in columns}
    if "event_date" in columns:
        config["event_date"] = st.column_config.DateColumn(_column_name("event_date"), format="YYYY-MM-DD")
    if "notes" in columns:
        config["notes"] = st.column_config.TextColumn(_column_name("notes"), width="large")
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=TABLE_KEY,
                 on_select=_on_row, selection_mode="single-row")


def file_name(query: EventQuery, format: str) -> str:
    """A name that says the filter: events_admin1-Hama_from-2024-01-01.csv."""
    parts = []
    for key, value in query.active().items():
        items = value if isinstance(value, tuple) else (value,)
        shown = "+".join(item.isoformat() if isinstance(item, dt.date) else str(item) for item in items)
        parts.append(f"{key.replace('date_', '')}-{shown}")
    # Letters of any script stay (an Arabic search names its file in Arabic).
    stem = re.sub(r"[^\w.+-]+", "-", "_".join(["events", *parts]), flags=re.UNICODE).strip("-")
    if len(stem) > NAME_LENGTH:
        stem = stem[:NAME_LENGTH].rstrip("-_+")
    return f"{stem or 'events'}.{'geojson' if format == 'geojson' else 'csv'}"


def export(query: EventQuery, count: int) -> None:
    left, right = st.columns([1, 3])
    format = left.selectbox(i18n.t("export.as"), EXPORT_FORMATS, key="export_format",
                            format_func=i18n.names(EXPORT_FORMATS, lambda f: i18n.t(f"export.{f}")))
    restricted = ui.summary(query.replace(origin=tuple(RESTRICTED_ORIGINS))).count
    if restricted:
        st.warning(ui.plain(i18n.t("export.acled_warning", count=i18n.number(restricted))))
    st.caption(i18n.t("export.holds", count=i18n.number(count)))
    st.download_button(
        i18n.t("export.download"),
        data=lambda: ui.export_text(query, format),
        file_name=file_name(query, format),
        mime="application/geo+json" if format == "geojson" else "text/csv",
        icon=":material/download:",
        # Nothing on the page changes by downloading: a rerun would only
        # race the file's own request.
        on_click="ignore",
        key="export_download",
    )

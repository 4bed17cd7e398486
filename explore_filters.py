"""Explore's filters: one box per filter of `events.filters.FILTERS`, read
from the address, written back to it, and reset together.

Each box's value lives in session state under its own key. The address
fills the boxes once, when they are new (a fresh visit, or back from
another page); after that each box keeps what the person chose, and the
address follows the boxes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import streamlit as st

import i18n
import ui
from events import taxonomy
from events.exc import QueryError
from events.filters import FILTERS, EventQuery
from events.schema import GEO_PRECISIONS
from geo.admin import ADMIN1_NAMES

# The largest whole number a browser's number box holds exactly: 2**53 - 1.
MOST_FATALITIES = (1 << 53) - 1
# The date box's bounds. Fixed, not the data's span: a box whose bounds
# change is a new box, which forgets what was chosen in it.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
STATUSES = ("all", "reviewed", "draft")
# How each filter is chosen; the dates share one box.
LISTS = ("event_type", "sub_event_type", "actor", "admin1", "admin2", "geo_precision", "origin")
NUMBERS = ("min_fatalities", "max_fatalities")
TEXTS = ("source", "text")
DATES = ("date_from", "date_to")
DATE_BOX = "dates"
KEYS = tuple(f.key for f in FILTERS)
# The query last shown, kept for the next page opened.
LAST_KEY = "last_query"


def box(key: str) -> str:
    """The session-state key of a filter's box."""
    return DATE_BOX if key in DATES else f"filter_{key}"


def _choices(key: str) -> Sequence[object] | None:
    """The values a list box offers, or None when any value is taken (actors:
    the list offers those stored, and a name typed is taken as it is)."""
    if key == "event_type":
        return taxonomy.event_types()
    if key == "sub_event_type":
        return taxonomy.sub_event_types()
    if key == "admin1":
        return ADMIN1_NAMES
    if key == "admin2":
        return tuple(name for _, name in ui.districts())
    if key == "geo_precision":
        return GEO_PRECISIONS
    if key == "origin":
        return ui.origins()
    return None


def _holds(key: str, value: object) -> bool:
    """Whether the box of `key` can hold `value` (one item of a list)."""
    if key in DATES:
        return isinstance(value, dt.date) and EARLIEST <= value <= LATEST
    if key in NUMBERS:
        return isinstance(value, int) and 0 <= value <= MOST_FATALITIES
    if key == "status":
        return value in STATUSES
    choices = _choices(key)
    return choices is None or value in choices


def from_url() -> tuple[EventQuery, list[str]]:
    """The filters in the address, and `key=value` for each value no box
    can hold: that value is left out, the others apply."""
    values: dict[str, object] = {}
    ignored: list[str] = []
    for key in KEYS:
        raw = [item for item in st.query_params.get_all(key) if item != ""]
        try:
            value = getattr(EventQuery.from_params({key: raw}), key)
        except (QueryError, ValueError):
            ignored += [f"{key}={raw[0]}"]
            continue
        if isinstance(value, tuple):
            ignored += [f"{key}={item}" for item in value if not _holds(key, item)]
            values[key] = tuple(item for item in value if _holds(key, item))
        elif value is None or _holds(key, value):
            values[key] = value
        else:
            ignored += [f"{key}={raw[0]}"]
    return EventQuery(**values), ignored  # type: ignore[arg-type]  # each value was read for its own key


def _fill(query: EventQuery, span: tuple[dt.date, dt.date]) -> None:
    """Put `query` in the boxes."""
    state = st.session_state
    state[DATE_BOX] = (query.date_from or span[0], query.date_to or span[1])
    for key in KEYS:
        if key in DATES:
            continue
        value = getattr(query, key)
        if key in LISTS:
            state[box(key)] = list(value)
        elif key in NUMBERS:
            state[box(key)] = value or 0
        elif key == "status":
            state[box(key)] = value or "all"
        else:
            state[box(key)] = value or ""


def seed(span: tuple[dt.date, dt.date]) -> list[str]:
    """Fill the boxes from the address when they are new; returns the
    values ignored.

    Only once: a box given its default anew on every rerun would be a new
    box each time, and every second change of a filter would be lost.
    """
    if all(box(key) in st.session_state for key in KEYS):
        return []
    initial, ignored = from_url()
    # Back from another page, whose address holds no filter: the filters
    # as they were left (each page's boxes are its own).
    if not initial.active() and not ignored and LAST_KEY in st.session_state:
        initial = st.session_state[LAST_KEY]
    _fill(initial, span)
    return ignored


def reset(span: tuple[dt.date, dt.date]) -> None:
    """Every filter off (the button's callback, run before the boxes are drawn)."""
    _fill(EventQuery(), span)


def set_dates(first: dt.date, last: dt.date) -> None:
    """The date filter set from elsewhere (a span chosen on the timeline)."""
    st.session_state[DATE_BOX] = (max(first, EARLIEST), min(last, LATEST))


def _list_box(key: str) -> list:
    choices = _choices(key)
    kind = {"geo_precision": "precision", "admin1": "admin1"}.get(key, "")
    if key == "actor":
        chosen = st.session_state.get(box(key)) or []
        options = list(dict.fromkeys([*ui.actors(), *chosen]))
        return st.multiselect(i18n.t("filter.actor"), options, key=box(key), help=i18n.t("filter.actor.help"),
                              accept_new_options=True, placeholder=i18n.t("choose.add"))
    if key == "admin2":
        names = dict(((name, admin1) for admin1, name in ui.districts()))
        return st.multiselect(i18n.t("filter.admin2"), list(choices or ()), key=box(key), placeholder=i18n.t("choose"),
                              format_func=i18n.names(names, lambda name: i18n.value_name((names[name], name),
                                                                                          "admin2")))
    return st.multiselect(i18n.t(f"filter.{key}"), list(choices or ()), key=box(key), placeholder=i18n.t("choose"),
                          format_func=i18n.names(choices or (), lambda value: i18n.value_name(value, kind)))


def sidebar(span: tuple[dt.date, dt.date]) -> EventQuery:
    """The filter boxes, in the order of FILTERS, and the query they make."""
    values: dict[str, object] = {}
    with st.sidebar:
        st.header(i18n.t("filters"))
        st.button(i18n.t("reset"), on_click=reset, args=(span,), key="reset_filters")
        for key in KEYS:
            if key == "date_from":
                dates = st.date_input(i18n.t("filter.dates"), min_value=min(EARLIEST, span[0]),
                                      max_value=max(LATEST, span[1]), key=DATE_BOX)
                # A range box gives a tuple: one date while the second is being picked.
                bounds = tuple(dates) if isinstance(dates, tuple | list) else (dates,) if dates else ()
                first, last = (bounds[0], bounds[-1]) if bounds else (None, None)
                # A bound equal to the data's own span is no filter: keep the URL short.
                values["date_from"] = first if first and first != span[0] else None
                values["date_to"] = last if last and last != span[1] else None
            elif key in LISTS:
                values[key] = tuple(_list_box(key))
            elif key in NUMBERS:
                help = i18n.t("filter.max_fatalities.help") if key == "max_fatalities" else None
                number = st.number_input(i18n.t(f"filter.{key}"), min_value=0, max_value=MOST_FATALITIES, step=1,
                                         key=box(key), help=help)
                values[key] = int(number) or None
            elif key in TEXTS:
                help = i18n.t("filter.text.help") if key == "text" else None
                values[key] = st.text_input(i18n.t(f"filter.{key}"), key=box(key), help=help).strip() or None
            elif key == "status":
                status = st.selectbox(i18n.t("filter.status"), STATUSES, key=box(key),
                                      format_func=i18n.names(STATUSES, lambda v: i18n.value_name(v, "status")))
                values[key] = None if status == "all" else status
    return EventQuery(**values)  # type: ignore[arg-type]  # each value was read for its own key


def to_url(query: EventQuery) -> None:
    """The address says the view: every filter on, and the language if not English."""
    st.session_state[LAST_KEY] = query
    params = query.to_params()
    if i18n.language() != "en":
        params[i18n.LANG_KEY] = [i18n.language()]
    st.query_params.from_dict(params)


def sentences(query: EventQuery) -> list[str]:
    """What the query selects, one phrase per filter, in the language."""
    if i18n.language() == "en":
        return query.sentences()
    out = []
    for key, value in query.active().items():
        kind = {"geo_precision": "precision", "admin1": "admin1", "status": "status"}.get(key, "")
        items = value if isinstance(value, tuple) else (value,)
        shown = "، ".join(i18n.value_name(item, kind) for item in items)
        out.append(f"{i18n.t('filter.dates' if key in DATES else f'filter.{key}')} ({key}): {shown}")
    return out


def page_filters() -> tuple[EventQuery, tuple[dt.date, dt.date]]:
    """What every page over the filtered events starts with: the filters
    read from the address, shown in the sidebar and written back, with a
    warning naming the address's values that could not be used; returns
    the query and the stored events' date span."""
    span = ui.date_span() or (dt.date.today(), dt.date.today())
    ignored = seed(span)
    query = sidebar(span)
    to_url(query)
    if ignored:
        st.warning(ui.plain(i18n.t("ignored", values=", ".join(ignored))))
    return query, span

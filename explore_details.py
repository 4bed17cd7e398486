"""The event opened by a click on the map or on a row of the table.

Everything an event holds is user text: it is shown escaped (html.escape
into the HTML we write, or as a dataframe's cells), a link only when its
scheme is http or https, and its notes in their own direction (right to
left when they start in Arabic).
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

import explore_edit
import i18n
import labels
import ui

OPEN_KEY = "open_event"


def open_event(event_id: str | None) -> None:
    if event_id:
        st.session_state[OPEN_KEY] = event_id
        # Opened (again): its edit form starts from the event as stored now.
        st.session_state.pop(explore_edit.READ_KEY, None)


def close() -> None:
    st.session_state.pop(OPEN_KEY, None)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _row(label: str, value: object) -> str:
    text = _text(value)
    if not text:
        return ""
    return (f'<div><span style="opacity:0.7">{html.escape(label)}:</span> '
            f'<span dir="auto">{html.escape(text)}</span></div>')


def safe_link(url: object) -> str | None:
    """The URL when it is an http or https link, else None (javascript:, data: ...)."""
    text = _text(url).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def details_html(event: dict) -> str:
    """The event's details as HTML in which every value is escaped."""
    t = i18n.t
    notes = _text(event.get("notes"))
    actors = "; ".join(a for a in (_text(event.get(k)) for k in ("actor1", "assoc_actor_1", "actor2",
                                                                   "assoc_actor_2")) if a)
    place = ", ".join(p for p in (_text(event.get(k)) for k in ("location", "admin2", "admin1")) if p)
    link = safe_link(event.get("source_url"))
    precision = event.get("geo_precision")
    parts = [
        f'<div style="font-weight:600">{html.escape(_text(event.get("event_date")))} · '
        f'{html.escape(i18n.value_name(_text(event.get("event_type"))))} · '
        f'{html.escape(i18n.value_name(_text(event.get("sub_event_type"))))}</div>',
        f'<div style="opacity:0.7">{html.escape(_text(event.get("event_id")))}</div>',
        f'<div style="margin:0.5em 0 0.2em;opacity:0.7">{html.escape(t("details.notes"))}</div>',
        f'<div data-testid="event-notes" dir="{labels.direction(notes)}" '
        f'style="white-space:pre-wrap;line-height:1.7;margin-bottom:0.6em">{html.escape(notes)}</div>',
        _row(t("details.actors"), actors),
        _row(t("details.place"), place),
        _row(t("col.fatalities"), event.get("fatalities")),
        _row(t("details.precision"), i18n.value_name(int(precision), "precision")
             if precision is not None and not pd.isna(precision) else ""),
        _row(t("details.source"), event.get("source")),
    ]
    if link:
        parts.append(f'<div><span style="opacity:0.7">{html.escape(t("details.link"))}:</span> '
                     f'<a href="{html.escape(link, quote=True)}" target="_blank" rel="noopener noreferrer" '
                     f'dir="ltr">{html.escape(link)}</a></div>')
    elif _text(event.get("source_url")):
        parts.append(_row(t("details.link"), event.get("source_url")))
    parts += [_row(t("details.origin"), event.get("origin")), _row(t("details.batch"), event.get("batch_id")),
              _row(t("details.status"), event.get("status")), _row(t("details.coder"), event.get("coder"))]
    direction = "rtl" if i18n.rtl() else "ltr"
    return f'<div data-testid="event-details" dir="{direction}">{"".join(parts)}</div>'


def panel() -> None:
    """The open event, or how to open one."""
    event_id = st.session_state.get(OPEN_KEY)
    st.subheader(i18n.t("details"))
    if not event_id:
        st.caption(i18n.t("details.none"))
        return
    event = ui.event(event_id)
    if event is None:
        st.caption(i18n.t("details.missing"))
        return
    st.html(details_html(event))
    history = ui.edits(event_id)
    st.markdown(f"**{ui.plain(i18n.t('details.history'))}**")
    if history.empty:
        st.caption(i18n.t("details.no_history"))
    else:
        st.dataframe(history, hide_index=True, width="stretch", key="event_history")
    explore_edit.editor(event_id)
    st.button(i18n.t("details.close"), on_click=close, key="close_event")

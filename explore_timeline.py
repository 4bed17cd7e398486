"""Explore's timeline: events (or fatalities) per day, week or month,
stacked by event type; a span dragged on it sets the date filter; playback
steps a window of one period through the filtered dates, and the map
follows (the page draws the map for `window()` while playing).
"""

from __future__ import annotations

import calendar
import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

import explore_filters
import explore_map
import i18n

CHART_KEY = "timeline_chart"
PLAYING, PLAY_AT = "playing", "play_at"
# Seconds between two steps of the playback.
STEP_SECONDS = 1.5
MEASURES = ("events", "fatalities")


def _day(value: object) -> dt.date | None:
    """A brush bound as Vega-Lite gives it (ms since the epoch, UTC, or an ISO string)."""
    if isinstance(value, int | float):
        return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None


def _on_span() -> None:
    """The span dragged on the chart becomes the date filter."""
    selection = (st.session_state.get(CHART_KEY) or {}).get("selection") or {}
    bounds = (selection.get("span") or {}).get("period") or []
    days = [day for day in map(_day, bounds) if day is not None]
    if len(days) == 2:
        explore_filters.set_dates(min(days), max(days))


def period_end(start: dt.date, unit: str) -> dt.date:
    """The last day of the period of `unit` that starts on `start`."""
    if unit == "day":
        return start
    if unit == "week":
        return start + dt.timedelta(days=6)
    return start.replace(day=calendar.monthrange(start.year, start.month)[1])


def chart(timeline: pd.DataFrame, unit: str) -> None:
    """The stacked chart; dragging across it sets the dates."""
    st.subheader(i18n.t("timeline", unit=i18n.t(f"unit.{unit}")), anchor=False)
    measure = st.segmented_control(i18n.t("timeline.measure"), MEASURES, key="timeline_measure",
                                   format_func=i18n.names(MEASURES, lambda m: i18n.t(f"measure.{m}")),
                                   required=True) or "events"
    frame = timeline.assign(period=pd.to_datetime(timeline["period"]),
                            type=[i18n.value_name(kind) for kind in timeline["event_type"]])
    names = [i18n.value_name(kind) for kind in explore_map.TYPE_COLOURS]
    colours = [f"rgb({r},{g},{b})" for r, g, b in explore_map.TYPE_COLOURS.values()]
    span = alt.selection_interval(encodings=["x"], name="span")
    plot = alt.Chart(frame).mark_bar().encode(
        x=alt.X("period:T", title=None, scale=alt.Scale(type="utc")),
        y=alt.Y(f"{measure}:Q", title=i18n.t(f"measure.{measure}"), stack="zero"),
        color=alt.Color("type:N", title=None, scale=alt.Scale(domain=names, range=colours),
                        legend=alt.Legend(orient="bottom")),
        tooltip=[alt.Tooltip("period:T", title=i18n.t(f"unit.{unit}"), format="%Y-%m-%d"),
                 alt.Tooltip("type:N", title=i18n.t("legend.type")),
                 alt.Tooltip(f"{measure}:Q", title=i18n.t(f"measure.{measure}"))],
    ).add_params(span).properties(height=220)
    st.altair_chart(plot, key=CHART_KEY, on_select=_on_span, selection_mode="span", width="stretch")
    st.caption(i18n.t("timeline.help"))


def periods(timeline: pd.DataFrame) -> list[dt.date]:
    return sorted({pd.Timestamp(p).date() for p in timeline["period"]})


def _play(count: int) -> None:
    st.session_state[PLAYING] = count > 0
    st.session_state[PLAY_AT] = 0


def _stop() -> None:
    st.session_state[PLAYING] = False


def controls(steps: list[dt.date]) -> None:
    """Play or stop the playback."""
    if st.session_state.get(PLAYING):
        st.button(i18n.t("stop"), on_click=_stop, key="play_stop")
    else:
        st.button(i18n.t("play"), on_click=_play, args=(len(steps),), key="play_start", disabled=len(steps) < 2)


def playing() -> bool:
    return bool(st.session_state.get(PLAYING))


def window(steps: list[dt.date], unit: str) -> tuple[dt.date, dt.date] | None:
    """The dates the map shows at this step of the playback, or None."""
    if not playing() or not steps:
        return None
    at = min(int(st.session_state.get(PLAY_AT, 0)), len(steps) - 1)
    return steps[at], period_end(steps[at], unit)


def advance(steps: list[dt.date]) -> bool:
    """One step on; False (and stopped) after the last."""
    at = int(st.session_state.get(PLAY_AT, 0)) + 1
    if at >= len(steps):
        st.session_state[PLAYING] = False
        return False
    st.session_state[PLAY_AT] = at
    return True

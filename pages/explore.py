"""Explore: filters, counts, map, event details, timeline, table and export
of the filtered set.

The filters live in the URL (?admin1=Hama&event_type=...&lang=ar), so a
view can be shared by copying the address. The store answers every
question (ui.view: counts, the first table page, the timeline, the map's
events or cells and regions); the page only lays the answers out.
"""

import datetime as dt

import streamlit as st

import explore_details
import explore_filters
import explore_map
import explore_table
import explore_timeline
import i18n
import ui
from events.explore import timeline_unit
from events.filters import EventQuery

CLICKED = "map_clicked"


def _counts(query: EventQuery, count: int, fatalities: int) -> None:
    # Said of the view, not of the store: a view of coded or imported events only is no demo.
    demo = ui.summary(query.replace(origin=("demo",))).count
    if demo:
        st.info(i18n.t("demo", demo=i18n.number(demo), count=i18n.number(count)), icon=":material/science:")
    left, right, _ = st.columns([1, 1, 3])
    left.metric(i18n.t("events"), i18n.number(count))
    right.metric(i18n.t("fatalities"), i18n.number(fatalities))
    sentences = explore_filters.sentences(query)
    st.caption(i18n.t("showing.all") if not sentences
               else ui.plain(i18n.t("showing.some", sentences="; ".join(sentences))))


def _map(query: EventQuery, data: explore_map.MapData, choice: str, steps: list[dt.date], unit: str) -> None:
    """The map, and while playing the map of the playback's window. A
    fragment: each step of the playback reruns the map alone."""
    window = explore_timeline.window(steps, unit)
    shown_query = query if window is None else query.replace(date_from=window[0], date_to=window[1])
    if window is not None:
        data = explore_map.MapData(*ui.map_layers(shown_query, explore_map.MAP_LIMIT, explore_map.CELL_DEGREES,
                                                  explore_map.REGION_LEVEL))
        summary = ui.summary(shown_query)
        st.info(i18n.t("play.at", start=window[0], end=window[1], count=i18n.number(summary.count),
                       fatalities=i18n.number(summary.fatalities)))
    layer = explore_map.chosen_layer(choice, data)
    points = int(data.grid["events"].sum())
    if layer != "events" and data.events is None:
        st.caption(i18n.t("map.aggregated", count=i18n.number(points), limit=i18n.number(explore_map.MAP_LIMIT),
                          cell=explore_map.CELL_DEGREES))
    elif layer == "events":
        st.caption(i18n.t("map.events_shown"))
    # Events with neither a point worth drawing nor a governorate: counted, not drawn.
    unplaced = int(data.regions.loc[data.regions["area"].isna(), "events"].sum())
    if unplaced:
        st.caption(i18n.t("map.unplaced", count=i18n.number(unplaced)))
    st.pydeck_chart(explore_map.deck(query, data, layer), height=explore_map.HEIGHT, key="map",
                    on_select=_on_map_click, selection_mode="single-object")
    st.html(explore_map.legend(layer))
    if st.session_state.pop(CLICKED, False):
        st.rerun()  # a click reruns the fragment alone: the details beside it must open too
    if window is not None and not explore_timeline.advance(steps):
        st.rerun()  # the playback ended: the whole page, without the fragment's timer


def _on_map_click() -> None:
    event_id = explore_map.picked_event(st.session_state.get("map"))
    if event_id:
        explore_details.open_event(event_id)
        st.session_state[CLICKED] = True


def page() -> None:
    ui.page_setup("Explore", __file__)
    st.title(i18n.t("explore.title"), anchor=False)
    query, span = explore_filters.page_filters()

    unit = timeline_unit(query.date_from or span[0], query.date_to or span[1])
    size, sort, descending = explore_table.sort_choice()
    view = ui.view(query, size, sort, descending, unit, explore_map.MAP_LIMIT, explore_map.CELL_DEGREES,
                   explore_map.REGION_LEVEL, explore_table.columns_choice())
    _counts(query, view.summary.count, view.summary.fatalities)
    if view.summary.count == 0:
        st.warning(i18n.t("no_events"))
        return
    steps = explore_timeline.periods(view.timeline)
    left, right = st.columns([3, 1])
    with left:
        # Outside the fragment: a layer chosen redraws the whole page (a
        # fragment rerun asked by a widget inside it was delivered late).
        choice = st.segmented_control(i18n.t("map.layer"), explore_map.LAYERS, key="map_layer", required=True,
                                      format_func=i18n.names(explore_map.LAYERS, lambda lv: i18n.t(f"layer.{lv}"))
                                      ) or "auto"
        every = explore_timeline.STEP_SECONDS if explore_timeline.playing() else None
        st.fragment(_map, run_every=every)(query, explore_map.MapData(view.map_events, view.grid, view.regions),
                                           choice, steps, unit)
    with right:
        explore_details.panel()
    explore_timeline.chart(view.timeline, unit)
    explore_timeline.controls(steps)
    explore_table.table(query, view.summary.count, view.page)
    explore_table.export(query, view.summary.count)


ui.run_page(page)

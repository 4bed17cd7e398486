"""Areas and periods: events or fatalities per governorate or district (a
choropleth), and two periods compared area by area, under Explore's
filters (the same boxes, the same address)."""

import datetime as dt

import streamlit as st

import explore_areas
import explore_filters
import i18n
import ui

PRESETS = ("month", "custom")
MEASURES = ("events", "fatalities")


def _periods(span: tuple[dt.date, dt.date], last: dt.date):
    """The two periods chosen: this month against the last, or any two ranges."""
    preset = st.segmented_control(i18n.t("areas.preset"), PRESETS, key="areas_preset", required=True,
                                  format_func=i18n.names(PRESETS, lambda p: i18n.t(f"preset.{p}"))) or "month"
    if preset == "month":
        return explore_areas.last_two_months(last)
    previous, this = explore_areas.last_two_months(last)
    left, right = st.columns(2)
    first = left.date_input(i18n.t("areas.first"), value=previous, min_value=explore_filters.EARLIEST,
                            max_value=explore_filters.LATEST, key="areas_first")
    second = right.date_input(i18n.t("areas.second"), value=this, min_value=explore_filters.EARLIEST,
                              max_value=explore_filters.LATEST, key="areas_second")
    if len(first) != 2 or len(second) != 2:
        st.info(i18n.t("areas.no_periods"))
        return None
    return (first[0], first[1]), (second[0], second[1])


def page() -> None:
    ui.page_setup("Areas", __file__)
    st.title(i18n.t("areas.title"), anchor=False)
    query, span = explore_filters.page_filters()
    summary = ui.summary(query)
    left, middle, right, last = st.columns([1, 1, 2, 2])
    left.metric(i18n.t("events"), i18n.number(summary.count))
    middle.metric(i18n.t("fatalities"), i18n.number(summary.fatalities))
    level = right.segmented_control(i18n.t("areas.level"), explore_areas.LEVELS, key="areas_level", required=True,
                                    format_func=i18n.names(explore_areas.LEVELS, lambda lv: i18n.t(f"level.{lv}"))
                                    ) or "admin1"
    measure = last.segmented_control(i18n.t("areas.measure"), MEASURES, key="areas_measure",
                                     required=True, format_func=i18n.names(MEASURES, lambda m: i18n.t(f"measure.{m}"))
                                     ) or "events"
    sentences = explore_filters.sentences(query)
    st.caption(i18n.t("showing.all") if not sentences
               else ui.plain(i18n.t("showing.some", sentences="; ".join(sentences))))

    st.subheader(i18n.t("areas.choropleth", measure=i18n.t(f"measure.{measure}"), level=i18n.t(f"level.one.{level}")))
    deck, legend = explore_areas.choropleth(query, level, measure)
    st.pydeck_chart(deck, height=explore_areas.HEIGHT, key="areas_map")
    st.html(legend)

    st.subheader(i18n.t("areas.compare"))
    periods = _periods(span, query.date_to or span[1])
    if periods is None:
        return
    deck, table = explore_areas.comparison(query, level, *periods)
    map_column, table_column = st.columns(2)
    map_column.pydeck_chart(deck, height=explore_areas.HEIGHT, key="compare_map")
    map_column.html(explore_areas.change_legend())
    table_column.dataframe(table, hide_index=True, width="stretch", key="compare_table")


ui.run_page(page)

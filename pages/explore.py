"""Explore: filters, counts, map, timeline, table and CSV of the filtered set.

The filters live in the URL (?admin1=Hama&event_type=...), so a view can
be shared by copying the address.
"""

import datetime as dt

import streamlit as st

import ui
from events import taxonomy
from events.export import FORMATS as EXPORT_FORMATS
from events.export import RESTRICTED_ORIGINS
from events.filters import FILTERS_BY_KEY, EventQuery
from geo.admin import ADMIN1_NAMES

TABLE_LIMIT = 1000
EXPORT_LABELS = {"native": "CSV (all fields)", "acled": "CSV (ACLED columns)", "geojson": "GeoJSON"}
TABLE_COLUMNS = ["event_date", "event_type", "sub_event_type", "actor1", "actor2", "location", "admin1",
                 "fatalities", "geo_precision", "source", "notes", "status", "event_id"]
STATUSES = ["all", "reviewed", "draft"]
# The largest whole number a browser's number box holds exactly: 2**53 - 1.
MOST_FATALITIES = (1 << 53) - 1
# The date box's bounds. Fixed, not the data's span: a box whose bounds
# change is a new box, which forgets what was chosen in it.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
# The session-state key of each filter's box ("dates" holds both bounds).
BOX_KEYS = {"dates": "dates", **{key: f"filter_{key}" for key in
                                 ("event_type", "admin1", "min_fatalities", "text", "status")}}


def _holds(key: str, value: object) -> bool:
    """Whether the filter box of `key` can hold `value` (one item of a list)."""
    if key in ("date_from", "date_to"):
        return isinstance(value, dt.date) and EARLIEST <= value <= LATEST
    if key == "min_fatalities":
        return isinstance(value, int) and 0 <= value <= MOST_FATALITIES
    choices = {"event_type": taxonomy.event_types(), "admin1": ADMIN1_NAMES, "status": STATUSES}
    return value in choices.get(key, [value])


def _from_url() -> tuple[EventQuery, list[str]]:
    """The filters in the address, and `key=value` for each value no filter
    box can hold: that value is left out, the others apply."""
    values: dict[str, object] = {}
    ignored: list[str] = []
    for key in ("date_from", "date_to", "event_type", "admin1", "min_fatalities", "text", "status"):
        raw = [item for item in st.query_params.get_all(key) if item != ""]
        try:
            value = getattr(EventQuery.from_params({key: raw}), key)
        except ValueError:
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


def _seed_boxes(span: tuple[dt.date, dt.date]) -> list[str]:
    """Fill the filter boxes from the address when they are new (a fresh
    visit, or back from another page); returns the values ignored.

    Only once: from then on each box keeps what the person chose. A box
    given its default anew on every rerun would be a new box each time,
    and every second change of a filter would be lost.
    """
    if all(key in st.session_state for key in BOX_KEYS.values()):
        return []
    initial, ignored = _from_url()
    st.session_state[BOX_KEYS["dates"]] = (initial.date_from or span[0], initial.date_to or span[1])
    st.session_state[BOX_KEYS["event_type"]] = list(initial.event_type)
    st.session_state[BOX_KEYS["admin1"]] = list(initial.admin1)
    st.session_state[BOX_KEYS["min_fatalities"]] = initial.min_fatalities or 0
    st.session_state[BOX_KEYS["text"]] = initial.text or ""
    st.session_state[BOX_KEYS["status"]] = initial.status or "all"
    return ignored


def _sidebar(span: tuple[dt.date, dt.date]) -> EventQuery:
    label = FILTERS_BY_KEY
    with st.sidebar:
        st.header("Filters")
        dates = st.date_input("Dates", min_value=min(EARLIEST, span[0]), max_value=max(LATEST, span[1]),
                              key=BOX_KEYS["dates"])
        event_type = st.multiselect(label["event_type"].label, taxonomy.event_types(), key=BOX_KEYS["event_type"])
        admin1 = st.multiselect(label["admin1"].label, ADMIN1_NAMES, key=BOX_KEYS["admin1"])
        min_fatalities = st.number_input(label["min_fatalities"].label, min_value=0, max_value=MOST_FATALITIES,
                                         step=1, key=BOX_KEYS["min_fatalities"])
        text = st.text_input(label["text"].label, help="Searches notes, location, actors and source",
                             key=BOX_KEYS["text"])
        status = st.selectbox(label["status"].label, STATUSES, key=BOX_KEYS["status"])
    date_from, date_to = (dates[0], dates[-1]) if dates else (None, None)
    return EventQuery(
        # A bound equal to the data's own span is no filter: keep the URL short.
        date_from=date_from if date_from and date_from != span[0] else None,
        date_to=date_to if date_to and date_to != span[1] else None,
        event_type=tuple(event_type),
        admin1=tuple(admin1),
        min_fatalities=int(min_fatalities) or None,
        text=text.strip() or None,
        status=None if status == "all" else status,
    )


def page() -> None:
    ui.page_setup("Explore")
    st.title("Explore events")
    span = ui.date_span() or (dt.date.today(), dt.date.today())
    ignored = _seed_boxes(span)
    query = _sidebar(span)
    st.query_params.from_dict(query.to_params())
    if ignored:
        st.warning(ui.plain(f"Ignored in the address, as no filter takes it: {', '.join(ignored)}. "
                            "The other filters apply."))

    summary = ui.summary(query)
    # Said of the view, not of the store: a view of coded or imported events
    # only is no demo.
    demo = ui.summary(query.replace(origin=("demo",))).count
    if demo:
        st.info(
            f"**Demo data.** {demo:,} of the {summary.count:,} events shown are synthetic, generated by us from "
            "the gazetteer and the ACLED taxonomy. They are not real incidents.",
            icon=":material/science:",
        )
    left, right, _ = st.columns([1, 1, 3])
    left.metric("Events", f"{summary.count:,}")
    right.metric("Fatalities", f"{summary.fatalities:,}")
    sentences = query.sentences()
    st.caption("Showing all events." if not sentences else ui.plain("Showing events " + "; ".join(sentences) + "."))

    if summary.count == 0:
        st.warning("No events match these filters.")
        return
    st.pydeck_chart(ui.event_map(ui.points(query)), height=520)

    st.subheader("Events per month")
    st.bar_chart(ui.timeline(query), x="month", y="events", height=220)

    st.subheader("Events")
    frame = ui.table(query, TABLE_LIMIT)
    if summary.count > TABLE_LIMIT:
        st.caption(f"The newest {TABLE_LIMIT:,} of {summary.count:,} events; the CSV holds them all.")
    st.dataframe(
        frame[TABLE_COLUMNS],
        hide_index=True,
        width="stretch",
        column_config={"event_date": st.column_config.DateColumn("event_date", format="YYYY-MM-DD")},
    )
    left, right = st.columns([1, 3])
    format = left.selectbox("Export as", EXPORT_FORMATS, key="export_format",
                            format_func=lambda f: EXPORT_LABELS[f])
    restricted = ui.summary(query.replace(origin=tuple(RESTRICTED_ORIGINS))).count
    if restricted:
        st.warning(ui.plain(f"{restricted:,} of these events come from ACLED, whose terms of use forbid "
                            "giving its raw data to others. Keep the export to yourself."))
    st.download_button(
        "Download the filtered events",
        data=lambda: ui.export_text(query, format),
        file_name=f"events.{'geojson' if format == 'geojson' else 'csv'}",
        mime="application/geo+json" if format == "geojson" else "text/csv",
        icon=":material/download:",
        # Nothing on the page changes by downloading: a rerun would only
        # race the file's own request.
        on_click="ignore",
    )


page()

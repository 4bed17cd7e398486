"""The naive Explore page that bench/explore_browser.py measures the app against.

    EVENTS_DB=PATH streamlit run bench/naive_explore.py   (?admin1=NAME&min_fatalities=N)

What a quick Streamlit script does: on every rerun it reads every matching
event (the store filters them: DuckDB is not what is slow here), shows the
counts, and hands all of them to pydeck's ScatterplotLayer with a text
tooltip. Its JSON is as compact as the app's (no indent), so that what the
bench compares is the points sent, not whitespace. Not part of the app.
"""

import json
import os
from pathlib import Path

import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

from events.duckdb_store import DuckDBStore
from events.explore import MAP_COLUMNS
from events.filters import EventQuery


class CompactDeck(pdk.Deck):
    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


store = DuckDBStore(Path(os.environ["EVENTS_DB"]))
start = int(st.query_params.get("min_fatalities", 0))
minimum = st.sidebar.number_input("Minimum fatalities", min_value=0, value=start, step=1)
query = EventQuery(admin1=tuple(st.query_params.get_all("admin1")), min_fatalities=int(minimum) or None)
matching = store.frame(query)
left, right = st.columns(2)
left.metric("Events", f"{len(matching):,}")
right.metric("Fatalities", f"{int(matching['fatalities'].fillna(0).sum()):,}")
events = matching[list(MAP_COLUMNS)].dropna(subset=["latitude", "longitude"])
events = events.assign(event_date=events["event_date"].astype(str))
layer = pdk.Layer("ScatterplotLayer", events, get_position=["longitude", "latitude"], get_radius=3,
                  radius_units='"pixels"', get_fill_color=[213, 94, 0], pickable=True)
st.pydeck_chart(CompactDeck(layers=[layer], map_provider=None,
                            initial_view_state=pdk.ViewState(latitude=35.0, longitude=38.4, zoom=5.6),
                            tooltip={"text": "{event_date} {event_type}\n{actor1}\n{location}: {fatalities}"}))

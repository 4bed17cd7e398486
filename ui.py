"""What the pages share: the store, cached loaders, the map, safe HTML.

Everything here is presentation or caching; what an event is, how it is
filtered and stored belongs to the core packages.
"""

from __future__ import annotations

import html
import io
import re

import pandas as pd
import pydeck as pdk
import streamlit as st

from events.backends import open_store
from events.export import export
from events.filters import EventQuery
from events.store import Store, Summary
from geo.gazetteer import governorate_outlines
from geo.geocoder import OfflineGeocoder

# Syria fills the view at this zoom on a laptop screen.
SYRIA_VIEW = pdk.ViewState(latitude=35.0, longitude=38.4, zoom=5.6)


def page_setup(title: str) -> None:
    """Page config and the links between pages, the same on every page."""
    # An emoji, not ":material/map:": Streamlit fetches a material page icon
    # from Google's font host, and the app must work offline. The other
    # material icons (links, notices, buttons) come from its bundled font.
    st.set_page_config(page_title=f"{title} · Conflict events", page_icon="🗺️", layout="wide")
    # Each paragraph of a text box takes the direction of its first letter,
    # so an Arabic report reads right to left.
    st.html("<style>textarea, input[type=text] {unicode-bidi: plaintext; text-align: start}</style>")
    with st.sidebar:
        st.page_link("pages/explore.py", label="Explore", icon=":material/map:")
        st.page_link("pages/code.py", label="Code a report", icon=":material/edit_note:")
        st.page_link("pages/upload.py", label="Upload", icon=":material/upload_file:")
        st.divider()


@st.cache_resource
def store() -> Store:
    """The store named by EVENTS_DSN / EVENTS_DB, else data/events.duckdb."""
    return open_store()


@st.cache_resource(max_entries=2)
def _geocoder(store_version: str) -> OfflineGeocoder:
    return OfflineGeocoder(extra_places=store().learned_places())


def geocoder() -> OfflineGeocoder:
    """The offline geocoder, knowing the places learned from stored events;
    rebuilt when a batch is added or undone."""
    batches = store().batches()
    return _geocoder(f"{len(batches)}:{batches['batch_id'].iloc[0] if len(batches) else ''}")


def forget_places() -> None:
    """The places have changed: the next geocoder is built anew."""
    _geocoder.clear()


# Loaders are cached per query; `invalidate` drops them after a write.
@st.cache_data(show_spinner=False)
def summary(query: EventQuery) -> Summary:
    return store().summary(query)


@st.cache_data(show_spinner=False)
def points(query: EventQuery) -> pd.DataFrame:
    return store().points(query)


@st.cache_data(show_spinner=False)
def timeline(query: EventQuery) -> pd.DataFrame:
    return store().timeline(query)


@st.cache_data(show_spinner=False)
def table(query: EventQuery, limit: int) -> pd.DataFrame:
    return store().frame(query, limit=limit)


@st.cache_data(show_spinner=False)
def date_span():
    return store().date_span()


@st.cache_data(show_spinner=False)
def origins() -> list[str]:
    return store().distinct("origin")


def export_text(query: EventQuery, format: str) -> str:
    """The filtered events as the text of an export file."""
    buffer = io.StringIO(newline="")
    export(store().iter_events(query), buffer, format=format)
    return buffer.getvalue()


def invalidate() -> None:
    """Forget cached query results: the store has changed."""
    st.cache_data.clear()


@st.cache_data
def _outlines() -> dict:
    return governorate_outlines()


def event_map(places: pd.DataFrame) -> pdk.Deck:
    """Governorate outlines and one circle per place, sized by events.

    No base map: map_provider=None draws no tiles, and map_style is left
    unset because Streamlit reads map_style=None as "the theme's basemap"
    and fetches Carto's style from the internet.
    The tooltip is a `text` template, so values are never read as HTML.
    """
    outlines = pdk.Layer(
        "GeoJsonLayer",
        _outlines(),
        stroked=True,
        filled=True,
        get_fill_color=[238, 234, 224, 255],
        get_line_color=[90, 90, 90, 255],
        line_width_min_pixels=1,
        pickable=False,
    )
    data = places.assign(radius=(places["events"] ** 0.5) * 1500 + 1500)
    circles = pdk.Layer(
        "ScatterplotLayer",
        data,
        get_position=["longitude", "latitude"],
        get_radius="radius",
        get_fill_color=[200, 30, 30, 170],
        get_line_color=[120, 0, 0, 220],
        stroked=True,
        line_width_min_pixels=1,
        pickable=True,
    )
    return pdk.Deck(
        layers=[outlines, circles],
        initial_view_state=SYRIA_VIEW,
        map_provider=None,
        tooltip={"text": "{location} ({admin1})\n{events} events, {fatalities} fatalities"},
    )


def place_map(latitude: float | None, longitude: float | None, outline: dict | None,
              nearby: pd.DataFrame) -> pdk.Deck:
    """The Code page's map: the chosen point (red), the area a vague place
    stands for (blue), and known places nearby (grey) to pick from."""
    layers = [pdk.Layer("GeoJsonLayer", _outlines(), id="outlines", stroked=True, filled=True,
                        get_fill_color=[238, 234, 224, 255], get_line_color=[90, 90, 90, 255],
                        line_width_min_pixels=1, pickable=False)]
    if outline is not None:
        layers.append(pdk.Layer("GeoJsonLayer", {"type": "Feature", "geometry": outline, "properties": {}},
                                id="area", stroked=True, filled=True, get_fill_color=[60, 110, 200, 60],
                                get_line_color=[40, 80, 170, 220], line_width_min_pixels=2, pickable=False))
    layers.append(pdk.Layer("ScatterplotLayer", nearby, id="nearby", get_position=["longitude", "latitude"],
                            get_radius=900, radius_min_pixels=4, get_fill_color=[90, 90, 90, 200], pickable=True))
    if latitude is not None and longitude is not None:
        chosen = pd.DataFrame({"name": ["chosen"], "latitude": [latitude], "longitude": [longitude]})
        layers.append(pdk.Layer("ScatterplotLayer", chosen, id="chosen", get_position=["longitude", "latitude"],
                                get_radius=1500, radius_min_pixels=6, get_fill_color=[200, 30, 30, 230],
                                pickable=False))
    # Wide enough to show a governorate the point stands for; close in on a town.
    view = (pdk.ViewState(latitude=latitude, longitude=longitude, zoom=7.2 if outline else 9.5)
            if latitude is not None and longitude is not None else SYRIA_VIEW)
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{name} ({admin1})"})


def place_from_selection(selection: dict | None) -> dict | None:
    """The nearby place picked on the place map, if any."""
    objects = ((selection or {}).get("selection") or {}).get("objects") or {}
    picked = objects.get("nearby") or []
    return picked[0] if picked else None


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object) -> str:
    """`text` escaped for Streamlit markdown (st.caption, st.error, ...), so
    user words show as typed: no links, images or formatting from them."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", str(text))


def highlighted(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML of `text` with the spans marked; every piece of text is escaped.

    dir="auto" lets the browser lay out an Arabic report right to left.
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, position = [], 0
    for start, end in merged:
        pieces.append(html.escape(text[position:start]))
        pieces.append(f"<mark>{html.escape(text[start:end])}</mark>")
        position = end
    pieces.append(html.escape(text[position:]))
    body = "".join(pieces).replace("\n", "<br>")
    return f'<div dir="auto" style="line-height:1.8" data-testid="report-evidence">{body}</div>'


def _keep_coder() -> None:
    st.session_state.coder_name = st.session_state.coder


def coder() -> str | None:
    """The coder's name, asked once in the sidebar and kept for the session:
    every write records it. Each page's input is a widget of its own, whose
    value Streamlit forgets on other pages, so the name is kept under a key
    of its own and put back in the input."""
    if "coder_name" not in st.session_state:
        st.session_state.coder_name = st.session_state.get("coder") or ""
    st.session_state.coder = st.session_state.coder_name
    name = st.sidebar.text_input("Your name", key="coder", on_change=_keep_coder,
                                 placeholder="Recorded with what you save",
                                 help="Recorded with every event you save, every upload and every undo")
    return name.strip() or None

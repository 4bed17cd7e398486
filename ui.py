"""What the pages share: the store, cached loaders, the map, safe HTML.

Everything here is presentation or caching; what an event is, how it is
filtered and stored belongs to the core packages.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pydeck as pdk
import streamlit as st
from pydeck.bindings.json_tools import default_serialize

import i18n
from events import access, accounts
from events.access import Account, GuardedStore
from events.backends import app_hold, open_store
from events.exc import AccessDenied, EventsError, SignInRefused
from events.export import export
from events.filters import EventQuery
from events.store import Store, Summary, View
from geo.gazetteer import GAZETTEER_DIR, governorate_outlines
from geo.geocoder import OfflineGeocoder


class Deck(pdk.Deck):
    """A pydeck Deck whose JSON is compact: pydeck indents its JSON by two
    spaces a level, which more than doubles what each rerun sends, and
    writes an Arabic letter as a six-byte escape (two bytes in UTF-8)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


# Syria fills the view at this zoom on a laptop screen.
SYRIA_VIEW = pdk.ViewState(latitude=35.0, longitude=38.4, zoom=5.6)


def page_setup(title: str, script: str) -> None:
    """Page config, the language, the page's direction and the links
    between pages, the same on every page; `script` is the page's
    `__file__`, by which team mode knows the page (PAGE_NEEDS)."""
    # An emoji, not ":material/map:": Streamlit fetches a material page icon
    # from Google's font host, and the app must work offline. The other
    # material icons (links, notices, buttons) come from its bundled font.
    st.set_page_config(page_title=f"{title} · Conflict events", page_icon="🗺️", layout="wide")
    i18n.seed()
    if team():
        _admit(_page_script(script), title)
    # Each paragraph of a text box takes the direction of its first letter,
    # so an Arabic report reads right to left; in Arabic the page does too.
    st.html(f"<style>{i18n.layout_css()}</style>")
    with st.sidebar:
        # On every page: a widget not drawn in a run is forgotten.
        st.segmented_control("Language · اللغة", list(i18n.LANGUAGES), key=i18n.LANG_KEY,
                             format_func=i18n.LANGUAGES.__getitem__, required=True, on_change=i18n.relabel)
        st.page_link("pages/explore.py", label=i18n.t("nav.explore"), icon=":material/map:")
        st.page_link("pages/areas.py", label=i18n.t("nav.areas"), icon=":material/stacked_bar_chart:")
        # Pages the account may not use are not offered (and refused by address: dashboard.py).
        if may(access.CODE):
            st.page_link("pages/code.py", label=i18n.t("nav.code"), icon=":material/edit_note:")
        if may(access.UPLOAD):
            st.page_link("pages/upload.py", label=i18n.t("nav.upload"), icon=":material/upload_file:")
        _signed_in_as()
        st.divider()


@st.cache_resource
def shared_store() -> Store:
    """The store named by EVENTS_DSN / EVENTS_DB, else data/events.duckdb,
    shared by every session of the server; a DuckDB file is kept open a
    few seconds after each call (EVENTS_HOLD), so that a person's next
    rerun finds it warm."""
    return open_store(hold=app_hold())


# The signed-in session: its token (what proves it) and, checked on this
# run, its account.
TOKEN_KEY, ACCOUNT_KEY, NOTE_KEY = "session_token", "account", "sign_in_note"


def team() -> bool:
    """Whether people sign in (access.team_mode: EVENTS_DSN or EVENTS_TEAM)."""
    return access.team_mode()


def store() -> Store:
    """The store as this session may use it: in team mode guarded by the
    signed-in account (its writes refused in the core when its role lacks
    them, and recorded under its name); in single-user mode the store."""
    if not team():
        return shared_store()
    return GuardedStore(shared_store(), st.session_state.get(ACCOUNT_KEY))


def check_session() -> Account | None:
    """The signed-in account, checked against the store (expiry, role as
    stored now) on every run; None when no one is, or the session has
    ended (then why is kept under NOTE_KEY for the sign-in page)."""
    token = st.session_state.get(TOKEN_KEY)
    if token:
        try:
            st.session_state[ACCOUNT_KEY] = accounts.signed_in(shared_store(), token)
        except SignInRefused as err:
            st.session_state[NOTE_KEY] = str(err)
            st.session_state.pop(TOKEN_KEY, None)
    if not st.session_state.get(TOKEN_KEY):
        st.session_state.pop(ACCOUNT_KEY, None)
    return st.session_state.get(ACCOUNT_KEY)


def account() -> Account | None:
    """The account checked on this run (check_session), or None."""
    return st.session_state.get(ACCOUNT_KEY)


def may(action: str) -> bool:
    """Whether this session may do `action` (of events.access): in
    single-user mode, anything."""
    if not team():
        return True
    signed = account()
    return signed is not None and access.may(signed.role, action)


def sign_in(name: str, password: str) -> Account:
    """Start a session for `name`; raises SignInRefused for a wrong name or password."""
    session = accounts.sign_in(shared_store(), name, password)
    st.session_state[TOKEN_KEY] = session.token
    st.session_state[ACCOUNT_KEY] = session.account
    st.session_state.pop(NOTE_KEY, None)
    return session.account


def sign_out() -> None:
    accounts.sign_out(shared_store(), st.session_state.pop(TOKEN_KEY, None))
    st.session_state.pop(ACCOUNT_KEY, None)
    st.session_state[NOTE_KEY] = "You have signed out."


# What a role must be allowed (events.access) to use each page, by the
# page's script: a title may change or be translated, a script's name does
# not. None: no one is asked (the sign-in page). A script missing here (a
# page not yet given its need) is refused to everyone.
PAGE_NEEDS: dict[str, str | None] = {
    "pages/explore.py": access.EXPLORE, "pages/areas.py": access.EXPLORE, "pages/code.py": access.CODE,
    "pages/upload.py": access.UPLOAD, "pages/login.py": None}
SIGN_IN = "Sign in"


def _page_script(file: str) -> str:
    """A page script's key in PAGE_NEEDS ("pages/upload.py") from its `__file__`."""
    return f"{Path(file).parent.name}/{Path(file).name}"


def _admit(script: str, title: str) -> None:
    """Team mode, before the page of `script` (a key of PAGE_NEEDS) draws
    anything: no one signed in goes to the sign-in page (which comes back
    here after), and a page the role may not use is refused with a
    sentence under `title`, whatever address reached it. The core refuses
    the writes as well (events.access); this says so before a form is
    filled in vain."""
    needed = PAGE_NEEDS.get(script, "use this page")
    if needed is None:
        return
    try:
        signed = check_session()
    except EventsError as err:  # the store cannot be reached: said, not a traceback
        st.error(f"Your session cannot be checked now: {plain(err)}")
        st.stop()
    if signed is None:
        params = {key: st.query_params.get_all(key) for key in st.query_params}
        # The page's address in dashboard.py is its script's name.
        st.switch_page("pages/login.py", query_params={**params, "next": Path(script).stem or "explore"})
    if not access.may(signed.role if signed else None, needed):
        try:
            access.require(signed, needed)
        except AccessDenied as err:
            st.title(title, anchor=False)
            st.error(plain(err))
            st.stop()


def _signed_in_as() -> None:
    signed = account()
    if team() and signed is not None:
        st.caption(plain(f"Signed in as {signed.name} ({signed.role})"))
        st.button("Sign out", on_click=sign_out, key="sign_out")


def author() -> str | None:
    """Who this session's writes are recorded as: the account in team
    mode, else the name typed on the Code or Upload page, if any."""
    signed = account()
    if team():
        return signed.name if signed else None
    return st.session_state.get("coder_name") or None


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
@st.cache_data(show_spinner=False, max_entries=64)
def summary(query: EventQuery) -> Summary:
    return store().summary(query)


@st.cache_data(show_spinner=False, max_entries=32)
def view(query: EventQuery, page_size: int, sort: str, descending: bool, unit: str, map_limit: int,
         cell_degrees: float, level: str, columns: tuple[str, ...]) -> View:
    """What one rerun of Explore shows, asked of the store in one go (the
    table's page of `columns` only)."""
    return store().view(query, limit=page_size, sort=sort, descending=descending, unit=unit, map_limit=map_limit,
                        cell_degrees=cell_degrees, level=level, columns=columns)


@st.cache_data(show_spinner=False, max_entries=64)
def page(query: EventQuery, offset: int, limit: int, sort: str, descending: bool,
         columns: tuple[str, ...]) -> pd.DataFrame:
    return store().page(query, offset, limit, sort, descending, columns)


@st.cache_data(show_spinner=False, max_entries=64)
def map_layers(query: EventQuery, map_limit: int, cell_degrees: float, level: str
               ) -> tuple[pd.DataFrame | None, pd.DataFrame, pd.DataFrame]:
    """(single events or None above the limit, grid cells, regions) of one
    query: what the map draws, for a query the view was not asked for (a
    window of the playback)."""
    return (store().map_events(query, map_limit), store().grid(query, cell_degrees), store().regions(query, level))


@st.cache_data(show_spinner=False, max_entries=64)
def areas(query: EventQuery, level: str) -> pd.DataFrame:
    return store().areas(query, level)


@st.cache_data(show_spinner=False, max_entries=64)
def compare(query: EventQuery, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date],
            level: str) -> pd.DataFrame:
    return store().compare(query, first, second, level)


def event(event_id: str) -> dict | None:
    """One event, read afresh: it is opened one at a time."""
    return store().event(event_id)


def edits(event_id: str) -> pd.DataFrame:
    return store().edits(event_id)


@st.cache_data(show_spinner=False)
def date_span():
    return store().date_span()


@st.cache_data(show_spinner=False)
def origins() -> list[str]:
    return store().distinct("origin")


# The actor box offers this many names at most: its options go to the
# browser on every rerun. A name not offered can still be typed.
MOST_ACTORS = 3_000


@st.cache_data(show_spinner=False)
def actors() -> list[str]:
    """Actor names stored as actor1 or actor2, sorted."""
    return sorted(set(store().distinct("actor1")) | set(store().distinct("actor2")))[:MOST_ACTORS]


@st.cache_data
def districts() -> tuple[tuple[str, str], ...]:
    """(governorate, district) of Syria's 61 districts, sorted by district."""
    features = district_outlines()["features"]
    return tuple(sorted(((f["properties"]["admin1"], f["properties"]["admin2"]) for f in features),
                        key=lambda pair: pair[1]))


def export_text(query: EventQuery, format: str) -> str:
    """The filtered events as the text of an export file."""
    buffer = io.StringIO(newline="")
    export(store().iter_events(query), buffer, format=format)
    return buffer.getvalue()


def invalidate() -> None:
    """Forget cached query results: the store has changed."""
    st.cache_data.clear()


@st.cache_data
def outlines() -> dict:
    """The governorates' outlines (GeoJSON, property admin1)."""
    return governorate_outlines()


@st.cache_data
def district_outlines() -> dict:
    """The districts' outlines (GeoJSON, properties admin2 and admin1)."""
    with open(GAZETTEER_DIR / "districts.geojson", encoding="utf-8") as handle:
        return json.load(handle)


def place_map(latitude: float | None, longitude: float | None, outline: dict | None,
              nearby: pd.DataFrame) -> pdk.Deck:
    """The Code page's map: the chosen point (red), the area a vague place
    stands for (blue), and known places nearby (grey) to pick from."""
    layers = [pdk.Layer("GeoJsonLayer", outlines(), id="outlines", stroked=True, filled=True,
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
    return Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{name} ({admin1})"})


def place_from_selection(selection: dict | None) -> dict | None:
    """The nearby place picked on the place map, if any."""
    objects = ((selection or {}).get("selection") or {}).get("objects") or {}
    picked = objects.get("nearby") or []
    return picked[0] if picked else None


_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def run_page(page: Callable[[], None]) -> None:
    """Run a page's body. An error of the core that nothing on the page
    handles (a damaged store file, another program writing to it) is said
    in a sentence: no page shows a traceback."""
    try:
        page()
    except EventsError as err:
        st.error(f"This page cannot be shown now: {plain(err)}")


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
    of its own and put back in the input. In team mode it is the account's
    name, not asked."""
    if team():
        return author()
    if "coder_name" not in st.session_state:
        st.session_state.coder_name = st.session_state.get("coder") or ""
    st.session_state.coder = st.session_state.coder_name
    name = st.sidebar.text_input("Your name", key="coder", on_change=_keep_coder,
                                 placeholder="Recorded with what you save",
                                 help="Recorded with every event you save, every upload and every undo")
    return name.strip() or None

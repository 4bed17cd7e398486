"""The Code page's form: one input per field of a draft, with its evidence,
and the place tools (how it was placed, look up a phrase, pick on a map,
save a place of one's own). Presentation only: pages/code.py drives it,
the core decides what an event is.
"""

import pandas as pd
import streamlit as st

import ui
from events import taxonomy
from events.exc import EventsError
from extract.draft import DRAFT_EXTRAS
from extract.lexicons import actor_type
from geo.admin import ADMIN1_NAMES

ACTOR_LABELS = {
    "actor1": "Actor 1",
    "assoc_actor_1": "Associated with actor 1 (separate with ; )",
    "actor2": "Actor 2",
}


def show(draft: dict, status: str) -> None:
    """Put a draft in the form: widgets read their values from session state."""
    st.session_state.draft = draft
    st.session_state.placement = draft["placement"]
    st.session_state.saved = None
    st.session_state.similar = None
    for name, value in draft.items():
        if name not in DRAFT_EXTRAS:
            st.session_state[f"field_{name}"] = value
    st.session_state.field_status = status


def _why(draft: dict, name: str) -> None:
    """The evidence and confidence behind one field, under its input."""
    spans = draft["evidence"].get(name)
    confidence = draft["confidence"].get(name, 0.0)
    if spans:
        words = " · ".join(f"“{ui.plain(s['text'])}”" for s in spans[:3])
        st.caption(f"From {words} — confidence {confidence:.0%}")
    else:
        st.caption(f"No evidence in the text — confidence {confidence:.0%}")


def _set_place(name: str, latitude: float, longitude: float, admin1: str | None, precision: int) -> None:
    st.session_state.field_location = name
    st.session_state.field_latitude = latitude
    st.session_state.field_longitude = longitude
    st.session_state.field_admin1 = admin1 or ""
    st.session_state.field_geo_precision = precision


def _use_candidate() -> None:
    chosen = st.session_state.candidate
    if chosen is not None:
        _set_place(chosen["name"], chosen["latitude"], chosen["longitude"], chosen["admin1"],
                   st.session_state.get("field_geo_precision", 1))


def _look_up() -> None:
    """Geocode what the coder typed ("near Saraqib", "ريف إدلب الجنوبي")."""
    query = st.session_state.place_query.strip()
    st.session_state.place_not_found = None
    found = ui.geocoder().geocode(query, admin1=st.session_state.get("field_admin1") or None) if query else None
    if found is None:
        st.session_state.place_not_found = query
        return
    raw = found.raw
    _set_place(found.address, found.latitude, found.longitude, raw["admin1"], raw["geo_precision"])
    st.session_state.placement = {k: raw[k] for k in ("rule", "where_prec", "source", "candidates", "area")}


def _pick_on_map() -> None:
    picked = ui.place_from_selection(st.session_state.get("place_map"))
    if picked is not None:
        _set_place(picked["name"], picked["latitude"], picked["longitude"], picked["admin1"], 1)
        st.session_state.placement = {"rule": "picked on the map by the coder", "where_prec": 1,
                                      "source": picked["source"], "candidates": [], "area": None}


def _placement() -> None:
    """How the place was found, the other places of the same name, a box to
    look up another phrase, and a map to pick a known place nearby."""
    placement = st.session_state.get("placement") or {}
    if placement:
        st.caption(ui.plain(f"Placed by rule: {placement['rule']}"
                            + (f" (UCDP where_prec {placement['where_prec']})" if placement["where_prec"] else "")
                            + (f"; from {placement['source']}" if placement["source"] else "")))
    if placement.get("candidates"):
        st.selectbox("Same name elsewhere: use instead", [None, *placement["candidates"]], key="candidate",
                     on_change=_use_candidate,
                     format_func=lambda c: "—" if c is None else f"{c['name']} ({c['admin1']}) "
                                                                 f"{c['latitude']:.4f}, {c['longitude']:.4f}")
    look, button = st.columns([3, 1], vertical_alignment="bottom")
    look.text_input("Find a place (a name or a phrase such as “near Saraqib”)", key="place_query")
    button.button("Look up", on_click=_look_up)
    if st.session_state.get("place_not_found"):
        st.warning(ui.plain(f"No place found for “{st.session_state.place_not_found}”. Type its coordinates, "
                            "or pick a known place nearby on the map."))


def _place_map() -> None:
    latitude, longitude = st.session_state.get("field_latitude"), st.session_state.get("field_longitude")
    placement = st.session_state.get("placement") or {}
    area = placement.get("area")
    gazetteer = ui.geocoder().gazetteer
    outline = gazetteer.outline(area["level"], area["name"], area.get("admin1")) if area else None
    places = gazetteer.nearby(latitude, longitude) if latitude is not None and longitude is not None else []
    nearby = pd.DataFrame([{"name": p.label, "admin1": p.admin1, "latitude": p.latitude, "longitude": p.longitude,
                            "source": p.source} for p in places],
                          columns=["name", "admin1", "latitude", "longitude", "source"])
    st.caption("Click a grey place to use it; the blue area is what a vague place stands for.")
    st.pydeck_chart(ui.place_map(latitude, longitude, outline, nearby), height=320, key="place_map",
                    on_select=_pick_on_map, selection_mode="single-object")


def _save_place(values: dict, coder: str | None) -> None:
    """Keep the location typed above as a place of one's own, so that later
    reports naming it are placed without help."""
    with st.expander("Save this location as a place"):
        aliases = st.text_input("Other spellings (separate with ;)", key="place_aliases")
        if st.button("Save place", disabled=not (values["location"] and values["latitude"] is not None
                                                  and values["longitude"] is not None)):
            try:
                ui.store().save_place(values["location"], values["latitude"], values["longitude"],
                                      aliases=aliases.split(";"), admin1=values["admin1"], coder=coder)
            except EventsError as err:
                st.error(ui.plain(err))
                return
            ui.forget_places()
            st.success(ui.plain(f"Saved {values['location']}: later reports naming it will be placed there."))


def form(draft: dict, coder: str | None) -> dict:
    """The draft's fields as the coder left them; place tools on the right
    (a place saved there records `coder`)."""
    values = dict(draft)
    left, right = st.columns(2)
    with left:
        values["event_date"] = st.date_input("Event date", key="field_event_date")
        _why(draft, "event_date")
        # No trigger word found: the type stays unknown until the coder picks one.
        types = list(taxonomy.event_types())
        if st.session_state.get("field_event_type") not in types:
            st.session_state.field_event_type = None
        values["event_type"] = st.selectbox("Event type", types, key="field_event_type", index=None,
                                            placeholder="Unknown: choose the event type")
        _why(draft, "event_type")
        subs = list(taxonomy.sub_event_types(values["event_type"])) if values["event_type"] else []
        if st.session_state.get("field_sub_event_type") not in subs:
            st.session_state.field_sub_event_type = None
        values["sub_event_type"] = st.selectbox("Sub-event type", subs, key="field_sub_event_type", index=None,
                                                placeholder="Unknown: choose the sub-event type")
        values["disorder_type"] = taxonomy.disorder_type_of(values["sub_event_type"]) if values["sub_event_type"] \
            else None
        for name, label in ACTOR_LABELS.items():
            values[name] = st.text_input(label, key=f"field_{name}") or None
            _why(draft, name)
        # An edited actor keeps no stale type: known names get theirs, others none.
        values["inter1"], values["inter2"] = actor_type(values["actor1"]), actor_type(values["actor2"])
        values["civilian_targeting"] = "Civilians targeted" if values["inter2"] == "Civilians" else None
        values["fatalities"] = int(st.number_input("Fatalities", min_value=0, step=1, key="field_fatalities"))
        _why(draft, "fatalities")
    with right:
        admin1_options = [""] + list(ADMIN1_NAMES)
        if st.session_state.get("field_admin1") not in admin1_options:
            st.session_state.field_admin1 = ""
        values["admin1"] = st.selectbox("Governorate (admin1)", admin1_options, key="field_admin1") or None
        _why(draft, "admin1")
        values["location"] = st.text_input("Location", key="field_location") or None
        values["latitude"] = st.number_input("Latitude", min_value=-90.0, max_value=90.0, format="%.4f",
                                             key="field_latitude", value=None)
        values["longitude"] = st.number_input("Longitude", min_value=-180.0, max_value=180.0, format="%.4f",
                                              key="field_longitude", value=None)
        values["geo_precision"] = st.selectbox(
            "Geo precision", [1, 2, 3], key="field_geo_precision",
            format_func=lambda p: {1: "1 · town", 2: "2 · near a town / small area", 3: "3 · region"}[p],
        )
        _why(draft, "location")
        _placement()
        _place_map()
        _save_place(values, coder)
        values["source"] = st.text_input("Source", key="field_source") or None
        _why(draft, "source")
        values["source_url"] = st.text_input("Source URL", key="field_source_url") or None
        values["status"] = st.selectbox("Status", ["draft", "reviewed"], key="field_status",
                                        help="Draft until a second person has reviewed it")
    values["notes"] = st.text_area("Notes", key="field_notes") or None
    return values

"""The Code page's form: one input per field of a draft, with its evidence,
and the place tools (how it was placed, look up a phrase, pick on a map,
save a place of one's own). Presentation only: pages/code.py drives it,
the core decides what an event is.
"""

import pandas as pd
import streamlit as st

import i18n
import ui
from events import taxonomy
from events.exc import EventsError
from events.schema import GEO_PRECISIONS, STATUSES
from extract.draft import DRAFT_EXTRAS
from extract.lexicons import actor_type
from geo.admin import ADMIN1_NAMES

ACTORS = ("actor1", "assoc_actor_1", "actor2")
# The rule of a place the coder picked on the map: said in the language in use when shown.
PICKED = "picked on the map by the coder"


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
        words = " · ".join(i18n.t("code.quote", text=ui.plain(s["text"])) for s in spans[:3])
        st.caption(i18n.t("code.from", words=words, confidence=f"{confidence:.0%}"))
    else:
        st.caption(i18n.t("code.no_evidence", confidence=f"{confidence:.0%}"))


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
        st.session_state.placement = {"rule": PICKED, "where_prec": 1,
                                      "source": picked["source"], "candidates": [], "area": None}


def _placement() -> None:
    """How the place was found, the other places of the same name, a box to
    look up another phrase, and a map to pick a known place nearby."""
    placement = st.session_state.get("placement") or {}
    if placement:
        # The rule is the geocoder's sentence, in English (the core's words).
        rule = i18n.t("code.picked") if placement["rule"] == PICKED else placement["rule"]
        words = i18n.t("code.placed", rule=rule)
        if placement["where_prec"]:
            words += " " + i18n.t("code.where_prec", value=placement["where_prec"])
        if placement["source"]:
            words += i18n.t("sep") + i18n.t("code.placed_from", source=placement["source"])
        st.caption(ui.plain(words))
    if placement.get("candidates"):
        st.selectbox(i18n.t("code.candidate"), [None, *placement["candidates"]], key="candidate",
                     on_change=_use_candidate,
                     format_func=lambda c: "—" if c is None else f"{c['name']} ({c['admin1']}) "
                                                                 f"{c['latitude']:.4f}, {c['longitude']:.4f}")
    look, button = st.columns([3, 1], vertical_alignment="bottom")
    look.text_input(i18n.t("code.find_place"), key="place_query")
    button.button(i18n.t("code.look_up"), on_click=_look_up)
    if st.session_state.get("place_not_found"):
        st.warning(ui.plain(i18n.t("code.not_found", query=st.session_state.place_not_found)))


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
    st.caption(i18n.t("code.place_map"))
    st.pydeck_chart(ui.place_map(latitude, longitude, outline, nearby), height=320, key="place_map",
                    on_select=_pick_on_map, selection_mode="single-object")


def _save_place(values: dict, coder: str | None) -> None:
    """Keep the location typed above as a place of one's own, so that later
    reports naming it are placed without help."""
    with st.expander(i18n.t("code.keep_place")):
        aliases = st.text_input(i18n.t("code.several_names", name=i18n.t("code.aliases")), key="place_aliases")
        placed = values["location"] and values["latitude"] is not None and values["longitude"] is not None
        if st.button(i18n.t("code.save_place"), disabled=not placed):
            try:
                ui.store().save_place(values["location"], values["latitude"], values["longitude"],
                                      aliases=aliases.split(";"), admin1=values["admin1"], coder=coder)
            except EventsError as err:
                st.error(ui.plain(err))
                return
            ui.forget_places()
            st.success(ui.plain(i18n.t("code.place_saved", location=values["location"])))


def form(draft: dict, coder: str | None) -> dict:
    """The draft's fields as the coder left them; place tools on the right
    (a place saved there records `coder`)."""
    values = dict(draft)
    left, right = st.columns(2)
    with left:
        values["event_date"] = st.date_input(i18n.t("col.event_date"), key="field_event_date")
        _why(draft, "event_date")
        # No trigger word found: the type stays unknown until the coder picks one.
        types = list(taxonomy.event_types())
        if st.session_state.get("field_event_type") not in types:
            st.session_state.field_event_type = None
        # ACLED's types are named as ACLED names them: the coder codes to its taxonomy.
        values["event_type"] = st.selectbox(i18n.t("filter.event_type"), types, key="field_event_type", index=None,
                                            placeholder=i18n.t("code.event_type.placeholder"))
        _why(draft, "event_type")
        subs = list(taxonomy.sub_event_types(values["event_type"])) if values["event_type"] else []
        if st.session_state.get("field_sub_event_type") not in subs:
            st.session_state.field_sub_event_type = None
        values["sub_event_type"] = st.selectbox(i18n.t("filter.sub_event_type"), subs, key="field_sub_event_type",
                                                index=None, placeholder=i18n.t("code.sub_event_type.placeholder"))
        values["disorder_type"] = taxonomy.disorder_type_of(values["sub_event_type"]) if values["sub_event_type"] \
            else None
        for name in ACTORS:
            label = i18n.t(f"col.{name}")
            if name.startswith("assoc_"):
                label = i18n.t("code.several_names", name=label)
            values[name] = st.text_input(label, key=f"field_{name}") or None
            _why(draft, name)
        # An edited actor keeps no stale type: known names get theirs, others none.
        values["inter1"], values["inter2"] = actor_type(values["actor1"]), actor_type(values["actor2"])
        values["civilian_targeting"] = "Civilians targeted" if values["inter2"] == "Civilians" else None
        values["fatalities"] = int(st.number_input(i18n.t("col.fatalities"), min_value=0, step=1,
                                                   key="field_fatalities"))
        _why(draft, "fatalities")
    with right:
        admin1_options = [""] + list(ADMIN1_NAMES)
        if st.session_state.get("field_admin1") not in admin1_options:
            st.session_state.field_admin1 = ""
        values["admin1"] = st.selectbox(i18n.t("col.admin1"), admin1_options, key="field_admin1") or None
        _why(draft, "admin1")
        values["location"] = st.text_input(i18n.t("col.location"), key="field_location") or None
        values["latitude"] = st.number_input(i18n.t("code.latitude"), min_value=-90.0, max_value=90.0, format="%.4f",
                                             key="field_latitude", value=None)
        values["longitude"] = st.number_input(i18n.t("code.longitude"), min_value=-180.0, max_value=180.0,
                                              format="%.4f", key="field_longitude", value=None)
        values["geo_precision"] = st.selectbox(
            i18n.t("filter.geo_precision"), GEO_PRECISIONS, key="field_geo_precision",
            format_func=i18n.names(GEO_PRECISIONS, lambda p: i18n.value_name(p, "precision")),
        )
        _why(draft, "location")
        _placement()
        _place_map()
        _save_place(values, coder)
        values["source"] = st.text_input(i18n.t("col.source"), key="field_source") or None
        _why(draft, "source")
        values["source_url"] = st.text_input(i18n.t("col.source_url"), key="field_source_url") or None
        values["status"] = st.selectbox(i18n.t("col.status"), STATUSES, key="field_status",
                                        format_func=i18n.names(STATUSES, lambda s: i18n.value_name(s, "status")),
                                        help=i18n.t("code.status.help"))
    values["notes"] = st.text_area(i18n.t("col.notes"), key="field_notes") or None
    return values

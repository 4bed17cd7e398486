"""Explore's map: outlines and labels, then the events in one of three layers.

- single events, one dot each, coloured by event type and sized by
  fatalities in screen pixels (a dot stays a dot at every zoom), clickable;
  drawn while the filtered set holds at most MAP_LIMIT events;
- above that, or when chosen: the store's grid cells, or a heatmap fed with
  the cells' centres weighted by their events (never raw points);
- events placed only at a region (geo_precision 3, or no point) shade their
  governorate, always: a dot on the capital would be a false hotspot.

The dots (or cells) plus the shaded regions count every filtered event once.
No base map: map_provider=None draws no tiles, and map_style is left unset
because Streamlit reads map_style=None as "the theme's basemap" and fetches
Carto's style. Tooltips are `text` templates, so values are never HTML;
a dot's tooltip ends with the start of its notes, shorter the more dots
are drawn (NOTES_BUDGET), so that the notes add a bounded payload.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

import i18n
import labels
import ui
from events import taxonomy
from events.explore import NOTES_EXCERPT
from events.filters import EventQuery

# Single events are drawn up to this many (about 250 bytes each to the
# browser, with the outlines well under 1 MB a rerun); above it, cells.
MAP_LIMIT = 2_500
# The tooltips' notes excerpts together hold at most this many characters
# (each at most the store's NOTES_EXCERPT, at least NOTES_LEAST): at
# MAP_LIMIT dots about 100 kB of a rerun, Arabic 200 kB.
NOTES_BUDGET = 100_000
NOTES_LEAST = 40
CELL_DEGREES = 0.1
REGION_LEVEL = "admin1"
LAYERS = ("auto", "events", "grid", "heatmap")
HEIGHT = 560
# Colour-blind-safe (Okabe–Ito), one per event type, in the codebook's order.
TYPE_COLOURS = dict(zip(taxonomy.event_types(), (
    [213, 94, 0], [0, 114, 178], [204, 121, 167], [230, 159, 0], [0, 158, 115], [120, 120, 120]), strict=True))
OTHER_COLOUR = [60, 60, 60]
REGION_COLOUR = [117, 80, 170]
CELL_COLOURS = ([255, 237, 160], [254, 178, 76], [240, 59, 32], [189, 0, 38])
OUTLINE_FILL = [238, 234, 224, 255]
SYRIA = (32.3, 35.6, 37.4, 42.4)  # south, west, north, east
# The width the view is fitted for: the map's column on a laptop screen.
FIT_WIDTH = 760


@dataclass(frozen=True)
class MapData:
    """What the map draws for one query: single events (None: too many),
    grid cells, and the events placed only at a region, per area."""

    events: pd.DataFrame | None
    grid: pd.DataFrame
    regions: pd.DataFrame


def _clip(text: object, most: int) -> str:
    text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return text if len(text) <= most else text[: most - 1] + "…"


def notes_length(dots: int) -> int:
    """The characters of notes each of `dots` tooltips shows."""
    return max(NOTES_LEAST, min(NOTES_EXCERPT, NOTES_BUDGET // max(dots, 1)))


def _event_tip(row: dict, notes: int = NOTES_EXCERPT) -> str:
    """An event's tooltip: date, type, actors, place, fatalities, precision,
    source, and the start of its notes (`notes` characters at most)."""
    actors = " — ".join(a for a in (_clip(row.get("actor1"), 80), _clip(row.get("actor2"), 80)) if a)
    place = ", ".join(p for p in (_clip(row.get("location"), 60), _clip(row.get("admin1"), 30)) if p)
    lines = [f"{pd.Timestamp(row['event_date']).date()} · {i18n.value_name(row['event_type'])}", actors, place,
             f"{row['fatalities'] if pd.notna(row['fatalities']) else '?'} {i18n.t('tip.fatalities')} · "
             f"{i18n.t('tip.precision')} {row['geo_precision']}",
             f"{i18n.t('tip.source')}: {_clip(row.get('source'), 80)}"]
    if row.get("notes"):
        lines.append(_clip(row["notes"], notes))
    return "\n".join(line for line in lines if line)


def _radius(fatalities: pd.Series) -> pd.Series:
    """Dot radius in pixels: 4 for none, growing with the square root (area
    follows fatalities), at most 18."""
    return (4 + fatalities.fillna(0).clip(lower=0) ** 0.5 * 2).clip(upper=18).round(1)


def _event_layers(events: pd.DataFrame) -> list[pdk.Layer]:
    """One dot layer per event type (its colour), of the events with a point."""
    placed = events[events["geo_precision"].isin([1, 2])]
    notes = notes_length(len(placed))
    layers = []
    for number, (event_type, group) in enumerate(placed.groupby("event_type", sort=False)):
        # Short names: they are repeated for every event sent.
        data = pd.DataFrame({
            "event_id": group["event_id"], "x": group["longitude"].round(4), "y": group["latitude"].round(4),
            "r": _radius(group["fatalities"]),
            "tip": [_event_tip(row, notes) for row in group.to_dict(orient="records")]})
        layers.append(pdk.Layer(
            "ScatterplotLayer", data, id=f"events-{number}", get_position=["x", "y"],
            get_radius="r", radius_units='"pixels"', get_fill_color=TYPE_COLOURS.get(str(event_type), OTHER_COLOUR),
            get_line_color=[255, 255, 255], stroked=True, line_width_min_pixels=1, opacity=0.85, pickable=True,
            auto_highlight=True))
    return layers


def _cell_colour(events: pd.Series) -> list[list[int]]:
    """Cells coloured by their count's quartile among the cells drawn."""
    if events.empty:
        return []
    ranks = events.rank(method="max", pct=True)
    return [CELL_COLOURS[min(3, int(rank * 4 - 1e-9))] + [200] for rank in ranks]


def _grid_layer(grid: pd.DataFrame) -> pdk.Layer:
    half = CELL_DEGREES / 2
    data = pd.DataFrame({
        "polygon": [[[x - half, y - half], [x + half, y - half], [x + half, y + half], [x - half, y + half]]
                    for x, y in zip(grid["longitude"].round(4), grid["latitude"].round(4), strict=True)],
        "colour": _cell_colour(grid["events"]),
        "events": grid["events"],
        "tip": [i18n.t("tip.cell", events=i18n.number(int(e)), fatalities=i18n.number(int(f)))
                for e, f in zip(grid["events"], grid["fatalities"], strict=True)]})
    return pdk.Layer("PolygonLayer", data, id="grid", get_polygon="polygon", get_fill_color="colour",
                     get_line_color=[120, 60, 20, 120], line_width_min_pixels=0.5, stroked=True, pickable=True)


def _heatmap_layer(grid: pd.DataFrame) -> pdk.Layer:
    data = grid[["longitude", "latitude", "events"]].round(4)
    return pdk.Layer("HeatmapLayer", data, id="heatmap", get_position=["longitude", "latitude"],
                     get_weight="events", radius_pixels=40, aggregation='"SUM"', pickable=False)


def _region_layer(regions: pd.DataFrame) -> pdk.Layer | None:
    """The governorates holding events placed only there, shaded by how many."""
    counts = {row["area"]: row for row in regions.to_dict(orient="records") if row["area"]}
    if not counts:
        return None
    most = max(int(row["events"]) for row in counts.values())
    features = []
    for feature in ui.outlines()["features"]:
        row = counts.get(feature["properties"]["admin1"])
        if row is None:
            continue
        area = i18n.value_name(row["area"], "admin1")
        alpha = int(20 + 75 * (int(row["events"]) / most) ** 0.5)
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {
            "tip": i18n.t("tip.region", events=i18n.number(int(row["events"])), area=area,
                          fatalities=i18n.number(int(row["fatalities"]))),
            "events": int(row["events"]), "fill": [*REGION_COLOUR, alpha]}})
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="regions",
                     filled=True, stroked=True, get_fill_color="properties.fill",
                     get_line_color=[*REGION_COLOUR, 230], line_width_min_pixels=2, pickable=True)


def _outline_layers() -> list[pdk.Layer]:
    return [
        pdk.Layer("GeoJsonLayer", ui.outlines(), id="governorates", stroked=True, filled=True,
                  get_fill_color=OUTLINE_FILL, get_line_color=[90, 90, 90, 255], line_width_min_pixels=1.2),
        pdk.Layer("GeoJsonLayer", ui.district_outlines(), id="districts", stroked=True, filled=False,
                  get_line_color=[150, 150, 150, 160], line_width_min_pixels=0.5),
    ]


def _label_layers(language: str) -> list[pdk.Layer]:
    """Governorate names at every zoom (in pixels); district names in metres,
    so that they grow to a readable size only once the map is zoomed in."""
    governorates = list(labels.area_labels("admin1", language))
    districts = list(labels.area_labels("admin2", language))
    glyphs = '"' + "".join(labels.character_set(label["name"] for label in governorates + districts)) + '"'
    common = {"get_position": ["longitude", "latitude"], "get_text": "name", "character_set": glyphs,
              "font_family": f'"{labels.FONT_FAMILY}"', "get_text_anchor": '"middle"',
              "get_alignment_baseline": '"center"', "font_settings": {"sdf": True}, "outline_width": 4,
              "outline_color": [255, 255, 255, 230], "pickable": False}
    return [
        pdk.Layer("TextLayer", governorates, id="governorate-labels", get_size=14, size_units='"pixels"',
                  get_color=[40, 40, 40, 255], font_weight=700, **common),
        pdk.Layer("TextLayer", districts, id="district-labels", get_size=2000, size_units='"meters"',
                  size_min_pixels=0, size_max_pixels=13, get_color=[70, 70, 70, 220], **common),
    ]


def _bounds(query: EventQuery) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the areas the query is limited to, or
    Syria: the view follows the area filters only, so that changing any
    other filter keeps the zoom the person chose."""
    chosen = []
    if query.admin2:
        chosen = [f for f in ui.district_outlines()["features"] if f["properties"]["admin2"] in query.admin2]
    elif query.admin1:
        chosen = [f for f in ui.outlines()["features"] if f["properties"]["admin1"] in query.admin1]
    if not chosen:
        return SYRIA
    xs, ys = [], []
    for feature in chosen:
        geometry = feature["geometry"]
        rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [
            ring for polygon in geometry["coordinates"] for ring in polygon]
        for ring in rings:
            xs += [point[0] for point in ring]
            ys += [point[1] for point in ring]
    return min(ys), min(xs), max(ys), max(xs)


def view_state(query: EventQuery, width: int = FIT_WIDTH, height: int = HEIGHT) -> pdk.ViewState:
    """The view fitting the query's areas in a map `width` x `height` pixels."""
    south, west, north, east = _bounds(query)

    def mercator(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    # deck.gl's world is 512 pixels wide at zoom 0.
    width_zoom = math.log2(width * 360 / (512 * max(east - west, 0.01)))
    height_zoom = math.log2(height * 2 * math.pi / (512 * max(mercator(north) - mercator(south), 0.0002)))
    zoom = round(min(width_zoom, height_zoom, 11) - 0.25, 2)
    middle = math.degrees(math.atan(math.sinh((mercator(north) + mercator(south)) / 2)))
    return pdk.ViewState(latitude=round(middle, 4), longitude=round((west + east) / 2, 4), zoom=zoom)


def chosen_layer(choice: str, data: MapData) -> str:
    """The layer drawn: 'auto' is single events when the store gave them."""
    if choice == "auto":
        return "events" if data.events is not None else "grid"
    if choice == "events" and data.events is None:
        return "grid"
    return choice


def deck(query: EventQuery, data: MapData, layer: str) -> pdk.Deck:
    """The map of `data` with the `layer` chosen by `chosen_layer`."""
    layers = _outline_layers()
    region = _region_layer(data.regions)
    if region is not None:
        layers.append(region)
    if layer == "events" and data.events is not None:
        layers += _event_layers(data.events)
    elif layer == "heatmap":
        layers.append(_heatmap_layer(data.grid))
    else:
        layers.append(_grid_layer(data.grid))
    layers += _label_layers(i18n.language())
    return ui.Deck(layers=layers, initial_view_state=view_state(query), map_provider=None,
                    tooltip={"text": "{tip}", "style": {"whiteSpace": "pre-line", "unicodeBidi": "plaintext",
                                                       "maxWidth": "28rem", "fontSize": "13px"}})


def picked_event(selection: dict | None) -> str | None:
    """The event_id of the dot clicked on the map, if any."""
    objects = ((selection or {}).get("selection") or {}).get("objects") or {}
    for layer_id, picked in objects.items():
        if layer_id.startswith("events-") and picked:
            return picked[0].get("event_id")
    return None


def _swatch(colour: list[int], shape: str = "dot") -> str:
    radius = "50%" if shape == "dot" else "2px"
    rgba = f"rgba({colour[0]},{colour[1]},{colour[2]},{colour[3] / 255 if len(colour) > 3 else 1})"
    return (f'<span style="display:inline-block;width:0.8em;height:0.8em;border-radius:{radius};'
            f'background:{rgba};margin-inline-end:0.3em;vertical-align:middle"></span>')


def legend(layer: str) -> str:
    """The legend's HTML: the event types' colours (or the cells'), and the
    two precisions. Every word is escaped."""
    e = html.escape
    if layer == "events":
        items = "".join(f"<span style='margin-inline-end:0.9em'>{_swatch(colour)}{e(i18n.value_name(kind))}</span>"
                        for kind, colour in TYPE_COLOURS.items())
        first = f"<b>{e(i18n.t('legend.type'))}</b> {items} <span>· {e(i18n.t('legend.size'))}</span>"
    elif layer == "heatmap":
        first = e(i18n.t("legend.heat"))
    else:
        cells = "".join(_swatch([*colour, 200], "square") for colour in CELL_COLOURS)
        first = f"{cells} {e(i18n.t('legend.cells'))}"
    second = (f"<b>{e(i18n.t('legend.precision'))}</b> {_swatch([40, 40, 40, 255])}{e(i18n.t('legend.point'))}"
              f" &nbsp; {_swatch([*REGION_COLOUR, 140], 'square')}{e(i18n.t('legend.region'))}")
    direction = "rtl" if i18n.rtl() else "ltr"
    return (f'<div data-testid="map-legend" dir="{direction}" style="font-size:0.85rem;line-height:1.7">'
            f"<div>{first}</div><div>{second}</div></div>")

"""Areas and periods: a choropleth of events or fatalities per governorate
or district, and the change per area between two periods.

Colours are bins of the values drawn (a sequential scale for counts, a
diverging one for change); every area's tooltip says its numbers.
"""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import pydeck as pdk

import explore_map
import i18n
import labels
import ui
from events.filters import EventQuery

LEVELS = ("admin1", "admin2")
# Sequential (counts) and diverging (fewer → more) colours, light to dark.
SEQUENTIAL = ([254, 240, 217], [253, 204, 138], [252, 141, 89], [227, 74, 51], [179, 0, 0])
DIVERGING = ([33, 102, 172], [103, 169, 207], [240, 240, 240], [239, 138, 98], [178, 24, 43])
NO_DATA = [245, 243, 238]
HEIGHT = explore_map.HEIGHT - 100


def last_two_months(last: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """(the month before, the month of `last`), each first to last day."""
    this_start = last.replace(day=1)
    previous_end = this_start - dt.timedelta(days=1)
    next_start = (this_start + dt.timedelta(days=32)).replace(day=1)
    return (previous_end.replace(day=1), previous_end), (this_start, next_start - dt.timedelta(days=1))


def _features(level: str) -> list[dict]:
    return (ui.outlines() if level == "admin1" else ui.district_outlines())["features"]


def _key(level: str, properties: dict) -> tuple[str, str]:
    return properties["admin1"], properties[level]


def _bins(values: list[float], count: int) -> list[float]:
    """Upper edges of `count` bins of equal count among the positive values."""
    positive = pd.Series([v for v in values if v > 0], dtype="float64")
    if positive.empty:
        return [0.0] * count
    return [float(positive.quantile((i + 1) / count)) for i in range(count)]


def _colour(value: float, edges: list[float], colours: tuple[list[int], ...]) -> list[int]:
    for edge, colour in zip(edges, colours, strict=True):
        if value <= edge:
            return colour
    return colours[-1]


def _labels(level: str) -> pdk.Layer:
    rows = list(labels.area_labels(level, i18n.language()))
    glyphs = '"' + "".join(labels.character_set(r["name"] for r in rows)) + '"'
    return pdk.Layer("TextLayer", rows, id="area-labels", get_position=["longitude", "latitude"], get_text="name",
                     get_size=13 if level == "admin1" else 11, size_units='"pixels"', character_set=glyphs,
                     font_weight=700,
                     font_family=f'"{labels.FONT_FAMILY}"', get_color=[30, 30, 30, 255], outline_width=3,
                     outline_color=[255, 255, 255, 220], font_settings={"sdf": True})


def _deck(query: EventQuery, level: str, features: list[dict], width: int = explore_map.FIT_WIDTH) -> pdk.Deck:
    layer = pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id="areas",
                      filled=True, stroked=True, get_fill_color="properties.fill", get_line_color=[90, 90, 90, 255],
                      line_width_min_pixels=1, pickable=True)
    return ui.Deck(layers=[layer, _labels(level)], initial_view_state=explore_map.view_state(query, width, HEIGHT),
                    map_provider=None, tooltip={"text": "{tip}", "style": {"unicodeBidi": "plaintext"}})


def _name(level: str, admin1: str, area: str) -> str:
    return i18n.value_name(area, "admin1") if level == "admin1" else i18n.value_name((admin1, area), "admin2")


def choropleth(query: EventQuery, level: str, measure: str) -> tuple[pdk.Deck, str]:
    """The map of `measure` per area, and its legend's HTML."""
    frame = ui.areas(query, level)
    rows = {(r["admin1"], r["area"]): r for r in frame.to_dict(orient="records") if r["area"]}
    edges = _bins([float(r[measure]) for r in rows.values()], len(SEQUENTIAL))
    features = []
    for feature in _features(level):
        key = _key(level, feature["properties"])
        row = rows.get(key, {"events": 0, "fatalities": 0})
        value = float(row[measure])
        fill = [*_colour(value, edges, SEQUENTIAL), 230] if value > 0 else [*NO_DATA, 255]
        tip = i18n.t("tip.area", area=_name(level, *key), events=i18n.number(int(row["events"])),
                     fatalities=i18n.number(int(row["fatalities"])))
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {"tip": tip, "fill": fill}})
    swatches = "".join(
        f'<span style="display:inline-block;width:1.4em;height:0.8em;background:rgb({c[0]},{c[1]},{c[2]})"></span>'
        f"<span style='margin-inline-end:0.6em'> ≤ {i18n.number(int(edge))}</span>"
        for c, edge in zip(SEQUENTIAL, edges, strict=True))
    legend = (f'<div data-testid="areas-legend" dir="{"rtl" if i18n.rtl() else "ltr"}" style="font-size:0.85rem">'
              f"<b>{html.escape(i18n.t(f'measure.{measure}'))}</b> {swatches}</div>")
    return _deck(query, level, features), legend


def change_legend() -> str:
    """The diverging colours' legend: fewer events in the second period, the same, more."""
    swatches = "".join(
        f'<span style="display:inline-block;width:1.4em;height:0.8em;background:rgb({c[0]},{c[1]},{c[2]})"></span>'
        for c in DIVERGING)
    return (f'<div data-testid="change-legend" dir="{"rtl" if i18n.rtl() else "ltr"}" style="font-size:0.85rem">'
            f"{html.escape(i18n.t('legend.fewer'))} {swatches} {html.escape(i18n.t('legend.more'))}</div>")


def comparison(query: EventQuery, level: str, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date]
               ) -> tuple[pdk.Deck, pd.DataFrame]:
    """The change per area between the periods (map and table)."""
    frame = ui.compare(query, first, second, level)
    rows = {(r["admin1"], r["area"]): r for r in frame.to_dict(orient="records") if r["area"]}
    largest = max([abs(int(r["change"])) for r in rows.values()] or [1]) or 1
    features = []
    for feature in _features(level):
        key = _key(level, feature["properties"])
        row = rows.get(key)
        change = int(row["change"]) if row else 0
        step = round(2 * change / largest)  # -2 .. 2
        fill = [*DIVERGING[step + 2], 230] if row else [*NO_DATA, 255]
        tip = i18n.t("tip.change", area=_name(level, *key), first=int(row["first_events"]) if row else 0,
                     second=int(row["second_events"]) if row else 0, change=f"{change:+d}")
        features.append({"type": "Feature", "geometry": feature["geometry"], "properties": {"tip": tip, "fill": fill}})
    table = pd.DataFrame({
        i18n.t("areas.area"): [_name(level, r["admin1"], r["area"]) if r["area"] else "—"
                               for r in frame.to_dict(orient="records")],
        f"{first[0]} – {first[1]}": frame["first_events"], f"{second[0]} – {second[1]}": frame["second_events"],
        i18n.t("areas.change"): frame["change"]})
    # Half the page wide: fitted for half the width.
    return _deck(query, level, features, explore_map.FIT_WIDTH // 2), table

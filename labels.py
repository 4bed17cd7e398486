"""Map labels: place names in either language, ready for deck.gl's TextLayer.

The TextLayer draws each character from a glyph atlas on its own: it
neither joins Arabic letters nor lays them out right to left. So an Arabic
label is shaped here, on the server (arabic-reshaper picks each letter's
joined form from Unicode's presentation forms, python-bidi puts the
characters in the order they are seen), and the layer is given the set of
characters it must draw (`characterSet`). The font is our own file
(static/MapSans.ttf), so no glyph is fetched from outside.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from functools import cache

import arabic_reshaper
from bidi import get_display
from shapely.geometry import shape

from geo.admin import ADMIN1_ALIASES
from geo.gazetteer import GAZETTEER_DIR

_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# The font the map's labels are drawn in: static/MapSans.ttf, declared by
# ui.page_setup; the others are fallbacks found on the machine.
FONT_FAMILY = "'Map Sans', 'DejaVu Sans', sans-serif"


def has_arabic(text: str) -> bool:
    return bool(_ARABIC.search(text))


def shaped(text: str) -> str:
    """`text` as the TextLayer must be given it to show it as written: Arabic
    letters joined and in visual order; other text unchanged."""
    if not has_arabic(text):
        return text
    return get_display(arabic_reshaper.reshape(text))


def character_set(texts: Iterable[str]) -> list[str]:
    """Every character the labels use, sorted: the glyphs the layer needs."""
    return sorted({char for text in texts for char in text} | {" "})


def direction(text: str) -> str:
    """'rtl' when the first letter with a direction is Arabic, else 'ltr':
    the rule HTML's dir="auto" follows, stated here so a page can set it."""
    for char in text:
        if _ARABIC.match(char):
            return "rtl"
        if char.isalpha():
            return "ltr"
    return "ltr"


def _arabic_admin1() -> dict[str, str]:
    # The Arabic alias of each governorate is the one written in Arabic letters.
    return {name: next((a for a in aliases if has_arabic(a)), name) for name, aliases in ADMIN1_ALIASES.items()}


@cache
def _arabic_admin2() -> dict[tuple[str, str], str]:
    with open(GAZETTEER_DIR / "admin_codes.csv", encoding="utf-8", newline="") as handle:
        return {(row["admin1"], row["admin2"]): row["admin2_ar"] for row in csv.DictReader(handle)}


def area_name(level: str, name: str, admin1: str, language: str) -> str:
    """The name of a governorate (level admin1) or district (admin2) in the
    language, as a person reads it (not shaped)."""
    if language != "ar":
        return name
    if level == "admin1":
        return _arabic_admin1().get(name, name)
    return _arabic_admin2().get((admin1, name), name)


@cache
def _centres(level: str) -> tuple[tuple[str, str, float, float], ...]:
    """(name, admin1, latitude, longitude) of each area: a point inside it
    (shapely's representative point: a centroid may fall outside)."""
    path = GAZETTEER_DIR / ("governorates.geojson" if level == "admin1" else "districts.geojson")
    with open(path, encoding="utf-8") as handle:
        features = json.load(handle)["features"]
    out = []
    for feature in features:
        point = shape(feature["geometry"]).representative_point()
        props = feature["properties"]
        out.append((props[level], props["admin1"], round(point.y, 4), round(point.x, 4)))
    return tuple(out)


@cache
def area_labels(level: str, language: str) -> tuple[dict, ...]:
    """One label per governorate or district: name (shaped for the layer),
    latitude, longitude."""
    return tuple({"name": shaped(area_name(level, name, admin1, language)), "latitude": lat, "longitude": lon}
                 for name, admin1, lat, lon in _centres(level))

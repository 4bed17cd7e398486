"""The real Syrian places of `../shared/data/places/` (every GeoNames
populated place, via Who's On First, and OCHA's city neighbourhoods),
merged with GeoNames cities500 and with each other, for `geo/build.py`.

Two records are one place when they share a name (normalised: the same key
the gazetteer looks names up by) and lie within `SAME_PLACE_KM` of each
other: GeoNames' own duplicates (Haysh / Hish), a cities500 town that the
full list repeats, a neighbourhood GeoNames also has. The better record
keeps its point and primary id (a cities500 town first, then by feature:
city, town, village, ..., then the record with more names); the merged one
gives its names and ids. Every id of a merged place is kept (`ids`).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable
from pathlib import Path

from geo.admin import canonical_admin1
from geo.gazetteer import place_keys
from geo.normalise import latin_key, normalise

SHARED_PLACES = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "places"
LOCALITIES = "syria_localities_geonames.csv"
NEIGHBOURHOODS = "syria_neighbourhoods_ocha.csv"
SAME_PLACE_KM = 2.0
# Best first: which of two merged records keeps its point and id.
FEATURE_RANK = {"city": 0, "town": 1, "village": 2, "neighbourhood": 3, "settlement": 3, "farm village": 3,
                "locality": 4, "populated places": 4, "wadi": 5, "abandoned place": 6, "destroyed place": 6,
                "historical place": 6}
_CITY = re.compile(r"; city ([^)]+)\)")


def present(folder: Path = SHARED_PLACES) -> bool:
    return (folder / LOCALITIES).exists() and (folder / NEIGHBOURHOODS).exists()


def read_shared(folder: Path = SHARED_PLACES) -> list[dict]:
    """Both tables as records {names, latitude, longitude, feature, city, ids, origin}."""
    records = []
    for file, origin in ((LOCALITIES, "geonames-wof"), (NEIGHBOURHOODS, "ocha")):
        with open(folder / file, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                names = [row["name_en"], row["name_ar"], *row["other_names"].split(";")]
                city = _CITY.search(row["source"])
                records.append({
                    "names": list(dict.fromkeys(n.strip() for n in names if n.strip())),
                    "name_ar": row["name_ar"].strip(),
                    "latitude": round(float(row["latitude"]), 4), "longitude": round(float(row["longitude"]), 4),
                    "feature": row["feature"], "stated_admin1": canonical_admin1(row["admin1"]) or "",
                    "city": city.group(1).strip() if city else "",
                    "ids": _ids(row["source_id"]), "origin": origin,
                })
    return records


def _ids(source_id: str) -> list[str]:
    """GeoNames' id first (the primary id where there is one), then the others."""
    ids = [i.strip() for i in source_id.split(";") if i.strip() and not i.startswith("city:")]
    return sorted(ids, key=lambda i: (not i.startswith("geonames:"), i))


def _km(a: dict, b: dict) -> float:
    scale = math.cos(math.radians(a["latitude"]))
    return 111.2 * math.hypot(a["latitude"] - b["latitude"], (a["longitude"] - b["longitude"]) * scale)


def _rank(record: dict) -> tuple:
    return (record["origin"] != "cities500", FEATURE_RANK.get(record["feature"], 4), -len(record["names"]),
            record["ids"][0] if record["ids"] else "")


def _keys(record: dict) -> set[str]:
    return {key for name in record["names"] for key in (normalise(name), latin_key(name)) if len(key) >= 2}


def merge(records: list[dict]) -> tuple[list[dict], int]:
    """Records of one place merged into the best of them; with the number of
    records merged away. Deterministic: the same input gives the same output."""
    records = sorted(records, key=_rank)
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    by_key: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        for key in _keys(record):
            by_key.setdefault(key, []).append(index)
    same_id: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        for one in record["ids"]:
            same_id.setdefault(one, []).append(index)
    for group in [*by_key.values(), *same_id.values()]:
        for n, i in enumerate(group):
            for j in group[n + 1:]:
                if (root(i) != root(j) and _km(records[i], records[j]) <= SAME_PLACE_KM
                        or records[i]["ids"] and set(records[i]["ids"]) & set(records[j]["ids"])):
                    a, b = sorted((root(i), root(j)))
                    parent[b] = a  # the lower index is the better record: it stays the root
    merged: dict[int, dict] = {}
    for index, record in enumerate(records):
        top = root(index)
        if top not in merged:
            merged[top] = {**record, "names": list(record["names"]), "ids": list(record["ids"])}
            continue
        kept = merged[top]
        kept["names"] = list(dict.fromkeys(kept["names"] + record["names"]))
        kept["ids"] = list(dict.fromkeys(kept["ids"] + record["ids"]))
        kept["name_ar"] = kept["name_ar"] or record["name_ar"]
        kept["city"] = kept["city"] or record["city"]
    return list(merged.values()), len(records) - len(merged)


def locality_rows(records: list[dict], area_of: Callable[[float, float], tuple[str, str, str] | None]) -> list[dict]:
    """Rows of localities.csv; admin areas from our own polygons (`area_of`,
    the rule the gazetteer reads points back with), so that a place's
    governorate is the one its point is read back in."""
    rows = []
    for record in records:
        area = area_of(record["latitude"], record["longitude"])
        admin1, admin2, admin3 = area or (record["stated_admin1"], "", "")
        rows.append({
            "name": record["names"][0], "name_ar": record["name_ar"],
            "names": "|".join(record["names"][1:]),
            "latitude": record["latitude"], "longitude": record["longitude"],
            "admin1": admin1, "admin2": admin2, "admin3": admin3, "feature": record["feature"],
            "city": record["city"], "source": _source(record["ids"]), "ids": ";".join(record["ids"]),
            "origin": record["origin"], **_keys_columns(record["names"]),
        })
    return sorted(rows, key=lambda r: (r["admin1"], r["name"], r["latitude"], r["longitude"]))


def _keys_columns(names: list[str]) -> dict[str, str]:
    keys, bones = place_keys(names)
    return {"keys": "|".join(keys), "skeletons": "|".join(bones)}


def _source(ids: list[str]) -> str:
    """The place's source as the gazetteer shows it: "whosonfirst:ID (geonames:ID)"
    for a GeoNames place as Who's On First publishes it, "ocha:N0154" for a
    neighbourhood. ("geonames:" alone stays the mark of a cities500 town.)"""
    wof = next((i for i in ids if i.startswith("wof:")), None)
    geonames = next((i for i in ids if i.startswith("geonames:")), None)
    if wof:
        return f"whosonfirst:{wof[4:]}" + (f" ({geonames})" if geonames else "")
    return ids[0] if ids else ""


LOCALITY_FIELDS = ["name", "name_ar", "names", "latitude", "longitude", "admin1", "admin2", "admin3", "feature",
                   "city", "source", "ids", "origin", "keys", "skeletons"]


def write_localities(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, LOCALITY_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

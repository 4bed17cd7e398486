"""The offline gazetteer: Syrian places by name and admin areas by point.

Built from the compact tables `python -m geo.build` extracts into
`data/gazetteer/` (GeoNames cities500; every GeoNames populated place and
OCHA's city neighbourhoods in `localities.csv`, with the matching keys the
build computed; geoBoundaries subdistricts with OCHA's districts), plus
tables we write: `supplement.csv`, places and landmarks in no package, each
with the page its coordinates come from; `regions.csv`, the point that
stands for a whole governorate when a report names only the region.
Loading takes well under a second; the index is a dict from normalised name
to places, and spellings alike are looked for per area (geo.fuzzy).
"""

from __future__ import annotations

import csv
import gc
import json
import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from shapely.geometry import Point, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.strtree import STRtree

from . import fuzzy
from .admin import canonical_admin1
from .normalise import latin_key, normalise, skeleton

# The Latin keys of the gazetteer's names, asked for again and again by lookup_skeleton.
_latin_key = lru_cache(maxsize=200_000)(latin_key)

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"
_MANY = 48  # names: from this many, rapidfuzz's cdist over all of them beats a call for each


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    admin1: str
    admin3: str | None
    population: int
    source: str
    names: tuple[str, ...] = ()
    curated: bool = True  # from a package or our own tables; False: learned from coded events or an analyst
    admin2: str | None = None
    geo_precision: int = 1  # what naming it alone is worth: 2 for a mountain or a plain
    feature: str = ""  # of a locality: city, town, village, neighbourhood, locality, abandoned place, ...
    city: str = ""  # of a neighbourhood: the city it is in

    @property
    def tier(self) -> int:
        """0: a town of GeoNames cities500 or a place of our supplement, the
        places a name most often means; 1: one of the 10,000 villages,
        localities and neighbourhoods (whosonfirst:, ocha:)."""
        return 1 if self.source.startswith(("whosonfirst:", "ocha:")) else 0

    @cached_property
    def label(self) -> str:
        """The name without diacritics (Ḩamāh -> Hamah), as ACLED writes places."""
        decomposed = unicodedata.normalize("NFKD", self.name)
        return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Area:
    """A polygon of the admin hierarchy with its governorate (and, for a
    subdistrict, its district)."""

    name: str
    admin1: str
    geometry: BaseGeometry
    admin2: str | None = None
    names: tuple[str, ...] = ()  # other names: the Arabic one


class Gazetteer:
    """Places by name, and the admin areas that contain a point."""

    def __init__(self, directory: Path = GAZETTEER_DIR, extra_places: Iterable[dict] = ()):
        """`extra_places`: places the caller knows of (learned from coded
        events, saved by an analyst), as dicts with name, latitude,
        longitude, source and optionally aliases (list), admin1. They are
        found after the curated places of the same name."""
        # ~150,000 small objects are made and none is garbage: the collector's
        # passes over them would add a fifth to the load.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._load(Path(directory), extra_places)
        finally:
            if collecting:
                gc.enable()

    def _load(self, directory: Path, extra_places: Iterable[dict]) -> None:
        self.directory = directory
        self.places, stored_keys = _read_places(self.directory / "places.csv")
        subdistrict_names = _subdistrict_arabic_names(self.directory / "admin_codes.csv")
        self.subdistricts = [replace(a, names=subdistrict_names.get((a.name, a.admin1), ())) for a in
                             read_areas(self.directory / "subdistricts.geojson", "name")]
        arabic = _district_arabic_names(self.directory / "admin_codes.csv")
        self.districts = [replace(a, names=arabic.get(a.name, ())) for a in
                          read_areas(self.directory / "districts.geojson", "admin2")]
        self.governorates = read_areas(self.directory / "governorates.geojson", "admin1")
        self._tree = STRtree([a.geometry for a in self.subdistricts])
        # The points asked about again and again are the places' own: look
        # them up once (bounded, unlike a cache of every point ever asked).
        self._place_areas = {(p.latitude, p.longitude): self._subdistrict_at(p.latitude, p.longitude)
                             for p in self.places}
        # Localities were placed in our polygons by the same rule when built.
        by_name = {(a.name, a.admin1, a.admin2): a for a in self.subdistricts}
        localities, locality_keys = _read_localities(self.directory / "localities.csv")
        stored_keys.update(locality_keys)
        for place in localities:
            self._place_areas.setdefault((place.latitude, place.longitude),
                                         by_name.get((place.admin3 or "", place.admin1, place.admin2)))
        self.places += localities
        self.places += [self._placed(row) for row in _read_supplement(self.directory / "supplement.csv")]
        self.places += [self._learned(extra) for extra in extra_places]
        self._by_key: dict[str, list[Place]] = {}
        self._by_skeleton: dict[str, list[Place]] = {}
        # Sorted once, best first, so that every list built from it is too:
        # a lookup hands back the stored list.
        self._ranked = _best_first(self.places)  # every place once, best first: `nearby` walks it
        for place in self._ranked:
            keys, bones = stored_keys.get(id(place)) or place_keys(place.names)
            for key in keys:
                self._by_key.setdefault(key, []).append(place)
            for bone in bones:
                self._by_skeleton.setdefault(bone, []).append(place)
        # Close spellings are looked for among keys of about the same length
        # that begin alike: a typo rarely changes either, and scanning every
        # key would cost ~20 ms a miss.
        self._close_keys: dict[tuple[str, int], list[str]] = {}
        for key in self._by_key:
            if len(key) >= 4:
                self._close_keys.setdefault((key[:2], len(key)), []).append(key)
        self._district_keys = _area_keys(self.districts)
        self._subdistrict_keys = _area_keys(self.subdistricts)
        self.regions: dict[str, Place] = self._read_regions(self.directory / "regions.csv")
        self._fuzzy_pools: dict[tuple[str | None, str | None, str | None], fuzzy.Pool] = {}
        self._skeleton_runs: dict[str, tuple[list[str], list[str], np.ndarray, np.ndarray]] = {}

    def lookup(self, name: str) -> list[Place]:
        """Places whose name or alternate name matches `name`: curated ones
        first, most populous first."""
        key = normalise(name)
        return self._by_key.get(key) or self._by_key.get(latin_key(name)) or []

    def lookup_skeleton(self, name: str) -> list[Place]:
        """Places whose Latin name has the same consonants (Khan Sheikhoun,
        Khan Cheikhoun, Khan Shaykhun), best first."""
        bone = skeleton(name)
        if len(bone) < 3:
            return []
        places = self._by_skeleton.get(bone)
        if not places:
            return []
        # Doubled letters and vowels fold together (Dhibbin, Dhiban): keep the
        # closest spellings, best first; a far one is a different name.
        keys, fulls, own, starts = self._skeleton_keys(bone, places)
        key, full = latin_key(name), normalise(name)
        # Of spellings as close, a place's own name before its other names, then the
        # one that has the article when the query has it (Dardara: Dardarah, not Ad Dardarah).
        if len(keys) > _MANY:  # one call for the lot; for a few names a call each is quicker
            close = process.cdist((key,), keys, scorer=fuzz.ratio)[0]
            close += own * 1e-3 + process.cdist((full,), fulls, scorer=fuzz.ratio)[0] * 1e-6
            similarity = np.maximum.reduceat(close, starts).tolist()
        else:
            ratio = fuzz.ratio
            scores = [ratio(key, k) + o * 1e-3 + ratio(full, f) * 1e-6
                      for k, f, o in zip(keys, fulls, own.tolist(), strict=True)]
            ends = [*starts.tolist()[1:], len(keys)]
            similarity = [max(scores[start:end]) for start, end in zip(starts.tolist(), ends, strict=True)]
        # The lists are stored best first (see _load); the sort is stable.
        order = sorted(range(len(places)), key=lambda i: -similarity[i])
        # Below 75 the consonants agree by chance ("Syrian" and Suran).
        floor = max(75.0, similarity[order[0]] - 15)
        return [places[i] for i in order if similarity[i] >= floor]

    def _skeleton_keys(self, bone: str, places: list[Place]) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
        """The Latin names of the places of one skeleton, one run per place ("" for
        a place with none): their keys without and with the article, whether each
        is the place's own name, and where each run starts. Built once per skeleton."""
        if bone not in self._skeleton_runs:
            keys: list[str] = []
            fulls: list[str] = []
            own: list[bool] = []
            starts = []
            for place in places:
                starts.append(len(keys))
                names = [n for n in place.names if n.isascii()] or [""]
                mine = _latin_key(place.name)
                keys += [_latin_key(n) for n in names]
                fulls += [normalise(n) for n in names]
                own += [_latin_key(n) == mine for n in names]
            self._skeleton_runs[bone] = (keys, fulls, np.array(own, dtype=float), np.array(starts))
        return self._skeleton_runs[bone]

    def lookup_close(self, name: str, cutoff: float) -> tuple[list[Place], str, float]:
        """Places whose name is spelled closest to `name` (a typo), with that
        name and the similarity (0..1); nothing below `cutoff`. Every name
        within 0.02 of the best is kept, so a near tie shows as candidates."""
        key = normalise(name)
        if len(key) < 4:
            return [], "", 0.0
        spread = max(1, len(key) // 5)
        pool = [k for size in range(len(key) - spread, len(key) + spread + 1)
                for k in self._close_keys.get((key[:2], size), ())]
        close = process.extract(key, pool, scorer=fuzz.ratio, score_cutoff=cutoff * 100, limit=3)
        if not close:
            return [], "", 0.0
        score = close[0][1] / 100
        places = [p for other, other_score, _ in close if other_score / 100 >= score - 0.02
                  for p in self._by_key[other]]
        return _best_first(places), close[0][0], score

    def lookup_fuzzy(self, name: str, admin1: str | None, admin2: str | None = None,
                     admin3: str | None = None) -> list[tuple[Place, float]]:
        """Places of that governorate (district, subdistrict; admin1 None: of
        all Syria) whose name is spelled like `name` (geo.fuzzy: Kabani ~
        Kabanah), best first with a score of 0-100; [] when none is close enough."""
        key = (admin1, admin2, admin3)
        if key not in self._fuzzy_pools:
            self._fuzzy_pools[key] = fuzzy.Pool.of(
                p for p in _best_first(self.places) if p.curated and self.within(p, admin1, admin2, admin3))
        # Among all Syria's 30,000 names a chance likeness is thirty times likelier: ask for more.
        return self._fuzzy_pools[key].match(name, fuzzy.CUTOFF if admin1 else fuzzy.CUTOFF_ANYWHERE)

    def within(self, place: Place, admin1: str | None, admin2: str | None = None, admin3: str | None = None) -> bool:
        """Whether the place's point lies in those areas, read from our polygons
        (as `reverse` reads it), not from a source's own admin columns."""
        area = self.subdistrict_at(place.latitude, place.longitude)
        if area is None:
            return admin1 is None or place.admin1 == admin1
        return ((admin1 is None or area.admin1 == admin1) and (admin2 is None or area.admin2 == admin2)
                and (admin3 is None or area.name == admin3))

    def _placed(self, row: dict, curated: bool = True) -> Place:
        """A place given by name and point; its admin areas from the polygons."""
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        area = self.subdistrict_at(latitude, longitude)
        return Place(
            name=row["name"],
            latitude=latitude,
            longitude=longitude,
            admin1=area.admin1 if area else (canonical_admin1(row.get("admin1")) or ""),
            admin3=area.name if area else None,
            admin2=area.admin2 if area else None,
            population=0,
            source=row["source"],
            names=tuple(n for n in dict.fromkeys([row["name"], *row.get("aliases", ())]) if n),
            curated=curated,
            geo_precision=int(row.get("geo_precision") or 1),
        )

    def _learned(self, extra: dict) -> Place:
        return self._placed(extra, curated=False)

    def district(self, name: str) -> Area | None:
        """The district (admin2) of that name, English or Arabic, any spelling."""
        return next((self._district_keys[k] for k in _name_keys(name) if k in self._district_keys), None)

    def subdistrict(self, name: str) -> Area | None:
        """The subdistrict (admin3) of that name, English or Arabic, any spelling."""
        return next((self._subdistrict_keys[k] for k in _name_keys(name) if k in self._subdistrict_keys), None)

    def subdistrict_at(self, latitude: float, longitude: float) -> Area | None:
        """The subdistrict containing the point; the nearest one within ~10 km
        if the point falls in a gap between the coarse polygons; else None."""
        key = (latitude, longitude)
        return self._place_areas[key] if key in self._place_areas else self._subdistrict_at(latitude, longitude)

    def _subdistrict_at(self, latitude: float, longitude: float) -> Area | None:
        return area_at(self._tree, self.subdistricts, latitude, longitude)

    def nearby(self, latitude: float, longitude: float, km: float = 25.0, limit: int = 40) -> list[Place]:
        """Places within `km` of the point, nearest first, each name and
        point once (a learned place may repeat a curated one)."""
        scale = math.cos(math.radians(latitude))

        def distance(p: Place) -> float:
            return 111.2 * math.hypot(p.latitude - latitude, (p.longitude - longitude) * scale)
        near = {}
        degrees = km / 111.2 / max(scale, 0.1)  # a box around the point first: 10,000 places are many
        for place in self._ranked:
            if abs(place.latitude - latitude) > degrees or abs(place.longitude - longitude) > degrees:
                continue
            if (place.label, place.latitude, place.longitude) not in near and distance(place) <= km:
                near[(place.label, place.latitude, place.longitude)] = place
        return sorted(near.values(), key=lambda p: (distance(p), p.label))[:limit]

    def outline(self, level: str, name: str, admin1: str | None = None) -> dict | None:
        """The GeoJSON geometry of a governorate, district or subdistrict."""
        areas = {"governorate": self.governorates, "district": self.districts,
                 "subdistrict": self.subdistricts}.get(level, [])
        found = next((a for a in areas if a.name == name and (admin1 is None or a.admin1 == admin1)), None)
        return mapping(found.geometry) if found else None

    def region(self, admin1: str) -> Place | None:
        """The point that stands for a whole governorate (its capital or seat)."""
        canonical = canonical_admin1(admin1)
        return self.regions.get(canonical) if canonical else None

    def _read_regions(self, path: Path) -> dict[str, Place]:
        regions = {}
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                matches = [p for p in self.lookup(row["place"]) if p.admin1 == row["admin1"]]
                if not matches:
                    raise ValueError(f"regions.csv: no place {row['place']!r} in {row['admin1']}")
                # The region is shown under the name analysts use (Hama, not Ḩamāh).
                regions[row["admin1"]] = replace(matches[0], name=row["name"])
        return regions


def area_at(tree: STRtree, areas: list[Area], latitude: float, longitude: float) -> Area | None:
    """The area of `areas` (indexed by `tree`) containing the point; the
    nearest within ~10 km when the point falls in a gap between the coarse
    polygons; else None. geo/build.py places the localities by this rule."""
    point = Point(longitude, latitude)
    for index in tree.query(point, predicate="intersects"):
        return areas[int(index)]
    index = tree.nearest(point)
    if index is not None and areas[int(index)].geometry.distance(point) < 0.1:
        return areas[int(index)]
    return None


def _read_places(path: Path) -> tuple[list[Place], dict[int, tuple[list[str], list[str]]]]:
    """places.csv (cities500), with the keys the build computed (see _read_localities)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    places, stored = [], {}
    for row in rows:
        place = Place(
            name=row["name"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            admin1=row["admin1"],
            admin3=row["admin3"] or None,
            admin2=row["admin2"] or None,
            population=int(row["population"] or 0),
            source=f"geonames:{row['geonameid']}",
            names=tuple(n for n in dict.fromkeys([row["name"], *row["alternatenames"].split("|")]) if n),
        )
        places.append(place)
        if row.get("keys"):
            stored[id(place)] = (row["keys"].split("|"), row["skeletons"].split("|") if row["skeletons"] else [])
    return places, stored


def place_keys(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """The keys a place is found by: its names normalised, with and without
    the article; and their consonant skeletons (of 3 letters or more)."""
    keys = [k for k in dict.fromkeys(k for name in names for k in (normalise(name), latin_key(name))) if k]
    bones = [b for b in dict.fromkeys(skeleton(name) for name in names) if len(b) >= 3]
    return keys, bones


def _read_localities(path: Path) -> tuple[list[Place], dict[int, tuple[list[str], list[str]]]]:
    """localities.csv (geo/build.py): GeoNames' villages and OCHA's neighbourhoods,
    with the keys the build computed for each (by `place_keys`: computing them
    here would take most of a second; a test holds them to `place_keys`)."""
    if not path.exists():
        return [], {}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)  # not DictReader: a dict per row is a third of the load
        column = {name: i for i, name in enumerate(next(reader))}
        rows = list(reader)
    name, names, lat, lon, feature, city, source, admin1, admin2, admin3, keys, bones = (column[c] for c in (
        "name", "names", "latitude", "longitude", "feature", "city", "source", "admin1", "admin2", "admin3", "keys",
        "skeletons"))
    places, stored = [], {}
    for row in rows:
        place = Place(row[name], float(row[lat]), float(row[lon]), row[admin1], row[admin3] or None, 0, row[source],
                      (row[name], *row[names].split("|")) if row[names] else (row[name],), True, row[admin2] or None,
                      1, row[feature], row[city])
        places.append(place)
        stored[id(place)] = (row[keys].split("|"), row[bones].split("|") if row[bones] else [])
    return places, stored


def _name_keys(name: str) -> list[str]:
    """The keys an area's name is found by: exact, without article, skeleton
    (of three consonants or more: shorter ones are shared by unrelated names)."""
    bone = skeleton(name)
    return [k for k in dict.fromkeys((normalise(name), latin_key(name), bone if len(bone) >= 3 else "")) if k]


def _area_keys(areas: list[Area]) -> dict[str, Area]:
    keys: dict[str, Area] = {}
    for area in areas:
        for name in (area.name, *area.names):
            for key in _name_keys(name):
                keys.setdefault(key, area)  # the first of two subdistricts with one name (Suran) wins
    return keys


# Of two places of one name and population (most villages: GeoNames gives
# them none), a town before a village, a village before a locality, an
# abandoned place last.
_FEATURE_RANK = {"city": 0, "town": 1, "": 2, "village": 2, "neighbourhood": 3, "settlement": 3, "farm village": 3,
                 "locality": 4, "abandoned place": 6, "destroyed place": 6, "historical place": 6}


def _best_first(places: list[Place]) -> list[Place]:
    """Each place once: curated before learned, most populous first, then by feature."""
    unique = {(p.name, p.latitude, p.longitude, p.source): p for p in places}
    return sorted(unique.values(), key=lambda p: (not p.curated, -p.population, p.tier,
                                                  _FEATURE_RANK.get(p.feature, 5), -len(p.names), p.name))


def _district_arabic_names(path: Path) -> dict[str, tuple[str, ...]]:
    """District → its Arabic names, with and without OCHA's "مركز" (centre)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["admin2"]: tuple(dict.fromkeys([row["admin2_ar"], row["admin2_ar"].removeprefix("مركز ")]))
                for row in csv.DictReader(handle)}


def _subdistrict_arabic_names(path: Path) -> dict[tuple[str, str], tuple[str, ...]]:
    """(subdistrict, governorate) → its Arabic names, with and without "مركز"."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {(row["admin3"], row["admin1"]): tuple(dict.fromkeys([row["admin3_ar"],
                                                                    row["admin3_ar"].removeprefix("مركز ")]))
                for row in csv.DictReader(handle)}


def _read_supplement(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [{**row, "aliases": [row["name_ar"], *row["aliases"].split("|")],
                 "source": f"supplement: {row['source']}"} for row in csv.DictReader(handle)]


def read_areas(path: Path, name_key: str) -> list[Area]:
    """The areas of one of our GeoJSON files (property `name_key` names each)."""
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    return [
        Area(f["properties"][name_key], f["properties"]["admin1"], shape(f["geometry"]), f["properties"].get("admin2"))
        for f in collection["features"]
    ]


def governorate_outlines() -> dict:
    """The 14 governorates as a GeoJSON FeatureCollection (property admin1),
    for drawing the map without a tile server."""
    with open(GAZETTEER_DIR / "governorates.geojson", encoding="utf-8") as handle:
        return json.load(handle)


def read_extra_places(path: Path) -> list[dict]:
    """Extra places from a CSV with name, aliases (separated by |), latitude,
    longitude, admin1, source: the file `python -m events places` writes."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [{**row, "aliases": [a for a in row.get("aliases", "").split("|") if a]}
                for row in csv.DictReader(handle)]


@cache
def default_gazetteer() -> Gazetteer:
    """The gazetteer from `data/gazetteer/`, loaded once per process."""
    return Gazetteer()

"""The offline gazetteer: Syrian places by name and admin areas by point.

Built from the compact tables `python -m geo.build` extracts into
`data/gazetteer/` (GeoNames cities500, geoBoundaries subdistricts), plus
`regions.csv`, which we write: the point that stands for a whole
governorate when a report names only the region. Loading takes well under
a second; the index is a dict from normalised name to places.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Iterable

from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from .admin import canonical_admin1
from .normalise import latin_key, normalise

GAZETTEER_DIR = Path(__file__).resolve().parent.parent / "data" / "gazetteer"


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

    @property
    def label(self) -> str:
        """The name without diacritics (Ḩamāh -> Hamah), as ACLED writes places."""
        decomposed = unicodedata.normalize("NFKD", self.name)
        return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class Area:
    """A polygon of the admin hierarchy with its governorate."""

    name: str
    admin1: str
    geometry: object


class Gazetteer:
    """Places by name, and the admin areas that contain a point."""

    def __init__(self, directory: Path = GAZETTEER_DIR, extra_places: Iterable[dict] = ()):
        """`extra_places`: places the caller knows of (learned from coded
        events, saved by an analyst), as dicts with name, latitude,
        longitude, source and optionally aliases (list), admin1. They are
        found after the curated places of the same name."""
        self.directory = Path(directory)
        self.places: list[Place] = _read_places(self.directory / "places.csv")
        self.subdistricts = _read_areas(self.directory / "subdistricts.geojson", "name")
        self.governorates = _read_areas(self.directory / "governorates.geojson", "admin1")
        self._tree = STRtree([a.geometry for a in self.subdistricts])
        # The points asked about again and again are the places' own: look
        # them up once (bounded, unlike a cache of every point ever asked).
        self._place_areas = {(p.latitude, p.longitude): self._subdistrict_at(p.latitude, p.longitude)
                             for p in self.places}
        self.places += [self._learned(extra) for extra in extra_places]
        self._by_key: dict[str, list[Place]] = {}
        for place in self.places:
            for key in {k for name in place.names for k in (normalise(name), latin_key(name))}:
                if key:
                    self._by_key.setdefault(key, []).append(place)
        self.regions: dict[str, Place] = self._read_regions(self.directory / "regions.csv")

    def lookup(self, name: str) -> list[Place]:
        """Places whose name or alternate name matches `name`: curated ones
        first, most populous first."""
        key = normalise(name)
        found = self._by_key.get(key) or self._by_key.get(latin_key(name)) or []
        return sorted(found, key=lambda p: (not p.curated, -p.population, p.name))

    def _learned(self, extra: dict) -> Place:
        latitude, longitude = float(extra["latitude"]), float(extra["longitude"])
        area = self.subdistrict_at(latitude, longitude)
        return Place(
            name=extra["name"],
            latitude=latitude,
            longitude=longitude,
            admin1=area.admin1 if area else (canonical_admin1(extra.get("admin1")) or ""),
            admin3=area.name if area else None,
            population=0,
            source=extra["source"],
            names=tuple(n for n in dict.fromkeys([extra["name"], *extra.get("aliases", ())]) if n),
            curated=False,
        )

    def subdistrict_at(self, latitude: float, longitude: float) -> Area | None:
        """The subdistrict containing the point; the nearest one within ~10 km
        if the point falls in a gap between the coarse polygons; else None."""
        key = (latitude, longitude)
        return self._place_areas[key] if key in self._place_areas else self._subdistrict_at(latitude, longitude)

    def _subdistrict_at(self, latitude: float, longitude: float) -> Area | None:
        point = Point(longitude, latitude)
        for index in self._tree.query(point, predicate="intersects"):
            return self.subdistricts[int(index)]
        index = self._tree.nearest(point)
        if index is not None and self.subdistricts[int(index)].geometry.distance(point) < 0.1:
            return self.subdistricts[int(index)]
        return None

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


def _read_places(path: Path) -> list[Place]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            Place(
                name=row["name"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                admin1=row["admin1"],
                admin3=row["admin3"] or None,
                population=int(row["population"] or 0),
                source=f"geonames:{row['geonameid']}",
                names=tuple(n for n in dict.fromkeys([row["name"], *row["alternatenames"].split("|")]) if n),
            )
            for row in csv.DictReader(handle)
        ]


def _read_areas(path: Path, name_key: str) -> list[Area]:
    with open(path, encoding="utf-8") as handle:
        collection = json.load(handle)
    return [
        Area(f["properties"][name_key], f["properties"]["admin1"], shape(f["geometry"]))
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

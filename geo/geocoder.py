"""`OfflineGeocoder`: a geopy geocoder over our own gazetteer.

It is a real `geopy.geocoders.base.Geocoder`, so code written for geopy's
online services works unchanged, but it never touches the network: the
base class is given an adapter factory that refuses to make one.
"""

from __future__ import annotations

from collections.abc import Iterable

from geopy.adapters import BaseSyncAdapter
from geopy.exc import GeocoderServiceError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .gazetteer import Gazetteer, default_gazetteer
from .resolve import Resolution, resolve


class _NoNetworkAdapter(BaseSyncAdapter):
    """geopy's transport slot, filled with one that refuses to connect."""

    def get_json(self, url, *, timeout, headers):
        raise GeocoderServiceError("OfflineGeocoder makes no network requests")

    def get_text(self, url, *, timeout, headers):
        raise GeocoderServiceError("OfflineGeocoder makes no network requests")


class OfflineGeocoder(Geocoder):
    """Geocode Syrian place phrases from the offline gazetteer.

    `raw` of each Location carries admin1, admin2, admin3, geo_precision,
    where_prec, rule and candidates.
    """

    def __init__(self, gazetteer: Gazetteer | None = None, extra_places: Iterable[dict] = ()):
        """`extra_places`: see Gazetteer; given, they make a gazetteer of
        their own rather than the shared default."""
        super().__init__(adapter_factory=_NoNetworkAdapter)
        extra_places = list(extra_places)
        self.gazetteer = gazetteer or (Gazetteer(extra_places=extra_places) if extra_places
                                       else default_gazetteer())

    def geocode(self, query: str, *, exactly_one: bool = True, admin1: str | None = None,
                close_spellings: bool = True, timeout: float | None = None, language: str | bool = False,
                country_codes: str | list[str] | None = None):
        """Location for `query` (a list of one when exactly_one is False), or
        None when nothing matches or the input is unusable.

        `close_spellings=False` accepts exact names and transliteration
        variants only, not typos: for words picked out of running text.
        geopy's common arguments are accepted so that geopy code runs
        unchanged: `timeout` and `language` change nothing (nothing is
        waited for; names come as the gazetteer has them); `country_codes`
        without "sy" finds nothing (the gazetteer is Syria's).
        """
        if not isinstance(query, str) or not _in_syria(country_codes):
            return None
        found = resolve(self.gazetteer, query, admin1=admin1, close_spellings=close_spellings)
        if found is None:
            return None
        location = _location(found)
        return location if exactly_one else [location]

    def reverse(self, query, *, exactly_one: bool = True, timeout: float | None = None,
                language: str | bool = False):
        """Location naming the admin areas that contain the point, or None
        when the point is outside Syria or is not a point at all."""
        try:
            point = Point(query)
        except (TypeError, ValueError):
            return None  # not a point on Earth: nothing there, as for noise in geocode
        area = self.gazetteer.subdistrict_at(point.latitude, point.longitude)
        if area is None:
            return None
        raw = {"admin1": area.admin1, "admin2": area.admin2, "admin3": area.name}
        location = Location(f"{area.name}, {area.admin1}", point, raw)
        return location if exactly_one else [location]


def _in_syria(country_codes: str | list[str] | None) -> bool:
    if country_codes is None:
        return True
    codes = [country_codes] if isinstance(country_codes, str) else country_codes
    return any(code.lower() in ("sy", "syr") for code in codes)


def _location(found: Resolution) -> Location:
    raw = dict(vars(found))  # shallow: asdict's deep copy costs a third of a lookup
    # A Point from two numbers: from a tuple geopy parses it as a sequence, twice the work.
    return Location(found.name, Point(found.latitude, found.longitude), raw)

"""Offline geocoding of Syrian place phrases: `from geo import OfflineGeocoder`.

The geocoder is imported when first asked for, so that `geo.normalise` and
`geo.admin` stay light to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .geocoder import OfflineGeocoder

__all__ = ["OfflineGeocoder"]


def __getattr__(name: str) -> Any:
    if name == "OfflineGeocoder":
        from .geocoder import OfflineGeocoder

        return OfflineGeocoder
    raise AttributeError(f"module 'geo' has no attribute {name!r}")

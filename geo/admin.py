"""Syria's governorates (admin1) under the names OCHA and ACLED use.

Every other spelling we meet (geoBoundaries, UCDP's "Hamah governorate",
GeoNames, Arabic) is an alias of one canonical name.
"""

from __future__ import annotations

from functools import lru_cache

from .normalise import normalise

# Canonical name -> aliases. The canonical name is itself an alias.
ADMIN1_ALIASES: dict[str, tuple[str, ...]] = {
    "Aleppo": ("Halab", "Alep", "حلب"),
    "Al-Hasakeh": ("Al-Hasakah", "Hasakah", "Hasakeh", "Al Hasakah", "Hassakeh", "Al-Haskeh", "الحسكة"),
    "Ar-Raqqa": ("Al-Raqqah", "Raqqa", "Raqqah", "Ar Raqqah", "Al-Raqqa", "ar-Raqqah", "الرقة"),
    "As-Sweida": ("As-Suwayda", "Suwayda", "Sweida", "As Suwayda", "Al-Suwayda", "Sweida", "السويداء"),
    "Damascus": ("Dimashq", "Damascus City", "دمشق"),
    "Dar'a": ("Daraa", "Deraa", "Dara'a", "Dar`a", "درعا"),
    "Deir-ez-Zor": ("Deir ez-Zor", "Deir ez Zor", "Deir Ezzor", "Dayr az Zawr", "Deir al-Zour", "Deir Ez-Zor",
                    "دير الزور"),
    "Hama": ("Hamah", "Hamā", "Hamāh", "حماة", "حماه"),
    "Homs": ("Hims", "Ḩimş", "حمص"),
    "Idleb": ("Idlib", "إدلب", "ادلب"),
    "Lattakia": ("Latakia", "Al-Ladhiqiyah", "Latakiyah", "Al Lādhiqīyah", "اللاذقية"),
    "Quneitra": ("Al-Qunaytirah", "Qunaitra", "Al Qunaytirah", "Al-Quneitra", "Al Quneitra", "Al-Qunaitra",
                 "القنيطرة"),
    "Rural Damascus": ("Rif Dimashq", "Damascus Countryside", "Rif Dimashq governorate", "Reef Damascus", "ريف دمشق"),
    "Tartous": ("Tartus", "Tartūs", "Tartous", "طرطوس"),
}

ADMIN1_NAMES: tuple[str, ...] = tuple(sorted(ADMIN1_ALIASES))

_SUFFIXES = (" governorate", " province", " muhafazat", " محافظة")
_SUFFIX_KEYS = tuple(normalise(suffix) for suffix in _SUFFIXES)
_BY_KEY: dict[str, str] = {}
for _canonical, _aliases in ADMIN1_ALIASES.items():
    for _alias in (_canonical, *_aliases):
        _BY_KEY[normalise(_alias)] = _canonical


@lru_cache(maxsize=4096)  # the same few spellings arrive again and again
def canonical_admin1(name: str | None) -> str | None:
    """The canonical governorate for any common spelling, or None if unknown.

    >>> canonical_admin1("Hamah governorate")
    'Hama'
    """
    if not name:
        return None
    key = normalise(name)
    for prefix in ("محافظه ", "muhafazat "):
        if key.startswith(prefix):
            key = key[len(prefix):]
    for suffix in _SUFFIX_KEYS:
        if key.endswith(suffix):
            key = key[: -len(suffix)].strip()
    return _BY_KEY.get(key)

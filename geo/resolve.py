"""From a place phrase to a point with an honest precision.

Coders write phrases, not names: "ريف حماة", "near Saraqib", "the Hama
countryside". `resolve` peels the phrase (area words, directions,
clitics), finds the named place, and applies ACLED's spatial rules:

- a town named alone: that town, geo_precision 1 (UCDP where_prec 1);
- near / outskirts / countryside of a town: the town, precision 2 (where_prec 2);
- a governorate, or its countryside: the point that stands for the
  governorate (its capital), precision 3 (where_prec 4).

The rule that fired is returned with the point, so a reviewer sees why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .admin import canonical_admin1
from .gazetteer import Gazetteer, Place
from .normalise import normalise

# Words that make a phrase about the area around a place (normalised forms).
_AREA_WORDS_AR = ("ريف", "ارياف", "محيط", "اطراف", "ضواحي", "باديه", "قرب", "بالقرب من", "منطقه")
_AREA_WORDS_EN = ("countryside of", "outskirts of", "vicinity of", "near", "around", "area of", "suburbs of")
_AREA_SUFFIXES_EN = ("countryside", "outskirts", "suburbs", "area", "region", "governorate", "province")
_DIRECTIONS_AR = ("الشمالي الغربي", "الشمالي الشرقي", "الجنوبي الغربي", "الجنوبي الشرقي",
                  "الشمالي", "الجنوبي", "الشرقي", "الغربي", "الاوسط")
_DIRECTIONS_EN = ("northwestern", "northeastern", "southwestern", "southeastern", "northern", "southern",
                  "eastern", "western", "central", "north", "south", "east", "west", "the")
_CLITICS_AR = ("و", "ب", "ل", "ف", "في ")


@dataclass(frozen=True)
class Resolution:
    query: str
    name: str
    latitude: float
    longitude: float
    admin1: str | None
    admin2: str | None
    admin3: str | None
    geo_precision: int
    where_prec: int
    rule: str
    source: str = ""   # where the place comes from: geonames:ID, or the import or analyst that taught it
    candidates: list[dict] = field(default_factory=list)


_REGION_WORDS = {"ريف", "ارياف", "باديه", "countryside of", "countryside", "region"}


@dataclass(frozen=True)
class _Phrase:
    bare: str          # the phrase less clitics and directions ("ريف دمشق")
    core: str          # the place name left after peeling the area word too
    around: bool       # an area word was present (countryside, near, ...)
    region: bool       # that word names a region (countryside), not a vicinity (near)
    direction: str | None


def _peel(query: str) -> _Phrase:
    key = normalise(query)
    around = region = False
    direction = None
    for clitic in _CLITICS_AR:
        if key.startswith(clitic) and key[len(clitic):].startswith(_AREA_WORDS_AR):
            key = key[len(clitic):]
            break
    for word in _DIRECTIONS_AR:
        if key.endswith(" " + word):
            key, direction = key[: -len(word) - 1], word
            break
    while (word := next((w for w in _DIRECTIONS_EN if key.startswith(w + " ")), None)) is not None:
        key, direction = key[len(word) + 1:], direction or word
    bare = key
    for word in _AREA_WORDS_AR + _AREA_WORDS_EN:
        if key.startswith(word + " "):
            key, around, region = key[len(word) + 1:], True, word in _REGION_WORDS
            break
    while (word := next((w for w in _AREA_SUFFIXES_EN if key.endswith(" " + w)), None)) is not None:
        key = key[: -len(word) - 1]
        if word not in ("governorate", "province"):
            around, region = True, region or word in _REGION_WORDS
    return _Phrase(bare.strip(), key.strip(), around, region, direction)


def _name_variants(core: str) -> list[str]:
    """The core name, then with one Arabic clitic letter removed (وحماة → حماة)."""
    variants = [core]
    if core and core[0] in "وبلف" and len(core) > 3:
        variants.append(core[1:])
    return variants


def resolve(gazetteer: Gazetteer, query: str, admin1: str | None = None) -> Resolution | None:
    """Resolve a place phrase; None when nothing in the gazetteer matches.

    `admin1`, any spelling, restricts towns to that governorate.
    """
    if not query or not query.strip():
        return None
    phrase = _peel(query)
    whole = canonical_admin1(phrase.bare)
    if whole and not gazetteer.lookup(phrase.bare):
        # "ريف دمشق", "Damascus countryside": a governorate's own name, not
        # the countryside of a town.
        return _region(gazetteer, query, whole)
    hint = canonical_admin1(admin1) if admin1 else None
    for core in _name_variants(phrase.core):
        governorate = canonical_admin1(core)
        if governorate and (phrase.region or not gazetteer.lookup(core) or _named_as_region(query)):
            return _region(gazetteer, query, governorate)
        places = gazetteer.lookup(core)
        if hint:
            places = [p for p in places if p.admin1 == hint]
        if places:
            return _town(gazetteer, query, places, phrase)
    return None


def _named_as_region(query: str) -> bool:
    key = normalise(query)
    return "محافظه" in key or key.endswith((" governorate", " province"))


def _region(gazetteer: Gazetteer, query: str, governorate: str) -> Resolution | None:
    place = gazetteer.region(governorate)
    if place is None:
        return None
    return Resolution(
        query=query,
        name=place.label,
        latitude=place.latitude,
        longitude=place.longitude,
        admin1=governorate,
        admin2=None,
        admin3=place.admin3,
        geo_precision=3,
        where_prec=4,
        rule="region: governorate named, its capital stands for it",
        source=place.source,
    )


def _town(gazetteer: Gazetteer, query: str, places: list[Place], phrase: _Phrase) -> Resolution:
    best = places[0]
    area = gazetteer.subdistrict_at(best.latitude, best.longitude)
    others = [
        {"name": p.label, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1}
        for p in places[1:]
    ]
    ambiguous = any(p.admin1 != best.admin1 for p in places[1:])
    near = phrase.around or phrase.direction is not None
    return Resolution(
        query=query,
        name=best.label,
        latitude=best.latitude,
        longitude=best.longitude,
        admin1=area.admin1 if area else best.admin1,
        admin2=None,
        admin3=area.name if area else best.admin3,
        geo_precision=2 if near or ambiguous else 1,
        where_prec=2 if near or ambiguous else 1,
        rule=("near a town: coded to the town" if near else "town named")
        + ("; same name in another governorate, see candidates" if ambiguous else ""),
        source=best.source,
        candidates=others,
    )



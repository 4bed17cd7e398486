"""From a place phrase to a point with an honest precision.

Coders write phrases, not names: "ريف حماة", "near Saraqib", "vicinity of
Al-Khalediyah village in Ain Eissa district", "Aleppo: Kafrnoran",
"Yabrud, Shab'a and Duma", "بين سراقب وسرمين". `resolve` splits the phrase
into the place it is about and the context around it (a governorate, a
district, a town it lies near), peels area words, directions, clitics and
descriptors ("village", "بلدة"), finds the named place, and applies
ACLED's spatial rules:

- a town named alone: that town, geo_precision 1 (UCDP where_prec 1);
- near / outskirts / a direction from / the countryside of a town, one of
  a list, between two towns: the (first) town, precision 2 (where_prec 2);
- a district named: its seat, precision 3 (where_prec 3);
- a governorate, or its countryside: the point that stands for the
  governorate, precision 3 (where_prec 4);
- a place we do not know, named with its area ("X village in Ain Eissa
  district"): the area, at the area's precision, saying so.

Spellings are matched exactly (normalised), then by consonant skeleton
(Khan Sheikhoun / Khan Cheikhoun / Khan Shaykhun), then by a close
spelling (a typo); the last two say so in the rule, and any doubt between
places in two governorates lowers the precision and lists the others as
candidates. The rule that fired is returned with the point, with the area
it stands for (`area`: level and name) so the map can draw it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .admin import canonical_admin1
from .gazetteer import Area, Gazetteer, Place
from .normalise import normalise

_LONGEST_QUERY = 300  # a place phrase, not a report: longer input is not looked up

# Words that make a phrase about the area around a place (normalised forms).
_NEAR_AR = ("بالقرب من", "على اطراف", "في محيط", "قرب", "محيط", "اطراف", "ضواحي", "مشارف", "جوار", "حول")
_REGION_AR = ("ريف", "ارياف", "باديه")
_NEAR_EN = ("in the vicinity of", "the vicinity of", "vicinity of", "outskirts of", "the outskirts of", "near to",
            "near", "around", "close to", "area of", "the area of", "suburbs of", "surroundings of", "environs of")
_REGION_EN = ("the countryside of", "countryside of", "rural", "the desert of", "desert of")
_AREA_SUFFIXES_EN = ("countryside", "outskirts", "suburbs", "area", "region", "vicinity", "desert")
_ADMIN_SUFFIXES_EN = ("governorate", "province", "district", "subdistrict", "sub district", "nahiya", "mantiqa")
_DIRECTIONS_AR = ("الشمالي الغربي", "الشمالي الشرقي", "الجنوبي الغربي", "الجنوبي الشرقي",
                  "الشمالي", "الجنوبي", "الشرقي", "الغربي", "الاوسط",
                  # feminine, as after الغوطة or البادية (ة is folded to ه)
                  "الشماليه الغربيه", "الشماليه الشرقيه", "الجنوبيه الغربيه", "الجنوبيه الشرقيه",
                  "الشماليه", "الجنوبيه", "الشرقيه", "الغربيه", "الوسطى")
# "شمال حماة", "شرقي سراقب": a direction from a place, as a preposition.
_DIRECTION_PREPOSITIONS_AR = ("شمال غرب", "شمال شرق", "جنوب غرب", "جنوب شرق", "شمالي", "جنوبي", "شرقي", "غربي",
                              "شمال", "جنوب", "شرق", "غرب")
_DIRECTIONS_EN = ("northwestern", "northeastern", "southwestern", "southeastern", "northern", "southern",
                  "eastern", "western", "central", "north western", "north eastern", "south western",
                  "south eastern", "north", "south", "east", "west", "the")
_DIRECTION_OF_EN = re.compile(r"^(?:\d+\s*km\s+)?(?:north|south|east|west|north ?east|north ?west|south ?east|"
                              r"south ?west)(?:ern)?\s+of\s+")
_DESCRIPTORS_EN = ("the town of", "the village of", "the city of", "town of", "village of", "city of",
                   "the town", "the village", "the city", "town", "village", "city", "neighbourhood",
                   "neighborhood", "farms", "hills", "hill", "camp")
_DESCRIPTORS_AR = ("قريه", "بلده", "مدينه", "حي", "بلدات", "قرى", "مزارع", "تله", "تلال", "وسط")
_DISTRICT_WORDS = ("منطقه", "district", "mantiqa", "mantiqat")
_SUBDISTRICT_WORDS = ("ناحيه", "subdistrict", "sub district", "nahiya", "nahiyat")
_CLITICS_AR = ("و", "ب", "ل", "ف")
_DESCRIPTOR_WORDS = frozenset(_DESCRIPTORS_AR + _DESCRIPTORS_EN + _DISTRICT_WORDS + _SUBDISTRICT_WORDS)
_FUZZY_CUTOFF = 0.85


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
    source: str = ""   # where the place comes from: geonames:ID, the supplement's page, an import or an analyst
    candidates: list[dict] = field(default_factory=list)
    area: dict | None = None   # the area it stands for: {"level": "governorate"|"district"|"subdistrict",
                               # "name", "admin1"}; Gazetteer.outline draws it


@dataclass
class _Phrase:
    """One place phrase, peeled."""

    core: str                  # the name left ("سراقب", "saraqib")
    near: bool = False         # near / outskirts / a direction from it
    region: bool = False       # countryside / desert of it
    district: bool = False     # named as a district ("منطقة الباب", "Al Bab district")
    subdistrict: bool = False  # named as a subdistrict ("ناحية ...")
    governorate: bool = False  # named as a governorate ("محافظة حماة", "Hama governorate")


@dataclass
class _Parsed:
    items: list[_Phrase]            # the places named; more than one: a list
    between: bool = False           # "between X and Y"
    context: list[_Phrase] = field(default_factory=list)  # where the place lies ("in Ain Eissa district")


@cache  # one pattern per word list: a phrase is peeled by a handful of regex calls, not hundreds of startswith
def _pattern(words: tuple[str, ...], at_start: bool) -> re.Pattern:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"^({alternation}) " if at_start else f" ({alternation})$")


def _strip_prefix(text: str, words: tuple[str, ...]) -> tuple[str, str | None]:
    match = _pattern(words, True).match(text)
    return (text[match.end():].strip(), match.group(1)) if match else (text, None)


def _strip_suffix(text: str, words: tuple[str, ...]) -> tuple[str, str | None]:
    match = _pattern(words, False).search(text)
    return (text[: match.start()].strip(), match.group(1)) if match else (text, None)


def _peel(text: str) -> _Phrase:
    """Area words, directions, descriptors and admin words off one place phrase."""
    phrase = _Phrase(core="")
    key = text.strip(" ,.;")
    if " " not in key:  # one word: a name (its clitics are tried at lookup)
        phrase.core = key
        return phrase
    for _ in range(4):  # words come in any order: "the northern countryside of", "قرية ... بريف"
        before = key
        for clitic in _CLITICS_AR:  # "بريف", "وبمحيط"
            if key.startswith(clitic) and key[1:].startswith(_NEAR_AR + _REGION_AR + _DESCRIPTORS_AR):
                key = key[1:]
        key, word = _strip_suffix(key, _DIRECTIONS_AR)
        key, word = _strip_prefix(key, _NEAR_AR + _NEAR_EN)
        phrase.near |= word is not None
        whole, unpeeled = canonical_admin1(key), key
        key, word = _strip_prefix(key, _REGION_AR + _REGION_EN)
        phrase.region |= word is not None
        if word is not None and whole and whole != canonical_admin1(key):
            return _Phrase(core=unpeeled, governorate=True)  # "ريف دمشق" is a governorate's own name
        key, word = _strip_prefix(key, _DIRECTION_PREPOSITIONS_AR)
        phrase.near |= word is not None
        if (match := _DIRECTION_OF_EN.match(key)) is not None:
            key, phrase.near = key[match.end():], True
        key, word = _strip_prefix(key, _DIRECTIONS_EN)
        key, word = _strip_prefix(key, _DISTRICT_WORDS)
        phrase.district |= word is not None
        key, word = _strip_prefix(key, _SUBDISTRICT_WORDS)
        phrase.subdistrict |= word is not None
        key, word = _strip_prefix(key, ("محافظه", "muhafazat", "governorate of", "province of"))
        phrase.governorate |= word is not None
        key, word = _strip_prefix(key, _DESCRIPTORS_AR + _DESCRIPTORS_EN)
        key, word = _strip_suffix(key, _DESCRIPTORS_EN)
        whole = canonical_admin1(key)
        key, word = _strip_suffix(key, _AREA_SUFFIXES_EN)
        if word is not None and whole and whole != canonical_admin1(key):
            return _Phrase(core=f"{key} {word}", governorate=True)  # "Damascus countryside"
        if word is not None:
            phrase.near = phrase.near or word in ("outskirts", "suburbs", "vicinity", "area")
            phrase.region = phrase.region or word in ("countryside", "region", "desert")
        key, word = _strip_suffix(key, _ADMIN_SUFFIXES_EN)
        if word in ("governorate", "province"):
            phrase.governorate = True
        elif word == "district" or word == "mantiqa":
            phrase.district = True
        elif word is not None:
            phrase.subdistrict = True
        if key == before:
            break
    phrase.core = key.strip(" ,.;")
    return phrase


_AREA_OF = re.compile(r"\((?:area of|near|vicinity)\)")
_IN = re.compile(r"\s(?:in|of|within)\s(?=(?:the\s)?(?:\w+\s)?(?:countryside|district|subdistrict|sub district|"
                 r"governorate|province|area|region|desert))|\s(?:in|within)\s|\sفي\s|\s(?=ب(?:ريف|محيط|منطقه|ناحيه|"
                 r"اطراف|باديه|مدينه)\s)|\s(?=(?:ريف|ارياف|منطقه|ناحيه|محافظه)\s)")
_DIRECTION_BETWEEN_AR = re.compile(r"\s(?=(?:شمال|جنوب|شرق|غرب)(?:ي)?(?:\s(?:غرب|شرق)(?:ي)?)?\s)")
_LIST_SPLIT = re.compile(r"\s*(?:,|،|\band\b|&)\s*|\s+و(?=\S{3,})")


def _parse(query: str) -> _Parsed:
    key = normalise(query)
    if " " not in key and ":" not in key and "(" not in key and "," not in key and "،" not in key:
        return _Parsed(items=[_Phrase(core=key.strip(" .;"))])  # one word: a name
    near_all = bool(_AREA_OF.search(key))
    key = _AREA_OF.sub(" ", key).replace("(", " , ").replace(")", " ")
    key = re.sub(r"\s+", " ", key).strip(" ,.;")
    context: list[_Phrase] = []
    if ":" in key:  # "Aleppo: Kafrnoran": the area first
        head, key = key.split(":", 1)
        context.append(_peel(head))
    parts = _IN.split(key, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        key = parts[0]
        context.append(_peel(parts[1]))
    # "كفرنبودة شمال حماة": a place, then a direction from another.
    parts = _DIRECTION_BETWEEN_AR.split(key, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and not _peel(parts[0]).near:
        key = parts[0]
        context.append(_peel(parts[1]))
    between = False
    for word in ("between", "بين"):
        if key.startswith(word + " "):
            key, between = key[len(word) + 1:], True
    items = [_peel(item) for item in _LIST_SPLIT.split(key) if item.strip(" ,.;")]
    # "Saraqib, Idleb": a trailing governorate or district is context, not a list item.
    while len(items) > 1 and not between and _is_admin(items[-1]):
        context.append(items.pop())
    if near_all:
        for item in items:
            item.near = True
    return _Parsed(items=items or [_Phrase(core="")], between=between, context=context)


def _is_admin(phrase: _Phrase) -> bool:
    return bool(phrase.governorate or phrase.district or phrase.subdistrict or phrase.region
                or canonical_admin1(phrase.core))


def _name_variants(core: str) -> list[str]:
    """The core name, then without a clitic letter (وحماة → حماة) or the
    article, then with the article (زبداني → الزبداني)."""
    variants = [core]
    if core and core[0] in _CLITICS_AR and len(core) > 3:
        variants.append(core[1:])
        if core[1:].startswith("ال"):
            variants.append(core[3:])
    if core.startswith("ال") and len(core) > 4:
        variants.append(core[2:])
    elif core and "\u0600" <= core[0] <= "\u06ff":
        variants.append("ال" + core)
    return variants


def _find(gazetteer: Gazetteer, core: str, exact: list[Place] | None = None,
          cutoff: float = _FUZZY_CUTOFF) -> tuple[list[Place], str]:
    """Places named `core`, and how they were matched ("" when exactly).
    `exact`: the exact lookup of `core`, when the caller has done it."""
    if not core:
        return [], ""
    if exact:
        return exact, ""
    for variant in _name_variants(core):
        if places := gazetteer.lookup(variant):
            return places, ""
    if places := gazetteer.lookup_skeleton(core):
        return places, "spelling variant"
    if core in _DESCRIPTOR_WORDS:
        return [], ""  # "بلدة" alone names no place
    places, matched, score = gazetteer.lookup_close(core, cutoff) if cutoff <= 1 else ([], "", 0.0)
    if places:
        return places, f"close spelling of {matched!r} ({score:.2f})"
    return [], ""


@dataclass
class _Context:
    admin1: str | None = None
    district: Area | None = None
    subdistrict: Area | None = None
    town: Place | None = None
    phrase: _Phrase | None = None


def _context(gazetteer: Gazetteer, phrases: list[_Phrase], admin1: str | None, cutoff: float) -> _Context:
    context = _Context(admin1=canonical_admin1(admin1) if admin1 else None)
    for phrase in phrases:
        context.phrase = context.phrase or phrase
        governorate = canonical_admin1(phrase.core)
        if governorate and (phrase.governorate or phrase.region or not phrase.district):
            context.admin1 = context.admin1 or governorate
            continue
        if phrase.subdistrict and (area := gazetteer.subdistrict(phrase.core)):
            context.subdistrict = area
            context.admin1 = context.admin1 or area.admin1
            continue
        if (area := gazetteer.district(phrase.core)) and (phrase.district or not gazetteer.lookup(phrase.core)):
            context.district = area
            context.admin1 = context.admin1 or area.admin1
            continue
        if (area := gazetteer.subdistrict(phrase.core)) and not gazetteer.lookup(phrase.core):
            context.subdistrict = area
            context.admin1 = context.admin1 or area.admin1
            continue
        places, _ = _find(gazetteer, phrase.core, cutoff=cutoff)
        if places:
            context.town = places[0]
            context.admin1 = context.admin1 or places[0].admin1
    return context


def _within(places: list[Place], context: _Context) -> list[Place]:
    """The places that fit the context (governorate, district, subdistrict,
    within ~40 km of a town named with it), best first; [] when none does."""
    def fits(place: Place) -> bool:
        if context.admin1 and place.admin1 != context.admin1:
            return False
        if context.district and place.admin2 != context.district.name:
            return False
        if context.subdistrict and place.admin3 != context.subdistrict.name:
            return False
        if context.town and abs(place.latitude - context.town.latitude) + abs(
                place.longitude - context.town.longitude) > 0.5:  # ~40 km: "north of Hama" is not in Aleppo
            return False
        return True
    return [p for p in places if fits(p)]


def resolve(gazetteer: Gazetteer, query: str, admin1: str | None = None,
            close_spellings: bool = True) -> Resolution | None:
    """Resolve a place phrase; None when nothing in the gazetteer matches.

    `admin1`, any spelling, restricts places to that governorate (as a
    governorate named in the phrase itself does). `close_spellings=False`
    leaves out matches by a close spelling (typos).
    """
    if not isinstance(query, str) or not query.strip() or len(query) > _LONGEST_QUERY:
        return None
    parsed = _parse(query)
    cutoff = _FUZZY_CUTOFF if close_spellings else 1.01
    context = _context(gazetteer, parsed.context, admin1, cutoff)
    first = parsed.items[0]
    found = _place_or_area(gazetteer, query, first, context, parsed, cutoff)
    if found is not None:
        return found
    if context.phrase is not None:
        # The place itself is unknown (most villages are): code the area it
        # was said to lie in, at that area's precision.
        return _area_fallback(gazetteer, query, context, first.core)
    return None


def _place_or_area(gazetteer: Gazetteer, query: str, phrase: _Phrase, context: _Context,
                   parsed: _Parsed, cutoff: float) -> Resolution | None:
    core = phrase.core
    if not core:
        return None
    governorate = canonical_admin1(core)
    exact = gazetteer.lookup(core)
    named_places = exact or gazetteer.lookup_skeleton(core)
    if governorate and (phrase.region or phrase.governorate or not named_places):
        # "ريف دمشق", "Hama countryside", "Idleb governorate": a governorate.
        return _region(gazetteer, query, governorate)
    if phrase.district and (area := gazetteer.district(core)):
        return _district(gazetteer, query, area)
    if phrase.subdistrict and (area := gazetteer.subdistrict(core)):
        return _subdistrict_resolution(gazetteer, query, area)
    places, how = _find(gazetteer, core, exact, cutoff)
    if places:
        fitting = _within(places, context)
        if not fitting and context.phrase is not None and how:
            return None  # a loose match outside the named area is no match
        return _town(gazetteer, query, fitting or places, phrase, parsed, how,
                     hint_missed=not fitting and bool(context.admin1))
    if area := gazetteer.district(core):
        return _district(gazetteer, query, area)
    return None


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
        area={"level": "governorate", "name": governorate, "admin1": governorate},
    )


def _seat(gazetteer: Gazetteer, area: Area) -> Place | None:
    """The town that stands for a district or subdistrict: one of its name
    inside it, else its most populous town."""
    inside = [p for p in gazetteer.places if p.curated and p.source.startswith("geonames:")
              and (p.admin2 == area.name if area in gazetteer.districts else p.admin3 == area.name)
              and p.admin1 == area.admin1]
    named = [p for p in inside for n in (area.name, *area.names)
             if gazetteer.lookup(n) and p in gazetteer.lookup(n)]
    pool = named or inside
    return max(pool, key=lambda p: (p.population, p.name)) if pool else None


def _district(gazetteer: Gazetteer, query: str, area: Area) -> Resolution | None:
    seat = _seat(gazetteer, area)
    point = seat or _representative(area)
    return Resolution(
        query=query,
        name=f"{area.name} district",
        latitude=point.latitude,
        longitude=point.longitude,
        admin1=area.admin1,
        admin2=area.name,
        admin3=seat.admin3 if seat else None,
        geo_precision=3,
        where_prec=3,
        rule="district named: its seat stands for it" if seat else "district named: a point inside it",
        source=seat.source if seat else "geoboundaries",
        area={"level": "district", "name": area.name, "admin1": area.admin1},
    )


def _subdistrict_resolution(gazetteer: Gazetteer, query: str, area: Area) -> Resolution | None:
    seat = _seat(gazetteer, area)
    point = seat or _representative(area)
    return Resolution(
        query=query,
        name=f"{area.name} subdistrict",
        latitude=point.latitude,
        longitude=point.longitude,
        admin1=area.admin1,
        admin2=area.admin2,
        admin3=area.name,
        geo_precision=2,
        where_prec=3,
        rule="subdistrict named: its seat stands for it" if seat else "subdistrict named: a point inside it",
        source=seat.source if seat else "geoboundaries",
        area={"level": "subdistrict", "name": area.name, "admin1": area.admin1},
    )


@dataclass(frozen=True)
class _Point:
    latitude: float
    longitude: float


def _representative(area: Area) -> _Point:
    point = area.geometry.representative_point()
    return _Point(round(point.y, 4), round(point.x, 4))


def _area_fallback(gazetteer: Gazetteer, query: str, context: _Context, unknown: str) -> Resolution | None:
    if context.town is not None:
        found = _town(gazetteer, query, [context.town], _Phrase(core=unknown, near=True), _Parsed(items=[]), "",
                      hint_missed=False)
    elif context.subdistrict is not None:
        found = _subdistrict_resolution(gazetteer, query, context.subdistrict)
    elif context.district is not None:
        found = _district(gazetteer, query, context.district)
    elif context.admin1 is not None:
        found = _region(gazetteer, query, context.admin1)
    else:
        return None
    if found is None:
        return None
    rule = f"{unknown!r} is not in the gazetteer; coded to the area named with it ({found.rule})"
    return Resolution(**{**vars(found), "rule": rule})


def _town(gazetteer: Gazetteer, query: str, places: list[Place], phrase: _Phrase, parsed: _Parsed, how: str,
          hint_missed: bool) -> Resolution:
    best = places[0]
    area = gazetteer.subdistrict_at(best.latitude, best.longitude)
    others = [{"name": p.label, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1}
              for p in places[1:]]
    # The other places named in a list, or the second end of "between".
    others += [{"name": p.label, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1}
               for item in parsed.items[1:] for p in _find(gazetteer, item.core)[0][:1]]
    ambiguous = any(p.admin1 != best.admin1 for p in places[1:])
    several = len(parsed.items) > 1
    near = phrase.near or phrase.region
    precision = max(best.geo_precision, 2 if (near or ambiguous or several or hint_missed) else 1)
    if near:
        rule = "near a town: coded to the town"
    elif parsed.between:
        rule = "between two places: coded to the first"
    elif several:
        rule = "several places named: coded to the first, the others are candidates"
    else:
        rule = "town named" if best.geo_precision == 1 else "named area: one point stands for it"
    if how:
        rule += f"; matched as a {how}"
    if ambiguous:
        rule += "; same name in another governorate, see candidates"
    if hint_missed:
        rule += "; not in the governorate given"
    return Resolution(
        query=query,
        name=best.label,
        latitude=best.latitude,
        longitude=best.longitude,
        admin1=area.admin1 if area else best.admin1,
        admin2=area.admin2 if area else best.admin2,
        admin3=area.name if area else best.admin3,
        geo_precision=precision,
        where_prec=1 if precision == 1 else 2,
        rule=rule,
        source=best.source,
        candidates=others,
        area={"level": "subdistrict", "name": area.name, "admin1": area.admin1} if area and near else None,
    )

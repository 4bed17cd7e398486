"""From a place phrase to a point with an honest precision.

Coders write phrases, not names (taken apart in phrases.py): "ريف حماة", "near Saraqib", "vicinity of
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
spelling (a typo), then by a spelling alike among the places of the area
named or given (geo.fuzzy: Irbeen / Arbin); the loose ones say so in the
rule, and any doubt (places in two governorates, several spelled alike)
lowers the precision and lists the others as candidates. The area binds:
with a governorate given or named, no place outside it is answered; a place
not found under a known area gives that area, never None. The rule that fired is returned with the point, with the area
it stands for (`area`: level and name) so the map can draw it.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

from .admin import canonical_admin1
from .gazetteer import Area, Gazetteer, Place
from .phrases import DESCRIPTOR_WORDS, Parsed, Phrase, name_variants, names_no_place, parse

_LONGEST_QUERY = 300  # a place phrase, not a report: longer input is not looked up

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


def _find(gazetteer: Gazetteer, core: str, exact: list[Place] | None = None,
          cutoff: float = _FUZZY_CUTOFF) -> tuple[list[Place], str]:
    """Places named `core`, and how they were matched ("" when exactly).
    `exact`: the exact lookup of `core`, when the caller has done it."""
    if not core:
        return [], ""
    lookups = (gazetteer.lookup(variant) for variant in name_variants(core))  # lazily: the first hit ends it
    for places in itertools.chain([exact] if exact else [], lookups):
        if places:
            if places[0].tier > 0:
                # Only villages of this exact spelling: a town spelled a little
                # differently is what the name most often means (Ras al-Ain).
                known = {id(p) for p in places}  # by identity: comparing frozen Places field by field is slow
                towns = [p for p in gazetteer.lookup_skeleton(core) if p.tier == 0 and id(p) not in known]
                if towns:
                    return towns + places, "spelling variant"
            return places, ""
    if places := gazetteer.lookup_skeleton(core):
        return places, "spelling variant"
    if core in DESCRIPTOR_WORDS:
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
    phrase: Phrase | None = None
    names: list[str] = field(default_factory=list)  # the context phrases' names, as written
    given: str | None = None  # the governorate the caller gave (admin1 is also the one named)
    # "in the southern countryside of Aleppo", "X south of Y": the place lies on that side of
    # the point that stands for the area or town named (latitude, longitude, bearing).
    sector: tuple[float, float, float] | None = None


def _context(gazetteer: Gazetteer, phrases: list[Phrase], admin1: str | None, cutoff: float) -> _Context:
    given = canonical_admin1(admin1) if admin1 else None
    context = _Context(admin1=given, given=given)
    for phrase in phrases:
        context.names.append(phrase.core)
        if names_no_place(phrase.core):
            continue  # "في جبل", "شرقي دير": a word of the text cut short, not an area
        context.phrase = context.phrase or phrase
        anchor = _context_phrase(gazetteer, phrase, context, cutoff)
        if anchor is not None and phrase.direction is not None and context.sector is None:
            context.sector = (anchor.latitude, anchor.longitude, phrase.direction)
    return context


def _context_phrase(gazetteer: Gazetteer, phrase: Phrase, context: _Context, cutoff: float) -> Place | None:
    """Add what one context phrase names to `context`; the point that stands for it, if any."""
    governorate = canonical_admin1(phrase.core)
    if governorate and (phrase.governorate or phrase.region or not phrase.district):
        context.admin1 = context.admin1 or governorate
        if phrase.city and context.admin1 == governorate:
            context.town = gazetteer.region(governorate)  # "Al-Hasakeh - Ghoweran": the city itself
        return gazetteer.region(governorate) if context.admin1 == governorate else None
    # An area of that name in another governorate than the one known is not the one meant
    # ("Hodr" is spelled like Aleppo's Hadher subdistrict).
    def inside(area: Area | None) -> Area | None:
        return area if area is not None and context.admin1 in (None, area.admin1) else None
    if phrase.subdistrict and (area := inside(gazetteer.subdistrict(phrase.core))):
        context.subdistrict = area
        context.admin1 = context.admin1 or area.admin1
        return _seat(gazetteer, area, "subdistrict")
    if (area := inside(gazetteer.district(phrase.core))) and (phrase.district or not gazetteer.lookup(phrase.core)):
        context.district = area
        context.admin1 = context.admin1 or area.admin1
        return _seat(gazetteer, area, "district")
    if (area := inside(gazetteer.subdistrict(phrase.core))) and not gazetteer.lookup(phrase.core):
        context.subdistrict = area
        context.admin1 = context.admin1 or area.admin1
        return _seat(gazetteer, area, "subdistrict")
    places, _ = _find(gazetteer, phrase.core, cutoff=cutoff)
    places = [p for p in places if gazetteer.within(p, context.admin1)]
    if not places and context.admin1 is not None and cutoff <= 1 and not canonical_admin1(phrase.core):
        # "south of Hodr town in rural Al-Quneitra": the town spelled as coders do (Hadar).
        places = [p for p, _ in _close_in_area(gazetteer, phrase.core, context)[:1]]
    if places:
        context.town = places[0]
        context.admin1 = context.admin1 or places[0].admin1
        return places[0]
    return None


# Of the side named, a place within this many degrees of its bearing from the
# area's point: "southern" takes in south-east and south-west.
SECTOR_DEGREES = 75.0
_SECTOR_CENTRE_KM = 3.0  # nearer than this to the point, any side will do


def _in_sector(place: Place, sector: tuple[float, float, float] | None, degrees: float = SECTOR_DEGREES) -> bool:
    if sector is None:
        return True
    latitude, longitude, bearing = sector
    north = (place.latitude - latitude) * 111.2
    east = (place.longitude - longitude) * 111.2 * math.cos(math.radians(latitude))
    if math.hypot(north, east) < _SECTOR_CENTRE_KM:
        return True
    off = abs((math.degrees(math.atan2(east, north)) - bearing + 180) % 360 - 180)
    return off <= degrees


def _within(gazetteer: Gazetteer, places: list[Place], context: _Context) -> list[Place]:
    """The places that fit the context (governorate, district, subdistrict,
    within ~40 km of a town named with it), best first; [] when none does."""
    def fits(place: Place) -> bool:
        if not gazetteer.within(place, context.admin1, context.district.name if context.district else None,
                                context.subdistrict.name if context.subdistrict else None):
            return False
        # ~40 km of a town named with it: "north of Hama" is not in Aleppo.
        return (not context.town or _near(place, context.town)) and _in_sector(place, context.sector)
    fitting = [p for p in places if fits(p)]
    if context.town is not None and len(fitting) > 1:  # "X near Y": of two X, the one nearer Y
        town = context.town
        fitting = _nearest_first(fitting, lambda p: abs(p.latitude - town.latitude) + abs(p.longitude - town.longitude))
    if context.sector is not None:  # of two Ibbin on the northern side, the one most nearly north
        fitting.sort(key=lambda p: not _in_sector(p, context.sector, SECTOR_DEGREES / 2))
    return fitting


def resolve(gazetteer: Gazetteer, query: str, admin1: str | None = None,
            close_spellings: bool = True) -> Resolution | None:
    """Resolve a place phrase; None when nothing in the gazetteer matches.

    `admin1`, any spelling, restricts places to that governorate (as a
    governorate named in the phrase itself does). `close_spellings=False`
    leaves out matches by a close spelling (typos).
    """
    if not isinstance(query, str) or not query.strip() or len(query) > _LONGEST_QUERY:
        return None
    parsed = parse(query)
    cutoff = _FUZZY_CUTOFF if close_spellings else 1.01
    context = _context(gazetteer, parsed.context, admin1, cutoff)
    first = parsed.items[0]
    found = _place_or_area(gazetteer, query, first, context, parsed, cutoff)
    for item in parsed.items[1:] if found is None else ():
        # A list led by words that name no place ("agricultural land, south of
        # Hodr"): the first item that is a place.
        if (found := _place_or_area(gazetteer, query, item, context, parsed, cutoff)) is not None:
            break
    if found is None and (context.phrase is not None or context.admin1 is not None):
        # The place itself is unknown: code the most specific area it was
        # said to lie in (or the governorate given), at that area's precision.
        found = _area_fallback(gazetteer, query, context, first.core or query.strip())
    if found is not None and context.given and found.admin1 != context.given:
        # The phrase names another governorate ("Hama countryside" given Idleb):
        # the one given binds, and the answer says so.
        region = _region(gazetteer, query, context.given)
        if region is not None:
            rule = f"the phrase names {found.admin1}, the governorate given binds ({region.rule})"
            return Resolution(**{**vars(region), "rule": rule})
    return found


def _place_or_area(gazetteer: Gazetteer, query: str, phrase: Phrase, context: _Context,
                   parsed: Parsed, cutoff: float) -> Resolution | None:
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
        return _admin_area(gazetteer, query, area, "district")
    if phrase.subdistrict and (area := gazetteer.subdistrict(core)):
        return _admin_area(gazetteer, query, area, "subdistrict")
    if names_no_place(core):
        # "Damascus - International Airport": a landmark named by its city and common words.
        # It may lie outside the city's governorate (the airport of Damascus), not outside the one given.
        for head in context.names:
            if landmark := [p for p in gazetteer.lookup(f"{head} {core}") if gazetteer.within(p, context.given)
                            and (not context.town or _near(p, context.town))]:
                return _town(gazetteer, query, landmark, phrase, parsed, "")
        return None  # "the vegetable market", "شرقي": no name to look for; the caller codes the area
    places, how = _find(gazetteer, core, exact, cutoff)
    fitting = _of_city(gazetteer, _within(gazetteer, places, context), phrase, context)
    if phrase.neighbourhood:  # "حي الوعر": the neighbourhood before a village of that name
        fitting.sort(key=lambda p: p.feature != "neighbourhood")
    if len(fitting) > 1 and len(parsed.items) > 1:
        fitting = _nearest_the_others(gazetteer, fitting, phrase, parsed, context)
    if fitting:
        loose = how and not exact or all(fitting[0] is not p for p in exact)
        return _town(gazetteer, query, fitting, phrase, parsed, how if loose else "")
    if context.admin1 is not None:
        # The area binds: a place of that name elsewhere is not the one meant.
        # Look among the area's own places for one spelled alike.
        close = _close_in_area(gazetteer, core, context) if cutoff <= 1 else []
        if phrase.neighbourhood:
            kept = {id(p) for p in _of_city(gazetteer, [p for p, _ in close], phrase, context)}
            close = [(p, score) for p, score in close if id(p) in kept]
        if close:
            (best, score), doubt = close[0], len(close) > 1
            return _town(gazetteer, query, [p for p, _ in close], phrase, parsed,
                         f"spelling of {best.label!r} in {_area_name(context)} ({score:.0f}/100)", doubt=doubt)
        if (area := gazetteer.district(core)) and area.admin1 == context.admin1:
            return _admin_area(gazetteer, query, area, "district")
        return None
    if places:
        return _town(gazetteer, query, places, phrase, parsed, how)
    if area := gazetteer.district(core):
        return _admin_area(gazetteer, query, area, "district")
    if cutoff <= 1 and (close := gazetteer.lookup_fuzzy(core, None)):
        # No area named or given: a spelling alike anywhere, in doubt when several are.
        (best, score), doubt = close[0], len(close) > 1
        return _town(gazetteer, query, [p for p, _ in close], phrase, parsed,
                     f"spelling of {best.label!r} ({score:.0f}/100)", doubt=doubt)
    return None


def _nearest_the_others(gazetteer: Gazetteer, places: list[Place], phrase: Phrase, parsed: Parsed,
                        context: _Context) -> list[Place]:
    """Of several places of one name in a list ("Ibbin and Jandairis"), the one nearest
    the other places the list names first: places named together lie together."""
    others = [found[0] for item in parsed.items if item is not phrase and item.core
              for found in [_within(gazetteer, _find(gazetteer, item.core)[0], context)] if found]
    if not others:
        return places

    def apart(place: Place) -> float:
        return min(abs(place.latitude - o.latitude) + abs(place.longitude - o.longitude) for o in others)
    return _nearest_first(places, apart)


def _nearest_first(places: list[Place], apart) -> list[Place]:
    """`places` nearest first by `apart`, among those of the best tier: nearness tells
    two villages of one name apart, it does not make a village the town meant."""
    tier = min(p.tier for p in places)
    return sorted(places, key=lambda p: (p.tier > tier, apart(p) if p.tier == tier else 0.0))


_CITY_KM = 15.0  # a neighbourhood lies this close to the point of its city


def _of_city(gazetteer: Gazetteer, places: list[Place], phrase: Phrase, context: _Context) -> list[Place]:
    """Of a phrase named as a neighbourhood ("Abbasid neighborhood", given Homs), the places
    that are a neighbourhood or lie in the city: the town named with it, else the
    governorate's city. A village of that name in the countryside is not meant."""
    city = context.town or (gazetteer.region(context.admin1) if context.admin1 else None)
    if not phrase.neighbourhood or city is None:
        return places
    scale = math.cos(math.radians(city.latitude))
    return [p for p in places if p.feature == "neighbourhood" or 111.2 * math.hypot(
        p.latitude - city.latitude, (p.longitude - city.longitude) * scale) <= _CITY_KM]


def _close_in_area(gazetteer: Gazetteer, core: str, context: _Context) -> list[tuple[Place, float]]:
    """Places of the most specific area named whose name is spelled like `core`."""
    assert context.admin1 is not None
    areas = dict.fromkeys(((context.district, context.subdistrict), (context.district, None), (None, None)))
    for district, subdistrict in areas:  # each area once: most often only the governorate is known
        close = gazetteer.lookup_fuzzy(core, context.admin1, district.name if district else None,
                                       subdistrict.name if subdistrict else None)
        if close:
            return [(p, score) for p, score in close
                    if (not context.town or _near(p, context.town)) and _in_sector(p, context.sector)]
    return []


def _near(place: Place, town: Place) -> bool:
    return abs(place.latitude - town.latitude) + abs(place.longitude - town.longitude) <= 0.5


def _area_name(context: _Context) -> str:
    if context.subdistrict:
        return f"{context.subdistrict.name} subdistrict"
    if context.district:
        return f"{context.district.name} district"
    return str(context.admin1)


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


def _seat(gazetteer: Gazetteer, area: Area, level: str) -> Place | None:
    """The town that stands for a district or subdistrict: one of its name
    inside it, else its most populous town."""
    inside = [p for p in gazetteer.places if p.curated and p.source.startswith("geonames:")
              and (p.admin2 if level == "district" else p.admin3) == area.name and p.admin1 == area.admin1]
    same_name = {id(p) for n in (area.name, *area.names) for p in gazetteer.lookup(n)}
    pool = [p for p in inside if id(p) in same_name] or inside
    return max(pool, key=lambda p: (p.population, p.name)) if pool else None


def _admin_area(gazetteer: Gazetteer, query: str, area: Area, level: str) -> Resolution:
    """A district (precision 3) or subdistrict (precision 2) named: its seat
    stands for it, else a point inside it; UCDP where_prec 3 for both."""
    seat = _seat(gazetteer, area, level)
    point = seat or _representative(area)
    district = level == "district"
    return Resolution(
        query=query,
        name=f"{area.name} {level}",
        latitude=point.latitude,
        longitude=point.longitude,
        admin1=area.admin1,
        admin2=area.name if district else area.admin2,
        admin3=(seat.admin3 if seat else None) if district else area.name,
        geo_precision=3 if district else 2,
        where_prec=3,
        rule=f"{level} named: its seat stands for it" if seat else f"{level} named: a point inside it",
        source=seat.source if seat else "geoboundaries",
        area={"level": level, "name": area.name, "admin1": area.admin1},
    )


@dataclass(frozen=True)
class _Point:
    latitude: float
    longitude: float


def _representative(area: Area) -> _Point:
    point = area.geometry.representative_point()
    return _Point(round(point.y, 4), round(point.x, 4))


def _area_fallback(gazetteer: Gazetteer, query: str, context: _Context, unknown: str) -> Resolution | None:
    found: Resolution | None
    if context.town is not None:
        found = _town(gazetteer, query, [context.town], Phrase(core=unknown, near=True), Parsed(items=[]), "")
    elif context.subdistrict is not None:
        found = _admin_area(gazetteer, query, context.subdistrict, "subdistrict")
    elif context.district is not None:
        found = _admin_area(gazetteer, query, context.district, "district")
    elif context.admin1 is not None:
        found = _region(gazetteer, query, context.admin1)
    else:
        return None
    if found is None:
        return None
    named = "named with it" if context.phrase is not None else "given"
    rule = f"{unknown!r} is not in the gazetteer; coded to the area {named} ({found.rule})"
    return Resolution(**{**vars(found), "rule": rule})


def _town(gazetteer: Gazetteer, query: str, places: list[Place], phrase: Phrase, parsed: Parsed, how: str,
          doubt: bool = False) -> Resolution:
    """The first of `places` (best first), the others as candidates. `doubt`:
    the others are as likely (close spellings alike): lower the precision."""
    best = places[0]
    area = gazetteer.subdistrict_at(best.latitude, best.longitude)
    # A place two sources both have (a supplement town GeoNames also lists) is one candidate.
    others = [{"name": p.label, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1}
              for p in places[1:] if abs(p.latitude - best.latitude) + abs(p.longitude - best.longitude) > 0.02]
    # The other places named in a list, or the second end of "between".
    others += [{"name": p.label, "latitude": p.latitude, "longitude": p.longitude, "admin1": p.admin1}
               for item in parsed.items[1:] for p in _find(gazetteer, item.core)[0][:1]]
    # A village of the same name elsewhere does not make a town's name doubtful.
    ambiguous = any(p.admin1 != best.admin1 and p.tier <= best.tier for p in places[1:])
    several = len(parsed.items) > 1
    near = phrase.near or phrase.region
    precision = max(best.geo_precision, 2 if (near or ambiguous or several or doubt) else 1)
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
    if doubt:
        rule += "; others of the area are spelled as alike, see candidates"
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

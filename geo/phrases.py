"""Place phrases taken apart: the place a phrase is about, what lies around
it (near, countryside of, a direction), descriptors ("village", "بلدة"),
admin words (district, ناحية) and the context it is placed in ("in Ain
Eissa district", "Aleppo: X", "X, Idleb"), lists and "between X and Y".

Works on normalised text (`geo.normalise`); knows no places: what a word
names is `resolve`'s business.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cache

from rapidfuzz import fuzz, process

from .admin import canonical_admin1
from .normalise import normalise

# Words that make a phrase about the area around a place (normalised forms).
_NEAR_AR = ("بالقرب من", "على اطراف", "في محيط", "قرب", "محيط", "اطراف", "ضواحي", "مشارف", "جوار", "حول")
_REGION_AR = ("ريف", "ارياف", "باديه")
_NEAR_EN = ("in the vicinity of", "the vicinity of", "vicinity of", "outskirts of", "the outskirts of", "near to",
            "near", "around", "close to", "area of", "the area of", "suburbs of", "surroundings of", "environs of",
            # coders' frames: a front, a checkpoint, the areas around a place
            "frontline of", "frontlines of", "front line of", "front lines of", "the frontline of",
            "the frontlines of", "the front of", "front of", "axis of", "the axis of", "checkpoint of",
            "checkpoint near", "a checkpoint near", "the areas of", "areas of", "areas around", "areas near",
            "parts of", "the edge of", "edge of", "entrance of", "the entrance of", "entrance to")
# Words that frame a phrase without saying where: "in", "at", "areas in".
_NOISE_EN = ("areas in", "areas", "in", "at", "on", "from", "inside", "a new", "new", "of")
_REGION_EN = ("the countryside of", "countryside of", "rural", "the desert of", "desert of")
_AREA_SUFFIXES_EN = ("countryside", "outskirts", "suburbs", "area", "areas", "region", "vicinity", "desert",
                     "frontline", "frontlines", "axis", "front")
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
                   "neighborhood", "neighbourhoods", "neighborhoods", "quarter", "farms", "hills", "hill", "camp",
                   "top", "peak", "checkpoint", "roundabout")
_DESCRIPTORS_AR = ("قريه", "بلده", "مدينه", "حي", "بلدات", "قرى", "مزارع", "تله", "تلال", "وسط")
_DISTRICT_WORDS = ("منطقه", "district", "mantiqa", "mantiqat")
_SUBDISTRICT_WORDS = ("ناحيه", "subdistrict", "sub district", "nahiya", "nahiyat")
# Words of a landmark or a piece of land, not of a name: a phrase of these alone
# ("the vegetable market", "agricultural lands", "international airport") names
# no place of the gazetteer, and no spelling alike is looked for.
COMMON_WORDS_EN = frozenset((
    "the", "a", "an", "of", "new", "old", "main", "local", "military", "civilian", "agricultural", "industrial",
    "international", "vegetable", "public", "popular", "national", "central", "western", "eastern", "northern",
    "southern", "market", "markets", "land", "lands", "road", "roads", "highway", "bridge", "hospital", "school",
    "mosque", "church", "base", "camp", "airport", "airbase", "checkpoint", "checkpoints", "field", "fields", "farm",
    "farms", "factory", "station", "prison", "dam", "crossing", "border", "headquarters", "building", "square",
    "roundabout", "junction", "position", "positions", "post", "posts", "outpost", "area", "areas", "zone", "oil",
    "gas", "water", "power", "plant", "company", "brigade", "battalion", "division", "regiment", "village", "town",
    "city", "villages", "towns", "desert", "mountain", "mountains", "hills", "hill", "frontline", "frontlines"))
# The same in Arabic (normalised: ة as ه): words of running text that GeoNames
# also has as a village's name (الجبل, الدير, الشرقي), never a place alone.
COMMON_WORDS_AR = frozenset((
    "جبل", "الجبل", "دير", "الدير", "تل", "التل", "عين", "سهل", "وادي", "نهر", "بير", "بئر", "مزرعه", "خربه",
    "شرقي", "غربي", "شمالي", "جنوبي", "الشرقي", "الغربي", "الشمالي", "الجنوبي", "شرق", "غرب", "شمال", "جنوب",
    "الشرقيه", "الغربيه", "الشماليه", "الجنوبيه", "منطقه", "مناطق", "المنطقه", "طريق", "الطريق", "جسر", "معبر",
    "مطار", "سجن", "مشفى", "مستشفى", "حاجز", "نقطه", "قاعده", "معسكر", "مخيم", "سوق", "السوق", "مدرسه", "جامع",
    "مسجد", "كتيبه", "لواء", "فوج", "اللواء", "الفوج"))
_NEIGHBOURHOOD_WORDS = frozenset(("حي", "neighbourhood", "neighborhood", "quarter"))
CLITICS_AR = ("و", "ب", "ل", "ف")
DESCRIPTOR_WORDS = frozenset(_DESCRIPTORS_AR + _DESCRIPTORS_EN + _DISTRICT_WORDS + _SUBDISTRICT_WORDS)
# Every word that peel or parse acts on. A phrase with none of them (most
# names: "Kafr Batna", "دير الزور") is a name as it stands, and is not
# taken through the two dozen patterns that would each leave it as it is.
_PEEL_WORDS = frozenset(word for words in (
    _NEAR_AR, _REGION_AR, _NEAR_EN, _NOISE_EN, _REGION_EN, _AREA_SUFFIXES_EN, _ADMIN_SUFFIXES_EN, _DIRECTIONS_AR,
    _DIRECTION_PREPOSITIONS_AR, _DIRECTIONS_EN, _DESCRIPTORS_EN, _DESCRIPTORS_AR, _DISTRICT_WORDS, _SUBDISTRICT_WORDS,
    ("محافظه", "muhafazat", "governorate of", "province of", "north", "south", "east", "west", "northern", "southern",
     "eastern", "western", "of", "km")) for phrase in words for word in phrase.split())
_PARSE_WORDS = _PEEL_WORDS | {"in", "of", "within", "في", "and", "between", "بين", "neighbourhood", "neighborhood",
                              "quarter", "شمالي", "جنوبي", "شرقي", "غربي"}
# Characters and marks that parse splits on: colons, brackets, commas, lists, UCDP's breaks, "City - Place".
_PARSE_MARKS = re.compile(r"[:(),،&\t\r\n]|\s[-\u2013\u2014]\s")


# Coders' frame words before "of", to recognise one cut short or mistyped ("rontline of",
# "outskrits of"); a word this close to one is that word.
_FRAMES_OF = ("frontline", "frontlines", "outskirts", "vicinity", "surroundings", "environs", "suburbs", "entrance",
              "countryside", "desert", "outskirt", "periphery")
_REGION_FRAMES = frozenset(("countryside", "desert"))
_WORD_OF = re.compile(r"^([a-z]{5,}) of ")
_FRAME_LIKENESS = 85.0


def _misspelt_frame(word: str) -> str | None:
    found = process.extractOne(word, _FRAMES_OF, scorer=fuzz.ratio, score_cutoff=_FRAME_LIKENESS)
    return found[0] if found else None


def _plain(key: str, words: frozenset[str]) -> bool:
    """Whether no pattern of peel (words=_PEEL_WORDS) or parse (_PARSE_WORDS) applies to `key`:
    none of those words, no clitic ahead of the first (بريف), no digits (5 km), no word led
    by the conjunction و or the preposition ب (a list, "بدمشق")."""
    return key[:1] not in CLITICS_AR and all(
        word not in words and word[:1] not in ("و", "ب") and word.isalpha() for word in key.split(" "))


@dataclass
class Phrase:
    """One place phrase, peeled."""

    core: str                  # the name left ("سراقب", "saraqib")
    near: bool = False         # near / outskirts / a direction from it
    region: bool = False       # countryside / desert of it
    district: bool = False     # named as a district ("منطقة الباب", "Al Bab district")
    subdistrict: bool = False  # named as a subdistrict ("ناحية ...")
    governorate: bool = False  # named as a governorate ("محافظة حماة", "Hama governorate")
    neighbourhood: bool = False  # named as a neighbourhood ("حي الوعر", "Hamdaniyah neighbourhood")
    city: bool = False         # named as the city a place is in ("Al-Hasakeh - Ghoweran", "... of Aleppo")
    # A direction named with it, as a compass bearing (0 north, 90 east): "the southern countryside of
    # Aleppo", "ريف حلب الجنوبي", "شمال حماة". Of a context phrase, the side of it the place lies on.
    direction: float | None = None


@dataclass
class Parsed:
    items: list[Phrase]            # the places named; more than one: a list
    between: bool = False           # "between X and Y"
    context: list[Phrase] = field(default_factory=list)  # where the place lies ("in Ain Eissa district")


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


def bearing(words: str | None) -> float | None:
    """The compass bearing a direction names ("southern", "الشمالي الغربي",
    "north east of": 0 north, 90 east, ...); None for no direction ("the", "central")."""
    if not words:
        return None
    north = ("north" in words or "شمال" in words) - ("south" in words or "جنوب" in words)
    east = ("east" in words or "شرق" in words) - ("west" in words or "غرب" in words)
    if not north and not east:
        return None
    return math.degrees(math.atan2(east, north)) % 360


def _first(direction: float | None, words: str | None) -> float | None:
    return direction if direction is not None else bearing(words)


def peel(text: str) -> Phrase:
    """Area words, directions, descriptors and admin words off one place phrase."""
    phrase = Phrase(core="")
    key = text.strip(" ,.;")
    if " " not in key or _plain(key, _PEEL_WORDS):  # a name (one word's clitics are tried at lookup)
        phrase.core = key
        return phrase
    for _ in range(4):  # words come in any order: "the northern countryside of", "قرية ... بريف"
        if _plain(key, _PEEL_WORDS):
            break  # what is left is a name: no pattern would change it
        before = key
        for clitic in CLITICS_AR:  # "بريف", "وبمحيط"
            if key.startswith(clitic) and key[1:].startswith(_NEAR_AR + _REGION_AR + _DESCRIPTORS_AR):
                key = key[1:]
        key, word = _strip_suffix(key, _DIRECTIONS_AR)
        phrase.direction = _first(phrase.direction, word)
        key, word = _strip_prefix(key, _NOISE_EN)
        key, word = _strip_prefix(key, _NEAR_AR + _NEAR_EN)
        phrase.near |= word is not None
        if word is None and (match := _WORD_OF.match(key)) and (frame := _misspelt_frame(match.group(1))):
            key = key[match.end():]  # "rontline of Deir Mashmash": a frame word cut short or mistyped
            phrase.region |= frame in _REGION_FRAMES
            phrase.near |= frame not in _REGION_FRAMES
        whole, unpeeled = canonical_admin1(key), key
        key, word = _strip_prefix(key, _REGION_AR + _REGION_EN)
        phrase.region |= word is not None
        if word is not None and whole and whole != canonical_admin1(key):
            return Phrase(core=unpeeled, governorate=True)  # "ريف دمشق" is a governorate's own name
        key, word = _strip_prefix(key, _DIRECTION_PREPOSITIONS_AR)
        phrase.near |= word is not None
        phrase.direction = _first(phrase.direction, word)
        if (match := _DIRECTION_OF_EN.match(key)) is not None:
            key, phrase.near = key[match.end():], True
            phrase.direction = _first(phrase.direction, match.group())
        key, word = _strip_prefix(key, _DIRECTIONS_EN)
        phrase.direction = _first(phrase.direction, word)
        key, word = _strip_prefix(key, _DISTRICT_WORDS)
        phrase.district |= word is not None
        key, word = _strip_prefix(key, _SUBDISTRICT_WORDS)
        phrase.subdistrict |= word is not None
        key, word = _strip_prefix(key, ("محافظه", "muhafazat", "governorate of", "province of"))
        phrase.governorate |= word is not None
        key, word = _strip_prefix(key, _DESCRIPTORS_AR + _DESCRIPTORS_EN)
        phrase.neighbourhood |= word in _NEIGHBOURHOOD_WORDS
        key, word = _strip_suffix(key, _DESCRIPTORS_EN)
        phrase.neighbourhood |= word in _NEIGHBOURHOOD_WORDS
        whole = canonical_admin1(key)
        key, word = _strip_suffix(key, _AREA_SUFFIXES_EN)
        if word is not None and whole and whole != canonical_admin1(key):
            return Phrase(core=f"{key} {word}", governorate=True)  # "Damascus countryside"
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
# "X and in the farms of Y" goes on a list: after "and", "in" places nothing in what came before.
_IN = re.compile(r"\s(?:in|of|within)\s(?=(?:the\s)?(?:\w+\s)?(?:countryside|district|subdistrict|sub district|"
                 r"governorate|province|area|region|desert))|(?<!\band)\s(?:in|within)\s|\sفي\s|\s(?=ب(?:ريف|محيط|منطقه|ناحيه|"
                 r"اطراف|باديه|مدينه)\s)|\s(?=(?:ريف|ارياف|منطقه|ناحيه|محافظه)\s)")
_DIRECTION_BETWEEN_AR = re.compile(r"\s(?=(?:شمال|جنوب|شرق|غرب)(?:ي)?(?:\s(?:غرب|شرق)(?:ي)?)?\s)")
# ACLED writes a city's neighbourhood or landmark "Al-Hasakeh - Ghoweran": the city first.
_BREAKS = re.compile(r"[\t\r\n]+")
_DASH_CONTEXT = re.compile(r"\s[-\u2013\u2014]\s")
# "the vegetable market south of Al Tabaqa": a place, then a direction from another.
_DIRECTION_OF_MID = re.compile(r"\s(?:\d{1,3}\s?km\s)?(?:north|south|east|west)(?:ern)?(?:\s?(?:east|west)(?:ern)?)?"
                               r"\sof\s")
# "Hamdaniyah neighbourhood of Aleppo": a neighbourhood, then its city.
_NEIGHBOURHOOD_OF = re.compile(r"\s(?:neighbou?rhood|quarter)\s(?:of|in)\s")
# A split takes a run of spaces from its start or not at all: tried from
# every space of a long run, the run was read to its end and back (the
# square of its length). parse() collapses spaces first; the pattern does not
# rely on it.
_LIST_SPLIT = re.compile(r"(?:(?<!\s)\s+)?(?:,|،|\band\b|&)\s*|(?<!\s)\s+و(?=\S{3})")


def parse(query: str) -> Parsed:
    # UCDP's descriptions carry tabs and newlines between their parts: a comma.
    context: list[Phrase] = []
    if not _PARSE_MARKS.search(query) and _plain(key := normalise(query).strip(" ,.;"), _PARSE_WORDS):
        return Parsed(items=[Phrase(core=key)])  # a name as it stands
    parts = _DASH_CONTEXT.split(_BREAKS.sub(", ", query), maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        context.append(Phrase(**{**vars(peel(normalise(parts[0]))), "city": True}))
    key = normalise(parts[-1])
    if not context and " " not in key and ":" not in key and "(" not in key and "," not in key and "،" not in key:
        return Parsed(items=[Phrase(core=key.strip(" .;"))])  # one word: a name
    near_all = bool(_AREA_OF.search(key))
    key = _AREA_OF.sub(" ", key).replace("(", " , ").replace(")", " ")
    key = re.sub(r"\s+", " ", key).strip(" ,.;")
    # "Aleppo: Kafrnoran", "Aleppo: Bab: Raei village": the areas first. Split
    # once: splitting off one head at a time copied the rest for each colon.
    *heads, key = key.split(":")
    context += [peel(head) for head in heads if head.strip()]
    key = key.strip(" ,.;")
    for _ in range(3):  # "areas in the vicinity of ...": framing words first
        key = _strip_prefix(key, _NOISE_EN)[0]
    neighbourhood = False
    parts = _NEIGHBOURHOOD_OF.split(key, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        key, neighbourhood = parts[0], True
        context.append(Phrase(**{**vars(peel(parts[1])), "city": True}))
    parts = _IN.split(key, maxsplit=1)
    if len(parts) == 2 and parts[0].strip() and parts[1].strip():
        key = parts[0]
        # "area in Palmyra desert in eastern Homs countryside": each area it is in.
        # A few at most: each split searches the rest again.
        rest = parts[1]
        for _ in range(3):
            parts = _IN.split(rest, maxsplit=1)
            if len(parts) < 2 or not parts[0].strip() or not parts[1].strip():
                break
            context.append(peel(parts[0]))
            rest = parts[1]
        context.append(peel(rest))
    # "كفرنبودة شمال حماة", "the market south of Tabqa": a place, then a direction from another.
    for pattern in (_DIRECTION_BETWEEN_AR, _DIRECTION_OF_MID):
        if pattern is _DIRECTION_OF_MID and _DIRECTION_OF_EN.match(key):
            continue  # "5 km north of Idlib": a direction from one place, which peel reads
        match = pattern.search(key)
        if match is None:
            continue
        head, rest = key[:match.start()], key[match.end():]
        if head.strip() and rest.strip() and not peel(head).near:
            key = head
            # The Arabic split leaves the direction at the head of the rest, which peel reads.
            # "south of Al Tabaqa, Raqqa governorate": the direction is from the first.
            direction = bearing(match.group())
            for index, part in enumerate(p for p in _LIST_SPLIT.split(rest) if p.strip(" ,.;")):
                around = peel(part)
                if index == 0 and direction is not None:
                    around.direction = direction
                context.append(around)
    # "حي جوبر بدمشق": the city as a last word, with the clitic "in".
    head, _, last = key.rpartition(" ")
    if head and last.startswith("ب") and canonical_admin1(last[1:]):
        key = head
        context.append(Phrase(core=last[1:], city=True))
    between = False
    for word in ("between", "بين"):
        if key.startswith(word + " "):
            key, between = key[len(word) + 1:], True
    items = [peel(item) for item in _LIST_SPLIT.split(key) if item.strip(" ,.;")]
    items = [item for item in items if item.core not in _ADMIN_SUFFIXES_EN]  # "Saraqib, Idleb, province"
    # "Saraqib, Idleb": a trailing governorate or district is context, not a list item.
    while len(items) > 1 and not between and _is_admin(items[-1]):
        context.append(items.pop())
    for item in items:
        item.near |= near_all
    items[0:1] = [Phrase(**{**vars(items[0]), "neighbourhood": True})] if items and neighbourhood else items[0:1]
    return Parsed(items=items or [Phrase(core="")], between=between, context=context)


def names_no_place(core: str) -> bool:
    """Whether the phrase is made of common words only ("vegetable market")."""
    words = core.split()
    return bool(words) and all(word in COMMON_WORDS_EN or word in COMMON_WORDS_AR for word in words)


def _is_admin(phrase: Phrase) -> bool:
    return bool(phrase.governorate or phrase.district or phrase.subdistrict or phrase.region
                or canonical_admin1(phrase.core))


def name_variants(core: str) -> list[str]:
    """The core name, then without a clitic letter (وحماة → حماة) or the
    article, then with the article (زبداني → الزبداني)."""
    variants = [core]
    if core and core[0] in CLITICS_AR and len(core) > 3:
        variants.append(core[1:])
        if core[1:].startswith("ال"):
            variants.append(core[3:])
    if core.startswith("ال") and len(core) > 4:
        variants.append(core[2:])
    elif core and "\u0600" <= core[0] <= "\u06ff":
        variants.append("ال" + core)
    return variants

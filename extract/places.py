"""The place a report names, through the offline geocoder (`geo/`).

Three readings of the text, each phrase given to the geocoder whole and
then with fewer words: area phrases (ريف حماة, near Saraqib, northern
Idlib countryside), places after a locative word with the area after them
(في بلدة ... بريف درعا, in the town of X), and capitalised English names
with how near they are (near, the vicinity of), what they are (town,
camp) and the area after them ("Kafr Oweid town in Idleb governorate").
The draft chooses among what is found (`draft._most_precise`).
"""

from __future__ import annotations

import re

from geopy.location import Location

from geo.geocoder import OfflineGeocoder
from geo.normalise import normalise

from . import lexicons
from .text import Finding, Report, Span

_WORD = r"[^\s.,،:؛\"()]+"
_AR_DESCRIPTOR = r"(?:(?:بلده|مدينه|قريه|بلدات|قرى|مخيم) )?"
_AREA = re.compile(
    rf"(?<!\w)[وبلف]?(?P<phrase>(?:ريف|ارياف|محيط|اطراف|ضواحي|باديه|وسط|شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي)"
    rf" {_AR_DESCRIPTOR}{_WORD}(?: {_WORD}){{0,2}}"
    r"(?: (?:الشمالي الغربي|الشمالي الشرقي|الجنوبي الغربي|الجنوبي الشرقي|الشمالي|الجنوبي|الشرقي|الغربي))?)"
    # The English branch starts at a word's start: without it a long word
    # was read to its end and back from each of its letters (the square of
    # its length), and each letter before "countryside" began a match.
    r"|(?<!\w)(?P<en>(?:(?:northern|southern|eastern|western|rural) )?[a-z'-]+(?: [a-z'-]+)? countryside"
    r"|(?:near|outskirts of|countryside of|(?:north|south|east|west)(?:-?(?:east|west))? of|central"
    r"|northern|southern|eastern|western) (?:the (?:town|city|village) of )?[a-z'-]+(?: [a-z'-]+){0,2})"
)
_IN_AREA = r"(?:في |ب)?(?:ريف|محافظه|منطقه|ناحيه|باديه) "
_LOCATIVE = re.compile(
    # "إلى العاصمة دمشق": the capital is named as a town is; "الطريق بين عامودا والدرباسية": the first
    # of the places a road joins.
    rf"(?<!\w)(?:(?:في|in|at) )?(?:(?:[بول]?(?:بلده|مدينه|قريه|بلدتي|قريتي|العاصمه)|طريق"
    rf"|(?:the )?(?:town|city|village) of) "
    rf"|(?:في|in|at|بين) )(?P<phrase>{_WORD}(?: (?!{_IN_AREA}){_WORD}){{0,2}}"
    # The area it lies in goes with it: a village the gazetteer does not know is placed by its area.
    rf"(?: {_IN_AREA}{_WORD}(?: {_WORD})?)?)"
)


def _overlapping(pattern: re.Pattern, text: str):
    """Every match, also those starting inside an earlier one: "في حملة
    اعتقالات بمدينة دوما" holds two locatives, and the first must not hide
    the second.

    Linear in the text because each pattern starts at a word's start and
    spans a few words: a restart skips the rest of its word at once, and no
    word is read by more than a few matches.
    """
    position = 0
    while (match := pattern.search(text, position)) is not None:
        yield match
        position = match.start() + 1


def _shorter(key: str, start: int, end: int, keep: int) -> list[tuple[int, int]]:
    """The span, then the span less its last word, down to `keep` words:
    a pattern may swallow a following word ("near qamishli killed")."""
    spans = [(start, end)]
    while key.count(" ", start, end) >= keep:
        end = key.rindex(" ", start, end)
        spans.append((start, end))
    return spans


def find_place(report: Report, geocoder: OfflineGeocoder) -> list[Finding[Location]]:
    """Area phrases (ريف حماة, near Saraqib) and places after a locative
    word, resolved by the offline geocoder; the value is the geocoder's
    Location. Area phrases come first: they say what the text is about."""
    found: list[Finding[Location]] = []
    located: dict[str, Location | None] = {}  # a long report names the same places again and again
    for pattern, confidence, keep in ((_AREA, 0.7, 2), (_LOCATIVE, 0.6, 1)):
        for match in _overlapping(pattern, report.key):
            group = "phrase" if match.group("phrase") else "en"
            phrase_start, phrase_end = match.span(group)
            for start, end in _shorter(report.key, phrase_start, phrase_end, keep):
                # A capitalised name is not cut inside: "in Sulayman Sari town" is not Salman.
                if end < phrase_end and _CUT_NAME.match(report.span(start, phrase_end).text,
                                                         len(report.span(start, end).text)):
                    continue
                # No close-spelling guesses in running text: "the President
                # bridge" is not a typo of a town.
                text = report.span(start, end).text
                if text not in located:
                    located[text] = geocoder.geocode(text, close_spellings=False)
                location = located[text]
                if location is not None:
                    # The evidence keeps the locative word ("in", "مدينة"):
                    # without it a bare name is not a place to this rule.
                    span = report.span(match.start() if pattern is _LOCATIVE else start, end)
                    found.append(Finding(location, (span,), confidence))
                    break
    found += _named_places(report, geocoder, {})
    return found


_DESCRIPTORS = ("town|village|city|camp|neighborhood|neighbourhood|area|areas|district|subdistrict|countryside|axis"
                "|frontline|frontlines|front|plain|plains|badia|desert|road|highway|farms|farmlands|oil field"
                "|gas field|military camp|crossing|dam|airport|base|prison|hospital|mountain|region|province"
                "|governorate|outskirts|vicinity")
_NAME_LINKS = "(?:al|el|ez|es|as|ash|ad|ar|an|at|az|bin|ibn|abu|um|umm|wa|de|-)"
_ARTICLED = r"(?:al|el|ez|es|as|ash|ad|ar|an|at|az|ul|ud)-[\w'’]+"  # Jabal al-Zawiya, Deir ez-Zor
_CAPITALISED = r"[A-Z][\w'’]*(?:-[\w'’]+)*"
# English names are capitalised: "shelled Kafr Oweid town in Idleb governorate",
# "near Sarmada, in northern Idlib". The words before the name that make it
# a place near it, and the area after it, go to the geocoder with it.
_EN_NAMED = re.compile(
    r"(?<![\w'’-])(?P<near>(?:(?:in |on |at )?the (?:vicinity|outskirts|surroundings|area) of |near |outskirts of "
    r"|vicinity of |rural |around |(?:north|south|east|west)(?:-?(?:east|west))? of "
    r"|(?:northern|southern|eastern|western|central|northeastern|northwestern|southeastern|southwestern) )?)"
    rf"(?P<name>{_CAPITALISED}(?: (?:{_NAME_LINKS} )?{_CAPITALISED}| {_ARTICLED}){{0,4}})"
    # Whole words ("plains", not "plain" and an "s" that ends the match), two at most ("village axis").
    rf"(?P<kind>(?: (?:{_DESCRIPTORS})(?![\w'’-])){{0,2}})"
    r"(?P<area>(?:,| in| of)(?: the)?(?: (?:northern|southern|eastern|western|north|south|east|west|rural|central"
    r"|northeastern|northwestern|southeastern|southwestern))?(?: countryside of)?"
    # An area's name has its article words too ("in Deir ez Zor countryside"): cut at "ez", the
    # area was "Deir", a close spelling of a village far away.
    rf"(?: (?:{_NAME_LINKS} )?{_CAPITALISED}| {_ARTICLED}){{1,3}}"
    r"(?: (?:countryside|governorate|province|city|district|badia|desert))?)?")
# "deployed from Damascus to Al-Bukamal", "a man from Soran": where someone came from is the
# event's place only when the text names no other; such a place is found at this confidence.
ORIGIN = 0.4
_FROM = re.compile(r"(?<![\w'’-])from $", re.IGNORECASE)
_CUT_NAME = re.compile(r" [A-Z]")  # a cut before a capitalised word, inside a name
_UNKNOWN = "is not in the gazetteer"  # the geocoder's words for a name it could place only by its area
_DISTRICT = re.compile(r"(?:district|subdistrict)$")
_UNIT = re.compile(r" (?:brigades?|division|corps|battalions?|regiments?|forces|militias?|army|movement"
                   r"|groups?|faction|operations? room|council|front)(?![\w'’-])", re.IGNORECASE)
_NOT_PLACES = frozenset(normalise(w) for w in (
    "On", "Around", "In", "At", "The", "A", "An", "There", "This", "It", "He", "She", "They", "Casualties", "No",
    "Syria", "Syrian", "Russian", "Turkish", "Israeli", "Iranian", "Iraqi", "American", "Kurdish", "Arab", "US",
    "U.S", "UN", "Global Coalition", "Movement", "Security", "Non-violent"))


def _named_places(report: Report, geocoder: OfflineGeocoder, located: dict[tuple[str, bool], Location | None]
                  ) -> list[Finding[Location]]:
    """Capitalised names in English text, each with the words that say how
    near (near, the vicinity of), what it is (town, camp) and the area it
    is in, resolved by the geocoder: the whole phrase, then less of it."""
    found: list[Finding[Location]] = []
    position = 0
    while (match := _EN_NAMED.search(report.raw, position)) is not None:
        name = match.group("name")
        key = normalise(name)
        first = name.split(" ")[0]
        # The area's names are read again as names of their own: "the Mukhtar of Qujman town in Aleppo
        # countryside" is about Qujman.
        position = match.end("kind")
        if normalise(first) in _NOT_PLACES and " " in name:
            # "Iraqi IDPs in Hole Camp": the name starts after the word that is not one.
            position = match.start("name") + len(first)
            continue
        # Outlets and actors are not places (SANA is not the village Sa`na), nor are acronyms, nor a
        # name a unit word follows (Hamza brigade). The area after it may name a place: "Ahrar al Sham
        # in Sosyan village".
        if (key in _NOT_PLACES or name.isupper() or key in lexicons.outlets().values
                or key in lexicons.actors().values or _UNIT.match(report.raw, match.end("name"))):
            continue
        near_start, name_end, kind_end = match.start("name") - len(match.group("near")), match.end("name"), \
            match.end("kind")
        for start, end in ((near_start, match.end()), (near_start, kind_end), (near_start, name_end),
                           (match.start("name"), name_end)):
            text = report.raw[start:end]
            # A name given with its area may be spelled loosely ("Fleifel town in Idleb countryside":
            # Fulayfil): the geocoder looks for it among the area's places only.
            loose = end == match.end() and bool(match.group("area"))
            if (text, loose) not in located:
                located[(text, loose)] = geocoder.geocode(text, close_spellings=loose)
            location = located[(text, loose)]
            if (location is not None and _UNKNOWN in location.raw["rule"] and match.group("kind").strip()
                    and end == match.end() and bool(match.group("area"))):
                # "Ithariyah badia in Hama countryside": the gazetteer may know the name without the
                # word for what it is, among the area's places (Athriya); else the area stands.
                bare = report.raw[near_start:name_end] + report.raw[kind_end:end]
                if (bare, True) not in located:
                    located[(bare, True)] = geocoder.geocode(bare, close_spellings=True)
                known = located[(bare, True)]
                if known is not None and _UNKNOWN not in known.raw["rule"]:
                    location = known
            if location is not None:
                if location.raw["geo_precision"] == 1 and end >= kind_end and _DISTRICT.search(match.group("kind")):
                    # "Atareb district": the area around the town, not the town.
                    location = Location(location.address, location.point,
                                        {**location.raw, "geo_precision": 2,
                                         "rule": f"{location.raw['rule']}; a district named: the area around it"})
                found.append(Finding(location, (Span(text, report.base + start, report.base + end),),
                                     ORIGIN if _FROM.search(report.raw, max(0, near_start - 6), near_start) else 0.7))
                break
    return found

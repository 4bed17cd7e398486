"""A report -> draft events, each field with its evidence and confidence.

A draft carries every schema field plus `evidence` (field -> list of
{text, start, end}, offsets into the raw report), `confidence`
(field -> 0..1) and `placement` (how the place was found: the geocoder's
rule, UCDP where_prec, source, and other candidates of the same name).
Fields no rule found stay None with confidence 0, so the reviewer sees
what is missing instead of a guess.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from functools import cached_property

from geopy.location import Location

from events import taxonomy
from events.exc import EventsError
from events.schema import ACTOR_SEPARATOR, empty_event
from geo.admin import canonical_admin1
from geo.geocoder import OfflineGeocoder
from geo.normalise import normalise

from . import places as places_rules
from . import rules
from .confidence import calibrated
from .text import Report

COUNTRY = "Syria"
# The longest report drafted, in characters: some 30,000 words, a hundred
# times the seed report and more than any news item. Drafting takes time in
# proportion to the length (0.4-2.5 s of CPU at this length, by the kind of
# text: bench/extract_bench.py), and the Code page drafts in its script
# thread: longer text (pasted data, a whole feed) is refused, not drafted.
MAX_REPORT_CHARS = 200_000
NOTES_LIMIT = 10_000  # the schema's limit on notes
DRAFT_EXTRAS = ("evidence", "confidence", "placement", "flags")  # keys of a draft that are not schema fields
UNIDENTIFIED = ("Unidentified Armed Group (Syria)", "Political militia")
PROTESTERS = ("Protesters (Syria)", "Protesters")  # ACLED codes every protest's actor so
RIOTERS = ("Rioters (Syria)", "Rioters")  # and every riot's
_OPERATIONS = ("Operation Peace Spring",)
_NON_STATE = ("Rebel group", "Political militia", "Identity militia")
_UNCLAIMED_WEAPONS = ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade")


class ReportTooLongError(EventsError, ValueError):
    """A report is longer than MAX_REPORT_CHARS; the message says so in words."""


def draft_events(raw: str, published: dt.date, geocoder: OfflineGeocoder | None = None,
                 calibrate: bool = True) -> list[dict]:
    """Draft events for one report published on `published`: one for each
    part of the report that tells of an event of its own ("..., فيما ...").

    A part without its own date, place or source takes the report's.
    Confidences are those measured on the development set (confidence.py)
    unless `calibrate` is False (how they are measured). Raises
    ReportTooLongError for a report longer than MAX_REPORT_CHARS.
    """
    if len(raw) > MAX_REPORT_CHARS:
        raise ReportTooLongError(
            f"The report is {len(raw):,} characters long; at most {MAX_REPORT_CHARS:,} can be drafted at once. "
            "Paste the article's text alone, or split it into several reports.")
    report = Report(raw)
    geocoder = geocoder or OfflineGeocoder()
    whole = _Whole(report, published, geocoder)
    drafts = [_draft(part, whole, published, geocoder) for part in rules.event_parts(report)]
    if calibrate:
        for draft in drafts:
            draft["confidence"] = {name: calibrated(name, value) for name, value in draft["confidence"].items()}
    return drafts


class _Whole:
    """The whole report's dates, place and sources, for the parts that name
    none of their own: found once, however many parts ask (finding them
    again for each of a long report's many parts cost the square of its
    length)."""

    def __init__(self, report: Report, published: dt.date, geocoder: OfflineGeocoder):
        self.report = report
        self._published = published
        self._geocoder = geocoder

    @cached_property
    def dates(self) -> list[rules.Finding[dt.date]]:
        return rules.find_event_date(self.report, self._published)

    @cached_property
    def place(self) -> rules.Finding[Location] | None:
        return _most_precise(self.places) if self.places else None

    @cached_property
    def places(self) -> list[rules.Finding[Location]]:
        return rules.find_place(self.report, self._geocoder)

    @cached_property
    def sources(self) -> list[rules.Finding[str]]:
        # Each outlet's first mention is the evidence: all of them, copied
        # into each part, grew as the parts times the mentions.
        return [rules.Finding(found.value, found.spans[:1], found.confidence)
                for found in rules.find_source(self.report)]


def _draft(report: Report, whole: _Whole, published: dt.date, geocoder: OfflineGeocoder) -> dict:
    event = empty_event()
    flags: list[str] = []
    evidence: dict[str, list[dict]] = {}
    confidence: dict[str, float] = {}

    def put(fields: tuple[str, ...], values: tuple, finding: rules.Finding[object] | None,
            default_confidence: float = 0.0) -> None:
        for name, value in zip(fields, values, strict=True):
            event[name] = value
            if finding is not None:
                evidence[name] = [s.as_evidence() for s in finding.spans]
                confidence[name] = finding.confidence
            else:
                confidence[name] = default_confidence

    sub_types = rules.find_sub_event_type(report)
    if sub_types:
        top = sub_types[0]
        sub_type = top.value
        put(("event_type", "sub_event_type", "disorder_type"),
            (taxonomy.event_type_of(sub_type), sub_type, taxonomy.disorder_type_of(sub_type)), top)

    forces = rules.find_forces(report)
    named = rules.find_named_actors(report)
    # Forces named with their nationality act (الطيران الحربي السوري);
    # otherwise the first armed actor named. Civilians are targets, never
    # the leading actor, except that protesters lead their own protest.
    armed = [f for f in named if f.value[0][1] not in ("Civilians", "Protesters")]
    claims = rules.find_claims(report, named)
    # Forces named by nationality act; of the groups named outright the
    # first written leads ("Islamic State militants ambushed a Syrian army
    # patrol"); unidentified gunmen only when no one else is named.
    # Before them: an operation named (forces "operating under OPS" are
    # its), and an actor named as the one who acted ("killed by gunmen").
    # Who only told of the event ("..., the Interior Ministry said") is its source, not an actor.
    armed = [f for f in armed if not rules.spoke(report, f)]
    acting = forces + sorted(armed, key=lambda f: (f.value[0][0] == UNIDENTIFIED[0], f.spans[0].start))
    operations = [f for f in acting if f.value[0][0] in _OPERATIONS]
    agents = [f for f in acting if rules.acted(report, f)]
    # The side whose attack was repelled began the battle (ACLED's actor1 is its initiator).
    repelled = rules.find_repelled(report, armed) if event["sub_event_type"] == "Armed clash" else []
    leads = claims + operations + repelled + agents + acting
    if event["sub_event_type"] in _UNCLAIMED_WEAPONS and not claims and not forces:
        # A bomb's author is unknown unless someone claims it; those named
        # near it are its targets (ACLED: Unidentified Armed Group).
        leads = []
    if event["event_type"] == "Protests":
        leads = [f for f in named if f.value[0][1] == "Protesters"] or [rules.Finding(
            (PROTESTERS,), sub_types[0].spans, sub_types[0].confidence)]
    if event["event_type"] == "Riots":
        # ACLED codes a riot's crowd as its rioters, whoever else is named.
        leads = [rules.Finding((RIOTERS,), sub_types[0].spans, sub_types[0].confidence)]
    actor1_finding = leads[0] if leads else None
    leading: list[tuple[str, str]] = list(actor1_finding.value) if actor1_finding else []
    if leading:
        (actor1, inter1), associates = leading[0], leading[1:]
        put(("actor1", "inter1"), (actor1, inter1), actor1_finding)
        if associates:
            put(("assoc_actor_1",), (ACTOR_SEPARATOR.join(a for a, _ in associates),), actor1_finding)
    elif event["disorder_type"] == "Political violence":
        # ACLED's convention for an unnamed perpetrator; no words support it.
        leading = [UNIDENTIFIED]
        put(("actor1", "inter1"), UNIDENTIFIED, None, default_confidence=0.3)
    # A police body's detention is a formal arrest, whoever it answers to (the JWS's Military Police).
    if event["sub_event_type"] == "Arrests" and event["inter1"] in _NON_STATE and "Police" not in str(event["actor1"]):
        # ACLED's definitions: an arrest is the state's (or its police's); people detained by a
        # non-state group (اعتقلت هيئة تحرير الشام, QSD detained) are abducted.
        abduction = "Abduction/forced disappearance"
        put(("event_type", "sub_event_type", "disorder_type"),
            (taxonomy.event_type_of(abduction), abduction, taxonomy.disorder_type_of(abduction)), sub_types[0])
    if event["sub_event_type"] == "Non-state actor overtakes territory" and event["inter1"] == "State forces":
        # The state's forces taking a place back is the government regaining it.
        put(("sub_event_type",), ("Government regains territory",), sub_types[0])
    taken = {a for a, _ in leading}
    for finding in named:
        (actor2, inter2), = finding.value
        if actor2 not in taken:
            put(("actor2", "inter2"), (actor2, inter2), finding)
            if inter2 == "Civilians":
                put(("civilian_targeting",), ("Civilians targeted",), finding)
            break

    fatalities = rules.find_fatalities(report)
    cumulative = rules.find_cumulative_toll(report)
    if cumulative:
        # A running total is not this event's toll: left for the coder.
        put(("fatalities",), (None,), cumulative[0])
        flags.append(f"“{cumulative[0].spans[0].text}”: a cumulative toll, not this event's; "
                     "code the deaths of this event by hand")
    elif fatalities:
        put(("fatalities",), (fatalities[0].value,), fatalities[0])
    else:
        # No death reported: ACLED records 0.
        put(("fatalities",), (0,), None, default_confidence=0.5)

    dates = rules.find_event_date(report, published) or whole.dates
    if dates:
        put(("event_date",), (dates[0].value,), dates[0])
        if rules.said_when(whole.report, dates[0].spans[0]):
            flags.append(f"“{dates[0].spans[0].text}” follows a reporting verb: it may date the report, "
                         "not the event")
    else:
        put(("event_date",), (published,), None, default_confidence=0.4)
    event["time_precision"] = 1

    places = rules.find_place(report, geocoder)
    place = _most_precise(places) if places else whole.place
    if place is not None:
        raw = place.value.raw
        unknown = _unknown_place_flag(places or whole.places, place)
        if unknown:
            flags.append(unknown)
        put(
            ("location", "latitude", "longitude", "admin1", "admin2", "admin3", "geo_precision"),
            (place.value.address, round(place.value.latitude, 4), round(place.value.longitude, 4),
             raw["admin1"], raw["admin2"], raw["admin3"], raw["geo_precision"]),
            place,
        )
        placement = {k: raw[k] for k in ("rule", "where_prec", "source", "candidates", "area")}
    else:
        placement = {"rule": "no place found in the text", "where_prec": None, "source": None, "candidates": [],
                     "area": None}

    sources = rules.find_source(report) or whole.sources
    if sources:
        put(("source",), (ACTOR_SEPARATOR.join(f.value for f in sources),), sources[0])

    event.update(
        event_id=f"coded:{uuid.uuid4().hex[:12]}",
        country=COUNTRY,
        origin="coded",
        status="draft",
        # ACLED's notes are English; the words they were coded from stay with them.
        notes=f"{_notes(event)}\n\nReport: {report.raw.strip()}"[:NOTES_LIMIT],
    )
    event["evidence"] = evidence
    event["confidence"] = confidence
    event["placement"] = placement
    event["flags"] = flags
    return event


_PART_OF = re.compile(r"(?:in |في )?(?:northern|southern|eastern|western|central|north|south|east|west|rural"
                      r"|northeastern|northwestern|southeastern|southwestern) ")
_DIRECTION = re.compile(r"(?:في |in |[وب])?(?:شمال|جنوب|شرق|غرب|شمالي|جنوبي|شرقي|غربي|north|south|east|west)"
                        r"(?:-?(?:east|west))?(?: of)? ")
_CITY = re.compile(r"(?<!\w)(?:city|مدينه)(?!\w)")
_UNKNOWN = "is not in the gazetteer"  # the geocoder's words for a name it could only place by its area


def _most_precise(places: list[rules.Finding[Location]]) -> rules.Finding[Location]:
    """The most specific place named, within the governorates the report
    names when it names any ("Tall Tawil town in Al Hasakeh governorate":
    not the Tall Tawil of Aleppo; "near Sarmada, in northern Idlib":
    Sarmada, not Idleb). Among places as precise, one the geocoder found
    without doubt (no other place of the name elsewhere), then the first."""
    # A governorate is named by its name or its capital ("Raqqa city"), not by a direction from one
    # ("جنوبي دمشق", south of Damascus, may be in Rural Damascus).
    governorates = {p.value.raw["admin1"] for p in places
                    if (p.value.raw["geo_precision"] == 3 or canonical_admin1(p.value.address) == p.value.raw["admin1"])
                    and not _DIRECTION.match(normalise(p.spans[0].text))}
    pool = [p for p in places if p.value.raw["admin1"] in governorates] or places
    order = {id(p): i for i, p in enumerate(places)}
    # Governorates in which the report names a place other than the capital, known to the gazetteer
    # or not ("Qalqoush village in Deir ez Zor countryside").
    with_places = {p.value.raw["admin1"] for p in pool if not _capital(p) or _UNKNOWN in p.value.raw["rule"]}

    def precision_of(place: rules.Finding[Location]) -> int:
        raw = place.value.raw
        # "northern Idlib" is a part of the governorate, not the city that shares its name.
        part_of = _PART_OF.match(normalise(place.spans[0].text)) and canonical_admin1(place.value.address)
        # "Tayyana town in Deir ez Zor", "Al Ghab Plain in Hama": a capital's name given beside a
        # place of its governorate is the governorate, unless the text calls it the city.
        # A direction from it ("غربي الرقة", west of Raqqa) is near the city still.
        text = normalise(place.spans[0].text)
        area_of = (_capital(place) and raw["admin1"] in with_places and not _CITY.search(text)
                   and not _DIRECTION.match(text))
        return 3 if part_of or area_of else raw["geo_precision"]

    # Where someone came from ("deployed from Damascus to Al-Bukamal") goes after the places named
    # as precisely that are not such origins ("a patrol starting from Al-Omar Oil Field" is there).
    specific = any(precision_of(p) <= 2 for p in pool if p.confidence != places_rules.ORIGIN)

    def rank(place: rules.Finding[Location]) -> tuple[bool, int, bool, bool, bool, int]:
        raw = place.value.raw
        precision = precision_of(place)
        # A capital standing for its governorate goes after the governorate found as such, which
        # says so (precision 3, and the flag of a village the gazetteer lacks).
        return (specific and place.confidence == places_rules.ORIGIN, precision, precision != raw["geo_precision"],
                bool(raw.get("candidates")), _UNKNOWN in raw["rule"], order[id(place)])

    return min(pool, key=rank)


def _capital(place: rules.Finding[Location]) -> bool:
    """The place found is a governorate's capital (or the governorate itself)."""
    return canonical_admin1(place.value.address) == place.value.raw["admin1"] or place.value.raw["geo_precision"] == 3


def _unknown_place_flag(places: list[rules.Finding[Location]], chosen: rules.Finding[Location]) -> str | None:
    """A flag naming a place the text gives that the gazetteer does not
    know, when the draft could place only the area around it."""
    if chosen.value.raw["geo_precision"] == 1:
        return None
    for place in places:
        rule = place.value.raw["rule"]
        if _UNKNOWN in rule:
            return (f"“{place.spans[0].text}”: {rule.split(';')[0]}; the draft gives the area "
                    f"({chosen.value.address}, precision {chosen.value.raw['geo_precision']}): place it by hand")
    return None


def _notes(event: dict) -> str:
    """An English notes line from the coded fields, as ACLED writes notes."""
    when = event["event_date"].strftime("%-d %B %Y") if event["event_date"] else "An unknown date"
    toll = "Fatalities not coded (cumulative toll)" if event["fatalities"] is None else \
        f"{event['fatalities']} fatalities coded"
    who = event["actor1"] or "Unidentified actors"
    if event["assoc_actor_1"]:
        who += f" with {event['assoc_actor_1']}"
    what = (event["sub_event_type"] or "an event of unknown type").lower()
    against = f" against {event['actor2']}" if event["actor2"] else ""
    where = f" in {event['location']} ({event['admin1']})" if event["location"] else ""
    return f"On {when}, {who}: {what}{against}{where}. {toll}."

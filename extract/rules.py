"""One rule per coded field: report text -> findings (value, span, confidence).

Each rule, applied to the text of its own evidence span alone, gives back
the same value: that is how the evidence is checked, and how a reviewer
can trust it. Confidences are fixed per rule for now; they are to be
calibrated on the development set (issue 6).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from events import taxonomy
from geo.geocoder import OfflineGeocoder
from geo.normalise import normalise

from . import lexicons
from .text import Report, Span


@dataclass(frozen=True)
class Finding:
    value: object
    spans: tuple[Span, ...]
    confidence: float


# --- event type -----------------------------------------------------------

def find_sub_event_type(report: Report) -> list[Finding]:
    """Trigger words, the one highest in ACLED's hierarchy first.

    ACLED's codebook orders sub-event types so that a higher row wins when
    an event mixes tactics (an air strike with shelling is an air strike).
    """
    order = {name: rank for rank, name in enumerate(taxonomy.sub_event_types())}
    hits = sorted(report.find(lexicons.triggers()), key=lambda h: (order[h.value], h.span.start))
    findings: dict[str, list[Span]] = {}
    for hit in hits:
        findings.setdefault(hit.value, []).append(hit.span)
    return [Finding(value, tuple(spans), 0.9 if len(spans) > 1 else 0.75) for value, spans in findings.items()]


# --- actors ---------------------------------------------------------------

def _alternatives(lexicon) -> str:
    return "|".join(re.escape(t) for t in sorted(lexicon.values, key=len, reverse=True))


def _force_patterns() -> tuple[re.Pattern, re.Pattern]:
    nouns = _alternatives(lexicons.force_nouns())
    adjectives = _alternatives(lexicons.nationality_adjectives())
    # Arabic: noun, then adjectives joined by و ("الطيران الحربي السوري والروسي").
    arabic = re.compile(rf"(?<!\w)[وبلف]?(?P<phrase>(?:{nouns})(?P<adjs>(?: و?(?:{adjectives}))+))(?!\w)")
    # English: adjectives joined by "and" or commas, then the noun.
    english = re.compile(
        rf"(?<!\w)(?P<phrase>(?P<adjs>(?:{adjectives})(?:(?:, | and |, and )(?:{adjectives}))*) (?:{nouns}))(?!\w)"
    )
    return arabic, english


def find_forces(report: Report) -> list[Finding]:
    """State forces named by nationality; the value is the list of
    (actor, inter) in the order written: the first leads, the rest are
    associates (الطيران الحربي السوري والروسي -> Syria, with Russia)."""
    adjectives = lexicons.nationality_adjectives()
    found = []
    for pattern in _force_patterns():
        for match in pattern.finditer(report.key):
            actors = []
            for adj in adjectives.pattern.finditer(match.group("adjs")):
                actor = adjectives.values[adj.group("term")]
                if actor not in actors:
                    actors.append(actor)
            span = report.span(*match.span("phrase"))
            found.append(Finding(tuple(actors), (span,), 0.8))
    return sorted(found, key=lambda f: f.spans[0].start)


def find_named_actors(report: Report) -> list[Finding]:
    """Actors named outright (هيئة تحرير الشام, SDF, gunmen), in text order."""
    return [Finding((hit.value,), (hit.span,), 0.7) for hit in report.find(lexicons.actors())]


# --- fatalities -----------------------------------------------------------

_MONTHS = "|".join(normalise(m) for m in (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
    "تشرين الأول", "تشرين الثاني", "كانون الأول", "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو",
    "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"))

_NEGATIONS = tuple(
    normalise(t)
    for t in ("لم يسفر عن سقوط قتلى", "دون وقوع قتلى", "دون وقوع اصابات", "no casualties", "no one was killed",
              "no fatalities", "no deaths")
)


def find_fatalities(report: Report) -> list[Finding]:
    """Death words next to a number or quantifier; vague quantifiers take
    ACLED's most conservative figure (عشرات/tens 10, dozens 12, مئات 100).

    Several mentions give the lowest figure first, as ACLED records the
    lowest reported number. A negation ("no casualties") gives 0.
    """
    key = report.key
    for negation in _NEGATIONS:
        at = key.find(negation)
        if at >= 0:
            return [Finding(0, (report.span(at, at + len(negation)),), 0.8)]
    deaths = _alternatives(lexicons.death_words())
    amounts = _alternatives(lexicons.quantities())
    number = rf"(?:\d+|{amounts})"
    patterns = (
        re.compile(rf"(?<!\w)[وب]?(?P<phrase>(?:{deaths}) (?:of |at least |نحو |حوالي )?(?P<n>{number}))(?!\w)"),
        # "1 May ... killed" is a date, not one death.
        re.compile(rf"(?<!\w)(?P<phrase>(?P<n>{number}) (?!(?:{_MONTHS})(?!\w))(?:\w+ ){{0,2}}"
                   rf"(?:were |have been |are )?(?:{deaths}))(?!\w)"),
    )
    quantities = lexicons.quantities().values
    found = []
    for pattern in patterns:
        for match in pattern.finditer(key):
            amount = match.group("n")
            value, vague = (int(amount), False) if amount.isdigit() else quantities[amount]
            found.append(Finding(value, (report.span(*match.span("phrase")),), 0.6 if vague else 0.9))
    return sorted(found, key=lambda f: (f.value, f.spans[0].start))


# --- date -----------------------------------------------------------------

def find_event_date(report: Report, published: dt.date) -> list[Finding]:
    """Relative time words (اليوم, أمس, yesterday) counted back from the
    publication date the user gives."""
    return [
        Finding(published - dt.timedelta(days=hit.value), (hit.span,), 0.8)
        for hit in report.find(lexicons.time_words())
    ]


# --- place ----------------------------------------------------------------

_AREA = re.compile(
    r"(?<!\w)[وبلف]?(?P<phrase>(?:ريف|ارياف|محيط|اطراف|ضواحي|باديه) [^\s.,،:؛\"]+"
    r"(?: (?:الشمالي الغربي|الشمالي الشرقي|الجنوبي الغربي|الجنوبي الشرقي|الشمالي|الجنوبي|الشرقي|الغربي))?)"
    r"|(?P<en>(?:(?:northern|southern|eastern|western|rural) )?[a-z'-]+ countryside"
    r"|(?:near|outskirts of|countryside of) [a-z'-]+(?: [a-z'-]+)?)"
)
_LOCATIVE = re.compile(
    r"(?<!\w)(?:(?:في|in|at) )?(?:(?:[بو]?(?:بلده|مدينه|قريه)|طريق|(?:the )?(?:town|city|village) of) |(?:في|in|at) )"
    r"(?P<phrase>[^\s.,،:؛\"]+(?: [^\s.,،:؛\"]+)?)"
)


def _shorter(key: str, start: int, end: int, keep: int) -> list[tuple[int, int]]:
    """The span, then the span less its last word, down to `keep` words:
    a pattern may swallow a following word ("near qamishli killed")."""
    spans = [(start, end)]
    while key.count(" ", start, end) >= keep:
        end = key.rindex(" ", start, end)
        spans.append((start, end))
    return spans


def find_place(report: Report, geocoder: OfflineGeocoder) -> list[Finding]:
    """Area phrases (ريف حماة, near Saraqib) and places after a locative
    word, resolved by the offline geocoder; the value is the geocoder's
    Location. Area phrases come first: they say what the text is about."""
    found = []
    for pattern, confidence, keep in ((_AREA, 0.7, 2), (_LOCATIVE, 0.6, 1)):
        for match in pattern.finditer(report.key):
            group = "phrase" if match.group("phrase") else "en"
            for start, end in _shorter(report.key, *match.span(group), keep):
                location = geocoder.geocode(report.span(start, end).text)
                if location is not None:
                    # The evidence keeps the locative word ("in", "مدينة"):
                    # without it a bare name is not a place to this rule.
                    span = report.span(match.start() if pattern is _LOCATIVE else start, end)
                    found.append(Finding(location, (span,), confidence))
                    break
    return found


# --- source ---------------------------------------------------------------

def find_source(report: Report) -> list[Finding]:
    """Outlets named in the text (عرب 48, SANA, SOHR), one finding each."""
    seen: dict[str, list[Span]] = {}
    for hit in report.find(lexicons.outlets()):
        seen.setdefault(hit.value, []).append(hit.span)
    return [Finding(name, tuple(spans), 0.7) for name, spans in seen.items()]

"""One rule per coded field: report text -> findings (value, span, confidence).

Each rule, applied to the text of its own evidence span alone, gives back
the same value: that is how the evidence is checked, and how a reviewer
can trust it. Confidences are fixed per rule for now; they are to be
calibrated on the development set (issue 6).
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from functools import cache

from geo.normalise import normalise

from . import event_type, fatalities, lexicons, places
from .lexicons import Actor
from .text import Finding, Lexicon, Report, Span, V

Actors = tuple[Actor, ...]  # the actors of one finding, the one who leads first


# --- event type -----------------------------------------------------------

find_sub_event_type = event_type.find_sub_event_type


# --- actors ---------------------------------------------------------------

def _alternatives(lexicon: Lexicon[V]) -> str:
    """A small lexicon's terms as one alternation, longest first; a term
    with the article also as written after ل (الطيران: للطيران)."""
    terms = set(lexicon.values) | {"ل" + t[1:] for t in lexicon.values if t.startswith("ال")}
    return "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))


# The most nationalities one force phrase lists. Bounded so that a long run
# of adjectives with no noun after it ("syrian and russian and ...") is not
# read again from each of its words, which cost the square of its length.
_MOST_NATIONALITIES = 6


@cache  # built from the lexicons once, not for each part of each report
def _force_patterns() -> tuple[re.Pattern, re.Pattern]:
    nouns = _alternatives(lexicons.force_nouns())
    adjectives = _alternatives(lexicons.nationality_adjectives())
    most = _MOST_NATIONALITIES
    # Arabic: noun, then adjectives joined by و ("الطيران الحربي السوري والروسي").
    arabic = re.compile(rf"(?<!\w)[وبلف]?(?P<phrase>(?:{nouns})(?P<adjs>(?: و?(?:{adjectives})){{1,{most}}}))(?!\w)")
    # English: adjectives joined by "and" or commas, then the noun.
    english = re.compile(
        rf"(?<!\w)(?P<phrase>(?P<adjs>(?:{adjectives})(?:(?:, | and |, and )(?:{adjectives})){{0,{most - 1}}})"
        rf" (?:{nouns}))(?!\w)"
    )
    return arabic, english


def find_forces(report: Report) -> list[Finding[Actors]]:
    """State forces named by nationality; the value is the list of
    (actor, inter) in the order written: the first leads, the rest are
    associates (الطيران الحربي السوري والروسي -> Syria, with Russia)."""
    adjectives = lexicons.nationality_adjectives()
    found: list[Finding[Actors]] = []
    for pattern in _force_patterns():
        for match in pattern.finditer(report.key):
            actors: list[Actor] = []
            for *_, term in adjectives.find_in(match.group("adjs").split()):
                actor = adjectives.values[term]
                if actor not in actors:
                    actors.append(actor)
            span = report.span(*match.span("phrase"))
            found.append(Finding(tuple(actors), (span,), 0.8))
    return sorted(found, key=lambda f: f.spans[0].start)


def find_named_actors(report: Report) -> list[Finding[Actors]]:
    """Actors named outright (هيئة تحرير الشام, SDF, gunmen), in text order;
    a name that is one only in capitals (IS, OPS) when written so."""
    capitals = lexicons.capitals_only()
    return [Finding((hit.value,), (hit.span,), 0.7) for hit in report.find(lexicons.actors())
            if hit.term not in capitals or hit.span.text.isupper()]


# Words after which an actor is the one who acted: "killed by", "برصاص".
_AGENT = re.compile(r"(?:(?<!\w)(?:\w+ed|shot|hit|struck|carried out|planted|conducted) by|(?<!\w)(?:من قبل|نفذه|نفذها"
                    r"|نفذته|نفذتها|نفذوه|شنه|شنته|شنها|شنتها|برصاص|بنيران|بقصف|بغاره|بغارات|بضربه|بطائره|بطائرات))"
                    r"(?: \w+){0,2} ?$")


def acted(report: Report, finding: Finding[Actors]) -> bool:
    """Whether an actor is named as the one who acted ("killed by unknown gunmen", "برصاص قوات النظام")."""
    start = finding.spans[0].start - report.base
    before = normalise(report.raw[max(0, start - 30):start])
    return bool(_AGENT.search(before.rstrip() + " " if before else ""))


# A trailing attribution names the report's source, not an actor: "..., the Interior Ministry said",
# "...، بحسب وزارة الداخلية", "وفق ما ذكرت الوزارة".
_SOURCE_BEFORE = re.compile(r"(?:[,،] (?:the )?|(?<!\w)(?:بحسب|حسب|وفق ما (?:ذكرت|ذكر|اعلنت|اعلن|افادت|افاد)) )$")
_SOURCE_AFTER = re.compile(r"(?<!\w)(?:\w+ )?(?:said|says|reported|told|stated|announced)(?!\w)")
_REPELLED_REACH = 150  # characters from a word of repelling to the attacker it names
_REPELLING = frozenset(("repelled", "repulsed", "fought off", "repel", "repulse"))  # English ones name a clash


def spoke(report: Report, finding: Finding[Actors]) -> bool:
    """Whether an actor is named only as the one who told of the event, in an attribution after it."""
    span = finding.spans[0]
    start, end = span.start - report.base, span.end - report.base
    before = normalise(report.raw[max(0, start - 16):start]) + " "
    found = _SOURCE_BEFORE.search(before)
    if not found:
        return False
    # After a comma the attribution needs its verb ("..., the ministry said"); بحسب says it alone.
    return not found.group().startswith((",", "،")) or bool(
        _SOURCE_AFTER.match(normalise(report.raw[end:end + 24])))


def _object_start(report: Report, end: int, named: list[Finding[Actors]]) -> int:
    """Where the object of an Arabic verb of repelling begins: its first word with ل that does not begin
    a name (تصدى لهجوم، تصدت وحدات ... لمجموعات; the ل of "فصائل تابعة للجيش الوطني" is the subject's)."""
    starts = {f.spans[0].start for f in named}
    for word in re.finditer(r"\S+", report.raw[end - report.base:end - report.base + _REPELLED_REACH]):
        at = end + word.start()
        if normalise(word.group()).startswith("ل") and not starts & {at, at + 1, at + 2}:
            return at
    return end + _REPELLED_REACH


def find_repelled(report: Report, named: list[Finding[Actors]]) -> list[Finding[Actors]]:
    """The side an attack repelled came from, the battle's initiator: the armed actor named after a word
    of repelling in its sentence ("repelled an attack by IS", "تصدت وحدات من الجيش لمجموعات من تنظيم
    جبهة النصرة"), past an Arabic verb's own subject right after it."""
    found = []
    for hit in report.find(lexicons.triggers()):
        if hit.value != "@repel" and hit.term not in _REPELLING:
            continue
        start = hit.span.end if hit.term.isascii() else _object_start(report, hit.span.end, named)
        after = [f for f in named if f.value[0][1] not in ("Civilians", "Protesters")
                 and 0 <= f.spans[0].start - start <= _REPELLED_REACH
                 and not any(mark in report.raw[hit.span.end - report.base:f.spans[0].start - report.base]
                             for mark in (".", "؛", ";"))]
        if after:
            found.append(Finding(after[0].value, (hit.span, after[0].spans[0]), 0.7))
    return found


_CLAIM = re.compile(r"(?<!\w)و?(?:" + "|".join(re.escape(normalise(w)) for w in (
    "تبنّى", "تبنت", "أعلن مسؤوليته", "أعلنت مسؤوليتها", "claimed responsibility", "claimed the attack",
    "claimed",
    # Attribution names the author as a claim does ("rockets attributed to government forces",
    # "يُعتقد أن إسرائيل تقف خلف الضربة").
    "attributed to", "was behind", "were behind",
    *(f"{verb} {side}{pronoun}" for verb in ("تقف", "يقف") for side in ("خلف", "وراء") for pronoun in ("", "ه", "ها")),
)) + r")(?!\w)")


_CLAIM_REACH = 40  # characters between a claim and the actor it names


def find_claims(report: Report, named: list[Finding[Actors]]) -> list[Finding[Actors]]:
    """The actor named right by a claim ("وتبنى تنظيم الدولة الهجوم",
    "Islamic State claimed responsibility"): the author of the attack.
    `named`: find_named_actors' findings, in text order."""
    # Looked up by bisection: a long report has thousands of claims and of
    # actors, and comparing each with each cost the square of its length.
    starts = [f.spans[0].start for f in named]
    ends = [f.spans[0].end for f in named]
    found = []
    for match in _CLAIM.finditer(report.key):
        claim = report.span(*match.span())
        start, end = claim.start, claim.end
        after = range(bisect.bisect_right(starts, end - _CLAIM_REACH), bisect.bisect_left(starts, end + _CLAIM_REACH))
        before = range(bisect.bisect_right(ends, start - _CLAIM_REACH),
                       bisect.bisect_left(ends, start + _CLAIM_REACH))
        near = [named[i] for i in sorted({*after, *before})]
        near = [f for f in near if f.value[0][1] not in ("Civilians", "Protesters")]
        if near:
            nearest = min(near, key=lambda f: min(abs(f.spans[0].start - end), abs(start - f.spans[0].end)))
            found.append(Finding(nearest.value, nearest.spans + (claim,), 0.8))
    return found


# --- fatalities -----------------------------------------------------------

# The grammar of deaths lives in fatalities.py; its patterns are reachable
# here, as those of every rule are (tests/test_linear_time.py runs each).
find_fatalities = fatalities.find_fatalities
_fatality_patterns = fatalities.patterns


@cache
def _one_death_patterns() -> tuple[re.Pattern, ...]:
    """Kept for the tests that run every rule's patterns: one death is now a count of the grammar."""
    return ()


_CUMULATIVE = re.compile(
    r"(?:ارتفعت|ارتفع|ترتفع|يرتفع)(?: \S+){0,3} (?:حصيله|عدد القتلى|عدد الضحايا)"
    r"|death toll(?: \S+){0,20} (?:has |had )?(?:risen|rose|climbed)|raising the death toll")


def find_cumulative_toll(report: Report) -> list[Finding[None]]:
    """A toll that sums deaths over time ("ارتفعت حصيلة ... إلى"): ACLED codes
    each death once, in its own event, so the number is not this event's."""
    return [Finding(None, (report.span(*m.span()),), 0.8) for m in _CUMULATIVE.finditer(report.key)]


# --- date -----------------------------------------------------------------

_WEEKDAYS = {normalise(name): day for day, names in enumerate((
    ("الاثنين", "الإثنين", "monday"), ("الثلاثاء", "tuesday"), ("الأربعاء", "wednesday"), ("الخميس", "thursday"),
    ("الجمعة", "friday"), ("السبت", "saturday"), ("الأحد", "sunday"))) for name in names}
_MONTH_NUMBERS = {normalise(name): number for number, names in enumerate((
    ("كانون الثاني", "يناير", "january", "jan"), ("شباط", "فبراير", "february", "feb"),
    ("آذار", "مارس", "march", "mar"), ("نيسان", "أبريل", "ابريل", "april", "apr"), ("أيار", "مايو", "may"),
    ("حزيران", "يونيو", "june", "jun"), ("تموز", "يوليو", "july", "jul"), ("آب", "أغسطس", "august", "aug"),
    ("أيلول", "سبتمبر", "september", "sep", "sept"), ("تشرين الأول", "أكتوبر", "october", "oct"),
    ("تشرين الثاني", "نوفمبر", "november", "nov"), ("كانون الأول", "ديسمبر", "december", "dec")), start=1)
    for name in names}
_MONTH = "|".join(re.escape(m) for m in sorted(_MONTH_NUMBERS, key=len, reverse=True))
_WEEKDAY = "|".join(re.escape(d) for d in sorted(_WEEKDAYS, key=len, reverse=True))
# "12 آذار 2024", "١٢ من شهر آذار", "12 March", "March 12, 2024" (digits are folded to ASCII).
_EXPLICIT_DATE = re.compile(
    rf"(?<!\w)(?:(?P<d>\d{{1,2}}) (?:من )?(?:شهر )?(?P<m>{_MONTH})|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}}))"
    rf"(?:,? (?:(?:عام|سنه|من عام) )?(?P<y>\d{{4}}))?(?!\w)")
_WEEKDAY_PHRASE = re.compile(rf"(?<!\w)(?:(?:يوم|on|last|this past) )?[وب]?(?P<day>{_WEEKDAY})(?!\w)")


def _explicit(match: re.Match, published: dt.date) -> dt.date | None:
    day = int(match.group("d") or match.group("d2"))
    month = _MONTH_NUMBERS[match.group("m") or match.group("m2")]
    year = int(match.group("y")) if match.group("y") else published.year
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    if not match.group("y") and date > published:
        date = date.replace(year=year - 1)  # "12 December" read in January is last year's
    return date


def find_event_date(report: Report, published: dt.date) -> list[Finding[dt.date]]:
    """The event's date, counted from the publication date the user gives:
    an explicit date (12 آذار, March 12) first, then a weekday (the last
    such day up to publication), then relative words (اليوم, أمس)."""
    found: list[Finding[dt.date]] = []
    for match in _EXPLICIT_DATE.finditer(report.key):
        date = _explicit(match, published)
        if date is not None and date <= published:
            found.append(Finding(date, (report.span(*match.span()),), 0.9))
    for match in _WEEKDAY_PHRASE.finditer(report.key):
        back = (published.weekday() - _WEEKDAYS[match.group("day")]) % 7
        found.append(Finding(published - dt.timedelta(days=back), (report.span(*match.span("day")),), 0.8))
    found += [Finding(published - dt.timedelta(days=hit.value), (hit.span,), 0.8)
              for hit in report.find(lexicons.time_words())]
    # A dateline's date ("BEIRUT, Aug 14 (wire) -") and a date the report was told on ("the ministry said
    # on Friday") date the report: the event's own date comes before them.
    return sorted(found, key=lambda f: _dateline(report, f.spans[0]) or said_when(report, f.spans[0]))


_DATELINE_END = re.compile(r"^(?: ?\([^()]{0,30}\))? ?[-–—:]")
_DATELINE_REACH = 40  # characters from the report's start to its dateline's date


def _dateline(report: Report, span: Span) -> bool:
    """Whether a date opens the report as its dateline, the city and date before the story."""
    start, end = span.start - report.base, span.end - report.base
    return start < _DATELINE_REACH and bool(_DATELINE_END.match(report.raw[end:end + 40]))


_REPORTING = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(normalise(w)) for w in (
    "قال", "قالت", "افاد", "افادت", "ذكر", "ذكرت", "اعلن", "اعلنت", "وثق", "اكد", "اكدت", "نقل", "said", "says",
    "reported", "announced", "told", "stated", "confirmed")) + r")(?!\w)(?: \S+){0,4} $")


def said_when(report: Report, span: Span) -> bool:
    """Whether a time word comes right after a reporting verb ("أفاد
    المرصد اليوم", "the Observatory said on Monday"): it may date the
    report rather than the event."""
    start = span.start - report.base
    before = normalise(report.raw[max(0, start - 40):start])
    return bool(_REPORTING.search(before + " " if not before.endswith(" ") else before))


# --- events in one report ---------------------------------------------------

# Words that open the account of another event ("..., فيما قصفت ...").
_NEXT_EVENT = re.compile("|".join(
    [rf"(?:[،,.؛;]\s*|\s)(?={re.escape(normalise(w))} )" for w in ("فيما", "بينما", "في حين", "وفي سياق متصل",
                                                                   "وفي سياق اخر", "من جهة اخرى", "كما",
                                                                   "وفي حادثه منفصله", "في حادثه منفصله",
                                                                   "وفي حادثه اخرى", "في حادثه اخرى",
                                                                   "وفي حادث منفصل", "الى ذلك")]
    + [rf"(?:[.;]\s*|,\s*|\s)(?={w}\b)" for w in ("meanwhile", "elsewhere", "separately", "in a separate",
                                                   "in another", "while")]))


# Someone who died later of wounds belongs to the event that wounded them.
_OF_WOUNDS = re.compile("|".join(re.escape(normalise(w)) for w in (
    "متاثرا بجروح", "متاثرا بجراحه", "متاثره بجراحها", "متاثرين بجراحهم", "متاثرا باصابته", "died of his wounds",
    "died of her wounds", "died of their wounds", "succumbed to", "died later", "later died", "died of wounds")))


# Openings of what happened meanwhile, and the words that only say who died or was hurt.
_WHILE = ("فيما", "بينما", "في حين", "while")
_TOLL_ONLY = frozenset(("@kill", "@injure", "@civilian", "@armed", "@people", "@name"))


def event_parts(report: Report) -> list[Report]:
    """The parts of a report that each tell of one event: the report is cut
    before a word that opens another account (فيما, بينما, meanwhile) when
    the part after it has a trigger word of its own."""
    # Openings and trigger words are found once in the whole report: finding
    # them again in the text before and after each opening cost the square
    # of the report's length.
    words, spans = report.words
    values = lexicons.triggers().values
    found = [(spans[first][0] + dropped, spans[first + size - 1][1], values[term])
             for first, size, dropped, term in lexicons.triggers().find_in(words)]
    triggers = [(start, end) for start, end, _ in found]
    acts = [(start, end) for start, end, value in found if value not in _TOLL_ONLY]

    def has(words_found: list[tuple[int, int]], start: int, end: int) -> bool:
        # Triggers do not overlap: the first to start at `start` or later ends first.
        first = bisect.bisect_left(words_found, (start, -1))
        return first < len(words_found) and words_found[first][1] <= end

    def has_trigger(start: int, end: int) -> bool:
        return has(triggers, start, end)

    openings = list(_NEXT_EVENT.finditer(report.key))
    cuts = [0]
    totals: set[int] = set()  # where a part that is only a running total begins
    for match, following in itertools.zip_longest(openings, openings[1:]):
        end = following.start() if following else len(report.key)
        # "..., فيما ارتقى شهيد من عناصر الوحدة": a death told while the event went on, with no act of
        # its own, is that event's toll.
        toll_only = report.key.startswith(_WHILE, match.end()) and not has(acts, match.end(), end)
        if _CUMULATIVE.search(report.key, match.end(), end):
            # A running total told after it ("في حين ارتفعت حصيلة القتلى منذ بدء المواجهات") is no
            # event's: cut off, and drafted as none.
            cuts.append(match.end())
            totals.add(match.end())
            continue
        if (has_trigger(match.end(), end) and has_trigger(cuts[-1], match.start()) and not toll_only
                and not _OF_WOUNDS.search(report.key, match.end(), end)):
            cuts.append(match.end())
    cuts.append(len(report.key))
    return [report.part(start, end) for start, end in itertools.pairwise(cuts) if start not in totals] or [report]


# --- place ----------------------------------------------------------------

# In places.py; its patterns are reachable here, as every rule's are (tests/test_linear_time.py).
find_place = places.find_place
_AREA, _LOCATIVE, _EN_NAMED = places._AREA, places._LOCATIVE, places._EN_NAMED


# --- source ---------------------------------------------------------------

def find_source(report: Report) -> list[Finding[str]]:
    """Outlets named in the text (عرب 48, SANA, SOHR), one finding each."""
    seen: dict[str, list[Span]] = {}
    for hit in report.find(lexicons.outlets()):
        seen.setdefault(hit.value, []).append(hit.span)
    return [Finding(name, tuple(spans), 0.7) for name, spans in seen.items()]

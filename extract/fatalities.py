"""Fatalities as a small grammar over the report's words.

    mention   := death-word group          ("killing a woman and three children", "مقتل ثلاثة عناصر")
               | group aux? death-word     ("Three SDF fighters and two IS militants were killed", "ثلاثة قتلى")
               | count "fatalities"        ("4 fatalities")
    group     := victims (("and" | "," | و) victims)*
    victims   := qualifier? count noun-phrase? | "a"/"one" noun-phrase | person noun (مدني 1, عنصرين 2, وآخر 1)

Counts are digits, number words, Arabic duals, and vague words at ACLED's
most conservative figures (dozens 12, tens/عشرات 10, hundreds/مئات 100,
several/عدة 3); a range ("1-3") counts its lower end. A group stops at an
injury word ("and injuring ten", "وإصابة آخرين") and at the end of its
clause. A report's own total ("4 fatalities") is its count; otherwise the
groups of every mention are summed, each span summed being evidence.
Negated deaths ("no one was killed", "دون وقوع قتلى") count nothing, and a
report with no death counts 0, as ACLED records it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from geo.normalise import normalise

from . import lexicons
from .text import Finding, Report, Span

_QUALIFIERS = {"at", "least", "about", "around", "nearly", "approximately", "roughly", "over", "than", "more",
               "up", "to", "some", "almost", "between", "another", "other", "additional", "further", "of", "the",
               "نحو", "حوالي", "قرابه", "قرابة", "ما", "لا", "يقل", "عن", "اكثر", "من", "اخرين"}
_AUXILIARIES = {"was", "were", "is", "are", "been", "be", "have", "has", "had", "being", "reportedly", "also",
                "all", "later", "allegedly", "reported", "confirmed", "subsequently", "eventually"}
_ARTICLES = {"a", "an", "one"}
_AND = {"and", "و", "as", "well", "plus"}
# Words that open a part of a group already counted ("seven civilians, including two children").
_SUBSET = {"including", "among", "بينهم", "بينهن", "منهم", "منهن", "incl"}
# Words after which a phrase has ended: "killed a cook in the village".
_NP_END = {"in", "at", "on", "near", "and", "who", "while", "during", "outside", "from", "after", "with", "by",
           "inside", "as", "when", "following", "before", "for", "of", "to", "along", "into", "was", "were"}
_SINCE = {"since", "منذ"}
_ABOUT = {"against", "condemn", "condemning", "denounce", "denouncing", "protest", "protesting",
          "تنديدا", "احتجاجا", "استنكارا", "رفضا", "ضد"}
_PERIOD_START = {"start", "beginning", "outbreak", "بدايه", "مطلع", "اندلاع", "بدء", "january", "the"}
_POSSESSIVES = {"his", "her", "their", "its", "another"}
_FOUND = {"found", "discovered", "recovered", "retrieved", "عثر", "العثور", "وجدت", "انتشال", "انتشلت"}
_MOST_NP_WORDS = 5  # words of a noun phrase between a count and what follows it
# A period after a lone letter is an initial ("الشيخ (ع. م) وزوجته", "U.S."), not a clause's end.
_CLAUSE_END = re.compile(r"[;:!?؛؟]|(?<!(?<!\w)[^\W\d_])\.")
# A singular noun of the dead names one ("ارتقى شهيد", "سقط قتيل"); with a count it is that count's noun.
_ONE_DEAD = {"قتيل", "قتيلا", "شهيد", "شهيدا"}
# "توفي متأثراً بجراحه", "died of his wounds": the pronoun of the wounds is the one who died.
_OF_WOUNDS = ("بجراح", "بجروح", "باصاب")
_ENGLISH_WOUNDS = {"wounds", "injuries"}
# "ارتفع عدد ضحايا الانفجار إلى ١٠ قتلى", "the toll of the blast rose to 10": the event's own total.
_ROSE = {"ارتفع", "ارتفعت", "وارتفع", "وارتفعت", "rose", "risen", "climbed"}
_TO = {"الي", "to"}
_MOST_TOLL_WORDS = 15  # words from "rose" to its "to": the toll's noun phrase names the event

NEGATED = re.compile("|".join(re.escape(normalise(t)) for t in (
    "no one was killed", "no one killed", "nobody was killed", "no one died", "no casualties", "no fatalities",
    "no deaths", "no death", "without casualties", "no one was hurt", "no human losses",
    "لم يسفر عن سقوط قتلى", "لم يسفر عن وقوع قتلى", "دون وقوع قتلى", "دون وقوع اصابات", "دون وقوع خسائر بشريه",
    "دون سقوط قتلى", "دون خسائر بشريه", "لم يسفر عن خسائر بشريه", "لم تسجل وفيات", "لم يقتل احد",
    "لم تسجل اصابات", "لم يسفر عن اصابات")))


@dataclass(frozen=True)
class _Words:
    """The report's words and what each one is: a death word (its kind), a
    count (value, vague), a person noun (how many it names)."""

    words: list[str]
    spans: list[tuple[int, int]]
    deaths: dict[int, tuple[int, str]]        # first word -> (words, kind: death, body, total, injury)
    counts: dict[int, tuple[int, int, bool]]  # first word -> (words, value, vague)
    persons: dict[int, str]                   # word -> "1", "2" or "plural"
    clitics: dict[int, int]                   # word -> letters in front of its term (و ب ل ...)

    def start(self, i: int) -> int:
        """Where the term at word i starts in the key, without its clitics."""
        return self.spans[i][0] + self.clitics.get(i, 0)


@cache
def patterns() -> tuple[re.Pattern, ...]:
    """The regular expressions of this grammar (the rest is dictionary look-ups)."""
    return (NEGATED, _CLAUSE_END)


def _read(report: Report) -> _Words:
    words, spans = report.words
    clitics: dict[int, int] = {}
    deaths = {}
    for first, size, dropped, term in lexicons.death_words().find_in(words):
        deaths[first] = (size, lexicons.death_words().values[term])
        clitics[first] = dropped
    counts = {}
    for first, size, dropped, term in lexicons.quantities().find_in(words):
        value, vague = lexicons.quantities().values[term]
        counts[first] = (size, value, vague)
        clitics.setdefault(first, dropped)
    persons = {}
    for first, _, dropped, term in lexicons.victims().find_in(words):
        persons[first] = lexicons.victims().values[term]
        clitics.setdefault(first, dropped)
    return _Words(words, spans, deaths, counts, persons, clitics)


def _count_at(report: Report, w: _Words, i: int) -> tuple[int, int] | None:
    """(value, words used) of a count starting at word i, qualifiers skipped."""
    start = i
    while i < len(w.words) and w.words[i] in _QUALIFIERS and i - start < 3 and i not in w.counts:
        i += 1
    if i >= len(w.words):
        return None
    word = w.words[i]
    if word.isdigit() and len(word) < 4:
        used = i + 1 - start
        if i + 1 < len(w.words) and w.words[i + 1].isdigit() and len(w.words[i + 1]) < 4:
            used += 1  # "1-3": the lower end
        return int(word), used
    if i in w.counts:
        size, value, vague = w.counts[i]
        after = i + size
        if vague and after < len(w.words) and w.words[after].isdigit():
            return int(w.words[after]), after + 1 - start  # "some 20 people"
        if i in w.persons and w.persons[i] != "plural":  # شخص: a person noun as well as "one"
            return int(w.persons[i]), i + 1 - start
        return value, after - start
    if i in w.persons and w.persons[i] != "plural":
        return int(w.persons[i]), i + 1 - start
    if i in w.persons and i + 1 in w.counts and not word.isascii():
        size, value, _ = w.counts[i + 1]
        return value, i + 1 + size - start  # the number after the noun: عسكريين اثنين
    article = word in _ARTICLES or word in _POSSESSIVES
    if article or i > start and w.words[i - 1] == "the":
        last = min(i + 1 + _MOST_NP_WORDS, len(w.words))
        for j in range(i + 1 if article else i, last):
            noun = w.words[j]
            # "a man's body": the possessive's apostrophe is gone from the key.
            if w.persons.get(j) == "1" or noun.endswith("s") and lexicons.victims().values.get(noun[:-1]) == "1":
                return 1, j + 1 - start
        if article:
            # A person the lexicon does not name: "a" and a phrase that ends ("killed a cook in ...").
            for j in range(i + 2, min(i + 4, len(w.words))):
                if w.words[j] in _NP_END or _break(report, w, j - 1, j):
                    return 1, j - start
    return None


def _break(report: Report, w: _Words, a: int, b: int) -> bool:
    """Whether a clause ends between word a and word b (a < b)."""
    return bool(_CLAUSE_END.search(report.key, w.spans[a][1], w.spans[b][0]))


def _injured_after(w: _Words, i: int) -> bool:
    """Whether the count that ends before word i counts the injured ("five seriously injured")."""
    for n in range(i, min(i + 3, len(w.words))):
        if w.words[n] in _AND:
            return False
        if w.deaths.get(n, (0, ""))[1] == "injury":
            return True
    return False


def _group_forward(report: Report, w: _Words, i: int) -> tuple[int, int] | None:
    """(sum, last word) of the victims from word i on, and their coordinates."""
    found = _count_at(report, w, i)
    if found is None:
        return None
    total, used = found
    last = i + used - 1
    j = last + 1
    while j < len(w.words) and j - last <= _MOST_NP_WORDS:
        if _break(report, w, j - 1, j) or j in w.deaths or w.words[j] in _SUBSET:
            break
        close = _apposition_end(report, w, last, j)
        if close:
            last = j = close  # "the driver, a member of the faction, and two passers-by": one person
            continue
        word = w.words[j]
        coordinated = word in _AND or (word.startswith("و") and (j in w.counts or j in w.persons))
        if coordinated:
            k = j + 1 if word in _AND else j
            while k < len(w.words) and w.words[k] in _AND:
                k += 1
            if k in w.deaths and w.deaths[k][1] == "injury":
                break
            more = _count_at(report, w, k)
            if more is not None and _injured_after(w, k + more[1]):
                break  # "and five injured"
            if more is not None:
                total += more[0]
                last = k + more[1] - 1
                j = last + 1
                continue
        j += 1
    return total, last


_MOST_APPOSITION_WORDS = 7


def _apposition_end(report: Report, w: _Words, last: int, j: int) -> int:
    """The word after an apposition set off by commas right after the victims counted ("the driver, a
    member of the faction, and ..."): it names the same person, so the group goes on after it; 0 if none."""
    if j != last + 1 or w.words[j] not in _ARTICLES - {"one"} or "," not in report.key[w.spans[last][1]:w.spans[j][0]]:
        return 0
    for k in range(j + 1, min(j + 1 + _MOST_APPOSITION_WORDS, len(w.words))):
        if _break(report, w, k - 1, k) or k in w.deaths:
            return 0
        if "," in report.key[w.spans[k - 1][1]:w.spans[k][0]]:
            return k
    return 0


def _group_backward(report: Report, w: _Words, i: int) -> tuple[int, int] | None:
    """(sum, first word) of the victims that end before word i ("Three
    soldiers and two militants were killed")."""
    j = i - 1
    while j >= 0 and w.words[j] in _AUXILIARIES:
        j -= 1
    total, first, found_value = 0, None, 0
    while j >= 0:
        here = None
        for k in range(j, max(-1, j - _MOST_NP_WORDS), -1):
            if k < j and (_break(report, w, k, k + 1) or "," in report.key[w.spans[k][1]:w.spans[k + 1][0]]):
                break
            found = _count_at(report, w, k)
            if found is None and w.words[k] in ("a", "an") and j - k <= _MOST_NP_WORDS:
                found = (1, j - k + 1)  # "a military auxiliary was killed"
            if found is not None and k + found[1] - 1 <= j:
                if k > 0 and w.words[k - 1].isdigit() and len(w.words[k - 1]) < 4 and w.words[k].isdigit():
                    k, found = k - 1, (int(w.words[k - 1]), found[1] + 1)  # "2-3 were killed": the lower end
                total += found[0]
                found_value = found[0]
                here = k
                break
        if here is None:
            break
        first = here
        if first == 0 or _break(report, w, first - 1, first):
            break
        if (w.words[first - 1] in _AND and first > 2 and w.words[first - 3] == "between"
                and w.words[first - 2].isdigit()):
            total += int(w.words[first - 2]) - found_value  # "between 16 and 25 were killed": the lower end
            first -= 3
            break
        if w.words[first - 1] in _AND:
            j = first - 2
        elif w.words[first].startswith("و") and not w.words[first].isascii():
            j = first - 1
        else:
            break
    return (total, first) if first is not None else None


def _coded_as(w: _Words, i: int) -> tuple[int, int] | None:
    """The count of "coded as N" (ACLED's own wording of a figure it chose) at word i."""
    words = w.words[i:i + 4]
    if words[:2] == ["coded", "as"] and len(words) > 2 and words[2].isdigit():
        return int(words[2]), i + 2
    if words[:3] == ["were", "coded", "as"] and len(words) > 3 and words[3].isdigit():
        return int(words[3]), i + 3
    return None


def _running_total(w: _Words, i: int) -> bool:
    """A death word near "since the start of the year" (منذ بداية): a running total."""
    for n in range(max(0, i - 8), min(i + 9, len(w.words) - 1)):
        if w.words[n] in _SINCE and w.words[n + 1] in _PERIOD_START:
            return True
    return False


def _died_of_wounds(w: _Words, end: int) -> tuple[int, int]:
    """(how many, last word) the pronoun of "died of his/her wounds" names after the death word ending at
    word end: (0, end) if none."""
    after = w.words[end + 1:end + 4]
    for n, word in enumerate(after[:2]):
        if word.startswith(_OF_WOUNDS) and not word.endswith("هم"):
            one = 2 if word.endswith("هما") else 1 if word.endswith(("ه", "ها")) else 0
            return one, end + 1 + n
    if len(after) == 3 and after[0] in ("of", "to", "from") and after[1] in ("his", "her") and after[2] in (
            _ENGLISH_WOUNDS):
        return 1, end + 3
    return 0, end


def _risen_to(report: Report, w: _Words) -> list[tuple[int, Span]]:
    """The totals a toll rose to ("ارتفع عدد ضحايا الانفجار إلى ١٠ قتلى"): a count after "to" with a
    death word right after it or between "rose" and "to"."""
    found = []
    for k, word in enumerate(w.words):
        if word not in _ROSE:
            continue
        for j in range(k + 1, min(k + 1 + _MOST_TOLL_WORDS, len(w.words) - 1)):
            if _break(report, w, j - 1, j):
                break
            if w.words[j] not in _TO:
                continue
            count = _count_at(report, w, j + 1)
            if count is None:
                break
            last = j + count[1]
            named = any(w.deaths.get(n, (0, "injury"))[1] != "injury" or w.words[n] in ("ضحايا", "الضحايا")
                        for n in range(k + 1, j))
            after = last + 1 < len(w.words) and w.deaths.get(last + 1, (0, "injury"))[1] != "injury"
            if named or after:
                found.append((count[0], report.span(w.start(k), w.spans[last + 1 if after else last][1])))
            break
    return found


def _one_by_pronoun(word: str) -> bool:
    return not word.isascii() and word.endswith(("ه", "ها", "هما")) and word not in ("وفاه", "جثه")


def find_fatalities(report: Report) -> list[Finding[int]]:
    """The report's deaths: its own total, else the sum of every group of
    victims named with a death word; [Finding(0)] on negation alone, []
    when no death is named."""
    w = _read(report)
    negated = [m.span() for m in NEGATED.finditer(report.key)]

    def in_negation(index: int) -> bool:
        start = w.spans[index][0]
        return any(a <= start < b for a, b in negated)

    mentions: list[tuple[int, Span]] = []
    totals: list[tuple[int, Span]] = []
    told_vague: set[int] = set()  # vague figures counted once already ("dozens")
    counted: set[int] = set()  # words of groups counted: a second death word for them adds nothing

    def mention(value: int, first: int, last: int) -> None:
        # The same vague figure told again ("Dozens killed as gunmen ambush ... clashes that killed
        # dozens") is the same dead told twice: a vague count says nothing more the second time.
        vague = {w.counts[k][1] for k in range(first, last + 1) if k in w.counts and w.counts[k][2]}
        if value in vague and value in told_vague:
            counted.update(range(first, last + 1))
            return
        if value in vague:
            told_vague.add(value)
        if counted.isdisjoint(range(first, last + 1)):
            mentions.append((value, report.span(w.start(first), w.spans[last][1])))
        counted.update(range(first, last + 1))
    for i, (size, kind) in sorted(w.deaths.items()):
        if kind == "injury" or in_negation(i):
            continue
        end = i + size - 1
        if kind in ("total", "casualties"):
            coded = _coded_as(w, end + 1)  # "Unknown fatalities coded as 10"
            if coded:
                totals.append((coded[0], report.span(w.start(i), w.spans[coded[1]][1])))
                continue
            found = _group_backward(report, w, i) if kind == "total" else None
            if found:
                totals.append((found[0], report.span(w.start(found[1]), w.spans[end][1])))
            continue
        if kind == "body" and not _FOUND & set(w.words[max(0, i - 5):i + 6]):
            continue  # a body is a death when it is found
        if _running_total(w, i):
            continue  # "killed since the start of the year": a running total, not this event's
        if _ABOUT & set(w.words[max(0, i - 3):i]):
            continue  # "protested against the killing of": deaths a protest was about
        passive = i > 0 and w.words[i - 1] in _AUXILIARIES
        forward = None
        # "died", "dead": who died comes before ("one person died, five were injured").
        if not passive and (kind != "died" or not w.words[i].isascii()):
            # An Arabic death word may be followed by a word or two before its count ("قتل خلالها خمسة").
            # (its subject may come first: "أعدم عناصر من التنظيم ١٢ مدنياً").
            skips = 7 if not w.words[i].isascii() else 1
            for start in range(end + 1, min(end + 1 + skips, len(w.words))):
                gap = report.key[w.spans[start - 1][1]:w.spans[start][0]]
                if start > end + 1 and (start - 1 in w.deaths or _break(report, w, start - 1, start)
                                        or "," in gap or "،" in gap):
                    break
                forward = _group_forward(report, w, start)
                if forward:
                    break
        if forward:
            mention(forward[0], i, forward[1])
            continue
        backward = _group_backward(report, w, i)
        if backward:
            mention(backward[0], backward[1], end)
        elif kind == "body" and not w.words[i].endswith(("s", "جثث")) or _one_by_pronoun(w.words[end]) or (
                w.words[end] in _ONE_DEAD):
            # "a body was found"; "لمقتله", "مصرعها": the pronoun is the one killed; "ارتقى شهيد": one.
            mention(2 if w.words[end].endswith("هما") else 1, i, end)
        elif (wounds := _died_of_wounds(w, end))[0]:
            mention(wounds[0], i, wounds[1])
    totals += _risen_to(report, w)
    if totals:
        value, span = min(totals, key=lambda total: total[0])
        return [Finding(value, (span,), 0.9)]
    if mentions:
        return [Finding(sum(v for v, _ in mentions), tuple(s for _, s in mentions),
                        0.8 if len(mentions) == 1 else 0.6)]
    if negated:
        return [Finding(0, (report.span(*negated[0]),), 0.8)]
    return []

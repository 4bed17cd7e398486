"""Finding lexicon terms in a raw report, with spans in the raw text.

Matching happens on the normalised text (see `geo.normalise`), where
diacritics, hamza forms and case no longer matter; every hit is mapped
back to Python string offsets of the raw report, so the evidence shown
to the analyst is exactly the words they pasted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from geo.normalise import normalise, normalise_with_offsets

# A word of the normalised text: letters and digits.
_WORDS = re.compile(r"\w+")
# The letters an Arabic word may carry in front of a term: و ف, then ب ل ك.
_ARABIC_CLITICS = set("وفبلك")

V = TypeVar("V")  # what a lexicon's terms mean: a sub-event type, an actor, a number ...
V_co = TypeVar("V_co", covariant=True)  # the same, in a hit (frozen: read only)


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int

    def as_evidence(self) -> dict:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class Hit(Generic[V_co]):
    span: Span
    term: str       # the normalised lexicon term that matched
    value: V_co     # what the lexicon says the term means


@dataclass(frozen=True)
class Finding(Generic[V_co]):
    """What one rule found: a value, the spans it rests on, the rule's confidence."""

    value: V_co
    spans: tuple[Span, ...]
    confidence: float


class Report:
    """A raw report (or one part of it) with its normalised form and the map
    between them. `base` is where the part starts in the whole report: spans
    are always offsets into the whole report."""

    def __init__(self, raw: str, base: int = 0):
        self.raw = raw
        self.base = base
        self.key, self._offsets = normalise_with_offsets(raw)
        self._words: tuple[list[str], list[tuple[int, int]]] | None = None

    @property
    def words(self) -> tuple[list[str], list[tuple[int, int]]]:
        """The key's words and their (start, end) in the key, read once."""
        if self._words is None:
            matches = list(_WORDS.finditer(self.key))
            self._words = ([m.group() for m in matches], [m.span() for m in matches])
        return self._words

    def span(self, key_start: int, key_end: int) -> Span:
        start = self._offsets[key_start]
        end = self._offsets[key_end - 1] + 1
        return Span(self.raw[start:end], self.base + start, self.base + end)

    def part(self, key_start: int, key_end: int) -> Report:
        """The report between two offsets of its key, as a report of its own."""
        start = self._offsets[key_start] if key_start < len(self._offsets) else len(self.raw)
        end = self._offsets[key_end - 1] + 1 if key_end > 0 else 0
        return Report(self.raw[start:end], self.base + start)

    def find(self, lexicon: Lexicon[V]) -> list[Hit[V]]:
        """All non-overlapping hits of the lexicon, longest term first, in text order."""
        words, spans = self.words
        return [Hit(self.span(spans[first][0] + dropped, spans[first + size - 1][1]), term, lexicon.values[term])
                for first, size, dropped, term in lexicon.find_in(words)]


def _unalif(word: str) -> str:
    """An Arabic word less the alif of the indefinite accusative (مدنيا -> مدني), else the word."""
    return word[:-1] if len(word) > 3 and word.endswith("ا") and not word.isascii() else word


class Lexicon(Generic[V]):
    """Surface forms -> values, looked up word by word.

    A term is one or more words; the report's words are looked up in a
    dictionary, the longest term first, so the look-up costs a few probes a
    word however many terms there are (the generated Arabic forms run to
    tens of thousands). An Arabic word may carry a conjunction (و ف) and a
    preposition (ب ل ك) in front of the term; the span excludes them, and
    ل before the article drops its alif (ل + الطيران = للطيران).
    """

    pattern = _WORDS  # what the look-up reads the text by

    def __init__(self, entries: Iterable[tuple[str, V]]):
        self.values: dict[str, V] = {}
        for surface, value in entries:
            term = " ".join(_WORDS.findall(normalise(surface)))
            if term:
                self.values.setdefault(term, value)
                if term.startswith("ال"):
                    # ل before the article drops its alif: ل + الطيران = للطيران.
                    self.values.setdefault("ل" + term[1:], value)
        self.longest = max((t.count(" ") + 1 for t in self.values), default=0)
        self._first_words = {t.partition(" ")[0] for t in self.values}

    def _heads(self, word: str) -> list[tuple[int, str]]:
        """The word as written, and without the clitics in front of it:
        (letters dropped, what is left), those that may start a term."""
        heads = [(0, word)] if word in self._first_words or _unalif(word) in self._first_words else []
        if len(word) > 3 and word[0] in _ARABIC_CLITICS:
            rest = word
            dropped = 0
            if rest[0] in "وف":
                rest, dropped = rest[1:], 1
                if rest in self._first_words or _unalif(rest) in self._first_words:
                    heads.append((dropped, rest))
            if len(rest) > 2 and rest[0] in "بلك" and (rest[1:] in self._first_words
                                                      or _unalif(rest[1:]) in self._first_words):
                heads.append((dropped + 1, rest[1:]))
        return heads

    def find_in(self, words: list[str]) -> list[tuple[int, int, int, str]]:
        """(first word, words spanned, clitic letters dropped, term) of every
        non-overlapping hit, the longest term at each word first."""
        hits = []
        i = 0
        count = len(words)
        while i < count:
            best: tuple[int, int, str] | None = None
            for dropped, head in self._heads(words[i]):
                for size in range(min(self.longest, count - i), 0, -1):
                    if best and size <= best[0]:
                        break
                    term = " ".join((head, *words[i + 1:i + size])) if size > 1 else head
                    if term not in self.values:
                        # The alif of an indefinite accusative: مدنياً, عدواناً جوياً.
                        term = " ".join(_unalif(w) for w in term.split(" "))
                    if term in self.values:
                        best = (size, dropped, term)
                        break
            if best:
                hits.append((i, best[0], best[1], best[2]))
                i += best[0]
            else:
                i += 1
        return hits

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

# An Arabic word may carry one conjunction/preposition clitic (و ب ل ف ك)
# before the term; the span reported excludes it.
_CLITIC = "(?:[وبلفك])?"

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


class Report:
    """A raw report (or one part of it) with its normalised form and the map
    between them. `base` is where the part starts in the whole report: spans
    are always offsets into the whole report."""

    def __init__(self, raw: str, base: int = 0):
        self.raw = raw
        self.base = base
        self.key, self._offsets = normalise_with_offsets(raw)

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
        hits = []
        for match in lexicon.pattern.finditer(self.key):
            start, end = match.span("term")
            term = match.group("term")
            hits.append(Hit(self.span(start, end), term, lexicon.values[term]))
        return hits


class Lexicon(Generic[V]):
    """Surface forms -> values, compiled into one regular expression."""

    def __init__(self, entries: Iterable[tuple[str, V]]):
        self.values: dict[str, V] = {}
        for surface, value in entries:
            term = normalise(surface)
            self.values.setdefault(term, value)
            if term.startswith("ال"):
                # ل before the article drops its alif: ل + الطيران = للطيران.
                self.values.setdefault("ل" + term[1:], value)
        terms = sorted(self.values, key=len, reverse=True)
        alternatives = "|".join(re.escape(t) for t in terms)
        self.pattern = re.compile(rf"(?<!\w){_CLITIC}(?P<term>{alternatives})(?!\w)")

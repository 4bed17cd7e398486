"""The lexicons in `lexicons/*.csv`, loaded once.

They are data so that an analyst can add a surface form without touching
code; each loader returns a compiled `Lexicon` whose values say what a
term means.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from .text import Lexicon

Actor = tuple[str, str]  # (ACLED actor name, inter text)

LEXICON_DIR = Path(__file__).parent / "lexicons"


def _rows(name: str) -> list[dict[str, str]]:
    with open(LEXICON_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def triggers() -> Lexicon[str]:
    """Trigger words -> ACLED sub-event type."""
    return Lexicon((r["surface"], r["sub_event_type"]) for r in _rows("triggers.csv"))


@cache
def actors() -> Lexicon[Actor]:
    """Named actors -> (ACLED actor name, inter text)."""
    return Lexicon((r["surface"], (r["actor"], r["inter"])) for r in _rows("actors.csv"))


@cache
def force_nouns() -> Lexicon[None]:
    """Nouns for armed forces that nationality adjectives attach to."""
    return Lexicon((r["surface"], None) for r in _rows("forces.csv") if r["kind"] == "noun")


@cache
def nationality_adjectives() -> Lexicon[Actor]:
    """Nationality adjectives -> (state forces actor name, inter text)."""
    return Lexicon(
        (r["surface"], (r["actor"], r["inter"])) for r in _rows("forces.csv") if r["kind"] == "adjective"
    )


@cache
def quantities() -> Lexicon[tuple[int, bool]]:
    """Number words and vague quantifiers -> (value, vague)."""
    return Lexicon((r["surface"], (int(r["value"]), r["vague"] == "yes")) for r in _rows("quantities.csv"))


@cache
def death_words() -> Lexicon[None]:
    return Lexicon((r["surface"], None) for r in _rows("deaths.csv"))


@cache
def outlets() -> Lexicon[str]:
    """Outlet names as written -> the source name we record."""
    return Lexicon((r["surface"], r["source"]) for r in _rows("outlets.csv"))


@cache
def time_words() -> Lexicon[int]:
    """Relative time words -> days before the publication date."""
    return Lexicon((r["surface"], int(r["days_before"])) for r in _rows("time_words.csv"))


@cache
def _actor_types() -> dict[str, str]:
    types = {r["actor"]: r["inter"] for r in _rows("actors.csv")}
    types.update((r["actor"], r["inter"]) for r in _rows("forces.csv") if r["kind"] == "adjective")
    return types


def actor_type(actor: str | None) -> str | None:
    """ACLED's actor type (inter) of an actor name our lexicons know, else None."""
    return _actor_types().get(actor) if actor else None

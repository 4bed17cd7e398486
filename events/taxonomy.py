"""The ACLED taxonomy, read from the CSV tables in `vocabularies/`.

The tables are data so that a new codebook release is an edit of a CSV,
not of code; validation and the filters read them from here.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

VOCABULARIES = Path(__file__).parent / "vocabularies"


@cache
def _rows() -> tuple[dict[str, str], ...]:
    with open(VOCABULARIES / "acled_taxonomy.csv", encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


def event_types() -> tuple[str, ...]:
    """The six event types, in the codebook's hierarchy order."""
    return tuple(dict.fromkeys(row["event_type"] for row in _rows()))


def sub_event_types(event_type: str | None = None) -> tuple[str, ...]:
    """The sub-event types, all 25 or those under one event type."""
    return tuple(r["sub_event_type"] for r in _rows() if event_type in (None, r["event_type"]))


def event_type_of(sub_event_type: str) -> str | None:
    """The event type a sub-event type belongs to, or None if unknown."""
    for row in _rows():
        if row["sub_event_type"] == sub_event_type:
            return row["event_type"]
    return None


def disorder_type_of(sub_event_type: str) -> str | None:
    """The disorder type the codebook assigns to a sub-event type."""
    for row in _rows():
        if row["sub_event_type"] == sub_event_type:
            return row["disorder_type"]
    return None


@cache
def actor_types() -> dict[int, str]:
    """Legacy numeric inter codes -> the text current ACLED exports carry."""
    with open(VOCABULARIES / "actor_types.csv", encoding="utf-8", newline="") as handle:
        return {int(row["inter_code"]): row["inter_text"] for row in csv.DictReader(handle)}

"""The confidence a draft shows for a field: the rate measured on the
development set (`calibration.csv`, written by `calibrate.py`).

Each rule gives a field a fixed confidence (0.9 for two trigger words, 0.6
for a place after a locative word, ...); the table says how often a field
was right at each of those rule confidences on the dev split, and the draft
shows that measured rate instead. A rule confidence the table does not hold
(too few reports measured) stays the rule's own. This module only reads the
table: drafting needs nothing else, and nothing here drafts.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "calibration.csv"


@cache
def _table() -> dict[tuple[str, float], float]:
    if not TABLE.exists():
        return {}
    with open(TABLE, encoding="utf-8", newline="") as handle:
        return {(row["field"], float(row["rule_confidence"])): float(row["calibrated"])
                for row in csv.DictReader(handle)}


def calibrated(field: str, rule_confidence: float) -> float:
    """The measured rate for a field at a rule's confidence, else the rule's own."""
    return _table().get((field, round(rule_confidence, 2)), rule_confidence)


def reload() -> None:
    """Read the table again (after `calibrate.write`)."""
    _table.cache_clear()

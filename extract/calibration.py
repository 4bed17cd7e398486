"""Confidence calibrated on the development set.

Each rule gives a field a fixed confidence (0.9 for two trigger words, 0.6
for a place after a locative word, ...). Calibration measures, on the dev
split only, how often a field was right at each of those rule confidences,
and the draft then shows that measured rate instead: a field shown at 0.9
was right about nine times in ten. Buckets with fewer than `MIN_SAMPLES`
reports keep the rule's own figure. The rate is smoothed (Laplace: one
right and one wrong added), so that 12 of 12 reads 0.93, not certainty.

    python -m extract calibrate extract/devset/reports.jsonl   # rewrites calibration.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "calibration.csv"
MIN_SAMPLES = 5


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


def measure(path: Path, split: str = "dev") -> list[dict]:
    """Per (field, rule confidence): reports, right, calibrated rate."""
    from events.schema import format_value
    from geo.geocoder import OfflineGeocoder

    from .draft import draft_events

    geocoder = OfflineGeocoder()
    seen: dict[tuple[str, float], int] = defaultdict(int)
    right: dict[tuple[str, float], int] = defaultdict(int)
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if record.get("split") != split:
            continue
        draft = draft_events(record["text"], dt.date.fromisoformat(record["published"]), geocoder,
                             calibrate=False)[0]
        for name, gold in record["gold"].items():
            value = draft.get(name)
            got = format_value(value) if hasattr(value, "isoformat") else value
            bucket = (name, round(draft["confidence"].get(name, 0.0), 2))
            seen[bucket] += 1
            right[bucket] += got == gold
    return [{"field": name, "rule_confidence": level, "reports": seen[(name, level)],
             "right": right[(name, level)],
             "calibrated": round((right[(name, level)] + 1) / (seen[(name, level)] + 2), 2)}
            for name, level in sorted(seen) if seen[(name, level)] >= MIN_SAMPLES]


def write(rows: list[dict]) -> None:
    with open(TABLE, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["field", "rule_confidence", "reports", "right", "calibrated"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    _table.cache_clear()

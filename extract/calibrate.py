"""Measuring the confidences drafts show (`confidence.py` reads the result).

On the dev split only, how often a field was right at each rule
confidence; buckets with fewer than `MIN_SAMPLES` reports are left out (the
rule's own figure stands). The rate is smoothed (Laplace: one right and one
wrong added), so that 12 of 12 reads 0.93, not certainty.

    python -m extract calibrate extract/devset/reports.jsonl   # rewrites calibration.csv
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from geo.geocoder import OfflineGeocoder

from . import confidence
from .cases import read_jsonl
from .draft import draft_events
from .evaluate import field_value

MIN_SAMPLES = 5


def measure(path: Path, split: str = "dev") -> list[dict]:
    """Per (field, rule confidence): reports, right, calibrated rate."""
    geocoder = OfflineGeocoder()
    seen: dict[tuple[str, float], int] = defaultdict(int)
    right: dict[tuple[str, float], int] = defaultdict(int)
    for case in read_jsonl(path):
        if case.part != split:
            continue
        draft = draft_events(case.text, case.published, geocoder, calibrate=False)[0]
        for name, gold in case.gold.items():
            bucket = (name, round(draft["confidence"].get(name, 0.0), 2))
            seen[bucket] += 1
            right[bucket] += field_value(draft, name) == gold
    return [{"field": name, "rule_confidence": level, "reports": seen[(name, level)],
             "right": right[(name, level)],
             "calibrated": round((right[(name, level)] + 1) / (seen[(name, level)] + 2), 2)}
            for name, level in sorted(seen) if seen[(name, level)] >= MIN_SAMPLES]


def write(rows: list[dict]) -> None:
    with open(confidence.TABLE, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["field", "rule_confidence", "reports", "right", "calibrated"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    confidence.reload()

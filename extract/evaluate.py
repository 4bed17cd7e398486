"""Scoring the extractor on a development set of reports with gold fields.

Each JSONL line: {id, published, text, gold: {field: value}, split}. A
field scores when the first draft's value equals the gold one (dates as
YYYY-MM-DD). Evidence is valid when every span's text is the report's text
at its offsets.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

from events.schema import format_value
from geo.geocoder import OfflineGeocoder

from .draft import draft_events

CONFIDENT = 0.8


def evaluate(path: Path, split: str | None = None) -> dict:
    """Per-field accuracy, evidence validity and the accuracy of confident
    fields, over the reports of `split` (all when None)."""
    geocoder = OfflineGeocoder()
    right: dict[str, int] = defaultdict(int)
    seen: dict[str, int] = defaultdict(int)
    confident_right = confident_seen = spans = valid_spans = reports = 0
    misses = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        if split and record.get("split") != split:
            continue
        reports += 1
        drafts = draft_events(record["text"], dt.date.fromisoformat(record["published"]), geocoder)
        draft = drafts[0]
        seen["event_count"] += 1
        right["event_count"] += len(drafts) == record.get("event_count", 1)
        if len(drafts) != record.get("event_count", 1):
            misses.append({"id": record["id"], "field": "event_count", "gold": record.get("event_count", 1),
                           "got": len(drafts)})
        for name, gold in record["gold"].items():
            value = draft.get(name)
            got = format_value(value) if hasattr(value, "isoformat") else value
            seen[name] += 1
            ok = got == gold
            right[name] += ok
            if not ok:
                misses.append({"id": record["id"], "field": name, "gold": gold, "got": got})
            if draft["confidence"].get(name, 0) >= CONFIDENT:
                confident_seen += 1
                confident_right += ok
        for field_spans in (spans for one in drafts for spans in one["evidence"].values()):
            for span in field_spans:
                spans += 1
                valid_spans += record["text"][span["start"]:span["end"]] == span["text"]
    return {
        "reports": reports,
        "accuracy": {name: round(right[name] / seen[name], 3) for name in sorted(seen)},
        "evidence_validity": round(valid_spans / spans, 3) if spans else None,
        "confident_accuracy": round(confident_right / confident_seen, 3) if confident_seen else None,
        "misses": misses,
    }

"""The reports the extractor is scored on, each with the coding it should give.

Two kinds of file:

- our JSONL sets (`extract/devset/*.jsonl`): {id, published, text, gold:
  {field: value}, split, event_count}; the split is the file's own
  (`dev` to tune on, `held_out` kept aside);
- ACLED's own files (`../shared/corpora/acled/*.csv`): real English
  `notes` with ACLED's coding beside them. The corpus README fixes the
  one split (a row is untouched when sha256(event_id_cnty) % 10 < 3, and
  is never looked at while tuning) and the publication date (the event's
  date plus three days, so that the date must be read from the note).
  Nothing of these files is copied anywhere: they are read where they lie.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from geo.admin import canonical_admin1

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
ACLED_FILES = {"syria": CORPORA / "acled" / "acled_syria_2022_dev.csv",
               "world": CORPORA / "acled" / "acled_world_2022_dev.csv"}
PUBLISHED_AFTER = dt.timedelta(days=3)  # the corpus README's publication date: event date + 3 days
TUNED, UNTOUCHED = "tuned", "untouched"


def untouched(key: str) -> bool:
    """The corpus README's split: an untouched row is never looked at while tuning."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10 < 3


_NAME_END = re.compile(r"[(:]")


def actor_key(name: str | None) -> str | None:
    """An actor's name as compared: ACLED's name before any bracket or colon
    ("Military Forces of Syria (2000-)" -> "Military Forces of Syria",
    "QSD: Syrian Democratic Forces" -> "QSD")."""
    if not name:
        return None
    return _NAME_END.split(name, maxsplit=1)[0].strip() or None


@dataclass(frozen=True)
class Case:
    """One report and the coding it should give; gold fields absent from a
    file are not scored on it."""

    key: str
    text: str
    published: dt.date
    part: str                     # dev / held_out (our sets), tuned / untouched (ACLED's)
    gold: dict = field(default_factory=dict)
    point: tuple[float, float] | None = None   # ACLED's coordinates, scored within 25 km
    event_count: int | None = None


def read_jsonl(path: Path) -> list[Case]:
    cases = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        record = json.loads(line)
        cases.append(Case(record["id"], record["text"], dt.date.fromisoformat(record["published"]),
                          record.get("split", "dev"), dict(record["gold"]),
                          event_count=record.get("event_count", 1)))
    return cases


def read_acled(path: Path) -> list[Case]:
    """ACLED's rows as cases. Places are scored on Syrian rows only: the
    gazetteer is Syria's."""
    cases = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            date = dt.date.fromisoformat(row["event_date"])
            gold = {"event_type": row["event_type"], "sub_event_type": row["sub_event_type"],
                    "fatalities": int(float(row["fatalities"] or 0)), "actor1": actor_key(row["actor1"]),
                    "event_date": row["event_date"]}
            point = None
            if row["country"] == "Syria":
                gold["admin1"] = canonical_admin1(row["admin1"]) or row["admin1"]
                point = (float(row["latitude"]), float(row["longitude"]))
            key = row["event_id_cnty"]
            cases.append(Case(key, row["notes"], date + PUBLISHED_AFTER, UNTOUCHED if untouched(key) else TUNED,
                              gold, point))
    return cases


def read(path: Path) -> list[Case]:
    """The cases of a file, by its kind (.jsonl ours, .csv ACLED's)."""
    return read_acled(path) if Path(path).suffix.lower() == ".csv" else read_jsonl(path)

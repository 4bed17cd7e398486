"""Scoring the extractor on reports with known coding (see `cases.py`).

    python -m extract evaluate [FILE ...] [--split tuned|untouched] [--json] [--misses]

With no file: our development set and, when `../shared/corpora` is there,
ACLED's Syrian and world files. The first draft of each report is scored
against the coding given:

- `event_type` (also averaged per type: the mean of each ACLED type's
  share right, so that the many protests of the world file do not hide
  the other five types), `sub_event_type`;
- `fatalities` exact, and `fatalities > 0`: exact where the gold codes
  deaths (k of n);
- `actor1`: the name before any bracket or colon, on both sides
  ("Military Forces of Syria (2000-)" is "Military Forces of Syria");
- `admin1`, and `place 25 km` (the draft's point within 25 km of ACLED's),
  on Syrian rows only; `event_date`;
- for our sets, `event_count` (the drafts a report gives), the share of
  evidence spans whose text is the report's at their offsets, and the
  accuracy of fields drafted at a confidence of 0.8 or more.

`--split tuned` (or `dev`) scores the part one may tune on, `--split
untouched` (or `held_out`) the part kept aside; misses are listed for the
tuned part only, never for the untouched one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from geopy.distance import distance

from events.schema import format_value
from geo.geocoder import OfflineGeocoder

from .cases import ACLED_FILES, TUNED, UNTOUCHED, Case, actor_key, read
from .draft import draft_events

DEVSET = Path(__file__).resolve().parent / "devset" / "reports.jsonl"
CONFIDENT = 0.8
PLACE_KM = 25
# Both names of each part: our sets say dev / held_out, ACLED's tuned / untouched.
SPLITS = {"tuned": (TUNED, "dev"), "dev": (TUNED, "dev"), "untouched": (UNTOUCHED, "held_out"),
          "held_out": (UNTOUCHED, "held_out")}
MEASURES = ("event_type", "sub_event_type", "fatalities", "fatalities > 0", "actor1", "admin1", "place 25 km",
            "event_date", "event_count")


def default_files() -> list[Path]:
    """Our development set, and ACLED's files when they are there."""
    return [DEVSET, *(path for path in ACLED_FILES.values() if path.exists())]


@dataclass
class Scores:
    """What one file's reports scored."""

    file: str
    part: str
    reports: int = 0
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    seen: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    per_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    spans: int = 0
    valid_spans: int = 0
    confident: list[int] = field(default_factory=lambda: [0, 0])
    misses: list[dict] = field(default_factory=list)

    def add(self, measure: str, ok: bool) -> None:
        self.seen[measure] += 1
        self.right[measure] += ok

    def share(self, measure: str) -> float | None:
        return self.right[measure] / self.seen[measure] if self.seen[measure] else None

    def per_type_average(self) -> float | None:
        shares = [right / seen for right, seen in self.per_type.values() if seen]
        return sum(shares) / len(shares) if shares else None

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "part": self.part,
            "reports": self.reports,
            "accuracy": {m: round(self.share(m) or 0.0, 3) for m in MEASURES if self.seen[m]},
            "counts": {m: {"right": self.right[m], "of": self.seen[m]} for m in MEASURES if self.seen[m]},
            "event_type_per_type": _rounded(self.per_type_average()),
            "per_type": {t: {"right": r, "of": s} for t, (r, s) in sorted(self.per_type.items())},
            "evidence_validity": _rounded(self.valid_spans / self.spans if self.spans else None),
            "confident_accuracy": _rounded(self.confident[0] / self.confident[1] if self.confident[1] else None),
            "misses": self.misses,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def field_value(draft: dict, name: str):
    value = draft.get(name)
    return format_value(value) if hasattr(value, "isoformat") else value


def score_case(case: Case, scores: Scores, geocoder: OfflineGeocoder, drafts: list[dict] | None = None) -> None:
    """Add one report's scores (`drafts`: its drafts, when already made)."""
    drafts = drafts if drafts is not None else draft_events(case.text, case.published, geocoder)
    draft = drafts[0]
    scores.reports += 1
    wrong: dict[str, tuple] = {}

    def add(measure: str, ok: bool, gold, got) -> None:
        scores.add(measure, ok)
        if not ok:
            wrong[measure] = (gold, got)
        if draft["confidence"].get(measure, 0) >= CONFIDENT:
            scores.confident[1] += 1
            scores.confident[0] += ok

    for name, gold in case.gold.items():
        got = field_value(draft, name)
        if name == "actor1":
            gold, got = actor_key(gold), actor_key(got)
        add(name, got == gold, gold, got)
        if name == "event_type":
            tally = scores.per_type[gold]
            tally[0] += got == gold
            tally[1] += 1
        if name == "fatalities" and gold:
            scores.add("fatalities > 0", got == gold)
    if case.point is not None:
        here = (draft["latitude"], draft["longitude"]) if draft["latitude"] is not None else None
        km = distance(here, case.point).km if here else None
        scores.add("place 25 km", km is not None and km <= PLACE_KM)
        if km is None or km > PLACE_KM:
            wrong["place 25 km"] = (case.point, f"{draft['location']} {km and round(km)} km")
    if case.event_count is not None:
        add("event_count", len(drafts) == case.event_count, case.event_count, len(drafts))
    for spans in (spans for one in drafts for spans in one["evidence"].values()):
        for span in spans:
            scores.spans += 1
            scores.valid_spans += case.text[span["start"]:span["end"]] == span["text"]
    if wrong and case.part in (TUNED, "dev"):  # never the untouched part's
        scores.misses += [{"id": case.key, "field": name, "gold": gold, "got": got}
                          for name, (gold, got) in wrong.items()]


def evaluate(path: Path, split: str | None = None, geocoder: OfflineGeocoder | None = None) -> dict:
    """The scores of one file's reports (of one part when `split` is given)."""
    geocoder = geocoder or OfflineGeocoder()
    parts = SPLITS[split] if split else None
    scores = Scores(Path(path).name, split or "all")
    for case in read(path):
        if parts is None or case.part in parts:
            score_case(case, scores, geocoder)
    return scores.as_json()


def evaluate_parts(path: Path, geocoder: OfflineGeocoder | None = None) -> dict[str, dict]:
    """The scores of a file on all its reports and on each part of its
    split ("all", "tuned", "untouched"), drafting each report once."""
    geocoder = geocoder or OfflineGeocoder()
    parts = {"all": Scores(Path(path).name, "all"), TUNED: Scores(Path(path).name, TUNED),
             UNTOUCHED: Scores(Path(path).name, UNTOUCHED)}
    for case in read(path):
        drafts = draft_events(case.text, case.published, geocoder)
        score_case(case, parts["all"], geocoder, drafts)
        score_case(case, parts[TUNED if case.part in SPLITS["tuned"] else UNTOUCHED], geocoder, drafts)
    return {name: scores.as_json() for name, scores in parts.items()}


def evaluate_all(paths: Iterable[Path], split: str | None = None) -> list[dict]:
    geocoder = OfflineGeocoder()
    return [evaluate(path, split, geocoder) for path in paths]


_COLUMNS = (("type", "event_type"), ("per type", None), ("sub-type", "sub_event_type"),
            ("fat. exact", "fatalities"), ("fat. > 0", "fatalities > 0"), ("actor1", "actor1"),
            ("admin1", "admin1"), ("place 25 km", "place 25 km"), ("date", "event_date"))


def table(results: list[dict]) -> str:
    """The measures of each file as the issue's table."""
    header = f"{'file, part':36} " + " ".join(f"{title:>11}" for title, _ in _COLUMNS)
    lines = [header]
    for result in results:
        cells = []
        for _title, measure in _COLUMNS:
            count = result["counts"].get(measure or "")
            if measure is None:
                shares = [t["right"] / t["of"] for t in result["per_type"].values()]
                cells.append(f"{sum(shares) / len(shares):.2f}" if shares else "-")
            elif count is None:
                cells.append("-")
            elif measure == "fatalities > 0":
                cells.append(f"{count['right']}/{count['of']}")
            else:  # from the counts: a share rounded twice can round the wrong way
                cells.append(f"{count['right'] / count['of']:.2f}")
        name = re.sub(r"\.(csv|jsonl)$", "", result["file"])
        lines.append(f"{name + ', ' + result['part'] + ' ' + str(result['reports']):36} "
                     + " ".join(f"{c:>11}" for c in cells))
    return "\n".join(lines)

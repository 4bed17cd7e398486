"""Score the geocoder on real coders' place names: the Syrian dev files of
`../shared/corpora/` (ACLED locations, UCDP `where_description`s).

    python -m geo evaluate [--corpora DIR] [--failures] [--json]

ACLED (`acled/acled_syria_2022_dev.csv`), every row:
- `hint 10 km`: location with admin1 as hint lands within 10 km of ACLED's point;
- `alone 25 km`: location alone within 25 km;
- `admin1 from point`: the hinted answer's point lies in ACLED's admin1;
- `found (hint)`: the hinted query answers at all.

UCDP (`ucdp/ged231_syria_dev.csv`), rows with where_prec <= 2, with adm_1
as hint: within 25 km, within 10 km, admin1 from the point, found.

Each figure is given on all rows, on the tuned part and on the untouched
part of the one split the corpus README fixes (a row is untouched when
sha256(key) % 10 < 3; key event_id_cnty or UCDP's id as written).
`--failures` lists failing rows of the tuned part only: the untouched
part is never shown. The geocoder is the default one, with no learned or
own places. Distances are geodesic (geopy.distance).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geopy.distance import distance

from .admin import canonical_admin1
from .geocoder import OfflineGeocoder

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
ACLED = Path("acled") / "acled_syria_2022_dev.csv"
UCDP = Path("ucdp") / "ged231_syria_dev.csv"
PARTS = ("all", "tuned", "untouched")


def untouched(key: str) -> bool:
    """The corpus README's split: never looked at while tuning."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10 < 3


@dataclass
class Case:
    """One real row: what is asked, the hint, and the coder's answer."""

    key: str
    query: str
    admin1: str | None
    latitude: float
    longitude: float


@dataclass
class Score:
    """Passes of one measure over one file, per part of the split."""

    passed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PARTS, 0))

    def add(self, case: Case, ok: bool) -> None:
        for part in ("all", "untouched" if untouched(case.key) else "tuned"):
            self.total[part] += 1
            self.passed[part] += ok

    def share(self, part: str) -> float | None:
        return self.passed[part] / self.total[part] if self.total[part] else None


def read_acled(path: Path) -> list[Case]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [Case(r["event_id_cnty"], r["location"], canonical_admin1(r["admin1"]) or r["admin1"],
                     float(r["latitude"]), float(r["longitude"])) for r in csv.DictReader(handle)]


def read_ucdp(path: Path) -> list[Case]:
    """Rows precise enough to score a point against (where_prec 1 or 2)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [Case(r["id"], r["where_description"], canonical_admin1(r["adm_1"]) or r["adm_1"] or None,
                     float(r["latitude"]), float(r["longitude"]))
                for r in csv.DictReader(handle) if float(r["where_prec"] or 9) <= 2]


Measure = Callable[[OfflineGeocoder, Case], bool]


def _answer(geocoder: OfflineGeocoder, case: Case, hint: bool):
    return geocoder.geocode(case.query, admin1=case.admin1 if hint else None)


def _within(km: float, hint: bool) -> Measure:
    def measure(geocoder: OfflineGeocoder, case: Case) -> bool:
        found = _answer(geocoder, case, hint)
        return found is not None and distance(found.point, (case.latitude, case.longitude)).km <= km
    return measure


def _admin1_from_point(geocoder: OfflineGeocoder, case: Case) -> bool:
    found = _answer(geocoder, case, True)
    back = found and geocoder.reverse((found.latitude, found.longitude))
    return bool(back) and back.raw["admin1"] == case.admin1


def _found(geocoder: OfflineGeocoder, case: Case) -> bool:
    return _answer(geocoder, case, True) is not None


MEASURES: dict[str, dict[str, Measure]] = {
    "acled": {"hint 10 km": _within(10, True), "alone 25 km": _within(25, False),
              "admin1 from point": _admin1_from_point, "found (hint)": _found},
    "ucdp": {"hint 25 km": _within(25, True), "hint 10 km": _within(10, True),
             "admin1 from point": _admin1_from_point, "found (hint)": _found},
}


def evaluate(corpora: Path = CORPORA, geocoder: OfflineGeocoder | None = None
             ) -> tuple[dict[str, dict[str, Score]], list[str]]:
    """Scores per file and measure, and a line per failing tuned row.

    Raises FileNotFoundError when the corpora are absent."""
    geocoder = geocoder or OfflineGeocoder()
    files = {"acled": read_acled(corpora / ACLED), "ucdp": read_ucdp(corpora / UCDP)}
    scores: dict[str, dict[str, Score]] = {}
    failures: list[str] = []
    for name, cases in files.items():
        scores[name] = {measure: Score() for measure in MEASURES[name]}
        for case in cases:
            failed = []
            for measure, check in MEASURES[name].items():
                ok = check(geocoder, case)
                scores[name][measure].add(case, ok)
                failed += [] if ok else [measure]
            if failed and not untouched(case.key):
                found = _answer(geocoder, case, True)
                got = (f"{found.address} ({found.latitude}, {found.longitude}) {found.raw['admin1']}, "
                       f"{distance(found.point, (case.latitude, case.longitude)).km:.0f} km; {found.raw['rule']}"
                       if found else "None")
                failures.append(f"{name} {case.key} {case.query!r} [{case.admin1}] fails {', '.join(failed)}: {got}")
    return scores, failures


def table(scores: dict[str, dict[str, Score]]) -> str:
    lines = [f"{'file':6} {'measure':18} " + " ".join(f"{part:>16}" for part in PARTS)]
    for name, measures in scores.items():
        for measure, score in measures.items():
            cells = []
            for part in PARTS:
                share = score.share(part)
                cells.append(f"{score.passed[part]:>3}/{score.total[part]:<3} {share:6.1%}" if share is not None
                             else "-")
            lines.append(f"{name:6} {measure:18} " + " ".join(f"{c:>16}" for c in cells))
    return "\n".join(lines)


def as_json(scores: dict[str, dict[str, Score]]) -> dict:
    return {name: {measure: {part: {"passed": s.passed[part], "total": s.total[part], "share": s.share(part)}
                             for part in PARTS} for measure, s in measures.items()}
            for name, measures in scores.items()}

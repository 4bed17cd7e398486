"""Export of a filtered set: native CSV, ACLED's column set, GeoJSON.

Every CSV field is quoted and text cells are made inert for spreadsheets
(see native.neutralise). ACLED's terms forbid passing on its raw rows, so
an export that holds rows imported from ACLED says so.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import IO

from . import taxonomy
from .exc import QueryError
from .native import csv_writer, neutralise, write_native
from .schema import FIELD_NAMES, format_value
from .taxonomy import VOCABULARIES

FORMATS = ("native", "acled", "geojson")
RESTRICTED_ORIGINS = {"acled": "ACLED's terms of use forbid giving its raw data to others"}

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
_ACLED_NUMERIC = {"year", "time_precision", "iso", "latitude", "longitude", "geo_precision", "fatalities",
                  "timestamp"}


@dataclass
class ExportResult:
    rows: int
    restricted: dict[str, int]  # origin -> rows whose terms restrict passing them on

    def warnings(self) -> list[str]:
        return [f"{count} exported row(s) come from {origin.upper()}: {RESTRICTED_ORIGINS[origin]}."
                for origin, count in self.restricted.items()]


@cache
def _countries() -> dict[str, dict[str, str]]:
    with open(VOCABULARIES / "countries.csv", encoding="utf-8", newline="") as handle:
        return {row["country"]: row for row in csv.DictReader(handle)}


def _interaction(inter1: str | None, inter2: str | None) -> str:
    """ACLED's text interaction: the two actor types, lower code first."""
    codes = {text: code for code, text in taxonomy.actor_types().items()}
    if not inter1:
        return ""
    if not inter2:
        return f"{inter1} only"
    first, second = sorted((inter1, inter2), key=lambda t: codes.get(t, 99))
    return f"{first}-{second}"


def acled_row(event: dict) -> dict[str, str]:
    """One event in ACLED's current column set, as text."""
    country = _countries().get(event.get("country") or "", {})
    source_id = event.get("source_id") or ""
    derived = {
        "event_id_cnty": source_id.split(":", 1)[1] if source_id.startswith("acled:") else event["event_id"],
        "year": str(event["event_date"].year),
        "interaction": _interaction(event.get("inter1"), event.get("inter2")),
        "iso": country.get("iso", ""),
        "region": country.get("region", ""),
    }
    return {c: derived[c] if c in derived else format_value(event.get(c)) for c in ACLED_COLUMNS}


def _count_restricted(events: Iterable[dict], counts: dict[str, int]) -> Iterable[dict]:
    for event in events:
        if event.get("origin") in RESTRICTED_ORIGINS:
            counts[event["origin"]] = counts.get(event["origin"], 0) + 1
        yield event


def export(events: Iterable[dict], handle: IO[str], format: str = "native", bom: bool = False) -> ExportResult:
    """Write `events` to a text handle opened with newline=''. Raises QueryError
    for a format not in FORMATS."""
    restricted: dict[str, int] = {}
    events = _count_restricted(events, restricted)
    if format == "native":
        rows = write_native(events, handle, bom=bom)
    elif format == "acled":
        writer = csv_writer(handle, bom)
        writer.writerow(ACLED_COLUMNS)
        rows = 0
        for event in events:
            row = acled_row(event)
            writer.writerow([row[c] if c in _ACLED_NUMERIC or row[c] == "" else neutralise(row[c])
                             for c in ACLED_COLUMNS])
            rows += 1  # noqa: SIM113 - enumerate would leave the count unset for no events
    elif format == "geojson":
        rows = 0
        handle.write('{"type": "FeatureCollection", "features": [')
        for event in events:
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [event["longitude"], event["latitude"]]},
                "properties": {name: (format_value(event.get(name)) if hasattr(event.get(name), "isoformat")
                                      else event.get(name)) for name in FIELD_NAMES},
            }
            handle.write(("," if rows else "") + "\n" + json.dumps(feature, ensure_ascii=False))
            rows += 1
        handle.write("\n]}\n")
    else:
        raise QueryError(f"unknown export format {format!r}; choose one of {', '.join(FORMATS)}")
    return ExportResult(rows, restricted)

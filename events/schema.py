"""The event record: ACLED-compatible fields, what other sources add, provenance.

`FIELDS` is the single definition every other module reads: the store's
columns, the CSV header, validation and the forms all come from it.
Multi-valued actor fields are strings joined by "; ", as ACLED writes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Kinds of value a field holds; each backend maps them to its own SQL types.
TEXT, INTEGER, REAL, DATE, TIMESTAMP = "text", "integer", "real", "date", "timestamp"

# How each kind is spelled in SQL (DuckDB's names) by the store and the checks.
SQL_TYPES = {INTEGER: "BIGINT", REAL: "DOUBLE", DATE: "DATE", TIMESTAMP: "TIMESTAMP"}

ACTOR_SEPARATOR = "; "
STATUSES = ("draft", "reviewed")
TIME_PRECISIONS = (1, 2, 3)
GEO_PRECISIONS = (1, 2, 3)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = False
    max_length: int | None = 200
    doc: str = ""


# Length limits stop a file that is not event data (a 50 MB field); they
# must never stop a real row. Each is at least five times the longest
# value in the real files of ../shared/corpora (ACLED: notes 2,639,
# assoc_actor_1 1,620, source 310, actor1 124; UCDP: source_office 656,
# where_description + source_headline about 2,200; GDELT: SOURCEURL 234).
FIELDS: tuple[Field, ...] = (
    Field("event_id", required=True, max_length=64, doc="Our id; for imports the namespaced source id"),
    Field("event_date", DATE, required=True, doc="Day of the event (first day of a range)"),
    Field("event_date_end", DATE, doc="Last day when the source gives a range (UCDP)"),
    Field("time_precision", INTEGER, required=True, doc="1 day, 2 week, 3 month (ACLED)"),
    Field("disorder_type", max_length=80),
    Field("event_type", required=True, max_length=80),
    Field("sub_event_type", required=True, max_length=80),
    Field("actor1", max_length=2000),
    Field("assoc_actor_1", max_length=10000),
    Field("inter1", max_length=40),
    Field("actor2", max_length=2000),
    Field("assoc_actor_2", max_length=10000),
    Field("inter2", max_length=40),
    Field("civilian_targeting", max_length=40),
    Field("country", required=True, max_length=80),
    Field("admin1", max_length=500),
    Field("admin2", max_length=500),
    Field("admin3", max_length=500),
    Field("location", max_length=1000),
    Field("latitude", REAL, required=True),
    Field("longitude", REAL, required=True),
    Field("geo_precision", INTEGER, required=True, doc="1 town, 2 near a town / small area, 3 region"),
    Field("source", max_length=10000),
    Field("source_url", max_length=10000),
    Field("source_scale", max_length=200),
    Field("notes", max_length=100000),
    Field("fatalities", INTEGER, required=True, doc="Most conservative figure (ACLED)"),
    Field("fatalities_low", INTEGER),
    Field("fatalities_high", INTEGER),
    Field("tags", max_length=10000),
    Field("source_id", max_length=120, doc="Id in the source dataset, namespaced: ucdp:123"),
    Field("timestamp", INTEGER, doc="Unix time of the source's last change"),
    # Provenance: who and what put the row here.
    Field("origin", required=True, max_length=40, doc="native, acled, ucdp, gdelt, demo, coded"),
    Field("batch_id", max_length=64),
    Field("created_at", TIMESTAMP),
    Field("updated_at", TIMESTAMP),
    Field("coder", max_length=120),
    Field("status", required=True, max_length=20, doc="draft or reviewed"),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}


def empty_event() -> dict[str, object]:
    """An event with every field present and unset."""
    return {name: None for name in FIELD_NAMES}


def format_value(value) -> str:
    """The text form of a value, as the native CSV writes it and the import's
    checks read it back (dates ISO, floats by repr)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)

"""Declarative event filters, shared by the pages, the CLI and the URL.

Each filter is one row: a key (the URL/query name, equal to the schema
field where there is one), a label, an SQL template whose values are only
ever bound parameters (`{key}`, written in each backend's dialect when the
template is rendered), and a sentence for people. Identifiers in the
templates come from our own schema, never from input. The templates use
only SQL that DuckDB and PostgreSQL share (`= ANY(list)`, `ILIKE ... ESCAPE`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from .exc import QueryError


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Dialect:
    """How a backend's SQL names a bound parameter: `placeholder` formatted
    with the parameter's name."""

    name: str
    placeholder: str

    def parameter(self, key: str) -> str:
        return self.placeholder.format(name=key)


DUCKDB = Dialect("duckdb", "${name}")
POSTGRESQL = Dialect("postgresql", "%({name})s")  # psycopg's named parameters


@dataclass(frozen=True)
class Filter:
    key: str
    label: str
    sql: str
    sentence: str
    bind: Callable[[Any], object] = lambda value: value


_TEXT_COLUMNS = ("notes", "location", "actor1", "actor2", "assoc_actor_1", "assoc_actor_2", "source")

FILTERS: tuple[Filter, ...] = (
    Filter("date_from", "From", "event_date >= {date_from}", "on or after {value}"),
    Filter("date_to", "To", "event_date <= {date_to}", "on or before {value}"),
    Filter("event_type", "Event type", "event_type = ANY({event_type})", "event type is {value}", list),
    Filter("admin1", "Governorate", "admin1 = ANY({admin1})", "governorate is {value}", list),
    Filter("min_fatalities", "Minimum fatalities", "fatalities >= {min_fatalities}", "at least {value} fatalities"),
    Filter(
        "text",
        "Text",
        "(" + " OR ".join(f"{c} ILIKE {{text}} ESCAPE '\\'" for c in _TEXT_COLUMNS) + ")",
        "text contains {value!r}",
        lambda value: _like_pattern(str(value)),
    ),
    Filter("status", "Status", "status = {status}", "status is {value}"),
    Filter("origin", "Origin", "origin = ANY({origin})", "origin is {value}", list),
)
FILTERS_BY_KEY = {f.key: f for f in FILTERS}


@dataclass(frozen=True)
class EventQuery:
    """A set of filter values; None or empty means the filter is off."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_type: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    min_fatalities: int | None = None
    text: str | None = None
    status: str | None = None
    origin: tuple[str, ...] = ()

    def active(self) -> dict[str, object]:
        """The filters that are on, key -> value."""
        values = {}
        for f in FILTERS:
            value = getattr(self, f.key)
            if value is None or value == () or value == "":
                continue
            values[f.key] = value
        return values

    def where(self, dialect: Dialect) -> tuple[str, dict[str, object]]:
        """(SQL condition in `dialect`, bound parameters) selecting the matching events."""
        active = self.active()
        if not active:
            return "TRUE", {}
        clauses = [FILTERS_BY_KEY[key].sql.format(**{key: dialect.parameter(key)}) for key in active]
        params = {key: FILTERS_BY_KEY[key].bind(value) for key, value in active.items()}
        return " AND ".join(clauses), params

    def sentences(self) -> list[str]:
        """What the query selects, in words, one sentence per active filter."""
        out = []
        for key, value in self.active().items():
            shown = ", ".join(value) if isinstance(value, tuple) else value
            out.append(FILTERS_BY_KEY[key].sentence.format(value=shown))
        return out

    def to_params(self) -> dict[str, list[str]]:
        """URL-style parameters (key -> list of strings) that `from_params` reads back."""
        out: dict[str, list[str]] = {}
        for key, value in self.active().items():
            out[key] = [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
        return out

    @classmethod
    def from_params(cls, params: Mapping[str, Sequence[str] | str]) -> EventQuery:
        """Read a query from URL-style parameters; unknown keys are ignored.

        Raises QueryError with the key when a value cannot be read.
        """
        values: dict[str, Any] = {}  # typed per field below
        for f in fields(cls):
            if f.name not in params:
                continue
            raw = params[f.name]
            items = [raw] if isinstance(raw, str) else list(raw)
            items = [item for item in items if item != ""]
            if not items:
                continue
            try:
                if f.name in ("date_from", "date_to"):
                    values[f.name] = dt.date.fromisoformat(items[0])
                elif f.name == "min_fatalities":
                    values[f.name] = int(items[0])
                elif f.name in ("event_type", "admin1", "origin"):
                    values[f.name] = tuple(items)
                else:
                    values[f.name] = items[0]
            except ValueError as err:
                raise QueryError(f"cannot read filter {f.name}={items[0]!r}: {err}") from err
        if values.get("status") == "all":
            values.pop("status")
        return cls(**values)

    def replace(self, **changes) -> EventQuery:
        return replace(self, **changes)

"""Declarative event filters, shared by the pages, the CLI and the URL.

Each filter is one row: a key (the URL/query name, equal to the schema
field it filters, or the field's idea where it spans several: `actor` is
actor1 or actor2, `text` the text columns, `min_`/`max_fatalities` the
bounds of `fatalities`), a label, an SQL template whose values are only
ever bound parameters (`{key}`, written in each backend's dialect when the
template is rendered), a sentence for people, how its value is bound and
how it is read from the URL's strings. Identifiers in the templates come
from our own schema, never from input. The templates use only SQL that
DuckDB and PostgreSQL share (`IN (...)`, `ILIKE ... ESCAPE`), and
`search_fold(text)`, which each backend defines (see `events.text_search`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from . import text_search
from .exc import QueryError
from .schema import GEO_PRECISIONS, STATUSES


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Dialect:
    """How a backend's SQL names a bound parameter (`placeholder` formatted
    with the parameter's name) and a row of a table (`row_id`, a column
    every table has; templates write it `{row_id}`)."""

    name: str
    placeholder: str
    row_id: str

    def parameter(self, key: str) -> str:
        return self.placeholder.format(name=key)


DUCKDB = Dialect("duckdb", "${name}", "rowid")
POSTGRESQL = Dialect("postgresql", "%({name})s", "ctid")  # psycopg's named parameters


# Readers: the URL's strings for one key (never empty) -> the filter's value.
def _date(items: list[str]) -> dt.date:
    return dt.date.fromisoformat(items[0])


def _int(items: list[str]) -> int:
    return int(items[0])


def _text(items: list[str]) -> str:
    return items[0]


def _texts(items: list[str]) -> tuple[str, ...]:
    return tuple(items)


def _precisions(items: list[str]) -> tuple[int, ...]:
    values = tuple(int(item) for item in items)
    if any(value not in GEO_PRECISIONS for value in values):
        raise ValueError(f"a geo precision is one of {', '.join(map(str, GEO_PRECISIONS))}")
    return values


def _status(items: list[str]) -> str | None:
    if items[0] == "all":
        return None
    if items[0] not in STATUSES:
        raise ValueError(f"a status is one of {', '.join(STATUSES)} or all")
    return items[0]


@dataclass(frozen=True)
class Filter:
    """One filter. `sql` is its template, or a function giving the template
    for a value (text searches Latin and Arabic differently)."""

    key: str
    label: str
    sql: str | Callable[[Any], str]
    sentence: str
    bind: Callable[[Any], object] = lambda value: value
    read: Callable[[list[str]], Any] = _text
    # A filter binding several parameters: value -> {name: bound value},
    # each name a placeholder of `sql` (instead of `bind`'s one, `key`).
    binds: Callable[[Any], dict[str, object]] | None = None

    def bound(self, value: Any) -> dict[str, object]:
        """The parameters `sql` names, bound for `value`."""
        return self.binds(value) if self.binds else {self.key: self.bind(value)}

    def render(self, value: Any, dialect: Dialect) -> tuple[str, dict[str, object]]:
        """(SQL condition in `dialect`, its bound parameters) for `value`."""
        bound = self.bound(value)
        template = self.sql(value) if callable(self.sql) else self.sql
        return template.format(row_id=dialect.row_id, **{name: dialect.parameter(name) for name in bound}), bound


def _one_of(key: str, label: str, sentence: str, read: Callable[[list[str]], Any] = _texts,
            columns: tuple[str, ...] = ()) -> Filter:
    """A filter on a list of values: `column IN (...)`, one parameter per
    value (`key_0`, `key_1`, ...), for each of `columns` (default: `key`),
    any of them matching. Not `= ANY(list)`: DuckDB makes that a join,
    which reads every column of every row it keeps."""

    def sql(values: tuple) -> str:
        items = "(" + ", ".join(f"{{{key}_{number}}}" for number in range(len(values))) + ")"
        tests = [f"{column} IN {items}" for column in columns or (key,)]
        return tests[0] if len(tests) == 1 else "(" + " OR ".join(tests) + ")"

    return Filter(key, label, sql, sentence, read=read,
                  binds=lambda values: {f"{key}_{number}": value for number, value in enumerate(values)})


FILTERS: tuple[Filter, ...] = (
    Filter("date_from", "From", "event_date >= {date_from}", "on or after {value}", read=_date),
    Filter("date_to", "To", "event_date <= {date_to}", "on or before {value}", read=_date),
    _one_of("event_type", "Event type", "event type is {value}"),
    _one_of("sub_event_type", "Sub-event type", "sub-event type is {value}"),
    _one_of("actor", "Actor", "actor1 or actor2 is {value}", columns=("actor1", "actor2")),
    _one_of("admin1", "Governorate", "governorate is {value}"),
    _one_of("admin2", "District", "district is {value}"),
    Filter("min_fatalities", "Minimum fatalities", "fatalities >= {min_fatalities}", "at least {value} fatalities",
           read=_int),
    Filter("max_fatalities", "Maximum fatalities", "fatalities <= {max_fatalities}", "at most {value} fatalities",
           read=_int),
    _one_of("geo_precision", "Geo precision", "geo precision is {value} (1 town, 2 near a town, 3 region)",
            _precisions),
    # A text, not a list: a source is often several outlets in one value
    # ("SOHR; SANA"), so one outlet is found by its name anywhere in it.
    Filter("source", "Source", "source ILIKE {source} ESCAPE '\\'", "source contains {value!r}",
           lambda value: _like_pattern(str(value))),
    _one_of("origin", "Origin", "origin is {value}"),
    Filter("status", "Status", "status = {status}", "status is {value}", read=_status),
    Filter("text", "Text", lambda value: text_search.condition(str(value)), "text contains {value!r}",
           binds=lambda value: text_search.params(str(value))),
)
FILTERS_BY_KEY = {f.key: f for f in FILTERS}


@dataclass(frozen=True)
class EventQuery:
    """A set of filter values; None or empty means the filter is off.

    `actor` matches actor1 or actor2; `source` is a case-insensitive
    substring of the source; `text` searches the notes, location, actors and
    source, Arabic folded and lightly stemmed (see `events.text_search`);
    the fatality bounds and dates are inclusive.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    event_type: tuple[str, ...] = ()
    sub_event_type: tuple[str, ...] = ()
    actor: tuple[str, ...] = ()
    admin1: tuple[str, ...] = ()
    admin2: tuple[str, ...] = ()
    min_fatalities: int | None = None
    max_fatalities: int | None = None
    geo_precision: tuple[int, ...] = ()
    source: str | None = None
    origin: tuple[str, ...] = ()
    status: str | None = None
    text: str | None = None

    def active(self) -> dict[str, object]:
        """The filters that are on, key -> value, in the order of FILTERS."""
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
        clauses, params = [], {}
        for key, value in active.items():
            clause, bound = FILTERS_BY_KEY[key].render(value, dialect)
            clauses.append(clause)
            params.update(bound)
        return " AND ".join(clauses), params

    def sentences(self) -> list[str]:
        """What the query selects, in words, one sentence per active filter."""
        out = []
        for key, value in self.active().items():
            shown = ", ".join(map(str, value)) if isinstance(value, tuple) else value
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
        """Read a query from URL-style parameters; unknown keys and empty
        values are ignored, and `status=all` is no filter.

        Raises QueryError with the key when a value cannot be read.
        """
        values: dict[str, Any] = {}  # typed per field by its reader
        for f in fields(cls):
            if f.name not in params:
                continue
            raw = params[f.name]
            items = [raw] if isinstance(raw, str) else list(raw)
            items = [item for item in items if item != ""]
            if not items:
                continue
            try:
                values[f.name] = FILTERS_BY_KEY[f.name].read(items)
            except ValueError as err:
                raise QueryError(f"cannot read filter {f.name}={items[0]!r}: {err}") from err
        return cls(**values)

    def replace(self, **changes) -> EventQuery:
        return replace(self, **changes)

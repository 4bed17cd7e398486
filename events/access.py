"""Who may do what in team mode, checked in the core.

Four roles, each allowed what the one before it is and more: a viewer
explores and exports; a coder also codes reports, uploads files, edits
stored events and saves places; a reviewer also marks events reviewed and
undoes imports; an admin also manages accounts. `GuardedStore` wraps a
store with the signed-in account and refuses (AccessDenied) every write
the role lacks, so that a page that forgets to hide a button, or a caller
of the core, still cannot write. It also records the account's name as
the author of every write, whatever name the caller gives.

In single-user mode (a DuckDB file, no EVENTS_DSN) there is no login and
the store is used unwrapped: everything is allowed, as before team mode.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .exc import AccessDenied, ConfigurationError
from .filters import EventQuery
from .store import Batch, Events, Store, Stored, Summary, View

EXPLORE, EXPORT = "explore", "export"
CODE, UPLOAD, EDIT, PLACES = "code", "upload", "edit", "places"
REVIEW, UNDO = "review", "undo"
ACCOUNTS = "accounts"

VIEWER, CODER, REVIEWER, ADMIN = "viewer", "coder", "reviewer", "admin"
ROLES = (VIEWER, CODER, REVIEWER, ADMIN)
_ADDS = {VIEWER: (EXPLORE, EXPORT), CODER: (CODE, UPLOAD, EDIT, PLACES), REVIEWER: (REVIEW, UNDO),
         ADMIN: (ACCOUNTS,)}
# Each role may do what it adds and what every role before it may.
ALLOWED: dict[str, frozenset[str]] = {
    role: frozenset(action for earlier in ROLES[:i + 1] for action in _ADDS[earlier]) for i, role in enumerate(ROLES)}
# How a refusal names an action.
_DOING = {EXPLORE: "explore events", EXPORT: "export events", CODE: "code reports", UPLOAD: "upload files",
          EDIT: "edit stored events", PLACES: "save places", REVIEW: "mark events reviewed",
          UNDO: "undo imports", ACCOUNTS: "manage accounts"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class Account:
    """A signed-in person: the name recorded with their writes, and their role."""

    name: str
    role: str


def may(role: str | None, action: str) -> bool:
    """Whether `role` may do `action` (no role: nothing)."""
    return action in ALLOWED.get(role or "", frozenset())


def roles_that_may(action: str) -> list[str]:
    return [role for role in ROLES if may(role, action)]


def require(account: Account | None, action: str) -> None:
    """Raise AccessDenied, saying who may, unless `account` may do `action`."""
    if account is not None and may(account.role, action):
        return
    who = "no one is signed in" if account is None else f"{account.name} is {_a(account.role)}"
    allowed = roles_that_may(action)
    if not allowed:  # an action no role is given (a page not yet given its need: ui.PAGE_NEEDS)
        raise AccessDenied(f"Not allowed: {who}, and no role may {_DOING.get(action, action)}.")
    roles = allowed[0] if len(allowed) == 1 else f"{', '.join(allowed[:-1])} or {allowed[-1]}"
    raise AccessDenied(f"Not allowed: {who}, and only {_a(roles)} may {_DOING.get(action, action)}.")


def _a(words: str) -> str:
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


def team_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the app asks who you are: EVENTS_TEAM set to yes (a DuckDB
    file shared by a team), or a PostgreSQL store (EVENTS_DSN) unless
    EVENTS_TEAM says no. Raises ConfigurationError for another value."""
    env = os.environ if environ is None else environ
    setting = env.get("EVENTS_TEAM")
    if setting is None:
        return bool(env.get("EVENTS_DSN"))
    if setting.strip().lower() in _TRUE:
        return True
    if setting.strip().lower() in _FALSE:
        return False
    raise ConfigurationError(f"EVENTS_TEAM must be yes or no (1 or 0), not {setting!r}")


def as_drafts(events: Events) -> Events:
    """`events` with each status "reviewed" made "draft"; a table's
    column is rewritten whole (an upload may hold a million rows)."""
    if isinstance(events, pa.Table):
        column = events.schema.get_field_index("status")
        if column < 0:
            return events
        status = events.column(column)
        drafts = pc.if_else(pc.equal(status, "reviewed"), pa.scalar("draft", status.type), status)
        return events.set_column(column, events.schema.field(column), drafts)
    return [{**event, "status": "draft"} if event.get("status") == "reviewed" else event for event in events]


class GuardedStore(Store):
    """`store` as `account` may use it: every read, and the writes its role
    allows, each recorded under the account's name; other writes raise
    AccessDenied before anything is touched."""

    def __init__(self, store: Store, account: Account | None):
        self.inner = store
        self.account = account

    def __repr__(self) -> str:
        return f"GuardedStore({self.inner!r}, {self.account!r})"

    def may(self, action: str) -> bool:
        """Whether the account may do `action`."""
        return may(self.account.role if self.account else None, action)

    def require(self, action: str) -> None:
        """Raise AccessDenied unless the account may do `action`: for a
        caller to ask before long work whose write would be refused (the
        importer asks before it reads a file)."""
        self._require(action)

    def _require(self, action: str) -> str:
        require(self.account, action)
        assert self.account is not None  # require refused None
        return self.account.name

    # Writes.
    def insert(self, events: Events, batch: Batch, replace: Sequence[str] = (), edits: Sequence[dict] = ()) -> int:
        name = self._require(CODE if batch.origin == "coded" else UPLOAD)
        if batch.origin == "coded":
            # A coded event names its coder (an imported row keeps its
            # source's). Given as a table too: a coded batch is a few
            # events, and a table must not pass unrewritten.
            rows = events.to_pylist() if isinstance(events, pa.Table) else events
            events = [{**event, "coder": name} for event in rows]
        if not self.may(REVIEW):
            # An event is reviewed only when a reviewer stores it: a coder's
            # "reviewed" (the Code page's queue saves it; a file's rows, or
            # its format's default, say it) is a draft until a reviewer marks it.
            events = as_drafts(events)
        return self.inner.insert(events, dataclasses.replace(batch, coder=name), replace, edits)

    def undo_batch(self, batch_id: str, coder: str | None = None) -> int:
        return self.inner.undo_batch(batch_id, coder=self._require(UNDO))

    def edit_event(self, read: Stored, changes: Mapping[str, object], user: str | None) -> Stored:
        name = self._require(EDIT)
        if "status" in changes:
            # Marking reviewed (or back to draft) is a reviewer's call. Not
            # compared with `read`: that is the caller's, and one saying
            # "reviewed" already would let a coder's edit mark it.
            self._require(REVIEW)
        return self.inner.edit_event(read, changes, name)

    def save_place(self, name: str, latitude: float, longitude: float, aliases: Sequence[str] = (),
                   admin1: str | None = None, coder: str | None = None) -> None:
        self.inner.save_place(name, latitude, longitude, aliases, admin1, coder=self._require(PLACES))

    def account_rows(self, statement: str, params: Mapping[str, object]) -> list[tuple]:
        self._require(ACCOUNTS)
        return self.inner.account_rows(statement, params)

    # Reads: every role may.
    def edits(self, event_id: str) -> pd.DataFrame:
        return self.inner.edits(event_id)

    def stored(self, event_id: str) -> Stored | None:
        return self.inner.stored(event_id)

    def stored_timestamps(self, ids: pa.Array) -> pa.Table:
        return self.inner.stored_timestamps(ids)

    def undone(self) -> pd.DataFrame:
        return self.inner.undone()

    def similar(self, event: dict) -> list[dict]:
        return self.inner.similar(event)

    def summary(self, query: EventQuery) -> Summary:
        return self.inner.summary(query)

    def frame(self, query: EventQuery, limit: int | None = None) -> pd.DataFrame:
        return self.inner.frame(query, limit)

    def iter_events(self, query: EventQuery, chunk_size: int = 10_000) -> Iterator[dict]:
        return self.inner.iter_events(query, chunk_size)

    def points(self, query: EventQuery) -> pd.DataFrame:
        return self.inner.points(query)

    def timeline(self, query: EventQuery, unit: str = "month") -> pd.DataFrame:
        return self.inner.timeline(query, unit)

    def page(self, query: EventQuery, offset: int = 0, limit: int = 50, sort: str = "event_date",
             descending: bool = True, columns: Sequence[str] | None = None) -> pd.DataFrame:
        return self.inner.page(query, offset, limit, sort, descending, columns)

    def event(self, event_id: str) -> dict | None:
        return self.inner.event(event_id)

    def map_events(self, query: EventQuery, limit: int) -> pd.DataFrame | None:
        return self.inner.map_events(query, limit)

    def grid(self, query: EventQuery, cell_degrees: float) -> pd.DataFrame:
        return self.inner.grid(query, cell_degrees)

    def regions(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        return self.inner.regions(query, level)

    def areas(self, query: EventQuery, level: str = "admin1") -> pd.DataFrame:
        return self.inner.areas(query, level)

    def compare(self, query: EventQuery, first: tuple[dt.date, dt.date], second: tuple[dt.date, dt.date],
                level: str = "admin1") -> pd.DataFrame:
        return self.inner.compare(query, first, second, level)

    def view(self, query: EventQuery, *, limit: int = 50, sort: str = "event_date", descending: bool = True,
             unit: str = "month", map_limit: int = 5_000, cell_degrees: float = 0.1,
             level: str = "admin1", columns: Sequence[str] | None = None) -> View:
        return self.inner.view(query, limit=limit, sort=sort, descending=descending, unit=unit,
                               map_limit=map_limit, cell_degrees=cell_degrees, level=level, columns=columns)

    def distinct(self, column: str) -> list[str]:
        return self.inner.distinct(column)

    def date_span(self) -> tuple[dt.date, dt.date] | None:
        return self.inner.date_span()

    def batches(self) -> pd.DataFrame:
        return self.inner.batches()

    def learned_places(self) -> list[dict]:
        return self.inner.learned_places()

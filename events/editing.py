"""Editing a stored event: the statements both backends run, and the
refusal of a stale edit.

An edit names the version of the event its editor read (`store.Stored`):
the UPDATE applies only while the stored row is still that version, in
the same statement, so two editors who read the same version cannot both
win, whatever the backend's locking. The version is compared together
with the row's batch: an import that replaces the event, or an undo that
brings an older row back, puts a row whose own count may equal the one
read, but never with the same batch.

Written once here in the dialect's placeholders (as `explore` writes the
queries), so that the backends cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .exc import StaleEditError, ValidationError
from .filters import Dialect
from .schema import FIELD_NAMES, format_value
from .store import Store, Stored

# Set by the store, never by an editor: who and what put the row here.
NOT_EDITABLE = ("event_id", "origin", "batch_id", "created_at", "updated_at", "coder")
EDITABLE = tuple(name for name in FIELD_NAMES if name not in NOT_EDITABLE)
EDITS_COLUMNS = "event_id, field, drafted, saved, coder, edited_at, version"


def stored_sql(dialect: Dialect) -> str:
    """The statement reading one event and its version (`Store.stored`), its id bound as `id`."""
    return f"SELECT {', '.join(FIELD_NAMES)}, version FROM events WHERE event_id = {dialect.parameter('id')}"


def stored_of(rows: list[tuple]) -> Stored | None:
    """`stored_sql`'s rows as the event read (None: not stored)."""
    if not rows:
        return None
    return Stored(dict(zip(FIELD_NAMES, rows[0][:-1], strict=True)), int(rows[0][-1] or 1))


def checked_changes(changes: Mapping[str, object]) -> dict[str, object]:
    """`changes` as a dict, refused (ValidationError) when it is empty or
    names a field that is not an editable schema field: only these names
    ever enter the statement, as identifiers."""
    wrong = sorted(set(changes) - set(EDITABLE))
    if wrong:
        raise ValidationError(f"cannot edit {', '.join(wrong)}: not an editable field of an event")
    if not changes:
        raise ValidationError("nothing to change: the edit names no field")
    return dict(changes)


def update_sql(read: Stored, changes: Mapping[str, object], now: dt.datetime,
               dialect: Dialect) -> tuple[str, dict[str, object]]:
    """The conditional UPDATE of one edit and its parameters: it changes
    the row only if it is still the version `read`, and returns the new
    version (no row: the edit is stale)."""
    p = dialect.parameter
    sets = ", ".join(f"{name} = {p('v_' + name)}" for name in changes)
    params: dict[str, object] = {f"v_{name}": value for name, value in changes.items()}
    params |= {"event_id": read.event_id, "version": read.version, "batch_id": read.event.get("batch_id"),
               "now": now}
    batch = p("batch_id") + ("::TEXT" if dialect.name == "postgresql" else "")
    return (f"UPDATE events SET {sets}, updated_at = {p('now')}, version = version + 1"
            f" WHERE event_id = {p('event_id')} AND version = {p('version')}"
            f" AND batch_id IS NOT DISTINCT FROM {batch} RETURNING version"), params


def edit_rows(read: Stored, changes: Mapping[str, object], user: str | None, now: dt.datetime,
              version: int) -> list[dict[str, object]]:
    """The edit history's rows of one edit: each field, its value before
    and after, who, when, and the version the edit made."""
    return [{"event_id": read.event_id, "field": name, "drafted": text(read.event.get(name)),
             "saved": text(value), "coder": user, "edited_at": now, "version": version}
            for name, value in changes.items()]


def insert_edits_sql(dialect: Dialect) -> str:
    names = EDITS_COLUMNS.split(", ")
    return f"INSERT INTO edits ({EDITS_COLUMNS}) VALUES ({', '.join(dialect.parameter(n) for n in names)})"


def text(value: object) -> str | None:
    """A value as the edit history writes it (None for no value)."""
    return None if value is None or value == "" else format_value(value)


def _shown(value: object) -> str:
    """A value in a sentence: text quoted (and cut when long), numbers and dates as written."""
    written = text(value)
    if written is None:
        return "(empty)"
    if not isinstance(value, str):
        return written
    return f"“{written}”" if len(written) <= 60 else f"“{written[:57]}…”"


# Said otherwise (who replaced it) or not worth a reader's time.
_UNSAID = ("batch_id", "created_at", "updated_at")


def stale(read: Stored, current: Stored | None, changes: Mapping[str, object],
          editors: list[str]) -> StaleEditError:
    """The refusal of an edit made on `read` when the store holds
    `current`: what changed since (field: the value read -> the value
    now), who changed it (`editors`, from the edit history), and the
    editor's own changes, kept on the error to be applied again."""
    mine = "; ".join(f"{name} → {_shown(value)}" for name, value in changes.items())
    if current is None:
        return StaleEditError(f"Event {read.event_id} is no longer stored (its import was undone or it was"
                              f" replaced and undone) since you opened it: nothing was saved. Your changes: {mine}.",
                              dict(changes), None, {})
    changed = {name: (read.event.get(name), current.event.get(name)) for name in FIELD_NAMES
               if text(read.event.get(name)) != text(current.event.get(name)) and name not in _UNSAID}
    if current.event.get("batch_id") != read.event.get("batch_id"):
        who = f" (batch {current.event.get('batch_id')} replaced it)"
    else:
        who = f" (by {', '.join(editors)})" if editors else ""
    what = "; ".join(f"{name}: {_shown(old)} → {_shown(new)}" for name, (old, new) in changed.items()
                     ) or "it was changed and changed back, so no field differs now"
    return StaleEditError(f"Event {read.event_id} was changed since you opened it{who}: {what}. Nothing of yours"
                          f" was saved. Your changes: {mine}.", dict(changes), current, changed)


def refusal(store: Store, read: Stored, changes: Mapping[str, object]) -> StaleEditError:
    """`stale` for an edit `store` refused: the event as stored now, and
    who edited it since `read` (the edit history's later versions)."""
    current = store.stored(read.event_id)
    editors: list[str] = []
    if current is not None and current.event.get("batch_id") == read.event.get("batch_id"):
        history = store.edits(read.event_id)
        later = history[history["version"].fillna(0) > read.version]
        editors = list(dict.fromkeys(str(c) for c in later["coder"] if c is not None and c == c))
    return stale(read, current, changes, editors)

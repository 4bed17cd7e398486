"""Saving an event an analyst coded (from a draft or by hand), and
editing or reviewing a stored one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from .editing import text as _text
from .exc import CodedEventError, ValidationError
from .schema import FIELD_NAMES
from .store import Batch, Store, Stored
from .validate import validate_event


def save_coded(store: Store, draft: dict, coder: str | None = None, drafted: dict | None = None) -> dict:
    """Validate and store one coded event as its own batch; returns the stored event.

    Keys that are not schema fields (a draft's evidence and confidence) are
    dropped. `drafted`, the draft as the extractor proposed it, makes the
    edit history: every field the coder changed is stored with both values.
    Raises CodedEventError listing every problem, storing nothing.
    """
    event = {name: draft.get(name) for name in FIELD_NAMES}
    event["origin"] = event["origin"] or "coded"
    event["coder"] = coder or event["coder"]
    problems = validate_event(event)
    if problems:
        raise CodedEventError(problems)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    edits = [{"event_id": event["event_id"], "field": name, "drafted": _text(drafted.get(name)),
              "saved": _text(event[name])}
             for name in FIELD_NAMES if drafted is not None and name in drafted
             and _text(drafted.get(name)) != _text(event[name]) and name not in _NOT_EDITS]
    store.insert([event], Batch(batch_id=f"coded-{event['event_id']}", origin="coded", coder=coder, created_at=now),
                 edits=edits)
    return event


# Set by the tool when saving, not by the coder.
_NOT_EDITS = ("coder", "batch_id", "created_at", "updated_at")


def edit_stored(store: Store, read: Stored, values: Mapping[str, object], user: str | None) -> Stored:
    """Store the fields of `values` that differ from `read` (the event as
    its editor opened it) as one edit, if the event with them is valid;
    returns the event as stored after it.

    Keys that are not schema fields are dropped. Raises ValidationError
    when nothing differs or a differing field is not editable,
    CodedEventError listing every problem of the edited event, and the
    store's StaleEditError when the event changed since `read` (whose
    `changes` and `current` let the caller call this again on the current
    version). Nothing is stored when it raises.
    """
    changes = {name: value for name, value in values.items()
               if name in FIELD_NAMES and _text(value) != _text(read.event.get(name))}
    if not changes:
        raise ValidationError(f"nothing was changed in event {read.event_id}")
    problems = validate_event({**read.event, **changes})
    if problems:
        raise CodedEventError(problems)
    return store.edit_event(read, changes, user)


def mark_reviewed(store: Store, read: Stored, user: str | None) -> Stored:
    """Set a draft's status to reviewed: an edit like any other, refused
    as stale in the same way (two reviewers, or a coder's edit meanwhile).
    Raises ValidationError when `read` is reviewed already."""
    if read.event.get("status") == "reviewed":
        raise ValidationError(f"event {read.event_id} is reviewed already")
    return store.edit_event(read, {"status": "reviewed"}, user)

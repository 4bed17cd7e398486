"""Saving an event an analyst coded (from a draft or by hand)."""

from __future__ import annotations

import datetime as dt

from .exc import CodedEventError
from .schema import FIELD_NAMES, format_value
from .store import Batch, Store
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


def _text(value: object) -> str | None:
    return None if value is None or value == "" else format_value(value)

"""The open event's edit form and "Mark reviewed", beside the map.

The form edits the version of the event it was opened on, kept in the
session (`READ_KEY`): saving hands that version back to the core, which
refuses it if someone changed the event meanwhile. The refusal is shown
as it says what changed, with a button that applies the same changes to
the current version. Only shown to whom may edit or review (ui.may); the
core refuses the others anyway (events.access).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

import i18n
import ui
from events import access
from events.coding import edit_stored, mark_reviewed
from events.exc import CodedEventError, EventsError, StaleEditError
from events.schema import GEO_PRECISIONS
from events.store import Stored

READ_KEY, STALE_KEY, NOTE_KEY = "edit_read", "edit_stale", "edit_note"
# This form's own words in both languages (the fields are named by i18n's
# column labels); what the core says (a refusal, a problem) is English.
_WORDS = {
    "en": {"edit": "Edit this event", "save": "Save changes", "review": "Mark reviewed",
           "reapply": "Apply my changes to the current version", "discard": "Discard my changes",
           "latitude": "Latitude", "longitude": "Longitude", "not_changed": "The event was not changed",
           "version": "Version {version}, status {status}",
           "saved": "Saved: event {event_id} is at version {version} now.",
           "unreadable": "The event cannot be read for editing now"},
    "ar": {"edit": "تعديل هذا الحدث", "save": "حفظ التعديلات", "review": "اعتماد المراجعة",
           "reapply": "طبّق تعديلاتي على النسخة الحالية", "discard": "تجاهل تعديلاتي",
           "latitude": "خط العرض", "longitude": "خط الطول", "not_changed": "لم يُعدَّل الحدث",
           "version": "النسخة {version}، الحالة {status}", "saved": "حُفظ: الحدث {event_id} في النسخة {version} الآن.",
           "unreadable": "تعذّرت قراءة الحدث لتعديله الآن"},
}


def _w(key: str, **values: object) -> str:
    return _WORDS.get(i18n.language(), _WORDS["en"])[key].format(**values)
# The fields a coder corrects most, in the order the details show them.
TEXTS = ("event_type", "sub_event_type", "actor1", "actor2", "admin1", "admin2", "location", "source",
         "source_url")


def _read(event_id: str) -> Stored | None:
    """The version the form edits: the one kept for this event, else read now."""
    kept = st.session_state.get(READ_KEY)
    if isinstance(kept, Stored) and kept.event_id == event_id:
        return kept
    read = ui.store().stored(event_id)
    st.session_state[READ_KEY] = read
    st.session_state.pop(STALE_KEY, None)
    return read


def _apply(write, *args) -> None:
    """Run an edit (edit_stored or mark_reviewed) and keep what came of it."""
    try:
        stored = write(ui.store(), *args, ui.author())
    except StaleEditError as err:
        st.session_state[STALE_KEY] = err
        st.rerun()
    except CodedEventError as err:
        st.error(f"{_w('not_changed')}:\n" + "\n".join(f"- **{p.column}**: {ui.plain(p.message)}"
                                                            for p in err.problems))
        return
    except EventsError as err:  # not allowed, nothing changed, the store unreachable
        st.error(f"{_w('not_changed')}: {ui.plain(err)}")
        return
    st.session_state[READ_KEY] = stored
    st.session_state.pop(STALE_KEY, None)
    st.session_state[NOTE_KEY] = _w("saved", event_id=stored.event_id, version=stored.version)
    ui.invalidate()
    st.rerun()


def _stale(event_id: str) -> None:
    """A refused edit: what changed since, and the user's changes to apply again."""
    err = st.session_state.get(STALE_KEY)
    if not isinstance(err, StaleEditError) or (err.current is not None and err.current.event_id != event_id):
        return
    st.warning(ui.plain(err))
    left, right = st.columns(2)
    if err.current is not None and left.button(_w("reapply"), key="edit_reapply"):
        _apply(edit_stored, err.current, err.changes)
    if right.button(_w("discard"), key="edit_discard"):
        st.session_state.pop(STALE_KEY, None)
        st.session_state.pop(READ_KEY, None)
        st.rerun()


def _form(read: Stored) -> None:
    event = read.event
    prefix = f"edit.{read.event_id}.{read.version}"
    with st.expander(_w("edit")), st.form(prefix):
        values: dict[str, object] = {
            "event_date": st.date_input(i18n.t("col.event_date"), value=event["event_date"],
                                        key=f"{prefix}.event_date", min_value=dt.date(1900, 1, 1)),
        }
        for name in TEXTS:
            values[name] = st.text_input(i18n.t(f"col.{name}"), value=event.get(name) or "",
                                         key=f"{prefix}.{name}") or None
        values["latitude"] = st.number_input(_w("latitude"), value=event.get("latitude"), format="%.5f",
                                             key=f"{prefix}.latitude")
        values["longitude"] = st.number_input(_w("longitude"), value=event.get("longitude"), format="%.5f",
                                              key=f"{prefix}.longitude")
        values["geo_precision"] = st.selectbox(i18n.t("col.geo_precision"), GEO_PRECISIONS,
                                               key=f"{prefix}.geo_precision",
                                               format_func=lambda p: i18n.value_name(p, "precision"),
                                               index=GEO_PRECISIONS.index(event["geo_precision"])
                                               if event.get("geo_precision") in GEO_PRECISIONS else None)
        values["fatalities"] = st.number_input(i18n.t("col.fatalities"), value=event.get("fatalities"), min_value=0,
                                               step=1, key=f"{prefix}.fatalities")
        values["notes"] = st.text_area(i18n.t("col.notes"), value=event.get("notes") or "",
                                       key=f"{prefix}.notes") or None
        if st.form_submit_button(_w("save"), type="primary"):
            _apply(edit_stored, read, values)


def editor(event_id: str) -> None:
    """The edit form and the review button for the open event, for whom may."""
    can_edit, can_review = ui.may(access.EDIT), ui.may(access.REVIEW)
    if not (can_edit or can_review):
        return
    try:
        read = _read(event_id)
    except EventsError as err:
        st.error(f"{_w('unreadable')}: {ui.plain(err)}")
        return
    if read is None:
        return
    note = st.session_state.pop(NOTE_KEY, None)
    if note:
        st.success(ui.plain(note))
    _stale(event_id)
    status = i18n.value_name(read.event.get("status"), "status")
    st.caption(ui.plain(_w("version", version=read.version, status=status)))
    if can_review and read.event.get("status") == "draft" and st.button(_w("review"), key="mark_reviewed"):
        _apply(mark_reviewed, read)
    if can_edit:
        _form(read)

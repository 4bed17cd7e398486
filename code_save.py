"""The Code page's saving: a draft saved (or refused with every problem),
what was saved and changed, a stored event it may repeat, and what goes
in the form next (the queue's next report, or the report's next event).
"""

from __future__ import annotations

import streamlit as st

import code_form
import code_queue
import i18n
import ui
from events.coding import CodedEventError, save_coded
from events.exc import EventsError


def move_on() -> None:
    """After a save, the next report of the queue or the next event of the
    report is put in the form: at the start of a run, before the widgets
    are drawn. The note of what was saved stays."""
    saved = st.session_state.get("saved")
    if st.session_state.pop("review_next", False):
        code_queue.review_next()
    elif (index := st.session_state.pop("next_draft", None)) is not None:
        st.session_state.draft_choice = index
        code_form.show(st.session_state.drafts[index], "draft")
    else:
        return
    st.session_state.saved = saved


def saved_note() -> None:
    """What was saved last, and what the coder changed in its draft (the
    event's edit history, with who changed it)."""
    saved = st.session_state.get("saved")
    if not saved:
        return
    st.success(i18n.t("code.saved", event_id=ui.plain(saved["event_id"]),
                      admin1=ui.plain(saved["admin1"] or i18n.t("code.no_admin1"))))
    try:
        history = ui.store().edits(saved["event_id"])
    except EventsError as err:
        st.warning(i18n.t("code.history_unreadable", error=ui.plain(err)))
        return
    if not history.empty:
        st.caption(i18n.t("code.changed"))
        st.dataframe(history, hide_index=True)


def save(values: dict, draft: dict, coder: str | None) -> None:
    reviewing = st.session_state.get("reviewing")
    try:
        stored = save_coded(ui.store(), values, coder=coder, drafted=draft)
    except CodedEventError as err:
        # Each problem as the core says it (in English), under the field's name in the schema.
        st.error(i18n.t("code.not_saved", error="\n" + "\n".join(f"- **{p.column}**: {ui.plain(p.message)}"
                                                                 for p in err.problems)))
        return
    except EventsError as err:
        st.error(i18n.t("code.not_saved", error=ui.plain(err)))
        return
    ui.invalidate()
    st.session_state.draft = None
    st.session_state.similar = None
    st.session_state.reviewing = None
    # Widgets of this run are drawn: what comes next is put in them at the
    # start of the next run (move_on).
    if reviewing is not None:
        st.session_state.queue[reviewing]["state"] = "saved"
        st.session_state.review_next = True
    elif st.session_state.get("drafts"):
        done = st.session_state.drafts_saved
        done.append(st.session_state.get("draft_choice", 0))
        waiting = [i for i in range(len(st.session_state.drafts)) if i not in done]
        if waiting:
            st.session_state.next_draft = waiting[0]
    st.session_state.saved = stored
    st.rerun()


def similar(values: dict, draft: dict, coder: str | None) -> None:
    """Stored events this one may repeat, named; saving it anyway is the coder's call."""
    similar = st.session_state.get("similar")
    if not similar:
        return
    named = i18n.t("code.similar.sep").join(
        i18n.t("code.similar.event", event_id=e["event_id"], date=e["event_date"], place=e["location"] or e["admin2"],
               sub_event_type=e["sub_event_type"], fatalities=e["fatalities"], origin=e["origin"]) for e in similar)
    st.warning(ui.plain(i18n.t("code.similar", events=named)))
    if st.button(i18n.t("code.save_anyway")):
        save(values, draft, coder)

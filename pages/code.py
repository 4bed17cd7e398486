"""Code a report: paste it, get a draft with its evidence, edit, save."""

import datetime as dt

import streamlit as st

import code_form
import code_queue
import ui
from events.coding import CodedEventError, save_coded
from events.exc import EventsError
from extract.draft import MAX_REPORT_CHARS, ReportTooLongError, draft_events


def _start_draft() -> None:
    st.session_state.draft_refused = not st.session_state.report_text.strip()
    if st.session_state.draft_refused:
        return
    st.session_state.reviewing = None
    st.session_state.draft_too_long = None
    # A report may tell of several events ("..., فيما ..."): each is a draft.
    try:
        st.session_state.drafts = draft_events(st.session_state.report_text, st.session_state.published,
                                               ui.geocoder())
    except ReportTooLongError as err:
        st.session_state.draft_too_long = str(err)
        return
    st.session_state.drafts_saved = []
    st.session_state.draft_choice = 0
    code_form.show(st.session_state.drafts[0], "draft")


def _choose_draft() -> None:
    code_form.show(st.session_state.drafts[st.session_state.draft_choice], "draft")


def _draft_choice() -> None:
    """Which event of a report that tells of several is in the form."""
    drafts = st.session_state.get("drafts") or []
    if len(drafts) < 2 or st.session_state.get("reviewing") is not None:
        return
    st.radio("This report tells of more than one event: code each", range(len(drafts)), key="draft_choice",
             format_func=lambda i: f"Event {i + 1} of {len(drafts)}", on_change=_choose_draft, horizontal=True)
    done = st.session_state.get("drafts_saved") or []
    if done:
        st.caption("Saved already: " + ", ".join(f"event {i + 1}" for i in sorted(done)))


def _move_on() -> None:
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


def _saved_note() -> None:
    """What was saved last, and what the coder changed in its draft (the
    event's edit history, with who changed it)."""
    saved = st.session_state.get("saved")
    if not saved:
        return
    st.success(f"Saved event {ui.plain(saved['event_id'])} ({ui.plain(saved['admin1'] or 'no governorate')}). "
               "It is on the Explore page now.")
    try:
        history = ui.store().edits(saved["event_id"])
    except EventsError as err:
        st.warning(f"Its edit history cannot be read now: {ui.plain(err)}")
        return
    if not history.empty:
        st.caption("What was changed in the draft (the event's edit history):")
        st.dataframe(history, hide_index=True)


def _save(values: dict, draft: dict, coder: str | None) -> None:
    reviewing = st.session_state.get("reviewing")
    try:
        stored = save_coded(ui.store(), values, coder=coder, drafted=draft)
    except CodedEventError as err:
        st.error("The event was not saved:\n" + "\n".join(f"- **{p.column}**: {ui.plain(p.message)}"
                                                          for p in err.problems))
        return
    except EventsError as err:
        st.error(f"The event was not saved: {ui.plain(err)}")
        return
    ui.invalidate()
    st.session_state.draft = None
    st.session_state.similar = None
    st.session_state.reviewing = None
    # Widgets of this run are drawn: what comes next is put in them at the
    # start of the next run (_move_on).
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


def _similar(values: dict, draft: dict, coder: str | None) -> None:
    """Stored events this one may repeat, named; saving it anyway is the coder's call."""
    similar = st.session_state.get("similar")
    if not similar:
        return
    named = "; ".join(f"{e['event_id']} ({e['event_date']}, {e['location'] or e['admin2']}, {e['sub_event_type']}, "
                      f"{e['fatalities']} fatalities, from {e['origin']})" for e in similar)
    st.warning(ui.plain(f"This event may be already stored, with the same day, place and sub-event type: {named}."))
    if st.button("Save anyway"):
        _save(values, draft, coder)


def page() -> None:
    _move_on()
    ui.page_setup("Code a report")
    coder = ui.coder()
    st.title("Code a report")
    st.text_area("Report text (Arabic or English)", height=220, key="report_text",
                 placeholder="Paste a news report here")
    st.caption(f"At most {MAX_REPORT_CHARS:,} characters a report; split a longer text.")
    st.date_input("Published on", key="published", value=dt.date.today())
    # Never disabled: a pasted report reaches the server only when the text
    # box loses focus, which is the click on this very button.
    st.button("Draft event", type="primary", on_click=_start_draft)
    if st.session_state.get("draft_refused"):
        st.warning("Paste a report first.")
    if st.session_state.get("draft_too_long"):
        st.error(ui.plain(st.session_state.draft_too_long))
    code_queue.queue()

    _saved_note()
    draft = st.session_state.get("draft")
    if not draft:
        return

    for flag in draft.get("flags") or []:
        st.warning(ui.plain(flag))
    st.subheader("Evidence")
    spans = [(s["start"], s["end"]) for field in draft["evidence"].values() for s in field]
    st.html(ui.highlighted(st.session_state.report_text, spans))
    st.subheader("Draft event")
    _draft_choice()
    reviewing = st.session_state.get("reviewing")
    if reviewing is not None:
        st.info(ui.plain(f"Reviewing {st.session_state.queue[reviewing]['name']} from the queue."))
    values = code_form.form(draft, coder)
    if st.button("Save event", type="primary"):
        try:
            st.session_state.similar = ui.store().similar(values)
        except EventsError as err:
            st.error(f"The event was not saved: {ui.plain(err)}")
            return
        if not st.session_state.similar:
            _save(values, draft, coder)
    _similar(values, draft, coder)


page()

"""Code a report: paste it, get a draft with its evidence, edit, save."""

import datetime as dt

import streamlit as st

import code_form
import code_queue
import code_save
import i18n
import ui
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
    st.radio(i18n.t("code.several"), range(len(drafts)), key="draft_choice", on_change=_choose_draft,
             format_func=i18n.names(range(len(drafts)), lambda i: i18n.t("code.event_of", number=i + 1,
                                                                          count=len(drafts))), horizontal=True)
    done = st.session_state.get("drafts_saved") or []
    if done:
        st.caption(i18n.t("code.saved_already", events=i18n.t("sep").join(
            i18n.t("code.event", number=i + 1) for i in sorted(done))))


def page() -> None:
    code_save.move_on()
    ui.page_setup("Code a report", __file__)
    i18n.keep_in_address()
    coder = ui.coder()
    st.title(i18n.t("code.title"))
    st.text_area(i18n.t("code.report"), height=220, key="report_text", placeholder=i18n.t("code.report.placeholder"))
    st.caption(i18n.t("code.most", count=i18n.number(MAX_REPORT_CHARS)))
    st.date_input(i18n.t("code.published"), key="published", value=dt.date.today())
    # Never disabled: a pasted report reaches the server only when the text
    # box loses focus, which is the click on this very button.
    st.button(i18n.t("code.draft"), type="primary", on_click=_start_draft)
    if st.session_state.get("draft_refused"):
        st.warning(i18n.t("code.paste_first"))
    if st.session_state.get("draft_too_long"):
        st.error(ui.plain(st.session_state.draft_too_long))
    code_queue.queue()

    code_save.saved_note()
    draft = st.session_state.get("draft")
    if not draft:
        return

    for flag in draft.get("flags") or []:
        st.warning(ui.plain(flag))
    st.subheader(i18n.t("code.evidence"))
    spans = [(s["start"], s["end"]) for field in draft["evidence"].values() for s in field]
    st.html(ui.highlighted(st.session_state.report_text, spans))
    st.subheader(i18n.t("code.draft_event"))
    _draft_choice()
    reviewing = st.session_state.get("reviewing")
    if reviewing is not None:
        st.info(ui.plain(i18n.t("code.reviewing", name=st.session_state.queue[reviewing]["name"])))
    values = code_form.form(draft, coder)
    if st.button(i18n.t("code.save"), type="primary"):
        try:
            st.session_state.similar = ui.store().similar(values)
        except EventsError as err:
            st.error(i18n.t("code.not_saved", error=ui.plain(err)))
            return
        if not st.session_state.similar:
            code_save.save(values, draft, coder)
    code_save.similar(values, draft, coder)


ui.run_page(page)

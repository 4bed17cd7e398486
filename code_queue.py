"""The Code page's review queue: many reports uploaded at once, each
drafted, then put in the form in turn. Presentation only."""

import pandas as pd
import streamlit as st

import i18n
import ui
from code_form import show
from extract.draft import ReportTooLongError
from extract.reports import drafts_of, read_reports

# A queued report's state (kept in English in the session) and the words shown for it.
STATES = {"to review": "code.queue.to_review", "saved": "code.queue.saved"}


def _add_to_queue() -> None:
    """Draft every report of the uploaded files into the review queue."""
    files = st.session_state.get("report_files") or []
    queue = st.session_state.setdefault("queue", [])
    problems = []
    for upload in files:
        reports, unread = read_reports(upload.name, upload.getvalue(), st.session_state.published)
        problems += [i18n.t("code.queue.problem_line", name=p.name, line=p.line, message=p.message) if p.line
                     else i18n.t("code.queue.problem", name=p.name, message=p.message) for p in unread]
        for report in reports:
            try:
                drafts = drafts_of(report, ui.geocoder())
            except ReportTooLongError as err:
                problems.append(i18n.t("code.queue.problem", name=report.name, message=err))
                continue
            for draft in drafts:
                queue.append({"name": report.name, "text": report.text, "published": report.published,
                              "draft": draft, "state": "to review"})
    st.session_state.queue_problems = problems


def _review(index: int) -> None:
    item = st.session_state.queue[index]
    st.session_state.reviewing = index
    st.session_state.drafts = None
    st.session_state.report_text = item["text"]
    st.session_state.published = item["published"]
    show(item["draft"], "reviewed")


def review_next() -> None:
    waiting = [i for i, item in enumerate(st.session_state.get("queue", [])) if item["state"] == "to review"]
    if waiting:
        _review(waiting[0])


def queue() -> None:
    """Upload many reports; each becomes a draft to review in turn."""
    with st.expander(i18n.t("code.queue"), expanded=bool(st.session_state.get("queue"))):
        st.file_uploader(i18n.t("code.queue.files"), type=["txt", "csv", "jsonl"], accept_multiple_files=True,
                         key="report_files")
        st.button(i18n.t("code.queue.add"), on_click=_add_to_queue)
        for problem in st.session_state.get("queue_problems") or []:
            st.warning(ui.plain(problem))
        queue = st.session_state.get("queue") or []
        if queue:
            st.dataframe(pd.DataFrame([{
                i18n.t("code.queue.report"): item["name"], i18n.t("code.published"): item["published"],
                i18n.t("col.sub_event_type"): item["draft"]["sub_event_type"],
                i18n.t("col.location"): item["draft"]["location"],
                i18n.t("col.fatalities"): item["draft"]["fatalities"],
                i18n.t("code.queue.state"): i18n.t(STATES[item["state"]])} for item in queue]),
                hide_index=True)
            waiting = sum(item["state"] == "to review" for item in queue)
            st.button(i18n.t("code.queue.next", count=i18n.number(waiting)), on_click=review_next,
                      disabled=not waiting)

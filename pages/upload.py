"""Upload: check a file, see every rejected row, then commit or not; undo imports."""

import pandas as pd
import streamlit as st

import i18n
import ui
from events.access import UNDO
from events.exc import EventsError
from events.formats import FORMATS
from events.importer import StrictImportRefused, commit, preview, require_import


def _check(upload, format: str) -> None:
    store = ui.store()
    try:
        # Asked before the file is read: a role that may not import is told
        # now, not after a check whose rows the store would refuse.
        require_import(store)
    except EventsError as err:
        st.session_state.preview = None
        st.error(i18n.t("upload.unreadable", error=ui.plain(err)))
        return
    bar = st.progress(0.0, text=i18n.t("upload.reading"))
    try:
        st.session_state.preview = preview(upload.getvalue(), upload.name, store, format=format,
                                           progress=lambda fraction, message: bar.progress(fraction, text=message))
    except EventsError as err:
        st.session_state.preview = None
        st.error(i18n.t("upload.unreadable", error=ui.plain(err)))
    bar.empty()


def _report(result) -> None:
    left, middle, right, last = st.columns(4)
    left.metric(i18n.t("upload.rows_read"), i18n.number(result.rows_read))
    middle.metric(i18n.t("upload.accepted"), i18n.number(result.accepted_count))
    right.metric(i18n.t("upload.rejected"), i18n.number(len({p.line for p in result.rejected})))
    last.metric(i18n.t("upload.skipped"), i18n.number(len(result.skipped)))
    st.caption(ui.plain(i18n.t("upload.read_as", format=result.format, encoding=result.encoding,
                               duplicates=i18n.number(result.duplicates),
                               replaced=i18n.number(len(result.replaced_ids)))))
    for notice in result.notices:
        st.info(ui.plain(notice))
    if result.restricted:
        st.warning(i18n.t("upload.acled"))
    if result.rejected:
        st.subheader(i18n.t("upload.rejected_rows"))
        st.dataframe(pd.DataFrame([{"line": p.line, "column": p.column, "reason": p.reason.value,
                                    "message": p.message, "raw line": p.raw} for p in result.rejected]),
                     hide_index=True, width="stretch")
    if result.skipped:
        with st.expander(i18n.t("upload.skipped_rows", count=i18n.number(len(result.skipped)))):
            st.dataframe(pd.DataFrame([{"line": s.line, "reason": s.reason.value, "message": s.message}
                                       for s in result.skipped]), hide_index=True, width="stretch")


def _commit(result, strict: bool, coder: str | None) -> None:
    try:
        with st.spinner(i18n.t("upload.storing")):
            batch = commit(ui.store(), result, coder=coder, strict=strict)
    except StrictImportRefused as err:
        st.error(ui.plain(err))
        return
    except EventsError as err:
        st.error(i18n.t("upload.not_stored", error=ui.plain(err)))
        return
    ui.invalidate()
    st.session_state.preview = None
    st.session_state.imported = i18n.t("upload.stored", count=i18n.number(result.accepted_count),
                                       batch=batch.batch_id)
    st.rerun()


def _undo(batches, coder: str | None) -> None:
    """Undo the chosen import, once the user has said yes."""
    choice = st.selectbox(i18n.t("upload.undo"), [""] + list(batches["batch_id"]), key="undo_choice",
                          help=i18n.t("upload.undo.help"))
    if choice and st.button(i18n.t("upload.undo_this"), type="secondary"):
        st.session_state.undo_asked = choice
    if not choice or st.session_state.get("undo_asked") != choice:
        return
    batch = batches[batches["batch_id"] == choice].iloc[0]
    rows = int(batch["rows"])
    st.warning(ui.plain(i18n.counted("upload.undo_ask", rows, batch=choice, file=batch["file_name"],
                                     coder=batch["coder"] or i18n.t("upload.no_one"))))
    yes, no = st.columns(2)
    if no.button(i18n.t("upload.cancel")):
        st.session_state.undo_asked = None
        st.rerun()
    if not yes.button(i18n.t("upload.yes_undo"), type="primary"):
        return
    st.session_state.undo_asked = None
    try:
        removed = ui.store().undo_batch(choice, coder=coder)
    except EventsError as err:
        st.error(i18n.t("upload.not_undone", error=ui.plain(err)))
        return
    ui.invalidate()
    st.session_state.imported = i18n.counted("upload.removed", removed, batch=choice)
    st.rerun()


def _batches(coder: str | None) -> None:
    """The imports, who stored each, undo; and the imports undone, by whom."""
    store = ui.store()
    batches, undone = store.imports(), store.undone()
    if not batches.empty:
        st.subheader(i18n.t("upload.imports"))
        st.dataframe(batches[["batch_id", "file_name", "origin", "rows", "rejected", "skipped", "coder",
                              "created_at"]], hide_index=True, width="stretch")
        if ui.may(UNDO):  # a coder is not offered what the core would refuse
            _undo(batches, coder)
    if not undone.empty:
        with st.expander(i18n.t("upload.undone_imports", count=i18n.number(len(undone)))):
            st.dataframe(undone[["batch_id", "file_name", "rows", "coder", "created_at", "undone_by", "undone_at"]],
                         hide_index=True, width="stretch")


def page() -> None:
    ui.page_setup("Upload", __file__)
    i18n.keep_in_address()
    coder = ui.coder()
    st.title(i18n.t("upload.title"))
    if st.session_state.get("imported"):
        st.success(ui.plain(st.session_state.imported))
    upload = st.file_uploader(i18n.t("upload.file"), type=["csv", "tsv", "txt"])
    format = st.selectbox(i18n.t("upload.format"), ["auto", *FORMATS], help=i18n.t("upload.format.help"))
    if upload is not None and st.button(i18n.t("upload.check"), type="primary"):
        st.session_state.imported = None
        _check(upload, format)
    result = st.session_state.get("preview")
    if result is not None:
        _report(result)
        strict = st.checkbox(i18n.t("upload.strict"))
        label = i18n.t("upload.store", count=i18n.number(result.accepted_count))
        if st.button(label, type="primary", disabled=result.accepted_count == 0):
            _commit(result, strict, coder)
    _batches(coder)


ui.run_page(page)

"""Upload: check a file, see every rejected row, then commit or not; undo imports."""

import pandas as pd
import streamlit as st

import ui
from events.exc import EventsError
from events.formats import FORMATS
from events.importer import StrictImportRefused, commit, preview


def _check(upload, format: str) -> None:
    bar = st.progress(0.0, text="Reading")
    try:
        st.session_state.preview = preview(upload.getvalue(), upload.name, ui.store(), format=format,
                                           progress=lambda fraction, message: bar.progress(fraction, text=message))
    except EventsError as err:
        st.session_state.preview = None
        st.error(f"The file cannot be imported: {ui.plain(err)}")
    bar.empty()


def _report(result) -> None:
    left, middle, right, last = st.columns(4)
    left.metric("Rows read", f"{result.rows_read:,}")
    middle.metric("Accepted", f"{result.accepted_count:,}")
    right.metric("Rejected", f"{len({p.line for p in result.rejected}):,}")
    last.metric("Skipped", f"{len(result.skipped):,}")
    st.caption(ui.plain(f"Format {result.format}, encoding {result.encoding}. "
                        f"{result.duplicates:,} rows are already stored and not newer; "
                        f"{len(result.replaced_ids):,} will replace older versions."))
    for notice in result.notices:
        st.info(ui.plain(notice))
    if result.restricted:
        st.warning("These rows come from ACLED, whose terms of use forbid passing its raw data on. "
                   "Keep them to yourself.")
    if result.rejected:
        st.subheader("Rejected rows")
        st.dataframe(pd.DataFrame([{"line": p.line, "column": p.column, "reason": p.reason.value,
                                    "message": p.message, "raw line": p.raw} for p in result.rejected]),
                     hide_index=True, width="stretch")
    if result.skipped:
        with st.expander(f"Skipped rows ({len(result.skipped):,})"):
            st.dataframe(pd.DataFrame([{"line": s.line, "reason": s.reason.value, "message": s.message}
                                       for s in result.skipped]), hide_index=True, width="stretch")


def _commit(result, strict: bool) -> None:
    try:
        with st.spinner("Storing"):
            batch = commit(ui.store(), result, coder=st.session_state.get("coder") or None, strict=strict)
    except StrictImportRefused as err:
        st.error(ui.plain(err))
        return
    except EventsError as err:
        st.error(f"Nothing was stored: {ui.plain(err)}")
        return
    ui.invalidate()
    st.session_state.preview = None
    st.session_state.imported = f"Stored {result.accepted_count:,} events as batch {batch.batch_id}."
    st.rerun()


def _batches() -> None:
    batches = ui.store().batches()
    if batches.empty:
        return
    st.subheader("Imports")
    st.dataframe(batches[["batch_id", "file_name", "origin", "rows", "rejected", "skipped", "coder", "created_at"]],
                 hide_index=True, width="stretch")
    choice = st.selectbox("Undo an import", [""] + list(batches["batch_id"]),
                          help="Removes the batch's events and brings back any it replaced")
    if choice and st.button("Undo this import", type="secondary"):
        removed = ui.store().undo_batch(choice)
        ui.invalidate()
        st.session_state.imported = f"Removed {removed:,} events of batch {choice}."
        st.rerun()


def page() -> None:
    ui.page_setup("Upload")
    st.title("Upload events")
    if st.session_state.get("imported"):
        st.success(ui.plain(st.session_state.imported))
    upload = st.file_uploader("An ACLED, UCDP GED, GDELT or native CSV file", type=["csv", "tsv", "txt"])
    format = st.selectbox("Format", ["auto", *FORMATS], help="auto: recognised from the header")
    if upload is not None and st.button("Check the file", type="primary"):
        st.session_state.imported = None
        _check(upload, format)
    result = st.session_state.get("preview")
    if result is not None:
        _report(result)
        strict = st.checkbox("Strict: store nothing if any row is rejected")
        label = f"Store {result.accepted_count:,} accepted rows"
        if st.button(label, type="primary", disabled=result.accepted_count == 0):
            _commit(result, strict)
    _batches()


page()

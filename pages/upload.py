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


def _commit(result, strict: bool, coder: str | None) -> None:
    try:
        with st.spinner("Storing"):
            batch = commit(ui.store(), result, coder=coder, strict=strict)
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


def _undo(batches, coder: str | None) -> None:
    """Undo the chosen import, once the user has said yes."""
    choice = st.selectbox("Undo an import", [""] + list(batches["batch_id"]), key="undo_choice",
                          help="Removes the batch's events and brings back any it replaced")
    if choice and st.button("Undo this import", type="secondary"):
        st.session_state.undo_asked = choice
    if not choice or st.session_state.get("undo_asked") != choice:
        return
    batch = batches[batches["batch_id"] == choice].iloc[0]
    rows = int(batch["rows"])
    st.warning(ui.plain(f"Undo {choice} ({batch['file_name']}, stored by {batch['coder'] or 'no one named'})? "
                        f"Its {rows:,} event{'' if rows == 1 else 's'} will be removed, and any it replaced "
                        "brought back."))
    yes, no = st.columns(2)
    if no.button("Cancel"):
        st.session_state.undo_asked = None
        st.rerun()
    if not yes.button("Yes, undo it", type="primary"):
        return
    st.session_state.undo_asked = None
    try:
        removed = ui.store().undo_batch(choice, coder=coder)
    except EventsError as err:
        st.error(f"Nothing was undone: {ui.plain(err)}")
        return
    ui.invalidate()
    st.session_state.imported = f"Removed {removed:,} event{'' if removed == 1 else 's'} of batch {choice}."
    st.rerun()


def _batches(coder: str | None) -> None:
    """The imports, who stored each, undo; and the imports undone, by whom."""
    store = ui.store()
    batches, undone = store.imports(), store.undone()
    if not batches.empty:
        st.subheader("Imports")
        st.dataframe(batches[["batch_id", "file_name", "origin", "rows", "rejected", "skipped", "coder",
                              "created_at"]], hide_index=True, width="stretch")
        _undo(batches, coder)
    if not undone.empty:
        with st.expander(f"Undone imports ({len(undone):,})"):
            st.dataframe(undone[["batch_id", "file_name", "rows", "coder", "created_at", "undone_by", "undone_at"]],
                         hide_index=True, width="stretch")


def page() -> None:
    ui.page_setup("Upload")
    coder = ui.coder()
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
            _commit(result, strict, coder)
    _batches(coder)


page()

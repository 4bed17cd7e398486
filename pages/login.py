"""Sign in (team mode): a name and a password, checked by the core
(events.accounts); then on to the page the person was going to."""

import streamlit as st

import ui
from events.exc import EventsError, SignInRefused

# Where `next` may lead (dashboard.py's url paths): nowhere else.
PAGES = {"explore": "pages/explore.py", "root": "pages/explore.py", "areas": "pages/areas.py",
         "code": "pages/code.py", "upload": "pages/upload.py"}


def _go_on() -> None:
    target = PAGES.get(st.query_params.get("next") or "", "pages/explore.py")
    params = {key: st.query_params.get_all(key) for key in st.query_params if key != "next"}
    st.switch_page(target, query_params=params)


def page() -> None:
    ui.page_setup(ui.SIGN_IN, __file__)
    st.title("Sign in", anchor=False)
    if not ui.team():
        st.info("This store has one user: no sign-in is needed.")
        return
    note = st.session_state.pop(ui.NOTE_KEY, None)
    if note:
        st.warning(ui.plain(note))
    try:
        signed = ui.check_session()
    except EventsError as err:
        st.error(f"Your session cannot be checked now: {ui.plain(err)}")
        return
    if signed is not None:
        st.success(ui.plain(f"Signed in as {signed.name} ({signed.role})."))
        return
    # Cleared once submitted: the password does not stay in the session's state.
    with st.form("sign_in", clear_on_submit=True):
        name = st.text_input("Name", key="sign_in_name")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        return
    try:
        ui.sign_in(name, password)
    except SignInRefused as err:
        st.error(ui.plain(err))
        return
    except EventsError as err:
        st.error(f"Cannot sign in now: {ui.plain(err)}")
        return
    _go_on()


ui.run_page(page)

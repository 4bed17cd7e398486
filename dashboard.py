"""The app's entry: `streamlit run dashboard.py`. Routes to the pages.

In team mode each page's first call, ui.page_setup, checks the session:
no one signed in goes to the sign-in page, and a page the account's role
may not use is refused with a sentence, whatever address reached it.
"""

import streamlit as st

import ui
from events.exc import ConfigurationError

explore = st.Page("pages/explore.py", title="Explore", url_path="explore")


def _root() -> None:
    # The default page of st.navigation answers at "/" only: "/explore", the
    # address of every shared view, would open a "Page not found" dialog.
    # So "/" is a page of its own that goes on to Explore, filters and all.
    st.switch_page(explore, query_params={key: st.query_params.get_all(key) for key in st.query_params})


navigation = st.navigation(
    [
        st.Page(_root, title="Explore", url_path="root", default=True, visibility="hidden"),
        explore,
        st.Page("pages/areas.py", title="Areas and periods", url_path="areas"),
        st.Page("pages/code.py", title="Code a report", url_path="code"),
        st.Page("pages/upload.py", title="Upload", url_path="upload"),
        st.Page("pages/login.py", title="Sign in", url_path="login"),
    ],
    position="hidden",
)
try:
    ui.team()
except ConfigurationError as err:  # EVENTS_TEAM of no meaning: said, not a traceback
    st.error(ui.plain(err))
    st.stop()
navigation.run()

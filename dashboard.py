"""The app's entry: `streamlit run dashboard.py`. Routes to the pages."""

import streamlit as st

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
    ],
    position="hidden",
)
navigation.run()

"""The app's entry: `streamlit run dashboard.py`. Builds the navigation."""

import streamlit as st

st.set_page_config(page_title="Conflict events", page_icon=":material/map:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/explore.py", title="Explore", icon=":material/map:", url_path="explore", default=True),
        st.Page("pages/code.py", title="Code a report", icon=":material/edit_note:", url_path="code"),
    ]
)
navigation.run()

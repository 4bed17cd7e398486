"""The app's entry: `streamlit run dashboard.py`. Routes to the pages."""

import streamlit as st

navigation = st.navigation(
    [
        st.Page("pages/explore.py", title="Explore", url_path="explore", default=True),
        st.Page("pages/code.py", title="Code a report", url_path="code"),
        st.Page("pages/upload.py", title="Upload", url_path="upload"),
    ],
    position="hidden",
)
navigation.run()

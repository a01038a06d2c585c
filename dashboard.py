"""Reach: the dashboard. Page set-up, the global settings and the navigation, nothing else.

Run with `streamlit run dashboard.py`. It opens on the database named by REACH_DB, or on
data/reach.duckdb, building the fictional demo authority there on first run.
"""

import streamlit as st

from views import common, layout

layout.set_up_page()      # the title, the wide layout and the style sheet that stacks columns

common.ensure_database()

PAGES = {
    "Reach": [
        st.Page("views/overview.py", title="Overview", default=True),
        st.Page("views/my_centre.py", title="My centre", url_path="my-centre"),
        st.Page("views/compare.py", title="Compare centres", url_path="compare"),
        st.Page("views/map.py", title="Map and gaps", url_path="map"),
        st.Page("views/whatif.py", title="What if", url_path="what-if"),
    ],
    "Data": [
        st.Page("views/data.py", title="Data and definitions", url_path="data"),
    ],
}

page = st.navigation(PAGES)
st.session_state["settings"] = common.sidebar_settings()
page.run()

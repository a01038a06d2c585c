"""Reach: the dashboard. Page set-up, the global settings and the navigation, nothing else.

Run with `streamlit run dashboard.py`. It opens on the database named by REACH_DB, or on
data/reach.duckdb, building the fictional demo authority there on first run.
"""

import streamlit as st

from views import auth, common, layout, warm_up

layout.set_up_page()      # the title, the wide layout and the style sheet that stacks columns

common.ensure_database()
person = auth.person()        # sign-in and role; a page of its own (and stop) for anyone refused
words = common.use_site_words()     # children's centres or family hubs, as the store is set

PAGES = {
    "Reach": [
        st.Page("views/overview.py", title="Overview", default=True),
        st.Page("views/my_centre.py", title=f"My {words.site}", url_path="my-centre"),
        st.Page("views/compare.py", title=f"Compare {words.sites}", url_path="compare"),
        st.Page("views/best_start.py", title="Best Start", url_path="best-start"),
        st.Page("views/map.py", title="Map and gaps", url_path="map"),
        st.Page("views/whatif.py", title="What if", url_path="what-if"),
    ],
    "Data": [
        st.Page("views/data.py", title="Data and definitions", url_path="data"),
    ],
}

page = st.navigation(auth.allowed_pages(PAGES, person))     # a page the role may not open only refuses
layout.load_browser_code()     # the code of tables and of the map that zooms, early
st.session_state["settings"] = common.sidebar_settings()
auth.sign_out_button()
page.run()
warm_up.start()     # once the first page is drawn: every page's code loaded, in the background

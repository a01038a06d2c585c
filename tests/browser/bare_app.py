"""A bare Streamlit app of two pages, each a title, a sentence and a small table: what choosing a
page in the sidebar costs Streamlit and the browser on this machine, with nothing of Reach in it.

tests/browser/test_browser.py serves it beside the dashboard and times it in the same run, as the
floor the dashboard's own pages are measured against.
"""

import pandas as pd
import streamlit as st

TABLE = pd.DataFrame({"area": [f"E0100{n:04d}" for n in range(20)], "children": range(100, 120),
                      "known": range(90, 110)})


def _page(title: str):
    def draw():
        st.title(title)
        st.write("A page with nothing to work out.")
        st.dataframe(TABLE, hide_index=True)
    return draw


st.navigation([st.Page(_page("First"), title="First", default=True),
               st.Page(_page("Second"), title="Second", url_path="second")]).run()

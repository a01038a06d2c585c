"""The guided start: what is loaded, what is missing, in what order, and how to load each.

Not a page of its own: the Data page shows the whole list at the top of "Load a file", and the
Overview shows the short version while reach cannot be worked out yet.
"""

from __future__ import annotations

import streamlit as st

from reach.domain.readiness import StepStatus, missing_essentials
from reach.presentation.readiness_sentences import checklist_heading, incomplete_summary, step_line
from reach.queries.readiness import readiness
from views import common
from reach.presentation.wording import reword


def statuses() -> list[StepStatus]:
    """Each step of the list with what the store holds for it (cached by the database version)."""
    return common.cached(readiness)


def checklist() -> None:
    """The whole list, open while an essential kind of data is missing."""
    found = statuses()
    with st.expander(checklist_heading(found), expanded=bool(missing_essentials(found))):
        st.markdown("\n\n".join(step_line(number, status) for number, status in enumerate(found, 1)))
        st.caption(reword("Load them in this order: a file of people (births, registrations, contacts) is "
                   "placed using the centres, reach areas and postcode lookup already loaded. The "
                   "four essential kinds are enough for reach; the others add measures."))


def show_if_incomplete() -> bool:
    """The short version, where figures would be shown: True (after saying what is missing) when
    reach cannot be worked out yet, so the page can stop rather than show figures that are not true."""
    text = incomplete_summary(statuses())
    if text is None:
        return False
    st.info(text)
    st.page_link("views/data.py", label="Load files on the Data page")
    return True

"""Every page on a store with nothing in it yet (a council's first day): no error, and words
that say what to load."""

import pytest

PAGES = {   # the page, its title, and words it must show with nothing loaded
    "views/overview.py": ("Overview", "no children under five recorded"),
    "views/my_centre.py": ("My centre", "There are no centres yet"),
    "views/compare.py": ("Compare centres", "There are no centres yet"),
    "views/map.py": ("Map and gaps", "No reach areas are loaded yet"),
    "views/whatif.py": ("What if", "no centres"),
    "views/data.py": ("Data and definitions", "Nothing has been imported yet"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_opens_on_an_empty_store_and_says_what_to_load(empty_store_page, page):
    at = empty_store_page(page)          # fails on any exception
    title, words = PAGES[page]
    assert [t.value for t in at.title] == [title]
    shown = " ".join(e.value for e in [*at.info, *at.warning, *at.markdown, *at.caption]
                     if isinstance(e.value, str))
    assert words.lower() in shown.lower(), f"{page} does not say {words!r}"

"""Every page on a store with nothing in it yet (a council's first day): no error, and words
that say what to load."""

import pytest

PAGES = {   # the page, its title, and words it must show with nothing loaded
    "views/overview.py": ("Overview", "No population estimate has been loaded"),
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


# --- the guided start -----------------------------------------------------------------------------

ESSENTIAL_MISSING = ":red-badge[missing: essential]"


def _checklist(at):
    return next(expander for expander in at.expander if expander.label.startswith("Getting started"))


def test_the_data_page_opens_on_the_getting_started_list(empty_store_page):
    at = empty_store_page("views/data.py")
    checklist = _checklist(at)
    assert checklist.label == "Getting started: 0 of 9 kinds of data loaded, 4 essential ones missing"
    assert checklist.proto.expanded
    lines = checklist.markdown[0].value.split("\n\n")
    assert [line.split("**")[1] for line in lines] == [
        "1. Children's centres", "2. Reach areas", "3. LSOA boundaries", "4. Postcode lookup",
        "5. Population estimates", "6. Deprivation", "7. Birth data", "8. Registrations", "9. Contacts"]
    assert [n for n, line in enumerate(lines, 1) if ESSENTIAL_MISSING in line] == [1, 2, 5, 8]
    assert "`python -m reach import reach-areas FILE`" in lines[1]
    assert "`python -m reach import births FILE --received-on DATE` (or `birth-counts`)" in lines[6]


def test_the_overview_says_what_to_load_while_nothing_is_loaded(empty_store_page):
    at = empty_store_page("views/overview.py")
    assert at.info[0].value.startswith(
        "**Nothing is loaded yet.** Reach needs children's centres, reach areas, population estimates and "
        "registrations, loaded in that order")
    assert [(link.proto.label, link.proto.page) for link in at.get("page_link")] == [
        ("Load files on the Data page", "data")]
    # The sidebar says why the date is today, not that figures exist at it.
    assert "Nothing with a date is loaded yet, so the figures start at today." in [c.value for c in at.sidebar.caption]


def test_with_some_files_loaded_the_list_shows_rows_and_the_overview_what_is_still_missing(
        empty_store, empty_store_page, tmp_path):
    from data.importers import import_file

    centres = tmp_path / "centres.csv"
    centres.write_text("centre_id,name\nC1,Riverside\nC2,Hilltop\n")
    areas = tmp_path / "areas.csv"
    areas.write_text("lsoa_code,centre_id\nE01000001,C1\nE01000002,C2\nE01000003,C2\n")
    import_file("centres", centres, db=empty_store)
    import_file("reach-areas", areas, db=empty_store)
    overview = empty_store_page("views/overview.py")
    assert overview.info[0].value.startswith(
        "**Reach cannot be worked out yet: no population estimates or registrations are loaded.**")
    data = empty_store_page("views/data.py")
    lines = _checklist(data).markdown[0].value.split("\n\n")
    assert lines[0] == "**1. Children's centres** :green-badge[loaded] 2 rows."
    assert lines[1] == "**2. Reach areas** :green-badge[loaded] 3 rows."
    assert _checklist(data).label == "Getting started: 2 of 9 kinds of data loaded, 2 essential ones missing"


def test_on_the_demo_the_list_is_folded_away_and_the_overview_goes_straight_to_figures(app):
    assert not [info for info in app.info if "loaded" in str(info.value)]        # the Overview
    app.switch_page("views/data.py").run()
    checklist = _checklist(app)
    assert checklist.label == "Getting started: 9 of 9 kinds of data loaded"
    assert not checklist.proto.expanded

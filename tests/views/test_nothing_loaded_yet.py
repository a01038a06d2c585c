"""My centre and the Overview on a council's first days: centres and reach areas loaded, then a
population estimate, and nothing else. No sentence may state as a fact what the data cannot
support: with no birth data there is no "no unmatched births", with no deprivation deciles no
"none of this area is deprived"."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data.store import connect
from reach.queries.loaded import loaded_data
from tests.views.conftest import PROJECT
from tests.views.figure_data import shown, svg_charts, svg_text

CODES = ("E01000001", "E01000002", "E01000003")


def _store(db, *, population: bool) -> None:
    con = connect(db)
    try:
        con.execute("INSERT INTO centres (centre_id, name) VALUES ('C1', 'Ash Children''s Centre'), "
                    "('C2', 'Birch Family Hub')")
        con.execute("INSERT INTO reach_areas (lsoa_code, centre_id) VALUES (?, 'C1'), (?, 'C1'), (?, 'C2')",
                    list(CODES))
        if population:
            con.execute("INSERT INTO population (lsoa_code, period, children_0_4) VALUES "
                        "(?, DATE '2025-06-30', 120), (?, DATE '2025-06-30', 80), (?, DATE '2025-06-30', 95)",
                        list(CODES))
    finally:
        con.close()


@pytest.fixture(params=[False, True], ids=["centres only", "with population"])
def first_days(request, empty_store, monkeypatch):
    _store(empty_store, population=request.param)
    monkeypatch.setenv("REACH_DB", str(empty_store))

    def open_page(page: str) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()
        at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page, request.param


def _words(at) -> str:
    return " ".join(shown([*at.markdown, *at.caption, *at.info, *at.warning, *at.success]))


def test_loaded_data_says_what_each_area_has(empty_store):
    _store(empty_store, population=True)
    con = connect(empty_store)
    try:
        c1 = loaded_data(con, as_at=date(2025, 9, 30), centre_id="C1")
        nowhere = loaded_data(con, as_at=date(2025, 9, 30), centre_id="C9")
    finally:
        con.close()
    assert (c1.lsoas, c1.population, c1.deprivation, c1.births, c1.registrations, c1.contacts) == (
        True, True, False, False, False, False)
    assert c1.missing == ("deprivation", "births", "registrations", "contacts")
    assert not nowhere.lsoas and not nowhere.population


def test_my_centre_says_what_is_not_loaded_rather_than_none(first_days):
    open_page, population = first_days
    at = open_page("views/my_centre.py")
    words = _words(at)
    for false_fact in ("No unmatched births", "every child in the birth data is registered",
                       "None of this reach area is in the 30% most deprived areas", "not yet enough history"):
        assert false_fact not in words
    assert "No birth data has been loaded for Ash Children's Centre's reach area yet, so there is no worklist" in words
    assert "No deprivation data (IDACI deciles) has been loaded for this reach area yet" in words
    assert "No registrations have been loaded yet, so they cannot be shown" in words
    assert "No birth data has been loaded yet, so newborn reach cannot be worked out." in words
    tiles = {metric.label: metric.value for metric in at.metric}
    assert tiles["Unmatched births"] == "–" and tiles["Sustained contact"] == "–"
    heatmap = svg_charts(at)["Unmatched births by month of birth"]
    assert svg_text(heatmap)[-1] == "No birth data has been loaded yet."
    if population:
        assert tiles["Families to find"] == "194"          # ceil(0.97 x 200) - 0 known
        assert "The centre has 194 families to find, living in 2 of its 2 LSOAs." in words
        assert "Of the 200 children under five in Ash Children's Centre's reach area, 0 are known" in words
    else:
        assert tiles["Families to find"] == "–"
        assert ("No population estimate has been loaded for Ash Children's Centre's reach area yet, so reach "
                "and the families to find cannot be worked out.") in words
        assert "No population estimate has been loaded yet, so there is no trend in reach to show." in words
        assert "Indicative band: none yet" in words


def test_the_overview_says_what_is_not_loaded_rather_than_none(first_days):
    open_page, population = first_days
    at = open_page("views/overview.py")
    words = _words(at)
    assert "Nothing stands out" not in words
    assert "No birth data has been loaded yet, so newborn reach cannot be worked out." in words
    tiles = {metric.label: metric.value for metric in at.metric}
    assert tiles["Known children"] == "–"
    if population:
        assert tiles["Families to find"] == "287"          # ceil(0.97 x 295) = ceil(286.15)
        assert tiles["Children under five"] == "295"
    else:
        assert "No population estimate has been loaded for the authority's reach areas yet" in words
        assert "None of the 2 centres has a figure yet" in words
        assert tiles["Families to find"] == "–"

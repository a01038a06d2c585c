"""The Best Start page on the demo authority: words first, then charts and tables with their
downloads, every figure fit to publish."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import save_settings
from data.store import opened
from tests.views.figure_data import svg_charts

PROJECT = Path(__file__).resolve().parents[2]
PAGE = "views/best_start.py"


@pytest.fixture(autouse=True)
def _fresh_caches(fresh_streamlit_caches):
    """Streamlit's caches are emptied before and after each page test."""


def _open(db, monkeypatch) -> AppTest:
    monkeypatch.setenv("REACH_DB", str(db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _latest_gld(db) -> tuple[int, int, int]:
    """The latest assessment year, the children assessed living in a reach area, and those with GLD."""
    with opened(db, read_only=True) as con:
        return con.execute("""
            SELECT assessment_year, count(*), count(*) FILTER (WHERE gld)
            FROM eyfsp JOIN reach_areas USING (lsoa_code)
            WHERE assessment_year = (SELECT max(assessment_year) FROM eyfsp)
            GROUP BY assessment_year""").fetchone()


def test_the_page_says_in_words_first_how_the_authority_stands(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    assert at.title[0].value == "Best Start"
    assert [h.value for h in at.header][:2] == ["In short", "A good level of development at five"]
    year, assessed, gld = _latest_gld(demo_db)
    pct = 100 * gld / assessed
    short = at.markdown[0].value
    assert short.startswith(f"- In the {year - 1}/{str(year)[-2:]} school year, {pct:.1f}% of the "
                            f"{assessed:,} children assessed in the authority reached a good level of development")
    gap = 75 - pct
    assert f"{abs(gap):.1f} points {'below' if gap > 0 else 'above'} the 75% target" in short


def test_the_target_set_in_the_store_is_the_one_measured_against(demo_db, monkeypatch):
    save_settings(demo_db, gld_target_pct=60)
    at = _open(demo_db, monkeypatch)
    year, assessed, gld = _latest_gld(demo_db)
    assert f"{abs(100 * gld / assessed - 60):.1f} points" in at.markdown[0].value
    assert "the 60% target" in at.markdown[0].value


def test_every_table_has_its_download_and_hides_small_counts(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    downloads = [d.proto.label for d in at.get("download_button")]
    # By site, over the years, the FSM gap by year and by site, known early, under two, access.
    assert downloads.count("Download CSV") == len(at.dataframe) == 7
    gld_table = at.dataframe[0].value
    # Published: no shown count of children assessed, or with GLD, is from 1 to 4.
    for column in ("Assessed", "Gld", "assessed", "gld"):
        if column in gld_table:
            shown = [value for value in gld_table[column] if value != "c"]
            assert all(not 1 <= int(str(value).replace(",", "")) <= 4 for value in shown)
    assert len(svg_charts(at)) == 4 and not at.get("plotly_chart")      # drawn as SVG: no Plotly to start
    for table in at.dataframe:
        for column in table.value.columns:
            if column.endswith(("Assessed", "assessed")):
                shown = [value for value in table.value[column] if value not in ("c", "–")]
                assert all(not 1 <= int(str(value).replace(",", "")) <= 4 for value in shown), column


def test_without_results_at_five_the_page_says_what_to_load(empty_store, monkeypatch):
    at = _open(empty_store, monkeypatch)
    said = [i.value for i in at.info]
    assert any("**eyfsp**" in text and "**gld-counts**" in text for text in said)


def test_the_under_two_table_is_the_published_report(demo_db, monkeypatch):
    from reach.queries.publication import published_figures

    at = _open(demo_db, monkeypatch)
    with opened(demo_db, read_only=True) as con:
        centre = published_figures(con, as_at=at.session_state["as_at"]).tables["centre"]
    table = at.dataframe[5].value
    assert list(table.iloc[:, 0]) == list(centre["centre_id"])
    expected = ["c" if isinstance(v, str) else f"{v:.1f}%" for v in centre["reach_under2_pct"]]
    assert list(table["Reach under two %"]) == expected


def _sites_gld(db, year: int) -> dict[str, int]:
    """Each site's children assessed in `year` (from their records), worked out here."""
    with opened(db, read_only=True) as con:
        return dict(con.execute("""
            SELECT ra.centre_id, count(*) FROM eyfsp e JOIN reach_areas ra USING (lsoa_code)
            WHERE e.assessment_year = ? GROUP BY ra.centre_id""", [year]).fetchall())


def test_the_year_chooser_changes_the_by_site_figures(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    with opened(demo_db, read_only=True) as con:
        years = [row[0] for row in con.execute(
            "SELECT DISTINCT assessment_year FROM eyfsp ORDER BY assessment_year DESC").fetchall()]
    chooser = at.selectbox(key="best_start_year")
    assert chooser.value == years[0] and list(chooser.options) == [f"{y - 1}/{str(y)[-2:]}" for y in years]
    before = at.dataframe[0].value
    assert set(before["School year"]) == {f"{years[0] - 1}/{str(years[0])[-2:]}"}
    earlier = years[-1]
    chooser.set_value(earlier).run()
    assert not at.exception, at.exception
    after = at.dataframe[0].value
    assert set(after["School year"]) == {f"{earlier - 1}/{str(earlier)[-2:]}"}
    expected = _sites_gld(demo_db, earlier)
    shown = {site: count for site, count in zip(after["Centre ID"], after["Assessed"]) if count != "c"}
    assert shown and all(int(count.replace(",", "")) == expected[site] for site, count in shown.items())
    assert list(after["Assessed"]) != list(before["Assessed"])
    # The trend keeps every year whichever is chosen.
    trend = at.dataframe[1].value
    assert list(trend["School year"]) == [f"{y - 1}/{str(y)[-2:]}" for y in sorted(years)]


def test_the_trend_and_the_known_early_comparison_are_in_words(demo_db, monkeypatch):
    at = _open(demo_db, monkeypatch)
    headers = [h.value for h in at.header]
    assert "Results at five over the years" in headers
    assert "The gap for children eligible for free school meals" in headers
    said = "\n".join(m.value for m in at.markdown)
    with opened(demo_db, read_only=True) as con:
        first, last = con.execute("""
            SELECT arg_min(p, y), arg_max(p, y) FROM (
                SELECT assessment_year AS y, 100.0 * count(*) FILTER (WHERE gld) / count(*) AS p
                FROM eyfsp JOIN reach_areas USING (lsoa_code) GROUP BY assessment_year)""").fetchone()
    assert f"from {first:.1f}% in " in said and f" to {last:.1f}% in " in said
    assert "children eligible for free school meals were" in said
    assert "children known to a centre before two were" in said
    assert ("This shows that the two go together, not that knowing a family early caused it: families who come "
            "early may differ in other ways.") in said

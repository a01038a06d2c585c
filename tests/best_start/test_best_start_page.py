"""The Best Start page on the demo authority: words first, then charts and tables with their
downloads, every figure fit to publish."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.settings import save_settings
from data.store import opened

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
    assert downloads.count("Download CSV") == len(at.dataframe) == 3
    gld_table = at.dataframe[0].value
    # Published: no shown count of children assessed, or with GLD, is from 1 to 4.
    for column in ("Assessed", "Gld", "assessed", "gld"):
        if column in gld_table:
            shown = [value for value in gld_table[column] if value != "c"]
            assert all(not 1 <= int(str(value).replace(",", "")) <= 4 for value in shown)
    assert len(at.get("plotly_chart")) == 3


def test_without_results_at_five_the_page_says_what_to_load(empty_store, monkeypatch):
    at = _open(empty_store, monkeypatch)
    said = [i.value for i in at.info]
    assert any("**eyfsp**" in text and "**gld-counts**" in text for text in said)


def test_the_under_two_table_is_the_published_report(demo_db, monkeypatch):
    from reach.queries.publication import published_figures

    at = _open(demo_db, monkeypatch)
    with opened(demo_db, read_only=True) as con:
        centre = published_figures(con, as_at=at.session_state["as_at"]).tables["centre"]
    table = at.dataframe[1].value
    assert list(table.iloc[:, 0]) == list(centre["centre_id"])
    expected = ["c" if isinstance(v, str) else f"{v:.1f}%" for v in centre["reach_under2_pct"]]
    assert list(table["Reach under two %"]) == expected

"""The Compare centres page on the demo authority: the league table, the funnel plot and similar
centres, each checked against the statistics they are built from; what it remembers; and what it
says on a store with too little in it to compare."""

import re

import numpy as np
import pandas as pd
import pytest

from data.importers import import_file
from data.store import opened
from reach.domain.comparison import SIMILAR_WITHIN_PTS, deprived_share, flagged
from reach.domain.stats import COMPARISON_WORDS, LIMIT_WORDS, Z_95, compare_with, funnel_limits, limits_passed, \
    wilson_interval
from reach.queries.report import reach_report

from tests.views.figure_data import marks, shown, svg_charts, svg_labels, svg_text

PAGE = "views/compare.py"
NOT_COMPARED = "Not compared: estimate flagged"
WORDS = {"better": "Higher", "similar": "Similar", "worse": "Lower"}


@pytest.fixture
def page(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _reports(db, at):
    with opened(db, read_only=True) as con:
        day = at.date_input(key="as_at").value
        return reach_report(con, as_at=day), reach_report(con, as_at=day, by="authority").iloc[0]


def _text(at) -> str:
    return " ".join(shown([*at.info, *at.warning, *at.markdown, *at.caption]))


def test_the_league_table_ranks_the_sound_centres_with_their_intervals(page, demo_db):
    centres, authority = _reports(demo_db, page)
    doubtful = flagged(centres)
    assert doubtful.sum() == 2                      # the demo has two centres with a fallback estimate
    league = page.dataframe[0].value
    assert len(league) == len(centres)
    sound = centres[~doubtful]
    ranked = league[league["rank"].notna()]
    assert list(ranked["Reach %"]) == sorted(sound["reach_pct"], reverse=True)
    assert list(ranked["rank"]) == list(range(1, len(sound) + 1))
    # The flagged centres come last, unranked, whatever their figure.
    assert set(league["Centre ID"].iloc[-2:]) == set(centres.loc[doubtful, "centre_id"])
    top = sound.sort_values("reach_pct").iloc[-1]
    interval = wilson_interval(top["known_children"], top["children_under5"])
    assert league["Centre ID"].iloc[0] == top["centre_id"]
    assert league["lower_95"].iloc[0] == pytest.approx(interval.lower)
    assert league["upper_95"].iloc[0] == pytest.approx(interval.upper)


def test_a_centre_with_a_flagged_estimate_is_not_ranked_first_or_called_higher(page, demo_db):
    centres, authority = _reports(demo_db, page)
    highest = centres.sort_values("reach_pct").iloc[-1]
    assert bool(highest["denominator_flagged"]) and highest["reach_pct"] > 98    # Hollins Green, 98.3%
    league = page.dataframe[0].value.set_index("Centre ID")
    assert pd.isna(league.loc[highest["centre_id"], "rank"])
    assert league.loc[highest["centre_id"], "comparison"] == NOT_COMPARED
    assert "fallback population figure" in league.loc[highest["centre_id"], "estimate_note"]
    text = _text(page)
    assert "2 are not ranked or compared because their population estimate is flagged" in text
    assert f"Not ranked or compared, because the population estimate is flagged: {highest['centre_name']} (98.3%" \
        in text
    clear = text.split("**Clearly different**")[1].split("**Possibly different**")[0]
    assert highest["centre_name"] not in clear
    chart = svg_charts(page)["Reach by centre"]
    hollow = marks(chart, "flagged")
    assert highest["centre_name"] in [mark["label"] for mark in hollow]
    assert {mark["fill"] for mark in hollow} == {"#FFFFFF"}            # drawn hollow
    assert COMPARISON_WORDS["flagged"] in svg_text(chart)              # and named in the key


def test_each_centre_is_higher_similar_or_lower_in_words(page, demo_db):
    centres, authority = _reports(demo_db, page)
    league = page.dataframe[0].value.set_index("Centre ID")
    for _, row in centres.iterrows():
        expected = compare_with(row["known_children"], row["children_under5"], benchmark_pct=authority["reach_pct"])
        words = NOT_COMPARED if row["denominator_flagged"] else WORDS[expected]
        assert league.loc[row["centre_id"], "comparison"] == words
    legend = set(svg_text(svg_charts(page)["Reach by centre"]))
    assert {COMPARISON_WORDS[c] for c in ["better", "similar", "worse", "flagged"]} <= legend


def test_the_funnel_says_which_centres_are_beyond_the_998_limits(page, demo_db):
    centres, authority = _reports(demo_db, page)
    sound = centres[~flagged(centres)]
    limits = {row["centre_id"]: limits_passed(row["known_children"], row["children_under5"],
                                              benchmark_pct=authority["reach_pct"]) for _, row in sound.iterrows()}
    assert sorted(limits.values()) == ["95"] + ["99.8"] * 8 + ["within"]        # the demo, 30 September 2026
    table = page.dataframe[1].value.set_index("Centre ID")
    for centre_id, passed in limits.items():
        assert table.loc[centre_id, "limits"] == LIMIT_WORDS[passed]
    names = centres.set_index("centre_id")["centre_name"]
    text = next(words for words in shown(page.markdown) if "**Clearly different**" in words)
    clear = text.split("**Clearly different**")[1].split("**Possibly different**")[0]
    possible = text.split("**Possibly different**")[1].split("within the 95% limits")[0]
    for centre_id, passed in limits.items():
        if passed == "99.8":
            assert names[centre_id] in clear and names[centre_id] not in possible
        elif passed == "95":
            assert names[centre_id] in possible and names[centre_id] not in clear
    assert "1 centre is within the 95% limits" in text
    assert "2 centres with a flagged population estimate are not placed against the limits" in text


def test_the_funnel_plot_has_its_limits_the_benchmark_the_97_line_and_labels(page, demo_db):
    centres, authority = _reports(demo_db, page)
    figure = svg_charts(page)["Funnel plot: reach"]
    upper = next(m for m in marks(figure) if m["series"] == "95% limits upper")
    size = float(upper["label"])
    assert upper["value"] == pytest.approx(funnel_limits(authority["reach_pct"], np.array([size]), z=Z_95)[1][0])
    assert size > centres["children_under5"].max()
    names = set(svg_text(figure))
    assert f"All centres: {authority['reach_pct']:.1f}%" in names
    assert "Outstanding from 97%" in names and "99.8% limits" in names
    markers = [m for m in marks(figure) if m["series"] in COMPARISON_WORDS]
    assert len(markers) == len(centres)
    # Labelled: the 9 beyond the 95% limits, the 2 not compared, and the centre picked out
    # (the first, Lowther Park, itself beyond the 95% limits): 11 labels, short names.
    labels = svg_labels(figure)
    assert len(labels) == 11
    assert "Canal Street" in labels and "Hollins Green" in labels and "Lowther Park" in labels
    assert all(len(label) <= 20 for label in labels)


def test_chart_titles_are_short_enough_not_to_be_cut(page):
    for key in ["reach", "newborn_reach", "sustained"]:
        page.selectbox(key="measure").select(key).run()
        assert not page.exception
        titles = list(svg_charts(page))
        assert len(titles) == 3
        assert all(len(title) <= 32 for title in titles), titles


def test_choosing_sustained_contact_changes_the_figures_and_drops_the_97_line(page, demo_db):
    page.selectbox(key="measure").select("sustained").run()
    assert not page.exception
    centres, authority = _reports(demo_db, page)
    figure = svg_charts(page)["Funnel plot: sustained contact"]
    names = set(svg_text(figure))
    assert f"All centres: {authority['sustained_pct']:.1f}%" in names
    assert not any(name.startswith("Outstanding") for name in names)
    league = page.dataframe[0].value
    ranked = league[league["rank"].notna()]
    assert list(ranked["Sustained %"]) == sorted(centres.loc[~flagged(centres), "sustained_pct"], reverse=True)


def test_similar_centres_are_only_those_serving_similar_areas(page, demo_db):
    centres, _ = _reports(demo_db, page)
    centres = centres.assign(share=deprived_share(centres))
    for chosen in [centres["centre_id"].iloc[5], "DEMO01"]:
        page.selectbox(key="similar_centre").select(chosen).run()
        assert not page.exception
        own = centres.set_index("centre_id").loc[chosen, "share"]
        others = centres[centres["centre_id"] != chosen]
        others = others.assign(gap=(others["share"] - own).abs())
        nearest = others[others["gap"] <= SIMILAR_WITHIN_PTS].sort_values(["gap", "centre_name"]).head(4)
        similar = page.dataframe[2].value
        assert list(similar["Centre ID"]) == [chosen, *nearest["centre_id"]]
        assert similar["difference_pts"].max() <= SIMILAR_WITHIN_PTS
        bars = marks(svg_charts(page)["Reach: similar areas"], "Reach")
        assert bars[0]["label"].endswith("(chosen)")
        assert bars[0]["value"] == pytest.approx(centres.set_index("centre_id").loc[chosen, "reach_pct"])
    # Lowther Park (34% of its under-fives in the most deprived areas): only Thornley (43%) is
    # within 10 points; Hollins Green (9%) is not similar, and the page says how few there are.
    assert list(page.dataframe[2].value["Centre ID"]) == ["DEMO01", "DEMO02"]
    assert ("Only 1 centre serves areas like Lowther Park Children's Centre's, with a share of under-fives in "
            "the most deprived areas within 10 points of its 34%: Thornley Family Hub (43%).") in _text(page)


def test_opening_compare_remembers_no_centre_so_the_map_opens_on_all_centres(page):
    assert not any(key in page.session_state for key in ["centre_id", "chosen_centre", "last_single_centre"])
    page.switch_page("views/map.py").run()
    assert not page.exception
    assert page.selectbox(key="map_centre").value == "All centres"


def test_a_centre_chosen_on_compare_is_where_compare_opens_next_time(page):
    page.selectbox(key="similar_centre").select("DEMO07").run()
    assert page.session_state["last_single_centre"] == "DEMO07"
    assert "centre_id" not in page.session_state
    page.switch_page("views/overview.py").run()
    page.switch_page(PAGE).run()
    assert not page.exception
    assert page.selectbox(key="similar_centre").value == "DEMO07"
    assert "Riverside" in svg_labels(svg_charts(page)["Funnel plot: reach"])


# --- a store with too little in it --------------------------------------------------------------

def _no_nan_and_no_funnel(at):
    text = _text(at)
    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    assert "Every centre is" not in text and "within the 95% limits" not in text
    assert not [title for title in svg_charts(at) if title.startswith("Funnel")]
    return text


def test_an_empty_store_says_there_are_no_centres_and_draws_nothing(empty_store_page):
    at = empty_store_page(PAGE)
    text = _no_nan_and_no_funnel(at)
    assert "There are no centres yet" in text
    assert not svg_charts(at)


def _write(folder, name, lines):
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def centres_only(empty_store, tmp_path):
    """Two centres and their reach areas: no population, births, registrations or deprivation."""
    import_file("centres", _write(tmp_path, "centres.csv", ["centre_id,name", "C1,Ash Centre", "C2,Birch Hub"]),
                db=empty_store)
    import_file("reach-areas", _write(tmp_path, "areas.csv", ["lsoa_code,centre_id", "E01000001,C1",
                                                             "E01000002,C2"]), db=empty_store)
    return empty_store


def test_centres_without_a_population_are_not_compared_and_the_page_says_what_to_load(
        centres_only, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from tests.views.conftest import PROJECT

    monkeypatch.setenv("REACH_DB", str(centres_only))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    text = _no_nan_and_no_funnel(at)
    assert "No children under five are recorded in any reach area yet" in text
    assert "Load the population estimates" in text
    assert not svg_charts(at) and not at.dataframe

    # With a population but no registrations: no "0%" league, but what to load next.
    import_file("population", _write(tmp_path, "population.csv", [
        "lsoa_code,children_0_4,period", "E01000001,120,2025-06-30", "E01000002,80,2025-06-30"]), db=centres_only)
    at.run()
    assert not at.exception, at.exception
    text = _no_nan_and_no_funnel(at)
    assert "No children are known to any centre as at this date" in text
    assert "Load the centres' registrations" in text
    # Similar centres cannot be matched without the deprivation deciles, and the page says so
    # rather than calling every centre similar at 0%.
    assert "The deprivation deciles (IDACI) are not loaded yet" in text
    assert not svg_charts(at)

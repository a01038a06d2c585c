"""The Compare centres page on the demo authority: the league table, the funnel plot and similar
centres, each checked against the statistics they are built from."""


import numpy as np
import pytest

from data.store import opened
from reach.domain.comparison import deprived_share
from reach.domain.stats import COMPARISON_WORDS, Z_95, compare_with, funnel_limits, wilson_interval
from reach.queries.report import reach_report

from tests.views.figure_data import charts, values

PAGE = "views/compare.py"


@pytest.fixture
def page(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _reports(db, at):
    with opened(db, read_only=True) as con:
        day = at.date_input(key="as_at").value
        return reach_report(con, as_at=day), reach_report(con, as_at=day, by="authority").iloc[0]


def test_the_league_table_ranks_every_centre_with_its_interval(page, demo_db):
    centres, authority = _reports(demo_db, page)
    league = page.dataframe[0].value
    assert len(league) == len(centres)
    assert list(league["Reach %"]) == sorted(centres["reach_pct"], reverse=True)
    top = centres.sort_values("reach_pct").iloc[-1]
    interval = wilson_interval(top["known_children"], top["children_under5"])
    assert league["lower_95"].iloc[0] == pytest.approx(interval.lower)
    assert league["upper_95"].iloc[0] == pytest.approx(interval.upper)


def test_each_centre_is_better_similar_or_worse_in_words(page, demo_db):
    centres, authority = _reports(demo_db, page)
    league = page.dataframe[0].value.set_index("Centre ID")
    for _, row in centres.iterrows():
        expected = compare_with(row["known_children"], row["children_under5"], benchmark_pct=authority["reach_pct"])
        assert league.loc[row["centre_id"], "comparison"] == expected
    legend = {t["name"] for t in charts(page)["Reach by centre, with 95% intervals"]["data"]}
    shown = set(league["comparison"])
    assert {COMPARISON_WORDS[c] for c in shown} <= legend


def test_the_funnel_plot_has_its_limits_the_benchmark_and_the_97_line(page, demo_db):
    centres, authority = _reports(demo_db, page)
    figure = charts(page)["Funnel plot: reach against the number of children under five"]
    upper = next(t for t in figure["data"] if t.get("meta") == "95% limits upper")
    sizes = np.array(values(upper["x"]))
    assert np.allclose(values(upper["y"]), funnel_limits(authority["reach_pct"], sizes, z=Z_95)[1])
    assert sizes.max() > centres["children_under5"].max()
    names = {t["name"] for t in figure["data"]}
    assert f"All centres: {authority['reach_pct']:.1f}%" in names
    assert "Outstanding from 97%" in names and "99.8% limits" in names
    markers = [t for t in figure["data"] if t["name"] in COMPARISON_WORDS.values()]
    assert sum(len(values(t["x"])) for t in markers) == len(centres)


def test_choosing_sustained_contact_changes_the_figures_and_drops_the_97_line(page, demo_db):
    page.selectbox(key="measure").select("sustained").run()
    assert not page.exception
    centres, authority = _reports(demo_db, page)
    figure = charts(page)["Funnel plot: sustained contact against the number of children under five"]
    names = {t["name"] for t in figure["data"]}
    assert f"All centres: {authority['sustained_pct']:.1f}%" in names
    assert not any(name.startswith("Outstanding") for name in names)
    league = page.dataframe[0].value
    assert list(league["Sustained %"]) == sorted(centres["sustained_pct"], reverse=True)


def test_similar_centres_are_the_closest_by_deprivation(page, demo_db):
    centres, _ = _reports(demo_db, page)
    chosen = centres["centre_id"].iloc[5]
    page.selectbox(key="similar_centre").select(chosen).run()
    assert not page.exception
    assert page.session_state["centre_id"] == chosen
    centres = centres.assign(share=deprived_share(centres))
    own = centres.set_index("centre_id").loc[chosen, "share"]
    others = centres[centres["centre_id"] != chosen].assign(gap=lambda f: (f["share"] - own).abs())
    nearest = others.sort_values(["gap", "centre_name"]).head(4)
    similar = page.dataframe[2].value
    assert list(similar["Centre ID"]) == [chosen, *nearest["centre_id"]]
    bar = charts(page)["Reach: centres serving similarly deprived areas"]["data"][0]
    assert bar["y"][0].endswith("(chosen)")
    assert values(bar["x"])[0] == pytest.approx(centres.set_index("centre_id").loc[chosen, "reach_pct"])

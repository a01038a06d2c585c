"""The Overview page on the demo authority: the headline figures, the bands, the trend, the lag
and what needs attention first, checked against the report itself."""


import pytest

from data.store import opened
from reach.domain.breakdowns import band_counts
from reach.domain.measures import Bands, ReportOptions
from reach.presentation import format as fmt
from reach.presentation.attention_sentences import needs_attention
from reach.queries.report import reach_report

from tests.views.figure_data import marks, shown, svg_charts, svg_text

PAGE = "views/overview.py"


def metrics(at) -> dict:
    return {metric.label: metric.value for metric in at.metric}


@pytest.fixture
def overview(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _report(db, at, by, bands=Bands()):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=at.date_input(key="as_at").value, by=by,
                            options=ReportOptions(bands=bands))


def test_the_headline_is_the_authoritys_report(overview, demo_db):
    whole = _report(demo_db, overview, "authority").iloc[0]
    shown = metrics(overview)
    assert shown["Reach"] == fmt.percent(whole["reach_pct"])
    assert shown["Newborn reach"] == fmt.percent(whole["newborn_reach_pct"])
    assert shown["Known children"] == fmt.count(whole["known_children"])
    assert shown["Children under five"] == fmt.count(whole["children_under5"])
    assert shown["Families to find"] == fmt.count(whole["families_to_find"])
    sentence = f"{fmt.count(whole['known_children'])} are known: a reach of {fmt.percent(whole['reach_pct'])}"
    assert any(sentence in block.value for block in overview.markdown)


def test_centres_by_band_in_words_and_numbers(overview, demo_db):
    counts = band_counts(_report(demo_db, overview, "centre"))
    bars = marks(svg_charts(overview)["Centres by indicative band"])
    assert [bar["value"] for bar in bars] == list(counts["centres"])
    assert bars[1]["label"] == "good (65% to 97%)"
    assert bars[1]["hover"] == f"good (65% to 97%): {counts['centres'].iloc[1]} centres"
    table = overview.dataframe[1].value
    assert list(table["centres"]) == list(counts["centres"])
    assert any(block.value.startswith(f"Of {counts['centres'].sum()} centres,") for block in overview.markdown)


def test_the_trend_covers_three_years_with_the_band_lines(overview, demo_db):
    chart = svg_charts(overview)["Reach by month, all centres"]
    points = marks(chart, "Reach")
    assert len(points) == 36
    whole = _report(demo_db, overview, "authority").iloc[0]
    assert points[-1]["value"] == pytest.approx(whole["reach_pct"])
    assert points[-1]["hover"] == f"Reach, {overview.date_input(key='as_at').value:%d %b %Y}: {whole['reach_pct']:.1f}%"
    assert sorted(line["value"] for line in marks(chart) if line["series"].endswith("%")) == [65.0, 97.0]
    assert {"Outstanding from 97%", "Good from 65%", "Reach"} <= set(svg_text(chart))     # the key


def test_birth_data_lag_in_words(overview, demo_db):
    whole = _report(demo_db, overview, "authority").iloc[0]
    assert metrics(overview)["Days since birth data last arrived"] == fmt.days(whole["birth_data_lag_days"])
    assert any(block.value.startswith("The latest birth data arrived") for block in overview.markdown)


def test_what_needs_attention_first_is_the_ranked_list(overview, demo_db):
    centres = _report(demo_db, overview, "centre")
    authority = _report(demo_db, overview, "authority")
    expected = needs_attention(centres, authority, bands=Bands(), as_at=overview.date_input(key="as_at").value)
    table = overview.dataframe[0].value
    assert list(table["concern"]) == list(expected["concern"])
    assert list(table["message"]) == list(expected["message"])
    lowest = centres.sort_values("reach_pct").iloc[0]
    listed = next(text for text in shown(overview.markdown) if text.startswith("1. "))
    assert lowest["centre_name"] in listed


def test_band_thresholds_from_the_sidebar_move_the_lines_and_the_counts(overview, demo_db):
    overview.number_input(key="band_outstanding").set_value(90.0).run()
    assert not overview.exception
    chart = svg_charts(overview)["Reach by month, all centres"]
    assert sorted(line["value"] for line in marks(chart) if line["series"].endswith("%")) == [65.0, 90.0]
    bands = Bands(outstanding=90.0)
    counts = band_counts(_report(demo_db, overview, "centre", bands=bands))
    assert [bar["value"] for bar in marks(svg_charts(overview)["Centres by indicative band"])] == \
        list(counts["centres"])


def test_a_different_date_gives_that_dates_figures(overview, demo_db):
    earlier = overview.date_input(key="as_at").value.replace(day=1)
    overview.date_input(key="as_at").set_value(earlier).run()
    assert not overview.exception
    whole = _report(demo_db, overview, "authority").iloc[0]
    assert metrics(overview)["Known children"] == fmt.count(whole["known_children"])

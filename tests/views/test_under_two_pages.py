"""Reach under two beside reach under five on the Overview and My centre, on the demo authority:
the tiles and the sentence say what the report says, and an estimated number of children under
two is said in words."""

from __future__ import annotations

from data.store import opened
from reach.presentation import format as fmt
from reach.queries.report import reach_report


def _metrics(at) -> dict:
    return {metric.label: metric.value for metric in at.metric}


def _report(db, at, by):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=at.date_input(key="as_at").value, by=by)


def test_the_overview_shows_reach_under_two_beside_reach(app, demo_db):
    app.switch_page("views/overview.py").run()
    assert not app.exception, app.exception
    whole = _report(demo_db, app, "authority").iloc[0]
    shown = _metrics(app)
    assert shown["Reach under two"] == fmt.percent(whole["reach_under2_pct"])
    assert shown["Families to find under two"] == fmt.count(whole["families_to_find_under2"])
    labels = [metric.label for metric in app.metric]
    assert labels.index("Reach under two") > labels.index("Reach")
    sentence = (f"Of the {fmt.count(whole['children_under2'])} children under two in the authority's reach areas, "
                f"{fmt.count(whole['known_under2'])} are known: a reach under two of "
                f"{fmt.percent(whole['reach_under2_pct'])}.")
    blocks = [block.value for block in app.markdown]
    assert any(sentence in block for block in blocks)
    # Two demo LSOAs have no estimate, so part of the figure is estimated, and the page says how.
    assert bool(whole["under2_estimated"])
    assert any("as two fifths of the under-fives" in block for block in blocks)


def test_my_centre_shows_the_centres_reach_under_two(app, demo_db):
    app.switch_page("views/my_centre.py").run()
    assert not app.exception, app.exception
    centres = _report(demo_db, app, "centre").set_index("centre_id")
    chosen = centres.index[2]
    app.selectbox(key="centre").select(chosen).run()
    assert not app.exception, app.exception
    row = centres.loc[chosen]
    shown = _metrics(app)
    assert shown["Reach under two"] == fmt.percent(row["reach_under2_pct"])
    assert shown["Families to find under two"] == fmt.count(row["families_to_find_under2"])
    assert any(f"{fmt.count(row['known_under2'])} are known: a reach under two of" in block.value
               for block in app.markdown)


def test_compare_offers_reach_under_two_and_does_not_rank_an_estimated_figure(app, demo_db):
    app.switch_page("views/compare.py").run()
    app.selectbox(key="measure").select("reach_under2").run()
    assert not app.exception, app.exception
    whole = _report(demo_db, app, "authority").iloc[0]
    centres = _report(demo_db, app, "centre")
    blocks = [block.value for block in app.markdown]
    assert any(f"({fmt.count(whole['known_under2'])} of {fmt.count(whole['children_under2'])} children under two)"
               in block for block in blocks)
    league = app.dataframe[0].value
    estimated = set(centres.loc[centres["under2_estimated"] | centres["denominator_flagged"], "centre_name"])
    not_compared = set(league.loc[league["comparison"].str.startswith("Not compared"), "Centre"])
    assert estimated and not_compared == estimated


def test_what_if_shows_the_under_twos_beside_the_headline(app, demo_db):
    from reach.domain.months import add_months
    from reach.domain.whatif import UNDER_TWO_SPAN_MONTHS, project_to
    from reach.queries.calibration import calibrate, known_share_by_age_under_two

    app.switch_page("views/whatif.py").run()
    assert not app.exception, app.exception
    as_at = app.date_input(key="as_at").value
    whole = _report(demo_db, app, "authority").iloc[0]
    shown = _metrics(app)
    assert shown["Reach under two now"] == fmt.percent(whole["reach_under2_pct"])
    until = add_months(as_at, 12)
    with opened(demo_db, read_only=True) as con:
        scenario = calibrate(con, as_at=as_at).scenario()
        by_age = known_share_by_age_under_two(con, as_at=as_at, under_two=float(whole["children_under2"]))
    expected = project_to(scenario=scenario, known=int(whole["known_under2"]),
                          under_five=float(whole["children_under2"]), start=as_at, until=until,
                          known_share_by_age=by_age, age_span_months=UNDER_TWO_SPAN_MONTHS)
    assert shown[f"Under two in {until:%B %Y}"] == fmt.percent(expected.reach_at_until)
    assert shown["Under two in the long run"] == fmt.percent(expected.steady_state_pct)

"""What if on the demo authority: every headline figure that moves has words saying why, and the
month-by-month chart and table show the under-twos too (family hubs work from conception to two)."""

import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.store import opened
from reach.presentation import format as fmt
from reach.queries.calibration import calibrate, under_two_projection
from reach.queries.report import reach_reports

from tests.views.figure_data import downloaded, marks, shown, svg_charts, svg_text

PAGE = "views/whatif.py"


def _open(app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _month_by_month_svg(at):
    return next(chart for title, chart in svg_charts(at).items() if title.endswith("month by month"))


def _under_two_path(db, at, sharing_months):
    """The model's own path for the under-twos (the query the opening figures store), independently of the page."""
    as_at, until = at.date_input(key="as_at").value, at.date_input(key="whatif_until").value
    report = at.session_state["settings"]
    with opened(db, read_only=True) as con:
        calibration = calibrate(con, as_at=as_at, centre_id=None)
        whole = reach_reports(con, as_at=as_at, options=report.options)["authority"].iloc[0]
        scenario = calibration.scenario()
        return under_two_projection(con, scenario=replace(scenario, sharing_months=sharing_months),
                                    known=int(whole["known_under2"]), under_two=float(whole["children_under2"]),
                                    start=as_at, until=until)


def test_the_under_two_fall_is_explained_and_every_moving_tile_has_words(app, demo_db):
    at = _open(app)
    at.radio(key="whatif_sharing").set_value("quarterly").run()
    expected = _under_two_path(demo_db, at, 3)
    now, then = fmt.percent(expected.path[0]["reach_pct"]), fmt.percent(expected.reach_at_until)
    assert expected.reach_at_until < expected.path[0]["reach_pct"]          # the fall the issue found
    tiles = {metric.label: metric.value for metric in at.metric}
    until = at.date_input(key="whatif_until").value
    assert tiles["Reach under two now"] == now and tiles[f"Under two in {until:%B %Y}"] == then
    text = " ".join(shown(at.markdown))
    assert (f"Reach under two falls from {now} today to {then} in {until:%B %Y} because these settings would hold "
            f"it at about {fmt.percent(expected.steady_state_pct)} in the long run, below today's figure") in text
    # The under-fives' move from today (82.6% to 83.5%) is given its reason too.
    assert (f"Reach rises from {tiles['Reach now']} today to {tiles[f'Reach in {until:%B %Y}']} in {until:%B %Y} "
            "because") in text


def test_the_month_by_month_chart_and_table_show_the_under_twos_when_chosen(app, demo_db, media):
    at = _open(app)
    assert _month_by_month_svg(at).get("data-title") == "Reach month by month"
    at.button_group(key="whatif_paths_ages").set_value("Under-twos").run()
    assert not at.exception, at.exception
    chart = _month_by_month_svg(at)
    assert chart.get("data-title") == "Reach under two month by month"
    assert "Share of under-twos known" in svg_text(chart)
    assert [m["value"] for m in marks(chart, "Monthly (chosen)")] == [p["reach_pct"] for p in _under_two_path(
        demo_db, at, 1).path]
    expected = _under_two_path(demo_db, at, 1)
    table = next(frame.value for frame in at.dataframe if "reach_pct_monthly" in frame.value.columns)
    assert table["reach_pct_monthly"].iloc[0] == expected.path[0]["reach_pct"]
    assert list(table["reach_pct_monthly"]) == [point["reach_pct"] for point in expected.path]
    csv = downloaded(at, media, "whatif_paths")
    assert "under2" in csv.filename
    assert pd.read_csv(io.BytesIO(csv.content))["reach_pct_monthly"].round(6).tolist() == \
        [round(point["reach_pct"], 6) for point in expected.path]
    # Back to the under-fives: the page's first chart again.
    at.button_group(key="whatif_paths_ages").set_value("Under-fives").run()
    assert _month_by_month_svg(at).get("data-title") == "Reach month by month"


def _query(at) -> dict:
    return {name: (value[-1] if isinstance(value, list) else value) for name, value in at.query_params.items()}


def test_the_shared_link_carries_the_under_twos_and_opens_on_them(app, demo_db, monkeypatch):
    at = _open(app)
    assert "children" not in _query(at)                 # the under-fives: the page's own default, not written
    at.button_group(key="whatif_paths_ages").set_value("Under-twos").run()
    link = _query(at)
    assert link["children"] == "under2" and "children=under2" in at.code[0].value
    # Opened in a fresh session, the link shows the same chart as the sender's.
    monkeypatch.setenv("REACH_DB", str(demo_db))
    fresh = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "dashboard.py"), default_timeout=60)
    fresh.run()
    for name, value in link.items():
        fresh.query_params[name] = value
    fresh.switch_page(PAGE).run()
    assert not fresh.exception and not fresh.warning
    assert fresh.button_group(key="whatif_paths_ages").value == "Under-twos"
    assert _month_by_month_svg(fresh).get("data-title") == "Reach under two month by month"


def test_a_bad_children_value_in_a_link_is_set_aside_with_a_warning(app):
    app.query_params["children"] = "teenagers"
    at = _open(app)
    assert [text for text in shown(at.warning) if "children" in text] == [
        "The link's children value 'teenagers' is not under5 or under2, so it was ignored."]
    assert at.button_group(key="whatif_paths_ages").value == "Under-fives"

"""The What-if page on the demo authority: figures from the calibrated model, the settings and
what they change, every sharing option side by side, and the shareable link."""

import base64
import io
import json
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from cli.whatif import whatif_result
from data.store import opened
from reach.domain.months import add_months
from reach.domain.whatif import SHARING_OPTIONS, projections_by_sharing, steady_state_reach
from reach.presentation.safe_text import markdown_shown
from reach.presentation.whatif_settings import AUTHORITY, SHARING_LABELS, choices_from, query_string
from reach.queries.calibration import calibrate, current_position, known_share_by_age

from tests.views.conftest import PROJECT
from tests.views.figure_data import downloaded, marks, shown, svg_charts, svg_text

PAGE = "views/whatif.py"
RIVERSIDE = "DEMO07"


def _open(at):
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def _values(array) -> list:
    """A plotly array from the figure's JSON, plain or packed as typed binary."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).tolist()
    return list(array)


def _charts(at) -> dict:
    """The long-run and month-by-month charts (inline SVG), by what they show."""
    found = svg_charts(at)
    assert len(found) == 2 and not at.get("plotly_chart")       # no Plotly: the page opens without its code
    return {"long_run": found["Long-run reach, by sharing"],
            "paths": next(chart for title, chart in found.items() if title.endswith("month by month"))}


def _table(at, column: str):
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def _summary(at) -> str:
    return shown(at.markdown)[0]


def _as_at(at) -> date:
    return at.date_input(key="as_at").value


def _calibration(db, as_at, centre_id=None):
    with opened(db, read_only=True) as con:
        return calibrate(con, as_at=as_at, centre_id=centre_id)


def _query(at) -> dict:
    return {name: (value[-1] if isinstance(value, list) else value) for name, value in at.query_params.items()}


def _projections(db, as_at, scenario, until):
    with opened(db, read_only=True) as con:
        known, under_five = current_position(con, as_at=as_at, centre_id=None)
        by_age = known_share_by_age(con, as_at=as_at, centre_id=None)
    return projections_by_sharing(scenario=scenario, known=known, under_five=under_five, start=as_at, until=until,
                                  known_share_by_age=by_age)


def _lines(chart) -> dict:
    """Each sharing option's line: its points' months (`x`) and figures (`y`)."""
    found = {}
    for name, label in SHARING_LABELS.items():
        points = [m for m in marks(chart) if m["series"] in (label, f"{label} (chosen)")]
        found[name] = {"x": [m["label"] for m in points], "y": [m["value"] for m in points]}
    return found


def _bars(chart) -> dict:
    """The long-run bars: their labels (`x`) and figures (`y`)."""
    bars = marks(chart, "bars")
    return {"x": [m["label"] for m in bars], "y": [m["value"] for m in bars]}


def test_the_long_run_figures_are_the_model_for_the_calibrated_scenario(app, demo_db):
    at = _open(app)
    calibrated = _calibration(demo_db, _as_at(at)).scenario()
    expected = [100 * steady_state_reach(replace(calibrated, sharing_months=months))
                for months in SHARING_OPTIONS.values()]
    table = _table(at, "long_run_reach_pct")
    assert list(table["sharing_option"]) == list(SHARING_OPTIONS)
    assert table["long_run_reach_pct"].tolist() == pytest.approx(expected, abs=1e-9)
    bars = _bars(_charts(at)["long_run"])
    assert _values(bars["y"]) == pytest.approx(expected, abs=1e-9)
    # The demo's birth records come monthly: the page starts there, and says the value is from the data.
    assert at.radio(key="whatif_sharing").value == "monthly"
    assert bars["x"][0] == "Monthly (chosen)"
    assert any(text.startswith("From the data. The 24 deliveries of birth records") for text in shown(at.caption))
    assert at.metric[2].value == f"{expected[0]:.1f}%"


def test_the_page_opens_on_the_whole_authority_a_year_ahead(app, demo_db):
    at = _open(app)
    as_at = _as_at(at)
    assert at.selectbox(key="whatif_centre").value == AUTHORITY
    assert at.date_input(key="whatif_until").value == add_months(as_at, 12)
    with opened(demo_db, read_only=True) as con:
        known, under_five = current_position(con, as_at=as_at, centre_id=None)
    assert at.metric[0].value == f"{100 * known / under_five:.1f}%"
    # The headline names today's sharing (monthly, from the data) and where it takes reach.
    calibration = _calibration(demo_db, as_at)
    expected = _projections(demo_db, as_at, calibration.scenario(), add_months(as_at, 12))["monthly"]
    assert _summary(at) == (f"**With birth data shared monthly, as today, reach in the authority would rise from "
                            f"{100 * known / under_five:.1f}% today to {expected.reach_at_until:.1f}% in "
                            f"{add_months(as_at, 12):%B %Y}.**")
    assert not at.metric[1].delta               # nothing changed: no arrow, never a green "+0.0"


def test_the_centre_chosen_on_another_page_is_the_default(app):
    app.session_state["chosen_centre"] = RIVERSIDE          # what `common.remember_centre` keeps
    at = _open(app)
    assert at.selectbox(key="whatif_centre").value == RIVERSIDE
    assert "Riverside Children's Centre" in _summary(at)


def test_opening_the_page_remembers_no_centre_but_choosing_one_does(app):
    at = _open(app)
    assert "chosen_centre" not in at.session_state
    at.selectbox(key="whatif_centre").select(RIVERSIDE).run()
    assert at.session_state["chosen_centre"] == RIVERSIDE
    at.selectbox(key="whatif_centre").select(AUTHORITY).run()
    assert at.session_state["chosen_centre"] is None            # the whole authority, chosen
    assert at.session_state["last_single_centre"] == RIVERSIDE  # what My centre and Compare open on


def test_a_links_centre_wins_over_the_remembered_one_and_is_not_remembered(app):
    app.session_state["chosen_centre"] = "DEMO01"
    app.query_params["centre"] = RIVERSIDE
    at = _open(app)
    assert at.selectbox(key="whatif_centre").value == RIVERSIDE
    assert at.session_state["chosen_centre"] == "DEMO01"


def test_changing_sharing_and_contact_changes_the_summary_and_the_figures(app, demo_db):
    at = _open(app)
    calibration = _calibration(demo_db, _as_at(at))
    at.radio(key="whatif_sharing").set_value("quarterly").run()
    assert _summary(at).startswith("**Sharing birth data quarterly instead of monthly (today's sharing) would take "
                                   "reach in the authority from ")
    assert _bars(_charts(at)["long_run"])["x"][1] == "Quarterly (chosen)"
    assert any(text.startswith("Changed here. It started at monthly (from the data)") for text in shown(at.caption))

    at.radio(key="whatif_sharing").set_value("monthly").run()
    before = _values(_lines(_charts(at)["paths"])["monthly"]["y"])
    at.slider(key="whatif_contact").set_value(99.0).run()
    assert not at.exception, at.exception
    assert _summary(at).startswith(f"**With contact success at 99% instead of {choices_from(calibration).contact:g}% "
                                   "(from the data), reach in the authority would rise from ")
    untouched = _projections(demo_db, _as_at(at), calibration.scenario(), add_months(_as_at(at), 12))["monthly"]
    assert f", against {untouched.reach_at_until:.1f}% as things are: " in _summary(at)
    assert _summary(at).endswith(" points higher.**")
    assert at.metric[1].delta.endswith(" points") and at.metric[1].delta.startswith("+")
    after = _values(_lines(_charts(at)["paths"])["monthly"]["y"])
    assert after[0] == pytest.approx(before[0])                     # today does not change
    assert all(a > b for a, b in zip(after[1:], before[1:]))         # every later month is higher
    scenario = replace(calibration.scenario(), contact_rate=0.99)
    long_run = 100 * steady_state_reach(scenario)
    assert _table(at, "long_run_reach_pct")["long_run_reach_pct"].iloc[0] == pytest.approx(long_run, abs=1e-9)
    assert at.metric[2].value == f"{long_run:.1f}%"
    settings = _table(at, "starting_value").set_index("parameter").loc["Contact success"]
    assert (settings["value"], settings["origin"]) == ("99%", "chosen here")


def test_the_path_chart_has_a_line_per_sharing_option_to_the_inspection_date(app):
    at = _open(app)
    at.date_input(key="whatif_until").set_value(date(2028, 3, 31)).run()
    figure = _charts(at)["paths"]
    lines = _lines(figure)
    assert all(len(line["y"]) == 19 for line in lines.values())
    assert list(lines) == list(SHARING_OPTIONS)
    table = _table(at, "reach_pct_monthly")
    assert len(table) == 19 and table["month"].iloc[-1] == "2028-03"      # Sep 2026 to Mar 2028
    for name, line in lines.items():
        assert _values(line["y"]) == pytest.approx(table[f"reach_pct_{name}"].tolist(), abs=1e-9)
    assert line["x"][-1] == "2028-03-31"
    names = svg_text(figure)                                          # the key
    assert "Outstanding from 97%" in names and "Inspection date: 31 March 2028" in names
    assert "in March 2028" in _summary(at)


def test_every_table_has_a_csv_download(app):
    at = _open(app)
    keys = [button.key for button in at.get("download_button")]
    assert keys == ["download_whatif_steady", "download_whatif_paths", "download_whatif_calibration"]


def test_choosing_another_centre_starts_its_settings_from_its_own_data(app, demo_db):
    at = _open(app)
    at.slider(key="whatif_contact").set_value(99.0).run()
    at.selectbox(key="whatif_centre").select(RIVERSIDE).run()
    riverside = choices_from(_calibration(demo_db, _as_at(at), RIVERSIDE))
    assert at.slider(key="whatif_contact").value == riverside.contact
    assert at.slider(key="whatif_other").value == riverside.other
    assert _query(at)["centre"] == RIVERSIDE


def test_start_again_puts_back_the_datas_values(app, demo_db):
    at = _open(app)
    start = choices_from(_calibration(demo_db, _as_at(at)))
    assert at.button(key="whatif_reset").disabled
    at.radio(key="whatif_sharing").set_value("annual").run()
    at.toggle(key="whatif_arrivals").set_value(False).run()
    at.button(key="whatif_reset").click().run()
    assert at.radio(key="whatif_sharing").value == start.sharing
    assert at.toggle(key="whatif_arrivals").value is start.arrivals


def test_the_link_round_trips_the_scenario(app):
    link = {"centre": RIVERSIDE, "as_at": "2026-09-30", "until": "2028-03-31", "sharing": "6-monthly",
            "contact": "97.5", "other": "3", "churn": "0.5", "delay": "2", "arrivals": "no"}
    for name, value in link.items():
        app.query_params[name] = value
    at = _open(app)
    assert not at.warning
    assert at.selectbox(key="whatif_centre").value == RIVERSIDE
    assert at.date_input(key="whatif_until").value == date(2028, 3, 31)
    assert at.radio(key="whatif_sharing").value == "6-monthly"
    assert [at.slider(key=f"whatif_{name}").value for name in ("contact", "other", "churn", "delay")] == [
        97.5, 3.0, 0.5, 2.0]
    assert at.toggle(key="whatif_arrivals").value is False
    assert _summary(at).startswith("**Sharing birth data every six months instead of monthly (today's sharing), "
                                   "with contact success at 97.5% instead of ")
    assert "the birth data holding births only instead of including families who move in (from the data), would " \
           "take reach in Riverside" in _summary(at)
    assert " as things are: " in _summary(at)
    # The page writes the same scenario back, and shows it as a link to copy.
    assert _query(at) == link
    assert at.code[0].value.endswith(query_string(link))
    # A change is written to the link straight away.
    at.radio(key="whatif_sharing").set_value("monthly").run()
    assert _query(at)["sharing"] == "monthly"
    assert "sharing=monthly" in at.code[0].value


def test_bad_link_values_are_ignored_with_a_warning_not_an_exception(app, demo_db):
    for name, value in {"centre": "NOWHERE", "until": "next-year", "sharing": "weekly", "contact": "lots",
                        "churn": "0.5"}.items():
        app.query_params[name] = value
    at = _open(app)
    warnings = shown(at.warning)
    assert warnings == [
        "The link's centre value 'NOWHERE' is not a centre ID in this data or 'authority', so it was ignored.",
        "The link's until value 'next-year' is not a date written YYYY-MM-DD, so it was ignored.",
        "The link's sharing value 'weekly' is not one of monthly, quarterly, 6-monthly, annual, none, so it "
        "was ignored.",
        "The link's contact value 'lots' is not a number from 0 to 100, so it was ignored.",
    ]
    start = choices_from(_calibration(demo_db, _as_at(at)))
    assert at.selectbox(key="whatif_centre").value == AUTHORITY
    assert at.radio(key="whatif_sharing").value == start.sharing
    assert at.slider(key="whatif_contact").value == start.contact
    assert at.slider(key="whatif_churn").value == 0.5                 # the good value still counts
    assert _query(at)["sharing"] == start.sharing and _query(at)["centre"] == AUTHORITY
    assert _query(at)["as_at"] == _as_at(at).isoformat()               # the figures' date goes in the link
    at.run()
    assert not at.warning                                              # said once, then the link is mended


def test_the_target_is_the_outstanding_threshold_set_in_the_sidebar(app):
    at = _open(app)
    at.number_input(key="band_outstanding").set_value(90.0).run()
    assert not at.exception, at.exception
    long_run, paths = _charts(at)["long_run"], _charts(at)["paths"]
    for figure in (long_run, paths):
        assert "Outstanding from 90%" in svg_text(figure)
        assert [m["value"] for m in marks(figure, "Outstanding from 90%")] == [90]
    table = _table(at, "reaches_target")
    expected = ["yes" if pct >= 90 else "no" for pct in table["long_run_reach_pct"]]
    assert table["reaches_target"].tolist() == expected
    assert any("90%" in text for text in shown(at.markdown))


# --- issue 9: the headline against today's sharing, the dip, the link's date -----------------

def test_the_headline_sets_the_chosen_sharing_against_todays_and_tells_of_the_dip(app):
    at = _open(app)
    assert _as_at(at) == date(2026, 9, 30)
    at.radio(key="whatif_sharing").set_value("quarterly").run()
    assert _summary(at) == ("**Sharing birth data quarterly instead of monthly (today's sharing) would take reach in "
                            "the authority from 82.6% today to 83.5% in September 2027, against 86.2% if sharing "
                            "stays monthly: 2.7 points lower.**")
    # The path falls to 79.4% in December before it rises: the words under the headline say so.
    assert shown(at.markdown)[1].startswith(
        "Reach would not rise steadily: it would first dip to 79.4% in December 2026.")
    assert at.metric[1].value == "83.5%" and at.metric[1].delta == "-2.7 points"
    table = _table(at, "reach_pct_quarterly")
    assert round(table["reach_pct_quarterly"].min(), 1) == 79.4      # the same figure as the table's


def test_a_shared_link_opened_in_a_fresh_session_shows_the_senders_figures(demo_db, monkeypatch):
    monkeypatch.setenv("REACH_DB", str(demo_db))
    sender = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    sender.run()
    sender.date_input(key="as_at").set_value(date(2026, 6, 30)).run()
    _open(sender)
    sender.selectbox(key="whatif_centre").select(RIVERSIDE).run()
    sender.radio(key="whatif_sharing").set_value("quarterly").run()
    sender.slider(key="whatif_contact").set_value(95.0).run()
    sender.date_input(key="whatif_until").set_value(date(2027, 6, 30)).run()
    assert not sender.exception, sender.exception
    link = _query(sender)
    assert link["as_at"] == "2026-06-30" and link["centre"] == RIVERSIDE
    assert link["until"] == "2027-06-30" and link["sharing"] == "quarterly" and link["contact"] == "95"

    receiver = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    for name, value in link.items():
        receiver.query_params[name] = value
    receiver.run()                               # a new session: the sidebar opens on the link's date
    _open(receiver)
    assert _as_at(receiver) == date(2026, 6, 30)
    assert not receiver.warning
    assert _summary(receiver) == _summary(sender)
    assert "in Riverside Children's Centre from 83.9% today to " in _summary(receiver)
    assert [m.value for m in receiver.metric] == [m.value for m in sender.metric]
    assert shown(receiver.markdown)[1] == shown(sender.markdown)[1]
    assert _query(receiver) == link


def test_a_link_with_another_figures_date_opened_mid_session_says_so_and_offers_it(app):
    link = {"centre": RIVERSIDE, "as_at": "2026-06-30", "until": "2027-06-30", "sharing": "quarterly"}
    for name, value in link.items():
        app.query_params[name] = value
    at = _open(app)                  # the session began before the link: its date is not the sidebar's
    assert _as_at(at) == date(2026, 9, 30)
    assert shown(at.warning) == ["This link was made with the figures as at 30 June 2026; these are as at "
                                 "30 September 2026, so the numbers may differ from the sender's."]
    at.button(key="whatif_link_as_at_button").click().run()
    assert not at.exception, at.exception
    assert _as_at(at) == date(2026, 6, 30)
    assert not at.warning
    assert at.radio(key="whatif_sharing").value == "quarterly"       # the link's scenario is kept
    assert "from 83.9% today to " in _summary(at)


def test_the_link_caption_says_what_the_link_holds(app):
    at = _open(app)
    caption = next(text for text in shown(at.caption) if text.startswith("Copy this link"))
    assert "figures' date (30 September 2026)" in caption
    assert "no personal data" in caption
    assert "the same numbers if their database holds the same data" in caption
    assert "worked out on their own data" not in caption


def test_reach_now_is_the_figure_the_other_pages_show(app, demo_db):
    # Riverside knows more one-year-olds than a fifth of its estimate: the start still agrees.
    app.session_state["chosen_centre"] = RIVERSIDE
    at = _open(app)
    with opened(demo_db, read_only=True) as con:
        known, under_five = current_position(con, as_at=_as_at(at), centre_id=RIVERSIDE)
    assert at.metric[0].value == f"{100 * known / under_five:.1f}%" == "87.5%"
    assert _table(at, "reach_pct_monthly")["reach_pct_monthly"].iloc[0] == pytest.approx(100 * known / under_five)


def test_chart_titles_are_short_enough_to_show_whole(app):
    at = _open(app)
    titles = list(svg_charts(at))
    assert titles == ["Long-run reach, by sharing", "Reach month by month"]
    # Each is drawn whole on its line: none longer than a line of the chart's title.
    from reach.presentation.svg_figures import TITLE_CHARACTERS
    assert all(len(title) <= TITLE_CHARACTERS for title in titles)


@pytest.mark.parametrize("table, words", [
    ("population", "No population estimate has been loaded for the authority yet, so today's reach cannot"),
    ("registrations", "No registrations have been loaded for the authority yet, so today's reach cannot"),
])
def test_a_store_without_the_data_to_start_from_says_what_is_missing(demo_db, monkeypatch, table, words):
    with opened(demo_db) as con:
        con.execute(f"DELETE FROM {table}")
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at = _open(at)
    infos = shown(at.info)
    assert any(text.startswith(words) for text in infos), infos
    assert not at.metric
    assert not any("no children under five" in text for text in infos)


# --- issue 9, loose ends: every setting changed is named; the long-run table's labels ---------

def test_a_setting_other_than_sharing_changed_is_named_and_set_against_things_as_they_are(app, demo_db):
    at = _open(app)
    as_at, until = _as_at(at), add_months(_as_at(at), 12)
    calibration = _calibration(demo_db, as_at)
    start = choices_from(calibration)
    at.slider(key="whatif_delay").set_value(2.0).run()
    delayed = replace(calibration.scenario(), delay_months=2.0)
    chosen = _projections(demo_db, as_at, delayed, until)["monthly"]
    untouched = _projections(demo_db, as_at, calibration.scenario(), until)["monthly"]
    gap = round(round(chosen.reach_at_until, 1) - round(untouched.reach_at_until, 1), 1)
    assert gap < 0                                   # later data: fewer known by the inspection
    assert _summary(at) == (f"**With the birth data arriving 2 months after each period instead of {start.delay:g} "
                            "months (from the data), reach in the authority would rise from 82.6% today to "
                            f"{chosen.reach_at_until:.1f}% in September 2027, against {untouched.reach_at_until:.1f}% "
                            f"as things are: {-gap:.1f} points lower.**")
    assert at.metric[1].delta == f"{gap:.1f} points"
    at.toggle(key="whatif_arrivals").set_value(False).run()
    assert ("months (from the data) and the birth data holding births only instead of including families who move "
            "in (from the data), reach in the authority would ") in _summary(at)
    # Both put back where the data has them: nothing differs, so "as today" and no arrow.
    at.slider(key="whatif_delay").set_value(start.delay).run()
    at.toggle(key="whatif_arrivals").set_value(True).run()
    assert _summary(at).startswith("**With birth data shared monthly, as today, reach in the authority would rise")
    assert "as things are" not in _summary(at)
    assert not at.metric[1].delta


def test_the_long_run_table_and_its_csv_name_sharing_as_the_page_does(media, app):
    at = _open(app)
    table = _table(at, "long_run_reach_pct")
    assert table["sharing"].tolist() == list(SHARING_LABELS.values()) == [
        "Monthly", "Quarterly", "6-monthly", "Annual", "No sharing"]
    frame = next(frame for frame in at.dataframe if "long_run_reach_pct" in frame.value.columns)
    assert json.loads(frame.proto.columns)["sharing_option"] == {"hidden": True}
    csv = pd.read_csv(io.BytesIO(downloaded(at, media, "whatif_steady").content))
    assert csv["sharing"].tolist() == ["Monthly", "Quarterly", "6-monthly", "Annual", "No sharing"]
    assert csv["sharing_option"].tolist() == list(SHARING_OPTIONS)      # as in the link and on the command line
    assert csv["long_run_reach_pct"].tolist() == pytest.approx(table["long_run_reach_pct"].tolist(), abs=1e-9)


def test_the_command_line_prints_the_pages_headline_for_the_same_settings(app, demo_db):
    at = _open(app)
    at.slider(key="whatif_contact").set_value(95.0).run()
    at.slider(key="whatif_churn").set_value(0.5).run()
    at.radio(key="whatif_sharing").set_value("quarterly").run()
    as_at, until = _as_at(at), at.date_input(key="whatif_until").value
    out = whatif_result(db=demo_db, as_at=as_at, until=until,
                        options={"sharing_months": 3, "contact_rate": 0.95, "churn": 0.005})
    assert out["headline"].startswith("Sharing birth data quarterly instead of monthly (today's sharing), with "
                                      "contact success at 95% instead of ")
    assert _summary(at) == f"**{out['headline']}**"
    assert out["dip"] and shown(at.markdown)[1].startswith(out["dip"])
    # Settings given as the data has them are no change, on the command line as on the page.
    at.button(key="whatif_reset").click().run()
    start = choices_from(_calibration(demo_db, as_at))
    same = whatif_result(db=demo_db, as_at=as_at, until=until, options={"contact_rate": start.contact / 100})
    assert _summary(at) == f"**{same['headline']}**"
    assert ", as today, " in same["headline"]


def test_a_centres_name_in_the_headline_is_escaped_for_markdown(app):
    app.session_state["chosen_centre"] = RIVERSIDE
    at = _open(app)
    markdown = at.markdown[0].value
    assert "Riverside Children\\'s Centre" in markdown                 # the apostrophe escaped
    assert markdown_shown(markdown).startswith("**With birth data shared monthly, as today, reach in Riverside ")

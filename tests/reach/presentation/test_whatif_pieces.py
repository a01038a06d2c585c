"""The what-if page's pure pieces (`reach.presentation.whatif_*`): settings as shown and back, the
shareable link and its checks, the tables, charts and sentences that compare every sharing option."""

import math
from dataclasses import replace
from datetime import date
from xml.etree import ElementTree

import pytest

from data.dates import parse_date
from reach.domain.months import add_months
from reach.domain.whatif import (SHARING_OPTIONS, Scenario, project_to,
                                 projections_by_sharing, steady_state_reach)
from reach.domain.whatif_parameters import Calibration, Parameter, default_calibration
from reach.presentation.whatif_figures import paths_svg, steady_state_svg
from reach.presentation.whatif_sentences import (crossing_sentence, origin_words,
                                                 steady_state_sentence, headline_sentence)
from reach.presentation.whatif_settings import (AUTHORITY, CHOICE_NAMES, LINK_VALUE_SHOWN, PARAMETER_WORDS, Choices,
                                                Link, calibration_with, changed_choices, choices_from, link_query,
                                                query_string, read_link, shown_value, slider_high)
from reach.presentation.whatif_tables import OUT_OF_REACH, calibration_table, paths_table, steady_state_table

from tests.views.figure_data import marks, svg_text

START = date(2026, 9, 30)
CENTRES = ("C1", "C2")


def scenario(F=1, p=0.95, h=0.02, c=0.01, d=0.0, arrivals=True) -> Scenario:
    return Scenario(sharing_months=F, contact_rate=p, other_route_rate=h, churn=c, delay_months=d,
                    arrivals_in_feed=arrivals)


@pytest.fixture
def calibration() -> Calibration:
    """Values with more digits than the widgets show, as real data gives them."""
    return Calibration(
        as_at=START, centre_id="C1",
        sharing_months=Parameter(1, "data", 24, "The 24 deliveries came a median 1.0 months apart: monthly."),
        delay_months=Parameter(0.59, "data", 24, "Over 24 deliveries, records arrived a median 0.6 months late."),
        contact_rate=Parameter(0.84734, "data", 8824, "Of 8,824 children notified, 7,477 registered in 91 days."),
        other_route_rate=Parameter(0.013993, "data", 547, "547 children were first registered another way."),
        churn=default_calibration(as_at=START).churn,
        arrivals_in_feed=Parameter(True, "data", 3594, "1,190 of the 3,594 records are arrivals."),
    )


# --- the settings as shown -------------------------------------------------------------------

def test_the_widgets_show_the_calibration_rounded_to_their_steps(calibration):
    assert choices_from(calibration) == Choices(sharing="monthly", contact=84.7, other=1.4, churn=1.0,
                                                      delay=0.6, arrivals=True)


def test_settings_left_alone_keep_the_datas_exact_values(calibration):
    untouched = calibration_with(calibration, choices_from(calibration))
    assert untouched == calibration
    assert untouched.scenario() == calibration.scenario()       # 0.84734, not 0.847


def test_a_changed_setting_becomes_a_chosen_option_in_the_models_units(calibration):
    choices = replace(choices_from(calibration), sharing="quarterly", contact=95.0, arrivals=False)
    assert changed_choices(calibration, choices) == ("sharing", "contact", "arrivals")
    chosen = calibration_with(calibration, choices)
    assert chosen.scenario() == replace(calibration.scenario(), sharing_months=3, contact_rate=0.95,
                                        arrivals_in_feed=False)
    assert chosen.contact_rate.origin == "option"
    assert chosen.other_route_rate == calibration.other_route_rate


def test_sliders_stretch_to_hold_a_value_above_their_usual_top(calibration):
    assert slider_high("other", calibration) == 20.0
    high = replace(calibration, other_route_rate=Parameter(0.254, "data", 9, "A great many."))
    assert slider_high("other", high) == 25.4


def test_an_unknown_sharing_name_is_refused():
    with pytest.raises(ValueError, match="weekly"):
        Choices(sharing="weekly", contact=90.0, other=2.0, churn=1.0, delay=1.0, arrivals=False)


def test_each_setting_says_where_its_value_came_from(calibration):
    assert origin_words("contact", calibration, changed=False) == (
        "From the data. Of 8,824 children notified, 7,477 registered in 91 days.")
    assert origin_words("churn", calibration, changed=False).startswith("Default value. Population turnover: 1%")
    assert origin_words("sharing", calibration, changed=True) == (
        "Changed here. It started at monthly (from the data): the 24 deliveries came a median 1.0 months apart: "
        "monthly.")


@pytest.mark.parametrize("name, value, words", [
    ("sharing", "6-monthly", "6-monthly"), ("sharing", "none", "no sharing"), ("contact", 84.7, "84.7%"),
    ("other", 1.4, "1.4% a month"), ("churn", 1.0, "1% a month"), ("delay", 0.6, "0.6 months"),
    ("delay", 1.0, "1 month"), ("delay", 2.0, "2 months"),
    ("arrivals", True, "yes"), ("arrivals", False, "no"),
])
def test_settings_in_words(name, value, words):
    assert shown_value(name, value) == words


def test_the_calibration_table_shows_value_origin_start_records_and_how(calibration):
    choices = replace(choices_from(calibration), contact=99.0)
    table = calibration_table(calibration, choices=choices).set_index("parameter")
    assert list(table.index) == [PARAMETER_WORDS[name] for name in CHOICE_NAMES]
    contact = table.loc["Contact success"]
    assert (contact["value"], contact["origin"], contact["starting_value"], contact["starting_origin"],
            contact["records"]) == ("99%", "chosen here", "84.7%", "from the data", 8824)
    assert contact["how"] == "Of 8,824 children notified, 7,477 registered in 91 days."
    churn = table.loc["Families moving away"]
    assert (churn["value"], churn["origin"], churn["records"]) == ("1% a month", "default", 0)


# --- the link --------------------------------------------------------------------------------

def test_a_link_holds_every_setting_in_a_fixed_order(calibration):
    query = link_query(centre="C1", as_at=START, until=date(2027, 9, 30), choices=choices_from(calibration))
    assert query == {"centre": "C1", "as_at": "2026-09-30", "until": "2027-09-30", "sharing": "monthly",
                     "contact": "84.7", "other": "1.4", "churn": "1", "delay": "0.6", "arrivals": "yes"}
    assert query_string(query) == ("?centre=C1&as_at=2026-09-30&until=2027-09-30&sharing=monthly&contact=84.7"
                                      "&other=1.4&churn=1&delay=0.6&arrivals=yes")


def test_a_link_reads_back_to_the_same_settings(calibration):
    choices = replace(choices_from(calibration), sharing="6-monthly", contact=97.5, arrivals=False)
    query = link_query(centre=AUTHORITY, as_at=date(2026, 6, 30), until=date(2028, 3, 31), choices=choices)
    link = read_link(query, centres=CENTRES, earliest=START, latest=add_months(START, 120), read_date=parse_date)
    assert link.problems == ()
    assert link.values == {"centre": "authority", "as_at": date(2026, 6, 30), "until": date(2028, 3, 31),
                           "sharing": "6-monthly",
                           "contact": 97.5, "other": 1.4, "churn": 1.0, "delay": 0.6, "arrivals": False}
    assert Choices(**{name: link.values[name] for name in CHOICE_NAMES}) == choices


@pytest.mark.parametrize("name, raw, wanted", [
    ("centre", "NOPE", "a centre ID in this data or 'authority'"),
    ("until", "31/12/2027", "a date written YYYY-MM-DD"),
    ("until", "20271231", "a date written YYYY-MM-DD"),
    ("until", "2027-02-30", "a date written YYYY-MM-DD"),
    ("until", "2026-01-31", "a date from 2026-09-30 to 2036-09-30"),
    ("sharing", "weekly", "one of monthly, quarterly, 6-monthly, annual, none"),
    ("contact", "abc", "a number from 0 to 100"),
    ("contact", "150", "a number from 0 to 100"),
    ("contact", "nan", "a number from 0 to 100"),
    ("churn", "-1", "a number from 0 to 10"),
    ("delay", "inf", "a number from 0 to 24"),
    ("arrivals", "maybe", "yes or no"),
])
def test_a_bad_link_value_is_set_aside_with_its_reason(name, raw, wanted):
    good = {"sharing": "annual"} if name == "arrivals" else {"arrivals": "yes"}
    link = read_link({name: raw, **good}, centres=CENTRES, earliest=START, latest=add_months(START, 120),
                     read_date=parse_date)
    assert link.problems == (f"The link's {name} value {raw!r} is not {wanted}, so it was ignored.",)
    assert list(link.values) == list(good)          # the good value beside it still counts


def test_a_bad_figures_date_is_left_to_the_sidebar_to_explain():
    # The sidebar opens on the link's as_at and warns about a bad one: the page does not warn twice.
    link = read_link({"as_at": "30/09/2026", "arrivals": "no"}, centres=CENTRES, earliest=START, latest=START,
                     read_date=parse_date)
    assert link == Link(values={"arrivals": False}, problems=())


def test_a_link_ignores_parameters_the_page_does_not_use():
    link = read_link({"utm_source": "email", "arrivals": "No"}, centres=CENTRES, earliest=START, latest=START,
                     read_date=parse_date)
    assert link == Link(values={"arrivals": False}, problems=())


# --- every sharing option in the long run ----------------------------------------------------

def test_the_long_run_table_is_the_model_for_every_option():
    # The what-if document's table, column p=0.95, h=0.02, c=0.01, arrivals in the feed (it has
    # no 6-monthly row: that one is the model's own figure).
    table = steady_state_table(scenario(F=3, d=0.0))
    # Each option as the page names it elsewhere, and its own name (as in the link) for a CSV.
    assert list(table["sharing"]) == ["Monthly", "Quarterly", "6-monthly", "Annual", "No sharing"]
    assert list(table["sharing_option"]) == list(SHARING_OPTIONS)
    assert [round(v, 2) for v in table["long_run_reach_pct"]] == [95.54, 93.12, 89.71, 83.58, 35.75]
    assert list(table["reaches_target"]) == ["no"] * 5
    # Monthly sharing would need contact success of 97.3%; the others cannot reach 97% at all.
    assert table["contact_needed_for_target"].iloc[0] == "97.3%"
    assert steady_state_reach(scenario(F=1, p=0.973)) == pytest.approx(0.97, abs=0.0005)
    assert list(table["contact_needed_for_target"].iloc[1:]) == [OUT_OF_REACH] * 4


def test_the_long_run_table_aims_at_the_outstanding_threshold_given():
    table = steady_state_table(scenario(F=3, d=0.0), target_share=0.9)
    # 95.54, 93.12 and 89.71 (6-monthly just short of 90%), 83.58, 35.75
    assert list(table["reaches_target"]) == ["yes", "yes", "no", "no", "no"]
    assert list(table["contact_needed_for_target"].iloc[3:]) == [OUT_OF_REACH] * 2
    assert steady_state_sentence(table, chosen="annual", target_share=0.9).endswith(
        "In the long run 90% is reached with monthly or quarterly sharing.")
    chart = ElementTree.fromstring(steady_state_svg(table, chosen="annual", target_share=0.9))
    assert [m["value"] for m in marks(chart, "Outstanding from 90%")] == [90.0]      # the line, at 90%
    assert "Outstanding from 90%" in svg_text(chart)                                # named in the key


def test_an_option_already_at_97_needs_only_its_contact_success():
    table = steady_state_table(scenario(F=1, p=1.0, h=0.02, c=0.0)).set_index("sharing_option")
    assert table.loc["monthly", "reaches_target"] == "yes"
    needed = (0.97 - steady_state_reach(scenario(F=1, p=0, h=0.02, c=0))) / (
        steady_state_reach(scenario(F=1, p=1, h=0.02, c=0)) - steady_state_reach(scenario(F=1, p=0, h=0.02, c=0)))
    assert table.loc["monthly", "contact_needed_for_target"] == f"{100 * needed:.1f}%"


def test_the_long_run_chart_has_a_bar_per_option_the_chosen_named_and_the_97_line():
    table = steady_state_table(scenario(F=3))
    chart = ElementTree.fromstring(steady_state_svg(table, chosen="quarterly"))
    bars = marks(chart, "bars")
    assert [bar["value"] for bar in bars] == list(table["long_run_reach_pct"])
    assert [bar["label"] for bar in bars] == ["Monthly", "Quarterly (chosen)", "6-monthly", "Annual", "No sharing"]
    assert [bar["fill"] for bar in bars].count(bars[1]["fill"]) == 1                # the chosen one drawn apart
    written = svg_text(chart)
    assert [f"{v:.1f}%" for v in table["long_run_reach_pct"]] == [text for text in written
                                                                   if text.endswith("%") and "." in text]
    assert written.count("(chosen)") == 1 and written[written.index("Quarterly") + 1] == "(chosen)"
    assert [m["value"] for m in marks(chart, "Outstanding from 97%")] == [97.0]
    assert "Outstanding from 97%" in written


def test_the_long_run_sentence_names_the_options_that_reach_97():
    table = steady_state_table(scenario(F=3, p=1.0, h=0.02, c=0.0))
    assert steady_state_sentence(table, chosen="annual") == (
        "With annual sharing reach would settle at about 90.8% in the long run. In the long run 97% is reached "
        "with monthly or quarterly sharing.")
    table = steady_state_table(scenario(F=3))
    assert steady_state_sentence(table, chosen="monthly").endswith(
        "No sharing option reaches 97% with the other settings as they are.")
    assert steady_state_sentence(table, chosen="none").startswith("With no sharing reach would settle at about ")
    # Other routes alone enough: every option, no sharing too, gets there.
    table = steady_state_table(scenario(F=3, h=1.0, c=0.0))
    assert list(table["reaches_target"]) == ["yes"] * 5
    assert steady_state_sentence(table, chosen="none").endswith("In the long run 97% is reached with any sharing, "
                                                                "or none.")


# --- month by month to the inspection --------------------------------------------------------

def test_a_path_per_option_from_today_to_the_inspection_month():
    until = date(2027, 9, 30)
    paths = projections_by_sharing(scenario=scenario(F=3), known=80, under_five=100, start=START, until=until)
    assert list(paths) == list(SHARING_OPTIONS)
    for name, months in SHARING_OPTIONS.items():
        expected = project_to(scenario=scenario(F=months), known=80, under_five=100, start=START, until=until)
        assert paths[name].path == expected.path
    table = paths_table(paths)
    assert list(table.columns) == ["month", *(f"reach_pct_{name}" for name in SHARING_OPTIONS)]
    assert len(table) == 13 and table["month"].iloc[0] == "2026-09" and table["month"].iloc[-1] == "2027-09"
    assert table.iloc[0, 1:].tolist() == [80.0] * 5
    assert table["reach_pct_annual"].tolist() == [point["reach_pct"] for point in paths["annual"].path]


def test_the_path_chart_has_a_line_per_option_the_97_line_and_the_inspection_date():
    until = date(2027, 9, 30)
    paths = projections_by_sharing(scenario=scenario(F=3), known=80, under_five=100, start=START, until=until)
    chart = ElementTree.fromstring(paths_svg(paths, chosen="monthly", until=until))
    names = ["Monthly (chosen)", "Quarterly", "6-monthly", "Annual", "No sharing"]
    assert list(dict.fromkeys(m["series"] for m in marks(chart) if m["label"])) == names   # in the options' order
    assert [m["value"] for m in marks(chart, "6-monthly")] == [point["reach_pct"] for point in paths["6-monthly"].path]
    # Drawn at today and at each month's end.
    days = [m["label"] for m in marks(chart, "Monthly (chosen)")]
    assert days[0] == "2026-09-30" and days[1] == "2026-10-31" and days[-1] == "2027-09-30"
    # The chosen option's line is thicker than the others.
    widths = {}
    for name in names:
        dots = [e for e in chart.iter("circle") if e.get("data-series") == name]
        drawn = " ".join(f"{e.get('cx')},{e.get('cy')}" for e in dots)
        widths[name] = next(float(line.get("stroke-width")) for line in chart.iter("polyline")
                            if line.get("points") == drawn)
    assert widths == {"Monthly (chosen)": 4.0, "Quarterly": 2.0, "6-monthly": 2.0, "Annual": 2.0, "No sharing": 2.0}
    written = svg_text(chart)
    assert "Outstanding from 97%" in written and "Inspection date: 30 September 2027" in written
    assert [m["value"] for m in marks(chart, "Outstanding from 97%")] == [97.0]
    # The inspection date: a dotted line down the plot at the last month's points, and named there.
    last_x = {e.get("cx") for e in chart.iter("circle") if e.get("data-label") == "2027-09-30"}
    marker = [e.get("d") for e in chart.iter("path") if e.get("stroke-dasharray") == "2,3"
              and e.get("d", "").startswith("M") and " V" in e.get("d", "")]
    assert len(last_x) == 1 and len(marker) == 1 and marker[0].startswith(f"M{last_x.pop()},")
    assert "Inspection" in written
    # The axis starts near the lowest figure (no sharing falls furthest), so the saw-tooth shows:
    # the figure at the foot of the inspection line, read from where two points of known figure sit.
    dots = [e for e in chart.iter("circle") if e.get("data-series") == "No sharing"]
    (y1, v1), (y2, v2) = [(float(e.get("cy")), float(e.get("data-value"))) for e in (dots[0], dots[-1])]
    foot = float(marker[0].split(" V")[1])
    lowest = min(point["reach_pct"] for point in paths["none"].path)
    assert v1 + (foot - y1) * (v2 - v1) / (y2 - y1) == pytest.approx(10 * math.floor(lowest / 10 - 0.5), abs=0.2)


def test_quarterly_sharing_draws_a_saw_tooth():
    until = date(2028, 9, 30)
    quarterly = projections_by_sharing(scenario=scenario(F=3, d=1.0), known=80, under_five=100, start=START,
                                          until=until)["quarterly"]
    steps = [b["reach_pct"] - a["reach_pct"] for a, b in zip(quarterly.path[1:], quarterly.path[2:])]
    rises = [i for i, step in enumerate(steps) if step > 0]
    # After the first year the path rises once a quarter, in the month a share lands, and falls between.
    later = [i for i in rises if i >= 12]
    assert later and all(b - a == 3 for a, b in zip(later, later[1:]))


# --- in words --------------------------------------------------------------------------------

def _crossing(s: Scenario, *, known=90, until_months=12, target_share=0.97) -> str:
    projection = project_to(scenario=s, known=known, under_five=100, start=START,
                            until=add_months(START, until_months), target_share=target_share)
    return crossing_sentence(projection, known=known, under_five=100)


def test_crossing_already_there():
    assert _crossing(scenario(F=1, p=1, h=0.03, c=0), known=98) == "Reach is already at 97% or more."


def test_crossing_before_and_after_the_inspection():
    s = scenario(F=1, p=1, h=0.03, c=0)
    assert _crossing(s, until_months=60) == "Reach would first get to 97% in March 2029, before the inspection date."
    assert _crossing(s, until_months=12) == "Reach would first get to 97% in March 2029, after the inspection date."


def test_crossing_the_outstanding_threshold_given():
    s = scenario(F=1, p=1, h=0.03, c=0)
    assert _crossing(s, known=90, target_share=0.9) == "Reach is already at 90% or more."
    assert _crossing(s, until_months=60, target_share=0.975).startswith("Reach would first get to 97.5% in ")


def test_crossing_at_the_peak_of_a_saw_tooth_that_does_not_stay():
    assert _crossing(scenario(F=12, p=1, h=0.02, c=0)) == (
        "Reach would first get to 97% in April 2029, after the inspection date. It would not stay there: in the "
        "long run it averages about 90.8%, dipping below each time a share is due.")


def test_crossing_never():
    assert _crossing(scenario(F=None, p=1, h=0.01, c=0)) == (
        "Reach would never get to 97% in any month: in the long run it would settle at about 24.8%.")


# --- text from a link or a file is never markup ----------------------------------------------

def test_a_bad_link_value_is_quoted_short_and_plain():
    hostile = "![q](http://evil.example/q.png)" + "x" * 200
    link = read_link({"centre": hostile}, centres=CENTRES, earliest=START, latest=START, read_date=parse_date)
    assert link.values == {}
    (problem,) = link.problems
    assert repr(hostile[:LINK_VALUE_SHOWN] + "...") in problem     # plain text: the page escapes it
    assert len(problem) < 160


def test_the_headline_is_plain_text_escaped_where_it_is_shown():
    from reach.presentation.safe_text import markdown_text

    image = "![x](http://evil.example/p.png)"
    chosen = project_to(scenario=scenario(F=3), known=80, under_five=100, start=START, until=date(2027, 9, 30))
    calibration = default_calibration(as_at=START)
    sentence = headline_sentence(chosen=chosen, compared=None, calibration=calibration,
                                 choices=choices_from(calibration), today_assumed=True, area_name=image)
    assert f"reach in {image} would" in sentence             # plain text: the page escapes the whole sentence
    assert image not in markdown_text(sentence)

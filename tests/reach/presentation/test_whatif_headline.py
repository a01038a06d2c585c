"""The What if headline: what the chosen settings do, set against the scenario from the data with
each setting changed named, and the dip a figure-to-figure headline would hide
(`headline_sentence`, `against_words`, `dip_sentence`, `target_sentence`)."""

from dataclasses import replace
from datetime import date

import pytest

from reach.domain.whatif import DEFAULT_SCENARIO, SHARING_OPTIONS, Projection
from reach.domain.whatif_parameters import Calibration, Parameter, default_calibration
from reach.presentation.whatif_sentences import against_words, dip_sentence, headline_sentence, target_sentence
from reach.presentation.whatif_settings import choices_from

START, UNTIL = date(2026, 9, 30), date(2027, 9, 30)

# Settings from the data, with more digits than the widgets show; churn is the stated default.
DATA = Calibration(
    as_at=START, centre_id=None,
    sharing_months=Parameter(1, "data", 24, "The 24 deliveries came a median 1.0 months apart: monthly."),
    delay_months=Parameter(0.59, "data", 24, "Over 24 deliveries, records arrived a median 0.6 months late."),
    contact_rate=Parameter(0.84734, "data", 8824, "Of 8,824 children notified, 7,477 registered in 91 days."),
    other_route_rate=Parameter(0.013993, "data", 547, "547 children were first registered another way."),
    churn=default_calibration(as_at=START).churn,
    arrivals_in_feed=Parameter(True, "data", 3594, "1,190 of the 3,594 records are arrivals."),
)


def path(*values: float, until: date = UNTIL) -> Projection:
    """A projection whose path has these monthly figures, from September 2026."""
    months = [f"{2026 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}" for i in range(len(values))]
    return Projection(scenario=DEFAULT_SCENARIO, start=START, until=until,
                      path=[{"month": m, "reach_pct": v} for m, v in zip(months, values)], target_share=0.97,
                      crosses_target_on=None, reach_at_until=values[-1], steady_state_pct=90.0)


def headline(chosen: Projection, compared: Projection | None = None, *, calibration: Calibration | None = None,
             today_assumed: bool = False, area_name: str = "X", **changes) -> str:
    """The headline with the settings from the data (`DATA` unless given), the named ones changed."""
    calibration = calibration or DATA
    choices = replace(choices_from(calibration), **changes)
    return headline_sentence(chosen=chosen, compared=compared, calibration=calibration, choices=choices,
                             today_assumed=today_assumed, area_name=area_name)


def sharing_from_data(sharing: str) -> Calibration:
    """`DATA` with another sharing, also from the data."""
    return replace(DATA, sharing_months=replace(DATA.sharing_months, value=SHARING_OPTIONS[sharing]))


def test_a_change_of_sharing_is_set_against_todays_sharing():
    text = headline(path(82.6, 79.4, 83.5), path(82.6, 81.4, 86.2), sharing="quarterly", area_name="the authority")
    assert text == ("Sharing birth data quarterly instead of monthly (today's sharing) would take reach in the "
                    "authority from 82.6% today to 83.5% in September 2027, against 86.2% if sharing stays "
                    "monthly: 2.7 points lower.")


def test_more_frequent_sharing_than_an_assumed_default_says_it_is_assumed():
    assumed = replace(DATA, sharing_months=default_calibration(as_at=START).sharing_months)
    text = headline(path(80.0, 84.0), path(80.0, 81.9), calibration=assumed, today_assumed=True, sharing="monthly",
                    area_name="Riverside")
    assert text == ("Sharing birth data monthly instead of quarterly (assumed, as the data cannot show how often "
                    "it is shared) would take reach in Riverside from 80.0% today to 84.0% in September 2027, "
                    "against 81.9% if sharing stays quarterly: 2.1 points higher.")


def test_stopping_and_starting_sharing():
    stop = headline(path(82.6, 66.3), path(82.6, 78.1), calibration=sharing_from_data("annual"), sharing="none")
    assert stop.startswith("Stopping the sharing of birth data (today's sharing: once a year) would take reach in X")
    assert stop.endswith("against 78.1% if sharing stays once a year: 11.8 points lower.")
    begin = headline(path(60.0, 70.0), path(60.0, 55.0), calibration=sharing_from_data("none"), sharing="6-monthly",
                     contact=95.0)
    assert begin == ("Starting to share birth data every six months (none is shared today), with contact success "
                     "at 95% instead of 84.7% (from the data), would take reach in X from 60.0% today to 70.0% in "
                     "September 2027, against 55.0% as things are: 15.0 points higher.")
    alone = headline(path(60.0, 70.0), path(60.0, 55.0), calibration=sharing_from_data("none"), sharing="monthly")
    assert alone.endswith("against 55.0% with no sharing: 15.0 points higher.")
    unloaded = headline(path(60.0, 70.0), path(60.0, 55.0), calibration=sharing_from_data("none"),
                        today_assumed=True, sharing="monthly")
    assert unloaded.startswith("Starting to share birth data monthly (none is loaded, so none is assumed today) ")


def test_todays_settings_say_as_today_and_change_nothing_they_do_not_show():
    same = headline(path(82.6, 81.4, 86.2), area_name="the authority")
    assert same == ("With birth data shared monthly, as today, reach in the authority would rise from 82.6% today "
                    "to 86.2% in September 2027.")
    flat = headline(path(82.64, 82.61))
    assert flat == ("With birth data shared monthly, as today, reach in X would be 82.6% in September 2027, as it "
                    "is today.")
    # A setting moved back to where it started (to the 0.1 the widget shows) is no change.
    back = headline(path(82.6, 86.2), contact=84.7)
    assert back.startswith("With birth data shared monthly, as today, reach in X would rise")
    assert "as things are" not in back


@pytest.mark.parametrize("change, words", [
    ({"contact": 95.0}, "With contact success at 95% instead of 84.7% (from the data)"),
    ({"other": 3.0}, "With other routes finding families at 3% a month instead of 1.4% a month (from the data)"),
    ({"churn": 0.5}, "With families moving away at 0.5% a month instead of 1% a month (a default)"),
    ({"delay": 1.0}, "With the birth data arriving 1 month after each period instead of 0.6 months (from the data)"),
    ({"arrivals": False}, "With the birth data holding births only instead of including families who move in "
                          "(from the data)"),
])
def test_each_setting_changed_alone_is_named_and_set_against_things_as_they_are(change, words):
    text = headline(path(82.6, 88.0), path(82.6, 86.2), area_name="the authority", **change)
    assert text == (f"{words}, reach in the authority would rise from 82.6% today to 88.0% in September 2027, "
                    "against 86.2% as things are: 1.8 points higher.")
    assert "as today" not in text


def test_several_settings_changed_are_listed_and_a_lower_figure_says_so():
    text = headline(path(82.6, 80.0), path(82.6, 86.2), arrivals=False, delay=2.0, churn=0.5)
    assert text == ("With families moving away at 0.5% a month instead of 1% a month (a default), the birth data "
                    "arriving 2 months after each period instead of 0.6 months (from the data) and the birth data "
                    "holding births only instead of including families who move in (from the data), reach in X "
                    "would fall from 82.6% today to 80.0% in September 2027, against 86.2% as things are: 6.2 "
                    "points lower.")
    assumed_arrivals = replace(DATA, arrivals_in_feed=default_calibration(as_at=START).arrivals_in_feed)
    added = headline(path(82.6, 82.6), path(82.6, 82.6), calibration=assumed_arrivals, arrivals=True)
    assert added == ("With the birth data including families who move in instead of births only (a default), reach "
                     "in X would stay at 82.6% in September 2027, the same as with things as they are.")


def test_sharing_and_another_setting_changed_are_set_against_the_datas_scenario():
    text = headline(path(82.6, 83.5), path(82.6, 86.2), sharing="quarterly", contact=95.0)
    assert text == ("Sharing birth data quarterly instead of monthly (today's sharing), with contact success at 95% "
                    "instead of 84.7% (from the data), would take reach in X from 82.6% today to 83.5% in "
                    "September 2027, against 86.2% as things are: 2.7 points lower.")


def test_a_change_needs_the_path_it_is_set_against():
    with pytest.raises(ValueError, match="compared"):
        headline(path(82.6, 88.0), contact=95.0)


def test_what_the_chosen_settings_are_set_against_in_words():
    assert against_words(DATA, choices_from(DATA)) == ""
    assert against_words(DATA, replace(choices_from(DATA), sharing="annual")) == "if sharing stays monthly"
    assert against_words(DATA, replace(choices_from(DATA), sharing="annual", delay=3.0)) == "as things are"


def test_a_gap_that_rounds_to_nothing_is_the_same_not_zero_points():
    text = headline(path(82.6, 86.24), path(82.6, 86.21), sharing="quarterly")
    assert text.endswith("to 86.2% in September 2027, the same as if sharing stays monthly.")
    assert "0.0 points" not in text


def test_a_centres_name_is_left_as_it_is_for_its_destination_to_escape():
    text = headline(path(50.0, 60.0), area_name="*Star* [x](y)")
    assert "reach in *Star* [x](y) would rise" in text


@pytest.mark.parametrize("values, expected", [
    ((82.6, 82.1, 81.0, 79.4, 80.9, 83.5),
     "Reach would not rise steadily: it would first dip to 79.4% in December 2026."),
    ((82.6, 74.2, 78.2), "On the way it would fall lower still, to 74.2% in October 2026, before coming back to 78.2% "
                         "in September 2027."),
    ((82.6, 83.0, 84.0, 86.2), ""),               # a steady rise
    ((82.6, 80.0, 70.0), ""),                     # a steady fall: the headline says it
    ((82.6, 82.62, 86.2), ""),                    # no lower than today, to the 0.1 shown
    ((82.6, 86.2), ""),
])
def test_the_dip_before_the_rise_is_told(values, expected):
    assert dip_sentence(path(*values)) == expected


def test_what_the_target_needs_in_the_long_run():
    assert target_sentence(DEFAULT_SCENARIO) == ("Even if every family named in the birth data registered, these "
                                                 "settings could not hold 97% in the long run.")
    easy = target_sentence(DEFAULT_SCENARIO, target_share=0.5)
    assert easy.startswith("In the long run these settings are enough for 50%")

"""The What if headline: what the chosen sharing does, set against today's sharing, and the dip a
figure-to-figure headline would hide (`headline_sentence`, `dip_sentence`, `target_sentence`)."""

from datetime import date

import pytest

from reach.domain.whatif import DEFAULT_SCENARIO, Projection
from reach.presentation.whatif_sentences import dip_sentence, headline_sentence, target_sentence

START, UNTIL = date(2026, 9, 30), date(2027, 9, 30)


def path(*values: float, until: date = UNTIL) -> Projection:
    """A projection whose path has these monthly figures, from September 2026."""
    months = [f"{2026 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}" for i in range(len(values))]
    return Projection(scenario=DEFAULT_SCENARIO, start=START, until=until,
                      path=[{"month": m, "reach_pct": v} for m, v in zip(months, values)], target_share=0.97,
                      crosses_target_on=None, reach_at_until=values[-1], steady_state_pct=90.0)


def test_a_change_of_sharing_is_set_against_todays_sharing():
    text = headline_sentence(chosen=path(82.6, 79.4, 83.5), chosen_sharing="quarterly", today_sharing="monthly",
                             today_assumed=False, compared=path(82.6, 81.4, 86.2), other_changed=False,
                             area_name="the authority")
    assert text == ("Sharing birth data quarterly instead of monthly (today's sharing) would take reach in the "
                    "authority from 82.6% today to 83.5% in September 2027, against 86.2% if sharing stays "
                    "monthly: 2.7 points lower.")


def test_more_frequent_sharing_than_an_assumed_default_says_it_is_assumed():
    text = headline_sentence(chosen=path(80.0, 84.0), chosen_sharing="monthly", today_sharing="quarterly",
                             today_assumed=True, compared=path(80.0, 81.9), other_changed=False,
                             area_name="Riverside")
    assert text == ("Sharing birth data monthly instead of quarterly (assumed, as the data cannot show how often "
                    "it is shared) would take reach in Riverside from 80.0% today to 84.0% in September 2027, "
                    "against 81.9% if sharing stays quarterly: 2.1 points higher.")


def test_stopping_and_starting_sharing():
    stop = headline_sentence(chosen=path(82.6, 66.3), chosen_sharing="none", today_sharing="annual",
                             today_assumed=False, compared=path(82.6, 78.1), other_changed=False, area_name="X")
    assert stop.startswith("Stopping the sharing of birth data (today's sharing: once a year) would take reach in X")
    assert stop.endswith("against 78.1% if sharing stays once a year: 11.8 points lower.")
    begin = headline_sentence(chosen=path(60.0, 70.0), chosen_sharing="6-monthly", today_sharing="none",
                              today_assumed=False, compared=path(60.0, 55.0), other_changed=True, area_name="X")
    assert begin == ("Starting to share birth data every six months (none is shared today), with the other settings "
                     "as changed below, would take reach in X from 60.0% today to 70.0% in September 2027, "
                     "against 55.0% with no sharing: 15.0 points higher.")
    unloaded = headline_sentence(chosen=path(60.0, 70.0), chosen_sharing="monthly", today_sharing="none",
                                 today_assumed=True, compared=path(60.0, 55.0), other_changed=False, area_name="X")
    assert unloaded.startswith("Starting to share birth data monthly (none is loaded, so none is assumed today) ")


def test_todays_sharing_says_so_and_changes_nothing_it_does_not_show():
    same = headline_sentence(chosen=path(82.6, 81.4, 86.2), chosen_sharing="monthly", today_sharing="monthly",
                             today_assumed=False, compared=None, other_changed=False, area_name="the authority")
    assert same == ("With birth data shared monthly, as today, reach in the authority would rise from 82.6% today "
                    "to 86.2% in September 2027.")
    flat = headline_sentence(chosen=path(82.64, 82.61), chosen_sharing="monthly", today_sharing="monthly",
                             today_assumed=False, compared=None, other_changed=False, area_name="X")
    assert flat == ("With birth data shared monthly, as today, reach in X would be 82.6% in September 2027, as it "
                    "is today.")


def test_other_settings_changed_are_set_against_every_setting_from_the_data():
    text = headline_sentence(chosen=path(82.6, 89.1), chosen_sharing="monthly", today_sharing="monthly",
                             today_assumed=False, compared=path(82.6, 86.2), other_changed=True,
                             area_name="the authority")
    assert text == ("With birth data shared monthly, as today, and the settings as changed below, reach in the "
                    "authority would rise from 82.6% today to 89.1% in September 2027, against 86.2% with every "
                    "setting as the data gives it: 2.9 points higher.")


def test_a_gap_that_rounds_to_nothing_is_the_same_not_zero_points():
    text = headline_sentence(chosen=path(82.6, 86.24), chosen_sharing="quarterly", today_sharing="monthly",
                             today_assumed=False, compared=path(82.6, 86.21), other_changed=False, area_name="X")
    assert text.endswith("to 86.2% in September 2027, the same as if sharing stays monthly.")
    assert "0.0 points" not in text


def test_a_centres_name_is_escaped():
    text = headline_sentence(chosen=path(50.0, 60.0), chosen_sharing="monthly", today_sharing="monthly",
                             today_assumed=False, compared=None, other_changed=False, area_name="*Star* [x](y)")
    assert "*Star*" not in text and "[x](y)" not in text


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

"""The words beside each chart: exact sentences from known figures."""

from datetime import date

import pandas as pd
import pytest

from reach.domain.measures import is_overdue
from reach.domain.breakdowns import band_counts, centre_and_authority_trend, lsoa_gaps
from reach.domain.measures import NO_BAND, Bands
from reach.domain.stats import interval_for, wilson_interval
from reach.presentation.summaries import (band_counts_sentence, band_range, gaps_sentence, interval_sentence,
                                          lag_sentence, long_date, newborn_sentence, reach_sentence, threshold,
                                          trend_sentence, unmatched_sentence, versus, versus_words,
                                          deprived_sentence, why_parts_add_up_to_more)

AS_AT = date(2025, 9, 30)


def test_one_wording_says_why_parts_add_up_to_more_than_the_whole():
    assert why_parts_add_up_to_more("LSOA") == ("an LSOA ahead of the target cannot make up for one behind it, "
                                                "and each LSOA's figure is rounded up to a whole child on its own")
    assert why_parts_add_up_to_more("centre").startswith("a centre ahead of the target")


def test_thresholds_and_dates_as_people_write_them():
    assert threshold(65.0) == "65%" and threshold(97.5) == "97.5%"
    assert long_date(date(2025, 8, 8)) == "8 August 2025"


def test_band_range_in_words():
    bands = Bands()
    assert band_range("outstanding", bands) == "outstanding (97% or more)"
    assert band_range("good", bands) == "good (65% to 97%)"
    assert band_range("requires improvement", bands) == "requires improvement (51% to 65%)"
    assert band_range("inadequate", bands) == "inadequate (below 51%)"
    assert band_range("good", Bands(outstanding=95, good=70.5, requires_improvement=50)) == "good (70.5% to 95%)"
    assert band_range(None, bands).startswith("no band")
    with pytest.raises(ValueError, match="Unknown band"):
        band_range("splendid", bands)


def test_band_counts_list_every_band_and_centres_without_a_figure():
    centres = pd.DataFrame({"band": ["good", "good", "inadequate", None]})
    counts = band_counts(centres)
    assert counts.to_dict(orient="list") == {
        "band": ["outstanding", "good", "requires improvement", "inadequate", NO_BAND],
        "centres": [0, 2, 0, 1, 1]}
    assert band_counts_sentence(counts) == (
        "Of 4 centres, 0 are outstanding, 2 are good, 0 require improvement, 1 is inadequate and "
        "1 has no figure (indicative bands).")
    assert list(band_counts(pd.DataFrame({"band": ["good"]}))["band"]) == [
        "outstanding", "good", "requires improvement", "inadequate"]


def row(**values) -> pd.Series:
    base = dict(centre_name="Riverside", children_under5=1000, known_children=800, reach_pct=80.0, band="good",
                families_to_find=170, births_12m=200, newborns_known_12m=150, newborn_reach_pct=75.0)
    base.update(values)
    return pd.Series(base)


def test_reach_sentence():
    assert reach_sentence(row(), bands=Bands()) == (
        "Of the 1,000 children under five in the authority's reach areas, 800 are known: a reach of 80.0%, "
        "indicative band good (65% to 97%). To know 97% of them, 170 more families need to be found.")
    done = reach_sentence(row(known_children=980, reach_pct=98.0, band="outstanding", families_to_find=0),
                          bands=Bands(), place="Riverside's reach area")
    assert done.endswith("That is at or above 97%: no families to find.")
    assert "1 more family needs" in reach_sentence(row(families_to_find=1), bands=Bands())
    assert reach_sentence(row(children_under5=0), bands=Bands()).startswith("There are no children under five")


def test_newborn_sentence():
    assert newborn_sentence(row()) == ("Of the 200 babies born in the 12 complete months before the chosen "
                                       "date's month, 150 are known (75.0%).")
    assert newborn_sentence(row(births_12m=0)).startswith("There is no birth data")


def test_birth_data_lag_in_words():
    assert not is_overdue(45) and is_overdue(46) and is_overdue(None) and is_overdue(pd.NA)
    assert is_overdue(20, overdue_after_days=14)
    assert lag_sentence(9, as_at=AS_AT) == ("The latest birth data arrived 9 days before 30 September 2025: "
                                            "up to date for monthly sharing.")
    assert lag_sentence(0, as_at=AS_AT).startswith("The latest birth data arrived on the chosen date")
    assert "That is overdue" in lag_sentence(120, as_at=AS_AT)
    assert lag_sentence(pd.NA, as_at=AS_AT).startswith("No birth data had arrived by 30 September 2025")


def test_intervals_and_gaps_to_the_comparator():
    assert interval_for(50, 100) == wilson_interval(50, 100)
    assert interval_for(0, 0) is None
    assert interval_sentence(wilson_interval(50, 100)) == (
        "Allowing for chance, the true reach is probably between 40.4% and 59.6% (95% confidence interval).")
    assert versus(82.34, 80.0) == "+2.3 points" and versus(70.0, 80.0) == "-10.0 points"
    assert versus(float("nan"), 80.0) == ""
    assert versus(80.02, 80.0) == "" and versus(79.96, 80.0) == ""     # no "+0.0" shown as a rise
    assert versus_words(80.02, 80.0) == "The same as all centres (80.0%)."
    assert versus_words(82.34, 80.0) == "2.3 points above all centres (80.0%)."


def test_nothing_loaded_is_not_none():
    assert reach_sentence(row(children_under5=0), bands=Bands(), population_loaded=False) == (
        "No population estimate has been loaded for the authority's reach areas yet, so reach and the "
        "families to find cannot be worked out.")
    assert newborn_sentence(row(births_12m=0), births_loaded=False) == (
        "No birth data has been loaded yet, so newborn reach cannot be worked out.")
    place = "Riverside's reach area"
    assert unmatched_sentence(0, place=place, births_loaded=False, registrations_loaded=False).startswith(
        "No birth data has been loaded for Riverside's reach area yet, so there is no worklist")
    assert unmatched_sentence(0, place=place, births_loaded=True, registrations_loaded=True).endswith(
        "no unmatched births.")
    assert unmatched_sentence(1, place=place, births_loaded=True, registrations_loaded=False) == (
        "Health has passed on **1** child living in Riverside's reach area who is under five and not "
        "registered with any centre. No registrations have been loaded yet, so every child health has "
        "passed on is counted here.")
    deprived = pd.Series({"children_under5": 0, "known_children": 0, "reach_pct": float("nan"),
                          "all_centres_reach_pct": 80.0})
    assert deprived_sentence(deprived, deprivation_loaded=False, population_loaded=True).startswith(
        "No deprivation data (IDACI deciles) has been loaded")
    assert deprived_sentence(deprived, deprivation_loaded=True, population_loaded=False).startswith(
        "No population estimate has been loaded")
    assert deprived_sentence(deprived, deprivation_loaded=True, population_loaded=True) == (
        "None of this reach area is in the 30% most deprived areas of England.")
    assert trend_sentence(trend([70.0]), population_loaded=False).startswith("No population estimate")
    none_yet = band_counts(pd.DataFrame({"band": [None, None]}))
    assert band_counts_sentence(none_yet) == ("None of the 2 centres has a figure yet: reach needs a population "
                                              "estimate for the reach areas.")


def lsoas() -> pd.DataFrame:
    return pd.DataFrame({
        "lsoa_code": ["E1", "E2", "E3", "E4", "E5"], "centre_id": ["C1", "C1", "C1", "C1", "C2"],
        "idaci_decile": [1, 5, 9, 2, 3], "children_under5": [100, 80, 60, 50, 90],
        "known_children": [60, 70, 59, 40, 10], "reach_pct": [60.0, 87.5, 98.3, 80.0, 11.1],
        "families_to_find": [37, 8, 0, 9, 78], "unmatched_births": [5, 2, 0, 3, 9],
        "denominator_flagged": [False, False, False, True, False],
    })


def test_lsoa_gaps_rank_a_centres_areas_by_families_to_find():
    gaps = lsoa_gaps(lsoas(), centre_id="C1")
    assert list(gaps["lsoa_code"]) == ["E1", "E4", "E2", "E3"]
    assert "centre_id" not in gaps.columns
    assert gaps_sentence(gaps, top=2, centre_to_find=54) == (
        "The centre has 54 families to find, living in 3 of its 4 LSOAs. "
        "The 2 LSOAs with the most are E1 and E4: 46 between them.")
    # The tile's figure leads; the LSOAs' larger total is stated with its reason, never instead of it.
    assert gaps_sentence(gaps, top=2, centre_to_find=50) == (
        "The centre has 50 families to find, living in 3 of its 4 LSOAs. "
        "The 2 LSOAs with the most are E1 and E4: 46 between them. Counted LSOA by LSOA, the areas behind "
        "the target need 54, 4 more than the centre's figure: an LSOA ahead of the target cannot make up "
        "for one behind it, and each LSOA's figure is rounded up to a whole child on its own.")
    assert gaps_sentence(gaps, top=2, centre_to_find=0).startswith(
        "The centre as a whole is at or above the target, but 3 of its 4 LSOAs are behind it.")
    named = lsoa_gaps(lsoas(), centre_id="C1", names=pd.DataFrame({"lsoa_code": ["E1"], "lsoa_name": ["Ash 001A"]}))
    assert list(named["lsoa_name"]) == ["Ash 001A", None, None, None]
    assert "The LSOA with the most is Ash 001A (E1): 37." in gaps_sentence(named, top=1, centre_to_find=54)
    assert gaps_sentence(gaps[gaps["families_to_find"] == 0]) == (
        "Every LSOA of this reach area is at or above the target: no LSOA has families to find.")
    assert gaps_sentence(gaps, population_loaded=False).startswith("No population estimate has been loaded")
    assert gaps_sentence(gaps.head(0)) == "No LSOAs are listed in this centre's reach area yet."


def trend(values, name="Riverside", centre_id="C1") -> pd.DataFrame:
    days = [date(2025, 7, 31), date(2025, 8, 31), date(2025, 9, 30)][: len(values)]
    return pd.DataFrame({"as_at": days, "centre_id": centre_id, "centre_name": name, "children_under5": 100,
                         "known_children": [int(v) for v in values], "reach_pct": values,
                         "newborn_reach_pct": 50.0, "sustained_pct": 20.0, "families_to_find": 10,
                         "unmatched_births": 3})


def test_trend_sentence():
    assert trend_sentence(trend([70.0, 72.0, 75.5])) == (
        "Reach rose from 70.0% on 31 July 2025 to 75.5% on 30 September 2025 (up 5.5 points).")
    assert "fell from 75.0%" in trend_sentence(trend([75.0, 70.0]))
    assert trend_sentence(trend([70.0, 70.0])).startswith("Reach stayed at 70.0%")
    assert trend_sentence(trend([70.0])) == "There is not yet enough history for a trend."


def test_centre_and_authority_trend_one_below_the_other():
    both = centre_and_authority_trend(pd.concat([trend([70.0, 72.0]), trend([50.0, 51.0], "Hilltop", "C2")]),
                                      trend([60.0, 61.0], "All centres", None), centre_id="C1")
    assert list(both["series"]) == ["Riverside", "Riverside", "All centres", "All centres"]
    assert list(both["reach_pct"]) == [70.0, 72.0, 60.0, 61.0]


def test_sentences_are_markdown_with_names_and_codes_escaped():
    """A code or a name from a file is shown as itself, never as a link or an image."""
    from reach.presentation.comparison_sentences import outside_limits_sentence, similar_sentence
    from reach.presentation.safe_text import markdown_shown, markdown_text

    image = "![x](http://evil.example/p.png)"
    gaps = lsoa_gaps(lsoas().assign(lsoa_code=[image, "E2", "E3", "E4", "E5"]), centre_id="C1")
    sentence = gaps_sentence(gaps, top=1)
    assert markdown_text(image) in sentence and "](http" not in sentence
    assert image in markdown_shown(sentence)

    row = pd.Series({"children_under5": 100, "known_children": 90, "reach_pct": 90.0, "band": "good",
                     "families_to_find": 7})
    place = f"{markdown_text(image)}'s reach area"       # the caller escapes the name it puts in `place`
    assert place in reach_sentence(row, bands=Bands(), place=place)

    league = pd.DataFrame({"centre_name": [image, "Ash"], "comparison": ["better", "similar"]})
    assert f"{markdown_text(image)} (higher)." in outside_limits_sentence(league)
    assert "](http" not in outside_limits_sentence(league)
    similar = pd.DataFrame({"centre_name": ["Ash", image], "is_chosen": [True, False],
                            "deprived_share_pct": [30.0, 31.0], "reach_pct": [80.0, 70.0]})
    assert markdown_text(image) in similar_sentence(similar) and "](http" not in similar_sentence(similar)

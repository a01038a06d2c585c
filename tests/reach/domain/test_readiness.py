"""The date the figures start at, the date a page's address carries, and the getting-started list."""

from datetime import date

import pytest

from reach.domain.readiness import STEPS, Coverage, StepStatus, date_from_link, default_as_at, missing_essentials

TODAY = date(2026, 11, 30)


def test_a_new_births_file_does_not_move_the_date_from_the_registrations():
    coverage = Coverage(registrations=date(2026, 9, 30), birth_records=date(2026, 11, 30),
                        birth_counts=date(2026, 9, 21), contacts=date(2026, 9, 30))
    assert default_as_at(coverage, TODAY) == date(2026, 9, 30)


def test_birth_data_that_stopped_early_does_not_move_the_date_back():
    coverage = Coverage(registrations=date(2026, 9, 30), birth_records=date(2025, 1, 14))
    assert default_as_at(coverage, TODAY) == date(2026, 9, 30)


def test_registrations_dated_after_today_start_the_figures_at_today():
    assert default_as_at(Coverage(registrations=date(2027, 1, 5)), TODAY) == TODAY


@pytest.mark.parametrize("coverage, expected", [
    (Coverage(birth_records=date(2026, 8, 17), contacts=date(2026, 7, 1)), date(2026, 8, 17)),
    (Coverage(birth_counts=date(2027, 3, 1)), TODAY),
    (Coverage(), TODAY),
])
def test_without_registrations_the_latest_other_date_or_today(coverage, expected):
    assert default_as_at(coverage, TODAY) == expected


@pytest.mark.parametrize("value, expected", [
    (None, (None, None)),
    ("", (None, None)),
    ("2026-06-30", (date(2026, 6, 30), None)),
    ("2026-11-30", (date(2026, 11, 30), None)),
    ("2026-12-01", (None, "it is after today")),
    ("2026-02-30", (None, "it is not a real date written as YYYY-MM-DD")),
    ("30/06/2026", (None, "it is not a real date written as YYYY-MM-DD")),
    ("2026-6-30", (None, "it is not a real date written as YYYY-MM-DD")),
    ("20260630", (None, "it is not a real date written as YYYY-MM-DD")),
])
def test_the_date_in_a_link(value, expected):
    assert date_from_link(value, TODAY) == expected


def test_the_list_puts_places_before_people_and_names_four_essentials():
    names = [step.name for step in STEPS]
    assert names.index("Postcode lookup") < names.index("Birth data") < names.index("Registrations")
    assert names.index("Reach areas") < names.index("Registrations")
    assert [step.name for step in STEPS if step.essential] == [
        "Children's centres", "Reach areas", "Population estimates", "Registrations"]
    statuses = [StepStatus(step, rows=0 if step.name in ("Reach areas", "Contacts") else 5) for step in STEPS]
    assert [step.name for step in missing_essentials(statuses)] == ["Reach areas"]

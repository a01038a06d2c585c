"""The words for the date the figures start at and for the getting-started list."""

from datetime import date

from reach.domain.readiness import STEPS, Coverage, StepStatus
from reach.presentation.readiness_sentences import (as_at_in_use, as_at_note, checklist_heading, incomplete_summary,
                                                    step_line)

TODAY = date(2026, 11, 30)
SEPTEMBER = date(2026, 9, 30)
STEP = {step.name: step for step in STEPS}


def test_the_date_in_use_is_written_out():
    assert as_at_in_use(SEPTEMBER) == "Every page shows figures as at **30 September 2026**."


def test_births_running_later_are_named_in_one_sentence():
    coverage = Coverage(registrations=SEPTEMBER, birth_records=TODAY, contacts=SEPTEMBER)
    assert as_at_note(coverage, as_at=SEPTEMBER, start=SEPTEMBER, today=TODAY) == (
        "Registrations run to 30 September 2026, but birth records were received up to 30 November 2026: "
        "figures start at 30 September 2026, the latest date both cover.")


def test_several_sources_running_later():
    coverage = Coverage(registrations=SEPTEMBER, birth_counts=date(2026, 10, 21), contacts=date(2026, 10, 31))
    assert as_at_note(coverage, as_at=SEPTEMBER, start=SEPTEMBER, today=TODAY) == (
        "Registrations run to 30 September 2026, but birth counts were received up to 21 October 2026 and "
        "contacts run to 31 October 2026: figures start at 30 September 2026, the latest date all of them cover.")


def test_nothing_to_say_when_the_sources_end_together_or_earlier():
    coverage = Coverage(registrations=SEPTEMBER, birth_records=date(2026, 9, 17), contacts=SEPTEMBER)
    assert as_at_note(coverage, as_at=SEPTEMBER, start=SEPTEMBER, today=TODAY) is None


def test_a_date_after_the_registrations_warns_that_reach_may_look_lower():
    coverage = Coverage(registrations=SEPTEMBER, birth_records=TODAY)
    assert as_at_note(coverage, as_at=date(2026, 11, 15), start=SEPTEMBER, today=TODAY) == (
        "Registrations run only to 30 September 2026: children registered after that are not loaded yet, "
        "so reach may look lower than it is.")
    assert as_at_note(coverage, as_at=date(2026, 6, 30), start=SEPTEMBER, today=TODAY) is None


def test_no_registrations_or_nothing_at_all():
    assert as_at_note(Coverage(), as_at=TODAY, start=TODAY, today=TODAY) == (
        "Nothing with a date is loaded yet, so the figures start at today.")
    assert as_at_note(Coverage(birth_records=SEPTEMBER), as_at=SEPTEMBER, start=SEPTEMBER, today=TODAY) == (
        "No registrations are loaded yet, so the figures start at the latest date in the other data.")


def test_a_loaded_step_gives_its_rows_and_date_a_missing_one_its_command():
    assert step_line(8, StepStatus(STEP["Registrations"], rows=31_204, latest=SEPTEMBER)) == (
        "**8. Registrations** :green-badge[loaded] 31,204 rows, the latest registered on 30 September 2026.")
    assert step_line(1, StepStatus(STEP["Children's centres"], rows=1)) == (
        "**1. Children's centres** :green-badge[loaded] 1 row.")
    assert step_line(7, StepStatus(STEP["Birth data"], rows=0)) == (
        "**7. Birth data** :gray-badge[not loaded: optional] The births from health: the outreach worklist and "
        "newborn reach (birth counts alone give newborn reach). Load it with "
        "`python -m reach import births FILE --received-on DATE` (or `birth-counts`), or upload it below.")
    assert step_line(5, StepStatus(STEP["Population estimates"], rows=0)).startswith(
        "**5. Population estimates** :red-badge[missing: essential] ")


def test_the_heading_and_the_short_version():
    nothing = [StepStatus(step, rows=0) for step in STEPS]
    assert checklist_heading(nothing) == "Getting started: 0 of 9 kinds of data loaded, 4 essential ones missing"
    assert incomplete_summary(nothing).startswith(
        "**Nothing is loaded yet.** Reach needs children's centres, reach areas, population estimates and "
        "registrations, loaded in that order")
    some = [StepStatus(step, rows=0 if step.name in ("Registrations", "Contacts") else 3) for step in STEPS]
    assert checklist_heading(some) == "Getting started: 7 of 9 kinds of data loaded, 1 essential one missing"
    assert incomplete_summary(some).startswith("**Reach cannot be worked out yet: no registrations are loaded.**")
    two = [StepStatus(step, rows=0 if step.name in ("Registrations", "Population estimates") else 3) for step in STEPS]
    assert incomplete_summary(two) == (
        "**Reach cannot be worked out yet: no population estimates or registrations are loaded.** Until they are, "
        "the figures below are not complete. The Data page lists what to load, in what order, with the command "
        "or upload for each.")
    everything = [StepStatus(step, rows=3) for step in STEPS]
    assert incomplete_summary(everything) is None
    assert checklist_heading(everything) == "Getting started: 9 of 9 kinds of data loaded"

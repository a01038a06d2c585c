"""The what-if page's tables: every sharing option in the long run, the path month by month
under each, and the settings behind the scenario with where each came from. Plain text and
numbers, for a table or a CSV.
"""

from __future__ import annotations

import pandas as pd

from dataclasses import replace

from datetime import date

from reach.domain.whatif import (SHARING_OPTIONS, TARGET_SHARE, UNDER_TWO_SPAN_MONTHS, Projection, Scenario,
                                 contact_rate_needed_by_sharing, project_to, steady_state_by_sharing,
                                 steady_state_reach)
from reach.domain.whatif_parameters import Calibration, Parameter
from reach.presentation.format import percent
from reach.presentation.whatif_settings import (CHOICE_NAMES, PARAMETER_OF, PARAMETER_WORDS, SHARING_LABELS, Choices,
                                                calibration_with, choices_from, shown_value)

OUT_OF_REACH = "out of reach"
ORIGIN_WORDS = {"data": "from the data", "default": "default", "option": "chosen here"}


def steady_state_table(scenario: Scenario, *, target_share: float = TARGET_SHARE) -> pd.DataFrame:
    """One row per sharing option, the other settings fixed: the option as the page names it
    ('Monthly', 'No sharing'), the long-run reach, whether it reaches the target (`target_share`:
    the outstanding threshold, 97% unless changed), the contact success the target would need
    ('out of reach' where even contacting every family named in the data could not get there),
    and the option's own name ('monthly', 'none': as in the link and on the command line); last,
    the long-run reach among the under-twos (ages 0 and 1) under the same option."""
    needed = contact_rate_needed_by_sharing(scenario, target_share=target_share)
    rows = []
    for name, share in steady_state_by_sharing(scenario).items():
        rate = needed[name]
        rows.append({"sharing": SHARING_LABELS[name], "long_run_reach_pct": 100.0 * share,
                     "reaches_target": "yes" if share >= target_share else "no",
                     "contact_needed_for_target": OUT_OF_REACH if rate is None else percent(100.0 * rate),
                     "sharing_option": name,
                     "long_run_reach_under2_pct": 100.0 * steady_state_reach(
                         replace(scenario, sharing_months=SHARING_OPTIONS[name]),
                         age_span_months=UNDER_TWO_SPAN_MONTHS)})
    return pd.DataFrame(rows)


def under_two_paths(*, scenario: Scenario, known: float, under_two: float, start: date, until: date,
                    known_share_by_age: list[float], target_share: float = TARGET_SHARE) -> dict[str, Projection]:
    """Reach under two month by month under each sharing option, the other settings fixed: the
    model followed for ages 0 and 1 only (as `reach.queries.calibration.under_two_projection`
    does for one option), from today's `known` of `under_two` and their known share by age."""
    return {name: project_to(scenario=replace(scenario, sharing_months=months), known=known, under_five=under_two,
                             start=start, until=until, known_share_by_age=known_share_by_age,
                             target_share=target_share, age_span_months=UNDER_TWO_SPAN_MONTHS)
            for name, months in SHARING_OPTIONS.items()}


def paths_table(projections: dict[str, Projection]) -> pd.DataFrame:
    """One row per month, one reach column per sharing option: the first row is today's
    figure, each later row that month's average."""
    first = next(iter(projections.values()))
    table = pd.DataFrame({"month": [point["month"] for point in first.path]})
    for name, projection in projections.items():
        table[f"reach_pct_{name}"] = [point["reach_pct"] for point in projection.path]
    return table


def calibration_table(calibration: Calibration, *, choices: Choices) -> pd.DataFrame:
    """The settings behind the scenario: each one's value in the scenario, whether that is from
    the data, a default or chosen here, the value it started at, and the records behind the
    starting value and how it was worked out."""
    start = choices_from(calibration)
    scenario_calibration = calibration_with(calibration, choices)
    rows = []
    for name in CHOICE_NAMES:
        started: Parameter = getattr(calibration, PARAMETER_OF[name])
        rows.append({
            "parameter": PARAMETER_WORDS[name],
            "value": shown_value(name, getattr(choices, name)),
            "origin": ORIGIN_WORDS[getattr(scenario_calibration, PARAMETER_OF[name]).origin],
            "starting_value": shown_value(name, getattr(start, name)),
            "starting_origin": ORIGIN_WORDS[started.origin],
            "records": started.records,
            "how": started.how,
        })
    return pd.DataFrame(rows)

"""`whatif`: the what-if model from the command line.

Every parameter left out is read from the database (or assumed, where there is no database or
the data cannot say), and the output says which, from how many records, and how.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from datetime import date

from cli.common import EXIT_OK, InputFault, add_command, arguments_checked, date_argument
from data.store import database_path, opened
from reach.domain.measures import Bands
from reach.domain.months import add_months
from reach.domain.whatif import (SHARING_OPTIONS, UNDER_TWO_SPAN_MONTHS, Projection, months_until_period_end,
                                 project_to, sharing_name, steady_state_by_sharing, steady_state_reach)
from reach.domain.whatif_parameters import Calibration, default_calibration
from reach.presentation.format import percent
from reach.presentation.safe_text import terminal_text
from reach.presentation.whatif_sentences import (describe_change, dip_sentence, headline_sentence, target_sentence,
                                                 target_words)
from reach.presentation.whatif_settings import changed_choices, choices_from, todays_sharing_assumed
from reach.queries.calibration import (area_name, calibrate, current_position, known_share_by_age,
                                       known_share_by_age_under_two, under_two_position)
from reach.queries.loaded import loaded_data
from reach.queries.readiness import starting_as_at
from reach.presentation.wording import current

DEFAULT_HORIZON_MONTHS = 24

# Option name on the command line -> parameter name in the model.
_OPTIONS = {
    "sharing": "sharing_months",
    "contact_rate": "contact_rate",
    "other_route_rate": "other_route_rate",
    "churn": "churn",
    "delay_months": "delay_months",
    "arrivals_in_feed": "arrivals_in_feed",
}
_SHOWN_NAMES = {parameter: option for option, parameter in _OPTIONS.items()}


def add_whatif_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `whatif` subcommand to `python -m reach`."""
    parser = add_command(
        subparsers, "whatif", run=run_whatif, help="model how faster sharing of birth data changes reach",
        description=textwrap.dedent("""\
            What share of under-fives would a centre (or the whole authority) know if birth data
            were shared more often, arrived sooner, or included families who move in?

            Prints the long-run (steady-state) reach for the scenario and for every sharing
            option, and, where there is data, reach month by month from today to --until, the
            month it would first reach the outstanding threshold (97%, or --outstanding), and
            the dashboard's headline: the scenario set against the one from the data, naming
            each setting given that differs from it.

            Every parameter you leave out is read from the database: how often birth records
            arrive, how late, how many notified families register, how many are found another
            way. Where the data cannot say (or there is no database) a stated default is used:
            quarterly sharing, 1 month's delay, contact rate 0.90, other routes 0.02 a month,
            churn 0.01 a month, births only. The output shows where each value came from."""),
        epilog=textwrap.dedent("""\
            examples:
              python -m reach whatif --format table
              python -m reach whatif --sharing monthly --arrivals-in-feed --format table
              python -m reach whatif --centre C001 --sharing monthly --until 2027-03-31
              python -m reach whatif --sharing quarterly --contact-rate 0.95 --other-route-rate 0.02 \\
                  --churn 0.01 --delay-months 1 --no-arrivals-in-feed --format json"""),
    )
    parser.add_argument("--sharing", choices=tuple(SHARING_OPTIONS), metavar="HOW_OFTEN",
                        help="how often birth data is shared: " + ", ".join(SHARING_OPTIONS))
    parser.add_argument("--contact-rate", type=float, metavar="P",
                        help="share of notified families who then register, 0 to 1 (0.9 for 90%%)")
    parser.add_argument("--other-route-rate", type=float, metavar="H",
                        help="monthly chance that an unknown child becomes known another way (0.02 for 2%%)")
    parser.add_argument("--churn", type=float, metavar="C",
                        help="monthly share of under-fives who move away, replaced by newcomers (0.01 for 1%%)")
    parser.add_argument("--delay-months", type=float, metavar="D",
                        help="months from the end of the period shared to the data arriving")
    parser.add_argument("--arrivals-in-feed", action=argparse.BooleanOptionalAction, default=None,
                        help="whether the shared data includes children who move into the area")
    parser.add_argument("--centre", metavar="ID", help="one centre's reach area (default: the whole authority)")
    parser.add_argument("--as-at", type=date_argument, metavar="DATE",
                        help="today's position (default: the last day the registrations cover, never after today; "
                             "as the dashboard starts)")
    parser.add_argument("--until", type=date_argument, metavar="DATE",
                        help=f"project reach up to this date (default: {DEFAULT_HORIZON_MONTHS} months after --as-at)")
    parser.add_argument("--outstanding", type=float, default=Bands().outstanding, metavar="PCT",
                        help="the outstanding threshold, the reach the projection aims at "
                             f"(default {Bands().outstanding:g}, as for `report`)")
    parser.add_argument("--format", choices=("json", "table"), default="table")
    return parser


def _chosen_options(args) -> dict:
    chosen = {}
    for option, parameter in _OPTIONS.items():
        value = getattr(args, option, None)
        if value is not None:
            chosen[parameter] = SHARING_OPTIONS[value] if option == "sharing" else value
    return chosen


def _parameter_json(calibration: Calibration) -> dict:
    shown = {}
    for name, parameter in calibration.parameters().items():
        value = sharing_name(parameter.value) if name == "sharing_months" else parameter.value
        shown[_SHOWN_NAMES[name]] = {"value": value, "origin": parameter.origin,
                                     "records": parameter.records, "how": parameter.how}
    return shown


def whatif_result(*, db=None, centre_id=None, as_at: date | None = None, until: date | None = None,
                  options: dict | None = None, outstanding: float = Bands().outstanding) -> dict:
    """Everything the command prints, as plain values (also what the JSON output holds).
    `outstanding` is the outstanding threshold in percent: the target the projection aims at."""
    if not 0 < outstanding <= 100:
        raise InputFault(f"--outstanding is a percentage above 0 and at most 100; got {outstanding:g}.")
    target_share = outstanding / 100.0
    path = database_path(db)
    result: dict = {"database": str(path) if path.exists() else None, "centre_id": centre_id}
    if path.exists():
        with opened(path, read_only=True) as con:
            day = as_at or starting_as_at(con)     # where the dashboard starts too
            from_data = calibrate(con, as_at=day, centre_id=centre_id)
            calibration = from_data.with_options(**(options or {}))
            known, under_five = current_position(con, as_at=day, centre_id=centre_id)
            by_age = known_share_by_age(con, as_at=day, centre_id=centre_id) if under_five > 0 else None
            known_under2, under_two = under_two_position(con, as_at=day, centre_id=centre_id)
            by_age_under2 = (known_share_by_age_under_two(con, as_at=day, centre_id=centre_id, under_two=under_two)
                             if under_two > 0 else None)
            area = area_name(con, centre_id)
            births_loaded = loaded_data(con, as_at=day, centre_id=centre_id).births
    else:
        if centre_id is not None:
            raise InputFault(f"There is no database at {path}, so there is no {current().site} {centre_id!r} to model.")
        day = as_at or date.today()
        from_data = default_calibration(as_at=day)
        calibration = from_data.with_options(**(options or {}))
        births_loaded = False
        known, under_five, area = None, 0.0, "the authority"
        known_under2, under_two, by_age_under2 = None, 0.0, None
    with arguments_checked():       # a value out of range: a contact rate of 1.5, say
        scenario = calibration.scenario()
    end = until or add_months(day, DEFAULT_HORIZON_MONTHS)
    if end < day:
        raise InputFault(f"--until {end.isoformat()} is before --as-at {day.isoformat()}.")
    result.update({
        "area": area,
        "as_at": day.isoformat(),
        "until": end.isoformat(),
        "target_pct": outstanding,
        "steady_state_reach_pct": 100.0 * steady_state_reach(scenario),
        "parameters": _parameter_json(calibration),
        "all_sharing_options": {name: 100.0 * reach for name, reach in steady_state_by_sharing(scenario).items()},
    })
    if under_five > 0 and known is not None:
        with arguments_checked():   # --until too far ahead
            projection: Projection = project_to(scenario=scenario, known=known, under_five=under_five, start=day,
                                                until=end, known_share_by_age=by_age, target_share=target_share)
        # The dashboard's headline for the same settings: the scenario set against the data's.
        choices = choices_from(calibration)
        compared = None
        if changed_choices(from_data, choices):
            compared = project_to(scenario=from_data.scenario(), known=known, under_five=under_five, start=day,
                                  until=end, known_share_by_age=by_age, target_share=target_share)
        headline = headline_sentence(chosen=projection, compared=compared, calibration=from_data, choices=choices,
                                     today_assumed=todays_sharing_assumed(from_data, births_loaded=births_loaded),
                                     area_name=area)
        result.update({
            "current_reach_pct": 100.0 * known / under_five,
            "known_children": known,
            "children_under5": under_five,
            "known_share_by_year_of_age": by_age,
            "path": projection.path,
            "crosses_target_on": (projection.crosses_target_on.isoformat()
                                  if projection.crosses_target_on is not None else None),
            "reach_at_until_pct": projection.reach_at_until,
            "headline": headline,
            "dip": dip_sentence(projection),
            "long_run_target": target_sentence(scenario, target_share=target_share),
            "summary": describe_change(scenario=scenario, known=known, under_five=under_five, area_name=area,
                                       start_month_phase=months_until_period_end(day, scenario.sharing_months),
                                       known_share_by_age=by_age, target_share=target_share),
        })
        if under_two > 0 and known_under2 is not None:
            # The same model followed for the children aged 0 and 1 only.
            younger = project_to(scenario=scenario, known=known_under2, under_five=under_two, start=day, until=end,
                                 known_share_by_age=by_age_under2, target_share=target_share,
                                 age_span_months=UNDER_TWO_SPAN_MONTHS)
            result["under_two"] = {
                "current_reach_pct": 100.0 * known_under2 / under_two,
                "known_under2": known_under2,
                "children_under2": under_two,
                "path": younger.path,
                "reach_at_until_pct": younger.reach_at_until,
                "steady_state_reach_pct": younger.steady_state_pct,
            }
    elif known is not None:
        result["note"] = "No children under five in the area on that date, so there is nothing to project."
    else:
        result["note"] = "No database, so every parameter not given is a default and there is no projection."
    return result


def _shown(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _table(result: dict) -> str:
    """The result for a person at a terminal. A centre's name (in the area and the summary) is
    printed through `terminal_text`, so it cannot send the terminal control characters."""
    lines = [f"What if: {terminal_text(result['area'])}, as at {result['as_at']}", ""]
    rows = [("Parameter", "Value", "From", "Records", "How")]
    for name, p in result["parameters"].items():
        rows.append((name.replace("_", " "), _shown(p["value"]), p["origin"], f"{p['records']:,}",
                     terminal_text(p["how"])))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) if i != 3 else cell.rjust(widths[i])
                               for i, cell in enumerate(row[:4])) + "  " + row[4])
    lines += ["", f"Long-run reach with these parameters: {percent(result['steady_state_reach_pct'], places=2)}", "",
              "Long-run reach by sharing option (other parameters unchanged):"]
    for name, pct in result["all_sharing_options"].items():
        lines.append(f"  {name:<10} {percent(pct, places=2):>8}")
    if "path" in result:
        lines += ["", f"Reach now: {percent(result['current_reach_pct'])} "
                      f"({result['known_children']:,} of {result['children_under5']:,.0f} under-fives)",
                  "Reach by month (each month's average):"]
        for point in result["path"]:
            lines.append(f"  {point['month']}  {percent(point['reach_pct']):>7}")
        target = target_words(result["target_pct"] / 100.0)
        crosses = result["crosses_target_on"]
        lines.append(f"Reaches {target}: " + (f"by {crosses}" if crosses else f"not by {result['until']}"))
        if "under_two" in result:
            young = result["under_two"]
            lines.append(f"Reach under two now: {percent(young['current_reach_pct'])} ({young['known_under2']:,} of "
                         f"{young['children_under2']:,.0f} under-twos); by {young['path'][-1]['month']}: "
                         f"{percent(young['reach_at_until_pct'])}; long-run: "
                         f"{percent(young['steady_state_reach_pct'], places=2)}")
        lines += ["", terminal_text(" ".join(part for part in (result["headline"], result["dip"]) if part)),
                  result["long_run_target"]]
    else:
        lines += ["", result["note"]]
    return "\n".join(lines)


def run_whatif(args) -> int:
    """The `whatif` command: prints the result and returns the exit status. A fault in the
    arguments raises InputFault (or UnknownCentre), which `cli.main` turns into status 2."""
    result = whatif_result(db=args.db, centre_id=args.centre, as_at=args.as_at, until=args.until,
                           options=_chosen_options(args), outstanding=args.outstanding)
    if args.format == "json":
        print(json.dumps(result, indent=2))
    else:
        print(_table(result))
    return EXIT_OK

"""The tables of a report people hand over, for one centre or the whole authority, as at a date.

One function gathers them, for every format (`reach.presentation.report_files` writes CSV,
Parquet and Excel) and, in time, for the dashboard's downloads, so a file says the same whichever
way it was made. With a disclosure rule the figures are those of `reach.queries.publication`
(protected together with everything else Reach publishes as at the date); without one they are
the working figures, every number shown.

Tables, in order (the key figures are worked out from the rows when written): "centres" (the
authority only), "lsoas", "target_groups", "trend" and "timeliness" (whether each source of
data is arriving as usual: dates and days, no counts of children).
"""

from __future__ import annotations

import pandas as pd

from data.dates import as_date
from reach.domain.breakdowns import centre_and_authority_trend, lsoa_gaps, with_lsoa_names
from reach.domain.measures import ReportOptions
from reach.domain.months import month_ends, quarter_ends
from reach.domain.report_contents import ReportContents
from reach.domain.suppression import SuppressionRule
from reach.queries.calibration import UnknownCentre
from reach.queries.compliance import compliance
from reach.queries.figures_store import stored_or_computed
from reach.queries.mapdata import lsoa_names
from reach.queries.publication import AUTHORITY, GAPS_COLUMNS, TREND_COLUMNS, centre_tables, published_figures
from reach.queries.report import reach_reports, reach_trends
from reach.queries.target_groups import target_groups, with_all_centres

TREND_MONTHS = 36
# What the provenance sheet shows of each import.
HISTORY_COLUMNS = ("import_id", "kind", "file_name", "received_on", "started_at", "rows_loaded",
                   "rows_quarantined", "status")


def report_tables(con, *, as_at, centre_id: str | None = None, rule: SuppressionRule | None = None,
                  options: ReportOptions = ReportOptions(), trend_months: int = TREND_MONTHS) -> ReportContents:
    """The report's tables for `centre_id` (None: the authority) as at `as_at`.

    Under a rule the trend shows the end of each quarter, each protected as at its own date, as
    the dashboard's evidence pack does; the working trend shows every month. Raises UnknownCentre
    for a centre that is not in the report.
    """
    day = as_date(as_at)
    names = lsoa_names(con)
    quarters = quarter_ends(until=day, months=trend_months)
    if rule is not None:
        # Read from the figures stored after the last import where they are there (at scale, the
        # worker stores every quarter-end under the standard rule), otherwise worked out.
        figures = stored_or_computed(con, None, published_figures, as_at=day, options=options, rule=rule)
        centres, authority = figures.tables["centre"], figures.tables["authority"].iloc[0]
        _check_centre(centres, centre_id)
        points = [figures if point == day
                  else stored_or_computed(con, None, published_figures, as_at=point, options=options, rule=rule)
                  for point in quarters]
        if centre_id is not None:
            tables = centre_tables(figures, centre_id=centre_id, trend=points, names=names)
            tables.pop("unmatched_by_lsoa_month", None)
        else:
            groups = figures.tables["target_groups"]
            tables = {"centres": centres,
                      "lsoas": with_lsoa_names(figures.tables["lsoa"], names)[["centre_id", *GAPS_COLUMNS]],
                      "target_groups": groups[groups["centre_id"] == AUTHORITY].drop(columns="centre_id")
                      .reset_index(drop=True),
                      "trend": _authority_trend([(p.as_at, p.tables["authority"]) for p in points])}
    else:
        reports = reach_reports(con, as_at=day, options=options)
        centres, authority = reports["centre"], reports["authority"].iloc[0]
        _check_centre(centres, centre_id)
        trends = reach_trends(con, dates=month_ends(until=day, months=trend_months), options=options)
        everyone = target_groups(con, as_at=day, centre_id=None, options=options)
        if centre_id is not None:
            own = target_groups(con, as_at=day, centre_id=centre_id, options=options)
            tables = {"lsoas": lsoa_gaps(reports["lsoa"], centre_id=centre_id, names=names),
                      "target_groups": with_all_centres(own, everyone),
                      "trend": centre_and_authority_trend(trends["centre"], trends["authority"],
                                                          centre_id=centre_id)}
        else:
            lsoas = with_lsoa_names(reports["lsoa"], names)
            tables = {"centres": centres, "lsoas": lsoas[["centre_id", *GAPS_COLUMNS]],
                      "target_groups": everyone,
                      "trend": trends["authority"].assign(series="All centres")[TREND_COLUMNS]}
    centre = None
    if centre_id is not None:
        centre = centres[centres["centre_id"] == centre_id].iloc[0]
    timeliness = compliance(con, as_at=day)
    history = con.execute(f"SELECT {', '.join(HISTORY_COLUMNS)} FROM import_log ORDER BY import_id DESC").df()
    return ReportContents(as_at=day, rule=rule, options=options, centre=centre, authority=authority,
                          tables={**tables, "timeliness": timeliness}, history=history.reset_index(drop=True))


def _check_centre(centres: pd.DataFrame, centre_id: str | None) -> None:
    if centre_id is not None and centre_id not in set(centres["centre_id"]):
        known = ", ".join(str(c) for c in centres["centre_id"]) or "none yet"
        raise UnknownCentre(f"There is no centre {centre_id!r} in the report; the centres are: {known}.")


def _authority_trend(points) -> pd.DataFrame:
    """The authority's rows at each date, in the trend's columns ('All centres')."""
    rows = []
    for day, frame in points:
        for row in frame.to_dict("records"):
            row = dict(row, as_at=day, series="All centres")
            rows.append({column: row.get(column) for column in TREND_COLUMNS})
    return pd.DataFrame(rows, columns=TREND_COLUMNS)

"""A report written as one web page people can open offline and print on A4.

The page is self-contained: its style is inline, its charts are inline SVG drawn by
`reach.presentation.svg_charts`, and it holds no script and nothing that fetches a font, an
image, a style sheet or a link. It shows the same tables as the other formats
(`reach.presentation.report_files.sheets`: the same rounding, the same rule), set out for
reading: counts with thousands separators, percentages to one decimal place, withheld figures as
the rule's marker. Every text from the data (centre, LSOA and file names) is escaped with
`safe_text.html_text`. Printed, each section starts on a new page and no table row is split.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from reach.domain.report_contents import ReportContents
from reach.presentation import format as fmt
from reach.presentation import svg_charts
from reach.presentation.report_files import definitions_table, key_figures_table, provenance, sheets
from reach.presentation.safe_text import html_text
from reach.presentation.summaries import (band_range, interval_sentence, lag_sentence, long_date, threshold,
                                          why_parts_add_up_to_more)
from reach.presentation.wording import reword, reword_label

# The columns of the centres' table that fit across an A4 page, in order.
CENTRE_COLUMNS = ("centre_id", "centre_name", "children_under5", "known_children", "reach_pct", "band",
                  "families_to_find", "unmatched_births", "sustained_pct", "newborn_reach_pct")
TIMELINESS_HEADINGS = {"source": "Source", "status": "Status", "last_received": "Last arrived",
                       "lag_days": "Days since", "usual_interval_days": "Usual interval (days)",
                       "due_every_days": "Due every (days)", "allowed_days": "Overdue after (days)",
                       "overdue": "Overdue", "deliveries": "Deliveries", "interval_basis": "Interval",
                       "dated_by": "Dated by"}
OTHER_HEADINGS = {"group_name": "Group", "share_of_known_pct": "Share of known %",
                  "all_centres_reach_pct": "Reach %, all centres",
                  "all_centres_share_of_known_pct": "Share of known %, all centres", "series": "Series",
                  "item": "Item", "value": "Value", "import_id": "Import", "kind": "Kind", "file_name": "File",
                  "received_on": "Received", "started_at": "Loaded at", "rows_loaded": "Rows loaded",
                  "rows_quarantined": "Rows set aside"}
# Columns kept out of the tables shown (codes the words beside them already give).
HIDDEN = ("group",)

STYLE = """
@page { size: A4; margin: 14mm 12mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #1a1a1a; margin: 0 auto;
       max-width: 190mm; line-height: 1.35; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13.5pt; margin: 0 0 6pt; color: #1f4e79; }
h3 { font-size: 11pt; margin: 10pt 0 4pt; }
section { break-before: page; page-break-before: always; padding-top: 4pt; }
section.first { break-before: auto; page-break-before: auto; }
.rule { border: 1px solid #1f4e79; background: #eef3f8; padding: 6pt 8pt; margin: 8pt 0; }
.tiles { display: flex; flex-wrap: wrap; gap: 6pt; margin: 8pt 0; }
.tile { border: 1px solid #bfbfbf; padding: 4pt 8pt; min-width: 30mm; break-inside: avoid; page-break-inside: avoid; }
.tile .label { font-size: 9pt; color: #555555; } .tile .value { font-size: 15pt; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0 10pt; }
thead { display: table-header-group; }
tr, svg, .keep { break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #d9d9d9; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: bold; }
td.n, th.n { text-align: right; white-space: nowrap; }
dt { font-weight: bold; margin-top: 4pt; } dd { margin: 0 0 2pt 0; }
.small { font-size: 9pt; color: #555555; }
"""


# --- cells --------------------------------------------------------------------------------------

def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value))


def shown(value, *, column: str) -> str:
    """One figure as the page shows it (plain text, before escaping): 12,345; 96.4%; yes / no; a
    date as 2026-09-30; the rule's marker and other text as they are; a blank as a dash."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return fmt.NO_FIGURE
    if isinstance(value, (bool,)) or type(value).__name__ == "bool_":
        return "yes" if bool(value) else "no"
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if column.endswith("_pct"):
        return fmt.percent(value)
    number = float(value)
    return fmt.count(number) if number.is_integer() else f"{number:,.1f}"


def _is_number(value) -> bool:
    return not isinstance(value, (str, bool, date)) and not _missing(value) and pd.api.types.is_number(value)


def _heading(column: str) -> str:
    return reword(fmt.HEADINGS.get(column) or TIMELINESS_HEADINGS.get(column) or OTHER_HEADINGS.get(column)
                  or column.replace("_", " ").capitalize())


def table_html(frame: pd.DataFrame, *, name: str) -> str:
    """A table for reading, every cell escaped; `name` becomes its id (report-`name`)."""
    columns = [c for c in frame.columns if c not in HIDDEN]
    # An empty table first: mapping an empty column of dates gives dates again, which `all` refuses.
    numeric = {c: len(frame) > 0 and bool(frame[c].map(lambda v: _is_number(v) or v == "c").all()) for c in columns}
    head = "".join(f'<th{" class=n" if numeric[c] else ""}>{html_text(_heading(c))}</th>' for c in columns)
    rows = []
    for record in frame[columns].itertuples(index=False):
        cells = "".join(f'<td{" class=n" if numeric[c] else ""}>{html_text(shown(reword_label(v), column=c))}</td>'
                        for c, v in zip(columns, record))
        rows.append(f"<tr>{cells}</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{max(len(columns), 1)}">Nothing to show.</td></tr>')
    return (f'<table id="report-{html_text(name)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


# --- the page -----------------------------------------------------------------------------------

def html_report(report: ReportContents) -> str:
    """The report as one self-contained HTML page (see the module's notes)."""
    tables = sheets(report)
    parts = [_summary(report), _trend(report, tables["trend"]), _lsoas(report, tables["lsoas"])]
    if "centres" in tables:
        parts.append(_section(reword("Centres"), [table_html(tables["centres"][[c for c in CENTRE_COLUMNS
                                                                         if c in tables["centres"].columns]],
                                                     name="centres")]))
    parts += [_section("Target groups", [
                  "<p>The most deprived areas are counted against the children living there; the other groups "
                  "are recorded at registration, so each is shown as a share of the known children.</p>",
                  table_html(tables["target_groups"], name="target_groups")]),
              _timeliness(report, tables["timeliness"]),
              _definitions(report),
              _provenance(report, tables["imports"])]
    title = f"Reach report: {_title(report)}"
    return ("<!DOCTYPE html>\n"
            f'<html lang="en-GB"><head><meta charset="utf-8"><title>{html_text(title)}</title>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<style>{STYLE}</style></head><body>{''.join(parts)}</body></html>\n")


def html_file(report: ReportContents) -> bytes:
    """The page as the bytes of a file (UTF-8)."""
    return html_report(report).encode("utf-8")


def _title(report: ReportContents) -> str:
    """The report's subject: the site's name as it is, or every site in the words in use."""
    return report.title if report.centre is not None else reword(report.title)


def _section(heading: str, body: list[str], *, first: bool = False) -> str:
    return f'<section{" class=first" if first else ""}><h2>{html_text(heading)}</h2>{"".join(body)}</section>'


def _summary(report: ReportContents) -> str:
    subject, authority, bands = report.subject, report.authority, report.options.bands
    is_centre = report.centre is not None
    tiles = [("Reach", shown(subject["reach_pct"], column="reach_pct")),
             ("Families to find", shown(subject["families_to_find"], column="families_to_find")),
             ("Unmatched births", shown(subject["unmatched_births"], column="unmatched_births")),
             ("Sustained contact", shown(subject["sustained_pct"], column="sustained_pct")),
             ("Newborn reach", shown(subject["newborn_reach_pct"], column="newborn_reach_pct"))]
    intervals = {"reach_pct": report.interval,
                 "sustained_pct": report.interval_of("sustained_contact", "children_under5"),
                 "newborn_reach_pct": report.interval_of("newborns_known_12m", "births_12m")}
    rows = [(words, subject[column], intervals[column], authority[column] if is_centre else None)
            for column, words in (("reach_pct", "Reach"), ("sustained_pct", "Sustained contact"),
                                  ("newborn_reach_pct", "Newborn reach"))]
    chart = svg_charts.band_bullets(rows, bands=bands, title="Reach, sustained contact and newborn reach "
                                                             "against the indicative bands")
    words = []
    band = subject["band"]
    if not isinstance(band, str) or band != (report.rule.marker if report.rule else None):
        words.append(f"Indicative band for reach: {band_range(None if _missing(band) else band, bands)}.")
    for column, label in (("reach_pct", "reach"), ("sustained_pct", "sustained contact"),
                          ("newborn_reach_pct", "newborn reach")):
        interval = intervals[column]
        if interval is not None and _is_number(subject[column]):
            words.append(interval_sentence(interval).replace("the true reach", f"the true {label}"))
    body = [f"<p>Figures as at <strong>{html_text(long_date(report.as_at))}</strong>"
            f"{reword(', compared with all centres together') if is_centre else ''}.</p>",
            f'<div class="rule" id="report-rule">{html_text(report.rule_words)}</div>',
            '<div class="tiles">' + "".join(
                f'<div class="tile"><div class="label">{html_text(label)}</div>'
                f'<div class="value">{html_text(value)}</div></div>' for label, value in tiles) + "</div>",
            f'<div class="keep">{chart}</div>',
            "".join(f"<p>{html_text(w)}</p>" for w in words),
            f'<p class="small">Bands used: outstanding from {threshold(bands.outstanding)}, good from '
            f"{threshold(bands.good)}, requires improvement from {threshold(bands.requires_improvement)}. "
            "Sustained contact and newborn reach are drawn against the same bands for comparison; the bands "
            "are set for reach.</p>",
            "<h3>Key figures</h3>", _key_figures(report)]
    heading = f"Reach report: {_title(report)}"
    return f'<section class="first"><h1>{html_text(heading)}</h1>{"".join(body)}</section>'


def _key_figures(report: ReportContents) -> str:
    """The key figures, one row a measure (its column name in data-measure), as the other formats
    hold them."""
    table = key_figures_table(report)
    columns = [c for c in ("centre", "all_centres") if c in table.columns]
    headings = {"centre": _title(report), "all_centres": reword("All centres")}
    head = "<th>Figure</th>" + "".join(f'<th class="n">{html_text(headings[c])}</th>' for c in columns)
    rows = []
    for record in table.to_dict("records"):
        measure = record["measure"]
        column = "denominator_flagged" if measure.endswith("_flagged") else measure
        cells = "".join(f'<td class="n">{html_text(_key_value(record[c], column=column))}</td>' for c in columns)
        rows.append(f'<tr data-measure="{html_text(measure)}"><td>{html_text(record["figure"])}</td>{cells}</tr>')
    return f'<table id="report-key_figures"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _key_value(value, *, column: str) -> str:
    if column.endswith("_flagged") and not isinstance(value, str) and not _missing(value):
        return "yes" if bool(value) else "no"
    return shown(value, column=column)


def _trend(report: ReportContents, trend: pd.DataFrame) -> str:
    by = "quarter" if report.rule is not None else "month"
    chart = svg_charts.trend_lines(trend, bands=report.options.bands, title=f"Reach by {by}")
    note = (reword("The first line is the centre; the dotted line is all centres together, for comparison.")
            if report.centre is not None else reword("All centres together."))
    if report.rule is not None:
        note += " Prepared for publication, the trend shows the end of each quarter, each protected as at its own date."
    return _section(f"Reach {by} by {by}", [f'<div class="keep">{chart}</div>', f"<p>{html_text(note)}</p>",
                                             table_html(trend, name="trend")])


def _lsoas(report: ReportContents, lsoas: pd.DataFrame) -> str:
    labels = [f"{name} ({code})" if isinstance(name, str) and name.strip() else str(code)
              for name, code in zip(lsoas["lsoa_name"], lsoas["lsoa_code"])]
    chart = svg_charts.bars(labels, list(lsoas["families_to_find"]),
                            title="Families to find by LSOA, the most first")
    body = [f'<div class="keep">{chart}</div>',
            "<p>The LSOAs (small areas of about 1,500 people) with the most families to find, the most first "
            "(at most 15 drawn; every LSOA is in the table).</p>"]
    values = pd.to_numeric(lsoas["families_to_find"], errors="coerce")
    whole = report.subject["families_to_find"]
    if len(values) and not values.isna().any() and _is_number(whole) and int(values.sum()) > int(whole):
        body.append(f"<p>Counted LSOA by LSOA, the areas need {fmt.count(values.sum())} families to find, "
                    f"more than the {fmt.count(whole)} of the whole: {html_text(why_parts_add_up_to_more('LSOA'))}."
                    "</p>")
    body.append(table_html(lsoas, name="lsoas"))
    return _section("Where the families to find live", body)


def _timeliness(report: ReportContents, timeliness: pd.DataFrame) -> str:
    body = ["<p>Whether each source of data is arriving as usual, as at the report's date.</p>"]
    lag = report.subject["birth_data_lag_days"]
    if not isinstance(lag, str):
        body.append(f"<p>{html_text(lag_sentence(lag, as_at=report.as_at))}</p>")
    body.append(table_html(timeliness, name="timeliness"))
    return _section("How up to date the data is", body)


def _definitions(report: ReportContents) -> str:
    terms = definitions_table()
    items = "".join(f"<dt>{html_text(t)}</dt><dd>{html_text(m)}</dd>" for t, m in zip(terms["term"], terms["meaning"]))
    return _section("What the figures mean", [f"<dl>{items}</dl>",
                                               "<p>Percentages are rounded to one decimal place, as on the "
                                               "dashboard.</p>"])


def _provenance(report: ReportContents, imports: pd.DataFrame) -> str:
    return _section("Where the figures come from", [table_html(provenance(report), name="provenance"),
                                                     "<h3>Files loaded</h3>", table_html(imports, name="imports")])


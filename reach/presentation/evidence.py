"""The evidence pack: a centre's key figures, the tables behind them and their definitions, in
one zip file to hand to an inspector or a commissioner.

Made for publication, the pack is given figures already protected together with everything else
published as at the date (`reach.queries.publication`: small counts replaced by "c", and
whatever would reveal them), and says which rule was used. It never holds the list of unmatched children: that
list is a working document for the centre, not evidence to share. Every CSV in it is safe to
open in a spreadsheet (no cell can run as a formula).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pandas as pd

from reach.domain.measures import DEFINITIONS, Bands
from reach.domain.stats import Interval
from reach.domain.suppression import SuppressionRule
from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text, spreadsheet_safe
from reach.presentation.summaries import (band_range, interval_sentence, lag_sentence, long_date, newborn_sentence,
                                         reach_sentence, why_parts_add_up_to_more)
from reach.presentation.wording import reword

# The key figures, in the order an inspector reads them: (column, words).
KEY_FIGURES = (
    ("children_under5", "Children under five"),
    ("known_children", "Known children"),
    ("reach_pct", "Reach (%)"),
    ("band", "Indicative band"),
    ("families_to_find", "Families to find"),
    ("unmatched_births", "Unmatched births"),
    ("sustained_contact", "Children in sustained contact"),
    ("sustained_pct", "Sustained contact (%)"),
    ("deprived_under5", "Children under five in the most deprived areas"),
    ("deprived_known", "Known children in the most deprived areas"),
    ("deprived_reach_pct", "Reach in the most deprived areas (%)"),
    ("births_12m", "Babies born in the last 12 complete months"),
    ("newborns_known_12m", "Of them, known"),
    ("newborn_reach_pct", "Newborn reach (%)"),
    ("birth_data_lag_days", "Days since birth data last arrived"),
    ("denominator_flagged", "Population estimate flagged"),
    ("children_under2", "Children under two"),
    ("known_under2", "Known children under two"),
    ("reach_under2_pct", "Reach under two (%)"),
    ("families_to_find_under2", "Families to find under two"),
    ("under2_estimated", "Children under two estimated"),
)


def key_figures(centre: pd.Series, authority: pd.Series, *, interval: Interval | None,
                published: bool = False) -> pd.DataFrame:
    """The key figures of a centre beside the authority's, raw (for CSV).

    Columns: measure (the report's column), figure (in words), centre, all_centres. For
    publication, pass the rows of `reach.queries.publication` (already protected) and
    `published=True`: the interval is then left out wherever reach itself is withheld.
    """
    rows = pd.DataFrame([centre, authority]).reset_index(drop=True)
    table = pd.DataFrame({
        "measure": [column for column, _ in KEY_FIGURES],
        "figure": [words for _, words in KEY_FIGURES],
        "centre": [rows.at[0, column] for column, _ in KEY_FIGURES],
        "all_centres": [rows.at[1, column] for column, _ in KEY_FIGURES],
    }).astype({"centre": object, "all_centres": object})
    if interval is not None and not (published and isinstance(rows.at[0, "reach_pct"], str)):
        extra = pd.DataFrame({"measure": ["reach_lower_95_pct", "reach_upper_95_pct"],
                              "figure": ["Reach: 95% interval from (%)", "Reach: 95% interval to (%)"],
                              "centre": [interval.lower, interval.upper], "all_centres": [None, None]})
        table = pd.concat([table.iloc[:3], extra, table.iloc[3:]], ignore_index=True)
    return table


def readable(figures: pd.DataFrame) -> pd.DataFrame:
    """The key figures as text for reading: 12,345; 96.4%; yes / no; "c" and blanks kept."""
    def shown(measure, value):
        if isinstance(value, str):
            return value
        if value is None or pd.isna(value):
            return fmt.NO_FIGURE
        if measure.endswith("_pct"):
            return fmt.percent(value)
        if measure.endswith(("_flagged", "_estimated")):
            return "yes" if bool(value) else "no"
        return fmt.count(value)

    out = figures.copy()
    for column in ("centre", "all_centres"):
        out[column] = [shown(m, v) for m, v in zip(figures["measure"], figures[column])]
    return out


def _withheld(row: pd.Series, *columns: str, marker: str | None) -> bool:
    """Whether any of `columns` is withheld in a row prepared for publication (shown as `marker`)."""
    return marker is not None and any(row.get(column) == marker for column in columns)


def _shown(value, *, pct: bool = False) -> str:
    if isinstance(value, str):      # the marker of a withheld figure
        return value
    return fmt.percent(value) if pct else fmt.count(value)


def _brief(*, centre: pd.Series, authority: pd.Series, interval: Interval | None, as_at: date,
           bands: Bands, marker: str | None) -> list[str]:
    """The written summary, one line a figure. A sentence is used wherever none of its figures is
    withheld; where one is (for publication), the figures are listed as published, so nothing the
    rule hides is worked out in words and nothing it does not hide is dropped."""
    reach_parts = ("children_under5", "known_children", "reach_pct", "band", "families_to_find")
    if _withheld(centre, *reach_parts, marker=marker):
        lines = [f"Children under five: {_shown(centre['children_under5'])}; known: "
                 f"{_shown(centre['known_children'])}; reach: {_shown(centre['reach_pct'], pct=True)}; "
                 f"families to find: {_shown(centre['families_to_find'])}."]
    else:
        lines = [reach_sentence(centre, bands=bands, place=reword("the centre's reach area"))]
        if interval:
            lines.append(interval_sentence(interval))
    if _withheld(authority, "reach_pct", "band", marker=marker):
        lines.append(reword(f"All centres together: {_shown(authority['reach_pct'], pct=True)}."))
    else:
        lines.append(reword(f"All centres together: {fmt.percent(authority['reach_pct'])} "
                     f"(indicative band {band_range(authority['band'], bands)})."))
    if _withheld(centre, "births_12m", "newborns_known_12m", "newborn_reach_pct", marker=marker):
        lines.append(f"Babies born in the 12 complete months before the chosen date's month: "
                     f"{_shown(centre['births_12m'])}; of them known: {_shown(centre['newborns_known_12m'])} "
                     f"({_shown(centre['newborn_reach_pct'], pct=True)}).")
    else:
        lines.append(newborn_sentence(centre))
    lines += [f"Unmatched births (children passed on by health, not yet registered): "
              f"{_shown(centre['unmatched_births'])}.",
              f"Children in sustained contact: {_shown(centre['sustained_contact'])} "
              f"({_shown(centre['sustained_pct'], pct=True)} of the under-fives).",
              lag_sentence(centre["birth_data_lag_days"], as_at=as_at)]
    return ["- " + line for line in lines]


def _lsoa_sum_note(centre: pd.Series, lsoas: pd.DataFrame | None) -> list[str]:
    """Why the LSOAs' families to find add up to more than the centre's, when they do."""
    if lsoas is None or "families_to_find" not in lsoas.columns or isinstance(centre["families_to_find"], str):
        return []
    values = pd.to_numeric(lsoas["families_to_find"], errors="coerce")
    if values.isna().any():       # some withheld for publication: no total to state
        return []
    total, own = int(values.sum()), int(centre["families_to_find"])
    if total == own:
        return []
    return [reword(f"Note: counted LSOA by LSOA (lsoas.csv), the areas behind the target need {fmt.count(total)} "
            f"families to find, {fmt.count(total - own)} more than the centre's {fmt.count(own)}: "
            f"{why_parts_add_up_to_more('LSOA')}."), ""]


def _summary_markdown(*, centre: pd.Series, authority: pd.Series, interval: Interval | None, as_at: date,
                      bands: Bands, rule: SuppressionRule | None, files: list[str],
                      lsoas: pd.DataFrame | None = None) -> str:
    name = markdown_text(f"{centre['centre_name']} ({centre['centre_id']})")
    lines = [f"# Reach evidence: {name}", "", f"Figures as at {long_date(as_at)}.", ""]
    if rule is not None:
        lines += ["Prepared for publication. " + rule.describe() + " The figures were "
                  "protected together with every other table Reach publishes as at this date, so none "
                  "of them, alone or together, lets a hidden count be worked out. The summary below "
                  "shows every other figure; where a sentence would need a hidden one, its figures are "
                  "listed as published instead.", ""]
    lines += ["## In brief", "", *_brief(centre=centre, authority=authority, interval=interval, as_at=as_at,
                                         bands=bands, marker=rule.marker if rule else None), ""]
    lines += _lsoa_sum_note(centre, lsoas)
    flagged = centre["denominator_flagged"]
    if not isinstance(flagged, str) and bool(flagged):
        note = centre.get("denominator_note")
        lines += [f"Note: the population estimate for this area is flagged"
                  f"{': ' + markdown_text(note) if isinstance(note, str) and note else ''}.", ""]
    lines += ["## What the figures mean", ""]
    lines += [f"- **{d.name}**: {d.meaning}" for d in DEFINITIONS.values()]
    lines += ["", f"Indicative bands used: outstanding from {bands.outstanding:g}%, good from {bands.good:g}%, "
                  f"requires improvement from {bands.requires_improvement:g}%.", "",
              "Percentages are rounded to one decimal place, as on the dashboard.", "",
              "## Files in this pack", ""]
    lines += [f"- `{f}`" for f in files]
    return "\n".join(lines) + "\n"


def evidence_pack(*, centre: pd.Series, authority: pd.Series, interval: Interval | None,
                  tables: dict[str, pd.DataFrame], as_at: date, bands: Bands,
                  rule: SuppressionRule | None = None) -> bytes:
    """The pack as the bytes of a zip file: README.md (the summary and every definition),
    key_figures.csv, and one CSV for each of `tables` (name -> table, e.g. 'lsoas').

    For publication, pass the protected rows and tables of `reach.queries.publication` and the
    `rule` they were protected by: the pack states the rule, and its summary shows every figure
    the rule leaves shown. Every CSV is rounded as the dashboard shows it (percentages to one
    decimal place, counts as whole numbers).
    """
    published = rule is not None
    figures = key_figures(centre, authority, interval=interval, published=published)
    for column in ("centre", "all_centres"):
        figures[column] = [fmt.exported_figure(m, v) for m, v in zip(figures["measure"], figures[column])]
    frames = {"key_figures": figures}
    frames.update({name: fmt.exported(frame) for name, frame in tables.items()})
    files = ["README.md"] + [f"{name}.csv" for name in frames]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("README.md", _summary_markdown(centre=centre, authority=authority, interval=interval,
                                                     as_at=as_at, bands=bands, rule=rule, files=files,
                                                     lsoas=tables.get("lsoas")))
        for name, frame in frames.items():
            pack.writestr(f"{name}.csv", spreadsheet_safe(frame).to_csv(index=False))
    return buffer.getvalue()

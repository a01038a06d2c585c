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
                                         reach_sentence)

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
        if measure.endswith("_flagged"):
            return "yes" if bool(value) else "no"
        return fmt.count(value)

    out = figures.copy()
    for column in ("centre", "all_centres"):
        out[column] = [shown(m, v) for m, v in zip(figures["measure"], figures[column])]
    return out


def _summary_markdown(*, centre: pd.Series, authority: pd.Series, interval: Interval | None, as_at: date,
                      bands: Bands, rule: SuppressionRule | None, files: list[str]) -> str:
    name = markdown_text(f"{centre['centre_name']} ({centre['centre_id']})")
    lines = [f"# Reach evidence: {name}", "", f"Figures as at {long_date(as_at)}.", ""]
    if rule is not None:
        lines += ["Prepared for publication. " + rule.describe() + " The figures were "
                  "protected together with every other table Reach publishes as at this date, so none "
                  "of them, alone or together, lets a hidden count be worked out. The written summary "
                  "is withheld for the same reason; the figures are in the tables.", ""]
    else:
        lines += ["## In brief", "",
                  "- " + reach_sentence(centre, bands=bands, place="the centre's reach area"),
                  *(["- " + interval_sentence(interval)] if interval else []),
                  f"- All centres together: {fmt.percent(authority['reach_pct'])} "
                  f"(indicative band {band_range(authority['band'], bands)}).",
                  "- " + newborn_sentence(centre),
                  f"- Unmatched births (children passed on by health, not yet registered): "
                  f"{fmt.count(centre['unmatched_births'])}.",
                  f"- Children in sustained contact: {fmt.count(centre['sustained_contact'])} "
                  f"({fmt.percent(centre['sustained_pct'])} of the under-fives).",
                  "- " + lag_sentence(centre["birth_data_lag_days"], as_at=as_at), ""]
        if bool(centre["denominator_flagged"]):
            note = centre.get("denominator_note")
            lines += [f"Note: the population estimate for this area is flagged"
                      f"{': ' + note if isinstance(note, str) and note else ''}.", ""]
    lines += ["## What the figures mean", ""]
    lines += [f"- **{d.name}**: {d.meaning}" for d in DEFINITIONS.values()]
    lines += ["", f"Indicative bands used: outstanding from {bands.outstanding:g}%, good from {bands.good:g}%, "
                  f"requires improvement from {bands.requires_improvement:g}%.", "",
              "## Files in this pack", ""]
    lines += [f"- `{f}`" for f in files]
    return "\n".join(lines) + "\n"


def evidence_pack(*, centre: pd.Series, authority: pd.Series, interval: Interval | None,
                  tables: dict[str, pd.DataFrame], as_at: date, bands: Bands,
                  rule: SuppressionRule | None = None) -> bytes:
    """The pack as the bytes of a zip file: README.md (the summary and every definition),
    key_figures.csv, and one CSV for each of `tables` (name -> table, e.g. 'lsoas').

    For publication, pass the protected rows and tables of `reach.queries.publication` and the
    `rule` they were protected by: the pack states the rule and withholds the written summary.
    """
    published = rule is not None
    frames = {"key_figures": key_figures(centre, authority, interval=interval, published=published)}
    frames.update(tables)
    files = ["README.md"] + [f"{name}.csv" for name in frames]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("README.md", _summary_markdown(centre=centre, authority=authority, interval=interval,
                                                     as_at=as_at, bands=bands, rule=rule, files=files))
        for name, frame in frames.items():
            pack.writestr(f"{name}.csv", spreadsheet_safe(frame).to_csv(index=False))
    return buffer.getvalue()

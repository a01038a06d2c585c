"""Numbers formatted for reading: one home, so the dashboard, the command line's tables and the
exports agree (12,345 children; 96.4%; "no figure" rather than NaN)."""

from __future__ import annotations

import math

import pandas as pd

NO_FIGURE = "–"

# Friendly column headings for people, shared by the dashboard tables and the command line.
HEADINGS = {
    "centre_id": "Centre ID", "centre_name": "Centre", "lsoa_code": "LSOA", "lsoa_name": "LSOA name",
    "children_under5": "Under-fives", "known_children": "Known", "reach_pct": "Reach %",
    "band": "Indicative band", "families_to_find": "Families to find",
    "unmatched_births": "Unmatched births", "sustained_contact": "Sustained contact",
    "sustained_pct": "Sustained %", "deprived_under5": "Under-fives (most deprived)",
    "deprived_known": "Known (most deprived)", "deprived_reach_pct": "Reach % (most deprived)",
    "births_12m": "Births (12 months)", "newborns_known_12m": "Newborns known",
    "newborn_reach_pct": "Newborn reach %", "birth_data_lag_days": "Birth-data lag (days)",
    "denominator_flagged": "Estimate flagged", "idaci_decile": "IDACI decile",
    "known_families": "Known families", "as_at": "As at",
    "children_under2": "Under-twos", "known_under2": "Known under two", "reach_under2_pct": "Reach under two %",
    "families_to_find_under2": "Families to find under two", "under2_estimated": "Under-twos estimated",
}


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def count(value) -> str:
    """12345 -> '12,345'."""
    return NO_FIGURE if _missing(value) else f"{int(value):,}"


def percent(value, *, places: int = 1) -> str:
    """96.43 -> '96.4%'."""
    return NO_FIGURE if _missing(value) else f"{float(value):,.{places}f}%"


def days(value) -> str:
    if _missing(value):
        return "no birth data yet"
    value = int(value)
    return "1 day" if value == 1 else f"{value:,} days"


def format_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Every column as text for reading: counts with separators, percentages to one place,
    flags as yes/no. For tables printed or shown, never for CSV downloads (those stay raw)."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if column.endswith("_pct"):
            out[column] = values.map(percent)
        elif values.dtype == bool or column.endswith("_flagged") or column == "over_100":
            out[column] = values.map(lambda v: NO_FIGURE if _missing(v) else ("yes" if v else "no"))
        elif pd.api.types.is_integer_dtype(values) or column in HEADINGS and pd.api.types.is_numeric_dtype(values):
            out[column] = values.map(count)
        else:
            out[column] = values.map(lambda v: NO_FIGURE if _missing(v) else str(v))
    return out


def _exported_cell(value, *, places: int | None):
    """One cell for a CSV: a percentage to `places` decimal places, a whole number as an integer;
    text (the marker "c", a name), flags, dates and blanks as they are."""
    if isinstance(value, str) or _missing(value) or value is pd.NaT:
        return value
    if pd.api.types.is_bool(value):
        return bool(value)
    if pd.api.types.is_number(value):
        number = float(value)
        if math.isnan(number):
            return None
        if places is not None:
            return round(number, places)
        return int(number) if number.is_integer() else round(number, 1)
    return value


def exported(frame: pd.DataFrame) -> pd.DataFrame:
    """A table rounded as the page shows it, for CSV files handed to people: percentages (`_pct`
    columns) to one decimal place, counts as whole numbers; text, flags, dates and blanks kept.
    A column of figures mixed with a marker ("c") is rounded cell by cell."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        places = 1 if str(column).endswith("_pct") else None
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            continue
        if pd.api.types.is_float_dtype(values):
            if places is not None:
                out[column] = values.round(places)
            elif values.dropna().apply(float.is_integer).all():
                out[column] = values.round().astype("Int64")
            else:
                out[column] = values.round(1)
        elif values.dtype == object:
            out[column] = [_exported_cell(v, places=places) for v in values]
    return out


def exported_figure(measure: str, value):
    """One key figure for a CSV, rounded by what it measures (`_pct`: one decimal place)."""
    return _exported_cell(value, places=1 if measure.endswith("_pct") else None)

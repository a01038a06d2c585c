"""A report written as files people open: CSV or Parquet (a zip, or a folder), or an Excel workbook.

Every format holds the same tables (`sheets`): the key figures, the report's tables, the
definitions and the provenance (the date, the rule the figures were prepared under, and every
import they come from). Figures are rounded as the dashboard shows them (percentages to one
decimal place); text from the data is neutralised so that no cell can run as a formula.

The Parquet files are also what a region reads: each table (and `authority.parquet`, the
authority's own row of the report) names on every row the authority it comes from and the date,
and keeps one type per column whatever was withheld: a withheld figure is empty and the row's
`withheld` column names it, so the same file from any authority has the same columns and types.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from reach.domain.measures import DEFINITIONS
from reach.domain.report_contents import ReportContents
from reach.domain.suppression import COUNT_COLUMNS, DERIVED, PERCENTAGES, SHARES
from reach.presentation import format as fmt
from reach.presentation.evidence import key_figures
from reach.presentation.wording import reword
from reach.presentation.safe_text import spreadsheet_cell, spreadsheet_safe

FORMATS = ("csv", "parquet", "xlsx")
# Sheet (and file) names, in order.
SHEET_NAMES = {
    "key_figures": "Key figures", "centres": "Centres", "lsoas": "LSOAs", "target_groups": "Target groups",
    "trend": "Trend", "timeliness": "Timeliness", "definitions": "Definitions", "provenance": "Provenance",
    "imports": "Imports",
}
PERCENT_FORMAT = '0.0"%"'      # the figure is a percentage already (96.4), shown as 96.4%
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "yyyy-mm-dd"


def key_figures_table(report: ReportContents) -> pd.DataFrame:
    """The key figures: the centre beside all centres, or all centres alone."""
    subject = report.subject
    table = key_figures(subject, report.authority, interval=report.interval, published=report.rule is not None)
    if report.centre is None:
        table = table.drop(columns="all_centres").rename(columns={"centre": "all_centres"})
    for column in [c for c in ("centre", "all_centres") if c in table.columns]:
        table[column] = [fmt.exported_figure(m, v) for m, v in zip(table["measure"], table[column])]
    return table


def provenance(report: ReportContents) -> pd.DataFrame:
    """What the figures are and where they come from, as two columns."""
    return pd.DataFrame({
        "item": ["Report for", "Figures as at", "Disclosure rule", "Rule in words", "Written"],
        "value": [report.title if report.centre is not None else reword(report.title), report.as_at.isoformat(),
                  report.rule.name if report.rule else "none (working figures)",
                  report.rule_words, datetime.now().isoformat(timespec="seconds")],
    })


def definitions_table() -> pd.DataFrame:
    return pd.DataFrame({"term": [d.name for d in DEFINITIONS.values()],
                         "meaning": [reword(d.meaning) for d in DEFINITIONS.values()]})


def sheets(report: ReportContents) -> dict[str, pd.DataFrame]:
    """Every table the files hold, by name (see SHEET_NAMES), rounded for reading."""
    out = {"key_figures": key_figures_table(report)}
    out.update({name: fmt.exported(frame.reset_index(drop=True)) for name, frame in report.tables.items()})
    out["definitions"] = definitions_table()
    out["provenance"] = provenance(report)
    out["imports"] = report.history.reset_index(drop=True)
    return out


# --- CSV and Parquet ----------------------------------------------------------------------------

def csv_files(report: ReportContents) -> dict[str, bytes]:
    """One CSV file per table: name.csv -> bytes, safe to open in a spreadsheet."""
    return {f"{name}.csv": spreadsheet_safe(frame).to_csv(index=False).encode("utf-8")
            for name, frame in sheets(report).items()}


@dataclass(frozen=True)
class Authority:
    """Who a regional file comes from: `name` (as the authority chose to be called, else its
    code) and `code` (the local authority code its centres carry, where they carry one)."""

    name: str
    code: str | None = None


# The figures a disclosure rule may withhold; in Parquet each keeps its type (flags true/false,
# the band text, percentages decimals, the rest whole numbers) and a withheld one is empty.
WITHHOLDABLE = frozenset(COUNT_COLUMNS) | frozenset(PERCENTAGES) | frozenset(DERIVED) | frozenset(SHARES)
FLAGS = frozenset({"over_100", "denominator_flagged", "under2_estimated", "overdue"})
TEXT_FIGURES = frozenset({"band"})
# Other columns' types where a store leaves them empty throughout (so the type cannot be seen).
WHOLE_NUMBERS = frozenset({"idaci_decile", "lsoas", "birth_data_lag_days", "lag_days", "due_every_days",
                           "allowed_days", "deliveries", "import_id", "rows_loaded", "rows_quarantined"})
DECIMALS = frozenset({"usual_interval_days"})
DATES = frozenset({"as_at", "last_received"})
REGION_COLUMNS = ("authority", "authority_code", "as_at")


def parquet_files(report: ReportContents, *, authority: Authority | None = None) -> dict[str, bytes]:
    """One Parquet file per table, and `authority.parquet` (the authority's own row of the
    report). With `authority`, every table starts with `authority`, `authority_code` and
    `as_at` (the trend keeps its own `as_at`, each point's date, the last the report's), so the
    files of several authorities can be read together. A figure withheld under a disclosure
    rule is empty, and the row's `withheld` column names it."""
    tables = sheets(report)
    own = pd.DataFrame([report.authority]).drop(columns=["centre_id", "centre_name"], errors="ignore")
    tables = {"key_figures": tables.pop("key_figures"), "authority": fmt.exported(own.reset_index(drop=True)),
              **tables}
    marker = report.rule.marker if report.rule is not None else None
    files = {}
    for name, frame in tables.items():
        if authority is not None:
            frame = _with_authority(frame, authority, report.as_at)
        buffer = io.BytesIO()
        _one_type_per_column(spreadsheet_safe(frame), marker=marker).to_parquet(buffer, index=False)
        files[f"{name}.parquet"] = buffer.getvalue()
    return files


def _with_authority(frame: pd.DataFrame, authority: Authority, as_at: date) -> pd.DataFrame:
    out = frame.copy()
    if "as_at" not in out.columns:
        out.insert(0, "as_at", [as_at] * len(out))
    else:
        out.insert(0, "as_at", out.pop("as_at"))
    out.insert(0, "authority_code", pd.Series([authority.code] * len(out), dtype=object))
    out.insert(0, "authority", pd.Series([authority.name] * len(out), dtype=object))
    return out


def _blank(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value))


def _one_type_per_column(frame: pd.DataFrame, *, marker: str | None = None) -> pd.DataFrame:
    """Each column one type: the report's figures by what they are, with the marker of a withheld
    figure taken out (and named in `withheld`); any other column mixing types becomes text."""
    out = frame.copy()
    withheld: list[list[str]] = [[] for _ in range(len(out))]
    figures = [column for column in out.columns if column in WITHHOLDABLE]
    for column in out.columns:
        values = list(out[column])
        if column in WITHHOLDABLE:
            if marker is not None:
                for i, value in enumerate(values):
                    if isinstance(value, str) and value == marker:
                        withheld[i].append(column)
                        values[i] = None
            out[column] = _figure_column(column, values)
        elif out[column].dtype == object:
            kinds = {type(v) for v in values if not _blank(v)}
            if not kinds:
                out[column] = _empty_column(column, len(values))
            elif len(kinds) > 1:
                out[column] = pd.array([None if _blank(v) else str(v) for v in values], dtype="string")
            elif kinds == {bool}:
                out[column] = pd.array([None if _blank(v) else v for v in values], dtype="boolean")
    if figures:
        out["withheld"] = pd.array(["; ".join(names) if names else None for names in withheld], dtype="string")
    return out


def _figure_column(column: str, values: list):
    cleaned = [None if _blank(v) else (v.item() if hasattr(v, "item") else v) for v in values]
    if column in FLAGS:
        return pd.array([None if v is None else bool(v) for v in cleaned], dtype="boolean")
    if column in TEXT_FIGURES:
        return pd.array([None if v is None else str(v) for v in cleaned], dtype="string")
    if column.endswith("_pct"):
        return pd.array([None if v is None else float(v) for v in cleaned], dtype="Float64")
    return pd.array([None if v is None else int(round(float(v))) for v in cleaned], dtype="Int64")


def _empty_column(column: str, length: int):
    if column in WHOLE_NUMBERS:
        return pd.array([None] * length, dtype="Int64")
    if column in DECIMALS or column.endswith("_pct"):
        return pd.array([None] * length, dtype="Float64")
    if column in FLAGS:
        return pd.array([None] * length, dtype="boolean")
    if column in DATES:
        import pyarrow as pa

        return pd.array([None] * length, dtype=pd.ArrowDtype(pa.date32()))
    return pd.array([None] * length, dtype="string")


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def write_folder(files: dict[str, bytes], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


# --- Excel --------------------------------------------------------------------------------------

def workbook(report: ReportContents) -> bytes:
    """The report as an Excel workbook: one sheet per table, numbers stored as numbers
    (percentages shown to one decimal place, counts with thousands separators), the header row
    frozen, then the definitions and the provenance."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    tables = sheets(report)
    imports = tables.pop("imports")
    for name, frame in tables.items():
        sheet = book.create_sheet(SHEET_NAMES[name])
        _write_frame(sheet, frame, measures=list(frame["measure"]) if name == "key_figures" else None)
        if name == "provenance":
            start = sheet.max_row + 2
            sheet.cell(row=start, column=1, value="Files loaded").font = Font(bold=True)
            _write_frame(sheet, imports, first_row=start + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write_frame(sheet, frame: pd.DataFrame, *, first_row: int = 1, measures: list[str] | None = None) -> None:
    from openpyxl.styles import Font

    for j, column in enumerate(frame.columns, start=1):
        cell = sheet.cell(row=first_row, column=j, value=spreadsheet_cell(str(column)))
        cell.font = Font(bold=True)
        width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
        sheet.column_dimensions[cell.column_letter].width = min(max(width + 2, 8), 80)
    for i, row in enumerate(frame.itertuples(index=False), start=first_row + 1):
        for j, (column, value) in enumerate(zip(frame.columns, row), start=1):
            measure = measures[i - first_row - 1] if measures is not None and column != "measure" else str(column)
            _write_cell(sheet.cell(row=i, column=j), value, column=measure)
    if first_row == 1:
        sheet.freeze_panes = "A2"


def _write_cell(cell, value, *, column: str) -> None:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return
    if isinstance(value, str):
        cell.value = spreadsheet_cell(value)
        return
    if hasattr(value, "item") and not isinstance(value, (pd.Timestamp, datetime, date)):
        value = value.item()        # a numpy number as a Python one
    if isinstance(value, bool):
        cell.value = value
    elif isinstance(value, (int, float)):
        cell.value = value
        if column.endswith("_pct"):
            cell.number_format = PERCENT_FORMAT
        elif isinstance(value, int) or float(value).is_integer():
            cell.number_format = COUNT_FORMAT
    elif isinstance(value, (pd.Timestamp, datetime, date)):
        cell.value = value.to_pydatetime() if isinstance(value, pd.Timestamp) else value
        cell.number_format = DATE_FORMAT if not isinstance(value, datetime) or value == value.replace(
            hour=0, minute=0, second=0, microsecond=0) else "yyyy-mm-dd hh:mm"
    else:
        cell.value = spreadsheet_cell(str(value))

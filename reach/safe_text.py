"""Text that came from a file, made safe for wherever it is shown or written.

Centre names, file names, column headers and link parameters are chosen by whoever made the
file. Shown as they are, a name could become Markdown (an image that makes the browser fetch a
URL), HTML (a live link), or a spreadsheet formula when a CSV is opened in Excel. Every place
that shows such text passes it through one of these functions first:

- `markdown_text`: for `st.markdown`, `st.caption`, `st.info` and the like.
- `html_text`: for an HTML page.
- `plotly_text` (home: `geo.figures`): for labels, legends and hover text in a chart.
- `spreadsheet_cell` / `spreadsheet_safe`: for every CSV and workbook written, so that no cell
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return (OWASP's advice: a leading `'`).
"""

from __future__ import annotations

import html
import re

import pandas as pd

from geo.figures import plotly_text

__all__ = ["html_text", "markdown_text", "plotly_text", "spreadsheet_cell", "spreadsheet_safe"]

# Every character Markdown (CommonMark and GitHub's tables), Streamlit's directives
# (`:red[...]`, `:material/icon:`) or its LaTeX (`$...$`) give a meaning to.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&\"'])")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def markdown_text(value) -> str:
    """`value` as literal text inside Markdown: every character with a meaning is escaped, and a
    line break becomes a space (a new line could start a heading or a list)."""
    text = " ".join(str(value).splitlines())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def html_text(value) -> str:
    """`value` as literal text inside HTML, quotes included (safe in attributes too)."""
    return html.escape(str(value), quote=True)


def spreadsheet_cell(value):
    """A cell as it may be written to a CSV or workbook: text that a spreadsheet would run as a
    formula gets a leading apostrophe; numbers, dates and everything else are unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and column name) passed through `spreadsheet_cell`.

    Only text is touched: a negative number stays a number, so it still adds up in Excel.
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(spreadsheet_cell).astype(object)
    out.columns = [spreadsheet_cell(str(column)) if isinstance(column, str) else column
                   for column in out.columns]
    return out

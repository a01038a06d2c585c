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
- `file_name`: for the name of a download that includes a centre's ID.
- `terminal_text` / `terminal_safe`: for what the command line prints, so that a control
  character in a name cannot move the cursor, recolour the terminal or make a live link there.
"""

from __future__ import annotations

import html
import re

import pandas as pd


def plotly_text(value) -> str:
    """`geo.figures.plotly_text`, its home, imported when first asked for: the charting
    libraries it stands on take a noticeable part of a second to load, which every command
    would otherwise pay."""
    from geo.figures import plotly_text as home

    return home(value)

__all__ = ["file_name", "html_text", "markdown_shown", "markdown_text", "plotly_text", "spreadsheet_cell",
           "spreadsheet_safe", "terminal_safe", "terminal_text"]

# What Streamlit reads as markup, and how each is made literal:
#
# 1. Markdown syntax (CommonMark, GitHub's tables and strikethrough), Streamlit's directives
#    (`:red[..]`, `:blue-badge[..]`, `:help[..]`) and its LaTeX (`$..$`): CommonMark lets any
#    ASCII punctuation character be written with a backslash before it as itself, so every one is.
# 2. Streamlit's plugins that search the text *after* it has been parsed, where a backslash no
#    longer shows: emoji shortcodes (`:smile:`), icons (`:material/home:`), the logo
#    (`:streamlit:`), web and e-mail addresses that GitHub Markdown turns into live links
#    (`http://..`, `www.x`, `a@b.c`) and arrows (`->`, `--`, `>=`). For these a word joiner
#    (U+2060: no width, never a line break) is put between the two characters that begin the
#    pattern, which is then no longer found; the text still looks the same.
_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
WORD_JOINER = "\u2060"
_PATTERN_STARTS = re.compile(
    r"(?<=:)(?!\s)"             # :smile:, :material/..:, :streamlit:, http://
    r"|(?<=@)"                  # a@b.c
    r"|(?<=www)(?=\.)"          # www.example.com
    r"|(?<=[-<>~])(?=[->=])",   # ->, <-, <->, --, >=, <=, ~=
    re.IGNORECASE)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_IN_FILE_NAME = re.compile(r"[^\w.-]+")
# Control characters (C0, DEL, C1: escape sequences start with one) and the Unicode controls that
# reorder the text around them.
_TERMINAL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def markdown_text(value) -> str:
    """`value` as literal text inside Markdown that Streamlit shows: `st.markdown`, captions,
    alerts, headers, and the labels and help of widgets, metrics, tabs and expanders.

    A line break becomes a space (a new line could start a heading or a list), every ASCII
    punctuation character is backslash-escaped, and the patterns Streamlit finds after parsing
    are broken by an invisible word joiner (see above). Not for `st.selectbox` options, `st.code`
    or table cells: those show text as it is, so escaping would show the backslashes.
    """
    text = " ".join(str(value).splitlines())
    text = _PATTERN_STARTS.sub(WORD_JOINER, text)
    return _ASCII_PUNCTUATION.sub(r"\\\1", text)


def markdown_shown(markdown: str) -> str:
    """What a reader sees of text escaped by `markdown_text`: the escapes and word joiners taken
    out again. For tests and logs that compare the words, never for showing."""
    return _ESCAPED.sub(r"\1", markdown).replace(WORD_JOINER, "")


def html_text(value) -> str:
    """`value` as literal text inside HTML, quotes included (safe in attributes too)."""
    return html.escape(str(value), quote=True)


def file_name(name: str) -> str:
    """A download's file name with any part from data made harmless: each run of characters
    other than letters, digits, `.`, `_` and `-` (a slash, a quote, a space...) becomes `_`, and
    it never starts with a dot (a hidden file)."""
    return _NOT_IN_FILE_NAME.sub("_", str(name)).lstrip(".") or "download"


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


def terminal_text(value) -> str:
    """`value` as text to print on a terminal: each control character is written out as its
    code (`\\x1b`), so a name cannot send the terminal an escape sequence or reorder a line."""
    return _TERMINAL_CONTROL.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"),
                                 str(value))


def terminal_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell (and column name) passed through `terminal_text`."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            out[column] = series.map(lambda v: terminal_text(v) if isinstance(v, str) else v).astype(object)
    out.columns = [terminal_text(column) if isinstance(column, str) else column for column in out.columns]
    return out


def fault_summary(error: BaseException) -> str:
    """An exception for a log, with nothing personal in it: its type and where it happened (each
    frame's file, line and function), never its text, which can quote the data being read (a
    value that failed to parse, a row, a name)."""
    import traceback

    frames = "; ".join(f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} in {frame.name}"
                       for frame in traceback.extract_tb(error.__traceback__))
    return f"{type(error).__name__} at {frames or 'an unknown place'}"

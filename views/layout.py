"""How the dashboard is laid out: the page set-up and the style sheet every page shares.

Streamlit lays columns side by side until a window is phone-sized. A laptop with the dashboard
beside another window is about 800 px wide, and there side-by-side columns squeeze charts into
slivers, cut the tiles' figures ("82.…") and leave tables two or three columns wide. So below
`NARROW_PX` the style sheet here stacks columns (each takes the full width; a row of tiles wraps
instead, a few to a line), lets the tiles' figures and labels wrap rather than be cut, narrows the
sidebar and trims the page margins. Everything is in this file, injected once per run from
dashboard.py; nothing is fetched from outside (no web fonts, no style sheets from elsewhere).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import streamlit as st

NARROW_PX = 1000          # below this window width, columns stack
SIDEBAR_NARROW_PX = 232   # the sidebar's width below NARROW_PX (Streamlit's own is 300)
TILE_MIN_REM = 10         # below NARROW_PX, tiles wrap to the next line under this width

# The data-testid selectors of the Streamlit version in requirements.txt (1.67).
_ROW = "[data-testid='stHorizontalBlock']"
_COLUMN = "[data-testid='stColumn']"
_TILE = "[data-testid='stMetric']"
_WIDE_THINGS = ("[data-testid='stPlotlyChart']", "[data-testid='stDataFrame']", "[data-testid='stTable']",
                "[data-testid='stFullScreenFrame']")

STYLE = f"""
/* Tiles: a figure or label is never cut short with an ellipsis; it wraps. */
{_TILE} [data-testid='stMetricValue'], {_TILE} [data-testid='stMetricValue'] > div,
{_TILE} [data-testid='stMetricLabel'], {_TILE} [data-testid='stMetricLabel'] * {{
    white-space: normal !important;
    overflow: visible !important;
    text-overflow: clip !important;
    overflow-wrap: anywhere;
}}
{_TILE} [data-testid='stMetricValue'] {{ line-height: 1.2; }}

/* Charts take their column's width and follow it when the window changes. */
[data-testid='stPlotlyChart'], [data-testid='stPlotlyChart'] .js-plotly-plot {{ width: 100% !important; }}

@media (max-width: {NARROW_PX - 0.02}px) {{
    /* Columns stack: each takes the whole width of the page... */
    {_ROW}:has(> {_COLUMN}) {{ flex-wrap: wrap !important; row-gap: 0.75rem; }}
    {_ROW} > {_COLUMN} {{
        flex: 1 1 100% !important;
        width: 100% !important;
        min-width: 100% !important;
        max-width: 100% !important;
    }}
    /* ...except a row of tiles and nothing wider, which wraps a few to a line. */
    {_ROW}:has({_TILE}):not(:has({", ".join(_WIDE_THINGS)})) > {_COLUMN} {{
        flex: 1 1 {TILE_MIN_REM}rem !important;
        min-width: {TILE_MIN_REM}rem !important;
        width: auto !important;
    }}
    /* A narrower sidebar, so the page keeps most of the window. */
    section[data-testid='stSidebar'][data-collapsed='false'] {{
        width: {SIDEBAR_NARROW_PX}px !important;
        min-width: {SIDEBAR_NARROW_PX}px !important;
        max-width: {SIDEBAR_NARROW_PX}px !important;
    }}
    /* Smaller page margins. */
    [data-testid='stMainBlockContainer'] {{
        padding-left: 1rem !important;
        padding-right: 1rem !important;
    }}
}}
"""


# The browser fetches a chart's or a table's code only when the first one arrives, and then runs
# it: Plotly alone is 4.7 MB and takes the browser about 0.65 s to run. Every chart, the map
# included, is drawn as inline SVG (reach.presentation.svg_figures, geo.svg_map); only the map
# that zooms and pans (the Map page's "Zoom and pan") is drawn by Plotly. So every page asks for
# that code as it opens (fetched, not run), and runs it once its script has finished and the
# browser is idle, so that map draws at once when it is asked for.
_HEAVY_CODE = ("PlotlyChart", "DataFrame", "arrowFormatUtils", "Quiver", "recordbatch")


@cache
def _heavy_code_files() -> tuple[str, ...]:
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    return tuple(sorted(path.name for stem in _HEAVY_CODE for path in folder.glob(f"{stem}.*.js")))


def _preload_script() -> str:
    """The script that asks for the charts' and tables' code: fetched at once, and run when the
    browser is next idle. Running it twice does nothing more."""
    files = ", ".join(f"'{name}'" for name in _heavy_code_files())
    # Not before the page's script has finished: the browser is idle while it waits for the
    # server, and Plotly's start-up run then would hold up drawing the page itself.
    run = (" const run = () => Promise.all(urls.map(url => import(url).catch(() => {})))"
           "  .then(() => performance.mark('reach-charts-code-ready'));"
           " const done = () => { const app = document.querySelector(\"[data-testid='stApp']\");"
           "  return app && app.getAttribute('data-test-script-state') === 'notRunning'; };"
           " const later = () => { if (!done()) return setTimeout(later, 200);"
           "  if (window.requestIdleCallback) requestIdleCallback(run, {timeout: 4000}); else setTimeout(run, 500); };"
           " setTimeout(later, 200);")
    return ("<script>(() => {"
            " const main = document.querySelector(\"script[src*='/static/js/index.']\");"
            " if (!main) return;"
            f" const urls = [{files}].map(name => new URL(name, main.src).href);"
            " for (const url of urls) {"
            "  if (document.querySelector(`link[href='${url}']`)) continue;"
            "  const link = document.createElement('link');"
            "  link.rel = 'modulepreload'; link.href = url; document.head.appendChild(link);"
            " }"
            f"{run}"
            "})();</script>")


def set_up_page() -> None:
    """The page set-up, first thing on every run: title, wide layout and the shared style sheet.

    No page_icon: an emoji or Material icon as the favicon is fetched from a font server, and
    Reach must work with no internet."""
    st.set_page_config(page_title="Reach: children's centre reach", layout="wide",
                       initial_sidebar_state="auto")
    st.html(f"<style>{STYLE}</style>")


def load_browser_code() -> None:
    """Once the page is known (dashboard.py, right after the navigation): ask the browser for the
    charts' and tables' code, and run it when the browser is idle."""
    if _heavy_code_files():
        st.sidebar.html(_preload_script(), unsafe_allow_javascript=True)

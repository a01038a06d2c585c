"""Hostile names: text from files is shown as text on every page and neutralised in every CSV.

The demo authority with its centres renamed by an attacker: a spreadsheet formula, a Markdown
image, an HTML link and Streamlit's own markup, one centre with the ID `+1-2` and a group
`@SUM(A1)`, LSOAs named with links, and an import and a quarantined row whose file names and
reasons are formulas and images. Each page is run headlessly (Streamlit's AppTest) and every
piece of Markdown it sends is checked: the names are there, escaped, and nothing in them can
become an image, a link, an icon or a colour. Every chart is checked for live HTML, and the CSV
downloads and the command line's CSV for cells a spreadsheet would run.
"""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import opened
from cli.main import main
from reach.presentation.safe_text import markdown_text, plotly_text

from tests.views.figure_data import downloaded, strings

PROJECT = Path(__file__).resolve().parents[2]

FORMULA = '=HYPERLINK("http://evil.example","x")'
IMAGE = "![x](http://evil.example/p.png)"
LINK = '<a href="http://evil.example">x</a>'
STREAMLIT_MARKUP = ":red[big] :streamlit: :material/home: www.evil.example -> @x"
CENTRES = {"DEMO01": ("DEMO01", FORMULA), "DEMO02": ("+1-2", IMAGE), "DEMO03": ("DEMO03", LINK),
           "DEMO06": ("DEMO06", STREAMLIT_MARKUP)}
GROUP = "@SUM(A1)"
LSOA_NAME = "[here](http://evil.example/lsoa)"
FILE_NAME = "=cmd|' /C calc'!A0 ![f](http://evil.example/f.png).csv"
REASON = "-2+3 <a href='http://evil.example'>bad</a>"
LINK_VALUE = "![q](http://evil.example/q.png)"
NAMES = [name for _, name in CENTRES.values()]

# Markup that must never reach a page's Markdown unescaped: each would be an image, a link, HTML,
# a colour or formatting once rendered.
MARKUP = ["](", "![", "<a", "<img", ":red[", "=HYPERLINK(", "@SUM("]
# What Streamlit's plugins look for in the text once parsed (after the backslashes are read):
# shortcodes for the logo and icons, web and e-mail addresses made into links, arrows.
AFTER_PARSING = re.compile(r":(streamlit|material[/_]\w+):|https?://|www\.|@evil|@x|(^|\s)->(\s|$)")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

pytestmark = pytest.mark.usefixtures("fresh_streamlit_caches")


# --- the store --------------------------------------------------------------------------------

@pytest.fixture
def hostile_db(demo_db) -> Path:
    """The demo authority with hostile names planted wherever a file could put them."""
    with opened(demo_db) as con:
        for old_id, (new_id, name) in CENTRES.items():
            con.execute("UPDATE centres SET name = ?, centre_id = ? WHERE centre_id = ?", [name, new_id, old_id])
            for table in ("reach_areas", "registrations", "contacts"):
                con.execute(f"UPDATE {table} SET centre_id = ? WHERE centre_id = ?", [new_id, old_id])
            con.execute("UPDATE birth_counts SET area_code = ? WHERE area_type = 'centre' AND area_code = ?",
                        [new_id, old_id])
        con.execute("UPDATE centres SET group_id = ? WHERE centre_id = 'DEMO01'", [GROUP])
        con.execute("UPDATE lsoas SET lsoa_name = ? WHERE lsoa_code IN "
                    "(SELECT lsoa_code FROM reach_areas WHERE centre_id = '+1-2')", [LSOA_NAME])
        newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
        con.execute("UPDATE import_log SET file_name = ? WHERE import_id = ?", [FILE_NAME, newest])
        con.execute("INSERT INTO quarantine VALUES (?, 'centres', ?, 'x', 1, ?, ?)",
                    [newest, FILE_NAME, REASON, json.dumps({"name": FORMULA})])
    return demo_db


@pytest.fixture
def dashboard(hostile_db, media, monkeypatch):
    """Open a page of the dashboard on the hostile store: `dashboard(page, **query)`."""
    monkeypatch.setenv("REACH_DB", str(hostile_db))

    def open_page(page: str, **query) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
        at.run()
        for name, value in query.items():
            at.query_params[name] = value
        at.switch_page(page).run()
        assert not at.exception, at.exception
        return at

    return open_page


# --- reading a page ---------------------------------------------------------------------------

def markdown_shown(at) -> list[str]:
    """Every piece of Markdown the page sent: bodies, alerts, headings, and the labels and help
    of metrics, tabs, expanders and widgets (all rendered as Markdown by Streamlit)."""
    texts = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader"):
        # A chart drawn as SVG is HTML, escaped for HTML, not Markdown: checked by `svg_texts`.
        texts += [element.value for element in at.get(kind) if not is_svg_chart(element.value)]
    for kind in ("metric", "tabs", "expander", "selectbox", "radio", "checkbox", "toggle", "slider",
                 "number_input", "date_input", "text_input", "button"):
        for element in getattr(at, kind):
            texts += [getattr(element, "label", None), getattr(element, "help", None)]
    for radio in at.radio:
        texts += [str(option) for option in radio.options]          # radio options are Markdown too
    return [text for text in texts if isinstance(text, str)]


def assert_no_markup_from_data(at) -> list[str]:
    """No Markdown the page sent holds markup unescaped, or a pattern Streamlit would act on
    after parsing; and no hostile text is there as it was."""
    texts = markdown_shown(at)
    for text in texts:
        bare = ESCAPED.sub("\x00", text)          # an escaped character is no longer markup
        for pattern in MARKUP:
            assert pattern not in bare, f"{pattern!r} reaches the page unescaped in {text!r}"
        parsed = ESCAPED.sub(r"\1", text)
        assert not AFTER_PARSING.search(parsed), f"Streamlit would act on {parsed!r}"
        for name in (*NAMES, LSOA_NAME, FILE_NAME, REASON, LINK_VALUE):
            assert name not in text
    return texts


def shows(texts: list[str], name: str) -> bool:
    return any(markdown_text(name) in text for text in texts)


def chart_texts(at) -> list[str]:
    """Every string in every plotly figure on the page (titles, names, labels, hover, data)."""
    return [text for chart in at.get("plotly_chart") for text in strings(json.loads(chart.proto.spec))]


def is_svg_chart(value) -> bool:
    return isinstance(value, str) and value.startswith('<div class="reach-chart"')


# What a chart drawn as SVG may hold: nothing that links, loads, runs or holds other markup.
SVG_ELEMENTS = {"div", "svg", "title", "g", "text", "path", "rect", "circle", "polyline"}


def svg_texts(at) -> list[str]:
    """Every text and attribute value in every chart drawn as SVG, as a reader meets them (the
    HTML escapes undone by parsing), after checking each chart parses as one tree of plain SVG
    elements: a name from a file that reached the chart as markup would add an element or break
    the tree."""
    texts = []
    for element in at.markdown:
        if not is_svg_chart(element.value):
            continue
        tree = ElementTree.fromstring(element.value)            # raises on a name that broke out as markup
        for node in tree.iter():
            assert node.tag in SVG_ELEMENTS, f"{node.tag!r} in a chart"
            assert not [name for name in node.attrib if name.startswith("on") or name == "href"], node.attrib
            texts += [text for text in (node.text, *node.attrib.values()) if text]
    return texts


def assert_no_html_from_data(at) -> list[str]:
    texts = chart_texts(at)
    for text in texts:
        assert "<a " not in text and "<img" not in text, f"live HTML in a chart: {text!r}"
    return texts + svg_texts(at)


def downloaded_csv(at, media, key: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(downloaded(at, media, key).content.decode("utf-8"))))


def assert_spreadsheet_safe(rows: list[list[str]]) -> None:
    """No cell would run in a spreadsheet: any cell starting with =, +, -, @, tab or CR is a
    number (a negative figure), never text."""
    for row in rows:
        for cell in row:
            if cell.startswith(FORMULA_START):
                float(cell)             # raises for text such as =HYPERLINK(...) or +1-2


def cells(rows: list[list[str]]) -> set[str]:
    return {cell for row in rows for cell in row}


# --- the pages --------------------------------------------------------------------------------

def test_overview_shows_names_as_text(dashboard, media):
    at = dashboard("views/overview.py")
    assert_no_markup_from_data(at)
    assert_no_html_from_data(at)
    rows = downloaded_csv(at, media, "centres")
    assert_spreadsheet_safe(rows)
    assert {"'" + FORMULA, "'+1-2", IMAGE, LINK} <= cells(rows)


@pytest.mark.parametrize("centre_id", [new_id for new_id, _ in CENTRES.values()])
def test_my_centre_shows_each_hostile_centre_as_text(dashboard, media, centre_id):
    at = dashboard("views/my_centre.py")
    at.selectbox(key="centre").select(centre_id).run()
    assert not at.exception, at.exception
    name = dict(CENTRES.values())[centre_id]
    texts = assert_no_markup_from_data(at)
    assert shows(texts, name)                              # the name is there, as text
    charts = assert_no_html_from_data(at)
    assert any(text.startswith(f"{name}: ") for text in charts)    # the bullet's marker is named, as text
    assert name in charts                                  # the trend's line is named
    for key in ("gaps", "key_figures", "trend", "worklist", "unmatched_counts"):
        assert_spreadsheet_safe(downloaded_csv(at, media, key))
    trend = cells(downloaded_csv(at, media, "trend"))
    assert ("'" + name if name.startswith(FORMULA_START) else name) in trend
    assert "+" not in downloaded(at, media, "gaps").filename           # the ID in the file name is cleaned


def test_compare_shows_names_as_text_and_its_downloads_are_safe(dashboard, media):
    at = dashboard("views/compare.py")
    texts = assert_no_markup_from_data(at)
    charts = assert_no_html_from_data(at)
    assert LINK in charts and IMAGE in charts              # as text in the charts (drawn as SVG)
    league = downloaded_csv(at, media, "league")
    assert_spreadsheet_safe(league)
    assert {"'" + FORMULA, "'+1-2", IMAGE, LINK} <= cells(league)
    assert_spreadsheet_safe(downloaded_csv(at, media, "funnel"))
    # The similar centres of the centre with a hostile name.
    at.selectbox(key="similar_centre").select("+1-2").run()
    assert not at.exception, at.exception
    texts = assert_no_markup_from_data(at)
    assert shows(texts, IMAGE)
    assert_no_html_from_data(at)
    assert_spreadsheet_safe(downloaded_csv(at, media, "similar"))
    assert any(markdown_text(name) in text for text in texts for name in NAMES)


def test_map_shows_centre_and_lsoa_names_as_text(dashboard, media):
    at = dashboard("views/map.py")
    assert_no_markup_from_data(at)
    at.selectbox(key="map_centre").select("+1-2").run()
    assert not at.exception, at.exception
    texts = assert_no_markup_from_data(at)
    assert shows(texts, LSOA_NAME)                         # the gap summary names its LSOAs
    rows = downloaded_csv(at, media, "gap_ranking")
    assert_spreadsheet_safe(rows)
    assert "'+1-2" in cells(rows)
    assert downloaded(at, media, "gap_ranking").filename.startswith("gaps__1-2_")


def test_the_map_draws_names_as_text(dashboard):
    at = dashboard("views/map.py")
    # The map drawn as SVG: every name in its hover text, as literal text.
    texts = svg_texts(at)
    assert any(f"Centre: {LINK}" in text for text in texts)          # an LSOA of the centre named with a link
    assert LINK in texts and FORMULA in texts                          # the centres' dots, named on hover
    at.selectbox(key="map_centre").select("+1-2").run()
    assert not at.exception, at.exception
    texts = assert_no_html_from_data(at)
    assert any(f"Name: {LSOA_NAME}" in text for text in texts)
    assert any(f"Centre: {IMAGE}" in text for text in texts)
    # The Plotly map, one click away.
    at.toggle(key="map_zoom").set_value(True).run()
    assert not at.exception, at.exception
    charts = assert_no_html_from_data(at)
    assert any(plotly_text(LSOA_NAME) in text for text in charts)


def test_whatif_echoes_a_hostile_link_only_as_text(dashboard):
    at = dashboard("views/whatif.py", centre=LINK_VALUE, sharing=IMAGE, contact=LINK)
    texts = assert_no_markup_from_data(at)
    assert sum("is not" in text and "so it was ignored" in text for text in texts) == 3
    assert shows(texts, repr(LINK_VALUE))
    at.selectbox(key="whatif_centre").select("+1-2").run()
    assert not at.exception, at.exception
    texts = assert_no_markup_from_data(at)
    assert shows(texts, IMAGE)                             # the summary names the centre
    assert_no_html_from_data(at)


def test_a_long_link_value_is_shortened_in_its_warning(dashboard):
    at = dashboard("views/whatif.py", centre="x" * 5_000)
    warning = next(text for text in markdown_shown(at) if "centre value" in text)
    assert len(warning) < 200


def test_data_page_shows_file_names_and_reasons_as_text(dashboard, media, hostile_db):
    at = dashboard("views/data.py")
    assert_no_markup_from_data(at)
    history = downloaded_csv(at, media, "import_history")
    assert_spreadsheet_safe(history)
    assert "'" + FILE_NAME in cells(history)
    quarantine = downloaded_csv(at, media, "quarantine")
    assert_spreadsheet_safe(quarantine)
    assert {"'" + FILE_NAME, "'" + REASON} <= cells(quarantine)
    # Undoing the import with the hostile file name: the message names it, as text.
    with opened(hostile_db, read_only=True) as con:
        newest = con.execute("SELECT max(import_id) FROM import_log").fetchone()[0]
    at.selectbox(key="undo_import").select(newest).run()
    at.checkbox(key="undo_confirm").check().run()
    at.button(key="undo_go").click().run()
    assert not at.exception, at.exception
    texts = assert_no_markup_from_data(at)
    assert shows(texts, FILE_NAME)


# --- the command line -------------------------------------------------------------------------

def _as_at(db: Path) -> str:
    from reach.queries.report import latest_data_date
    with opened(db, read_only=True) as con:
        return latest_data_date(con).isoformat()


def test_report_csv_neutralises_formulas(hostile_db, capsys):
    assert main(["report", "--as-at", _as_at(hostile_db), "--format", "csv", "--db", str(hostile_db)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert_spreadsheet_safe(rows)
    assert {"'" + FORMULA, "'+1-2", IMAGE, LINK} <= cells(rows)


def test_report_by_lsoa_csv_neutralises_formulas(hostile_db, capsys):
    assert main(["report", "--as-at", _as_at(hostile_db), "--by", "lsoa", "--format", "csv",
                 "--db", str(hostile_db)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert_spreadsheet_safe(rows)
    assert "'+1-2" in cells(rows)


def test_quarantine_csv_neutralises_formulas(hostile_db, capsys):
    assert main(["quarantine", "--format", "csv", "--db", str(hostile_db)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert_spreadsheet_safe(rows)
    assert {"'" + FILE_NAME, "'" + REASON} <= cells(rows)


def test_tables_on_the_terminal_carry_no_control_characters(hostile_db, capsys):
    with opened(hostile_db) as con:
        con.execute("UPDATE centres SET name = ? WHERE centre_id = 'DEMO07'",
                    ["Riverside\x1b]8;;http://evil.example\x07here\x1b]8;;\x07\x1b[2J"])
        con.execute("UPDATE import_log SET file_name = 'a\x1b[31mred.csv' WHERE import_id = 1")
    assert main(["report", "--as-at", _as_at(hostile_db), "--format", "table", "--db", str(hostile_db)]) == 0
    assert main(["history", "--db", str(hostile_db)]) == 0
    assert main(["quarantine", "--db", str(hostile_db)]) == 0
    assert main(["whatif", "--centre", "DEMO07", "--db", str(hostile_db)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "Riverside\\x1b]8;;http://evil.example\\x07here" in out


def test_the_report_json_keeps_names_exactly(hostile_db, capsys):
    """JSON is data for programs, not a spreadsheet: names are written exactly as loaded."""
    assert main(["report", "--as-at", _as_at(hostile_db), "--format", "json", "--db", str(hostile_db)]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert {FORMULA, IMAGE, LINK} <= {row["centre_name"] for row in rows}

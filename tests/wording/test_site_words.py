"""With the sites called family hubs, no page, export or table says "centre", except where the
contract fixes the spelling (column names such as centre_id, command-line options) or the text is
data (a site's own name)."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from contextlib import redirect_stdout
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from cli.main import main
from data.settings import save_settings
from data.store import opened
from reach.presentation.wording import CENTRES, HUBS, current, reword, using

PROJECT = Path(__file__).resolve().parents[2]
AS_AT = date(2026, 9, 30)
# Column names, keys and options keep the contract's spelling; everything else must not say centre.
KEPT = re.compile(r"[A-Za-z0-9]*_[A-Za-z0-9_]*centre[A-Za-z0-9_]*|[A-Za-z0-9_]*centre[A-Za-z0-9_]*_[A-Za-z0-9_]*"
                  r"|--centre\b|my-centre|[?&]centre="
                  # a kind of file by its command-line name, in the list of imports ("2: centres, f.csv")
                  r"|\d+: centres,|import centres")
CENTRE = re.compile(r"centre", re.IGNORECASE)


def saying_centre(texts) -> list[str]:
    """Each place the texts say "centre", with the words around it (for a readable failure)."""
    return sorted({text[max(0, m.start() - 40):m.end() + 30] for text in texts for m in CENTRE.finditer(text)})
# What the protobuf of an element holds that is not visible text (data, styles, ids, file names).
NOT_TEXT = {"data", "arrowData", "css", "id", "formId", "key", "url", "fileName", "deltaPath", "pageScriptHash",
            "useContainerWidth", "columns", "styler", "arrowTable", "widgetId", "dataframeColumnOrder"}


# --- the words themselves ---------------------------------------------------------------------------

def test_the_default_words_are_the_centres_and_reword_leaves_them_alone():
    assert current() is CENTRES
    text = "Compare centres: each children's centre, Centre by centre."
    assert reword(text) == text


def test_hubs_reword_every_form_and_leave_names_and_columns_alone():
    with using("hubs") as words:
        assert words is HUBS
        assert reword("Compare centres") == "Compare hubs"
        assert reword("My centre") == "My hub"
        assert reword("Centres by indicative band") == "Hubs by indicative band"
        assert reword("All children's centres in the authority.") == "All family hubs in the authority."
        assert reword("Children's centres") == "Family hubs"
        assert reword("the centre's area. Centre by centre") == "the hub's area. Hub by hub"
        assert reword("**Centres** (Centre ID)") == "**Hubs** (Hub ID)"
        assert reword("Riverside Children's Centre is a centre.") == "Riverside Children's Centre is a hub."
        assert reword("centre_id and reach area") == "centre_id and reach area"
    assert current() is CENTRES


# --- pages --------------------------------------------------------------------------------------------

def _pages() -> list[str]:
    """Every page the navigation lists, read from dashboard.py, so a new page is walked too."""
    return re.findall(r'st\.Page\("(views/[a-z_]+\.py)"', (PROJECT / "dashboard.py").read_text())


def _strings(value, found: list[str], field: str = "") -> None:
    if field in NOT_TEXT:
        return
    if isinstance(value, dict):
        for name, inner in value.items():
            _strings(inner, found, name)
    elif isinstance(value, list):
        for inner in value:
            _strings(inner, found, field)
    elif isinstance(value, str):
        if field == "options" and value == CENTRES.sites_long_title:    # the setting's own choice
            return
        if field == "spec":        # a chart: its titles, axis titles, trace names and hover templates
            _figure_strings(json.loads(value), found)
        else:
            found.append(value)


def _figure_strings(figure: dict, found: list[str]) -> None:
    layout = figure.get("layout", {})
    for part in ("title", "xaxis", "yaxis"):
        title = layout.get(part, {}) if part == "title" else layout.get(part, {}).get("title", {})
        if isinstance(title, dict) and title.get("text"):
            found.append(str(title["text"]))
    for trace in figure.get("data", []):
        for field in ("name", "hovertemplate"):
            if isinstance(trace.get(field), str):
                found.append(trace[field])


def _elements(node):
    children = getattr(node, "children", None)
    if children is None:
        yield node
        return
    if getattr(node, "proto", None) is not None:
        yield node
    for child in children.values():
        yield from _elements(child)


def visible_text(at: AppTest, site_names: list[str]) -> list[str]:
    found: list[str] = []
    for element in _elements(at._tree):
        proto = getattr(element, "proto", None)
        if proto is None:
            continue
        _strings(MessageToDict(proto), found)
    for frame in at.dataframe:
        found.extend(str(column) for column in frame.value.columns)
    cleaned = []
    for text in found:
        for name in sorted(site_names, key=len, reverse=True):
            # as written, escaped for a JavaScript string, and escaped for HTML (the SVG charts)
            for written in (name, name.replace("'", "\\'"), html.escape(name)):
                text = text.replace(written, "")
        cleaned.append(KEPT.sub("", text))
    return cleaned


@pytest.fixture
def hubs_db(demo_db):
    save_settings(demo_db, site_word="hubs")
    return demo_db


def _site_names(db) -> list[str]:
    with opened(db, read_only=True) as con:
        return [row[0] for row in con.execute("SELECT name FROM centres").fetchall()]


@pytest.mark.parametrize("page", _pages())
def test_every_page_says_hub_and_never_centre(hubs_db, monkeypatch, fresh_streamlit_caches, page):
    monkeypatch.setenv("REACH_DB", str(hubs_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    texts = visible_text(at, _site_names(hubs_db))
    offending = saying_centre(texts)
    assert not offending, offending
    if page in ("views/overview.py", "views/compare.py", "views/my_centre.py", "views/best_start.py"):
        assert any(re.search(r"\bhubs?\b", text, re.IGNORECASE) for text in texts)


# --- exports and the command line ---------------------------------------------------------------------

class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def _page_text(page: Path, db) -> list[str]:
    """The words of an exported web page, less the sites' names and the kinds of file by their
    command-line names (the list of files loaded says "centres")."""
    parser = _Text()
    parser.feed(page.read_text())
    names = sorted(_site_names(db), key=len, reverse=True)
    text = []
    for part in parser.parts:
        for name in names:
            part = part.replace(name, "")
        if part != "centres":
            text.append(KEPT.sub("", part))
    return text


def _run(*args) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(list(args))
    return status, out.getvalue()


def test_the_web_page_export_says_hub(hubs_db, tmp_path):
    out = tmp_path / "report.html"
    status, _ = _run("export", "--as-at", AS_AT.isoformat(), "--db", str(hubs_db), "--format", "html",
                     "--out", str(out))
    assert status == 0
    text = _page_text(out, hubs_db)
    offending = saying_centre(text)
    assert not offending, offending
    assert any(re.search(r"\bhubs?\b", part) for part in text)


def test_one_sites_web_page_export_says_hub(hubs_db, tmp_path):
    out = tmp_path / "report.html"
    status, _ = _run("export", "--as-at", AS_AT.isoformat(), "--db", str(hubs_db), "--format", "html",
                     "--centre", "DEMO01", "--out", str(out))
    assert status == 0
    text = _page_text(out, hubs_db)
    assert not saying_centre(text), saying_centre(text)


def test_the_report_table_keeps_its_column_names(hubs_db):
    status, printed = _run("report", "--as-at", AS_AT.isoformat(), "--db", str(hubs_db), "--format", "table")
    assert status == 0
    header, *rows = printed.splitlines()
    assert header.split()[:2] == ["centre_id", "centre_name"]       # the contract's spelling stays
    names = _site_names(hubs_db)
    body = "\n".join(rows)
    for name in names:
        body = body.replace(name, "")
    assert not CENTRE.search(body)


def test_the_evidence_workbook_and_files_say_hub(hubs_db, tmp_path):
    out = tmp_path / "pack.zip"
    status, _ = _run("export", "--as-at", AS_AT.isoformat(), "--db", str(hubs_db), "--format", "csv",
                     "--centre", "DEMO01", "--out", str(out))
    assert status == 0
    names = _site_names(hubs_db)
    with zipfile.ZipFile(out) as pack:
        for member in pack.namelist():
            if not member.endswith((".md", ".txt")):
                continue
            text = pack.read(member).decode()
            for name in names:
                text = text.replace(name, "").replace(name.replace("'", "\\'"), "")
            assert not CENTRE.search(KEPT.sub("", text)), member

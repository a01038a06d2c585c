"""The report as a web page: nothing in it runs or fetches anything, every name from the data is
escaped, the figures it shows are the report's, and a publication shows what its rule says."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser

import duckdb
import pytest

from data.store import opened
from reach.domain.breakdowns import lsoa_gaps
from reach.domain.suppression import NHS
from reach.presentation import format as fmt
from reach.presentation.report_html import html_report
from reach.presentation.safe_text import html_text
from reach.queries.mapdata import lsoa_names
from reach.queries.report import reach_reports
from reach.queries.report_tables import report_tables

AS_AT = date(2026, 9, 30)
CENTRE = "DEMO01"
HOSTILE = ["<img src=x onerror=alert(1)>", "=cmd|' /C calc'!A0", '"><script>alert(2)</script>']
# Every element the page may hold: text, tables, and the shapes of its inline charts.
ELEMENTS = {"html", "head", "meta", "title", "style", "body", "section", "h1", "h2", "h3", "p", "div", "strong",
            "table", "thead", "tbody", "tr", "th", "td", "dl", "dt", "dd", "svg", "text", "rect", "path",
            "polyline", "circle"}


class Page(HTMLParser):
    """The page's elements, and its tables as rows of cell texts (by id), key figures by measure."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self.measures: dict[str, list[str]] = {}
        self.texts: list[str] = []
        self._table = self._measure = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id")
            self.tables[self._table] = []
        elif tag == "tr":
            self._row, self._measure = [], attributes.get("data-measure")
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            if self._measure:
                self.measures[self._measure] = self._row[1:]
            self._row = None

    def handle_data(self, data):
        self.texts.append(data)
        if self._cell is not None:
            self._cell.append(data)

    def table(self, name: str) -> list[dict]:
        head, *rows = self.tables[f"report-{name}"]
        return [dict(zip(head, row)) for row in rows]


def report_page(db, **kwargs):
    with opened(db, read_only=True) as con:
        report = report_tables(con, as_at=AS_AT, **kwargs)
    return report, html_report(report)


def test_the_page_runs_nothing_fetches_nothing_and_prints_on_a4(demo_db):
    _, text = report_page(demo_db, centre_id=CENTRE)
    lowered = text.lower()
    for fetching in ("<script", "http://", "https://", "<link", "<img", "@import", "url(", "src=", "href=",
                     "<iframe", "<object", "<embed", "@font-face"):
        assert fetching not in lowered, fetching
    page = Page(text)
    assert {tag for tag, _ in page.elements} <= ELEMENTS
    assert not [name for _, attributes in page.elements for name in attributes if name.startswith("on")]
    assert "@page { size: A4" in text and "page-break-before: always" in text
    assert "break-inside: avoid" in text and "thead { display: table-header-group; }" in text
    assert sum(1 for tag, _ in page.elements if tag == "svg") == 3       # bands, trend, LSOA bars
    assert sum(1 for tag, a in page.elements if tag == "section" and a.get("class") != "first") == 6


def test_the_figures_shown_are_the_reports(demo_db):
    report, text = report_page(demo_db, centre_id=CENTRE)
    with opened(demo_db, read_only=True) as con:
        reports = reach_reports(con, as_at=AS_AT)
        names = lsoa_names(con)
    centre = reports["centre"].set_index("centre_id").loc[CENTRE]
    whole = reports["authority"].iloc[0]
    page = Page(text)
    for measure in ("children_under5", "known_children", "families_to_find", "unmatched_births",
                    "sustained_contact", "births_12m"):
        assert page.measures[measure] == [fmt.count(centre[measure]), fmt.count(whole[measure])], measure
    for measure in ("reach_pct", "sustained_pct", "newborn_reach_pct"):
        assert page.measures[measure] == [fmt.percent(centre[measure]), fmt.percent(whole[measure])], measure
    assert page.measures["reach_lower_95_pct"][0] == fmt.percent(report.interval.lower)
    assert page.measures["band"] == [centre["band"], whole["band"]]
    # the tiles and the chart say the same as the table
    assert f'<div class="value">{fmt.percent(centre["reach_pct"])}</div>' in text
    assert f">{fmt.percent(centre['newborn_reach_pct'])}</text>" in text
    lsoas = page.table("lsoas")
    expected = lsoa_gaps(reports["lsoa"], centre_id=CENTRE, names=names)
    assert [row["LSOA"] for row in lsoas] == list(expected["lsoa_code"])
    assert [row["Families to find"] for row in lsoas] == [fmt.count(v) for v in expected["families_to_find"]]
    assert [row["Reach %"] for row in lsoas] == [fmt.percent(v) for v in expected["reach_pct"]]
    trend = page.table("trend")
    assert len(trend) == 2 * 36 and {row["Series"] for row in trend} == {centre["centre_name"], "All centres"}
    assert "Figures as at 30 September 2026" in "".join(page.texts)
    assert report.rule_words in page.texts          # the rule used: here none, every count shown
    provenance = {row["Item"]: row["Value"] for row in page.table("provenance")}
    assert provenance["Figures as at"] == "2026-09-30"
    assert provenance["Disclosure rule"] == "none (working figures)"
    with opened(demo_db, read_only=True) as con:
        files = set(con.execute("SELECT file_name FROM import_log").df()["file_name"])
    assert files == {row["File"] for row in page.table("imports")}
    assert [row["Source"] for row in page.table("timeliness")] == list(report.tables["timeliness"]["source"])


@pytest.mark.parametrize("centre_id", [CENTRE, None])
def test_hostile_names_are_text_never_markup(demo_db, centre_id):
    con = duckdb.connect(str(demo_db))
    for i, name in enumerate(HOSTILE, start=1):
        con.execute("UPDATE centres SET name = ? WHERE centre_id = ?", [name, f"DEMO0{i}"])
    con.close()
    _, text = report_page(demo_db, centre_id=centre_id)
    page = Page(text)
    assert {tag for tag, _ in page.elements} <= ELEMENTS
    assert "<script" not in text and "<img" not in text
    assert html_text(HOSTILE[0]) in text
    read = "".join(page.texts)
    assert HOSTILE[0] in read            # shown as the words they are
    if centre_id is None:                # the authority's report lists every centre
        assert all(name in read for name in HOSTILE)
        assert {row["Centre"] for row in page.table("centres")} >= set(HOSTILE)
    else:
        assert page.elements[[t for t, _ in page.elements].index("title")] == ("title", {})
        assert f"Reach report: {HOSTILE[0]} ({CENTRE})" in read


def test_a_publication_under_the_nhs_rule_shows_rounded_counts_and_says_so(demo_db):
    report, text = report_page(demo_db, rule=NHS)
    page = Page(text)
    rule = "".join(t for t in page.texts if "Prepared for publication" in t)
    assert "nhs rule" in rule and "1 to 7" in rule and "nearest 5" in rule
    whole = report.authority
    for measure in ("children_under5", "known_children", "families_to_find", "unmatched_births",
                    "sustained_contact", "births_12m", "newborns_known_12m"):
        shown = page.measures[measure][0]
        assert shown == fmt.count(whole[measure]) and int(shown.replace(",", "")) % 5 == 0, (measure, shown)
    assert page.measures["reach_pct"] == [fmt.percent(whole["reach_pct"])]
    cells = 0
    for row in page.table("lsoas"):
        for heading in ("Under-fives", "Known", "Unmatched births", "Families to find"):
            assert row[heading] == "c" or int(row[heading].replace(",", "")) % 5 == 0, (heading, row)
            cells += row[heading] == "c"
    assert cells > 0
    assert {row["Value"] for row in page.table("provenance")} >= {"nhs"}
    assert len(page.table("trend")) == 12            # the end of each quarter


def test_an_empty_table_with_a_column_of_dates_is_drawn_with_its_headings():
    # Found on a store loaded without the import log: the web page stopped with a TypeError at
    # "Files loaded", since mapping an empty column of dates gives dates, which `all` refuses.
    import pandas as pd

    from reach.presentation.report_html import table_html

    empty = pd.DataFrame({"imported_at": pd.Series([], dtype="datetime64[ns]"), "rows": pd.Series([], dtype="int64")})
    drawn = table_html(empty, name="imports")
    assert drawn.count("</th>") == 2 and "Nothing to show." in drawn and 'id="report-imports"' in drawn

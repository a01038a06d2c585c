"""The My centre page on the demo authority: one centre's figures, its worklist, its target groups
and the evidence pack, checked against the reach functions themselves."""

import io
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from data.store import opened
from reach.domain.stats import wilson_interval
from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text
from reach.queries.report import reach_report
from reach.queries.worklist import unmatched_births

from tests.views.figure_data import downloaded, marks, shown, svg_charts, svg_text

PAGE = "views/my_centre.py"


def metrics(at) -> dict:
    return {metric.label: metric.value for metric in at.metric}


@pytest.fixture
def page(media, app):
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    return app


def _centres(db, at):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=at.date_input(key="as_at").value).set_index("centre_id")


def test_the_first_centre_is_shown_but_opening_the_page_remembers_nothing(page, demo_db):
    centres = _centres(demo_db, page)
    assert page.selectbox(key="centre").value == centres.index[0]
    for key in ("centre_id", "chosen_centre", "last_single_centre"):
        assert key not in page.session_state          # only a person's own choice is remembered


def test_choosing_a_centre_shows_its_figures(page, demo_db):
    centres = _centres(demo_db, page)
    chosen = centres.index[3]
    page.selectbox(key="centre").select(chosen).run()
    assert not page.exception
    assert page.session_state["last_single_centre"] == chosen
    assert "centre_id" not in page.session_state
    row = centres.loc[chosen]
    shown = metrics(page)
    assert shown["Reach"] == fmt.percent(row["reach_pct"])
    assert shown["Families to find"] == fmt.count(row["families_to_find"])
    assert shown["Unmatched births"] == fmt.count(row["unmatched_births"])
    assert shown["Newborn reach"] == fmt.percent(row["newborn_reach_pct"])


def test_reach_against_the_bands_with_its_interval(page, demo_db):
    row = _centres(demo_db, page).iloc[0]
    figure = svg_charts(page)["Reach against the bands"]
    marker = marks(figure, "value")[0]
    interval = wilson_interval(row["known_children"], row["children_under5"])
    assert marker["label"] == row["centre_name"] and marker["value"] == pytest.approx(row["reach_pct"])
    assert marker["hover"] == (f"{row['centre_name']}: {row['reach_pct']:.1f}%; 95% interval "
                               f"{interval.lower:.1f}% to {interval.upper:.1f}%")
    zones = [m["label"] for m in marks(figure, "band")]
    assert "good (65% to 97%)" in zones
    assert f"{row['reach_pct']:.1f}%" in svg_text(figure)             # the figure written by the marker
    assert any(block.value == f"**Indicative band: {row['band']}" + {
        "good": " (65% to 97%)**", "outstanding": " (97% or more)**",
        "requires improvement": " (51% to 65%)**", "inadequate": " (below 51%)**"}[row["band"]]
        for block in page.markdown)


def test_the_worklist_counts_and_the_pseudonymised_list(page, media, demo_db):
    centre_id = page.selectbox(key="centre").value
    row = _centres(demo_db, page).loc[centre_id]
    counts = next(frame.value for frame in page.dataframe if "Unmatched births" in frame.value.columns
                  and "birth_month" in frame.value.columns)
    assert counts["Unmatched births"].sum() == row["unmatched_births"]
    listed = pd.read_csv(io.BytesIO(downloaded(page, media, "worklist").content), dtype=str)
    assert list(listed.columns) == ["child_key", "dob", "lsoa_code", "lsoa_name", "centre_id", "event",
                                    "received_on", "days_waiting"]
    assert listed["lsoa_name"].str.startswith("Brackenfold ").all()      # the names beside the codes
    assert len(listed) == row["unmatched_births"]
    with opened(demo_db, read_only=True) as con:
        expected = unmatched_births(con, as_at=page.date_input(key="as_at").value, centre_id=centre_id)
    assert list(listed["child_key"]) == list(expected["child_key"])
    # keys are pseudonyms, never 10-digit NHS numbers
    assert not listed["child_key"].str.fullmatch(r"\d{10}").any()
    assert counts["LSOA name"].str.startswith("Brackenfold ").all()
    cells = marks(svg_charts(page)["Unmatched births by month of birth"])
    assert all(cell["series"].startswith("Brackenfold ") for cell in cells)
    assert sum(cell["value"] for cell in cells) == row["unmatched_births"]


def test_lsoas_ranked_by_families_to_find(page):
    gaps = next(frame.value for frame in page.dataframe if "IDACI decile" in frame.value.columns)
    assert list(gaps["Families to find"]) == sorted(gaps["Families to find"], reverse=True)
    chart = next(chart for title, chart in svg_charts(page).items() if title.startswith("Families to find by LSOA"))
    assert marks(chart)[0]["value"] == gaps["Families to find"].iloc[0]      # the largest drawn at the top


def test_target_groups_beside_all_centres(page, demo_db):
    row = _centres(demo_db, page).iloc[0]
    deprived = next(frame.value for frame in page.dataframe if "all_centres_reach_pct" in frame.value.columns)
    assert deprived["Known"].iloc[0] == row["deprived_known"]
    assert deprived["Under-fives"].iloc[0] == row["deprived_under5"]
    flags = next(frame.value for frame in page.dataframe if "share_of_known_pct" in frame.value.columns)
    assert list(flags["group_name"]) == ["Lone parents", "Teenage parents", "Workless households",
                                         "Disabled children or parents", "Minority ethnic families",
                                         "Fathers taking part"]
    shares = flags["share_of_known_pct"] * row["known_children"] / 100
    assert np.allclose(shares, flags["Known"])


def test_the_trend_sets_the_centre_beside_all_centres(page, demo_db):
    row = _centres(demo_db, page).iloc[0]
    figure = svg_charts(page)["Reach by month"]
    names = {m["series"] for m in marks(figure)}
    assert row["centre_name"] in names and "All centres" in names
    assert marks(figure, row["centre_name"])[-1]["value"] == pytest.approx(row["reach_pct"])


def test_the_evidence_pack_and_its_publishable_version(page, media, demo_db):
    row = _centres(demo_db, page).iloc[0]
    with zipfile.ZipFile(io.BytesIO(downloaded(page, media, "evidence_pack").content)) as pack:
        names = pack.namelist()
        readme = pack.read("README.md").decode("utf-8")
        figures = pd.read_csv(pack.open("key_figures.csv")).set_index("measure")
    assert names == ["README.md", "key_figures.csv", "lsoas.csv", "target_groups.csv", "trend.csv",
                     "unmatched_by_lsoa_month.csv"]
    assert readme.startswith(f"# Reach evidence: {markdown_text(row['centre_name'] + f' ({row.name})')}")
    assert float(figures.loc["known_children", "centre"]) == row["known_children"]
    assert "child_key" not in "".join(names)

    page.toggle(key="publishable").set_value(True).run()
    assert not page.exception
    with zipfile.ZipFile(io.BytesIO(downloaded(page, media, "evidence_pack").content)) as pack:
        names = pack.namelist()
        lsoas = pd.read_csv(pack.open("lsoas.csv"), dtype=str)
        readme = pack.read("README.md").decode("utf-8")
    assert "Prepared for publication" in readme
    assert "unmatched_by_lsoa_month.csv" not in names          # nearly every count below 5: never published
    shown = lsoas.loc[lsoas["unmatched_births"] != "c", "unmatched_births"].astype(int)
    assert not shown.between(1, 4).any()
    assert (lsoas == "c").any().any()


def test_the_chosen_centre_carries_over_to_compare(page, demo_db):
    chosen = _centres(demo_db, page).index[2]
    page.selectbox(key="centre").select(chosen).run()
    page.switch_page("views/compare.py").run()
    assert not page.exception
    assert page.selectbox(key="similar_centre").value == chosen


def _in_order(at) -> list:
    """The page's elements in the order they are drawn, as (type, key or value) pairs."""
    out = []
    for node in at.main:
        kind = getattr(node, "type", None)
        if kind == "download_button":
            out.append((kind, node.proto.id))
        elif kind == "header":
            out.append((kind, node.value))
    return out


def _lsoa_report(db, at):
    with opened(db, read_only=True) as con:
        return reach_report(con, as_at=at.date_input(key="as_at").value, by="lsoa")


def test_families_to_find_agree_between_the_tile_and_the_sentence(page, demo_db):
    """Moss Side Lane: 416 for the centre, 423 counted LSOA by LSOA; both stated, the reason given."""
    centres = _centres(demo_db, page)
    chosen = centres.index[8]
    page.selectbox(key="centre").select(chosen).run()
    own = int(centres.loc[chosen, "families_to_find"])
    lsoas = _lsoa_report(demo_db, page)
    by_lsoa = int(lsoas.loc[lsoas["centre_id"] == chosen, "families_to_find"].sum())
    assert (own, by_lsoa) == (416, 423)                 # the demo's figures the walk found
    assert metrics(page)["Families to find"] == "416"
    sentence = next(text for text in shown(page.markdown) if text.startswith("The centre has "))
    assert sentence.startswith("The centre has 416 families to find, living in ")
    assert "the areas behind the target need 423, 7 more than the centre's figure" in sentence
    assert "an LSOA ahead of the target cannot make up for one behind it" in sentence
    assert "Brackenfold " in sentence                    # LSOAs by name as well as code
    gaps = next(frame.value for frame in page.dataframe if "IDACI decile" in frame.value.columns)
    assert gaps["LSOA name"].str.startswith("Brackenfold ").all()


def test_no_tile_shows_an_arrow_for_no_change(page, demo_db):
    for metric in page.metric:
        assert "0.0 points" not in str(metric.proto.delta)
    assert all(not metric.proto.delta or metric.proto.delta.endswith(" points") for metric in page.metric)


def test_the_evidence_pack_is_offered_at_the_top_and_its_csvs_are_rounded(page, media, demo_db):
    order = _in_order(page)
    button = next(i for i, (kind, key) in enumerate(order) if kind == "download_button"
                  and key.endswith("download_evidence_pack"))
    first_header = next(i for i, (kind, _) in enumerate(order) if kind == "header")
    assert button < first_header
    row = _centres(demo_db, page).iloc[0]
    with zipfile.ZipFile(io.BytesIO(downloaded(page, media, "evidence_pack").content)) as pack:
        texts = {name: pack.read(name).decode("utf-8") for name in pack.namelist()}
        figures = pd.read_csv(pack.open("key_figures.csv"), dtype=str).set_index("measure")
        trend = pd.read_csv(pack.open("trend.csv"), dtype=str)
    assert figures.loc["reach_pct", "centre"] == f"{row['reach_pct']:.1f}"
    assert figures.loc["known_children", "centre"] == str(row["known_children"])
    for name, text in texts.items():                    # no 61.55157715260017
        assert not re.search(r"\d\.\d{2,}", text), name
    assert set(trend["reach_pct"].str.len()) <= {3, 4}   # 9.5 .. 99.9
    if row["families_to_find"] != _lsoa_report(demo_db, page).query("centre_id == @row.name")["families_to_find"].sum():
        assert "more than the centre's" in texts["README.md"]


def test_the_publication_pack_keeps_every_figure_the_rule_leaves_shown(page, media, demo_db):
    row = _centres(demo_db, page).iloc[0]
    page.toggle(key="publishable").set_value(True).run()
    assert not page.exception
    with zipfile.ZipFile(io.BytesIO(downloaded(page, media, "evidence_pack").content)) as pack:
        readme = pack.read("README.md").decode("utf-8")
        figures = pd.read_csv(pack.open("key_figures.csv"), dtype=str).set_index("measure")
    assert "Prepared for publication" in readme and "## In brief" in readme
    # The headline counts are far above 4, so the rule hides none of them: the summary states them.
    assert figures.loc["children_under5", "centre"] == str(row["children_under5"])
    assert f"Of the {fmt.count(row['children_under5'])} children under five" in readme
    assert f"{fmt.count(row['known_children'])} are known" in readme
    assert f"a reach of {fmt.percent(row['reach_pct'])}" in readme
    for figure in ("unmatched_births", "sustained_contact"):
        shown_value = figures.loc[figure, "centre"]
        assert (shown_value == "c") or (int(shown_value) == row[figure])


def test_the_report_downloads_are_built_when_asked_by_the_export_code(page, demo_db, monkeypatch):
    """Beside the evidence pack: the report as a workbook and as a web page, made by the same code
    as `python -m reach export`, only when a button is pressed, honouring the publication switch."""
    import openpyxl
    from streamlit.runtime.media_file_manager import MediaFileManager

    from reach.domain.suppression import STANDARD
    from reach.presentation.report_files import workbook
    from reach.presentation.report_html import html_report
    from reach.queries.report_tables import report_tables

    deferred = {}
    registered = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        deferred[file_name] = data_callable
        return registered(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    centre_id = page.selectbox(key="centre").value
    as_at = page.date_input(key="as_at").value
    labels = [b.label for b in page.get("download_button")]
    assert "Download the report (Excel)" in labels and "Download the report (web page, prints to A4)" in labels
    order = _in_order(page)
    first_header = next(i for i, (kind, _) in enumerate(order) if kind == "header")
    places = [i for i, (kind, key) in enumerate(order) if kind == "download_button"
              and key.endswith(("download_report_xlsx", "download_report_html"))]
    assert len(places) == 2 and max(places) < first_header          # at the top, beside the evidence pack
    for published, rule, suffix in ((False, None, ""), (True, STANDARD, "_publication")):
        deferred.clear()
        page.toggle(key="publishable").set_value(published).run()
        assert not page.exception
        name = f"reach_centre_{centre_id}_{as_at}{suffix}"
        # Registered, not yet built (beside the record-level files, also made only when pressed).
        assert {file for file in deferred if file.startswith("reach_centre_")} == {f"{name}.xlsx", f"{name}.html"}
        with opened(demo_db, read_only=True) as con:
            report = report_tables(con, as_at=as_at, centre_id=centre_id, rule=rule)
        text = deferred[f"{name}.html"]().decode("utf-8")
        written = text.split("<td>Written</td>")[0]                    # the rest holds the time written
        assert written == html_report(report).split("<td>Written</td>")[0]
        book = openpyxl.load_workbook(io.BytesIO(deferred[f"{name}.xlsx"]()))
        expected = openpyxl.load_workbook(io.BytesIO(workbook(report)))
        for sheet in ("Key figures", "LSOAs", "Target groups", "Trend"):
            assert list(book[sheet].values) == list(expected[sheet].values), sheet
        assert ("Prepared for publication (standard rule)" in text) is published

"""`python -m reach export`: the files read back equal the report, state the rule, and are safe
to open with hostile names in the data."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest

from cli.main import main
from data.store import opened
from reach.domain.breakdowns import lsoa_gaps
from reach.domain.measures import DEFINITIONS
from reach.domain.suppression import NHS
from reach.queries.mapdata import lsoa_names
from reach.queries.publication import published_figures
from reach.queries.report import reach_reports

AS_AT = date(2026, 9, 30)
CENTRE = "DEMO01"
HOSTILE = ['=HYPERLINK("http://example.com/x","click")', "+1+2", "-2+3", "@SUM(A1:A2)"]


def export(db, tmp_path, *args, name="out"):
    out = tmp_path / name
    status = main(["export", "--as-at", AS_AT.isoformat(), "--db", str(db), "--out", str(out), *args])
    return status, out


def sheet_frame(book, name: str) -> pd.DataFrame:
    rows = list(book[name].iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_the_workbook_read_back_equals_the_report(demo_db, tmp_path):
    status, out = export(demo_db, tmp_path, "--centre", CENTRE, "--format", "xlsx", name="r.xlsx")
    assert status == 0
    with opened(demo_db, read_only=True) as con:
        reports = reach_reports(con, as_at=AS_AT)
        names = lsoa_names(con)
        history = con.execute("SELECT file_name FROM import_log").df()
    centre = reports["centre"].set_index("centre_id").loc[CENTRE]
    authority = reports["authority"].iloc[0]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Key figures", "LSOAs", "Target groups", "Trend", "Timeliness", "Definitions",
                               "Provenance"]
    figures = sheet_frame(book, "Key figures").set_index("measure")
    for measure in ("children_under5", "known_children", "unmatched_births", "sustained_contact", "births_12m"):
        assert figures.at[measure, "centre"] == int(centre[measure])
        assert figures.at[measure, "all_centres"] == int(authority[measure])
    assert figures.at["reach_pct", "centre"] == round(centre["reach_pct"], 1)
    # numbers are numbers, with formats for reading; the header row stays in view
    keys = {row[0].value: row for row in book["Key figures"].iter_rows(min_row=2)}
    assert keys["reach_pct"][2].number_format == '0.0"%"'
    assert keys["children_under5"][2].number_format == "#,##0"
    assert all(book[name].freeze_panes == "A2" for name in book.sheetnames)

    lsoas = sheet_frame(book, "LSOAs")
    expected = lsoa_gaps(reports["lsoa"], centre_id=CENTRE, names=names)
    assert list(lsoas["lsoa_code"]) == list(expected["lsoa_code"])
    assert list(lsoas["known_children"]) == list(expected["known_children"])
    assert list(lsoas["families_to_find"]) == list(expected["families_to_find"])
    assert lsoas["reach_pct"].tolist() == pytest.approx(expected["reach_pct"].round(1).tolist())

    definitions = sheet_frame(book, "Definitions")
    assert list(definitions["term"]) == [d.name for d in DEFINITIONS.values()]
    provenance = [row for row in book["Provenance"].iter_rows(values_only=True)]
    flat = [str(v) for row in provenance for v in row if v is not None]
    assert "2026-09-30" in flat and "none (working figures)" in flat
    assert set(history["file_name"]) <= set(flat)
    trend = sheet_frame(book, "Trend")
    assert set(trend["series"]) == {centre["centre_name"], "All centres"}
    assert len(trend) == 2 * 36


def test_a_publication_under_the_nhs_rule_rounds_and_says_so(demo_db, tmp_path):
    status, out = export(demo_db, tmp_path, "--format", "csv", "--publication", "--rule", "nhs", name="p.zip")
    assert status == 0
    with zipfile.ZipFile(out) as archive:
        files = {name: pd.read_csv(io.BytesIO(archive.read(name)), dtype=str) for name in archive.namelist()}
    assert {"key_figures.csv", "centres.csv", "lsoas.csv", "target_groups.csv", "trend.csv", "timeliness.csv",
            "definitions.csv", "provenance.csv", "imports.csv"} == set(files)
    with opened(demo_db, read_only=True) as con:
        published = published_figures(con, as_at=AS_AT, rule=NHS)
    lsoas = files["lsoas.csv"]
    for column in ("children_under5", "known_children", "unmatched_births", "families_to_find"):
        for value in lsoas[column]:
            assert value == "c" or int(value) % 5 == 0, (column, value)
    assert (lsoas["unmatched_births"] == "c").sum() > 0
    assert list(lsoas["known_children"]) == [str(v) for v in published.tables["lsoa"]["known_children"]]
    provenance = dict(zip(files["provenance.csv"]["item"], files["provenance.csv"]["value"]))
    assert provenance["Disclosure rule"] == "nhs"
    assert "1 to 7" in provenance["Rule in words"] and "nearest 5" in provenance["Rule in words"]
    key = files["key_figures.csv"].set_index("measure")
    assert int(key.at["children_under5", "all_centres"]) % 5 == 0


def test_parquet_in_a_folder_holds_the_same_tables(demo_db, tmp_path):
    status, out = export(demo_db, tmp_path, "--format", "parquet", "--centre", CENTRE, "--publication",
                         name="folder")
    assert status == 0
    lsoas = pd.read_parquet(out / "lsoas.parquet")
    with opened(demo_db, read_only=True) as con:
        published = published_figures(con, as_at=AS_AT)
    mine = published.tables["lsoa"][published.tables["lsoa"]["centre_id"] == CENTRE]
    # one type per column: a withheld count is empty, and the row's `withheld` column names it
    assert str(lsoas["known_children"].dtype) == "Int64"
    shown = ["c" if pd.isna(v) else str(v) for v in lsoas["known_children"]]
    assert sorted(shown) == sorted(map(str, mine["known_children"]))
    assert [("known_children" in str(w)) for w in lsoas["withheld"]] == [v == "c" for v in shown]
    assert list(lsoas.columns[:3]) == ["authority", "authority_code", "as_at"]
    assert set(lsoas["authority"]) == {"E06999001"}
    provenance = pd.read_parquet(out / "provenance.parquet").set_index("item")["value"]
    assert provenance["Disclosure rule"] == "standard"


def test_hostile_names_never_become_formulas(demo_db, tmp_path):
    con = duckdb.connect(str(demo_db))
    for i, name in enumerate(HOSTILE, start=1):
        con.execute("UPDATE centres SET name = ? WHERE centre_id = ?", [name, f"DEMO0{i}"])
    con.close()
    status, out = export(demo_db, tmp_path, "--format", "xlsx", name="h.xlsx")
    assert status == 0
    book = openpyxl.load_workbook(out)
    texts = []
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    assert not cell.value.startswith(("=", "+", "-", "@")), (sheet.title, cell.value)
    assert "'" + HOSTILE[0] in texts
    status, out = export(demo_db, tmp_path, "--format", "csv", name="h.zip")
    with zipfile.ZipFile(out) as archive:
        centres = archive.read("centres.csv").decode("utf-8")
    for line in centres.splitlines():
        for cell in line.split(","):
            assert not cell.startswith(("=", "+", "@")), cell
    assert "'@SUM(A1:A2)" in centres


def test_faults_in_the_arguments_are_the_users(demo_db, tmp_path, capsys):
    assert export(demo_db, tmp_path, "--format", "xlsx", "--centre", "NOPE", name="x.xlsx")[0] == 2
    assert "NOPE" in capsys.readouterr().err
    assert export(demo_db, tmp_path, "--format", "xlsx", "--rule", "nhs", name="x.xlsx")[0] == 2
    assert "--publication" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def test_a_web_page_for_the_centre_that_fetches_nothing(demo_db, tmp_path, capsys):
    status, out = export(demo_db, tmp_path, "--centre", CENTRE, "--format", "html", "--publication", "--rule", "nhs",
                         name="r.html")
    assert status == 0
    assert "nhs disclosure rule" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    for fetching in ("<script", "http://", "https://", "<link", "src=", "url("):
        assert fetching not in text.lower(), fetching
    with opened(demo_db, read_only=True) as con:
        published = published_figures(con, as_at=AS_AT, rule=NHS)
    centre = published.tables["centre"].set_index("centre_id").loc[CENTRE]
    figures = {f"{int(centre[c]):,}" for c in ("children_under5", "known_children", "unmatched_births")}
    assert all(f'<td class="n">{figure}</td>' in text for figure in figures)
    assert all(int(centre[c]) % 5 == 0 for c in ("children_under5", "known_children"))
    assert "rounded to the nearest 5" in text


def test_report_publish_takes_the_nhs_rule_too(demo_db, capsys):
    assert main(["report", "--as-at", AS_AT.isoformat(), "--by", "lsoa", "--publish", "--rule", "nhs",
                 "--db", str(demo_db)]) == 0
    lsoas = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype=str)
    with opened(demo_db, read_only=True) as con:
        published = published_figures(con, as_at=AS_AT, rule=NHS)
    assert list(lsoas["known_children"]) == [str(v) for v in published.tables["lsoa"]["known_children"]]
    assert all(value == "c" or int(value) % 5 == 0 for value in lsoas["children_under5"])


def test_report_rule_without_publish_is_refused(demo_db, capsys):
    assert main(["report", "--as-at", AS_AT.isoformat(), "--rule", "nhs", "--db", str(demo_db)]) == 2
    assert "add --publish" in capsys.readouterr().err

"""The evidence pack: what it holds, and what it withholds when made for publication."""

import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from tests.reach.authorities import random_authority
from tests.reach.one_table import suppress_for_publication
from reach.domain.measures import DEFINITIONS, Bands
from reach.domain.stats import wilson_interval
from reach.domain.suppression import SuppressionRule
from reach.presentation.evidence import KEY_FIGURES, evidence_pack, key_figures, readable
from reach.presentation.safe_text import markdown_text
from reach.queries.publication import centre_tables, protect_tables

AS_AT = date(2025, 9, 30)


def report_row(**values) -> pd.Series:
    base = dict(centre_id="C1", centre_name="Riverside", children_under5=900, known_children=720, reach_pct=80.0,
                band="good", families_to_find=153, unmatched_births=3, sustained_contact=200,
                sustained_pct=200 / 9, deprived_under5=300, deprived_known=210, deprived_reach_pct=70.0,
                births_12m=180, newborns_known_12m=150, newborn_reach_pct=150 / 1.8, birth_data_lag_days=9,
                denominator_flagged=False, denominator_note=None, children_under2=360, known_under2=300,
                reach_under2_pct=300 / 3.6, families_to_find_under2=50, under2_estimated=False)
    base.update(values)
    return pd.Series(base)


def authority_row() -> pd.Series:
    return report_row(centre_id=None, centre_name="All centres", children_under5=9000, known_children=7000,
                      reach_pct=700 / 9, unmatched_births=400)


def _open(pack: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(pack))


def test_key_figures_sit_beside_the_authoritys():
    figures = key_figures(report_row(), authority_row(), interval=wilson_interval(720, 900))
    assert list(figures.columns) == ["measure", "figure", "centre", "all_centres"]
    assert len(figures) == len(KEY_FIGURES) + 2
    by_measure = figures.set_index("measure")
    assert by_measure.loc["known_children", "centre"] == 720
    assert by_measure.loc["known_children", "all_centres"] == 7000
    assert by_measure.loc["reach_lower_95_pct", "centre"] == pytest.approx(wilson_interval(720, 900).lower)
    assert list(figures["measure"][:5]) == ["children_under5", "known_children", "reach_pct",
                                           "reach_lower_95_pct", "reach_upper_95_pct"]


def test_key_figures_for_publication_keep_the_protected_figures_and_drop_a_withheld_interval():
    centre = report_row(unmatched_births="c", known_children="c", reach_pct="c")
    figures = key_figures(centre, authority_row(), interval=wilson_interval(720, 900), published=True)
    by_measure = figures.set_index("measure")
    assert by_value(by_measure, "unmatched_births") == ("c", 400)
    assert by_value(by_measure, "known_children") == ("c", 7000)
    assert "reach_lower_95_pct" not in by_measure.index     # it would give the hidden count away


def by_value(figures, measure):
    return figures.loc[measure, "centre"], figures.loc[measure, "all_centres"]


def test_readable_key_figures():
    centre = report_row(unmatched_births="c")
    shown = readable(key_figures(centre, authority_row(), interval=None, published=True)).set_index("measure")
    assert shown.loc["children_under5", "all_centres"] == "9,000"
    assert shown.loc["reach_pct", "centre"] == "80.0%"
    assert shown.loc["unmatched_births", "centre"] == "c"
    assert shown.loc["denominator_flagged", "centre"] == "no"
    assert shown.loc["band", "centre"] == "good"


def test_publishable_withholds_shares_with_their_counts_and_leaves_missing_figures_empty():
    groups = pd.DataFrame({
        "group": ["deprived", "lone_parent", "teenage_parent"],
        "children_under5": pd.array([300, pd.NA, pd.NA], dtype="Int64"),
        "known_children": [210, 40, 3],
        "reach_pct": [70.0, None, None],
        "share_of_known_pct": [29.2, 5.6, 0.4],
        "sustained_contact": [50, 12, 1],
    })
    out = suppress_for_publication(groups)
    assert list(out["known_children"]) == [210, "c", "c"]          # 3, and then the next smallest
    assert list(out["share_of_known_pct"]) == [29.2, "c", "c"]
    assert out.loc[0, "reach_pct"] == 70.0
    assert pd.isna(out.loc[1, "reach_pct"]) and pd.isna(out.loc[1, "children_under5"])   # blank, not "c"


def test_the_pack_holds_a_summary_the_key_figures_and_the_tables():
    lsoas = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "known_children": [2, 300],
                          "children_under5": [10, 400]})
    pack = evidence_pack(centre=report_row(), authority=authority_row(), interval=wilson_interval(720, 900),
                         tables={"lsoas": lsoas}, as_at=AS_AT, bands=Bands())
    with _open(pack) as archive:
        assert archive.namelist() == ["README.md", "key_figures.csv", "lsoas.csv"]
        readme = archive.read("README.md").decode("utf-8")
        table = pd.read_csv(archive.open("lsoas.csv"))
    assert readme.startswith(f"# Reach evidence: {markdown_text('Riverside (C1)')}\n\nFigures as at 30 September 2025.")
    assert "indicative band good (65% to 97%)" in readme
    assert "between 77.3% and 82.5%" in readme
    for definition in DEFINITIONS.values():
        assert f"**{definition.name}**" in readme
    assert list(table["known_children"]) == [2, 300]


def test_the_published_pack_holds_the_protected_tables_states_the_rule_and_keeps_the_shown_figures():
    reports, flags, months = random_authority(11, centres=3, most_lsoas=4, scale=6)
    figures = protect_tables(reports, flags=flags, months=months, as_at=AS_AT)
    hiding = figures.tables["lsoa"][figures.tables["lsoa"]["unmatched_births"] == "c"]["centre_id"].iloc[0]
    row = figures.tables["centre"].set_index("centre_id", drop=False).loc[hiding]
    tables = centre_tables(figures, centre_id=hiding, trend=[figures])
    pack = evidence_pack(centre=row, authority=figures.tables["authority"].iloc[0], interval=None,
                         tables=tables, as_at=AS_AT, bands=Bands(), rule=figures.rule)
    with _open(pack) as archive:
        readme = archive.read("README.md").decode("utf-8")
        lsoas = pd.read_csv(archive.open("lsoas.csv"), dtype=str, keep_default_na=False)
        months_csv = pd.read_csv(archive.open("unmatched_by_lsoa_month.csv"), dtype=str)
    assert "Prepared for publication" in readme and "## In brief" in readme
    assert figures.rule.describe() in readme
    # A sentence needing a hidden figure gives way to the figures as published; the rest are kept.
    brief = readme.split("## In brief")[1].split("## What the figures mean")[0]
    if row["known_children"] == "c":
        assert "Children under five: " in brief and "known: c" in brief
    unmatched = row["unmatched_births"]
    assert f"not yet registered): {unmatched if isinstance(unmatched, str) else f'{int(unmatched):,}'}." in brief
    expected = tables["lsoas"]["unmatched_births"].astype(str).tolist()
    assert lsoas["unmatched_births"].tolist() == expected and "c" in expected
    assert (months_csv["unmatched_births"] == "c").all()      # every count here is 1 to 6


def test_no_cell_of_the_pack_can_run_as_a_formula():
    lsoas = pd.DataFrame({"lsoa_code": ["E01000001"], "note": ['=HYPERLINK("http://evil.example","x")'],
                          "known_children": [-3]})
    pack = evidence_pack(centre=report_row(centre_name="@SUM(A1)"), authority=authority_row(), interval=None,
                         tables={"lsoas": lsoas}, as_at=AS_AT, bands=Bands())
    with _open(pack) as archive:
        table = pd.read_csv(archive.open("lsoas.csv"), dtype=str)
        readme = archive.read("README.md").decode("utf-8")
    assert table.loc[0, "note"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert table.loc[0, "known_children"] == "-3"            # a number stays a number
    assert readme.startswith("# Reach evidence: " + markdown_text("@SUM(A1) (C1)"))


def test_every_csv_in_the_pack_is_rounded_as_the_page_shows_it():
    lsoas = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "reach_pct": [61.55157715260017, "c"],
                          "families_to_find": [12.0, 3.0], "idaci_decile": [2.0, None]})
    pack = evidence_pack(centre=report_row(reach_pct=61.55157715260017), authority=authority_row(),
                         interval=wilson_interval(720, 900), tables={"lsoas": lsoas}, as_at=AS_AT, bands=Bands())
    with _open(pack) as archive:
        figures = archive.read("key_figures.csv").decode("utf-8")
        table = archive.read("lsoas.csv").decode("utf-8")
    assert "61.55157715260017" not in figures + table
    assert "reach_pct,Reach (%),61.6,77.8" in figures
    assert "reach_lower_95_pct,Reach: 95% interval from (%),77.3," in figures
    assert "sustained_pct,Sustained contact (%),22.2,22.2" in figures
    assert "known_children,Known children,720,7000" in figures
    assert table.splitlines() == ["lsoa_code,reach_pct,families_to_find,idaci_decile",
                                  "E01000001,61.6,12,2", "E01000002,c,3,"]


def test_a_published_pack_with_nothing_hidden_keeps_the_whole_summary():
    centre = report_row().astype(object)
    pack = evidence_pack(centre=centre, authority=authority_row(), interval=wilson_interval(720, 900),
                         tables={}, as_at=AS_AT, bands=Bands(), rule=SuppressionRule())
    with _open(pack) as archive:
        readme = archive.read("README.md").decode("utf-8")
    assert "Prepared for publication" in readme
    assert ("- Of the 900 children under five in the centre's reach area, 720 are known: a reach of 80.0%, "
            "indicative band good (65% to 97%). To know 97% of them, 153 more families need to be found.") in readme
    assert "between 77.3% and 82.5%" in readme
    assert "- Unmatched births (children passed on by health, not yet registered): 3." in readme


def test_the_pack_says_why_the_lsoas_add_up_to_more_than_the_centre():
    lsoas = pd.DataFrame({"lsoa_code": ["E1", "E2"], "families_to_find": [100, 60]})
    pack = evidence_pack(centre=report_row(), authority=authority_row(), interval=None, tables={"lsoas": lsoas},
                         as_at=AS_AT, bands=Bands())
    with _open(pack) as archive:
        readme = archive.read("README.md").decode("utf-8")
    assert ("counted LSOA by LSOA (lsoas.csv), the areas behind the target need 160 families to find, 7 more "
            "than the centre's 153") in readme

"""The evidence pack: what it holds, and what it withholds when made for publication."""

import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from reach.evidence import KEY_FIGURES, evidence_pack, key_figures, readable
from reach.suppression import suppress_for_publication
from reach.measures import DEFINITIONS, Bands
from reach.stats import wilson_interval

AS_AT = date(2025, 9, 30)


def report_row(**values) -> pd.Series:
    base = dict(centre_id="C1", centre_name="Riverside", children_under5=900, known_children=720, reach_pct=80.0,
                band="good", families_to_find=153, unmatched_births=3, sustained_contact=200,
                sustained_pct=200 / 9, deprived_under5=300, deprived_known=210, deprived_reach_pct=70.0,
                births_12m=180, newborns_known_12m=150, newborn_reach_pct=150 / 1.8, birth_data_lag_days=9,
                denominator_flagged=False, denominator_note=None)
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


def test_key_figures_for_publication_hide_small_counts():
    figures = key_figures(report_row(), authority_row(), interval=None, published=True).set_index("measure")
    assert by_value(figures, "unmatched_births") == ("c", 400)
    assert by_value(figures, "known_children") == (720, 7000)


def by_value(figures, measure):
    return figures.loc[measure, "centre"], figures.loc[measure, "all_centres"]


def test_readable_key_figures():
    shown = readable(key_figures(report_row(), authority_row(), interval=None, published=True)).set_index("measure")
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
    assert readme.startswith("# Reach evidence: Riverside (C1)\n\nFigures as at 30 September 2025.")
    assert "indicative band good (65% to 97%)" in readme
    assert "between 77.3% and 82.5%" in readme
    for definition in DEFINITIONS.values():
        assert f"**{definition.name}**" in readme
    assert list(table["known_children"]) == [2, 300]


def test_the_published_pack_suppresses_every_table_and_the_narrative():
    lsoas = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002", "E01000003"], "known_children": [2, 30, 300],
                          "children_under5": [10, 40, 400], "reach_pct": [20.0, 75.0, 75.0]})
    pack = evidence_pack(centre=report_row(), authority=authority_row(), interval=None,
                         tables={"lsoas": lsoas}, as_at=AS_AT, bands=Bands(), published=True)
    with _open(pack) as archive:
        readme = archive.read("README.md").decode("utf-8")
        table = pd.read_csv(archive.open("lsoas.csv"), dtype=str)
        figures = pd.read_csv(archive.open("key_figures.csv"), dtype=str).set_index("measure")
    assert "Prepared for publication" in readme and "## In brief" not in readme
    assert list(table["known_children"]) == ["c", "c", "300"]
    assert list(table["reach_pct"]) == ["c", "c", "75.0"]
    assert figures.loc["unmatched_births", "centre"] == "c"

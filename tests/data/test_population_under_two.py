"""The population import fills the children aged 0 and 1 (`children_0_1`) from every layout that
gives single years of age, leaves it unknown where a layout gives only the under-fives, and places
it from 2011 on 2021 LSOAs as it does the under-fives."""

from __future__ import annotations

from data.importers import import_file
from tests.data.files import import_lines, reasons, rows


def _estimates(db) -> dict[tuple[str, str], tuple[int, int | None]]:
    found = rows(db, "SELECT lsoa_code, CAST(period AS VARCHAR), children_0_4, children_0_1 FROM population")
    return {(code, period): (under5, under2) for code, period, under5, under2 in found}


def test_the_long_form_takes_an_optional_children_0_1_blank_meaning_not_known(tmp_path, db):
    summary = import_lines("population", tmp_path, "long.csv", [
        "lsoa_code,children_0_4,children_0_1,period",
        "E01006074,100,41,2024-06-30",
        "E01006075,90,,2024-06-30",           # not known
        "E01006076,50,51,2024-06-30",         # more under-twos than under-fives: set aside
        "E01006077,60,x,2024-06-30",          # not a number: set aside
    ], db=db)
    assert _estimates(db) == {("E01006074", "2024-06-30"): (100, 41), ("E01006075", "2024-06-30"): (90, None)}
    assert summary.rows_quarantined == 2
    why = dict(reasons(db, "population"))
    assert "children_0_1 is more than children_0_4" in why[3]
    assert 'children_0_1 "x" is not a whole number' in why[4]


def test_the_long_form_without_the_column_leaves_it_unknown(tmp_path, db):
    import_lines("population", tmp_path, "long.csv", ["lsoa_code,children_0_4,period", "E01006074,100,2024"], db=db)
    assert _estimates(db) == {("E01006074", "2024-06-30"): (100, None)}


def test_the_ons_layout_since_2021_sums_f0_f1_m0_m1(tmp_path, db):
    header = "LSOA 2021 Code,LSOA 2021 Name,Total," + ",".join(f"F{a}" for a in range(6)) + "," + \
             ",".join(f"M{a}" for a in range(6))
    import_lines("population", tmp_path, "sape_lsoa_mid_2023.csv", [
        header,
        "E01006074,Trafford 025A,1500,10,11,12,13,14,99,20,21,22,23,24,99",
    ], db=db)
    # 0-4: 10+11+12+13+14 + 20+21+22+23+24 = 170; 0-1: 10+11+20+21 = 62.
    assert _estimates(db) == {("E01006074", "2023-06-30"): (170, 62)}


def test_the_ons_mid_year_layout_uses_persons_rows_else_males_and_females(tmp_path, db):
    import_lines("population", tmp_path, "mid-2020.csv", [
        "area_code,sex,All Ages,0,1,2,3,4,5,period",
        "E01006074,Persons,1000,20,21,22,23,24,25,2020-06-30",
        "E01006074,Males,500,10,10,11,11,12,12,2020-06-30",       # not needed: Persons is there
        "E01006074,Females,500,10,11,11,12,12,13,2020-06-30",
        "E01006075,Males,500,5,6,7,8,9,10,2020-06-30",            # no Persons row: Males + Females
        "E01006075,Females,500,4,3,2,1,0,9,2020-06-30",
    ], db=db)
    assert _estimates(db) == {("E01006074", "2020-06-30"): (110, 41),
                              ("E01006075", "2020-06-30"): (45, 18)}


def test_nomis_single_years_give_the_under_twos_and_the_five_year_band_does_not(tmp_path, db):
    bands = tmp_path / "census2021-ts007a-lsoa.csv"
    bands.write_text('date,geography,geography code,"Age: Total","Age: Aged 4 years and under",'
                     '"Age: Aged 5 to 9 years"\n2021,Trafford 025A,E01006074,1600,74,79\n')
    summary = import_file("population", bands, db=db)
    assert "estimated as two fifths" in summary.message
    single = tmp_path / "census2021-ts007-lsoa.csv"
    single.write_text('date,geography,geography code,"Age: Total","Age: Aged under 1 year","Age: Aged 1 year",'
                      '"Age: Aged 2 years","Age: Aged 3 years","Age: Aged 4 years","Age: Aged 5 years"\n'
                      "2021,Trafford 025B,E01006075,1500,10,11,12,13,14,15\n")
    import_file("population", single, db=db)
    assert _estimates(db) == {("E01006074", "2021-06-30"): (74, None), ("E01006075", "2021-06-30"): (60, 21)}


def test_a_band_file_for_the_same_date_keeps_the_under_twos_while_the_under_fives_are_the_same(tmp_path, db):
    import_lines("population", tmp_path, "long.csv", ["lsoa_code,children_0_4,children_0_1,period",
                                                      "E01006074,74,30,2021", "E01006075,60,21,2021"], db=db)
    bands = tmp_path / "census2021-ts007a-lsoa.csv"
    bands.write_text('date,geography,geography code,"Age: Aged 4 years and under"\n'
                     "2021,Trafford 025A,E01006074,74\n2021,Trafford 025B,E01006075,61\n")
    import_file("population", bands, db=db)
    # The same under-fives: the under-twos stay; a revised figure is another estimate's: unknown.
    assert _estimates(db) == {("E01006074", "2021-06-30"): (74, 30), ("E01006075", "2021-06-30"): (61, None)}


def test_estimates_on_2011_lsoas_place_the_under_twos_as_the_under_fives(tmp_path, db):
    lookup = tmp_path / "LSOA11_LSOA21_EW_LU.csv"
    # E01006074 unchanged, E01006075 split into two, E01006076 and E01006077 merged into one.
    lookup.write_text("LSOA11CD,LSOA21CD\nE01006074,E01006074\nE01006075,E01034001\nE01006075,E01034002\n"
                      "E01006076,E01034003\nE01006077,E01034003\n")
    import_file("lsoa-lookup", lookup, db=db)
    import_lines("population", tmp_path, "mid_2020.csv", [
        "lsoa_code,children_0_4,children_0_1,period",
        "E01006074,80,33,2020", "E01006075,101,41,2020", "E01006076,30,12,2020", "E01006077,25,9,2020",
    ], db=db)
    assert _estimates(db) == {
        ("E01006074", "2020-06-30"): (80, 33),
        ("E01034001", "2020-06-30"): (51, 21),    # 101 and 41 shared equally, the odd one to the first part
        ("E01034002", "2020-06-30"): (50, 20),
        ("E01034003", "2020-06-30"): (55, 21),    # merged: summed
    }


def test_a_merge_with_a_parent_of_unknown_under_twos_is_unknown(tmp_path, db):
    lookup = tmp_path / "LSOA11_LSOA21_EW_LU.csv"
    lookup.write_text("LSOA11CD,LSOA21CD\nE01006076,E01034003\nE01006077,E01034003\n")
    import_file("lsoa-lookup", lookup, db=db)
    import_lines("population", tmp_path, "mid_2020.csv", [
        "lsoa_code,children_0_4,children_0_1,period", "E01006076,30,12,2020", "E01006077,25,,2020",
    ], db=db)
    assert _estimates(db) == {("E01034003", "2020-06-30"): (55, None)}

"""Official files as published: the header found below title rows and on the data sheet of a
workbook, long headers recognised by their meaning, IDACI deciles worked out from national ranks,
and council postcode lookups with their own spellings. Each layout is built here in code, from
the publishers' documentation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from data.importers import FileFault, import_file
from data.store import opened

PROJECT = Path(__file__).resolve().parents[2]

# The IoD2019 column headings, as MHCLG publishes them (File 3 and File 7).
LSOA_2011 = "LSOA code (2011)"
LSOA_NAME_2011 = "LSOA name (2011)"
LAD_2019 = "Local Authority District code (2019)"
LAD_NAME_2019 = "Local Authority District name (2019)"
IDACI_SCORE = "Income Deprivation Affecting Children Index (IDACI) Score (rate)"
IDACI_RANK = "Income Deprivation Affecting Children Index (IDACI) Rank (where 1 is most deprived)"
IDACI_DECILE = "Income Deprivation Affecting Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)"
IMD_RANK = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
IMD_DECILE = "Index of Multiple Deprivation (IMD) Decile (where 1 is most deprived 10% of LSOAs)"


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def _deciles(db: Path) -> dict[str, int]:
    with opened(db, read_only=True) as con:
        return dict(con.execute("SELECT lsoa_code, idaci_decile FROM deprivation").fetchall())


FILE_3_ROWS = [
    [LSOA_2011, LSOA_NAME_2011, LAD_2019, LAD_NAME_2019, IDACI_SCORE, IDACI_RANK, IDACI_DECILE],
    ["E01006074", "Trafford 025A", "E08000009", "Trafford", 0.139, 15114, 5],
    ["E01006075", "Trafford 025B", "E08000009", "Trafford", 0.046, 27121, 9],
]
NOTES = [["English Indices of Deprivation 2019"], ["File 3: supplementary indices"], [],
         ["Note: the IDACI is a subset of the Income Deprivation Domain."]]


def test_the_iod_file_3_workbook_is_read_from_its_data_sheet_past_the_notes(tmp_path, db):
    path = _workbook(tmp_path / "File_3_IoD2019_IDACI.xlsx",
                     {"Notes": NOTES, "IoD2019 IDACI & IDAOPI": FILE_3_ROWS})
    summary = import_file("deprivation", path, db=db)
    assert summary.rows_loaded == 2
    assert _deciles(db) == {"E01006074": 5, "E01006075": 9}
    assert 'Read the sheet "IoD2019 IDACI & IDAOPI", with its header on row 1' in summary.message


def test_title_rows_above_the_header_are_skipped_and_rows_counted_from_the_header(tmp_path, db):
    rows = [["Income Deprivation Affecting Children Index, 2019"], ["Source: MHCLG"], [], *FILE_3_ROWS,
            ["E0100607X", "Broken", "E08000009", "Trafford", 0.1, 100, 1]]
    path = _workbook(tmp_path / "idaci.xlsx", {"Data": rows})
    summary = import_file("deprivation", path, db=db)
    assert summary.rows_loaded == 2 and summary.rows_quarantined == 1
    assert "header on row 4 (3 title rows above it skipped)" in summary.message
    with opened(db, read_only=True) as con:
        # The faulty row is the sheet's row 7: the third row after the header.
        assert con.execute("SELECT row_number FROM quarantine").fetchall() == [(3,)]


def test_a_csv_with_title_rows_finds_its_header(tmp_path, db):
    path = tmp_path / "idaci.csv"
    path.write_text('"IDACI 2019, Trafford"\n\n' + f'"{LSOA_2011}","{IDACI_DECILE}"\nE01006074,5\n')
    summary = import_file("deprivation", path, db=db)
    assert _deciles(db) == {"E01006074": 5}
    assert "Read the file, with its header on row 3 (2 title rows above it skipped)" in summary.message


def test_the_file_7_csv_takes_the_idaci_decile_not_the_imd_one(tmp_path, db):
    header = [LSOA_2011, LSOA_NAME_2011, IMD_RANK, IMD_DECILE, IDACI_SCORE, IDACI_RANK, IDACI_DECILE]
    path = tmp_path / "File_7_IoD2019.csv"
    path.write_text(",".join(f'"{h}"' for h in header) + "\nE01006074,Trafford 025A,14785,5,0.139,15114,4\n")
    import_file("deprivation", path, db=db)
    assert _deciles(db) == {"E01006074": 4}


@pytest.mark.parametrize(("code_heading", "rank", "decile"), [
    # IoD2019 ranks 32,844 LSOAs of 2011: decile 1 holds ranks 1 to 3,284.
    (LSOA_2011, 3284, 1), (LSOA_2011, 3285, 2), (LSOA_2011, 32844, 10),
    # IoD2025 ranks 33,755 LSOAs of 2021: decile 1 holds ranks 1 to 3,375.
    ("LSOA code (2021)", 3375, 1), ("LSOA code (2021)", 3376, 2), ("LSOA code (2021)", 33755, 10),
])
def test_a_decile_is_worked_out_from_the_national_rank_where_only_ranks_are_given(tmp_path, db, code_heading,
                                                                                   rank, decile):
    path = tmp_path / "ranks.csv"
    path.write_text(f'"{code_heading}","{IDACI_RANK}"\nE01006074,{rank}\n')
    summary = import_file("deprivation", path, db=db)
    assert _deciles(db) == {"E01006074": decile}
    assert "worked out from the national rank" in summary.message


def test_a_rank_beyond_the_number_of_lsoas_is_quarantined(tmp_path, db):
    path = tmp_path / "ranks.csv"
    path.write_text(f'"{LSOA_2011}","{IDACI_RANK}"\nE01006074,40000\nE01006075,12\n')
    summary = import_file("deprivation", path, db=db)
    assert summary.rows_loaded == 1 and summary.rows_quarantined == 1
    with opened(db, read_only=True) as con:
        reason = con.execute("SELECT reason FROM quarantine").fetchall()[0][0]
    assert "is not a rank from 1 to 32,844" in reason


def test_file_1_with_the_imd_only_is_refused_naming_the_sheets_searched(tmp_path, db):
    path = _workbook(tmp_path / "File_1_IoD2019_IMD.xlsx", {
        "Notes": NOTES,
        "IMD2019": [[LSOA_2011, LSOA_NAME_2011, IMD_RANK, IMD_DECILE], ["E01006074", "x", 14785, 5]],
    })
    with pytest.raises(FileFault) as caught:
        import_file("deprivation", path, db=db)
    message = str(caught.value)
    assert "idaci_decile" in message and "every sheet" in message
    assert not db.exists()


def test_a_workbook_with_a_sheet_per_year_asks_which_sheet(tmp_path, db):
    path = _workbook(tmp_path / "idaci_by_year.xlsx", {"2015": FILE_3_ROWS, "2019": FILE_3_ROWS})
    with pytest.raises(FileFault, match=r'2 sheets hold the columns needed \("2015", "2019"\).*--sheet'):
        import_file("deprivation", path, db=db)
    summary = import_file("deprivation", path, db=db, sheet="2019")
    assert summary.rows_loaded == 2
    assert 'Read the sheet "2019"' in summary.message


def test_a_sheet_that_does_not_exist_is_refused_with_the_sheets_there_are(tmp_path, db):
    path = _workbook(tmp_path / "idaci.xlsx", {"Notes": NOTES, "Data": FILE_3_ROWS})
    with pytest.raises(FileFault, match=r'no sheet "2020"; expected one of its sheets: "Notes", "Data"'):
        import_file("deprivation", path, db=db, sheet="2020")
    assert not db.exists()


def test_a_sheet_named_for_a_csv_is_refused(tmp_path, db):
    path = tmp_path / "idaci.csv"
    path.write_text(f'"{LSOA_2011}","{IDACI_DECILE}"\nE01006074,5\n')
    with pytest.raises(FileFault, match="the file is CSV, which has no sheets"):
        import_file("deprivation", path, db=db, sheet="Data")


def test_a_council_postcode_lookup_with_its_own_spellings_loads(tmp_path, db):
    path = tmp_path / "council_postcodes.csv"
    path.write_text("Postcode7,Postcode8,PostcodeNatural,LSOA11CD,TerminationDate\n"
                    "M32 9AN,M32  9AN,M32 9AN,E01006074,\n"
                    "M329AP,M32  9AP,M32 9AP,E01006075,200903.0\n")
    summary = import_file("postcodes", path, db=db)
    # Terminated postcodes are kept: older records still carry them.
    assert summary.rows_loaded == 2
    with opened(db, read_only=True) as con:
        rows = con.execute("SELECT postcode, lsoa_code FROM postcodes ORDER BY postcode").fetchall()
    assert rows == [("M329AN", "E01006074"), ("M329AP", "E01006075")]


def test_the_command_line_takes_a_sheet(tmp_path):
    db = tmp_path / "store.duckdb"
    path = _workbook(tmp_path / "idaci_by_year.xlsx", {"2015": FILE_3_ROWS, "2019": FILE_3_ROWS})
    run = subprocess.run([sys.executable, "-m", "reach", "import", "deprivation", str(path), "--sheet", "2019",
                          "--db", str(db)], cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert 'Read the sheet "2019"' in " ".join(run.stderr.split())    # the notes; stdout is the one line


# --- ONS small area population estimates -------------------------------------------------------

def _population(db: Path) -> dict[tuple[str, str], int]:
    with opened(db, read_only=True) as con:
        rows = con.execute("SELECT lsoa_code, period::VARCHAR, children_0_4 FROM population").fetchall()
    return {(code, period): children for code, period, children in rows}


def _sape_rows() -> list[list]:
    """The layout ONS publishes since mid-2021: a column per sex and single year of age."""
    header = ["LAD 2021 Code", "LAD 2021 Name", "LSOA 2021 Code", "LSOA 2021 Name", "Total",
              *(f"F{age}" for age in range(91)), *(f"M{age}" for age in range(91))]
    first = ["E08000009", "Trafford", "E01006074", "Trafford 025A", 1634,
             *([1, 2, 3, 4, 5] + [9] * 86), *([10, 20, 30, 40, 50] + [9] * 86)]
    return [header, first]


def test_the_sape_workbook_by_sex_and_age_takes_its_date_from_the_sheet(tmp_path, db):
    notes = [["Lower layer Super Output Area population estimates"], ["Contents"]]
    path = _workbook(tmp_path / "sapelsoasyoa20192022.xlsx",
                     {"Cover sheet": notes, "Contents": notes, "Mid-2022 LSOA 2021": _sape_rows()})
    summary = import_file("population", path, db=db)
    # F0..F4 and M0..M4: 15 + 150 children aged 0 to 4, dated 30 June 2022 by the sheet's name.
    assert _population(db) == {("E01006074", "2022-06-30"): 165}
    assert "dated 30 June 2022, the mid-year the sheet's name gives" in summary.message


def test_the_sape_csv_takes_its_date_from_the_file_name(tmp_path, db):
    path = tmp_path / "sape_lsoa_mid_2023.csv"
    path.write_text("\n".join(",".join(str(value) for value in row) for row in _sape_rows()) + "\n")
    import_file("population", path, db=db)
    assert _population(db) == {("E01006074", "2023-06-30"): 165}


def test_estimates_without_a_date_anywhere_are_refused(tmp_path, db):
    path = tmp_path / "small_area_estimates.csv"
    path.write_text("\n".join(",".join(str(value) for value in row) for row in _sape_rows()) + "\n")
    with pytest.raises(FileFault, match="does not say which year its estimates are for") as caught:
        import_file("population", path, db=db)
    assert caught.value.column == "period"


def test_the_older_ons_workbook_reads_its_persons_sheet_below_the_title_rows(tmp_path, db):
    def sheet(total: int) -> list[list]:
        return [["Mid-2020 Population Estimates for Lower Layer Super Output Areas in England and Wales"],
                ["National Statistics"], [],
                ["LSOA Code", "LSOA Name", "LA Code (2018 boundaries)", "LA name (2018 boundaries)",
                 "All Ages", *(str(age) for age in range(90)), "90+"],
                ["E01006074", "Trafford 025A", "E08000009", "Trafford", 1600, *([total] * 5), *([9] * 86)]]

    path = _workbook(tmp_path / "SAPE23DT2-mid-2020-lsoa.xlsx", {
        "Contents": [["Contents"]], "Mid-2020 Persons": sheet(10), "Mid-2020 Males": sheet(5),
        "Mid-2020 Females": sheet(5)})
    summary = import_file("population", path, db=db)
    assert _population(db) == {("E01006074", "2020-06-30"): 50}
    assert 'Read the sheet "Mid-2020 Persons", with its header on row 4' in summary.message
    assert '"Mid-2020 Males", "Mid-2020 Females" were left aside' in summary.message


def _lookup(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "LSOA11_LSOA21_EW_LU.csv"
    # E01006074 unchanged, E01006075 split into two, E01006076 and E01006077 merged into one.
    path.write_text("LSOA11CD,LSOA21CD\nE01006074,E01006074\nE01006075,E01034001\nE01006075,E01034002\n"
                    "E01006076,E01034003\nE01006077,E01034003\n")
    import_file("lsoa-lookup", path, db=db)


def test_a_council_lookup_on_2011_lsoas_is_placed_on_2021_lsoas_and_splits_are_listed(tmp_path, db):
    _lookup(tmp_path, db)
    path = tmp_path / "council_postcodes.csv"
    path.write_text("PostcodeNatural,LSOA11CD\nM32 9AN,E01006074\nM32 9AP,E01006075\nM32 9AQ,E01006076\n")
    summary = import_file("postcodes", path, db=db)
    with opened(db, read_only=True) as con:
        placed = con.execute("SELECT postcode, lsoa_code FROM postcodes ORDER BY postcode").fetchall()
        reasons = con.execute("SELECT reason FROM quarantine WHERE kind = 'postcodes'").fetchall()
    assert placed == [("M329AN", "E01006074"), ("M329AQ", "E01034003")]
    assert len(reasons) == 1 and "the 2011 LSOA E01006075 was split into 2 LSOAs in 2021" in reasons[0][0]
    assert "1 postcode moved to the 2021 LSOA that replaced theirs" in summary.message


def test_a_lookup_on_2011_lsoas_without_the_ons_lookup_says_how_to_place_them(tmp_path, db):
    path = tmp_path / "council_postcodes.csv"
    path.write_text("Post Code,LSOA11CD\nM32 9AP,E01006075\n")
    summary = import_file("postcodes", path, db=db)
    assert summary.rows_loaded == 1
    assert "load the ONS lookup (kind lsoa-lookup) and import this file again" in summary.message


# --- inspect: what importing would do, writing nothing ------------------------------------------

def test_inspect_recognises_the_kind_and_writes_nothing(tmp_path):
    from data.importers.inspecting import inspect_file

    db = tmp_path / "not_yet.duckdb"
    path = _workbook(tmp_path / "File_3_IoD2019_IDACI.xlsx", {
        "Notes": NOTES,
        "IoD2019 IDACI & IDAOPI": [*FILE_3_ROWS, ["E0100607", "Broken", "E08000009", "Trafford", 0.1, 100, 11]]})
    inspection = inspect_file(path, db=db)
    assert inspection.kind == "deprivation"
    assert inspection.summary.rows_loaded == 2 and inspection.summary.rows_quarantined == 1
    # The decile is read as given; the rank beside it is not needed.
    assert dict(inspection.summary.columns) == {"lsoa_code": LSOA_2011, "idaci_decile": IDACI_DECILE}
    reason, rows, first = inspection.summary.faults[0]
    assert (rows, first) == (1, 3) and "is not an LSOA code" in reason
    assert inspection.command() == "python -m reach import deprivation File_3_IoD2019_IDACI.xlsx"
    assert not db.exists()


def test_inspect_leaves_an_existing_store_as_it_was(tmp_path, db):
    from data.importers.inspecting import inspect_file

    path = tmp_path / "idaci.csv"
    path.write_text(f'"{LSOA_2011}","{IDACI_DECILE}"\nE01006074,5\n')
    import_file("deprivation", _workbook(tmp_path / "other.xlsx", {"Data": FILE_3_ROWS}), db=db)
    before = _deciles(db)
    inspection = inspect_file(path, db=db)
    assert (inspection.summary.rows_loaded, inspection.summary.rows_already_present) == (0, 1)
    assert _deciles(db) == before
    with opened(db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM import_log").fetchall()[0][0] == 1


def test_a_registrations_export_is_told_apart_from_a_births_extract(tmp_path):
    from data.importers.inspecting import likely_kinds

    path = tmp_path / "export.csv"
    path.write_text("child_key,dob,lsoa_code,centre_id,registered_on\nK1,2024-01-01,E01006074,C1,2024-02-01\n")
    kinds = likely_kinds(path)
    assert kinds[0] == "registrations" and "births" in kinds


def test_the_inspect_command_prints_the_import_command(tmp_path):
    path = tmp_path / "council_postcodes.csv"
    path.write_text("Postcode7,PostcodeNatural,LSOA21CD\nM32 9AN,M32 9AN,E01006074\n")
    run = subprocess.run([sys.executable, "-m", "reach", "inspect", str(path), "--db", str(tmp_path / "s.duckdb")],
                         cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "looks like postcodes" in run.stdout
    assert f"To import it: python -m reach import postcodes {path.name}" in run.stdout
    assert not (tmp_path / "s.duckdb").exists()


def test_inspect_says_when_a_file_fits_no_kind(tmp_path):
    path = tmp_path / "minutes.csv"
    path.write_text("meeting,date\nboard,2026-01-01\n")
    run = subprocess.run([sys.executable, "-m", "reach", "inspect", str(path), "--db", str(tmp_path / "s.duckdb")],
                         cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "holds the columns of no kind of file Reach imports" in run.stderr


def test_estimates_on_2011_lsoas_are_placed_on_2021_lsoas(tmp_path, db):
    path = tmp_path / "LSOA11_LSOA21_EW_LU.csv"
    # E01006074 unchanged; E01006075 split in three; E01006076 and E01006077 merged into one.
    path.write_text("LSOA11CD,LSOA21CD\nE01006074,E01006074\nE01006075,E01034001\nE01006075,E01034002\n"
                    "E01006075,E01034004\nE01006076,E01034003\nE01006077,E01034003\n")
    import_file("lsoa-lookup", path, db=db)
    estimates = tmp_path / "population_mid_2020.csv"
    estimates.write_text("lsoa_code,children_0_4,period\nE01006074,80,2020-06-30\nE01006075,100,2020-06-30\n"
                         "E01006076,30,2020-06-30\nE01006077,45,2020-06-30\n")
    summary = import_file("population", estimates, db=db)
    assert _population(db) == {("E01006074", "2020-06-30"): 80, ("E01034001", "2020-06-30"): 34,
                               ("E01034002", "2020-06-30"): 33, ("E01034004", "2020-06-30"): 33,
                               ("E01034003", "2020-06-30"): 75}
    assert "placed on the 2021 LSOAs through the ONS lookup" in summary.message
    assert "where a 2011 LSOA was split in 2021 (1 here) its children are shared equally" in summary.message


def test_file_5_scores_for_all_of_england_give_deciles_by_their_rank(tmp_path, db):
    # 32,844 LSOAs of 2011, scored from most deprived (highest) to least.
    lines = [f'"{LSOA_2011}","{IDACI_SCORE}"']
    lines += [f"E01{number:06d},{1 - number / 100_000:.5f}" for number in range(1, 32_845)]
    path = tmp_path / "File_5_IoD2019_Scores.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = import_file("deprivation", path, db=db)
    deciles = _deciles(db)
    assert (deciles["E01000001"], deciles["E01003284"], deciles["E01003285"], deciles["E01032844"]) == (1, 1, 2, 10)
    assert "IDACI scores (ranked here, the highest first), not deciles" in summary.message


def test_scores_for_part_of_england_are_refused_pointing_to_the_files_with_deciles(tmp_path, db):
    path = tmp_path / "scores_trafford.csv"
    path.write_text(f'"{LSOA_2011}","{IDACI_SCORE}"\nE01006074,0.139\n')
    with pytest.raises(FileFault, match="scores for 1 LSOA, but deciles can be worked out from scores only "
                                        "across all 32,844 LSOAs of England; expected IDACI deciles or ranks "
                                        r"\(File 3 or File 7"):
        import_file("deprivation", path, db=db)
    assert not db.exists() or not _deciles(db)


def test_nomis_census_tables_by_five_year_band_and_by_single_year(tmp_path, db):
    bands = tmp_path / "census2021-ts007a-lsoa.csv"
    bands.write_text('date,geography,geography code,"Age: Total","Age: Aged 4 years and under",'
                     '"Age: Aged 5 to 9 years"\n2021,Trafford 025A,E01006074,1600,74,79\n')
    import_file("population", bands, db=db)
    single = tmp_path / "census2021-ts007-lsoa.csv"
    single.write_text('date,geography,geography code,"Age: Total","Age: Aged under 1 year","Age: Aged 1 year",'
                      '"Age: Aged 2 years","Age: Aged 3 years","Age: Aged 4 years","Age: Aged 5 years"\n'
                      "2021,Trafford 025B,E01006075,1500,10,11,12,13,14,15\n")
    import_file("population", single, db=db)
    assert _population(db) == {("E01006074", "2021-06-30"): 74, ("E01006075", "2021-06-30"): 60}


def test_inspect_never_sends_the_terminal_an_escape_sequence_from_the_file(tmp_path):
    # The reason a row is set aside quotes (masked) what the row holds: here an escape sequence.
    path = tmp_path / "postcodes.csv"
    path.write_text('Postcode7,LSOA21CD\nM32 9AN,"E01\x1b[2Jx"\n')
    run = subprocess.run([sys.executable, "-m", "reach", "inspect", str(path), "--kind", "postcodes",
                          "--db", str(tmp_path / "s.duckdb")], cwd=PROJECT, capture_output=True, text=True,
                         timeout=120)
    assert "\x1b" not in run.stdout + run.stderr
    assert "\\x1b" in run.stdout + run.stderr

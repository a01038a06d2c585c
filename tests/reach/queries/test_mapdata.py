"""What the map draws: shapes from the store (`reach.queries.mapdata`), reach-area outlines, the gap
ranking (`reach.domain.breakdowns`), its summary and the maps (`reach.presentation.maps`)."""

from datetime import date

import pandas as pd
import pytest
import shapely

from reach.domain.breakdowns import gap_ranking
from reach.presentation.maps import MAP_MEASURES, gap_summary, lsoa_map, reach_area_map
from reach.queries import mapdata
from reach.queries.mapdata import (boundary_coverage, centre_points, display_lsoas, display_reach_areas, lsoa_names,
                                   reach_area_lsoas, shows_reach_areas_only)
from reach.queries.report import reach_report
from tests.reach.rows import insert_rows as _insert

A1, A2, B1, B2, ELSEWHERE = "E01000001", "E01000002", "E01000003", "E01000004", "E01000009"
AS_AT = date(2025, 9, 15)
WEST, SOUTH, STEP = -2.30, 53.40, 0.01


def _square(column: int, row: int) -> shapely.Polygon:
    x, y = WEST + column * STEP, SOUTH + row * STEP
    return shapely.box(x, y, x + STEP, y + STEP)


@pytest.fixture
def con(empty_con):
    """Four LSOAs in a 2 x 2 grid: A1, A2 (Riverside, the south row) and B1, B2 (Hilltop, the
    north row). B2 has no boundary; ELSEWHERE has one but is in no reach area."""
    con = empty_con
    _insert(con, "centres", [dict(centre_id="C1", name="Riverside", lon=-2.295, lat=53.405),
                             dict(centre_id="C2", name="Hilltop", lon=None, lat=None)])
    _insert(con, "reach_areas", [dict(lsoa_code=A1, centre_id="C1"), dict(lsoa_code=A2, centre_id="C1"),
                                 dict(lsoa_code=B1, centre_id="C2"), dict(lsoa_code=B2, centre_id="C2")])
    _insert(con, "lsoas", [
        dict(lsoa_code=A1, lsoa_name="Alpha 001A", geometry=shapely.to_wkb(_square(0, 0))),
        dict(lsoa_code=A2, lsoa_name="Alpha 001B", geometry=shapely.to_wkb(_square(1, 0))),
        dict(lsoa_code=B1, lsoa_name="Beta 002A", geometry=shapely.to_wkb(_square(0, 1))),
        dict(lsoa_code=ELSEWHERE, lsoa_name="Far 009A", geometry=shapely.to_wkb(_square(5, 5))),
    ])
    # Under-fives and known children per LSOA, so families to find are 87, 9, 0 and 59.
    population = {A1: (100, 10), A2: (50, 40), B1: (20, 20), B2: (60, 0)}
    centre_of = {A1: "C1", A2: "C1", B1: "C2", B2: "C2"}
    _insert(con, "population", [dict(lsoa_code=code, period=date(2025, 6, 30), children_0_4=under5)
                                for code, (under5, _) in population.items()])
    _insert(con, "deprivation", [dict(lsoa_code=A1, edition=2019, idaci_decile=2),
                                 dict(lsoa_code=A2, edition=2019, idaci_decile=7)])
    registrations = [
        dict(child_key=f"{code}-{n}", dob=date(2023, 1, 1), lsoa_code=code, centre_id=centre_of[code],
             registered_on=date(2024, 1, 1))
        for code, (_, known) in population.items() for n in range(known)
    ]
    _insert(con, "registrations", registrations)
    _insert(con, "births", [dict(child_key="new", dob=date(2025, 8, 1), lsoa_code=A2,
                                 received_on=date(2025, 9, 1))])
    return con


@pytest.fixture
def ranking(con):
    return gap_ranking(reach_report(con, as_at=AS_AT, by="lsoa"), names=lsoa_names(con))


def test_coverage_names_the_lsoas_without_a_boundary(con):
    coverage = boundary_coverage(con)
    assert coverage.lsoas_in_reach_areas == 4
    assert coverage.with_shape == 3
    assert coverage.missing == (B2,)
    assert coverage.any_shapes


def test_shapes_come_back_from_wkb_for_reach_areas_only(con):
    shapes = reach_area_lsoas(con)
    assert shapes["lsoa_code"].tolist() == [A1, A2, B1]
    assert shapes["centre_id"].tolist() == ["C1", "C1", "C2"]
    assert shapes.crs.to_epsg() == 4326
    assert shapes.geometry.iloc[0].equals(_square(0, 0))
    assert reach_area_lsoas(con, "C2")["lsoa_code"].tolist() == [B1]


def test_display_lsoas_for_one_centre(con):
    shapes = display_lsoas(con, "C1")
    assert shapes["lsoa_code"].tolist() == [A1, A2]
    assert shapes["lsoa_name"].tolist() == ["Alpha 001A", "Alpha 001B"]


def test_too_many_lsoas_for_all_centres_are_refused(con, monkeypatch):
    monkeypatch.setattr(mapdata, "MAX_LSOAS_AT_ONCE", 2)
    with pytest.raises(ValueError, match="3 LSOAs are too many"):
        display_lsoas(con)
    assert len(display_lsoas(con, "C1")) == 2     # one centre is always allowed


def test_reach_areas_are_dissolved_with_names(con):
    outlines = display_reach_areas(con)
    assert outlines["centre_id"].tolist() == ["C1", "C2"]
    assert outlines["centre_name"].tolist() == ["Riverside", "Hilltop"]
    assert outlines["lsoa_count"].tolist() == [2, 1]
    riverside = outlines.geometry.iloc[0]
    assert riverside.geom_type == "Polygon"           # two squares side by side, no seam
    assert riverside.area == pytest.approx(2 * STEP * STEP)


def test_centre_points_only_where_located(con):
    points = centre_points(con)
    assert points["name"].tolist() == ["Riverside"]
    assert points["lon"].tolist() == [-2.295]


def test_gap_ranking_puts_most_families_to_find_first(ranking):
    assert ranking["lsoa_code"].tolist() == [A1, B2, A2, B1]
    assert ranking["families_to_find"].tolist() == [87, 59, 9, 0]
    assert ranking["lsoa_name"].iloc[0] == "Alpha 001A"
    assert pd.isna(ranking["lsoa_name"].iloc[1])     # B2 has no boundary, so no name
    assert ranking["centre_name"].tolist() == ["Riverside", "Hilltop", "Riverside", "Hilltop"]
    assert ranking["unmatched_births"].tolist() == [0, 0, 1, 0]


def test_gap_ranking_for_one_centre(con):
    report = reach_report(con, as_at=AS_AT, by="lsoa")
    ranking = gap_ranking(report, names=lsoa_names(con), centre_id="C2")
    assert ranking["lsoa_code"].tolist() == [B2, B1]


def test_summary_when_one_lsoa_holds_half(ranking):
    assert gap_summary(ranking) == (
        "1 LSOA holds half or more of the 155 families to find: E01000001 Alpha 001A (87)."
    )


def test_summary_names_the_fewest_lsoas_holding_half():
    ranking = pd.DataFrame({
        "lsoa_code": ["E01000011", "E01000012", "E01000013", "E01000014", "E01000015"],
        "lsoa_name": ["North 1A", None, "North 1C", "North 1D", "North 1E"],
        "families_to_find": [1_200, 900, 800, 700, 0],
    })
    # Total 3,600; the first two hold 2,100, which is at least half.
    assert gap_summary(ranking) == (
        "2 LSOAs (of 5) hold half of the 3,600 families to find: E01000011 North 1A (1,200), "
        "E01000012 (900); 2,100 between them."
    )


def test_summary_with_nothing_to_find():
    ranking = pd.DataFrame({"lsoa_code": ["E01000011"], "lsoa_name": ["A"], "families_to_find": [0]})
    assert gap_summary(ranking) == ("No families to find: the LSOA shown is at the target share "
                                    "of under-fives known.")
    assert gap_summary(ranking.iloc[0:0]) == "There are no LSOAs in the reach areas shown."


def test_lsoa_map_colours_each_lsoa_by_the_measure(con, ranking):
    figure = lsoa_map(areas=display_lsoas(con), ranking=ranking, measure=MAP_MEASURES["Reach %"],
                      outlines=display_reach_areas(con), points=centre_points(con))
    lsoas = figure.data[0]
    values = dict(zip(lsoas.locations, lsoas.z))
    assert values[A1] == pytest.approx(10.0)
    assert values[A2] == pytest.approx(80.0)
    assert values[B1] == pytest.approx(100.0)
    hover = dict(zip(lsoas.locations, lsoas.customdata))
    assert list(hover[A1][-2:]) == ["Alpha 001A", "Riverside"]
    names = [trace.name for trace in figure.data]
    assert "Reach area boundary" in names and "Children's centre" in names
    # Darker means more need: reach is drawn dark where it is low.
    assert (figure.layout.coloraxis.cmin, figure.layout.coloraxis.cmax) == (0, 100)
    scale = figure.layout.coloraxis.colorscale
    assert scale[0][1] != scale[-1][1]
    families = lsoa_map(areas=display_lsoas(con), ranking=ranking,
                        measure=MAP_MEASURES["Families to find"])
    assert families.layout.coloraxis.colorscale[0][1] == scale[-1][1]


def test_idaci_map_shows_no_data_for_lsoas_without_a_decile(con, ranking):
    figure = lsoa_map(areas=display_lsoas(con), ranking=ranking, measure=MAP_MEASURES["IDACI decile"])
    valued = dict(zip(figure.data[0].locations, figure.data[0].z))
    assert valued == {A1: 2, A2: 7}
    no_data = [trace for trace in figure.data if trace.name == "No data"][0]
    assert list(no_data.locations) == [B1]


def test_reach_area_map_colours_whole_areas_by_centre_figures(con):
    centres = reach_report(con, as_at=AS_AT)
    figure = reach_area_map(outlines=display_reach_areas(con), centre_report=centres,
                            measure=MAP_MEASURES["Families to find"])
    values = dict(zip(figure.data[0].locations, figure.data[0].z))
    # Per centre, not a sum over LSOAs: ceil(0.97 x 150) - 50 and ceil(0.97 x 80) - 20.
    assert values == {"C1": 96, "C2": 58}
    # The IDACI decile has no figure for a whole area: reach % is shown instead.
    fallback = reach_area_map(outlines=display_reach_areas(con), centre_report=centres,
                              measure=MAP_MEASURES["IDACI decile"])
    assert fallback.data[0].z[0] == pytest.approx(100 * 50 / 150)


def test_reach_areas_only_for_large_areas_without_a_centre():
    assert shows_reach_areas_only(2_001, None) is True
    assert shows_reach_areas_only(2_000, None) is False
    assert shows_reach_areas_only(30_000, "C1") is False


def test_trafford_boundaries_dissolve_into_reach_areas(trafford_areas, empty_con):
    con = empty_con
    areas = trafford_areas
    rows = [dict(lsoa_code=code, lsoa_name=name, geometry=shapely.to_wkb(shape))
            for code, name, shape in zip(areas["lsoa_code"], areas["lsoa_name"], areas.geometry)]
    _insert(con, "lsoas", rows)
    # Split the borough in two by LSOA code: the first 70 to one centre, the rest to another.
    codes = sorted(areas["lsoa_code"])
    _insert(con, "reach_areas", [dict(lsoa_code=code, centre_id="22329" if i < 70 else "22963")
                                 for i, code in enumerate(codes)])
    _insert(con, "centres", [dict(centre_id="22329", name="Partington Children's Centre"),
                             dict(centre_id="22963", name="Stretford Children's Centre")])
    assert boundary_coverage(con).with_shape == 139
    outlines = display_reach_areas(con)
    assert outlines["lsoa_count"].tolist() == [70, 69]
    assert outlines["centre_name"].tolist() == ["Partington Children's Centre", "Stretford Children's Centre"]
    shown = display_lsoas(con)
    assert len(shown) == 139
    assert shown.geometry.is_valid.all()
    assert lsoa_names(con).set_index("lsoa_code").loc["E01006074", "lsoa_name"] == "Trafford 025A"

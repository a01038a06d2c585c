"""The site finder on the Map page: nothing is worked out until asked; the answer in words, in a
table with its CSV download, and on the map; and the sentence and table, for small cases, checked
against the search called directly and against an independent count."""

import io
import itertools
import json
import math

import pandas as pd
import pytest

from data.settings import save_settings
from data.store import opened
from reach.presentation import access_words, maps
from reach.presentation.wording import using
from reach.queries.access import find_sites, lsoa_points, site_points
from reach.queries.report import lsoa_measures
from tests.views.figure_data import downloaded, shown, values

PAGE = "views/map.py"


def _open(app):
    app.switch_page(PAGE)
    app.run()
    assert not app.exception, app.exception
    return app


def _ask(at, *, km=1.0, new=2, people="Unknown under-fives", candidates=()):
    at.select_slider(key="finder_radius").set_value(km)
    at.select_slider(key="finder_new").set_value(new)
    at.radio(key="finder_people").set_value(people)
    at.multiselect(key="finder_candidates").set_value(list(candidates))
    at.button(key="finder_find").click().run()
    assert not at.exception, at.exception
    return at


def _sentence(at, words="who now live more than") -> str:
    return next(text for text in shown(at.markdown) if words in text)


def _as_at(at):
    return at.date_input(key="as_at").value


def _traces(at) -> list[dict]:
    """The traces of the Plotly map, "Zoom and pan" turned on (test_map_svg checks the drawing)."""
    at.toggle(key="map_zoom").set_value(True).run()
    assert not at.exception, at.exception
    (chart,) = at.get("plotly_chart")
    return json.loads(chart.proto.spec)["data"]


# --- the words and the table --------------------------------------------------------------------

def test_the_sentence_names_the_places_and_the_numbers():
    words = access_words.site_finder_words(
        sites=["E01000001", "E01000002"], names={"E01000001": "Ash 001A", "E01000002": "Ash 002B"},
        value=1283, beyond_now=11649, radius_km=1.5, people="unknown")
    assert words == ("Two new centres, in E01000001 (Ash 001A) and E01000002 (Ash 002B), would bring 1,283 "
                     "of the 11,649 unknown under-fives who now live more than 1.5 km from a centre within "
                     "1.5 km of one.")


def test_the_sentence_uses_the_hub_words_and_counts_one_site():
    with using("hubs"):
        words = access_words.site_finder_words(sites=["E01000003"], names={}, value=7, beyond_now=40,
                                               radius_km=2.0, people="deprived")
        method = access_words.site_finder_method_words(method="greedy", sets=75_287_520, new=5)
    assert words == ("One new hub, in E01000003, would bring 7 of the 40 under-fives in the most deprived areas "
                     "who now live more than 2 km from a hub within 2 km of one.")
    assert method.startswith("The new hubs were chosen one at a time: there were too many sets to check them "
                             "all (75,287,520)")


def test_the_sentence_when_nobody_is_beyond_or_nobody_is_reached():
    assert access_words.site_finder_words(sites=["E01000001"], names={}, value=0, beyond_now=0, radius_km=3.0,
                                          people="unknown") == (
        "Every one of the unknown under-fives already lives within 3 km of a centre, so a new centre would "
        "bring no more of them within 3 km.")
    assert "would bring none of the 12 unknown" in access_words.site_finder_words(
        sites=["E01000001"], names={}, value=0, beyond_now=12, radius_km=1.0, people="unknown")
    assert access_words.site_finder_method_words(method="exact", sets=9_180, new=2) == (
        "This is the best possible choice: Reach checked every possible set (9,180 sets of two).")


def test_the_table_has_a_row_per_new_site_with_its_area_and_what_it_adds():
    table = access_words.site_finder_table(sites=["E01000002", "E01000001"], adds=[30, 4],
                                           names={"E01000001": "Ash 001A"}, areas={"E01000002": "Oak Centre"})
    assert table.to_dict("records") == [
        {"lsoa_code": "E01000002", "lsoa_name": None, "reach_area": "Oak Centre", "children_added": 30},
        {"lsoa_code": "E01000001", "lsoa_name": "Ash 001A", "reach_area": None, "children_added": 4}]


def test_new_sites_are_marked_with_hover_text_and_no_labels():
    points = pd.DataFrame({"lsoa_code": ["E01000001", "E01000002"], "lon": [-2.0, float("nan")],
                           "lat": [53.0, float("nan")]})
    marked = maps.new_site_points(points=points, names={"E01000001": "<b>Ash</b>"}, adds={"E01000001": 1234})
    assert marked["lsoa_code"].tolist() == ["E01000001"]        # no point, no mark
    import plotly.graph_objects as go
    figure = maps.mark_new_sites(go.Figure(), marked)
    (trace,) = figure.data
    assert trace.mode == "markers" and trace.name == "Possible new centre"
    assert list(trace.hovertext) == ["Possible new centre: E01000001 (&lt;b&gt;Ash&lt;/b&gt;); brings 1,234 "
                                     "children within reach"]


# --- the page -----------------------------------------------------------------------------------

def test_nothing_is_worked_out_until_the_button_is_pressed(app):
    at = _open(app)
    assert not [text for text in shown(at.markdown) if "who now live more than" in text]
    assert any("Nothing is worked out until you press the button" in text for text in shown(at.caption))
    assert "Possible new centre" not in [trace.get("name") for trace in _traces(at)]
    assert "**Site finder**" in " ".join(shown(at.markdown))        # the definition, one click away
    # The controls' starting values: 1 km, two new sites, the unknown under-fives, every LSOA.
    assert at.select_slider(key="finder_radius").value == 1.0
    assert at.select_slider(key="finder_new").value == 2
    assert at.radio(key="finder_people").value == "Unknown under-fives"
    assert at.multiselect(key="finder_candidates").value == []


def test_the_answer_matches_the_search_in_words_table_download_and_map(app, demo_db, media):
    at = _ask(_open(app), km=1.5, new=2)
    with opened(demo_db, read_only=True) as con:
        choice = find_sites(con, as_at=_as_at(at), radius_km=1.5, new=2, people="unknown")
        points = lsoa_points(con, choice.sites).set_index("lsoa_code")
    assert choice.method == "exact" and len(choice.sites) == 2 and choice.value > 0
    sentence = _sentence(at)
    first, second = choice.sites
    assert sentence.startswith(f"Two new centres, in {first} ({choice.site_names[first]}) and {second} "
                               f"({choice.site_names[second]}), would bring {choice.value:,} of the "
                               f"{choice.beyond_now:,} unknown under-fives who now live more than 1.5 km")
    assert f"every possible set ({math.comb(choice.candidates, 2):,} sets of two)" in _sentence(at, "Reach checked")

    table = pd.read_csv(io.BytesIO(downloaded(at, media, "site_finder_table").content))
    assert table["lsoa_code"].tolist() == list(choice.sites)
    assert table["children_added"].tolist() == list(choice.adds)
    assert int(table["children_added"].sum()) == choice.value
    assert table["lsoa_name"].tolist() == [choice.site_names[code] for code in choice.sites]
    assert table["reach_area"].notna().all()
    shown_table = at.dataframe[-1].value
    assert len(shown_table) == 2

    (marks,) = [trace for trace in _traces(at) if trace.get("name") == "Possible new centre"]
    assert marks["mode"] == "markers"
    assert values(marks["lon"]) == pytest.approx([points.loc[code, "lon"] for code in choice.sites])
    assert values(marks["lat"]) == pytest.approx([points.loc[code, "lat"] for code in choice.sites])
    assert all(f"{code} (" in text for code, text in zip(choice.sites, marks["hovertext"]))
    assert not any("text" in str(trace.get("mode", "")) for trace in _traces(at))
    assert any("Orange dots are the possible new centres" in text for text in shown(at.caption))


def _haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(math.radians, (lon1, lat1, lon2, lat2))
    half = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, half)))


def test_chosen_candidates_most_deprived_checked_by_an_independent_count(app, demo_db):
    """Three candidate LSOAs, two new sites, the most deprived areas: every pair counted here by
    hand, and the page's sentence gives the best pair and its number."""
    at = _open(app)
    day = _as_at(at)
    with opened(demo_db, read_only=True) as con:
        measures = lsoa_measures(con, dates=[day])
        where = lsoa_points(con).set_index("lsoa_code")
        sites, _ = site_points(con)
        best_anywhere = find_sites(con, as_at=day, radius_km=2.0, new=3, people="deprived")
    candidates = sorted(best_anywhere.sites)
    people = {row.lsoa_code: (int(row.children_under5) if row.deprived else 0) for row in measures.itertuples()}

    def nearest_site(code):
        return min(_haversine_km(where.loc[code, "lon"], where.loc[code, "lat"], s.lon, s.lat)
                   for s in sites.itertuples())

    beyond = {code: count for code, count in people.items() if count and nearest_site(code) > 2.0}
    pairs = {}
    for pair in itertools.combinations(candidates, 2):
        pairs[pair] = sum(count for code, count in beyond.items()
                          if any(_haversine_km(where.loc[code, "lon"], where.loc[code, "lat"],
                                               where.loc[c, "lon"], where.loc[c, "lat"]) <= 2.0 for c in pair))
    best = max(pairs.values())
    best_pair = min(pair for pair, value in pairs.items() if value == best)

    at = _ask(at, km=2.0, new=2, people="Under-fives in the most deprived areas", candidates=candidates)
    sentence = _sentence(at)
    assert f"in {best_pair[0]} (" in sentence and f" and {best_pair[1]} (" in sentence
    assert (f"would bring {best:,} of the {sum(beyond.values()):,} under-fives in the most deprived areas "
            f"who now live more than 2 km") in sentence
    assert "(3 sets of two)" in _sentence(at, "Reach checked")


def test_five_new_sites_are_chosen_one_at_a_time(app, demo_db):
    at = _ask(_open(app), km=1.0, new=5)
    with opened(demo_db, read_only=True) as con:
        choice = find_sites(con, as_at=_as_at(at), radius_km=1.0, new=5, people="unknown")
    assert choice.method == "greedy"
    assert f"Five new centres, in {choice.sites[0]} (" in _sentence(at)
    assert f"would bring {choice.value:,} of the {choice.beyond_now:,}" in _sentence(at)
    assert _sentence(at, "one at a time").startswith(
        "The new centres were chosen one at a time: there were too many sets to check them all")
    assert at.dataframe[-1].value.iloc[:, 0].tolist() == list(choice.sites)      # in the order chosen


def test_with_the_hub_words_the_section_speaks_of_hubs(demo_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.views.conftest import PROJECT
    save_settings(demo_db, site_word="hubs")
    monkeypatch.setenv("REACH_DB", str(demo_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at = _ask(_open(at), km=1.0, new=1)
    assert any(h.value == "Where a new hub would reach the most children" for h in at.subheader)
    assert _sentence(at).startswith("One new hub, in E01")
    assert "from a hub within 1 km of one" in _sentence(at)

"""Map and gaps: where the under-fives the centres do not yet know are living."""

import streamlit as st

from reach.domain.breakdowns import centre_choices, gap_ranking
from reach.presentation import access_words, maps
from reach.presentation.safe_text import markdown_text
from reach.presentation.summaries import why_parts_add_up_to_more
from reach.queries import access, mapdata
from views import common
from reach.presentation.wording import current, reword

ALL_CENTRES = reword("All centres")

settings = common.settings()
st.title("Map and gaps")
st.caption(reword(f"Figures as at {settings.as_at:%d %B %Y}. Each small area on the map is an LSOA; "
           f"the heavy lines are the centres' reach areas."))

lsoa_report = common.report("lsoa")
coverage = common.cached(mapdata.boundary_coverage)

if coverage.lsoas_in_reach_areas == 0:
    # Nothing to map or rank: say what is missing and where to load it, and no more.
    st.warning(reword("No reach areas are loaded yet, so there is nothing to map or rank. Load the centres, "
               "then a reach-areas file (which centre each LSOA belongs to), then the population "
               "estimates and LSOA boundaries, on the Data page."))
    st.page_link("views/data.py", label="Go to the Data page", icon=":material/upload:")
    st.stop()

names = common.cached(mapdata.lsoa_names)
centre_names = centre_choices(lsoa_report)
options = [ALL_CENTRES, *centre_names]
choose, measure_column = st.columns([2, 3])
with choose:
    chosen = st.selectbox(
        reword("Centre"), options, key="map_centre",
        index=options.index(common.opening_centre(options, all_option=ALL_CENTRES)),
        format_func=lambda option: centre_names.get(option, option),
        on_change=common.remember_centre, args=("map_centre", ALL_CENTRES),
        help=reword("Choose a centre to zoom to its reach area and rank only its LSOAs."),
    )
with measure_column:
    measure_label = st.radio("Colour the map by", list(maps.MAP_MEASURES), key="map_measure",
                             horizontal=True)
measure = maps.MAP_MEASURES[measure_label]
centre_id = None if chosen == ALL_CENTRES else chosen

ranking = gap_ranking(lsoa_report, names=names, centre_id=centre_id)

# The site finder (its form is at the foot of the page) runs only when asked: pressing its button
# stores what was asked, and the answer is found here, before the map, so the map can mark it.
FINDER_ASKED = "site_finder_asked"
FINDER_KM = [step / 2 for step in range(1, 11)]          # 0.5 to 5 km
FINDER_NEW = [1, 2, 3, 4, 5]


def _ask_for_sites() -> None:
    st.session_state[FINDER_ASKED] = {
        "as_at": settings.as_at, "radius_km": float(st.session_state["finder_radius"]),
        "new": int(st.session_state["finder_new"]),
        "people": access_words.FINDER_PEOPLE_CHOICES[st.session_state["finder_people"]],
        "candidates": tuple(sorted(st.session_state["finder_candidates"])) or None,
    }


finder_asked = st.session_state.get(FINDER_ASKED)
finder_choice = None
finder_problem = None
new_site_points = None
if finder_asked is not None and finder_asked["as_at"] == settings.as_at:
    with st.spinner(reword("Looking for the places where new centres would reach the most children...")):
        try:
            finder_choice = common.cached(
                access.find_sites, as_at=settings.as_at, radius_km=finder_asked["radius_km"],
                new=finder_asked["new"], people=finder_asked["people"], candidates=finder_asked["candidates"])
        except access.CandidateError as problem:
            finder_problem = str(problem)
    if finder_choice is not None and finder_choice.sites:
        new_site_points = maps.new_site_points(
            points=common.cached(access.lsoa_points, finder_choice.sites), names=finder_choice.site_names,
            adds=dict(zip(finder_choice.sites, finder_choice.adds)))
distance_chosen = measure.column == maps.DISTANCE_COLUMN
map_values = ranking      # what colours the LSOAs: the ranking, with the distances when chosen
if distance_chosen:
    distances = common.cached(access.access_figures, as_at=settings.as_at)
    map_values = maps.with_distances(ranking, distances.lsoas)
# The area's own families to find (the figure the Overview or My centre shows) beside the sum of
# its LSOAs' figures, which can be more; both only when there are under-five estimates to use.
estimated = int(ranking["children_under5"].sum()) > 0
lsoas_total = int(ranking["families_to_find"].sum())
if estimated:
    if centre_id is None:
        own = int(common.report("authority")["families_to_find"].iloc[0])
    else:
        centres = common.report("centre").set_index("centre_id")
        own = int(centres.loc[centre_id, "families_to_find"])
    area = None if centre_id is None else centre_names.get(centre_id, centre_id)
    st.markdown(markdown_text(maps.families_to_find_words(area=area, own=own, lsoas_total=lsoas_total)))
    differs = lsoas_total != own
else:
    differs = False
st.markdown(f"**{markdown_text(maps.gap_summary(ranking, counted_by_lsoa=differs))}**")  # names LSOAs
if estimated and int(ranking["known_children"].sum()) == 0:
    st.info(reword("No child living in these LSOAs is registered with a centre as at this date, so every "
            "under-five counts as a family to find. If the registrations have not been loaded yet, "
            "load them on the Data page."))
common.definition("Families to find")
if distance_chosen:
    st.markdown(markdown_text(access_words.beyond_words(distances.authority.iloc[0].to_dict(),
                                                        under_fives=distances.under_fives_measured)))
    for line in access_words.left_out_words(sites=distances.sites_without_point,
                                            lsoas=distances.lsoas_without_point):
        st.caption(markdown_text(line))
    common.definition("Beyond 1, 2, 3 km")


def _show_map(plotly_map, svg_map, **arguments) -> None:
    """The map, drawn on the page at once (SVG); or, when the reader asks, the one that zooms and
    pans (Plotly, whose code takes the browser over a second longer to start in a new tab)."""
    if st.toggle("Zoom and pan", key="map_zoom",
                 help="An interactive map you can zoom into and pan; it takes a moment longer to open."):
        figure = plotly_map(**arguments)
        if new_site_points is not None:
            maps.mark_new_sites(figure, new_site_points)
        st.plotly_chart(figure, key="map_figure", width="stretch", config={"scrollZoom": True})
    else:
        st.markdown(svg_map(**arguments, new_sites=new_site_points), unsafe_allow_html=True)


map_side, table_side = st.columns([3, 2], gap="large")

with map_side:
    scale = None
    if not coverage.any_shapes:
        st.warning("No LSOA boundaries are loaded, so the map cannot be drawn. Load a boundary file "
                   "(GeoJSON, GeoPackage or zipped Shapefile) on the Data page; the gap ranking "
                   "works without it.")
        st.page_link("views/data.py", label="Go to the Data page", icon=":material/upload:")
    elif mapdata.shows_reach_areas_only(coverage.with_shape, centre_id):
        measure = maps.whole_area_measure(measure)
        centre_report = common.report("centre")
        _show_map(maps.reach_area_map, maps.reach_area_svg_map,
                  outlines=common.cached(mapdata.display_reach_areas), centre_report=centre_report,
                  measure=measure, points=common.cached(mapdata.centre_points), bands=settings.bands)
        scale = maps.colour_scale(centre_report[measure.column], measure, settings.bands)
        st.info(reword(f"There are {coverage.with_shape:,} LSOAs with boundaries: too many to draw at once, "
                f"so each reach area is drawn whole, coloured by the centre's "
                f"{measure.label.lower()}. Choose a centre to see its LSOAs."))
        if measure.column == "families_to_find":
            whole_to_find = int(common.report("authority")["families_to_find"].iloc[0])
            by_centre = int(centre_report["families_to_find"].sum())
            if by_centre != whole_to_find:
                st.caption(reword(f"Centre by centre, the families to find add up to {by_centre:,}, "
                           f"{by_centre - whole_to_find:,} more than the {whole_to_find:,} for all centres "
                           f"together: {why_parts_add_up_to_more('centre')}."))
    else:
        areas = common.cached(mapdata.display_lsoas, centre_id)
        if areas.empty:
            area = centre_names.get(centre_id, centre_id) if centre_id else ALL_CENTRES.lower()
            st.info(f"None of the LSOAs of {markdown_text(area)} has a boundary "
                    f"loaded, so there is nothing to draw. Load a boundary file on the Data page.")
        else:
            _show_map(maps.lsoa_map, maps.lsoa_svg_map,
                      areas=areas, ranking=map_values, measure=measure,
                      outlines=common.cached(mapdata.display_reach_areas, centre_id),
                      points=common.cached(mapdata.centre_points), bands=settings.bands)
            scale = maps.colour_scale(map_values[measure.column], measure, settings.bands)
    if scale is not None:
        marked = (" Orange dots are the possible new centres found below."
                  if new_site_points is not None and not new_site_points.empty else "")
        st.caption(reword(f"{maps.colour_words(measure, scale)} Grey areas have no figure. Red dots are "
                   f"children's centres.{marked} Hover over an area for its details."))
    if coverage.any_shapes:
        if coverage.missing:
            listed = (", ".join(markdown_text(code) for code in coverage.missing[:5])
                      + (" and others" if len(coverage.missing) > 5 else ""))
            st.caption(f"{len(coverage.missing):,} LSOAs in the reach areas have no boundary and are "
                       f"not drawn ({listed}).")
        if scale is not None:       # the licence credit is on the map itself, so it travels with any copy
            st.caption("Boundaries: Office for National Statistics; the licence credit is at the map's foot.")
    if measure.definition != "Families to find":      # that one is offered above already
        common.definition(measure.definition)

with table_side:
    if distance_chosen:
        st.subheader("How far from a site")
        common.table(
            maps.distance_table(distances.lsoas, names, centre_id=centre_id),
            file_name=f"distances_{chosen if centre_id else 'all'}_{settings.as_at}.csv", key="distance_table",
            column_config={
                "lsoa_name": st.column_config.TextColumn(width=130),
                "lsoa_code": st.column_config.TextColumn(width=90),
                "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.2f", width=96),
                "nearest_site_name": st.column_config.TextColumn("Nearest site"),
                "nearest_site": st.column_config.TextColumn("Nearest site ID"),
                "point": st.column_config.TextColumn("LSOA placed at"),
            },
            height=520 if len(ranking) > 14 else None,
            caption="The LSOAs furthest from a site first; distances are in a straight line, not by road. "
                    "The download holds the same rows.",
        )
    st.subheader("Where the gaps are")
    table = maps.gap_table(ranking)
    common.table(
        table, file_name=f"gaps_{chosen if centre_id else 'all'}_{settings.as_at}.csv",
        key="gap_ranking",
        column_config={
            # Wide enough for a name such as "Trafford 001A" and each heading in full, so the
            # three fit beside the map at 1400 pixels.
            "lsoa_name": st.column_config.TextColumn(width=130),
            "lsoa_code": st.column_config.TextColumn(width=90),
            "families_to_find": st.column_config.NumberColumn(format="localized", width=118),
            "reach_pct": st.column_config.NumberColumn(format="%.1f%%", width=72),
            **{column: None for column in maps.GAP_TABLE_HIDDEN},     # in the download only
        },
        height=520 if len(ranking) > 14 else None,
        caption="LSOAs with the most families to find first. The download holds the same rows, "
                "with every column.",
    )

# --- the site finder ----------------------------------------------------------------------------

site = current()
st.subheader(f"Where a new {site.site} would reach the most children")
st.caption(f"Choose a distance and how many new {site.sites} to place, then press the button. Reach "
           f"looks for the LSOAs where new {site.sites} would bring the most children who now live further "
           f"than that distance from every {site.site} within it. Distances are in a straight line.")
everywhere = ranking if centre_id is None else gap_ranking(lsoa_report, names=names, centre_id=None)
place_names = {code: name for code, name in zip(everywhere["lsoa_code"], everywhere["lsoa_name"])
               if isinstance(name, str)}
with st.form("site_finder"):
    distance_column, new_column, people_column = st.columns(3)
    with distance_column:
        st.select_slider("Distance (km)", options=FINDER_KM, value=1.0, key="finder_radius",
                         format_func=lambda km: f"{km:g} km",
                         help=f"A child counts as within reach when they live this far or nearer to a {site.site}.")
    with new_column:
        st.select_slider(f"Number of new {site.sites}", options=FINDER_NEW, value=2, key="finder_new")
    with people_column:
        st.radio("Whom to count", list(access_words.FINDER_PEOPLE_CHOICES), key="finder_people",
                 help="Unknown under-fives: those not yet registered. The most deprived areas: LSOAs in "
                      "IDACI deciles 1 to 3.")
    st.multiselect(
        f"LSOAs that may hold a new {site.site} (leave empty for every LSOA in the reach areas)",
        options=list(everywhere["lsoa_code"]), key="finder_candidates",
        format_func=lambda code: f"{code} - {place_names[code]}" if code in place_names else code,
        placeholder="Every LSOA in the reach areas",
    )
    st.form_submit_button(f"Find the best places for new {site.sites}", key="finder_find", type="primary",
                          on_click=_ask_for_sites)

if finder_asked is not None and finder_asked["as_at"] != settings.as_at:
    st.info(f"The date has changed since you last asked: press the button to look again for "
            f"{settings.as_at:%d %B %Y}.")
elif finder_problem is not None:
    st.error(markdown_text(f"The LSOAs chosen cannot be used: {finder_problem}."))
elif finder_choice is not None:
    st.markdown(markdown_text(access_words.site_finder_words(
        sites=finder_choice.sites, names=finder_choice.site_names, value=finder_choice.value,
        beyond_now=finder_choice.beyond_now, radius_km=finder_choice.radius_km, people=finder_choice.people)))
    if finder_choice.sites and finder_choice.beyond_now:
        st.markdown(markdown_text(access_words.site_finder_method_words(
            method=finder_choice.method, sets=finder_choice.sets, new=len(finder_choice.sites))))
    for line in [*access_words.left_out_words(sites=finder_choice.sites_without_point,
                                              lsoas=finder_choice.lsoas_without_point),
                 *access_words.candidates_left_out_words(finder_choice.candidates_without_point)]:
        st.caption(markdown_text(line))
    if finder_choice.sites:
        areas = {code: name for code, name in zip(everywhere["lsoa_code"], everywhere["centre_name"])}
        common.table(
            access_words.site_finder_table(sites=finder_choice.sites, adds=finder_choice.adds,
                                           names=finder_choice.site_names, areas=areas),
            file_name=f"new_sites_{finder_choice.radius_km:g}km_{finder_choice.people}_{settings.as_at}.csv",
            key="site_finder_table",
            column_config={
                "reach_area": st.column_config.TextColumn(f"In the reach area of ({site.site})"),
                "children_added": st.column_config.NumberColumn("Children it adds", format="localized"),
            },
            caption=("Each row adds the children it brings within reach beyond those the rows above it "
                     "already bring." if finder_choice.method == "exact" else
                     f"In the order the {site.sites} were chosen; each adds the children it brings within "
                     f"reach beyond those chosen before it."),
        )
        if not coverage.any_shapes:
            st.caption(f"No map is drawn, so the possible new {site.sites} are shown in this table only.")
else:
    st.caption("Nothing is worked out until you press the button: trying every possible set can take a "
               "few seconds.")
common.definition("Site finder")

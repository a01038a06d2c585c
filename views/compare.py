"""Compare centres: a fair league table, the funnel plot, and centres serving similar areas."""

import pandas as pd
import streamlit as st

from reach.domain.comparison import (MEASURES, SIMILAR_WITHIN_PTS, benchmark, league_for_chart, league_table,
                                     similar_centres)
from reach.domain.stats import LIMIT_WORDS
from reach.presentation import svg_figures
from reach.presentation.comparison_sentences import (comparison_sentence, flagged_sentence, outside_limits_sentence,
                                                     similar_sentence)
from reach.presentation.safe_text import markdown_text
from reach.presentation.summaries import long_date
from views import common
from reach.presentation.wording import reword

# The comparison in a table's words (the sentences say "higher" and "lower", so the table does too).
TABLE_WORDS = {"better": "Higher", "similar": "Similar", "worse": "Lower",
               "flagged": "Not compared: estimate flagged", "no figure": "No figure"}
SIMILAR_COUNT = 4

# What is missing when a measure has nothing to count from, and what to load for it.
MISSING = {
    "children_under5": (reword("No children under five are recorded in any reach area yet, so there is nothing to "
                        "compare. Load the population estimates (children aged 0 to 4 by LSOA) on the Data page, "
                        "after the centres and their reach areas.")),
    "births_12m": ("No births in the 12 months to this date are recorded yet, so newborn reach cannot be "
                   "compared. Load the birth data (a births extract or birth counts) on the Data page."),
    "known_children": (reword("No children are known to any centre as at this date, so every centre would show 0%. "
                       "Load the centres' registrations on the Data page.")),
    "newborns_known_12m": (reword("No baby born in the 12 months to this date is known to a centre yet, so every "
                           "centre would show 0%. Load the centres' registrations on the Data page.")),
    "sustained_contact": (reword("No child has sustained contact recorded as at this date, so every centre would show "
                          "0%. Load the contacts (attendances) on the Data page.")),
    "children_under2": (reword("No children under two are recorded in any reach area yet, so there is nothing to "
                        "compare. Load the population estimates on the Data page, after the centres and their "
                        "reach areas.")),
    "known_under2": (reword("No child under two is known to any centre as at this date, so every centre would show 0%. "
                     "Load the centres' registrations on the Data page.")),
}

s = common.settings()
centres = common.report("centre")
authority = common.report("authority")

st.title(reword("Compare centres"))
st.caption(reword(f"Every centre against the authority as a whole, as at {long_date(s.as_at)}. A centre is called "
           "higher or lower only when the difference is larger than chance would explain for its size."))
if centres.empty:
    st.info(reword("There are no centres yet. Import a list of centres and their reach areas on the Data page."))
    st.stop()

names = dict(zip(centres["centre_id"], centres["centre_name"]))
# The centre picked out on this page: the last single centre a person chose (here or on another
# page), else the first. Opening the page chooses nothing: only the chooser below remembers.
comparable = [c for c, u in zip(centres["centre_id"], centres["children_under5"]) if u > 0]
focus = common.opening_centre(comparable) if comparable else None

measure_key = st.selectbox("Measure", list(MEASURES), format_func=lambda k: MEASURES[k].name, key="measure")
chosen = MEASURES[measure_key]
benchmark_pct = benchmark(authority, measure_key=measure_key)
whole = authority.iloc[0]
common.definitions(chosen.name, "Confidence interval")

missing: str | None
if "lsoas" in centres and int(centres["lsoas"].sum()) == 0:
    missing = (reword("None of the centres has a reach area yet, so there is nothing to compare. Import the reach "
               "areas (which LSOAs each centre serves) on the Data page, then the population estimates."))
elif not whole[chosen.denominator] > 0:
    missing = MISSING[chosen.denominator]
elif not whole[chosen.numerator] > 0:
    missing = MISSING[chosen.numerator]
else:
    missing = None

if missing:
    st.info(missing)
else:
    league = league_table(centres, benchmark_pct=benchmark_pct, measure_key=measure_key)
    shown = league.assign(comparison=league["comparison"].map(TABLE_WORDS),
                          limits=league["limits"].map(LIMIT_WORDS))
    table_config = {
        "rank": st.column_config.NumberColumn("Rank"),
        "lower_95": st.column_config.NumberColumn("95% interval from", format="%.1f%%"),
        "upper_95": st.column_config.NumberColumn("95% interval to", format="%.1f%%"),
        "comparison": st.column_config.TextColumn(reword("Compared with all centres")),
        "limits": st.column_config.TextColumn("Funnel limits"),
        "estimate_note": st.column_config.TextColumn("Why not compared"),
        **common.percent_columns(league),
    }
    if not league["comparison"].eq("flagged").any():
        shown = shown.drop(columns="estimate_note")
    legend = ("**Higher** or **lower**: beyond the 95% limits around the authority's figure; **similar**: "
              "within them.")
    if league["comparison"].eq("flagged").any():
        legend += (" **Not compared** (hollow grey): the population estimate is flagged, so the figure is shown "
                   "but neither ranked nor called higher or lower.")

    # --- the league table ---------------------------------------------------------------------
    st.header(f"League table: {chosen.name.lower()}")
    chart, words = st.columns([3, 2])
    drawn, drawn_note = league_for_chart(league, include=focus)
    chart.markdown(svg_figures.league_chart(drawn, measure_key=measure_key, benchmark_pct=benchmark_pct,
                                            bands=s.bands), unsafe_allow_html=True)
    if drawn_note:
        chart.caption(drawn_note)
    with words:
        st.markdown(comparison_sentence(league, measure_key=measure_key))
        st.markdown(reword(f"All centres together: **{benchmark_pct:.1f}%** ({int(whole[chosen.numerator]):,} of "
                    f"{int(whole[chosen.denominator]):,} {chosen.denominator_words}). The whiskers are each "
                    "centre's 95% confidence interval: small centres have wide ones."))
        doubt = flagged_sentence(league, measure_key=measure_key)
        if doubt:
            st.markdown(doubt)
        st.caption(legend)
    common.table(shown, file_name=f"league_{measure_key}_{s.as_at}.csv", key="league", column_config=table_config)

    # --- the funnel plot ----------------------------------------------------------------------
    st.header("Funnel plot")
    chart, words = st.columns([3, 2])
    chart.markdown(svg_figures.funnel_plot(league, measure_key=measure_key, benchmark_pct=benchmark_pct,
                                           bands=s.bands, chosen_centre=focus), unsafe_allow_html=True)
    with words:
        st.markdown(reword(f"Each marker is a centre: its {chosen.name.lower()} against its number of "
                    f"{chosen.denominator_words}. The funnel is the range a centre of that size would fall in by "
                    f"chance alone if it were like the authority as a whole ({benchmark_pct:.1f}%): the inner "
                    "lines hold 95% of such centres, the outer 99.8%. Markers above the funnel are higher than "
                    "the authority, below it lower; triangles point the way of the difference."))
        st.markdown(outside_limits_sentence(league))
        labelled = reword(f" and {markdown_text(names[focus])} (the centre chosen below)") if focus else ""
        st.caption(reword(f"Named on the chart: the centres beyond the 95% limits, any not compared{labelled}. "
                   "Point at a marker for any centre's name and figures."))
    common.table(shown[["centre_id", "centre_name", chosen.denominator, chosen.column, "comparison", "limits"]],
                 file_name=f"funnel_{measure_key}_{s.as_at}.csv", key="funnel", column_config=table_config)

# --- similar centres --------------------------------------------------------------------------
if not comparable:      # no under-fives anywhere: said above for reach, said here for the others
    if missing != MISSING["children_under5"]:
        st.info(reword("No centre has children under five recorded yet, so centres cannot be matched by the areas "
                "they serve. Load the population estimates on the Data page."))
    st.stop()
st.header(reword("Centres serving similar areas"))
deciles = common.report("lsoa")["idaci_decile"]
if deciles.isna().all():
    st.info(reword("The deprivation deciles (IDACI) are not loaded yet, so centres cannot be matched by how deprived "
            "the areas they serve are. Load the Indices of Deprivation on the Data page."))
    st.stop()
st.markdown(reword(f"Centres whose share of under-fives living in the most deprived areas (IDACI deciles 1 to 3) is "
            f"within {SIMILAR_WITHIN_PTS:g} percentage points of the chosen centre's, closest first, up to "
            f"{SIMILAR_COUNT}: the fairest set to compare a centre with. A centre further away is not shown, "
            "however few are left."))
if deciles.isna().any():
    st.caption(f"{int(deciles.isna().sum()):,} of {len(deciles):,} LSOAs have no deprivation decile loaded; "
               "their under-fives count as outside the most deprived areas.")
centre_id = st.selectbox(reword("Centre"), comparable, index=comparable.index(focus),
                         format_func=lambda c: f"{names[c]} ({c})", key="similar_centre",
                         on_change=common.remember_centre, args=("similar_centre",))
similar = similar_centres(centres, centre_id=centre_id, count=SIMILAR_COUNT)
chart, words = st.columns([3, 2])
chart.markdown(svg_figures.similar_centres_chart(similar, measure_key=measure_key, benchmark_pct=benchmark_pct),
               unsafe_allow_html=True)
with words:
    st.markdown(similar_sentence(similar, measure_key=measure_key, wanted=SIMILAR_COUNT))
    common.definition("Most deprived areas")
similar_shown = similar.assign(denominator_flagged=similar["denominator_flagged"].map({True: "Yes", False: ""}))
common.table(similar_shown, file_name=f"similar_centres_{centre_id}_{s.as_at}.csv", key="similar",
             column_config={"is_chosen": st.column_config.CheckboxColumn("Chosen"),
                            "deprived_share_pct": st.column_config.NumberColumn(
                                "Under-fives in most deprived areas %", format="%.1f%%"),
                            "difference_pts": st.column_config.NumberColumn("Difference (points)", format="%.1f"),
                            "denominator_flagged": st.column_config.TextColumn("Estimate flagged"),
                            **common.percent_columns(pd.DataFrame(columns=["reach_pct", "newborn_reach_pct",
                                                                           "sustained_pct"]))})

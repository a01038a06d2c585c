"""Compare centres: a fair league table, the funnel plot, and centres serving similar areas."""

import streamlit as st

from reach.domain.comparison import MEASURES, benchmark, league_for_chart, league_table, similar_centres
from reach.domain.stats import COMPARISON_WORDS
from reach.presentation import charts
from reach.presentation.comparison_sentences import comparison_sentence, outside_limits_sentence, similar_sentence
from reach.presentation.summaries import long_date
from views import common

s = common.settings()
centres = common.report("centre")
authority = common.report("authority")

st.title("Compare centres")
st.caption(f"Every centre against the authority as a whole, as at {long_date(s.as_at)}. A centre is called "
           "higher or lower only when the difference is larger than chance would explain for its size.")
if centres.empty:
    st.info("There are no centres yet. Import a list of centres and their reach areas on the Data page.")
    st.stop()

measure_key = st.selectbox("Measure", list(MEASURES), format_func=lambda k: MEASURES[k].name, key="measure")
chosen = MEASURES[measure_key]
benchmark_pct = benchmark(authority, measure_key=measure_key)
league = league_table(centres, benchmark_pct=benchmark_pct, measure_key=measure_key)
common.definitions(chosen.name, "Confidence interval")

table_config = {
    "rank": st.column_config.NumberColumn("Rank"),
    "lower_95": st.column_config.NumberColumn("95% interval from", format="%.1f%%"),
    "upper_95": st.column_config.NumberColumn("95% interval to", format="%.1f%%"),
    "comparison": st.column_config.TextColumn("Compared with all centres"),
    **common.percent_columns(league),
}
legend = "; ".join(f"**{key}**: {words.lower()}" for key, words in COMPARISON_WORDS.items() if key != "no figure")

# --- the league table -------------------------------------------------------------------------
st.header(f"League table: {chosen.name.lower()}")
chart, words = st.columns([3, 2])
drawn, drawn_note = league_for_chart(league, include=st.session_state.get("centre_id"))
chart.plotly_chart(charts.league_chart(drawn, measure_key=measure_key, benchmark_pct=benchmark_pct,
                                       bands=s.bands), key="league_chart")
if drawn_note:
    chart.caption(drawn_note)
with words:
    st.markdown(comparison_sentence(league, measure_key=measure_key))
    st.markdown(f"All centres together: **{benchmark_pct:.1f}%**. The whiskers are each centre's 95% "
                "confidence interval: small centres have wide ones.")
    st.caption(legend)
common.table(league, file_name=f"league_{measure_key}_{s.as_at}.csv", key="league", column_config=table_config)

# --- the funnel plot --------------------------------------------------------------------------
st.header("Funnel plot")
chart, words = st.columns([3, 2])
chart.plotly_chart(charts.funnel_plot(league, measure_key=measure_key, benchmark_pct=benchmark_pct, bands=s.bands),
                   key="funnel_chart")
with words:
    st.markdown(f"Each marker is a centre: its {chosen.name.lower()} against its number of "
                f"{chosen.denominator_words}. The funnel is the range a centre of that size would fall in by "
                f"chance alone if it were like the authority as a whole ({benchmark_pct:.1f}%): the inner "
                "lines hold 95% of such centres, the outer 99.8%. Markers above the funnel are higher than "
                "the authority, below it lower; triangles point the way of the difference.")
    st.markdown(outside_limits_sentence(league))
common.table(league[["centre_id", "centre_name", chosen.denominator, chosen.column, "comparison"]],
             file_name=f"funnel_{measure_key}_{s.as_at}.csv", key="funnel", column_config=table_config)

# --- similar centres --------------------------------------------------------------------------
st.header("Centres serving similar areas")
st.markdown("Centres whose share of under-fives living in the most deprived areas (IDACI deciles 1 to 3) is "
            "closest: the fairest set to compare a centre with.")
names = dict(zip(centres["centre_id"], centres["centre_name"]))
comparable = [c for c, u in zip(centres["centre_id"], centres["children_under5"]) if u > 0]
if not comparable:
    st.info("No centre has children under five recorded yet.")
    st.stop()
remembered = st.session_state.get("centre_id")
centre_id = st.selectbox("Centre", comparable, index=comparable.index(remembered) if remembered in comparable else 0,
                         format_func=lambda c: f"{names[c]} ({c})", key="similar_centre")
st.session_state["centre_id"] = centre_id
similar = similar_centres(centres, centre_id=centre_id, count=4)
chart, words = st.columns([3, 2])
chart.plotly_chart(charts.similar_centres_chart(similar, measure_key=measure_key, benchmark_pct=benchmark_pct),
                   key="similar_chart")
with words:
    st.markdown(similar_sentence(similar, measure_key=measure_key))
    common.definition("Most deprived areas")
common.table(similar, file_name=f"similar_centres_{centre_id}_{s.as_at}.csv", key="similar",
             column_config={"is_chosen": st.column_config.CheckboxColumn("Chosen"),
                            "deprived_share_pct": st.column_config.NumberColumn(
                                "Under-fives in most deprived areas %", format="%.1f%%"),
                            "difference_pts": st.column_config.NumberColumn("Difference (points)", format="%.1f"),
                            **common.percent_columns(similar[["reach_pct", "newborn_reach_pct", "sustained_pct"]])})

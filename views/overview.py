"""Overview: how much of the authority's under-fives its centres know, and what to look at first."""

import streamlit as st

from reach.domain.breakdowns import band_counts
from reach.domain.measures import is_overdue
from reach.presentation import svg_figures
from reach.presentation import format as fmt
from reach.presentation.attention_sentences import attention_lines, needs_attention
from reach.presentation.safe_text import markdown_text
from reach.presentation.summaries import (band_counts_sentence, lag_sentence, long_date, newborn_sentence,
                                          reach_sentence, trend_sentence, under_two_sentence,
                                          why_parts_add_up_to_more)
from reach.queries.loaded import loaded_data
from views import common, start
from reach.presentation.wording import reword

TILE_WIDTH = 168      # px: five tiles side by side on a wide screen, wrapping onto more rows on a narrow one

s = common.settings()
centres = common.report("centre")
authority = common.report("authority")
whole = authority.iloc[0]

st.title("Overview")
st.caption(reword(f"All children's centres in the authority, as at {long_date(s.as_at)}."))
start.show_if_incomplete()      # the guided start, while an essential kind of data is missing

# --- the headline -----------------------------------------------------------------------------
loaded = common.cached(loaded_data, as_at=s.as_at)
to_find = int(whole["families_to_find"])
centres_to_find = int(centres["families_to_find"].sum()) if len(centres) else 0
tiles = st.container(horizontal=True, gap="small")
tiles.metric("Reach", fmt.percent(whole["reach_pct"]), width=TILE_WIDTH, border=True,
             help="Known children as a share of the children under five in every reach area.")
tiles.metric("Newborn reach", fmt.percent(whole["newborn_reach_pct"]), width=TILE_WIDTH, border=True,
             help=reword("Of the babies born in the last 12 complete months, the share the centres know."))
tiles.metric("Known children", fmt.count(whole["known_children"]) if loaded.registrations else fmt.NO_FIGURE,
             width=TILE_WIDTH, border=True,
             help=None if loaded.registrations else "No registrations are loaded yet.")
tiles.metric("Children under five", fmt.count(whole["children_under5"]) if loaded.population else fmt.NO_FIGURE,
             width=TILE_WIDTH, border=True,
             help=None if loaded.population else "No population estimate is loaded yet.")
tiles.metric("Families to find", fmt.count(to_find) if loaded.population else fmt.NO_FIGURE,
             width=TILE_WIDTH, border=True,
             help=f"More children to know to reach {s.bands.outstanding:g}% of the under-fives, counted for "
                  "all reach areas together." if loaded.population else "No population estimate is loaded yet.")
tiles.metric("Reach under two", fmt.percent(whole["reach_under2_pct"]), width=TILE_WIDTH, border=True,
             help="Known children under two as a share of the children under two in every reach area"
                  + (", partly estimated as two fifths of the under-fives." if bool(whole["under2_estimated"])
                     else "."))
tiles.metric("Families to find under two",
             fmt.count(whole["families_to_find_under2"]) if loaded.population else fmt.NO_FIGURE,
             width=TILE_WIDTH, border=True,
             help=f"More children under two to know to reach {s.bands.outstanding:g}% of the under-twos."
             if loaded.population else "No population estimate is loaded yet.")
st.markdown(reach_sentence(whole, bands=s.bands, population_loaded=loaded.population))
if loaded.population:
    st.markdown(under_two_sentence(whole, bands=s.bands))
st.markdown(newborn_sentence(whole, births_loaded=loaded.births))
if loaded.population and centres_to_find != to_find:
    st.caption(reword(f"Centre by centre, the families to find add up to {fmt.count(centres_to_find)}, "
               f"{fmt.count(centres_to_find - to_find)} more than the {fmt.count(to_find)} for all centres "
               f"together: {why_parts_add_up_to_more('centre')}."))
if int(whole["known_out_of_area"]):
    st.caption(f"{fmt.count(whole['known_out_of_area'])} registered children live outside every reach area "
               "and are not counted above.")
if bool(whole["denominator_flagged"]):
    st.caption(f"Population estimate flagged: {markdown_text(whole['denominator_note'])}.")
common.definitions("Reach", "Newborn reach", "Known children", "Families to find", "Reach under two",
                   "Families to find under two", "Children under two")

# --- what needs attention first ---------------------------------------------------------------
st.header("What needs attention first")
attention = needs_attention(centres, authority, bands=s.bands, as_at=s.as_at)
if attention.empty and loaded.missing:
    st.info("Nothing can be ranked yet: the list needs the population estimates, the births from health "
            "and the registrations loaded first.")
elif attention.empty:
    st.success(reword("Nothing stands out: no centre is in the lowest bands, birth data is up to date and "
               "every population estimate is sound."))
else:
    st.markdown("\n".join(f"{number}. {line}" for number, line in enumerate(attention_lines(attention), 1)))
    with st.expander("The list as a table"):
        common.table(attention, file_name="needs_attention.csv", key="attention",
                     column_config={"rank": st.column_config.NumberColumn("Rank"),
                                    "concern": st.column_config.TextColumn("Concern"),
                                    "detail": st.column_config.TextColumn("Figure"),
                                    "message": st.column_config.TextColumn("What it means", width="large")})

# --- centres by band --------------------------------------------------------------------------
st.header(reword("Centres by indicative band"))
counts = band_counts(centres)
if int(counts["centres"].sum()) == 0:        # no centres yet: a sentence, not a chart of zeros
    st.info(band_counts_sentence(counts))
else:
    chart, words = st.columns([3, 2])
    with chart:
        st.markdown(svg_figures.band_counts_chart(counts, bands=s.bands), unsafe_allow_html=True)
    with words:
        st.markdown(band_counts_sentence(counts))
        common.definition("Indicative band")
        common.table(counts, file_name="centres_by_band.csv", key="band_counts",
                     column_config={"centres": st.column_config.NumberColumn(reword("Centres"))})
with st.expander(reword("Every centre's figures")):
    common.table(centres, file_name=f"reach_by_centre_{s.as_at}.csv", key="centres",
                 column_config=common.percent_columns(centres),
                 caption=reword(f"Each centre's families to find is worked out for that centre alone, so together they "
                         f"come to {fmt.count(centres_to_find)}, not the {fmt.count(to_find)} for all centres.")
                 if loaded.population and centres_to_find != to_find else None)

# --- the trend --------------------------------------------------------------------------------
st.header("Reach month by month")
trend = common.trend(by="authority")
if trend["reach_pct"].notna().any():
    chart, words = st.columns([3, 2])
    with chart:
        st.markdown(svg_figures.trend_chart(trend, bands=s.bands, title=reword("Reach by month, all centres")),
                    unsafe_allow_html=True)
    with words:
        st.markdown(trend_sentence(trend, population_loaded=loaded.population))
        st.caption("Each point is the figure at the end of a month, worked out exactly as today's figure is.")
else:       # no month has a figure yet: a sentence, not an empty chart
    st.info(trend_sentence(trend, population_loaded=loaded.population))
trend_columns = ["as_at", "children_under5", "known_children", "reach_pct", "newborn_reach_pct",
                 "sustained_pct", "families_to_find", "unmatched_births"]
with st.expander("The trend as a table"):
    common.table(trend[trend_columns], file_name="reach_trend.csv", key="trend",
                 column_config=common.percent_columns(trend[trend_columns]))

# --- birth data -------------------------------------------------------------------------------
st.header("Birth data from health")
lag = whole["birth_data_lag_days"]
text = lag_sentence(lag, as_at=s.as_at)
st.metric("Days since birth data last arrived", fmt.days(lag))
if is_overdue(lag):
    st.warning(text)
else:
    st.markdown(text)
common.definition("Birth-data lag")

"""Best Start: for the commissioner, the authority's Best Start in Life measures in words first,
then charts and tables, every figure fit to publish (small counts hidden): a good level of
development at five against the target, the children under two known, and the most deprived
areas furthest from a site."""

import pandas as pd
import streamlit as st

from data.settings import read_settings
from reach.domain.disclosure import DisclosureError
from reach.domain.measures import DEFINITIONS
from reach.presentation import svg_figures
from reach.presentation import best_start_sentences as words_for
from reach.presentation.access_words import beyond_words
from reach.presentation.summaries import long_date
from reach.presentation.format import HEADINGS, exported
from reach.presentation.wording import current, reword
from reach.queries.access import access_figures
from reach.queries.best_start import published_outcome_levels
from reach.queries.publication import published_figures
from views import common


def _published_table(frame, *, file_name: str, key: str) -> None:
    """A published table: shown as text (a hidden count is "c" among numbers), downloaded as it is.
    An assessment year is written as a school year (2024/25)."""
    frame = words_for.with_school_year(frame)
    headings = {**HEADINGS, **words_for.OUTCOME_HEADINGS}
    shown = words_for.readable(frame)
    shown.columns = [reword(headings.get(column, column)) for column in frame.columns]
    st.dataframe(shown, hide_index=True, width="stretch")
    common.download(exported(frame), file_name=file_name, key=key)


def _defined(*names: str) -> list[str]:
    """The definitions of these measures that this version of Reach has (the outcomes' may not be yet)."""
    return [name for name in names if name in DEFINITIONS]


s = common.settings()
words = current()
store_settings = common.cached(read_settings)
target = store_settings.gld_target_pct
centres = common.report("centre")
names = dict(zip(centres["centre_id"], centres["centre_name"]))

st.title("Best Start")
st.caption(f"For commissioners: the authority's {words.sites_long} against the Best Start in Life "
           f"measures, as at {long_date(s.as_at)}. Every figure here is fit to publish: counts from 1 to 4, "
           "and any figure that would reveal one, are shown as \"c\".")

# --- gather the figures -------------------------------------------------------------------------
outcome_sites = outcome_whole = None
trend = None                 # the authority's results, oldest year first
outcomes_hidden = False      # the results cannot be published as they are
try:
    # Both levels from one protection (protecting them is the page's costliest step).
    levels = common.cached(published_outcome_levels, levels=("centre", "authority"), year=None, target_pct=target)
    by_site, whole = levels["centre"], levels["authority"]
except DisclosureError:
    outcomes_hidden = True
else:
    if not whole.empty:
        years = sorted((int(year) for year in whole["assessment_year"].unique()), reverse=True)
        # The year of the by-site figures: the latest assessment year loaded unless another is chosen.
        chosen = st.selectbox("School year of the results at five", years, index=0,
                              format_func=words_for.school_year, key="best_start_year",
                              help="The by-site figures below are for this school year; the trend shows every year.")
        outcome_sites = by_site[by_site["assessment_year"] == chosen].reset_index(drop=True)
        outcome_sites.insert(2, "centre_name", outcome_sites["centre_id"].map(names))
        outcome_whole = whole[whole["assessment_year"] == chosen].iloc[0]
        trend = words_for.gld_trend(whole)

try:
    published = common.cached(published_figures, as_at=s.as_at, options=s.options)
except DisclosureError:
    published = None
access = common.cached(access_figures, as_at=s.as_at)
far = words_for.far_deprived(access.lsoas)

# --- in words first -----------------------------------------------------------------------------
st.header("In short")
lines = [words_for.outcomes_hidden() if outcomes_hidden else words_for.gld_headline(outcome_whole, target_pct=target)]
if trend is not None and outcome_whole is not None:
    lines.append(words_for.gld_trend_sentence(trend, target_pct=target))
    lines.append(words_for.fsm_gap_sentence(outcome_whole))
if published is not None:
    lines.append(words_for.under_two_headline(published.tables["authority"].iloc[0], published.tables["centre"]))
lines.append(beyond_words(access.authority.iloc[0].to_dict()))
lines.append(words_for.far_deprived_sentence(far))
st.markdown("\n".join(f"- {line}" for line in lines))

# --- a good level of development at five --------------------------------------------------------
st.header("A good level of development at five")
if outcomes_hidden:
    st.warning(words_for.outcomes_hidden())
elif outcome_sites is None or outcome_whole is None:
    st.info(words_for.outcomes_not_loaded())
else:
    chart, said = st.columns([3, 2])
    chart.markdown(svg_figures.gld_chart(outcome_sites, target_pct=target,
                                         authority_pct=outcome_whole.get("gld_pct")), unsafe_allow_html=True)
    with said:
        st.markdown(words_for.gld_sites_sentence(outcome_sites, target_pct=target))
        st.caption(f"The target ({target:g}%) is set on the Data page or with `python -m reach settings`.")
    _published_table(outcome_sites, key="best_start_gld",
                     file_name=f"good_level_of_development_by_site_{outcome_whole['assessment_year']}.csv")
common.definitions(*_defined("Good level of development"))

if trend is not None and outcome_whole is not None and outcome_sites is not None:
    when = words_for.school_year(outcome_whole["assessment_year"])

    # --- over the years -------------------------------------------------------------------------
    st.header("Results at five over the years")
    chart, said = st.columns([3, 2])
    chart.markdown(svg_figures.gld_trend_chart(trend, target_pct=target), unsafe_allow_html=True)
    with said:
        st.markdown(words_for.gld_trend_sentence(trend, target_pct=target))
        st.caption("Each year is the school year the children finished reception in.")
    _published_table(trend, file_name="good_level_of_development_by_year.csv", key="best_start_trend")

    # --- the gap for free school meals ----------------------------------------------------------
    st.header("The gap for children eligible for free school meals")
    st.markdown(words_for.fsm_gap_sentence(outcome_whole))
    st.markdown(f"By {words.site}, in {when}: " + words_for.fsm_gap_sites_sentence(outcome_sites))
    st.caption("The gap is in percentage points: the share of the other children with a good level of "
               "development minus the share of the children eligible. Above 0, the children eligible did less well.")
    st.subheader("The authority, by year")
    _published_table(whole.sort_values("assessment_year")[["assessment_year", "assessed", "fsm_gap_points"]],
                     file_name="free_school_meals_gap_by_year.csv", key="best_start_fsm_years")
    st.subheader(f"By {words.site}, {when}")
    _published_table(outcome_sites[["assessment_year", "centre_id", "centre_name", "assessed", "fsm_gap_points"]],
                     file_name=f"free_school_meals_gap_by_site_{outcome_whole['assessment_year']}.csv",
                     key="best_start_fsm_sites")
    common.definitions(*_defined("GLD gap for free school meals"))

    # --- children known early -------------------------------------------------------------------
    st.header(f"Children known to a {words.site} before two")
    st.markdown(words_for.known_early_sentence(outcome_whole))
    st.caption(f"Only the children whose record matches a registration are compared: those first registered "
               f"with a {words.site} before their second birthday, and the others registered later. The "
               "intervals are 95% intervals.")
    authority_row = outcome_whole.to_frame().T.assign(centre_id="all", centre_name=f"All {words.sites}")
    early = words_for.known_early(pd.concat([authority_row, outcome_sites], ignore_index=True))
    _published_table(early, file_name=f"known_early_{outcome_whole['assessment_year']}.csv",
                     key="best_start_known_early")
    common.definitions(*_defined("Known early"))

# --- children under two known -------------------------------------------------------------------
st.header("Children under two known")
if published is None:
    st.warning("The figures for children under two cannot be published as at this date: too many small "
               "counts would have to be hidden. Choose another date.")
else:
    sites = published.tables["centre"]
    whole_under_two = published.tables["authority"].iloc[0] if len(published.tables["authority"]) else None
    if words_for.no_under_twos(whole_under_two):         # nothing loaded yet: no empty chart or table
        st.info(words_for.under_two_headline(whole_under_two, sites))
    else:
        shown = sites[["centre_id", "centre_name", "children_under2", "known_under2", "reach_under2_pct",
                       "families_to_find_under2", "under2_estimated"]]
        chart, said = st.columns([3, 2])
        chart.markdown(svg_figures.under_two_chart(shown), unsafe_allow_html=True)
        with said:
            st.markdown(words_for.under_two_headline(whole_under_two, sites))
        _published_table(shown, file_name=f"reach_under_two_by_site_{s.as_at}.csv", key="best_start_under_two")
common.definitions(*_defined("Reach under two", "Families to find under two"))

# --- access ---------------------------------------------------------------------------------------
st.header(f"The most deprived areas furthest from a {words.site}")
st.markdown(beyond_words(access.authority.iloc[0].to_dict()))
if far.empty:
    st.info(words_for.far_deprived_sentence(far))
else:
    chart, said = st.columns([3, 2])
    chart.markdown(svg_figures.far_deprived_chart(far), unsafe_allow_html=True)
    with said:
        st.markdown(words_for.far_deprived_sentence(far))
    common.table(far, file_name=f"deprived_areas_furthest_{s.as_at}.csv", key="best_start_far",
                 column_config={"distance_km": st.column_config.NumberColumn("Distance (km)", format="%.1f")})
common.definitions(*_defined("Distance to the nearest site", "Beyond 1, 2, 3 km", "Most deprived areas"))

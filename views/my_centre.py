"""My centre: one centre's figures, ready for an inspection, with the data behind each one."""

from functools import partial

import streamlit as st

from reach.domain.breakdowns import centre_and_authority_trend, lsoa_gaps
from reach.domain.measures import DEPRIVED, is_overdue
from reach.domain.months import quarter_ends
from reach.domain.stats import interval_for
from reach.domain.suppression import STANDARD
from reach.presentation import report_files, report_html, svg_figures
from reach.presentation import format as fmt
from reach.presentation.evidence import evidence_pack, key_figures, readable
from reach.presentation.safe_text import file_name as safe_file_name, markdown_text
from reach.presentation.summaries import (band_range, deprived_sentence, gaps_sentence, interval_sentence,
                                          lag_sentence, long_date, newborn_sentence, reach_sentence, trend_sentence,
                                          under_two_sentence, unmatched_sentence, versus, versus_words)
from reach.queries.loaded import loaded_data
from reach.queries.mapdata import lsoa_names
from reach.queries.publication import centre_tables, published_figures
from reach.queries.report_tables import report_tables
from reach.queries.target_groups import target_groups, with_all_centres
from reach.queries.worklist import unmatched_births, unmatched_counts
from views import auth, common
from reach.presentation.wording import reword

TILE_WIDTH = 168      # px: five tiles side by side on a wide screen, wrapping onto more rows on a narrow one

s = common.settings()
centres = common.report("centre")
authority = common.report("authority")
whole = authority.iloc[0]

st.title(reword("My centre"))
if centres.empty:
    st.info(reword("There are no centres yet. Import a list of centres and their reach areas on the Data page."))
    st.stop()

names = dict(zip(centres["centre_id"], centres["centre_name"]))
ids = list(names)
# The shared rule (views/common.py): open on the last centre the person chose on any page, and
# remember only a choice made here, never what the page opened on.
centre_id = st.selectbox(reword("Centre"), ids, index=ids.index(common.opening_centre(ids)),
                         format_func=lambda c: f"{names[c]} ({c})", key="centre",
                         on_change=common.remember_centre, args=("centre",))
row = centres[centres["centre_id"] == centre_id].iloc[0]
name = row["centre_name"]
shown_name = markdown_text(name)      # the name inside Markdown (captions, sentences)
place = f"{shown_name}'s reach area"
loaded = common.cached(loaded_data, as_at=s.as_at, centre_id=centre_id)
lsoa_name_table = common.cached(lsoa_names)
st.caption(reword(f"Figures as at {long_date(s.as_at)}, compared with all centres together."))

# --- the headline -----------------------------------------------------------------------------


def _tile(tiles, label: str, value: str, *, figure=None, comparator=None, help: str | None = None) -> None:
    """One headline figure; with a comparator, the gap to all centres as its arrow (none when the
    two are the same) and in words on hover."""
    delta, words = None, None
    if comparator is not None:
        delta, words = versus(figure, comparator) or None, versus_words(figure, comparator)
    tiles.metric(label, value, delta=delta, help=" ".join(w for w in (help, words) if w) or None,
                 width=TILE_WIDTH, border=True)


tiles = st.container(horizontal=True, gap="small")
_tile(tiles, "Reach", fmt.percent(row["reach_pct"]), figure=row["reach_pct"], comparator=whole["reach_pct"],
      help="Known children as a share of the children under five in the reach area.")
_tile(tiles, "Newborn reach", fmt.percent(row["newborn_reach_pct"]), figure=row["newborn_reach_pct"],
      comparator=whole["newborn_reach_pct"],
      help=reword("Of the babies born in the last 12 complete months, the share the centre knows."))
_tile(tiles, "Families to find",
      fmt.count(row["families_to_find"]) if loaded.population else fmt.NO_FIGURE,
      help=reword(f"More children to know for the centre to reach {s.bands.outstanding:g}% of its under-fives.")
      if loaded.population else "No population estimate is loaded for this reach area yet.")
_tile(tiles, "Reach under two", fmt.percent(row["reach_under2_pct"]) if loaded.population else fmt.NO_FIGURE,
      figure=row["reach_under2_pct"] if loaded.population else None, comparator=whole["reach_under2_pct"],
      help="Known children under two as a share of the children under two in the reach area"
      + (", partly estimated as two fifths of the under-fives." if bool(row["under2_estimated"]) else ".")
      if loaded.population else "No population estimate is loaded for this reach area yet.")
_tile(tiles, "Families to find under two",
      fmt.count(row["families_to_find_under2"]) if loaded.population else fmt.NO_FIGURE,
      help=reword(f"More children under two to know for the centre to reach {s.bands.outstanding:g}% of its "
                  "under-twos.")
      if loaded.population else "No population estimate is loaded for this reach area yet.")
_tile(tiles, "Unmatched births", fmt.count(row["unmatched_births"]) if loaded.births else fmt.NO_FIGURE,
      help=reword("Children health has passed on who are not registered with any centre: the worklist below.")
      if loaded.births else "No birth data is loaded yet.")
_tile(tiles, "Sustained contact", fmt.percent(row["sustained_pct"]) if loaded.contacts else fmt.NO_FIGURE,
      figure=row["sustained_pct"] if loaded.contacts else None, comparator=whole["sustained_pct"],
      help=f"{fmt.count(row['sustained_contact'])} children with at least three contacts in 12 months."
      if loaded.contacts else "No contacts are loaded yet.")
st.caption(reword("The arrows compare each figure with all centres together, in percentage points; "
           "a figure with no arrow is the same as all centres."))

# The evidence pack, near the top: the publication switch now, the download once the tables
# below are worked out (one code path for both versions of the pack).
pack_row = st.container(horizontal=True, vertical_alignment="center", gap="medium")
published = pack_row.toggle("Prepare for publication (hide counts from 1 to 4)", key="publishable",
                            help="Counts from 1 to 4, and any figure that would let one be worked out, are "
                                 "replaced by 'c', checked across every table Reach publishes. Use this for "
                                 "anything shared outside the council.")

# --- reach against the bands ------------------------------------------------------------------
st.header("Reach against the indicative bands")
interval = interval_for(row["known_children"], row["children_under5"])
chart, words = st.columns([3, 2])
chart.markdown(svg_figures.bullet_chart(value_pct=row["reach_pct"], interval=interval, bands=s.bands, label=name,
                                        comparator_pct=whole["reach_pct"],
                                        missing_words="No figure: no children under five recorded"
                                        if loaded.population else "No figure: no population estimate loaded"),
               unsafe_allow_html=True)
with words:
    st.markdown(f"**Indicative band: {band_range(row['band'], s.bands)}**" if loaded.population
                else "**Indicative band: none yet**")
    st.markdown(reach_sentence(row, bands=s.bands, place=place, population_loaded=loaded.population))
    if interval:
        st.markdown(interval_sentence(interval))
    if loaded.population:
        st.markdown(under_two_sentence(row, bands=s.bands, place=place))
    st.markdown(newborn_sentence(row, births_loaded=loaded.births))
    if bool(row["denominator_flagged"]):
        st.warning(f"The population estimate is flagged: {markdown_text(row['denominator_note'])}.")
    common.definitions("Reach", "Indicative band", "Confidence interval", "Newborn reach", "Reach under two",
                       "Families to find under two", "Children under two")

# --- where the families to find live ----------------------------------------------------------
st.header("Where the families to find live")
gaps = lsoa_gaps(common.report("lsoa"), centre_id=centre_id, names=lsoa_name_table)
chart, words = st.columns([3, 2])
chart.markdown(svg_figures.lsoa_gaps_chart(gaps), unsafe_allow_html=True)
with words:
    st.markdown(gaps_sentence(gaps, centre_to_find=int(row["families_to_find"]),
                              population_loaded=loaded.population))
    common.definitions("Families to find", "LSOA")
common.table(gaps, file_name=f"lsoas_{centre_id}_{s.as_at}.csv", key="gaps",
             column_config=common.percent_columns(gaps))

# --- the outreach worklist --------------------------------------------------------------------
st.header("Unmatched births: the outreach worklist")
counts = common.cached(unmatched_counts, as_at=s.as_at, centre_id=centre_id)      # with the LSOAs' names
worklist = common.cached(unmatched_births, as_at=s.as_at, centre_id=centre_id)
# Record-level data (the worklist, and the unmatched births by LSOA and month of birth, nearly all
# below 5) only for whoever may see this centre's records (reach.domain.roles); counts for everyone.
person = common.person()
records = person.sees_records_of(centre_id)
chart, words = st.columns([3, 2])
if records:
    chart.markdown(svg_figures.unmatched_chart(counts, births_loaded=loaded.births), unsafe_allow_html=True)
else:
    if person.centres:                # a centre manager looking at another centre's: an attempt, recorded
        auth.refuse_once(person, "worklist", centre_id=centre_id)
    chart.info(markdown_text(
        f"The worklist and the unmatched births by LSOA and month are record-level data, shown only to the "
        f"managers of {name} and to data officers. You are signed in as a {person.role_name}."))
with words:
    st.markdown(unmatched_sentence(len(worklist), place=place, births_loaded=loaded.births,
                                   registrations_loaded=loaded.registrations))
    st.markdown(lag_sentence(row["birth_data_lag_days"], as_at=s.as_at))
    common.definition("Unmatched births")
    if records and len(worklist):
        common.download(worklist, file_name=f"worklist_{centre_id}_{s.as_at}.csv", key="worklist",
                        label="Download the worklist (pseudonymised)",
                        audit=auth.download_audit(person, centre_id=centre_id, row_count=len(worklist),
                                                  detail=f"worklist as at {s.as_at}"))
        st.caption(reword("One row per child: the child's pseudonymised key, date of birth, LSOA and its name, birth "
                   "or arrival, and when health first passed them on. It holds no NHS number, name or address: "
                   "for names and addresses, the data lead runs `python -m reach worklist` with the health "
                   "extract they hold. A working list for the centre, not for publication."))
if records and len(counts):
    common.table(counts.drop(columns="centre_id"), file_name=f"unmatched_by_lsoa_month_{centre_id}_{s.as_at}.csv",
                 key="unmatched_counts",
                 audit=auth.download_audit(person, centre_id=centre_id, row_count=len(counts),
                                           detail=f"unmatched births by LSOA and month as at {s.as_at}"),
                 column_config={"birth_month": st.column_config.DateColumn("Month of birth", format="MMM YYYY")})
if loaded.births and is_overdue(row["birth_data_lag_days"]):
    st.warning("Birth data for this area is overdue: the worklist may be missing recent births.")

# --- target groups ----------------------------------------------------------------------------
st.header("Target groups")
groups = common.cached(target_groups, as_at=s.as_at, centre_id=centre_id, options=s.options)
everyone = common.cached(target_groups, as_at=s.as_at, centre_id=None, options=s.options)
groups = with_all_centres(groups, everyone)
deprived = groups[groups["group"] == DEPRIVED].iloc[0]
chart, words = st.columns([3, 2])
chart.markdown(svg_figures.target_groups_chart(groups, everyone, label=name), unsafe_allow_html=True)
with words:
    st.markdown(deprived_sentence(deprived, deprivation_loaded=loaded.deprivation,
                                  population_loaded=loaded.population))
    if loaded.registrations:
        st.markdown(reword("The other groups are recorded at registration, and no population figure exists for them: "
                    "each is shown as a share of the known children, beside the same share for all centres."))
    else:
        st.markdown("The other groups are recorded at registration. No registrations have been loaded yet, "
                    "so they cannot be shown.")
    common.definition("Most deprived areas")
area_columns = ["group_name", "children_under5", "known_children", "reach_pct", "all_centres_reach_pct",
                "sustained_contact", "sustained_pct"]
flag_columns = ["group_name", "known_children", "share_of_known_pct", "all_centres_share_of_known_pct",
                "sustained_contact"]
group_config = {
    "group_name": st.column_config.TextColumn("Group"),
    "share_of_known_pct": st.column_config.NumberColumn("Share of known children", format="%.1f%%"),
    "all_centres_reach_pct": st.column_config.NumberColumn(reword("Reach %, all centres"), format="%.1f%%"),
    "all_centres_share_of_known_pct": st.column_config.NumberColumn(reword("Share, all centres"), format="%.1f%%"),
    "reach_pct": st.column_config.NumberColumn("Reach %", format="%.1f%%"),
    "sustained_pct": st.column_config.NumberColumn("Sustained %", format="%.1f%%"),
}
common.table(groups[groups["group"] == DEPRIVED][area_columns], file_name=f"most_deprived_{centre_id}_{s.as_at}.csv",
             key="deprived", column_config=group_config)
common.table(groups[groups["group"] != DEPRIVED][flag_columns], file_name=f"target_groups_{centre_id}_{s.as_at}.csv",
             key="groups", column_config=group_config)

# --- the trend --------------------------------------------------------------------------------
st.header("Reach month by month")
trend = centre_and_authority_trend(common.trend(by="centre"), common.trend(by="authority"), centre_id=centre_id)
trend["series"] = trend["series"].where(trend["series"] != "All centres", reword("All centres"))
mine = trend[trend["series"] == name]
chart, words = st.columns([3, 2])
chart.markdown(svg_figures.trend_chart(trend, bands=s.bands, series="series", title="Reach by month"),
               unsafe_allow_html=True)
with words:
    st.markdown(trend_sentence(mine, population_loaded=loaded.population))
    st.caption(reword(f"The solid line is {shown_name}; the dotted line is all centres together, for comparison."))
with st.expander("The trend as a table"):
    common.table(trend, file_name=f"trend_{centre_id}.csv", key="trend",
                 column_config={"series": st.column_config.TextColumn(reword("Centre")),
                                **common.percent_columns(trend)})

# --- the data behind every figure -------------------------------------------------------------
st.header("The data behind every figure")
if published:
    with st.spinner("Checking that no hidden figure can be worked out from the others..."):
        protected = common.cached(published_figures, as_at=s.as_at, options=s.options)
        # The trend for publication: the end of each quarter, each protected as at its own date.
        quarters = quarter_ends(until=s.as_at, months=common.TREND_MONTHS)
        trend_points = [common.cached(published_figures, as_at=day, options=s.options) for day in quarters]
    shown_row = protected.tables["centre"].set_index("centre_id").loc[centre_id].copy()
    shown_row["centre_id"] = centre_id
    shown_whole = protected.tables["authority"].iloc[0]
    pack_tables = centre_tables(protected, centre_id=centre_id, trend=trend_points, names=lsoa_name_table)
    rule = protected.rule
else:
    shown_row, shown_whole, rule = row, whole, None
    pack_tables = {"lsoas": gaps, "target_groups": groups, "trend": trend,
                   **({"unmatched_by_lsoa_month": counts} if records else {})}
figures = key_figures(shown_row, shown_whole, interval=interval, published=published)
common.table(readable(figures).drop(columns="measure"), file_name=f"key_figures_{centre_id}_{s.as_at}.csv",
             key="key_figures", height=36 * (len(figures) + 1) + 4,
             column_config={"figure": st.column_config.TextColumn("Figure"),
                            "centre": st.column_config.TextColumn(name),
                            "all_centres": st.column_config.TextColumn(reword("All centres"))})
if published:
    st.caption(rule.describe() + " In the pack, the trend shows the end of each quarter; the unmatched "
               "births by month of birth are left out, since nearly every count in them is below 5.")
st.caption("The evidence pack (the button at the top of the page) holds a summary with every definition, "
           "the key figures and each table on this page as CSV files. It never holds the worklist of "
           "unmatched children.")
pack = evidence_pack(centre=shown_row, authority=shown_whole, interval=interval, as_at=s.as_at, bands=s.bands,
                     rule=rule, tables=pack_tables)
common.download_button("Download the evidence pack (zip)" + (" for publication" if published else ""), pack,
                       file_name=safe_file_name(f"evidence_{centre_id}_{s.as_at}"
                                                f"{'_publication' if published else ''}.zip"),
                       mime="application/zip", key="download_evidence_pack", place=pack_row, type="primary",
                       audit=auth.download_audit(person, centre_id=centre_id, row_count=len(counts),
                                                 detail=f"evidence pack as at {s.as_at}, with the unmatched "
                                                        "births by LSOA and month")
                       if "unmatched_by_lsoa_month" in pack_tables and len(counts) else None,
                       help="A summary with every definition, the key figures and each table on this page, "
                            "as CSV files; never the worklist of unmatched children.")


def _report_file(kind: str, *, centre_id: str, as_at, options, publication: bool) -> bytes:
    """The centre's report as `python -m reach export` writes it (one code path), built only when
    its button at the top of the page is pressed: an Excel workbook ("xlsx") or a web page that
    prints on A4 ("html")."""
    report = common.cached(report_tables, as_at=as_at, centre_id=centre_id, options=options,
                           rule=STANDARD if publication else None)
    return report_html.html_file(report) if kind == "html" else report_files.workbook(report)


for report_kind, report_format, report_mime in (
        ("xlsx", "Excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("html", "web page, prints to A4", "text/html")):
    pack_row.download_button(
        f"Download the report ({report_format})" + (" for publication" if published else ""),
        partial(_report_file, report_kind, centre_id=centre_id, as_at=s.as_at, options=s.options,
                publication=published),
        file_name=safe_file_name(f"reach_centre_{centre_id}_{s.as_at}{'_publication' if published else ''}"
                                 f".{report_kind}"),
        mime=report_mime, key=f"download_report_{report_kind}", on_click="ignore",
        help=reword("The key figures against all centres, the LSOAs, the target groups, the trend, how up to date "
             "the birth data is, the definitions and the files the figures come from: the same report as the "
             "export command. Prepared for publication when the switch is on. Never the worklist."))

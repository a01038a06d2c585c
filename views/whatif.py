"""What if: the share of under-fives a centre would know if birth data were shared more often,
arrived sooner or included families who move in, with every sharing option side by side."""

from datetime import date

import streamlit as st

from data.dates import parse_date
from reach.domain.months import add_months
from reach.domain.whatif import SHARING_OPTIONS, Projection, projections_by_sharing
from reach.presentation import format as fmt
from reach.presentation.safe_text import markdown_text
from reach.presentation.summaries import long_date, versus
from reach.presentation.whatif_figures import paths_svg, steady_state_svg
from reach.presentation.whatif_sentences import (against_words, crossing_sentence, dip_sentence, headline_sentence,
                                                 movement_sentence, origin_words, steady_state_sentence,
                                                 target_sentence, target_words)
from reach.presentation.whatif_settings import (AUTHORITY, CHOICE_NAMES, LONGEST_HORIZON_MONTHS, PARAMETER_WORDS,
                                                SHARING_LABELS, SLIDERS, Choices, Link, calibration_with,
                                                changed_choices, choices_from, link_query, query_string, read_link,
                                                sharing_words, slider_high, todays_sharing_assumed)
from reach.presentation.whatif_tables import (OUT_OF_REACH, calibration_table, paths_table, steady_state_table,
                                              under_two_paths)
from reach.queries.calibration import calibrate, known_share_by_age, known_share_by_age_under_two, under_two_projection
from reach.queries.loaded import loaded_data
from views import common
from reach.presentation.wording import reword

CENTRE_KEY, UNTIL_KEY = "whatif_centre", "whatif_until"
AGES_KEY = "whatif_paths_ages"             # the month-by-month chart: under-fives or under-twos
UNDER_FIVES, UNDER_TWOS = "Under-fives", "Under-twos"
KEYS = {name: f"whatif_{name}" for name in CHOICE_NAMES}
SCENARIO_FOR_KEY = "whatif_scenario_for"   # the centre and date the settings were last started from
LINK_AS_AT_KEY = "whatif_link_as_at"       # the figures' date of the link the page opened from

s = common.settings()
# The target is the outstanding threshold set in the sidebar, as for families to find.
target_share = s.bands.target_share
TARGET = target_words(target_share)
centres = common.report("centre")
names = dict(zip(centres["centre_id"], centres["centre_name"]))
options = [AUTHORITY, *names]
earliest, latest = s.as_at, add_months(s.as_at, LONGEST_HORIZON_MONTHS)

st.title("What if")
st.caption(f"What share of the under-fives would be known if health shared birth data more often, sooner, "
           f"or with the families who move in? Starting from the figures as at {long_date(s.as_at)}.")
if centres.empty:
    st.info(reword("There are no centres yet, so there is nothing to model. Import the list of centres and their "
            "reach areas first, on the Data page."))
    st.stop()

# --- a link is read when the page opens; after that the page itself keeps the link up to date --
opening = any(key not in st.session_state for key in (CENTRE_KEY, UNTIL_KEY, *KEYS.values()))
if opening:
    link = read_link(st.query_params.to_dict(), centres=names, earliest=earliest, latest=latest,
                     read_date=parse_date)
    st.session_state[LINK_AS_AT_KEY] = link.values.get("as_at")
else:
    link = Link(values={}, problems=())
for problem in link.problems:      # each quotes what the link said: escaped, never Markdown
    st.warning(markdown_text(problem), icon=":material/link_off:")


def use_link_date(day: date) -> None:
    """Set the figures' date to the link's, keeping the scenario the link set."""
    st.session_state[common.AS_AT] = day
    st.session_state[SCENARIO_FOR_KEY] = (st.session_state.get(CENTRE_KEY), day)


# The sidebar opens on the link's figures' date at the start of a session; a link opened later,
# or a date changed since, leaves the figures as at another date: say so, and offer the link's.
link_as_at = st.session_state.get(LINK_AS_AT_KEY)
if link_as_at == s.as_at:
    st.session_state[LINK_AS_AT_KEY] = None          # the same figures as the sender's: nothing to say
elif isinstance(link_as_at, date):
    st.warning(f"This link was made with the figures as at {long_date(link_as_at)}; these are as at "
               f"{long_date(s.as_at)}, so the numbers may differ from the sender's.", icon=":material/event:")
    st.button(f"Use the link's date, {long_date(link_as_at)}", key="whatif_link_as_at_button",
              on_click=use_link_date, args=(link_as_at,), disabled=link_as_at > date.today())

# The centre: a link's when the page opens from one; otherwise the person's last choice (one
# centre or the whole authority), by the rule every page shares. Opening never changes that choice.
if opening and "centre" in link.values:
    st.session_state[CENTRE_KEY] = link.values["centre"]
elif st.session_state.get(CENTRE_KEY) not in options:
    st.session_state[CENTRE_KEY] = common.opening_centre(options, all_option=AUTHORITY)
if opening and "under_twos" in link.values:
    st.session_state[AGES_KEY] = UNDER_TWOS if link.values["under_twos"] else UNDER_FIVES
elif AGES_KEY not in st.session_state:
    st.session_state[AGES_KEY] = UNDER_FIVES
chosen_until = st.session_state.get(UNTIL_KEY)
if not (isinstance(chosen_until, date) and earliest <= chosen_until <= latest):
    st.session_state[UNTIL_KEY] = link.values.get("until", add_months(s.as_at, 12))

choose, when = st.columns(2)
centre = choose.selectbox(reword("Centre"), options, key=CENTRE_KEY,
                          format_func=lambda option: "The whole authority" if option == AUTHORITY else names[option],
                          on_change=common.remember_centre, args=(CENTRE_KEY, AUTHORITY),
                          help=reword("Model one centre's reach area, or every reach area together."))
until = when.date_input("Inspection date", key=UNTIL_KEY, min_value=earliest, max_value=latest, format="YYYY-MM-DD",
                        help="The date to project reach to: by default a year after the figures' date.")
centre_id = None if centre == AUTHORITY else centre
area = names.get(centre_id, "the authority")      # plain text: escape it for Markdown

try:
    calibration = common.cached(calibrate, as_at=s.as_at, centre_id=centre_id)
except ValueError as error:
    st.warning(reword(f"{markdown_text(error)} Choose another centre, or import its reach area on the Data page."))
    st.stop()
start = choices_from(calibration)

# Each setting starts at the data's value for this centre and date; choosing another centre or
# date starts them again from its data.
starting_afresh = st.session_state.get(SCENARIO_FOR_KEY) != (centre, s.as_at)
for name, key in KEYS.items():
    if starting_afresh or key not in st.session_state:
        st.session_state[key] = link.values.get(name, getattr(start, name))
st.session_state[SCENARIO_FOR_KEY] = (centre, s.as_at)


def start_again(values: Choices) -> None:
    for name, key in KEYS.items():
        st.session_state[key] = getattr(values, name)


# What each slider means, in the order of `SLIDERS`.
SLIDER_WORDS = {
    "contact": reword("Of the families named in the birth data, the share the centre goes on to register."),
    "other": reword("Each month, the share of families not yet known who come to the centre another way: "
             "self-referral, health visitors, partners."),
    "churn": "Each month, the share of under-fives who move away and are replaced by newcomers.",
    "delay": reword("Months from the end of the period the data covers to the data reaching the centre."),
}


def rate_slider(name: str) -> float:
    """One of the model's rates (or the delay) as a slider: its range, step and unit from
    `SLIDERS`, the top raised to the data's value where that lies above it."""
    slider = SLIDERS[name]
    return st.slider(f"{PARAMETER_WORDS[name]} ({slider.unit.strip()})", slider.low, slider_high(name, calibration),
                     step=slider.step, format="%.1f%%" if slider.unit.startswith("%") else "%.1f",
                     key=KEYS[name], help=SLIDER_WORDS[name])


headline = st.container()

# --- the settings ----------------------------------------------------------------------------
st.header("The scenario")
st.caption("Each setting starts at the value worked out from the data, or at a stated default where the data "
           "cannot say. Change any of them to see what would happen.")
# The settings in the order of `Choices`, three to a row: sharing, contact, other; churn, delay, arrivals.
column_of = dict(zip(CHOICE_NAMES, [*st.columns(3), *st.columns(3)]))
chosen_values: dict = {}
with column_of["sharing"]:
    chosen_values["sharing"] = st.radio(
        PARAMETER_WORDS["sharing"], list(SHARING_OPTIONS), key=KEYS["sharing"], horizontal=True,
        format_func=SHARING_LABELS.get,
        help="How often health passes on the records of new births (and, if shared, arrivals).")
for name in SLIDERS:
    with column_of[name]:
        chosen_values[name] = rate_slider(name)
with column_of["arrivals"]:
    chosen_values["arrivals"] = st.toggle(
        PARAMETER_WORDS["arrivals"], key=KEYS["arrivals"],
        help="Whether the data health shares includes children who move into the area, or births only.")
choices = Choices(**chosen_values)
sharing = choices.sharing
changed = set(changed_choices(calibration, choices))
for name, column in column_of.items():
    column.caption(markdown_text(origin_words(name, calibration, changed=name in changed)))
st.button("Start again from the data", key="whatif_reset", on_click=start_again, args=(start,),
          disabled=not changed, icon=":material/restart_alt:")

scenario = calibration_with(calibration, choices).scenario()
# Today's position: the report's own figures (as `current_position` reads them), from the report
# every page shares, so nothing is worked out twice.
position = (common.report("authority") if centre_id is None else centres[centres["centre_id"] == centre_id]).iloc[0]
known, under_five = int(position["known_children"]), float(position["children_under5"])
loaded = common.cached(loaded_data, as_at=s.as_at, centre_id=centre_id)
chosen_name = sharing_words(sharing)
# Today's sharing is the data's; where the data cannot show it (no birth data loaded for the
# area, or a single delivery), the stated default stands in and the headline says it is assumed.
today_sharing = start.sharing
today_assumed = todays_sharing_assumed(calibration, births_loaded=loaded.births)

# --- the headline ----------------------------------------------------------------------------
steady = steady_state_table(scenario, target_share=target_share)
projections: dict[str, Projection] | None = None
under_twos_now: tuple[int, float] | None = None     # the under-twos known and counted today, where there are any
if under_five > 0 and loaded.population and loaded.registrations:
    by_age = common.cached(known_share_by_age, as_at=s.as_at, centre_id=centre_id, under_five=under_five)

    def paths_for(model) -> dict[str, Projection]:
        return projections_by_sharing(scenario=model, known=known, under_five=under_five, start=s.as_at,
                                      until=until, known_share_by_age=by_age, target_share=target_share)

    projections = paths_for(scenario)
    chosen = projections[sharing]
    # Any setting changed is set against the scenario from the data: with only the sharing
    # changed, that is today's sharing with the same other settings.
    compared: Projection | None = None
    if changed == {"sharing"}:
        compared = projections[today_sharing]
    elif changed:
        compared = paths_for(calibration.scenario())[today_sharing]
    compared_words = against_words(calibration, choices)
    with headline:
        st.markdown("**" + markdown_text(headline_sentence(chosen=chosen, compared=compared, calibration=calibration,
                                                           choices=choices, today_assumed=today_assumed,
                                                           area_name=area)) + "**")
        st.markdown(" ".join(part for part in (
            dip_sentence(chosen),
            movement_sentence(chosen),
            crossing_sentence(chosen, known=known, under_five=under_five, known_share_by_age=by_age),
            target_sentence(scenario, target_share=target_share)) if part))
        figures = st.columns(3)
        figures[0].metric("Reach now", fmt.percent(chosen.path[0]["reach_pct"]),
                          help=f"{fmt.count(known)} of {fmt.count(under_five)} under-fives known on "
                               f"{long_date(s.as_at)}: the figure the other pages show.")
        # The change against today's way of working, when there is one: none for a figure that is the same.
        gap = versus(chosen.reach_at_until, compared.reach_at_until) if compared is not None else ""
        figures[1].metric(f"Reach in {until:%B %Y}", fmt.percent(chosen.reach_at_until), delta=gap or None,
                          delta_description=compared_words if gap else None,
                          help=f"With {chosen_name}: the average over that month."
                               + (f" {fmt.percent(compared.reach_at_until)} {compared_words}."
                                  if compared is not None else ""))
        figures[2].metric("Reach in the long run", fmt.percent(chosen.steady_state_pct),
                          help=f"With {chosen_name}, once today's under-fives have grown up.")
        known_under2, under_two = int(position["known_under2"]), float(position["children_under2"])
        if under_two > 0:
            # The chosen option's path, as the opening figures store it; the others when the chart asks.
            younger = common.cached(under_two_projection, scenario=scenario, known=known_under2, under_two=under_two,
                                    start=s.as_at, until=until, centre_id=centre_id, target_share=target_share)
            under_twos_now = (known_under2, under_two)
            young = st.columns(3)
            young[0].metric("Reach under two now", fmt.percent(younger.path[0]["reach_pct"]),
                            help=f"{fmt.count(known_under2)} of {fmt.count(under_two)} children under two known on "
                                 f"{long_date(s.as_at)}.")
            young[1].metric(f"Under two in {until:%B %Y}", fmt.percent(younger.reach_at_until),
                            help=f"With {chosen_name}: reach among the children aged 0 and 1, the average over "
                                 "that month.")
            young[2].metric("Under two in the long run", fmt.percent(younger.steady_state_pct),
                            help=f"With {chosen_name}: the same model followed for the children aged 0 and 1 only.")
            st.markdown(movement_sentence(younger, subject="Reach under two", group="the under-twos",
                                          settles_beside=chosen.steady_state_pct))
            if bool(position["under2_estimated"]):
                st.caption("Part of the number of children under two is estimated (as two fifths of the "
                           "under-fives where the estimate gives only ages 0 to 4).")
        common.definitions("Reach", "Reach under two")
else:
    with headline:
        missing: str | None
        if not loaded.population:
            missing = "No population estimate has been loaded"
        elif not loaded.registrations:
            missing = "No registrations have been loaded"
        else:
            missing = None
        if missing:
            st.info(f"{missing} for {markdown_text(area)} yet, so today's reach cannot be worked out and there is "
                    "nothing to project from: import them on the Data page. The long-run figures below show what "
                    "each sharing option would give with the settings as they are.")
        else:
            st.info(f"The population estimates give no children under five in {markdown_text(area)}, so there "
                    "is nothing to project. The long-run figures below still show what each sharing option "
                    "would give.")

# --- every sharing option side by side -------------------------------------------------------
st.header("Every sharing option side by side")
st.caption("Only how often birth data is shared changes; the other settings stay as chosen above.")
long_run, over_time = st.columns(2, gap="large")
with long_run:
    st.subheader("In the long run")
    st.markdown(steady_state_svg(steady, chosen=sharing, target_share=target_share), unsafe_allow_html=True)
    st.markdown(steady_state_sentence(steady, chosen=sharing, target_share=target_share))
    common.table(steady, file_name=f"whatif_long_run_{centre}_{s.as_at}.csv", key="whatif_steady",
                 column_config={
                     "sharing": st.column_config.TextColumn("Sharing"),
                     "sharing_option": None,       # the option's own name: for the CSV, not shown
                     "long_run_reach_pct": st.column_config.NumberColumn("Long-run reach", format="%.1f%%"),
                     "reaches_target": st.column_config.TextColumn(f"Reaches {TARGET}"),
                     "contact_needed_for_target": st.column_config.TextColumn(f"Contact success needed for {TARGET}"),
                     "long_run_reach_under2_pct": st.column_config.NumberColumn("Long-run reach under two",
                                                                                format="%.1f%%"),
                 },
                 caption=f"'{OUT_OF_REACH}': {TARGET} cannot be reached with that option even if every family "
                         "named in the data registered.")
with over_time:
    st.subheader(f"Month by month to {long_date(until)}")
    if projections is None:
        st.info("No path to show: there is no figure for today to start from.")
    else:
        # Family hubs work from conception to age two: the same paths for the under-twos, one click away.
        ages = st.segmented_control("Children", [UNDER_FIVES, UNDER_TWOS], key=AGES_KEY,
                                    disabled=under_twos_now is None,
                                    help="Reach among the under-fives, or among the children aged 0 and 1.")
        under_twos = ages == UNDER_TWOS and under_twos_now is not None
        if under_twos and under_twos_now is not None:
            known_under2, under_two = under_twos_now
            projections = under_two_paths(
                scenario=scenario, known=known_under2, under_two=under_two, start=s.as_at, until=until,
                known_share_by_age=common.cached(known_share_by_age_under_two, as_at=s.as_at, under_two=under_two,
                                                 centre_id=centre_id),
                target_share=target_share)
        st.markdown(paths_svg(projections, chosen=sharing, until=until, under_two=under_twos), unsafe_allow_html=True)
        st.markdown(reword("Reach climbs each time a share of birth data lands and the centre contacts the families, "
                    "then slips as new babies are born and families move in before the next share: the less "
                    "often data is shared, the deeper the saw-tooth."))
        paths = paths_table(projections)
        common.table(paths, file_name=(f"whatif_by_month_{'under2_' if under_twos else ''}{centre}_{s.as_at}"
                                       f"_to_{until}.csv"), key="whatif_paths",
                     height=320,
                     column_config={"month": st.column_config.TextColumn("Month"),
                                    **{f"reach_pct_{name}": st.column_config.NumberColumn(label, format="%.1f%%")
                                       for name, label in SHARING_LABELS.items()}},
                     caption=f"Reach {'under two ' if under_twos else ''}% under each sharing option. The first row "
                             "is today's figure; each later row is that month's average.")

# --- where the starting values come from -----------------------------------------------------
st.header("Where the starting values come from")
common.table(calibration_table(calibration, choices=choices), key="whatif_calibration",
             file_name=f"whatif_settings_{centre}_{s.as_at}.csv",
             column_config={"parameter": st.column_config.TextColumn("Setting"),
                            "value": st.column_config.TextColumn("Value"),
                            "origin": st.column_config.TextColumn("From"),
                            "starting_value": st.column_config.TextColumn("Starting value"),
                            "starting_origin": st.column_config.TextColumn("Starting value from"),
                            "records": st.column_config.NumberColumn("Records", format="localized"),
                            "how": st.column_config.TextColumn("How the starting value was worked out",
                                                               width="large")},
             caption="Records: how many records stand behind the starting value (none for a default).")
with st.expander("How the model works"):
    st.markdown(
        reword("The model follows every under-five in the area month by month. A baby born here, or (if the data "
        "includes them) a family moving in, is named in the next share of birth data after the delay; the "
        "centre then registers that family at the contact success rate. Families not yet known also find "
        "the centre in other ways at a steady monthly rate, and some families move away and are replaced "
        "by newcomers. The long-run figure is where reach settles; the month-by-month path starts from "
        f"today's known children in {markdown_text(area)}, year of age by year of age."))

# --- the link --------------------------------------------------------------------------------
query = link_query(centre=centre, as_at=s.as_at, until=until, choices=choices,
                   under_twos=st.session_state.get(AGES_KEY) == UNDER_TWOS and under_twos_now is not None)
if st.query_params.to_dict() != query:
    st.query_params.from_dict(query)
st.subheader("Link to this scenario")
st.code((st.context.url or "") + query_string(query), language=None, wrap_lines=True)
st.caption(reword(f"Copy this link to open the page with the same centre, figures' date ({long_date(s.as_at)}), "
           "inspection date, settings and chart. It holds those choices, not the figures and no personal data: the "
           "figures are worked out again from the database of whoever opens it, so they see the same numbers "
           "if their database holds the same data."))

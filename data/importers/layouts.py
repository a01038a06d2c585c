"""What each kind of file must hold: its columns, their aliases, and its accepted layouts.

This is the one home of the columns each kind of file needs (the README's "What each kind of
file needs" lists them; docs/definitions.md says what the figures made from them mean), and
`KINDS` is the one list of the kinds of file Reach imports. Column names in a file match
case-insensitively after trimming; runs of spaces or punctuation count as one underscore, so
"Date of birth" is `date_of_birth` and "LSOA Code" is `lsoa_code`.

Official files spell their columns at length ("LSOA code (2011)", "Income Deprivation Affecting
Children Index (IDACI) Decile (where 1 is most deprived 10% of LSOAs)"). A column is recognised
by its own name, then by an alias, then by a pattern of its meaning (`patterns`, regular
expressions over the normalised header), so the published spellings need no editing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from data.importers.errors import COLUMN_NAME_CHARS, FileFault, columns_found, missing_column, shortened
from data.schema import REGISTRATION_FLAGS

# The kinds of file Reach imports, in the order they are listed: the importers, the command
# line (`import`, `quarantine --kind` and their help) and the Data page all read this one list.
KINDS = (
    "centres",
    "reach-areas",
    "boundaries",
    "population",
    "births",
    "birth-counts",
    "registrations",
    "contacts",
    "postcodes",
    "deprivation",
    "lsoa-lookup",
    "eyfsp",
    "gld-counts",
)

# The target-group flags a registration may carry: the store's list, so the two cannot differ.
FLAG_COLUMNS = REGISTRATION_FLAGS


@dataclass(frozen=True)
class Column:
    """A column Reach reads: its own name, what it means (for messages) and its aliases."""

    name: str
    meaning: str
    aliases: tuple[str, ...] = ()
    heading: str | None = None   # how the column is named to people, where not its own name
    patterns: tuple[str, ...] = ()   # regular expressions over a normalised header, tried last

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every header that counts as this column, in order of preference."""
        return (self.name, *self.aliases)


def _columns(*columns: Column) -> dict[str, Column]:
    return {column.name: column for column in columns}


COLUMNS = _columns(
    Column("centre_id", "the centre's identifier, e.g. its DfE URN",
           ("urn", "unique_reference_number")),
    Column("name", "the centre's name", ("establishmentname", "establishment_name")),
    Column("la_code", "local authority code, E06/E07/E08/E09/E10 followed by 6 digits"),
    Column("group_id", "the group (hub) the centre belongs to"),
    Column("site_type", "family hub or children's centre"),
    # The DfE register (Get Information about Schools): "TypeOfEstablishment (name)",
    # "EstablishmentStatus (name)", "GSSLACode (name)", "Easting", "Northing".
    Column("establishment_type", "the type of establishment, e.g. Family hub or Children's centre",
           ("typeofestablishment_name", "type_of_establishment_name", "type_of_establishment",
            "typeofestablishment")),
    Column("establishment_status", "Open or Closed",
           ("establishmentstatus_name", "establishment_status_name")),
    Column("gss_la_code", "local authority code, E06/E07/E08/E09/E10 followed by 6 digits",
           ("gsslacode_name", "gsslacode", "gss_la_code_name")),
    Column("easting", "Easting, metres on the British National Grid"),
    Column("northing", "Northing, metres on the British National Grid"),
    Column("postcode", "postcode",
           ("pcds", "pcd", "pcd7", "pcd8", "pcd2", "postcodenatural", "postcode_natural", "postcode7",
            "postcode8", "postcode_7", "postcode_8", "post_code", "postcode_7_char", "postcode_8_char")),
    Column("lon", "longitude, WGS84 degrees", ("long", "longitude")),
    Column("lat", "latitude, WGS84 degrees", ("latitude",)),
    Column("lsoa_code", "LSOA code, E01 followed by 6 digits",
           ("lsoa21cd", "lsoa21", "lsoa11cd", "lsoa11", "area_code"),
           # "LSOA 2021 Code", "LSOA code (2011)", "lsoa21_code", "Lower layer Super Output Area
           # code 2021", and Nomis's "geography code"; 2021 spellings come first.
           patterns=(r"(lsoa|lower_layer_super_output_areas?)_?(20)?21_?(cd|code)",
                     r"(lsoa|lower_layer_super_output_areas?)_?(cd|code)_?(20)?21",
                     r"(lsoa|lower_layer_super_output_areas?)_?(20)?(11)?_?(cd|code)(_?(20)?11)?",
                     r"geography_code")),
    Column("children_0_4", "number of children aged 0 to 4",
           # Nomis's Census tables by five-year band: "Age: Aged 4 years and under".
           patterns=(r"(age_)?aged_4_years_and_under",)),
    Column("children_0_1", "number of children aged 0 and 1 (blank where not known)"),
    Column("period", "the estimate's date, YYYY-MM-DD, or its year", ("date",)),
    Column("sex", "Persons, Males or Females"),
    # Single years of age: ONS's "0", "1", ...; Nomis's Census tables "Age: Aged under 1 year",
    # "Age: Aged 1 year", "Age: Aged 2 years".
    *(Column(f"age_{age}", f"number of residents aged {age}", (str(age),), heading=str(age),
             patterns=(r"(age_)?aged_under_1_year" if age == 0 else rf"(age_)?aged_{age}_years?",))
      for age in range(5)),
    # ONS small area estimates since mid-2021: one row per LSOA, a column per sex and year of age.
    *(Column(f"{sex}{age}", f"number of {words} aged {age}", (f"{sex}_{age}",), heading=f"{sex.upper()}{age}")
      for sex, words in (("f", "females"), ("m", "males")) for age in range(5)),
    Column("indicator", 'the age band, e.g. "Aged 4 years and under"'),
    Column("value", "the number of residents in the age band"),
    Column("child_key", "the child's pseudonymised key"),
    Column("nhs_number", "the child's NHS number, 10 digits", ("nhs_no",)),
    Column("dob", "date of birth, YYYY-MM-DD", ("date_of_birth",)),
    Column("received_on", "the date the data arrived, YYYY-MM-DD"),
    Column("event", "birth or arrival"),
    Column("arrived_on", "the date the child arrived in the area, YYYY-MM-DD"),
    Column("registered_on", "the date of registration, YYYY-MM-DD", ("registration_date",)),
    Column("family_key", "the family's identifier"),
    *(Column(flag, "yes or no") for flag in FLAG_COLUMNS),
    Column("contact_on", "the date of the contact, YYYY-MM-DD", ("contact_date",)),
    Column("activity", "what the contact was"),
    Column("month", "month of birth, YYYY-MM"),
    Column("births", "number of live births"),
    Column("idaci_decile", "IDACI decile, 1 = most deprived; the English Indices of Deprivation give it in "
                           "File 3 and File 7",
           patterns=(r".*(idaci|income_deprivation_affecting_children).*decile.*",)),
    Column("idaci_rank", "IDACI rank among all LSOAs in England, 1 = most deprived",
           patterns=(r".*(idaci|income_deprivation_affecting_children).*rank.*",)),
    Column("idaci_score", "IDACI score (the rate), higher = more deprived",
           patterns=(r".*(idaci|income_deprivation_affecting_children).*score.*",)),
    Column("index_domain", 'the index, e.g. "Income Deprivation Affecting Children"'),
    Column("decile", "decile, 1 = most deprived"),
    Column("year", "the edition's year, e.g. 2019"),
    Column("edition", "the edition's year, e.g. 2019"),
    # Outcomes at five: the EYFSP child by child, and its good level of development as counts.
    Column("assessment_year", "the year the school year ends, e.g. 2025, or 2024/25",
           ("academic_year", "time_period", "school_year")),
    Column("gld", "good level of development: Y or N for a child, or a number of children",
           ("good_level_of_development", "gld_achieved", "achieved_gld")),
    Column("fsm", "eligible for free school meals: Y or N", ("fsm_eligible", "free_school_meals")),
    Column("assessed", "number of children assessed", ("number_assessed", "children_assessed")),
    Column("fsm_assessed", "number of children eligible for free school meals assessed"),
    Column("fsm_gld", "number of children eligible for free school meals with a good level of development"),
    Column("lsoa11cd", "LSOA 2011 code, E01 followed by 6 digits", ("lsoa11",)),
    Column("lsoa21cd", "LSOA 2021 code, E01 followed by 6 digits", ("lsoa21",)),
)


@dataclass(frozen=True)
class Layout:
    """One accepted arrangement of a kind's file.

    `required` lists groups of alternatives: each group needs at least one of its columns.
    `marker` is a column whose presence says the file is in this layout.
    """

    name: str
    required: tuple[tuple[str, ...], ...]
    optional: tuple[str, ...] = ()
    marker: str | None = None

    @property
    def wanted(self) -> tuple[str, ...]:
        return tuple(name for group in self.required for name in group) + self.optional

    def describe(self) -> str:
        def shown(name: str) -> str:
            return COLUMNS[name].heading or name

        return f"{self.name} ({', '.join(' or '.join(map(shown, group)) for group in self.required)})"


_PEOPLE = (("child_key", "nhs_number"),)
_RESIDENCE = (("lsoa_code", "postcode"),)

LAYOUTS: dict[str, tuple[Layout, ...]] = {
    "centres": (
        Layout("a list of centres", (("centre_id",), ("name",)),
               ("la_code", "group_id", "postcode", "lon", "lat", "site_type")),
        Layout("the DfE register (Get Information about Schools)",
               (("centre_id",), ("name",), ("establishment_type",)),
               ("establishment_status", "la_code", "gss_la_code", "postcode", "easting", "northing", "lon",
                "lat", "group_id"),
               marker="establishment_type"),
    ),
    "reach-areas": (
        Layout("reach areas", (("lsoa_code",), ("centre_id",))),
    ),
    "population": (
        Layout("the long form", (("lsoa_code",), ("children_0_4",), ("period",)), ("children_0_1",),
               marker="children_0_4"),
        Layout("the ONS small area estimates by sex (F0 to F90, M0 to M90)",
               (("lsoa_code",), *((f"{sex}{age}",) for sex in "fm" for age in range(5))), ("period",),
               marker="f0"),
        Layout("the ONS mid-year layout (All Ages, 0, 1, 2, ...)",
               (("lsoa_code",), *((f"age_{age}",) for age in range(5))), ("sex", "period"),
               marker="age_0"),
        Layout("the Census age-band layout",
               (("lsoa_code",), ("indicator",), ("value",), ("period",)),
               marker="indicator"),
    ),
    "births": (
        Layout("a births extract", (*_PEOPLE, ("dob",), *_RESIDENCE),
               ("received_on", "event", "arrived_on", "sex")),
    ),
    "registrations": (
        Layout("a registrations export",
               (*_PEOPLE, ("dob",), *_RESIDENCE, ("centre_id",), ("registered_on",)),
               ("family_key", *FLAG_COLUMNS)),
    ),
    "contacts": (
        Layout("a contacts export", (*_PEOPLE, ("contact_on",)), ("centre_id", "activity")),
    ),
    "birth-counts": (
        Layout("birth counts", (("month",), ("births",), ("lsoa_code", "centre_id")),
               ("received_on",)),
    ),
    "postcodes": (
        Layout("a postcode lookup", (("postcode",), ("lsoa_code",)), ("lon", "lat")),
    ),
    "deprivation": (
        Layout("the simple layout", (("lsoa_code",), ("idaci_decile",)), ("year", "edition"),
               marker="idaci_decile"),
        Layout("IDACI ranks (deciles worked out from the national rank)",
               (("lsoa_code",), ("idaci_rank",)), ("year", "edition"), marker="idaci_rank"),
        Layout("IDACI scores for all of England (deciles worked out from the scores' ranks)",
               (("lsoa_code",), ("idaci_score",)), ("year", "edition"), marker="idaci_score"),
        Layout("the Indices of Deprivation long layout",
               (("lsoa_code",), ("index_domain",), ("decile",), ("year",)),
               marker="index_domain"),
    ),
    "lsoa-lookup": (
        Layout("an LSOA 2011 to 2021 lookup", (("lsoa11cd",), ("lsoa21cd",))),
    ),
    "eyfsp": (
        Layout("EYFSP results", (("dob",), *_RESIDENCE, ("assessment_year",), ("gld",)),
               ("child_key", "nhs_number", "fsm")),
    ),
    "gld-counts": (
        Layout("GLD counts", (("assessment_year",), ("assessed",), ("gld",), ("lsoa_code", "centre_id")),
               ("fsm_assessed", "fsm_gld")),
    ),
}


def columns_needed(kind: str) -> str:
    """The columns a kind's file needs, in words, from the layouts above: for help texts and the
    dashboard's upload page, so they can never drift from what the importer checks."""
    if kind == "boundaries":
        from geo.columns import LSOA_CODE_COLUMNS
        return f"an LSOA code column ({' or '.join(LSOA_CODE_COLUMNS)}) and polygon shapes"
    layouts = LAYOUTS[kind]
    described = [", ".join(" or ".join(COLUMNS[name].heading or name for name in group)
                           for group in layout.required) for layout in layouts]
    needed = described[0] if len(described) == 1 else "; or ".join(described)
    optional = layouts[0].optional
    return needed + (f" (and may have {', '.join(optional)})" if optional else "")


def normalise_header(text: str) -> str:
    """How a header is compared: lower case, trimmed, punctuation and spaces as one underscore."""
    return re.sub(r"[^0-9a-z]+", "_", text.strip().lower()).strip("_")


@dataclass(frozen=True)
class Resolved:
    """Where each column Reach reads sits in one file, and what the file calls it."""

    layout: Layout
    positions: dict[str, int]
    labels: dict[str, str]
    header: tuple[str, ...] = field(default=())

    def has(self, name: str) -> bool:
        return name in self.positions

    def label(self, name: str) -> str:
        """The column's name as the file spells it (the canonical name if it is absent)."""
        return self.labels.get(name, name)


def check_kind(kind: str, file_name: str) -> None:
    """Raise FileFault for a kind Reach does not import."""
    if kind not in KINDS:
        expected = "one of: " + ", ".join(KINDS)
        raise FileFault(file_name, f'"{shortened(kind, 40)}" is not a kind of file Reach imports; '
                                   f'expected {expected}',
                        expected=expected)


def resolve_columns(kind: str, header: list[str], *, file_name: str) -> Resolved:
    """Match a file's header to the kind's columns, choosing its layout.

    Raises FileFault naming the first required column that is missing (and the other accepted
    layouts, where there are several), or a column that appears twice. The message lists the
    header found only when it looks like names, never a first row of data (see `columns_found`).
    """
    check_kind(kind, file_name)
    normalised = [normalise_header(text) for text in header]
    layouts = LAYOUTS[kind]
    layout = next((candidate for candidate in layouts
                   if candidate.marker and _find(COLUMNS[candidate.marker], normalised) is not None),
                  layouts[0])
    positions: dict[str, int] = {}
    for name in layout.wanted:
        position = _find(COLUMNS[name], normalised)
        if position is None:
            continue
        if normalised.count(normalised[position]) > 1:
            spellings = ", ".join(f'"{shortened(text.strip(), COLUMN_NAME_CHARS)}"'
                                  for text, same in zip(header, normalised)
                                  if same == normalised[position])
            raise FileFault(
                file_name,
                f"the column {name} appears more than once ({spellings}); expected each column once",
                column=name, expected="each column once",
            )
        positions[name] = position
    for group in layout.required:
        if not any(name in positions for name in group):
            also = ""
            if len(layouts) > 1:
                also = "; expected " + ", or ".join(candidate.describe() for candidate in layouts)
            if len(group) == 1:
                raise missing_column(file_name, group[0], COLUMNS[group[0]].meaning, header, also=also)
            names = " or ".join(f'"{name}"' for name in group)
            meaning = ", or ".join(COLUMNS[name].meaning for name in group)
            raise FileFault(
                file_name,
                f"required column {names} ({meaning}) is missing; {columns_found(header)}{also}",
                column=group[0], expected=meaning,
            )
    labels = {name: header[position].strip() for name, position in positions.items()}
    return Resolved(layout=layout, positions=positions, labels=labels, header=tuple(header))


def _find(column: Column, normalised: list[str]) -> int | None:
    """Where the column is: its name or an alias, else the first header matching a pattern of
    its meaning (the patterns in order, so a 2021 code is preferred to a 2011 one)."""
    for accepted in column.accepted:
        if accepted in normalised:
            return normalised.index(accepted)
    for pattern in column.patterns:
        for position, text in enumerate(normalised):
            if re.fullmatch(pattern, text):
                return position
    return None


def is_2011_heading(heading: str) -> bool:
    """Whether an LSOA column's heading says it holds 2011 codes ("LSOA11CD", "LSOA code (2011)")."""
    text = normalise_header(heading)
    return bool(re.search(r"(?<![0-9])(20)?11(?![0-9])|lsoa11", text)) and not re.search(r"(20)?21(?![0-9])", text)


def accepts(kind: str, header: list[str]) -> bool:
    """Whether `header` holds the columns one of the kind's layouts needs: how the header row of a
    workbook's data sheet, or of a CSV with title rows above it, is found."""
    try:
        resolve_columns(kind, header, file_name="")
    except FileFault:
        return False
    return True

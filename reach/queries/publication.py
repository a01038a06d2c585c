"""Figures for publication: every table Reach can publish as at a date, protected together.

What can be published as at a date D: the report at every level (LSOA, centre, authority, with
the authority's children known out of area) and the target groups of every centre and of all
centres. They are protected as one (`reach.domain.disclosure`), so the suppression is the same
whichever of them are published and in whatever combination: the LSOA report and the centre
report published on different days still let no hidden count be narrowed, and neither does an
evidence pack beside them.

The unmatched births by LSOA and month of birth are not published: nearly every count in that
table is below 5, and protecting it would hide most LSOAs' unmatched births as well. The
machinery takes it (`months`), for anyone who wants to see that for themselves.

`published_figures` reads the store; `protect_tables` does the work on frames, so tests can
give it any tables they like.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from data.dates import as_date
from data.schema import REGISTRATION_FLAGS
from reach.domain.breakdowns import with_lsoa_names
from reach.domain.disclosure import Cell, Protection, Publication, audit, protect
from reach.domain.measures import DEPRIVED, DEPRIVED_DECILES, ReportOptions
from reach.domain.suppression import COUNT_COLUMNS, SuppressionRule, render, rounded
from reach.queries.report import reach_reports
from reach.queries.target_groups import GROUP_NAMES, TARGET_GROUP_COLUMNS, flag_counts_by_centre

AUTHORITY = "all"
# Counts that add up from LSOAs to centres and from centres to the authority. Each sum is used
# only where it holds (a centre's births may come from counts shared for the centre as a whole,
# and families with children in two LSOAs are counted once).
ADDITIVE = ("children_under5", "known_children", "unmatched_births", "sustained_contact",
            "newborns_known_12m", "deprived_under5", "deprived_known", "births_12m", "known_families",
            "children_under2", "known_under2")
# Within any row, a part never exceeds its whole.
PARTS = (("sustained_contact", "known_children"), ("deprived_known", "known_children"),
         ("deprived_under5", "children_under5"), ("newborns_known_12m", "known_children"),
         ("known_families", "known_children"), ("known_under2", "known_children"))


@dataclass(frozen=True)
class PublishedFigures:
    """The protected tables as at one date, ready to write out.

    `tables`: "lsoa", "centre", "authority" (the report's columns), "target_groups" (one row per
    centre, or "all" for every reach area, and group) and "unmatched_by_lsoa_month", with hidden
    counts shown as the rule's marker. `raw` holds the same tables before suppression (same
    rows, same order), `protection` what was hidden and the audit behind it.
    """

    as_at: date | None         # None only for empty tables given no date
    rule: SuppressionRule
    tables: dict[str, pd.DataFrame]
    raw: dict[str, pd.DataFrame]
    protection: Protection


def published_figures(con, *, as_at, options: ReportOptions = ReportOptions(),
                      rule: SuppressionRule = SuppressionRule()) -> PublishedFigures:
    """Every publishable table as at `as_at`, small counts and whatever would reveal them hidden.

    Raises DisclosureError if the figures cannot be protected.
    """
    day = as_date(as_at)
    reports = reach_reports(con, as_at=day, options=options)
    flags = flag_counts_by_centre(con, as_at=day, options=options)
    return protect_tables(reports, flags=flags, as_at=day, rule=rule)


def protect_tables(reports: dict[str, pd.DataFrame], *, flags: pd.DataFrame | None = None,
                   months: pd.DataFrame | None = None, as_at: date | None = None,
                   rule: SuppressionRule = SuppressionRule()) -> PublishedFigures:
    """Protect the report's three levels, the target groups and the unmatched births by month
    together (see the module docstring). `flags` is `flag_counts_by_centre`'s frame and
    `months` `unmatched_counts`'s; either may be None when not published."""
    lsoa = reports["lsoa"].reset_index(drop=True)
    centre = reports["centre"].reset_index(drop=True)
    authority = reports["authority"].reset_index(drop=True)
    groups = _target_groups_table(lsoa, centre, authority, flags) if flags is not None else None
    months = months.reset_index(drop=True) if months is not None else None

    publication = build_publication(lsoa=lsoa, centre=centre, authority=authority, groups=groups, months=months)
    protection = protect(publication, smallest_shown=rule.smallest_shown,
                         protection_width=rule.protection_width)
    hidden = protection.hidden
    tables = {
        "lsoa": render(lsoa, _mask(lsoa, "lsoa", lsoa["lsoa_code"], hidden), rule=rule),
        "centre": render(centre, _mask(centre, "centre", centre["centre_id"], hidden), rule=rule),
        "authority": render(authority, _mask(authority, "authority", [AUTHORITY] * len(authority), hidden),
                            rule=rule),
    }
    raw = {"lsoa": lsoa, "centre": centre, "authority": authority}
    if groups is not None:
        tables["target_groups"] = _render_groups(groups, hidden, rule)
        raw["target_groups"] = groups
    if months is not None:
        keys = list(zip(months["lsoa_code"], months["birth_month"]))
        tables["unmatched_by_lsoa_month"] = render(months, _mask(months, "months", keys, hidden), rule=rule)
        raw["unmatched_by_lsoa_month"] = months
    tables = {name: rounded(table, rule=rule, raw=raw[name]) for name, table in tables.items()}
    return PublishedFigures(as_at=as_at or _as_at_of(lsoa, centre), rule=rule, tables=tables, raw=raw,
                            protection=protection)


def build_publication(*, lsoa: pd.DataFrame, centre: pd.DataFrame, authority: pd.DataFrame,
                      groups: pd.DataFrame | None = None, months: pd.DataFrame | None = None) -> Publication:
    """Every published count and every relation between them that holds."""
    pub = Publication()
    rows = {
        "lsoa": list(zip(lsoa["lsoa_code"], lsoa.to_dict("records"))),
        "centre": list(zip(centre["centre_id"], centre.to_dict("records"))),
        "authority": [(AUTHORITY, row) for row in authority.to_dict("records")],
    }
    for level, keyed in rows.items():
        for key, row in keyed:
            for column in COUNT_COLUMNS:
                if column in row:
                    pub.add_count((level, key, column), row[column])
            for small, large in PARTS:
                pub.add_at_most((level, key, small), (level, key, large))

    lsoas_of = defaultdict(list)
    for code, centre_id in zip(lsoa["lsoa_code"], lsoa["centre_id"]):
        lsoas_of[centre_id].append(code)
    centre_ids = list(centre["centre_id"])
    for column in ADDITIVE:
        for centre_id in centre_ids:
            pub.add_sum(("centre", centre_id, column), [("lsoa", code, column) for code in lsoas_of[centre_id]])
        pub.add_sum(("authority", AUTHORITY, column), [("centre", c, column) for c in centre_ids])

    # In a deprived LSOA the "deprived" figures are the LSOA's own, and the deciles are public.
    for code, decile in zip(lsoa["lsoa_code"], lsoa.get("idaci_decile", pd.Series(dtype=float))):
        if pd.notna(decile) and int(decile) in DEPRIVED_DECILES:
            pub.add_same(("lsoa", code, "deprived_under5"), ("lsoa", code, "children_under5"))
            pub.add_same(("lsoa", code, "deprived_known"), ("lsoa", code, "known_children"))

    if groups is not None:
        _add_groups(pub, groups, lsoa=lsoa, lsoas_of=lsoas_of, centre_ids=centre_ids)
    if months is not None:
        by_lsoa = defaultdict(list)
        for code, month, count in zip(months["lsoa_code"], months["birth_month"], months["unmatched_births"]):
            cell = ("months", (code, month), "unmatched_births")
            pub.add_count(cell, count)
            by_lsoa[code].append(cell)
        for code, cells in by_lsoa.items():
            pub.add_sum(("lsoa", code, "unmatched_births"), cells)
    return pub


def check(figures: PublishedFigures) -> list:
    """The audit again, from scratch, on what `figures` hides: the hidden counts left a range
    narrower than the rule requires (an empty list when the figures are safe to publish)."""
    lsoa, centre, authority = figures.raw["lsoa"], figures.raw["centre"], figures.raw["authority"]
    publication = build_publication(lsoa=lsoa, centre=centre, authority=authority,
                                    groups=figures.raw.get("target_groups"),
                                    months=figures.raw.get("unmatched_by_lsoa_month"))
    return [e for e in audit(publication, figures.protection.hidden)
            if not e.protected(figures.rule.protection_width)]


# --- target groups ------------------------------------------------------------------------------

def _group_key(centre_id) -> str:
    return AUTHORITY if centre_id is None or (isinstance(centre_id, float) and np.isnan(centre_id)) else centre_id


def _target_groups_table(lsoa: pd.DataFrame, centre: pd.DataFrame, authority: pd.DataFrame,
                         flags: pd.DataFrame) -> pd.DataFrame:
    """The target groups of every centre and of all centres, in `target_groups`' columns with
    `centre_id` first ("all" for every reach area) and the deprived areas' sustained contact."""
    deprived = lsoa[lsoa["idaci_decile"].isin(DEPRIVED_DECILES)] if "idaci_decile" in lsoa else lsoa.iloc[0:0]
    deprived_sustained = deprived.groupby("centre_id")["sustained_contact"].sum()
    by_centre = {_group_key(c): row for c, row in zip(flags["centre_id"], flags.to_dict("records"))}
    areas = [(c, row) for c, row in zip(centre["centre_id"], centre.to_dict("records"))]
    areas += [(AUTHORITY, row) for row in authority.to_dict("records")]
    out = []
    for key, row in areas:
        sustained = (int(deprived_sustained.sum()) if key == AUTHORITY
                     else int(deprived_sustained.get(key, 0)))
        known_all = int(row["known_children"])
        out.append(dict(centre_id=key, group=DEPRIVED, children_under5=int(row["deprived_under5"]),
                        known_children=int(row["deprived_known"]), sustained_contact=sustained,
                        all_known=known_all))
        counted = by_centre.get(key, {})
        for flag in REGISTRATION_FLAGS:
            out.append(dict(centre_id=key, group=flag, children_under5=None,
                            known_children=int(counted.get(f"{flag}_known", 0)),
                            sustained_contact=int(counted.get(f"{flag}_sustained", 0)), all_known=known_all))
    frame = pd.DataFrame(out)
    frame["group_name"] = frame["group"].map(GROUP_NAMES)
    frame["children_under5"] = frame["children_under5"].astype("Int64")
    under5 = frame["children_under5"].astype("float64")
    frame["reach_pct"] = (100.0 * frame["known_children"] / under5).where(under5 > 0)
    frame["share_of_known_pct"] = (100.0 * frame["known_children"] / frame["all_known"]).where(frame["all_known"] > 0)
    frame["sustained_pct"] = (100.0 * frame["sustained_contact"] / under5).where(under5 > 0)
    return frame[["centre_id", *TARGET_GROUP_COLUMNS, "all_known"]]


def _group_cells(key, group: str) -> dict[str, Cell]:
    """The cells a target-group row shows: its own counts, or the report's where they are the same."""
    if group == DEPRIVED:
        level = "authority" if key == AUTHORITY else "centre"
        return {"children_under5": (level, key, "deprived_under5"), "known_children": (level, key, "deprived_known"),
                "sustained_contact": ("groups", key, "deprived_sustained"),
                "all_known": (level, key, "known_children")}
    level = "authority" if key == AUTHORITY else "centre"
    return {"known_children": ("groups", key, f"{group}_known"),
            "sustained_contact": ("groups", key, f"{group}_sustained"),
            "all_known": (level, key, "known_children")}


def _add_groups(pub: Publication, groups: pd.DataFrame, *, lsoa: pd.DataFrame, lsoas_of, centre_ids) -> None:
    deprived_codes = set(lsoa.loc[lsoa["idaci_decile"].isin(DEPRIVED_DECILES), "lsoa_code"]) \
        if "idaci_decile" in lsoa else set()
    for key, group, known, sustained in zip(groups["centre_id"], groups["group"], groups["known_children"],
                                            groups["sustained_contact"]):
        cells = _group_cells(key, group)
        pub.add_count(cells["sustained_contact"], sustained)
        if group != DEPRIVED:
            pub.add_count(cells["known_children"], known)
            level = "authority" if key == AUTHORITY else "centre"
            pub.add_at_most(cells["known_children"], cells["all_known"])
            pub.add_at_most(cells["sustained_contact"], cells["known_children"])
            pub.add_at_most(cells["sustained_contact"], (level, key, "sustained_contact"))
        else:
            pub.add_at_most(cells["sustained_contact"], cells["known_children"])
            if key != AUTHORITY:
                pub.add_sum(cells["sustained_contact"],
                            [("lsoa", code, "sustained_contact") for code in lsoas_of[key] if code in deprived_codes])
    for group in [DEPRIVED, *REGISTRATION_FLAGS]:
        columns = ["deprived_sustained"] if group == DEPRIVED else [f"{group}_known", f"{group}_sustained"]
        for column in columns:
            pub.add_sum(("groups", AUTHORITY, column), [("groups", c, column) for c in centre_ids])


def _render_groups(groups: pd.DataFrame, hidden: frozenset, rule: SuppressionRule) -> pd.DataFrame:
    out = groups.drop(columns="all_known").astype(object).copy()
    cells = [_group_cells(key, group) for key, group in zip(groups["centre_id"], groups["group"])]
    gone = {column: np.array([row.get(column) in hidden for row in cells], dtype=bool)
            for column in ("children_under5", "known_children", "sustained_contact", "all_known")}
    for column in ("children_under5", "known_children", "sustained_contact"):
        values = out[column].to_numpy(copy=True)
        values[gone[column]] = rule.marker
        out[column] = values
    under5 = groups["children_under5"].astype("float64").to_numpy()
    small = ~np.isnan(under5) & (under5 < rule.smallest_denominator_for_pct)
    all_known_small = groups["all_known"].to_numpy() < rule.smallest_denominator_for_pct
    shares = {"reach_pct": ("known_children", "children_under5"),
              "share_of_known_pct": ("known_children", "all_known"),
              "sustained_pct": ("sustained_contact", "children_under5")}
    for pct, (one, other) in shares.items():
        too_small = all_known_small if pct == "share_of_known_pct" else small
        withheld = groups[pct].notna().to_numpy() & (gone[one] | gone[other] | too_small)
        values = out[pct].to_numpy(copy=True)
        values[withheld] = rule.marker
        out[pct] = values
    return out


# --- helpers ----------------------------------------------------------------------------------

def _mask(frame: pd.DataFrame, level: str, keys, hidden: frozenset) -> pd.DataFrame:
    columns = [c for c in frame.columns if c in COUNT_COLUMNS]
    rows_of = defaultdict(list)            # a row key -> its positions, to look up each hidden cell once
    for position, key in enumerate(keys):
        rows_of[key].append(position)
    marked = np.zeros((len(frame), len(columns)), dtype=bool)
    where = {column: j for j, column in enumerate(columns)}
    for cell_level, key, column in hidden:
        if cell_level == level and column in where:
            for position in rows_of.get(key, ()):
                marked[position, where[column]] = True
    return pd.DataFrame(marked, index=frame.index, columns=columns)


def _as_at_of(*frames: pd.DataFrame) -> date | None:
    for frame in frames:
        if "as_at" in frame.columns and len(frame):
            return as_date(frame["as_at"].iloc[0])
    return None


# --- one centre's share of the publication ------------------------------------------------------

TREND_COLUMNS = ["as_at", "series", "children_under5", "known_children", "reach_pct", "newborn_reach_pct",
                 "sustained_pct", "families_to_find", "unmatched_births"]
GAPS_COLUMNS = ["lsoa_code", "lsoa_name", "idaci_decile", "children_under5", "known_children", "reach_pct",
                "families_to_find", "unmatched_births", "denominator_flagged"]


def centre_tables(figures: PublishedFigures, *, centre_id: str,
                  trend: Sequence[PublishedFigures] = (),
                  names: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """One centre's tables for an evidence pack, cut from figures protected together, in the
    layouts of the dashboard's working tables: "lsoas" (most families to find first, as on the
    page), "target_groups" (with the figures for all centres beside), "unmatched_by_lsoa_month",
    and "trend" (the centre and all centres, from `trend`: figures as at each of its dates).
    `names` (lsoa_code, lsoa_name) puts each LSOA's name beside its code."""
    lsoa, raw_lsoa = with_lsoa_names(figures.tables["lsoa"], names), figures.raw["lsoa"]
    mine = raw_lsoa[raw_lsoa["centre_id"] == centre_id]
    order = mine.sort_values(["families_to_find", "reach_pct", "lsoa_code"],
                             ascending=[False, True, True]).index
    tables = {"lsoas": lsoa.loc[order, GAPS_COLUMNS].reset_index(drop=True)}

    if "target_groups" in figures.tables:
        groups = figures.tables["target_groups"]
        everyone = groups[groups["centre_id"] == AUTHORITY].set_index("group")
        own = groups[groups["centre_id"] == centre_id].drop(columns="centre_id").reset_index(drop=True)
        own["all_centres_reach_pct"] = own["group"].map(everyone["reach_pct"])
        own["all_centres_share_of_known_pct"] = own["group"].map(everyone["share_of_known_pct"])
        tables["target_groups"] = own
    if "unmatched_by_lsoa_month" in figures.tables:
        months = figures.tables["unmatched_by_lsoa_month"]
        tables["unmatched_by_lsoa_month"] = (months[months["centre_id"] == centre_id]
                                             .drop(columns="centre_id").reset_index(drop=True))
    rows = []
    for pick in ("centre", "authority"):
        for point in trend:
            frame = point.tables[pick]
            if pick == "centre":
                frame = frame[frame["centre_id"] == centre_id]
            for row in frame.to_dict("records"):
                row = dict(row, as_at=point.as_at,
                           series=row["centre_name"] if pick == "centre" else "All centres")
                rows.append({column: row.get(column) for column in TREND_COLUMNS})
    if trend:
        tables["trend"] = pd.DataFrame(rows, columns=TREND_COLUMNS)
    return tables

"""Outcomes at five: the share of children with a good level of development (GLD) at the end of
the reception year, its gap for free school meals, and how it differs for children the sites
knew early.

Pure: the functions here take counts (or children) as frames and return frames. The store is
read by `reach.queries.outcomes`, which gives each child its area first.

- **GLD %** = 100 x children with GLD / children assessed, with a 95% Wilson interval.
- **FSM gap** = GLD % of the children not eligible for free school meals minus GLD % of those
  eligible, in points, over the children whose eligibility is known.
- **Known early**: among the assessed children whose key matches a registration, those with a
  registration dated before their second birthday (29 February: 1 March); the other linked
  children are the rest of those with a registration. An association, never a cause.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from reach.domain.disclosure import Publication, protect
from reach.domain.stats import wilson_interval
from reach.domain.suppression import STANDARD, SuppressionRule

# The figures of one area and year, as counts: from them every column below is worked out.
COUNTS = ("assessed", "gld", "fsm_assessed", "fsm_gld", "not_fsm_assessed", "not_fsm_gld",
          "known_early_assessed", "known_early_gld", "other_linked_assessed", "other_linked_gld")
# The columns of `python -m reach outcomes`, after the year and the area (see the data contract).
MEASURES = ("assessed", "gld", "gld_pct", "gld_low", "gld_high", "target_pct", "fsm_gap_points",
            "known_early_assessed", "known_early_gld_pct", "other_linked_assessed", "other_linked_gld_pct")
# Each percentage shown, and the counts it is made from (numerator, denominator).
PERCENTAGES = {
    "gld_pct": ("gld", "assessed"),
    "known_early_gld_pct": ("known_early_gld", "known_early_assessed"),
    "other_linked_gld_pct": ("other_linked_gld", "other_linked_assessed"),
}
# Figures that go with a percentage and are withheld with it.
WITH_GLD_PCT = ("gld_low", "gld_high")
# Within a row, a part never exceeds its whole.
_PARTS = (("gld", "assessed"), ("fsm_assessed", "assessed"), ("fsm_gld", "fsm_assessed"),
          ("fsm_gld", "gld"), ("not_fsm_assessed", "assessed"), ("not_fsm_gld", "not_fsm_assessed"),
          ("not_fsm_gld", "gld"), ("known_early_assessed", "assessed"),
          ("known_early_gld", "known_early_assessed"), ("known_early_gld", "gld"),
          ("other_linked_assessed", "assessed"), ("other_linked_gld", "other_linked_assessed"),
          ("other_linked_gld", "gld"))


def second_birthday(dob: date) -> date:
    """The second birthday; a child born on 29 February has it on 1 March."""
    if (dob.month, dob.day) == (2, 29):
        return date(dob.year + 2, 3, 1)
    return dob.replace(year=dob.year + 2)


def child_counts(children: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The counts (`COUNTS`) per group of `keys`, from one row per child assessed.

    `children` has the `keys` and `gld` (bool), `fsm` (bool or missing), `dob` and
    `first_registered` (the date of the child's earliest registration, missing when the child's
    key matches none, or the child has no key)."""
    if children.empty:
        return pd.DataFrame(columns=[*keys, *COUNTS])
    gld = children["gld"].astype(bool)
    fsm = children["fsm"]
    first = pd.to_datetime(children["first_registered"])
    linked = first.notna()
    second = pd.to_datetime([second_birthday(pd.Timestamp(d).date()) for d in children["dob"]])
    early = linked & (first < pd.Series(second, index=children.index))
    known_fsm = fsm.notna()
    is_fsm = known_fsm & (fsm.astype(object) == True)   # noqa: E712 (a missing value is not True)
    not_fsm = known_fsm & ~is_fsm
    other = linked & ~early
    parts = pd.DataFrame({
        **{key: children[key] for key in keys},
        "assessed": 1,
        "gld": gld.astype(int),
        "fsm_assessed": is_fsm.astype(int),
        "fsm_gld": (is_fsm & gld).astype(int),
        "not_fsm_assessed": not_fsm.astype(int),
        "not_fsm_gld": (not_fsm & gld).astype(int),
        "known_early_assessed": early.astype(int),
        "known_early_gld": (early & gld).astype(int),
        "other_linked_assessed": other.astype(int),
        "other_linked_gld": (other & gld).astype(int),
    })
    return parts.groupby(keys, as_index=False)[list(COUNTS)].sum()


def counts_from_gld_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """`COUNTS` from gld counts rows (`assessed`, `gld`, `fsm_assessed`, `fsm_gld`, the last two
    missing where not given): the children not eligible are the rest of those assessed where the
    FSM counts are given; no child in them is linked to a registration."""
    out = counts.copy()
    has_fsm = out["fsm_assessed"].notna()
    fsm_assessed = out["fsm_assessed"].fillna(0).astype(int)
    fsm_gld = out["fsm_gld"].fillna(0).astype(int)
    out["fsm_assessed"] = fsm_assessed
    out["fsm_gld"] = fsm_gld
    out["not_fsm_assessed"] = (out["assessed"] - fsm_assessed).where(has_fsm, 0).astype(int)
    out["not_fsm_gld"] = (out["gld"] - fsm_gld).where(has_fsm, 0).astype(int)
    for column in ("known_early_assessed", "known_early_gld", "other_linked_assessed", "other_linked_gld"):
        out[column] = 0
    out["assessed"] = out["assessed"].astype(int)
    out["gld"] = out["gld"].astype(int)
    return out


def pct(numerator, denominator) -> float | None:
    """100 x numerator / denominator; None (no figure) where the denominator is 0."""
    if denominator is None or pd.isna(denominator) or denominator <= 0:
        return None
    return 100.0 * float(numerator) / float(denominator)


def gld_interval(gld: int, assessed: int) -> tuple[float | None, float | None]:
    """The 95% Wilson interval of the GLD %, in percent; (None, None) with nobody assessed."""
    if not assessed or assessed <= 0:
        return None, None
    interval = wilson_interval(gld, assessed)
    return interval.lower, interval.upper


def fsm_gap_points(row) -> float | None:
    """GLD % of the children not eligible for free school meals minus that of the eligible, in
    points; None unless both groups have children assessed."""
    eligible = pct(row["fsm_gld"], row["fsm_assessed"])
    others = pct(row["not_fsm_gld"], row["not_fsm_assessed"])
    if eligible is None or others is None:
        return None
    return others - eligible


def measures(counts: pd.DataFrame, *, keys: list[str], target_pct: float) -> pd.DataFrame:
    """The outcomes table: `keys`, then `MEASURES`, one row per row of `counts`."""
    rows = []
    for row in counts.to_dict("records"):
        low, high = gld_interval(int(row["gld"]), int(row["assessed"]))
        rows.append({
            **{key: row[key] for key in keys},
            "assessed": int(row["assessed"]),
            "gld": int(row["gld"]),
            "gld_pct": pct(row["gld"], row["assessed"]),
            "gld_low": low,
            "gld_high": high,
            "target_pct": float(target_pct),
            "fsm_gap_points": fsm_gap_points(row),
            "known_early_assessed": int(row["known_early_assessed"]),
            "known_early_gld_pct": pct(row["known_early_gld"], row["known_early_assessed"]),
            "other_linked_assessed": int(row["other_linked_assessed"]),
            "other_linked_gld_pct": pct(row["other_linked_gld"], row["other_linked_assessed"]),
        })
    frame = pd.DataFrame(rows, columns=[*keys, *MEASURES])
    for column in ("gld_pct", "gld_low", "gld_high", "fsm_gap_points", "known_early_gld_pct",
                   "other_linked_gld_pct", "target_pct"):
        frame[column] = frame[column].astype(float)
    for column in ("assessed", "gld", "known_early_assessed", "other_linked_assessed"):
        frame[column] = frame[column].astype("int64")
    return frame


# -- publication ------------------------------------------------------------------------------

AUTHORITY = "all"


def protect_outcomes(levels: dict[str, pd.DataFrame], *, area_of: dict[str, str],
                     centre_of_lsoa: dict[str, str] | None = None,
                     rule: SuppressionRule = STANDARD) -> dict[str, set[tuple]]:
    """Which counts to hide in the outcomes tables published together, by the rule every export
    uses (counts from 1 to 4, and any count that would let one be worked out, hidden).

    `levels` maps a level ("lsoa", "centre", "authority") to its counts (`COUNTS`, with
    `assessment_year` and the level's area column named in `area_of`; the authority has none).
    The ties an attacker could use: each LSOA's counts add up to its centre's (where they do:
    a centre's counts may come as one figure for the whole centre), the centres' to the
    authority's, and within a row a part never exceeds its whole. Returns, per level, the hidden
    (row position, column) pairs. Raises DisclosureError when a count cannot be protected.
    """
    pub = Publication()
    keys: dict[str, list[tuple]] = {}
    for level, frame in levels.items():
        column = area_of.get(level)
        keys[level] = [(int(year), AUTHORITY if column is None else area)
                       for year, area in zip(frame["assessment_year"],
                                             frame[column] if column else [None] * len(frame))]
        for key, row in zip(keys[level], frame.to_dict("records")):
            for count in COUNTS:
                pub.add_count((level, key, count), row[count])
            for small, large in _PARTS:
                pub.add_at_most((level, key, small), (level, key, large))
    if "centre" in levels:
        years = {key[0] for key in keys["centre"]}
        if "lsoa" in levels and centre_of_lsoa:
            by_centre: dict[tuple, list[tuple]] = {}
            for key in keys["lsoa"]:
                centre = centre_of_lsoa.get(key[1])
                if centre is not None:
                    by_centre.setdefault((key[0], centre), []).append(key)
            for key in keys["centre"]:
                for count in COUNTS:
                    pub.add_sum(("centre", key, count), [("lsoa", part, count) for part in by_centre.get(key, [])])
        if "authority" in levels:
            for year in years:
                for count in COUNTS:
                    pub.add_sum(("authority", (year, AUTHORITY), count),
                                [("centre", key, count) for key in keys["centre"] if key[0] == year])
    protection = protect(pub, smallest_shown=rule.smallest_shown, protection_width=rule.protection_width)
    hidden: dict[str, set[tuple]] = {level: set() for level in levels}
    positions = {level: {key: i for i, key in enumerate(level_keys)} for level, level_keys in keys.items()}
    for level, cell_key, count in protection.hidden:
        hidden[level].add((positions[level][cell_key], count))   # type: ignore[index]
    return hidden


def published(table: pd.DataFrame, counts: pd.DataFrame, hidden: set[tuple], *,
              rule: SuppressionRule = STANDARD) -> pd.DataFrame:
    """The outcomes `table` (from `measures`) as published: hidden counts shown as the rule's
    marker; a percentage withheld with its numerator or denominator or where the denominator is
    below 10, and the interval with the GLD %; the FSM gap withheld unless both its percentages
    could be shown. A figure that does not exist stays blank."""
    out = table.astype(object).copy()
    counts = counts.reset_index(drop=True)
    is_hidden = {(position, column) for position, column in hidden}

    def withheld(position: int, numerator: str, denominator: str) -> bool:
        return ((position, numerator) in is_hidden or (position, denominator) in is_hidden
                or int(counts.at[position, denominator]) < rule.smallest_denominator_for_pct)

    for position in range(len(out)):
        for column in ("assessed", "gld", "known_early_assessed", "other_linked_assessed"):
            if (position, column) in is_hidden:
                out.at[position, column] = rule.marker
        for column, (numerator, denominator) in PERCENTAGES.items():
            if pd.notna(table.at[position, column]) and withheld(position, numerator, denominator):
                out.at[position, column] = rule.marker
                if column == "gld_pct":
                    for extra in WITH_GLD_PCT:
                        out.at[position, extra] = rule.marker
        if pd.notna(table.at[position, "fsm_gap_points"]) and (
                withheld(position, "fsm_gld", "fsm_assessed") or withheld(position, "not_fsm_gld", "not_fsm_assessed")):
            out.at[position, "fsm_gap_points"] = rule.marker
    return out


def counts_of_table(table: pd.DataFrame, *, area_column: str | None,
                    known: dict | None = None) -> pd.DataFrame:
    """The counts behind an outcomes table (`measures`' columns), for protecting it on its own:
    the groups' GLD counts worked back from their percentages; the FSM counts from `known`
    ({(year, area): counts}, as `measures` records them), else missing."""
    rows = []
    for row in table.to_dict("records"):
        area = row[area_column] if area_column else AUTHORITY
        found = (known or {}).get((int(row["assessment_year"]), area), {})

        def worked_back(pct_column: str, count_column: str, row=row) -> int:
            n = int(row[count_column])
            return 0 if n == 0 or pd.isna(row[pct_column]) else int(round(float(row[pct_column]) * n / 100))

        rows.append({
            "assessed": int(row["assessed"]), "gld": int(row["gld"]),
            **{name: found.get(name) for name in ("fsm_assessed", "fsm_gld", "not_fsm_assessed", "not_fsm_gld")},
            "known_early_assessed": int(row["known_early_assessed"]),
            "known_early_gld": worked_back("known_early_gld_pct", "known_early_assessed"),
            "other_linked_assessed": int(row["other_linked_assessed"]),
            "other_linked_gld": worked_back("other_linked_gld_pct", "other_linked_assessed"),
        })
    return pd.DataFrame(rows, columns=list(COUNTS))


def protect_table(table: pd.DataFrame, counts: pd.DataFrame, *, area_column: str | None,
                  rule: SuppressionRule = STANDARD) -> set[tuple]:
    """Which counts to hide in one outcomes table published on its own: the small ones, and
    enough others that none can be worked out, taking each year's total over the table's rows
    as known to everyone (it is the authority's figure). Returns (row position, column) pairs."""
    pub = Publication()
    years: dict[int, list[int]] = {}
    for position, year in enumerate(table["assessment_year"]):
        years.setdefault(int(year), []).append(position)
        row = counts.iloc[position]
        for count in COUNTS:
            value = row[count]
            pub.add_count(("table", position, count), None if value is None or pd.isna(value) else int(value))
        for small, large in _PARTS:
            pub.add_at_most(("table", position, small), ("table", position, large))
    if area_column is not None:
        for year, positions in years.items():
            for count in COUNTS:
                values = [counts.iloc[p][count] for p in positions]
                if any(v is None or pd.isna(v) for v in values):
                    continue
                total = ("total", year, count)
                pub.add_count(total, sum(int(v) for v in values), secondary=False)
                pub.add_sum(total, [("table", p, count) for p in positions])
    protection = protect(pub, smallest_shown=rule.smallest_shown, protection_width=rule.protection_width)
    return {(position, count) for level, position, count in protection.hidden if level == "table"}


def record_counts(table: pd.DataFrame, counts: pd.DataFrame, *, area_column: str | None) -> pd.DataFrame:
    """`table` with its counts recorded in `attrs["outcome_counts"]`, keyed by year and area, so
    a table filtered or reordered can still be published (see `published_table`)."""
    keyed = {}
    for row, count_row in zip(table.to_dict("records"), counts.to_dict("records")):
        area = row[area_column] if area_column else AUTHORITY
        keyed[(int(row["assessment_year"]), area)] = {name: count_row[name] for name in COUNTS}
    table.attrs["outcome_counts"] = keyed
    return table


def published_table(table: pd.DataFrame, *, rule: SuppressionRule = STANDARD) -> pd.DataFrame:
    """An outcomes table (as `reach.queries.outcomes.outcomes` returns it, whole or some of its
    rows) as it may be published on its own: see `protect_table` and `published`. The FSM gap is
    withheld where the table does not carry the FSM counts behind it."""
    table = table.reset_index(drop=True)
    area_column = next((c for c in ("centre_id", "lsoa_code") if c in table.columns), None)
    counts = counts_of_table(table, area_column=area_column, known=table.attrs.get("outcome_counts"))
    hidden = protect_table(table, counts, area_column=area_column, rule=rule)
    filled = counts.copy()
    unknown = filled["fsm_assessed"].isna() | filled["not_fsm_assessed"].isna()
    out = published(table, filled.fillna(0), hidden, rule=rule)
    out.loc[unknown & table["fsm_gap_points"].notna(), "fsm_gap_points"] = rule.marker
    return out

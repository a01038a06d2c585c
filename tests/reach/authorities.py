"""Random authorities for the publication tests: report tables at three levels, target-group
counts and unmatched births by month, all consistent with each other, from one seed."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from data.schema import REGISTRATION_FLAGS

AS_AT = date(2026, 9, 30)
COUNTS = ["children_under5", "known_children", "unmatched_births", "sustained_contact", "deprived_under5",
          "deprived_known", "births_12m", "newborns_known_12m", "known_families"]
UNDER_TWO_COUNTS = ["children_under2", "known_under2"]


def _pct(numerator, denominator):
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, 100 * numerator / denominator, np.nan)


def derive(frame: pd.DataFrame) -> pd.DataFrame:
    frame["reach_pct"] = _pct(frame["known_children"], frame["children_under5"])
    frame["sustained_pct"] = _pct(frame["sustained_contact"], frame["children_under5"])
    frame["deprived_reach_pct"] = _pct(frame["deprived_known"], frame["deprived_under5"])
    frame["newborn_reach_pct"] = _pct(frame["newborns_known_12m"], frame["births_12m"])
    frame["families_to_find"] = np.maximum(
        0, np.ceil(0.97 * frame["children_under5"]) - frame["known_children"]).astype(int)
    frame["band"] = np.where(frame["reach_pct"] >= 97, "outstanding", "good")
    frame["over_100"] = frame["reach_pct"] > 100
    frame["denominator_flagged"] = frame["over_100"]
    frame["denominator_note"] = None
    frame["birth_data_lag_days"] = 9
    if "children_under2" in frame:
        frame["reach_under2_pct"] = _pct(frame["known_under2"], frame["children_under2"])
        frame["families_to_find_under2"] = np.maximum(
            0, np.ceil(0.97 * frame["children_under2"]) - frame["known_under2"]).astype(int)
        frame["under2_estimated"] = False
    return frame


def random_authority(seed: int, *, centres: int, most_lsoas: int, scale: int):
    """Report tables at three levels, target-group counts and unmatched births by month, all
    consistent with each other, from one seed. `scale` sets how big the counts run."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(centres):
        for n in range(int(rng.integers(1, most_lsoas + 1))):
            under5 = int(rng.integers(0, scale * 3))
            known = int(rng.integers(0, under5 + 3))
            rows.append(dict(lsoa_code=f"E01{c:03d}{n:03d}", centre_id=f"C{c}", centre_name=f"Centre {c}",
                             idaci_decile=int(rng.integers(1, 11)), children_under5=under5, known_children=known,
                             unmatched_births=int(rng.integers(0, scale)),
                             sustained_contact=int(rng.integers(0, known + 1)),
                             births_12m=int(rng.integers(0, scale)),
                             newborns_known_12m=int(rng.integers(0, known + 1)) // 3,
                             known_families=int(rng.integers(0, known + 1))))
    lsoa = pd.DataFrame(rows)
    deprived = lsoa["idaci_decile"] <= 3
    lsoa["deprived_under5"] = lsoa["children_under5"].where(deprived, 0)
    lsoa["deprived_known"] = lsoa["known_children"].where(deprived, 0)
    # The under-twos, drawn from nothing new so each seed's other counts stay as they were.
    lsoa["children_under2"] = (2 * lsoa["children_under5"] + 2) // 5
    lsoa["known_under2"] = lsoa["known_children"] // 2
    centre = lsoa.groupby(["centre_id", "centre_name"], as_index=False)[COUNTS + UNDER_TWO_COUNTS].sum()
    # Families are counted once even with children in two LSOAs: a centre's count may be lower.
    centre["known_families"] = [int(rng.integers(max(0, v - 2), v + 1)) for v in centre["known_families"]]
    authority = centre[COUNTS + UNDER_TWO_COUNTS].sum().to_frame().T.astype(int)
    authority.insert(0, "centre_name", "All centres")
    authority.insert(0, "centre_id", None)
    authority["known_out_of_area"] = int(rng.integers(0, scale))
    for frame in (lsoa, centre, authority):
        derive(frame)
    months = []
    for code, centre_id, unmatched in zip(lsoa["lsoa_code"], lsoa["centre_id"], lsoa["unmatched_births"]):
        split = rng.multinomial(unmatched, [1 / 6] * 6) if unmatched else np.zeros(6, int)
        months += [dict(lsoa_code=code, centre_id=centre_id, birth_month=date(2026, m + 1, 1), unmatched_births=int(n))
                   for m, n in enumerate(split) if n]
    months = pd.DataFrame(months, columns=["lsoa_code", "centre_id", "birth_month", "unmatched_births"])
    flags = []
    for centre_id, known, sustained in zip(centre["centre_id"], centre["known_children"], centre["sustained_contact"]):
        row = dict(centre_id=centre_id, known_children=known)
        for flag in REGISTRATION_FLAGS:
            row[f"{flag}_known"] = int(rng.integers(0, known + 1))
            row[f"{flag}_sustained"] = int(rng.integers(0, min(row[f"{flag}_known"], sustained) + 1))
        flags.append(row)
    flags = pd.DataFrame(flags)
    total = flags.drop(columns="centre_id").sum().to_dict()
    flags = pd.concat([flags, pd.DataFrame([dict(centre_id=None, **total)])], ignore_index=True)
    return {"lsoa": lsoa, "centre": centre, "authority": authority}, flags, months

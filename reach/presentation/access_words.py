"""Access to a site in words and tables: the authority's shares beyond 1, 2 and 3 km, the site
finder's answer, and what was left out for want of a point. Plain text: a page escapes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from reach.presentation import format as fmt
from reach.presentation.wording import current, reword

NAMED = 5      # places named in a sentence; the rest are counted


def _named(codes: Sequence[str]) -> str:
    shown = ", ".join(str(code) for code in codes[:NAMED])
    return shown + (f" and {fmt.count(len(codes) - NAMED)} more" if len(codes) > NAMED else "")


def left_out_words(*, sites: Sequence[str], lsoas: Sequence[str]) -> list[str]:
    """A sentence for the sites, and one for the LSOAs, that have no position and were left out."""
    lines = []
    if sites:
        one = len(sites) == 1
        lines.append(f"{fmt.count(len(sites))} site{'' if one else 's'} {'has' if one else 'have'} no position "
                     f"(no lon/lat, and no postcode found in the postcode lookup) and {'is' if one else 'are'} "
                     f"left out: {_named(sites)}.")
    if lsoas:
        one = len(lsoas) == 1
        lines.append(f"{fmt.count(len(lsoas))} LSOA{'' if one else 's'} in the reach areas "
                     f"{'has' if one else 'have'} no boundary or centroid loaded and {'is' if one else 'are'} "
                     f"left out: {_named(lsoas)}.")
    return lines


def candidates_left_out_words(codes: Sequence[str]) -> list[str]:
    if not codes:
        return []
    one = len(codes) == 1
    return [f"{fmt.count(len(codes))} candidate LSOA{'' if one else 's'} {'has' if one else 'have'} no "
            f"boundary or centroid loaded and {'is' if one else 'are'} left out: {_named(codes)}."]


def beyond_words(shares: Mapping[str, float], *, under_fives: int | None = None) -> str:
    """The authority's shares beyond 1, 2 and 3 km in one sentence (two with the most deprived)."""
    if all(pd.isna(shares.get(f"beyond_{k}km_pct")) for k in (1, 2, 3)):
        return (reword("There is no distance to a site yet: load the centres with their positions (lon/lat, or "
                "postcodes with the postcode lookup), and the LSOA boundaries."))
    whose = (f"Of the {fmt.count(under_fives)} under-fives in the reach areas, "
             if under_fives is not None else "Of the under-fives in the reach areas, ")
    words = (f"{whose}{fmt.percent(shares['beyond_1km_pct'])} live more than 1 km from the nearest site, "
             f"{fmt.percent(shares['beyond_2km_pct'])} more than 2 km and {fmt.percent(shares['beyond_3km_pct'])} "
             f"more than 3 km.")
    if all(pd.isna(shares.get(f"deprived_beyond_{k}km_pct")) for k in (1, 2, 3)):
        return words + " No LSOA in the reach areas is among the most deprived (or none has a distance)."
    return (words + f" In the most deprived LSOAs (IDACI deciles 1 to 3): "
            f"{fmt.percent(shares['deprived_beyond_1km_pct'])}, {fmt.percent(shares['deprived_beyond_2km_pct'])} "
            f"and {fmt.percent(shares['deprived_beyond_3km_pct'])}.")


_PEOPLE_WORDS = {"unknown": "under-fives not yet known", "deprived": "under-fives in the most deprived LSOAs"}


def site_choice_words(*, method: str, value: int, beyond_now: int, new: int, radius_km: float,
                      people: str, sets: int, exact_limit: int) -> str:
    """What the site finder found, and how."""
    who = _PEOPLE_WORDS.get(people, people)
    if new == 0:
        return "There is nowhere to put a new site: no candidate LSOA has a position."
    sites = "1 new site" if new == 1 else f"{fmt.count(new)} new sites"
    found = (f"Of the {fmt.count(beyond_now)} {who} living more than {radius_km:g} km from every site, "
             f"{sites} would bring {fmt.count(value)} within {radius_km:g} km of a site.")
    if method == "exact":
        how = f"This is the best choice: all {fmt.count(sets)} possible sets were tried."
    else:
        how = (f"There are {fmt.count(sets)} possible sets, more than the {fmt.count(exact_limit)} that can be "
               f"tried one by one, so the sites were chosen one at a time, each adding the most it could "
               f"(greedy): a good choice, not always the best.")
    return f"{found} {how}"


def site_choice_table(*, sites: Sequence[str], adds: Sequence[int], names: Mapping[str, str]) -> pd.DataFrame:
    """One row per new site: its LSOA, the LSOA's name, and the children it adds over the ones before."""
    return pd.DataFrame({
        "lsoa_code": pd.Series(list(sites), dtype=object),
        "lsoa_name": pd.Series([names.get(code) for code in sites], dtype=object),
        "adds": pd.Series([int(add) for add in adds], dtype="int64"),
    })


# --- the site finder on the Map page ------------------------------------------------------------

_FINDER_PEOPLE = {"unknown": "unknown under-fives", "deprived": "under-fives in the most deprived areas"}
_NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
FINDER_PEOPLE_CHOICES = {"Unknown under-fives": "unknown", "Under-fives in the most deprived areas": "deprived"}


def _number_word(number: int) -> str:
    """One to nine in words, as a sentence reads them; larger numbers as figures (10, 1,725)."""
    return _NUMBER_WORDS[number] if 0 <= number < len(_NUMBER_WORDS) else fmt.count(number)


def _km(radius_km: float) -> str:
    return f"{radius_km:g} km"


def _place_named(code: str, names: Mapping[str, str]) -> str:
    name = names.get(code)
    return f"{code} ({name})" if name else str(code)


def _listed(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def site_finder_words(*, sites: Sequence[str], names: Mapping[str, str], value: int, beyond_now: int,
                      radius_km: float, people: str) -> str:
    """The site finder's answer as one sentence, in the site words in use: where the new sites
    would go and how many of the chosen under-fives, now beyond every site, they would bring
    within the distance.

    >>> site_finder_words(sites=["E01000001", "E01000002"], names={"E01000001": "Ash 001A"},
    ...                   value=283, beyond_now=1649, radius_km=1.0, people="unknown")[:80]
    'Two new centres, in E01000001 (Ash 001A) and E01000002, would bring 283 of the 1'
    """
    words = current()
    who = _FINDER_PEOPLE.get(people, people)
    distance = _km(radius_km)
    if not sites:
        return (f"There is nowhere to put a new {words.site}: none of the LSOAs that may hold one has a "
                f"boundary or centroid loaded.")
    if beyond_now == 0:
        return (f"Every one of the {who} already lives within {distance} of a {words.site}, so a new "
                f"{words.site} would bring no more of them within {distance}.")
    count = len(sites)
    new = f"{_number_word(count).capitalize()} new {words.site if count == 1 else words.sites}"
    where = _listed([_place_named(code, names) for code in sites])
    reached = fmt.count(value) if value else "none"
    return (f"{new}, in {where}, would bring {reached} of the {fmt.count(beyond_now)} {who} who now live more "
            f"than {distance} from a {words.site} within {distance} of one.")


def site_finder_method_words(*, method: str, sets: int, new: int) -> str:
    """Whether the answer is the best possible set, or a choice made one site at a time."""
    words = current()
    if method == "exact":
        of = "" if sets == 1 else f" ({fmt.count(sets)} sets of {_number_word(new)})"
        return f"This is the best possible choice: Reach checked every possible set{of}."
    return (f"The new {words.sites} were chosen one at a time: there were too many sets to check them all "
            f"({fmt.count(sets)}), so each step added the LSOA that brought in the most. This is a good "
            f"choice, though not always the best.")


def site_finder_table(*, sites: Sequence[str], adds: Sequence[int], names: Mapping[str, str],
                      areas: Mapping[str, str]) -> pd.DataFrame:
    """One row per new site, in the order of the answer: the LSOA's code and name, the reach area
    it is in (its site's name; none where the LSOA is in no reach area) and the children it adds
    over the ones before it."""
    return pd.DataFrame({
        "lsoa_code": pd.Series(list(sites), dtype=object),
        "lsoa_name": pd.Series([names.get(code) for code in sites], dtype=object),
        "reach_area": pd.Series([areas.get(code) for code in sites], dtype=object),
        "children_added": pd.Series([int(add) for add in adds], dtype="int64"),
    })

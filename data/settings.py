"""The store's settings, kept in its `meta` table: what the sites are called (`site_word`:
"centres" or "hubs") and the target for the share of children with a good level of development
(`gld_target_pct`). The dashboard's Data page and `python -m reach settings` change them."""

from __future__ import annotations

import os
from dataclasses import dataclass

SITE_WORDS = ("centres", "hubs")
DEFAULT_SITE_WORD = "centres"
DEFAULT_GLD_TARGET_PCT = 75.0


@dataclass(frozen=True)
class StoreSettings:
    site_word: str = DEFAULT_SITE_WORD
    gld_target_pct: float = DEFAULT_GLD_TARGET_PCT
    gld_target_set: bool = False      # False: the default target, never chosen


def checked_site_word(value: str) -> str:
    word = str(value).strip().lower()
    if word not in SITE_WORDS:
        raise ValueError(f"the sites are called 'centres' or 'hubs', not {str(value)[:20]!r}")
    return word


def checked_gld_target(value) -> float:
    try:
        target = float(value)
    except (TypeError, ValueError):
        raise ValueError("the target for a good level of development is a percentage, such as 75") from None
    if not 0 < target <= 100:
        raise ValueError(f"the target for a good level of development is a percentage above 0 and at most "
                         f"100, not {target:g}")
    return target


def read_settings(con) -> StoreSettings:
    """The settings the store records; the defaults for any it does not (or cannot) record."""
    try:
        rows = dict(con.execute("SELECT key, value FROM meta WHERE key IN ('site_word', 'gld_target_pct')")
                    .fetchall())
    except Exception:      # a store without its tables yet: nothing chosen
        return StoreSettings()
    try:
        site_word = checked_site_word(rows.get("site_word", DEFAULT_SITE_WORD))
    except ValueError:
        site_word = DEFAULT_SITE_WORD
    try:
        target, chosen = checked_gld_target(rows["gld_target_pct"]), True
    except (KeyError, ValueError):
        target, chosen = DEFAULT_GLD_TARGET_PCT, False
    return StoreSettings(site_word=site_word, gld_target_pct=target, gld_target_set=chosen)


def gld_target_pct(con) -> float:
    """The GLD target the store records, else 75."""
    return read_settings(con).gld_target_pct


def save_settings(db: str | os.PathLike | None = None, *, site_word: str | None = None,
                  gld_target_pct: float | None = None) -> StoreSettings:
    """Record the settings given (the others stay as they are), in one transaction; returns them
    all. Raises ValueError naming a value that is not allowed, before anything is written."""
    from data.store import opened

    values = {}
    if site_word is not None:
        values["site_word"] = checked_site_word(site_word)
    if gld_target_pct is not None:
        values["gld_target_pct"] = f"{checked_gld_target(gld_target_pct):g}"
    with opened(db) as con:
        if values:
            con.execute("BEGIN TRANSACTION")
            try:
                for key, value in values.items():
                    con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                [key, value])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return read_settings(con)

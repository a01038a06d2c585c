"""The wording of the notes a kind adds to an import's summary, and the notes several kinds share.

Notes are sentences for a person ("3 rows for Wales were skipped."): they count and name, but
never quote a value that looks personal.
"""

from __future__ import annotations

from data.importers.kinds.base import CHECKED, LOADABLE, Context
from data.importers.pseudonymise import redact

# A note names at most this many codes, then "...": enough to find them, short enough to read.
_NAMED = 5


def count_of(n: int, one: str, many: str | None = None) -> str:
    """"1 row", "1,204 rows"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def were(n: int) -> str:
    """"was" or "were", to agree with `n`."""
    return "was" if n == 1 else "were"


def named(codes: list[str]) -> str:
    """The first few codes for a message; any that look personal are hidden (see `redact`)."""
    shown = ", ".join(redact(str(code)) for code in codes[:_NAMED])
    return shown + (", ..." if len(codes) > _NAMED else "")


def skipped_rows(ctx: Context) -> int:
    """Rows read but neither checked nor quarantined: rows the kind has no use for."""
    return ctx.rows_read - ctx.scalar(f"SELECT count(*) FROM {CHECKED}")


def unknown_centres(ctx: Context, what: str) -> list[str]:
    """A note, not a fault: the centres the rows name that the centres list does not have yet.
    `what` begins the sentence ("Registrations", "The reach areas")."""
    unknown = ctx.codes(f"""SELECT DISTINCT centre_id FROM {LOADABLE}
                            WHERE centre_id <> '' AND centre_id NOT IN (SELECT centre_id FROM centres)
                            ORDER BY centre_id""")
    if not unknown:
        return []
    return [f"{what} name {count_of(len(unknown), 'centre')} not in the centres list yet: "
            f"{named(unknown)} (loaded; they show once the centres are imported)."]

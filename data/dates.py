"""Dates as people write them to Reach: `YYYY-MM-DD`, and nothing else.

The one reading of a date given as text, whoever gives it: a file's `received_on` option, the
command line's `--as-at`, a query's `as_at`, the inspection date in a what-if link. It lives
here, in the lowest layer that reads dates, and everything above uses it: `reach.domain` and
`reach.presentation` may not import `data`, so they take dates already read.

Python's own `date.fromisoformat` also takes `20260930` and `2026-W40-3`; Reach takes only the
form its files must use (`ISO_DATE`, which the importers' row checks use too, as the same
pattern for SQL, `ISO_DATE_GLOB`), so a date that one part of Reach accepts is accepted by every
part.
"""

from __future__ import annotations

import re
from datetime import date, datetime

ISO_DATE = r"\d{4}-\d{2}-\d{2}"
_ISO_DATE = re.compile(ISO_DATE, flags=re.ASCII)    # digits 0-9 only, as in SQL
# The same form as a pattern for SQL's GLOB, which DuckDB matches a quarter quicker than the
# regular expression: it is tried on every date of every row a file brings.
ISO_DATE_GLOB = "[0-9]" * 4 + "-" + "[0-9]" * 2 + "-" + "[0-9]" * 2


def parse_date(text: str, *, name: str | None = None) -> date:
    """The date written as `YYYY-MM-DD` in `text` (spaces around it are ignored).

    Raises ValueError, naming the value (and `name`, what it is, when given): '"30/09/2026" is
    not a date in the form YYYY-MM-DD', or '... is not a real date' for 2026-02-30.
    """
    stripped = str(text).strip()
    said = f'{name} "{text}"' if name else f'"{text}"'
    if not _ISO_DATE.fullmatch(stripped):
        raise ValueError(f"{said} is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(stripped)
    except ValueError:
        raise ValueError(f"{said} is not a real date") from None


def as_date(value, *, name: str | None = None) -> date:
    """A date from a date, a datetime (or pandas Timestamp) or text read by `parse_date`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return parse_date(value, name=name)

"""Dates as people write them to Reach (`data.dates`): `YYYY-MM-DD` only, everywhere."""

from datetime import date, datetime

import pandas as pd
import pytest

from data.dates import ISO_DATE, ISO_DATE_GLOB, as_date, parse_date


def test_a_date_is_read_from_yyyy_mm_dd():
    assert parse_date("2026-09-30") == date(2026, 9, 30)
    assert parse_date(" 2026-09-30\n") == date(2026, 9, 30)


@pytest.mark.parametrize("text, says", [
    ("30/09/2026", '"30/09/2026" is not a date in the form YYYY-MM-DD'),
    ("20260930", "is not a date in the form YYYY-MM-DD"),          # Python alone would take these
    ("2026-W40-3", "is not a date in the form YYYY-MM-DD"),
    ("2026-09-30T10:00", "is not a date in the form YYYY-MM-DD"),
    ("٢٠٢٦-٠٩-٣٠", "is not a date in the form YYYY-MM-DD"),        # digits, but not 0-9
    ("2026-02-30", '"2026-02-30" is not a real date'),
    ("", "is not a date in the form YYYY-MM-DD"),
])
def test_anything_else_is_refused_saying_why(text, says):
    with pytest.raises(ValueError, match=says):
        parse_date(text)


def test_the_value_can_be_named():
    with pytest.raises(ValueError, match='^received_on "2026-13-01" is not a real date$'):
        parse_date("2026-13-01", name="received_on")


def test_dates_and_datetimes_are_taken_as_they_are():
    assert as_date(date(2026, 9, 30)) == date(2026, 9, 30)
    assert as_date(datetime(2026, 9, 30, 23, 59)) == date(2026, 9, 30)
    assert as_date(pd.Timestamp("2026-09-30")) == date(2026, 9, 30)
    assert as_date("2026-09-30") == date(2026, 9, 30)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        as_date("next tuesday")


def test_the_glob_pattern_for_sql_takes_exactly_what_the_regular_expression_takes():
    import re

    import duckdb

    texts = ["2026-09-30", "0000-00-00", "9999-99-99", "2026-9-30", "2026-09-3", "20260-09-30", "2026-09-300",
             " 2026-09-30", "2026-09-30 ", "2026/09/30", "2026-09-3a", "٢٠٢٦-09-30", "2026-０9-30", "2026-09-30\n",
             "+026-09-30", "-026-09-30", "2026--09-30", "", "2026-09-30T00", "[0-9]-[0-9]-[0-9]", "2026-09-?0"]
    con = duckdb.connect()
    globbed = dict(con.execute(f"SELECT t, t GLOB '{ISO_DATE_GLOB}' FROM unnest(?) u(t)", [texts]).fetchall())
    expressed = dict(con.execute(f"SELECT t, regexp_full_match(t, '{ISO_DATE}') FROM unnest(?) u(t)",
                                 [texts]).fetchall())
    python = {text: re.fullmatch(ISO_DATE, text, flags=re.ASCII) is not None for text in texts}
    assert globbed == expressed == python
    assert sum(globbed.values()) == 3

"""What needs attention first: the order of concerns, the cap, and the words."""

from datetime import date

import pandas as pd
import pytest

from reach.domain.attention import CONCERNS
from reach.domain.measures import Bands
from reach.presentation.attention_sentences import ATTENTION_COLUMNS, attention_lines, needs_attention
from reach.presentation.safe_text import markdown_shown, markdown_text

AS_AT = date(2025, 9, 30)


def centres() -> pd.DataFrame:
    return pd.DataFrame({
        "centre_id": ["C1", "C2", "C3", "C4", "C5"],
        "centre_name": ["Ash", "Birch", "Cedar", "Damson", "Elm"],
        "children_under5": [1000, 800, 600, 900, 0],
        "reach_pct": [45.0, 60.0, 98.0, 55.0, float("nan")],
        "band": ["inadequate", "requires improvement", "outstanding", "requires improvement", None],
        "families_to_find": [520, 296, 0, 378, 0],
        "unmatched_births": [40, 1, 0, 75, 0],
        "birth_data_lag_days": pd.array([10, 80, pd.NA, 12, pd.NA], dtype="Int64"),
        "denominator_flagged": [False, True, False, False, False],
        "denominator_note": [None, "1 of 8 LSOAs use a fallback population figure", None, None, None],
    })


def authority(lag=10) -> pd.DataFrame:
    return pd.DataFrame({"birth_data_lag_days": pd.array([lag], dtype="Int64")})


def test_concerns_come_in_order_each_with_its_largest_first():
    attention = needs_attention(centres(), authority(), bands=Bands(), as_at=AS_AT)
    assert list(attention.columns) == list(ATTENTION_COLUMNS)
    assert list(attention["rank"]) == list(range(1, len(attention) + 1))
    assert list(zip(attention["concern"], attention["centre_id"])) == [
        ("Lowest band", "C1"), ("Lowest band", "C4"), ("Lowest band", "C2"),
        ("Most families to find", "C1"), ("Most families to find", "C4"), ("Most families to find", "C2"),
        ("Most unmatched births", "C4"), ("Most unmatched births", "C1"), ("Most unmatched births", "C2"),
        # Birch's birth data is 80 days old; Cedar has never had any. Elm has no children: not listed.
        ("Birth data overdue for an area", "C3"), ("Birth data overdue for an area", "C2"),
        ("Population estimate flagged", "C2"),
    ]


def test_each_row_says_what_it_means():
    attention = needs_attention(centres(), authority(), bands=Bands(), as_at=AS_AT)
    messages = dict(zip(zip(attention["concern"], attention["centre_id"]), attention["message"]))
    assert messages[("Lowest band", "C1")] == \
        "Ash knows 45.0% of its under-fives: indicative band inadequate (below 51%)."
    assert messages[("Most families to find", "C4")] == \
        "Damson has 378 families to find to reach 97% of its 900 under-fives."
    assert messages[("Most unmatched births", "C2")].startswith("Birch has 1 unmatched birth:")
    assert messages[("Birth data overdue for an area", "C3")] == "Cedar: no birth data has arrived for its area."
    assert messages[("Population estimate flagged", "C2")] == (
        "Birch: 1 of 8 LSOAs use a fallback population figure, so its reach may be wrong.")


def test_overdue_birth_data_for_the_authority_comes_first_and_replaces_the_per_area_rows():
    attention = needs_attention(centres(), authority(lag=100), bands=Bands(), as_at=AS_AT)
    first = attention.iloc[0]
    assert first["concern"] == CONCERNS[0] and first["centre_name"] == "All centres" and pd.isna(first["centre_id"])
    assert "100 days before 30 September 2025. That is overdue" in first["message"]
    assert "Birth data overdue for an area" not in set(attention["concern"])


def test_per_concern_caps_each_concern():
    attention = needs_attention(centres(), authority(), bands=Bands(), as_at=AS_AT, per_concern=1)
    assert list(attention["concern"]) == list(CONCERNS[1:])


def test_nothing_to_say_gives_an_empty_frame():
    calm = centres().iloc[[2]].assign(birth_data_lag_days=pd.array([5], dtype="Int64"))
    attention = needs_attention(calm, authority(), bands=Bands(), as_at=AS_AT)
    assert attention.empty and list(attention.columns) == list(ATTENTION_COLUMNS)


def test_the_authority_is_one_row():
    with pytest.raises(ValueError, match="one row"):
        needs_attention(centres(), pd.concat([authority(), authority()]), bands=Bands(), as_at=AS_AT)


def test_attention_lines_read_one_line_per_concern():
    lines = [markdown_shown(line) for line in attention_lines(
        needs_attention(centres(), authority(lag=100), bands=Bands(), as_at=AS_AT, per_concern=2))]
    assert lines[0].startswith("The latest birth data arrived 100 days before")
    assert lines[1] == "Centres in the lowest bands: Ash (45.0%, inadequate), Damson (55.0%, requires improvement)."
    assert lines[2] == "The most families to find: Ash (520), Damson (378)."
    assert lines[3] == "The longest outreach worklists (unmatched births): Damson (75), Ash (40)."
    assert lines[4] == ("Population estimate flagged, so reach may be wrong: "
                        "Birch (1 of 8 LSOAs use a fallback population figure).")
    assert len(lines) == 5


def test_attention_lines_are_markdown_with_each_name_escaped():
    hostile = centres().assign(centre_name=["![x](http://evil.example/p.png)", "Birch", "Cedar", "Damson", "Elm"])
    attention = needs_attention(hostile, authority(), bands=Bands(), as_at=AS_AT)
    assert attention["centre_name"].iloc[0] == "![x](http://evil.example/p.png)"     # the table: plain text
    lines = attention_lines(attention)
    assert lines[0].startswith("Centres in the lowest bands: " + markdown_text("![x](http://evil.example/p.png)"))
    assert not any("![x](" in line or "](http" in line for line in lines)

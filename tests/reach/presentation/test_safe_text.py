"""Text from files made safe to show and to write: Markdown, plotly labels and spreadsheets.

What Streamlit renders was checked in a browser (Chromium, Streamlit's own Markdown): with
`markdown_text` every hostile string below showed as itself, with no image, link, icon, emoji,
colour or arrow. These tests pin the escaping that made it so.
"""

import re

import pandas as pd
import pytest

from reach.presentation.safe_text import (WORD_JOINER, file_name, html_text, markdown_shown, markdown_text, plotly_text,
                             spreadsheet_cell, spreadsheet_safe, terminal_safe, terminal_text)

HOSTILE = [
    "![x](http://evil.example/p.png)",
    "[click](http://evil.example)",
    '<a href="http://evil.example">x</a>',
    ":red[red] :blue-badge[hi] :help[x] :material/home: :smile: :streamlit:",
    "$x^2$ and $$y$$",
    "http://evil.example/a www.evil.example bob@evil.example",
    "a -> b <- c -- d >= e <= f ~= g",
    "1. a list",
    "# a heading",
    "**bold** _it_ ~~gone~~ `code` | table |",
    "&amp; &lt;b&gt;",
    "line one\nline two\r\n- a list item",
]


def _unescaped(text: str) -> str:
    """What CommonMark shows for `text`: a backslash before punctuation is dropped."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_text_escapes_every_punctuation_character(hostile):
    escaped = markdown_text(hostile)
    # Read left to right, the text is only escaped punctuation and other characters.
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*", escaped)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_markdown_text_reads_back_as_the_same_text(hostile):
    """Once the escapes are read, only the invisible word joiners differ (and line breaks)."""
    shown = _unescaped(markdown_text(hostile)).replace(WORD_JOINER, "")
    assert shown == " ".join(hostile.splitlines())
    assert markdown_shown(markdown_text(hostile)) == shown


def test_the_patterns_found_after_parsing_are_broken_by_a_word_joiner():
    shown = _unescaped(markdown_text(HOSTILE[3] + " " + HOSTILE[5] + " " + HOSTILE[6]))
    # Streamlit's emoji, icon and logo shortcodes; GitHub's web and e-mail links; the arrows.
    assert not re.search(r":[\w+-][\w+/-]*:", shown)
    assert not re.search(r"https?://|www\.|@[\w-]", shown, re.IGNORECASE)
    assert not re.search(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)", shown)
    assert ":material/" not in shown       # Streamlit rewrites this before parsing


def test_markdown_text_keeps_a_line_on_one_line():
    assert "\n" not in markdown_text("a\nb\rc\u2028d") and "\r" not in markdown_text("a\rb")


def test_ordinary_words_are_left_readable():
    assert markdown_text("Riverside Children's Centre") == "Riverside Children\\'s Centre"
    assert markdown_text("Centre: Ash") == "Centre\\: Ash"       # a colon before a space needs no joiner
    assert markdown_text(42) == "42"


def test_plotly_text_escapes_tags_and_entities():
    assert plotly_text('<a href="http://evil.example">x</a>') == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt;'
    assert plotly_text("A & B") == "A &amp; B"
    assert plotly_text("Children's") == "Children's"


def test_html_text_escapes_quotes_too():
    assert html_text('"><script>') == "&quot;&gt;&lt;script&gt;"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_a_spreadsheet_would_run_gets_an_apostrophe(start):
    assert spreadsheet_cell(start + "SUM(A1)") == "'" + start + "SUM(A1)"


def test_other_cells_are_unchanged():
    assert spreadsheet_cell("Ash") == "Ash"
    assert spreadsheet_cell(-3) == -3 and spreadsheet_cell(-1.5) == -1.5
    assert spreadsheet_cell(None) is None


def test_spreadsheet_safe_touches_text_only():
    frame = pd.DataFrame({"centre_name": ['=HYPERLINK("http://evil.example","x")', "Ash"],
                          "difference": [-4.2, 1.0], "count": [-1, 2], "@group": ["@SUM(A1)", "+1-2"]})
    safe = spreadsheet_safe(frame)
    assert list(safe["centre_name"]) == ['\'=HYPERLINK("http://evil.example","x")', "Ash"]
    assert list(safe["difference"]) == [-4.2, 1.0] and list(safe["count"]) == [-1, 2]
    assert list(safe["'@group"]) == ["'@SUM(A1)", "'+1-2"]
    assert list(frame["centre_name"])[0].startswith("=")        # the original is not changed


def test_a_file_name_keeps_only_plain_characters():
    assert file_name("lsoas_+1-2_2026-09-30.csv") == "lsoas__1-2_2026-09-30.csv"
    assert file_name("gaps_../../etc/x \"y\".csv") == "gaps_.._.._etc_x_y_.csv"
    assert file_name(".hidden") == "hidden"


def test_terminal_text_writes_control_characters_out():
    link = "Ash\x1b]8;;http://evil.example\x07here\x1b]8;;\x07 \u202eelbaT"
    assert terminal_text(link) == "Ash\\x1b]8;;http://evil.example\\x07here\\x1b]8;;\\x07 \\u202eelbaT"
    assert terminal_text("Ash Children's Centre") == "Ash Children's Centre"
    frame = terminal_safe(pd.DataFrame({"name\x1b": ["a\x1b[2J"], "n": [1]}))
    assert list(frame.columns) == ["name\\x1b", "n"] and frame.iloc[0, 0] == "a\\x1b[2J" and frame.iloc[0, 1] == 1

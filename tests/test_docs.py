"""docs/definitions.md is checked against the definitions the dashboard shows and the report's
columns, so the document and the product cannot drift apart."""

import re
from pathlib import Path

import pytest

from reach.domain.measures import DEFINITIONS, REPORT_COLUMNS

DOC = (Path(__file__).resolve().parents[1] / "docs" / "definitions.md").read_text()


def _section(name: str) -> str:
    match = re.search(rf"^## {re.escape(name)}\n\n(.*?)(?=^## |\Z)", DOC, flags=re.M | re.S)
    assert match, f"docs/definitions.md has no section '## {name}'"
    return match.group(1)


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_each_definition_the_dashboard_shows_opens_its_section_word_for_word(name):
    first_paragraph = _section(name).split("\n\n")[0].strip()
    assert first_paragraph == DEFINITIONS[name].meaning


def test_every_column_of_the_report_is_defined():
    table = {cell.strip(" `") for row in DOC.splitlines() if row.startswith("| `")
             for cell in row.split("|")[1].split(",")}
    missing = [c for c in REPORT_COLUMNS if c not in table and c not in ("centre_id", "centre_name")]
    assert not missing, f"docs/definitions.md does not define {missing}"


def test_every_section_the_table_links_to_exists():
    for anchor in set(re.findall(r"\]\(#([a-z0-9-]+)\)", DOC)):
        headings = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
                    for h in re.findall(r"^## (.+)$", DOC, flags=re.M)}
        assert anchor in headings, anchor

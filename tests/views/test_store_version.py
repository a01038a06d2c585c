"""The dashboard on a store whose schema is not this Reach's: it says what is wrong and what to
do, writes nothing, and raises nothing."""

import pytest

from tests.stores import record_schema_version
from tests.views.figure_data import shown


@pytest.mark.parametrize("page", ["views/overview.py", "views/data.py"])
def test_a_store_from_a_newer_reach_is_refused_with_advice(empty_store_page, empty_store, page):
    record_schema_version(empty_store, "99")
    before = empty_store.read_bytes()
    at = empty_store_page(page)           # fails on any exception
    errors = " ".join(shown(at.error))
    assert "this database was made by a newer version of Reach (schema 99" in errors
    assert "Upgrade Reach" in errors
    assert empty_store.read_bytes() == before


def test_an_older_store_asks_for_the_upgrade_command(empty_store_page, empty_store, monkeypatch):
    from data import schema

    monkeypatch.setattr(schema, "SCHEMA_VERSION", schema.SCHEMA_VERSION + 1)
    at = empty_store_page("views/overview.py")
    assert "python -m reach upgrade" in " ".join(shown(at.error))

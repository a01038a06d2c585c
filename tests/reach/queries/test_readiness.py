"""What the store holds of each kind of data, on the demo and on an empty store."""

from datetime import date

from data.store import opened
from reach.queries.readiness import data_coverage, readiness, starting_as_at


def test_the_demo_starts_at_the_end_of_its_registrations(demo_db_template):
    with opened(demo_db_template, read_only=True) as con:
        coverage = data_coverage(con)
        assert coverage.registrations == date(2026, 9, 30)
        assert coverage.birth_records == date(2026, 9, 17)
        assert coverage.contacts == date(2026, 9, 30)
        assert starting_as_at(con, today=date(2026, 11, 30)) == date(2026, 9, 30)
        assert starting_as_at(con, today=date(2026, 9, 1)) == date(2026, 9, 1)
        found = {status.step.name: status for status in readiness(con)}
        registrations = con.execute("SELECT count(*) FROM registrations").fetchone()[0]
        births = con.execute("SELECT (SELECT count(*) FROM births) + (SELECT count(*) FROM birth_counts)").fetchone()[0]
    assert found["Children's centres"].rows == 12
    assert found["LSOA boundaries"].rows == 136
    assert found["Registrations"].rows == registrations and found["Registrations"].latest == date(2026, 9, 30)
    assert found["Birth data"].rows == births
    assert found["Population estimates"].latest == date(2025, 6, 30)
    assert all(status.loaded for status in found.values())


def test_an_empty_store_has_nothing_and_starts_today(empty_con):
    coverage = data_coverage(empty_con)
    assert coverage.latest is None
    assert starting_as_at(empty_con, today=date(2026, 11, 30)) == date(2026, 11, 30)
    assert [status.rows for status in readiness(empty_con)] == [0] * 9

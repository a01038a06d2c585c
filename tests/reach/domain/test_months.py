"""Calendar months (`reach.domain.months`), the one home of Reach's month arithmetic."""

from datetime import date

from reach.domain.months import add_months, month_end, month_ends, month_ends_after, months_between


def test_add_months_keeps_month_ends():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 2, 28), 1) == date(2025, 3, 31)
    assert add_months(date(2025, 1, 15), 13) == date(2026, 2, 15)
    assert add_months(date(2025, 1, 30), 1) == date(2025, 2, 28)


def test_add_months_goes_back_as_well():
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -13) == date(2023, 12, 15)
    assert add_months(date(2024, 10, 1), 0) == date(2024, 10, 1)


def test_month_end_and_months_between():
    assert month_end(date(2024, 2, 3)) == date(2024, 2, 29)
    assert months_between(date(2025, 1, 31), date(2026, 3, 1)) == 14
    assert months_between(date(2025, 3, 1), date(2025, 1, 31)) == -2


def test_month_ends_up_to_a_date_end_on_the_date():
    assert month_ends(until=date(2025, 6, 10), months=4) == [date(2025, 3, 31), date(2025, 4, 30),
                                                          date(2025, 5, 31), date(2025, 6, 10)]
    assert month_ends(until=date(2024, 3, 15), months=2) == [date(2024, 2, 29), date(2024, 3, 15)]
    assert month_ends(until=date(2025, 6, 10), months=1) == [date(2025, 6, 10)]


def test_month_ends_after_a_date_start_with_it():
    assert month_ends_after(date(2025, 1, 20), 3) == [date(2025, 1, 20), date(2025, 2, 28), date(2025, 3, 31),
                                                      date(2025, 4, 30)]
    assert month_ends_after(date(2025, 1, 20), 0) == [date(2025, 1, 20)]

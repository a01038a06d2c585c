"""The what-if parameters read from a small store whose answers are worked out by hand.

Riverside (C1) has LSOAs A1 and A2 with 100 under-fives; Hilltop (C2) has B1 with 40. Health
sends birth records on the 15th of every month from January 2024 to June 2025 (18 deliveries),
each with two births in A1 and one in B1, the latest born 30 days before the delivery.
"""

from datetime import date, timedelta

import pytest

from reach.domain.whatif import DAYS_PER_MONTH, DEFAULT_SCENARIO
from reach.domain.whatif_parameters import DEFAULT_PARAMETERS, Parameter, default_calibration
from reach.queries.calibration import CONTACT_WINDOW_DAYS, calibrate, current_position, known_share_by_age
from tests.reach.rows import A1, A2, B1, insert_rows as _insert, two_centres

AS_AT = date(2025, 6, 30)
DELIVERIES = [date(2024 + (m // 12), m % 12 + 1, 15) for m in range(18)]   # 2024-01-15 .. 2025-06-15


def birth(child, dob, lsoa, received, event="birth"):
    return dict(child_key=child, dob=dob, lsoa_code=lsoa, received_on=received, event=event, import_id=1)


def reg(child, dob, lsoa, centre, on):
    return dict(child_key=child, dob=dob, lsoa_code=lsoa, centre_id=centre, registered_on=on, import_id=1)


def _areas(con):
    two_centres(con, {A1: 50, A2: 50, B1: 40}, period=date(2024, 6, 30))


@pytest.fixture
def con(empty_con):
    con = empty_con
    _areas(con)
    births, registrations = [], []
    for k, received in enumerate(DELIVERIES):
        a, b, h = f"a{k}", f"b{k}", f"h{k}"
        births += [birth(a, received - timedelta(days=30), A1, received),
                   birth(b, received - timedelta(days=40), A1, received),
                   birth(h, received - timedelta(days=35), B1, received)]
        # Riverside registers the first of each pair within 20 days ...
        registrations.append(reg(a, received - timedelta(days=30), A1, "C1", received + timedelta(days=20)))
        # ... the second only 200 days later for the first five deliveries (too late to count)
        if k < 5:
            registrations.append(reg(b, received - timedelta(days=40), A1, "C1", received + timedelta(days=200)))
        # Hilltop registers the births of every other delivery within 10 days
        if k % 2 == 0:
            registrations.append(reg(h, received - timedelta(days=35), B1, "C2", received + timedelta(days=10)))
    # Already registered before health's record came: not counted for the contact rate.
    births.append(birth("x", date(2023, 11, 20), A1, DELIVERIES[0]))
    registrations.append(reg("x", date(2023, 11, 20), A1, "C1", date(2023, 12, 1)))
    # Registered on the very day its record arrived: a notified family, registered in time.
    births.append(birth("same_day", date(2024, 9, 1), A2, date(2024, 10, 15)))
    registrations.append(reg("same_day", date(2024, 9, 1), A2, "C1", date(2024, 10, 15)))
    # One child who moved in, in the May 2025 delivery.
    births.append(birth("arrival", date(2023, 1, 1), A2, date(2025, 5, 15), event="arrival"))
    # Found by other routes (no birth record): four in the year to AS_AT, one before it, and one
    # registered at five and a half (not an under-five).
    for i, on in enumerate([date(2024, 9, 1), date(2024, 11, 20), date(2025, 2, 3), date(2025, 6, 30)]):
        registrations.append(reg(f"other{i}", date(2023, 3, 1), A2, "C1", on))
    registrations.append(reg("other_early", date(2023, 3, 1), A2, "C1", date(2024, 3, 1)))
    registrations.append(reg("too_old", date(2019, 1, 1), A2, "C1", date(2024, 8, 1)))
    _insert(con, "births", births)
    _insert(con, "registrations", registrations)
    return con


def test_sharing_is_the_typical_gap_between_deliveries(con):
    sharing = calibrate(con, as_at=AS_AT).sharing_months
    assert sharing.value == 1
    assert sharing.origin == "data"
    assert sharing.records == 18
    assert "18 deliveries" in sharing.how and "monthly" in sharing.how


def test_delay_is_the_median_time_from_the_latest_birth_to_delivery(con):
    delay = calibrate(con, as_at=AS_AT).delay_months
    assert delay.value == round(30 / DAYS_PER_MONTH, 2) == 0.99
    assert (delay.origin, delay.records) == ("data", 18)


def test_contact_rate_counts_registrations_within_the_window(con):
    # Records received by 31 March 2025 (91 days before): deliveries January 2024 to March 2025.
    riverside = calibrate(con, as_at=AS_AT, centre_id="C1").contact_rate
    # 15 first-borns + the same-day child registered in time, of 15 pairs + the same-day child;
    # x was known already; the late registrations (200 days) do not count.
    assert riverside.value == pytest.approx(16 / 31)
    assert (riverside.origin, riverside.records) == ("data", 31)
    hillside = calibrate(con, as_at=AS_AT, centre_id="C2").contact_rate
    assert hillside.value == pytest.approx(8 / 15)   # deliveries 0, 2, ..., 14
    authority = calibrate(con, as_at=AS_AT).contact_rate
    assert authority.value == pytest.approx(24 / 46)
    assert authority.records == 46
    assert f"within {CONTACT_WINDOW_DAYS} days" in authority.how


def test_other_route_rate_is_per_month_of_unknown_children(con):
    # Riverside's under-fives: 100. Known on 30 June 2024: a0..a4, x, other_early = 7 (93 unknown).
    # Known on 30 June 2025: a0..a16, b0..b4, x, same_day, other_early, other0..3 = 29 (71 unknown).
    rate = calibrate(con, as_at=AS_AT, centre_id="C1").other_route_rate
    assert rate.value == pytest.approx(4 / (12 * (93 + 71) / 2))
    assert (rate.origin, rate.records) == ("data", 4)
    # The authority adds Hilltop: 40 under-fives, 3 known a year before (37 unknown), 9 now (31).
    authority = calibrate(con, as_at=AS_AT).other_route_rate
    assert authority.value == pytest.approx(4 / (12 * (93 + 37 + 71 + 31) / 2))


def test_current_position_is_the_reports(con):
    assert current_position(con, as_at=AS_AT, centre_id="C1") == (29, 100.0)
    assert current_position(con, as_at=AS_AT) == (29 + 9, 140.0)


def test_known_share_by_year_of_age(con):
    # Riverside on 30 June 2025 (20 under-fives a year): aged 0, a7..a16 and same_day (11);
    # aged 1, a0..a6, b0..b4 and x (13); aged 2, other_early and other0..3 (5).
    shares = known_share_by_age(con, as_at=AS_AT, centre_id="C1")
    assert shares == pytest.approx([11 / 20, 13 / 20, 5 / 20, 0.0, 0.0])
    assert sum(shares) / 5 == pytest.approx(29 / 100)   # the report's reach, 29 of 100
    assert known_share_by_age(con, as_at=AS_AT) == pytest.approx([(11 + 5) / 28, (13 + 4) / 28, 5 / 28, 0, 0])


def test_churn_is_the_stated_default(con):
    churn = calibrate(con, as_at=AS_AT).churn
    assert churn == DEFAULT_PARAMETERS["churn"]
    assert (churn.value, churn.origin, churn.records) == (0.01, "default", 0)
    assert "12% a year" in churn.how


def test_arrivals_in_feed_when_an_arrival_came_in_the_last_year(con):
    arrivals = calibrate(con, as_at=AS_AT).arrivals_in_feed
    # Records received after 30 June 2024: 12 deliveries of 3, the same-day child and the arrival.
    assert (arrivals.value, arrivals.origin, arrivals.records) == (True, "data", 38)
    # A year later nothing has arrived for a year: the default.
    assert calibrate(con, as_at=date(2026, 7, 1)).arrivals_in_feed == DEFAULT_PARAMETERS["arrivals_in_feed"]


def test_births_only_when_the_last_years_records_hold_no_arrival(con):
    arrivals = calibrate(con, as_at=date(2025, 4, 30)).arrivals_in_feed
    assert (arrivals.value, arrivals.origin) == (False, "data")


def test_the_calibration_is_a_scenario(con):
    scenario = calibrate(con, as_at=AS_AT, centre_id="C1").scenario()
    assert scenario.sharing_months == 1 and scenario.arrivals_in_feed is True
    assert scenario.contact_rate == pytest.approx(16 / 31)


def test_options_replace_derived_values(con):
    calibration = calibrate(con, as_at=AS_AT).with_options(sharing_months=12, contact_rate=0.95)
    assert calibration.sharing_months == Parameter(12, "option", 0, "Chosen for this scenario.")
    assert calibration.contact_rate.value == 0.95
    assert calibration.delay_months.origin == "data"
    with pytest.raises(ValueError, match="Unknown parameter"):
        calibration.with_options(speed=3)


def test_quarterly_deliveries_read_as_quarterly(empty_con):
    con = empty_con
    _areas(con)
    quarters = [date(2024, 1, 20), date(2024, 4, 22), date(2024, 7, 19), date(2024, 10, 21), date(2025, 1, 20)]
    _insert(con, "births", [birth(f"q{i}", day - timedelta(days=50), A1, day) for i, day in enumerate(quarters)])
    calibration = calibrate(con, as_at=date(2025, 2, 1))
    assert (calibration.sharing_months.value, calibration.sharing_months.records) == (3, 5)
    assert calibration.delay_months.value == round(50 / DAYS_PER_MONTH, 2)
    assert calibration.arrivals_in_feed.value is False
    # No registrations at all: the other-routes rate cannot be measured.
    assert calibration.other_route_rate == DEFAULT_PARAMETERS["other_route_rate"]
    # Nobody registered within 91 days of 5 notifications (4 with a full window): a contact rate of 0.
    assert (calibration.contact_rate.value, calibration.contact_rate.records) == (0.0, 4)


def test_registrations_but_no_birth_records_means_no_sharing(empty_con):
    con = empty_con
    _areas(con)
    _insert(con, "registrations", [reg("r1", date(2024, 1, 1), A1, "C1", date(2024, 3, 1))])
    calibration = calibrate(con, as_at=date(2025, 1, 1))
    assert (calibration.sharing_months.value, calibration.sharing_months.origin) == (None, "data")
    assert calibration.delay_months == DEFAULT_PARAMETERS["delay_months"]
    assert calibration.contact_rate.origin == "default" and calibration.contact_rate.records == 0
    assert calibration.scenario().sharing_months is None


def test_an_empty_store_gives_every_default(empty_con):
    con = empty_con
    calibration = calibrate(con, as_at=date(2025, 1, 1))
    for name, parameter in calibration.parameters().items():
        assert parameter.origin == "default" and parameter.records == 0, name
    assert calibration.scenario() == DEFAULT_SCENARIO
    assert default_calibration(as_at=date(2025, 1, 1)).scenario() == DEFAULT_SCENARIO


def test_a_single_delivery_cannot_show_a_gap(empty_con):
    con = empty_con
    _areas(con)
    _insert(con, "births", [birth("o1", date(2024, 12, 1), A1, date(2025, 1, 10))])
    sharing = calibrate(con, as_at=date(2025, 2, 1)).sharing_months
    assert (sharing.value, sharing.origin, sharing.records) == (3, "default", 0)
    assert "only one delivery" in sharing.how


def test_an_unknown_centre_is_refused(con):
    with pytest.raises(ValueError, match="No reach area for centre 'C9'.*C1, C2"):
        calibrate(con, as_at=AS_AT, centre_id="C9")
    with pytest.raises(ValueError, match="No centre 'C9'"):
        current_position(con, as_at=AS_AT, centre_id="C9")


def test_a_parameter_must_say_where_it_came_from():
    with pytest.raises(ValueError, match="origin"):
        Parameter(1, "guess", 0, "?")

"""One rule for "birth data overdue": the Overview, My centre and the Data page's compliance
table give the same answer for the same lag.

The store holds birth records shared quarterly (no birth counts), loaded through the importers.
At day 60 after the last delivery, birth data due monthly is overdue everywhere, although 60
days is well within health's own quarterly habit; at day 40 it is on time everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data.importers import import_file
from data.store import opened
from reach.domain.measures import BIRTH_DATA_OVERDUE_AFTER_DAYS, is_overdue
from reach.queries.compliance import OVERDUE, ON_TIME, compliance
from reach.queries.report import reach_report

from tests.views.figure_data import shown

PROJECT = Path(__file__).resolve().parents[2]
LSOA = "E01000001"
LAST_DELIVERY = date(2025, 7, 15)
DELIVERIES = (date(2025, 1, 15), date(2025, 4, 15), LAST_DELIVERY)       # quarterly


@pytest.fixture
def quarterly_db(tmp_path) -> Path:
    """One centre, one LSOA of 40 under-fives, births shared each quarter, some registered."""
    db = tmp_path / "quarterly.duckdb"
    files = {
        "centres": [{"centre_id": "C1", "name": "Riverside"}],
        "reach-areas": [{"lsoa_code": LSOA, "centre_id": "C1"}],
        "population": [{"lsoa_code": LSOA, "children_0_4": 40, "period": "2024-06-30"}],
        "births": [{"child_key": f"child-{n}-{k}", "dob": (received - timedelta(days=30 + 10 * k)).isoformat(),
                    "lsoa_code": LSOA, "received_on": received.isoformat()}
                   for n, received in enumerate(DELIVERIES) for k in range(3)],
        "registrations": [{"child_key": f"child-{n}-0", "dob": (received - timedelta(days=30)).isoformat(),
                           "lsoa_code": LSOA, "centre_id": "C1",
                           "registered_on": (received + timedelta(days=7)).isoformat()}
                          for n, received in enumerate(DELIVERIES)],
    }
    for kind, rows in files.items():
        pd.DataFrame(rows).to_csv(tmp_path / f"{kind}.csv", index=False)
        import_file(kind, tmp_path / f"{kind}.csv", db=db)
    return db


def _verdicts(db: Path, as_at: date) -> dict:
    with opened(db, read_only=True) as con:
        authority = reach_report(con, as_at=as_at, by="authority").iloc[0]
        centre = reach_report(con, as_at=as_at, by="centre").iloc[0]
        births = compliance(con, as_at=as_at).set_index("source").loc["Birth records"]
    return {"lag": (int(authority["birth_data_lag_days"]), int(centre["birth_data_lag_days"]),
                    int(births["lag_days"])),
            "overview": is_overdue(authority["birth_data_lag_days"]),
            "my centre": is_overdue(centre["birth_data_lag_days"]),
            "compliance": births["status"],
            "usual": births["usual_interval_days"], "allowed": births["allowed_days"]}


def test_day_60_of_quarterly_sharing_is_overdue_everywhere(quarterly_db):
    verdicts = _verdicts(quarterly_db, LAST_DELIVERY + timedelta(days=60))
    assert verdicts["lag"] == (60, 60, 60)
    assert verdicts["usual"] > 85                     # health's own habit is quarterly...
    assert verdicts["allowed"] == BIRTH_DATA_OVERDUE_AFTER_DAYS == 45     # ...but birth data is due monthly
    assert (verdicts["overview"], verdicts["my centre"], verdicts["compliance"]) == (True, True, OVERDUE)


def test_day_40_of_quarterly_sharing_is_on_time_everywhere(quarterly_db):
    verdicts = _verdicts(quarterly_db, LAST_DELIVERY + timedelta(days=40))
    assert verdicts["lag"] == (40, 40, 40)
    assert (verdicts["overview"], verdicts["my centre"], verdicts["compliance"]) == (False, False, ON_TIME)


@pytest.mark.parametrize("days, overdue", [(60, True), (40, False)])
def test_the_pages_say_the_same(quarterly_db, monkeypatch, days, overdue):
    monkeypatch.setenv("REACH_DB", str(quarterly_db))
    at = AppTest.from_file(str(PROJECT / "dashboard.py"), default_timeout=60)
    at.run()
    at.date_input(key="as_at").set_value(LAST_DELIVERY + timedelta(days=days)).run()
    said = {}
    at.switch_page("views/overview.py").run()
    assert not at.exception, at.exception
    said["overview"] = any("That is overdue" in warning.value for warning in at.warning)
    at.switch_page("views/my_centre.py").run()
    assert not at.exception, at.exception
    said["my centre"] = any("Birth data for this area is overdue" in warning.value for warning in at.warning)
    at.switch_page("views/data.py").run()
    assert not at.exception, at.exception
    births = next(text for text in shown(at.markdown) if text.startswith("**Birth records**"))
    said["data"] = ":red-badge[overdue]" in births
    assert said == {"overview": overdue, "my centre": overdue, "data": overdue}
    assert f"{days} days before this date" in births

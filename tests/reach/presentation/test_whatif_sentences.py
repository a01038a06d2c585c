"""What a scenario would do, in one sentence for a centre manager (`describe_change`)."""

import math

from reach.domain.whatif import Scenario, steady_state_reach
from reach.presentation.whatif_sentences import describe_change


def scenario(F=3, p=0.9, h=0.02, c=0.01, d=1.0, arrivals=True) -> Scenario:
    return Scenario(sharing_months=F, contact_rate=p, other_route_rate=h, churn=c, delay_months=d,
                    arrivals_in_feed=arrivals)


def test_describe_change_for_monthly_sharing():
    s = scenario(F=1, p=0.9, h=0.02, c=0.0, d=0, arrivals=True)
    text = describe_change(scenario=s, known=88, under_five=100, area_name="Riverside")
    assert text == ("Monthly sharing of births and arrivals would lift Riverside from 88% to about 90% "
                    "within a year; 97% also needs contact success above 96%.")


def test_describe_change_when_97_percent_is_out_of_reach():
    s = scenario(F=12, p=0.9, h=0.02, c=0.01, d=3, arrivals=False)
    text = describe_change(scenario=s, known=88, under_five=100, area_name="Hillside")
    assert text == ("Annual sharing of births only would leave Hillside falling from 88% to about 70% "
                    "within a year; it cannot reach 97% even with every family contacted.")


def test_describe_change_when_the_scenario_is_enough():
    s = scenario(F=1, p=1.0, h=0.3, c=0.01, d=0)
    text = describe_change(scenario=s, known=90, under_five=100, area_name="Riverside", horizon_months=24)
    assert text == ("Monthly sharing of births and arrivals would lift Riverside from 90% to about 99% within "
                    "two years; that is enough for 97% in the long run (it needs contact success above 75%).")


def test_describe_change_with_no_sharing():
    s = scenario(F=None, p=0.9, h=0.02, c=0.01)
    text = describe_change(scenario=s, known=40, under_five=100, area_name="the authority")
    assert text.startswith("Sharing no birth data would")
    assert math.isclose(100 * steady_state_reach(s), 35.75, abs_tol=0.01)
    assert text.endswith("it cannot reach 97% even with every family contacted.")

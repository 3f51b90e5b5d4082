"""The crisis defaults agree with the COW MID base rates they are calibrated on."""

from __future__ import annotations

from numpy.testing import assert_allclose

from security_dilemma.history.base_rates import crisis_probability, mid_base_rates
from security_dilemma.scenario.schema import Parameters


def test_crisis_defaults_reproduce_mid_base_rates() -> None:
    rates = mid_base_rates(1900, 2010)
    p = Parameters()
    assert_allclose(p.crisis_base, rates["allied"], rtol=0.15)
    assert_allclose(p.crisis_war_share, rates["war_share"], rtol=0.05)
    hostile = crisis_probability(
        p.crisis_base,
        hostility=1.0,
        severity=1e9,
        identity=-1.0,
        crisis_hostility=p.crisis_hostility,
        crisis_threat=p.crisis_threat,
        crisis_identity=p.crisis_identity,
    )
    assert_allclose(hostile, rates["rival"], atol=0.03)
    friendly = crisis_probability(p.crisis_base, identity=1.0, crisis_identity=p.crisis_identity)
    assert friendly < p.crisis_base < rates["recurrent"] < hostile

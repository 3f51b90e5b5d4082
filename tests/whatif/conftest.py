"""Run ``dilemma`` in-process and a small two-rival case with what-if worlds."""

from __future__ import annotations

import pytest

from security_dilemma.scenario import Case, parse_case_text

from ..conftest import Outcome as Outcome  # re-exported for the tests here
from ..conftest import Run as Run

RIVALS = """
schema_version: 1
id: rivals
title: Two rivals and a shield
span: {start: 2000, end: 2007, step: year}
actors:
  - {id: ALF, name: Alfa, capital: "50.0,5.0", prior_greedy: 0.3}
  - {id: BRA, name: Bravo, capital: "52.0,12.0", prior_greedy: 0.3}
  - {id: CHA, name: Charlie, capital: "53.0,25.0", prior_greedy: 0.4}
capabilities:
  - {actor: ALF, milex: 100}
  - {actor: BRA, milex: 80}
  - {actor: CHA, milex: 120}
missiles:
  - {id: rocket, actor: CHA, name: Rocket, range_km: 1500, launch_areas: ["53.0,25.0"], status: deployed}
defence_sites:
  - {id: shield, actor: ALF, host: BRA, place: "52.0,12.0", kind: interceptor, interceptors: 20, sspk: 0.7, flyout_km: 900}
identities:
  - {between: [ALF, BRA], value: 0.8}
  - {between: [ALF, CHA], value: -0.6}
  - {between: [BRA, CHA], value: -0.4}
events:
  - id: shield-up
    date: 2002-03-01
    title: The shield becomes operational
    effects:
      - {type: site, site: shield, status: operational}
      - {type: identity, from: CHA, to: [ALF, BRA], delta: -0.3}
      - {type: capability, actor: ALF, field: defence, delta: 40}
    source: s
  - id: speech
    date: 2005-06-01
    title: A conciliatory speech
    effects: [{type: identity, from: CHA, to: ALF, delta: 0.2}]
    source: s
counterfactuals:
  - {id: nothing, title: The case as it is}
  - id: no-shield
    title: No shield
    drop_sites: [shield]
    drop_events: [shield-up]
sources:
  - {id: s, citation: Synthetic test case, kind: assumption}
"""  # noqa: E501


@pytest.fixture(scope="session")
def rivals() -> Case:
    return parse_case_text(RIVALS, "rivals.yaml")

"""Counterfactual worlds in case files: located reference errors, and applying them."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from security_dilemma import BadInput, load_case, parse_case_text
from security_dilemma.scenario.overrides import OverwrittenByEvent
from security_dilemma.scenario.schema import (
    Case,
    Counterfactual,
    IdentityShift,
    MissileStatus,
    SiteStatus,
)
from security_dilemma.whatif.worlds import (
    apply_counterfactual,
    counterfactual_changes,
    counterfactual_problems,
    find_counterfactual,
)

FIXTURE = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"
TEXT = FIXTURE.read_text(encoding="utf-8")
WORLDS = """counterfactuals:
  - id: no-site
    title: The site is never built
    description: Takes out the site; the announcement keeps its other effects.
    drop_sites: [site1]
  - id: no-event
    title: Nothing happens
    drop_events: [e1]
  - id: no-missile
    title: No missile, less distinguishability
    drop_missiles: [m1]
    parameters: {distinguishability: 0.1, lenses.realism.worst_case: 0.9, actors.BBB.k: 0.2}
  - id: nothing
    title: The case as it is
"""


def with_worlds(worlds: str = WORLDS) -> str:
    return TEXT + worlds


def problems(text: str) -> list[str]:
    with pytest.raises(BadInput) as info:
        parse_case_text(text, "case.yaml")
    return [str(p) for p in info.value.problems]


def line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


@pytest.fixture(scope="module")
def case() -> Case:
    return parse_case_text(with_worlds(), "case.yaml")


def test_worlds_parse_and_default_to_none(case: Case) -> None:
    assert [cf.id for cf in case.counterfactuals] == [
        "no-site",
        "no-event",
        "no-missile",
        "nothing",
    ]
    assert parse_case_text(TEXT).counterfactuals == []


def test_unknown_ids_are_located_with_did_you_mean() -> None:
    text = with_worlds(
        """counterfactuals:
  - id: bad
    title: Bad ids
    drop_events: [e1, e2x]
    drop_sites: [radar1, sitte1]
    drop_missiles: [m2]
"""
    )
    msgs = problems(text)
    assert len(msgs) == 3, msgs
    events, sites, missiles = msgs
    assert events.startswith(f"case.yaml:{line_of(text, 'drop_events')}:")
    assert "counterfactuals[0].drop_events[1]: unknown event 'e2x'" in events
    assert events.split(":")[2] == str(text.splitlines()[line_of(text, "e2x") - 1].index("e2x") + 1)
    assert sites.startswith(f"case.yaml:{line_of(text, 'drop_sites')}:")
    assert "drop_sites[1]: unknown defence site 'sitte1' (did you mean 'site1'?)" in sites
    assert "drop_missiles[0]: unknown missile system 'm2'" in missiles


def test_parameters_are_checked_like_overrides() -> None:
    text = with_worlds(
        """counterfactuals:
  - id: params
    title: Bad parameters
    parameters:
      distinguishabilty: 0.2
      offence_dominance: 1.5
      lenses.realism.worst_cas: 0.5
      actors.ZZZ.k: 0.1
"""
    )
    msgs = problems(text)
    assert len(msgs) == 4, msgs
    by_name = {m.split(": ")[1]: m for m in msgs}
    typo = by_name["counterfactuals[0].parameters.distinguishabilty"]
    assert typo.startswith(f"case.yaml:{line_of(text, 'distinguishabilty')}:7:")
    assert "(did you mean 'distinguishability'?)" in typo
    assert (
        "less than or equal to 1 (got 1.5)"
        in by_name["counterfactuals[0].parameters.offence_dominance"]
    )
    assert (
        "did you mean 'lenses.realism.worst_case'"
        in by_name["counterfactuals[0].parameters.lenses.realism.worst_cas"]
    )
    assert (
        "unknown parameter 'actors.ZZZ.k'" in by_name["counterfactuals[0].parameters.actors.ZZZ.k"]
    )


def test_duplicate_ids_and_unknown_fields() -> None:
    text = with_worlds(WORLDS + "  - {id: no-site, title: again, drop_site: [site1]}\n")
    msgs = problems(text)
    assert any(
        "counterfactuals[4].id: duplicate id 'no-site' (also counterfactuals[0])" in m for m in msgs
    )
    assert any("unknown field 'drop_site' (did you mean 'drop_sites'" in m for m in msgs), msgs


def test_dropping_a_site_removes_it_and_its_status_effects_only(case: Case) -> None:
    world = apply_counterfactual(case, "no-site")
    assert [s.id for s in world.defence_sites] == ["radar1"]
    (event,) = world.events
    kinds = [type(e) for e in event.effects]
    assert SiteStatus not in kinds
    assert len(event.effects) == len(case.events[0].effects) - 1
    assert IdentityShift in kinds and MissileStatus in kinds
    changes = counterfactual_changes(case, "no-site")
    assert changes.trimmed_events == (("e1", "2003-06-01", "Site announced", 1),)
    assert changes.dropped_sites == (("site1", "site1"),)


def test_dropping_an_event_removes_all_its_effects(case: Case) -> None:
    world = apply_counterfactual(case, "no-event")
    assert world.events == []
    assert world.defence_sites == case.defence_sites
    assert counterfactual_changes(case, "no-event").dropped_events == (
        ("e1", "2003-06-01", "Site announced"),
    )


def test_missiles_and_parameters(case: Case) -> None:
    # the case's event e1 sets distinguishability to 0.3 (an absolute value): the world's 0.1
    # holds only until then, and applying the world says so
    with pytest.warns(OverwrittenByEvent, match="event 'e1' sets distinguishability to 0.3"):
        world = apply_counterfactual(case, "no-missile")
    assert world.missiles == []
    assert not any(isinstance(e, MissileStatus) for e in world.events[0].effects)
    assert world.parameters.distinguishability == 0.1
    assert world.parameters.lenses["realism"]["worst_case"] == 0.9
    assert world.parameters.actors["BBB"].k == 0.2
    assert world.parameters.actors["AAA"].k == 0.2  # the case's own override stays
    assert world.parameters.richardson.k == case.parameters.richardson.k


def test_the_world_keeps_actors_span_observables_and_the_input(case: Case) -> None:
    before = case.model_dump()
    for cf in case.counterfactuals:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OverwrittenByEvent)  # see test_missiles_and_parameters
            world = apply_counterfactual(case, cf)
        assert isinstance(world, Case)
        assert world.actor_ids() == case.actor_ids()
        assert world.span == case.span and world.id == case.id
        assert world.observables == case.observables
        assert world.counterfactuals == []
    assert case.model_dump() == before
    empty = apply_counterfactual(case, "nothing")
    assert empty == case.model_copy(update={"counterfactuals": []})


def test_unknown_ids_in_a_world_given_in_code(case: Case) -> None:
    cf = Counterfactual(id="x", title="x", drop_events=["e11"], drop_sites=["radar"])
    labels = {"drop_events": "--drop-event", "drop_sites": "--drop-site"}
    msgs = [str(p) for p in counterfactual_problems(case, cf, labels=labels)]
    assert msgs == [
        "--drop-event: unknown event 'e11' (did you mean 'e1'?)",
        "--drop-site: unknown defence site 'radar' (did you mean 'radar1'?)",
    ]
    with pytest.raises(BadInput, match="did you mean 'e1'"):
        apply_counterfactual(case, cf)
    with pytest.raises(BadInput, match="unknown parameter 'noise_'"):
        apply_counterfactual(case, Counterfactual(id="p", title="p", parameters={"noise_": 0.1}))
    with pytest.raises(
        BadInput, match="unknown counterfactual 'no-sight' \\(did you mean 'no-site'"
    ):
        find_counterfactual(case, "no-sight")


def test_bmd_europe_worlds() -> None:
    case = load_case("bmd-europe", strict_sources=True)
    ids = [cf.id for cf in case.counterfactuals]
    assert ids == [
        "no-missile-defence",
        "no-missile-defence-no-reactions",
        "epaa-only",
        "no-change-of-plan",
        "sites-only",
    ]
    europe = {"redzikowo", "brdy", "epaa-aegis-ship", "deveselu", "kurecik"}
    world = apply_counterfactual(case, "no-missile-defence")
    assert not europe & {s.id for s in world.defence_sites}
    assert {"fort-greely", "vandenberg", "gabala"} <= {s.id for s in world.defence_sites}
    remaining = {e.id for e in world.events}
    assert "us-proposal-2007" not in remaining and "putin-munich" in remaining
    assert not any(
        isinstance(x, SiteStatus) and x.site in europe for e in world.events for x in e.effects
    )
    reactions = apply_counterfactual(case, "no-missile-defence-no-reactions")
    assert {e.id for e in reactions.events} < remaining
    assert "medvedev-iskander" not in {e.id for e in reactions.events}
    epaa = apply_counterfactual(case, "epaa-only")
    assert {s.id for s in epaa.defence_sites} >= {"deveselu", "kurecik", "epaa-aegis-ship"}
    paa = next(e for e in epaa.events if e.id == "phased-adaptive-approach")
    assert not any(isinstance(x, SiteStatus) for x in paa.effects)
    assert any(x.type == "parameter" for x in paa.effects)
    kept = apply_counterfactual(case, "no-change-of-plan")  # the sites are never cancelled
    assert "phased-adaptive-approach" not in {e.id for e in kept.events}
    sites = {s.id: s for s in kept.defence_sites}
    assert {"redzikowo", "brdy"} <= set(sites) and sites["redzikowo"].cancelled is None
    assert not {"deveselu", "kurecik", "epaa-aegis-ship"} & set(sites)
    only = apply_counterfactual(case, "sites-only")
    assert europe <= {s.id for s in only.defence_sites}
    assert not {"bucharest-summit", "polish-agreement-signed"} & {e.id for e in only.events}

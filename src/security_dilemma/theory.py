"""The theory conformance suite: the security dilemma's canonical results on minimal cases.

A laboratory for the security dilemma must produce it from its mechanisms. Each
:class:`Prediction` here is one result of the literature (Herz, Jervis, Glaser, Kydd, Snyder,
Wendt, Richardson), stated on a minimal case of two or three states, for the lenses whose
theory makes it. :func:`check_theory` runs every prediction under each of its lenses and once
more with its mechanism removed (the *ablation*: parameter values, or a lens, without the
mechanism), and reports what it measured: a prediction passes when it holds and its ablation
does not. ``dilemma check theory`` prints the table; docs/theory.md is generated from it;
tests/theory checks every row.

Minimal cases: states ``A`` and ``B`` (and ``C`` for alliances) with equal military
expenditure, security seekers by type (``prior_greedy`` 0) that are uncertain about each other
(beliefs 0.3), reach 1, no institutions; *Jervis's worlds* set the offence-defence balance and
distinguishability: world 1 (0.8, 0.2) offence dominant and indistinguishable, world 2 (0.2,
0.2), world 3 (0.8, 0.8), world 4 (0.2, 0.8) defence dominant and distinguishable. A *build-up*
is a one-off rise of A's military effort by 30% in the second year. Paired comparisons run the
case with and without the move under the same seed (common random numbers).

>>> report = check_theory(predictions=["P6"], lenses=["realism"], replicates=8)
>>> [(row.prediction, row.lens, row.passed) for row in report.rows]
[('P6', 'realism', True)]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .engine.measures import ARMED_THRESHOLD
from .errors import BadInput, Problem, did_you_mean
from .scenario.schema import Case

__all__ = [
    "PREDICTIONS",
    "Check",
    "Prediction",
    "TheoryReport",
    "check_theory",
    "markdown_table",
]

WORLDS: dict[int, tuple[float, float]] = {
    1: (0.8, 0.2),
    2: (0.2, 0.2),
    3: (0.8, 0.8),
    4: (0.2, 0.8),
}
"""Jervis's worlds as (offence dominance, distinguishability)."""

BUILD_UP = 0.3
"""The one-off build-up: A's military effort rises by this share in the second year."""

Values = dict[str, float]


@dataclass(frozen=True)
class Run:
    """How a prediction is measured: lens, parameter overrides, replicates and seed."""

    lens: str
    overrides: Mapping[str, float]
    replicates: int
    seed: int


@dataclass(frozen=True)
class Outcome:
    """What a prediction measured: whether it holds, the numbers, and a one-line summary."""

    holds: bool
    values: Values
    summary: str


@dataclass(frozen=True)
class Prediction:
    """A canonical result: its statement and source, the lenses whose theory makes it, the
    mechanism that produces it, the ablation that removes that mechanism (parameter
    overrides, and optionally a lens that replaces the one under test), and its measure."""

    id: str
    title: str
    statement: str
    source: str
    lenses: tuple[str, ...]
    mechanism: str
    ablation: Mapping[str, float]
    measure: Callable[[Run], Outcome]
    ablated_lens: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Check:
    """One row of the table: a prediction under a lens, as it is and ablated."""

    prediction: str
    lens: str
    holds: bool
    ablated_holds: bool
    values: Values
    ablated_values: Values
    summary: str
    ablated_summary: str

    @property
    def passed(self) -> bool:
        """The prediction holds, and fails without its mechanism."""
        return self.holds and not self.ablated_holds


@dataclass(frozen=True)
class TheoryReport:
    """Every row, with the settings used."""

    rows: tuple[Check, ...]
    replicates: int
    seed: int
    predictions: tuple[Prediction, ...] = field(repr=False, default=())

    @property
    def passed(self) -> bool:
        """Every row passed."""
        return all(r.passed for r in self.rows)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready document: settings, predictions and rows."""
        return {
            "ok": True,
            "passed": self.passed,
            "replicates": self.replicates,
            "seed": self.seed,
            "predictions": [
                {
                    "id": p.id,
                    "title": p.title,
                    "statement": p.statement,
                    "source": p.source,
                    "lenses": list(p.lenses),
                    "mechanism": p.mechanism,
                    "ablation": dict(p.ablation),
                }
                for p in self.predictions
            ],
            "rows": [dataclasses.asdict(r) | {"passed": r.passed} for r in self.rows],
        }


# --- minimal cases ------------------------------------------------------------------------------


def minimal_case(
    *,
    world: int | None = 1,
    states: Sequence[str] = ("A", "B"),
    steps: int = 12,
    prior: Mapping[str, float] | None = None,
    belief: float | Mapping[tuple[str, str], float] = 0.3,
    identity: float | None = None,
    events: Sequence[Mapping[str, Any]] = (),
    parameters: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Case:
    """A minimal case: equal states, security seekers unless ``prior`` says otherwise, all
    pairs believing each other greedy with probability ``belief`` and sharing ``identity``.
    Events take ``year`` (1 = the first) and ``effects``."""
    params: dict[str, Any] = {}
    if world is not None:
        theta, delta = WORLDS[world]
        params |= {"offence_dominance": theta, "distinguishability": delta}
    params |= dict(parameters or {})
    pairs = [(a, b) for a in states for b in states if a != b]
    beliefs = belief if isinstance(belief, Mapping) else {p: belief for p in pairs}
    data: dict[str, Any] = {
        "id": "minimal",
        "title": "Minimal case",
        "span": {"start": 2001, "end": 2000 + steps, "step": "year"},
        "actors": [{"id": a, "name": a, "prior_greedy": (prior or {}).get(a, 0.0)} for a in states],
        "capabilities": [{"actor": a, "milex": 1000.0} for a in states],
        "beliefs": [{"from": a, "to": b, "greedy": g} for (a, b), g in beliefs.items()],
        "parameters": params,
        "events": [
            {
                "id": f"e{k}",
                "date": f"{2000 + e['year']}-06-01",
                "title": "move",
                "source": "s",
                "effects": list(e["effects"]),
            }
            for k, e in enumerate(events)
        ],
        "sources": [{"id": "s", "citation": "Minimal case of the theory conformance suite."}],
    }
    if identity is not None:
        data["identities"] = [
            {"between": [a, b], "value": identity}
            for i, a in enumerate(states)
            for b in states[i + 1 :]
        ]
    data.update(extra or {})
    return Case.model_validate(data)


def build_up(actor: str = "A", year: int = 2, share: float = BUILD_UP) -> dict[str, Any]:
    """A one-off rise of ``actor``'s military effort by ``share`` (of the minimal cases'
    1000) in ``year``."""
    effect = {"type": "capability", "actor": actor, "field": "milex", "delta": 1000.0 * share}
    return {"year": year, "effects": [effect]}


def _simulate(case: Case, run: Run, **kwargs: Any) -> Any:
    from .engine import simulate

    return simulate(
        case,
        lens=run.lens,
        replicates=run.replicates,
        seed=run.seed,
        overrides=dict(run.overrides) or None,
        restraint=False,
        **kwargs,
    )


def _mean(result: Any, metric: str, actor: str, counterpart: str | None = None) -> Any:
    """The mean over replicates of a metric, per step."""
    frame = (
        result.series(metric, actor, counterpart) if counterpart else result.series(metric, actor)
    )
    return frame["mean"].to_numpy()


def _paired(
    run: Run, make: Callable[[bool], Case], metric: str, actor: str, counterpart: str | None = None
) -> tuple[Any, Any]:
    """A metric's mean path with the move and without it (same seed)."""
    with_move = _mean(_simulate(make(True), run), metric, actor, counterpart)
    without = _mean(_simulate(make(False), run), metric, actor, counterpart)
    return with_move, without


def _response(run: Run, world: int, **case: Any) -> float:
    """B's mean extra effort in years 3 to 12 after A's build-up, against the same world without
    it (paired)."""
    with_move, without = _paired(
        run,
        lambda move: minimal_case(world=world, events=[build_up()] if move else [], **case),
        "effort",
        "B",
    )
    return float(np.mean(with_move[2:12] - without[2:12]))


# --- the predictions ----------------------------------------------------------------------------


def _spiral(run: Run) -> Outcome:
    def make(move: bool) -> Case:
        return minimal_case(world=1, events=[build_up()] if move else [])

    with_move = _simulate(make(True), run)
    without = _simulate(make(False), run)
    v: Values = {}
    for s in ("A", "B"):
        v[f"effort_{s}"] = float(_mean(with_move, "effort", s)[-1])
        security = _mean(with_move, "security", s)
        v[f"security_{s}_start"] = float(security[0])
        v[f"security_{s}"] = float(security[-1])
        v[f"security_{s}_without"] = float(_mean(without, "security", s)[-1])
    risk = _mean(with_move, "crisis_risk", "B")
    v["crisis_risk_B_start"], v["crisis_risk_B"] = float(risk[0]), float(risk[-1])
    v["crisis_risk_B_without"] = float(_mean(without, "crisis_risk", "B")[-1])
    armed = all(v[f"effort_{s}"] > 1.05 for s in "AB")
    worse = all(
        v[f"security_{s}"] < min(v[f"security_{s}_start"], v[f"security_{s}_without"]) - 0.005
        for s in "AB"
    )
    riskier = v["crisis_risk_B"] > max(v["crisis_risk_B_start"], v["crisis_risk_B_without"])
    summary = (
        f"efforts A {v['effort_A']:.2f}, B {v['effort_B']:.2f}; security A "
        f"{v['security_A_start']:.3f}->{v['security_A']:.3f} (without "
        f"{v['security_A_without']:.3f}), "
        f"B {v['security_B_start']:.3f}->{v['security_B']:.3f} (without "
        f"{v['security_B_without']:.3f}); crisis risk B {v['crisis_risk_B_start']:.3f}->"
        f"{v['crisis_risk_B']:.3f} (without {v['crisis_risk_B_without']:.3f})"
    )
    return Outcome(armed and worse and riskier, v, summary)


def _worlds(run: Run) -> Outcome:
    r = {w: _response(run, w) for w in WORLDS}
    v = {f"response_world_{w}": x for w, x in r.items()}
    for w in (1, 4):

        def make(move: bool, world: int = w) -> Case:
            return minimal_case(world=world, events=[build_up()] if move else [])

        a_with, a_without = _paired(run, make, "effort", "A")
        v[f"remaining_world_{w}"] = float(a_with[-1] - a_without[-1])
    ranked = r[1] > max(r[2], r[3]) and min(r[2], r[3]) > r[4]
    dies = (
        r[4] < 0.005
        and v["remaining_world_4"] < 0.15 * BUILD_UP
        and v["remaining_world_4"] < v["remaining_world_1"] / 2.0
    )
    summary = (
        "B's extra effort after A's build-up: "
        + ", ".join(f"world {w} {x:+.4f}" for w, x in r.items())
        + f"; A's extra effort ten years on: world 4 {v['remaining_world_4']:+.4f}, world 1 "
        f"{v['remaining_world_1']:+.4f}"
    )
    return Outcome(ranked and dies, v, summary)


def _distinguishable(run: Run) -> Outcome:
    v = {
        "response_offence_indistinguishable": _response(run, 1),
        "response_offence_distinguishable": _response(run, 3),
        "response_defence_indistinguishable": _response(run, 2),
        "response_defence_distinguishable": _response(run, 4),
    }
    holds = (
        v["response_offence_indistinguishable"] > v["response_offence_distinguishable"]
        and v["response_defence_indistinguishable"] > v["response_defence_distinguishable"]
    )
    summary = (
        f"offence dominant: {v['response_offence_indistinguishable']:+.4f} indistinguishable, "
        f"{v['response_offence_distinguishable']:+.4f} distinguishable; defence dominant: "
        f"{v['response_defence_indistinguishable']:+.4f}, "
        f"{v['response_defence_distinguishable']:+.4f}"
    )
    return Outcome(holds, v, summary)


def _behaviour(run: Run) -> Outcome:
    """Beliefs move with what states do."""

    def built(move: bool) -> Case:
        return minimal_case(world=3, events=[build_up()] if move else [])

    up, base = _paired(run, built, "belief", "B", "A")
    cut = {"type": "capability", "actor": "A", "field": "milex", "factor": 0.9}

    def restrained(move: bool) -> Case:
        events = [{"year": y, "effects": [cut]} for y in (2, 3, 4)] if move else []
        return minimal_case(world=3, events=events)

    down, base2 = _paired(run, restrained, "belief", "B", "A")
    v: Values = {
        "build_up_belief": float(up[3]),
        "restraint_belief": float(down[5]),
        "belief_without": float(base[3]),
        "belief_without_later": float(base2[5]),
    }
    # how fast a greedy type is revealed and a seeker cleared, from an even prior, with the
    # observer's full recognition of the other's situation (symmetric likelihoods)
    fair = {**run.overrides, "empathy": 1.0}
    speeds = {}
    for label, prior in (("greedy", 1.0), ("seeker", 0.0)):
        case = minimal_case(world=None, prior={"A": prior}, belief=0.5, steps=8)
        result = _simulate(case, dataclasses.replace(run, overrides=fair))
        belief = np.clip(_mean(result, "belief", "B", "A")[-1], 1e-9, 1 - 1e-9)
        speeds[label] = float(abs(np.log(belief / (1.0 - belief))))
    v["greedy_revealed_log_odds"], v["seeker_cleared_log_odds"] = speeds["greedy"], speeds["seeker"]
    ratio = speeds["greedy"] / max(speeds["seeker"], 1e-9)
    v["ratio"] = ratio
    holds = (
        v["build_up_belief"] > v["belief_without"] + 0.02
        and v["restraint_belief"] < v["belief_without_later"] - 0.02
        and speeds["greedy"] > 0.1
        and 0.67 < ratio < 1.5
    )
    summary = (
        f"B's belief that A is greedy: {v['belief_without']:.3f} -> {v['build_up_belief']:.3f} "
        f"after a build-up, {v['belief_without_later']:.3f} -> {v['restraint_belief']:.3f} "
        f"after three years of cuts; from 0.5, greedy revealed by {speeds['greedy']:.2f} "
        f"log-odds and seeker cleared by {speeds['seeker']:.2f} in 8 years (ratio {ratio:.2f}; "
        "the stated likelihoods are symmetric)"
    )
    return Outcome(holds, v, summary)


def _kydd(run: Run) -> Outcome:
    """A costly reassurance separates types only above what a greedy type would pay."""
    from .engine import simulate

    threshold = float(run.overrides.get("signal_threshold", 0.05))
    v: Values = {}
    for label, cost in (("costly", threshold * 4.0), ("cheap", threshold * 0.4)):
        signal = {"type": "signal", "actor": "A", "to": ["B"], "cost": cost, "kind": "reassurance"}
        shifts = []
        for move in (True, False):
            case = minimal_case(
                world=3,
                prior={"A": 0.5},
                belief=0.5,
                events=[{"year": 2, "effects": [signal]}] if move else [],
                steps=3,
            )
            result = simulate(
                case,
                lens=run.lens,
                replicates=run.replicates,
                seed=run.seed,
                overrides=dict(run.overrides) or None,
                restraint=False,
                keep_replicates=True,
            )
            values = result.replicate_values
            assert values is not None
            belief = values[2, result.layout.find("belief", 1, 0), :]  # B about A, year 3
            greedy = values[0, result.layout.find("motive", 0), :] > 0.5
            shifts.append((belief, greedy))
        (signalled, greedy), (unsignalled, _) = shifts
        change = signalled - unsignalled
        v[f"{label}_seeker"] = float(change[~greedy].mean()) if (~greedy).any() else 0.0
        v[f"{label}_greedy"] = float(change[greedy].mean()) if greedy.any() else 0.0
        v[f"{label}_separation"] = v[f"{label}_greedy"] - v[f"{label}_seeker"]
    holds = v["costly_separation"] > 0.2 and abs(v["cheap_separation"]) < 0.02
    summary = (
        f"change in B's belief that A is greedy after a reassurance costing {threshold * 4:.2f}: "
        f"seekers {v['costly_seeker']:+.3f}, greedy {v['costly_greedy']:+.3f}; costing "
        f"{threshold * 0.4:.2f}: seekers {v['cheap_seeker']:+.3f}, greedy {v['cheap_greedy']:+.3f}"
    )
    return Outcome(holds, v, summary)


def _snyder(run: Run) -> Outcome:
    """A's abandonment and entrapment risks as its own commitment to its ally B grows."""
    from .engine import ReplicateStreams, advance, compile_world, split_draws

    case = minimal_case(
        world=1,
        states=("A", "B", "C"),
        steps=2,
        belief={("A", "C"): 0.3, ("B", "C"): 0.9, ("C", "B"): 0.9, ("C", "A"): 0.3},
        extra={
            # C is near B and far from A: its threat weighs on B, hardly on A
            "actors": [
                {"id": "A", "name": "A", "prior_greedy": 0.0, "capital": "0,0"},
                {"id": "B", "name": "B", "prior_greedy": 0.0, "capital": "0,60"},
                {"id": "C", "name": "C", "prior_greedy": 0.0, "capital": "0,70"},
            ],
            "alliances": [{"id": "ab", "name": "A-B", "members": ["A", "B"], "commitment": 0.5}],
        },
    )
    from .scenario.overrides import with_parameters

    if run.overrides:
        case = with_parameters(case, dict(run.overrides))
    world = compile_world(case, run.lens, dtype=np.float64)
    levels = (0.1, 0.4, 0.7, 1.0)
    abandonment, entrapment = [], []
    for level in levels:
        streams = ReplicateStreams(run.seed, 0, run.replicates)
        state = world.initial_state(streams.motives(world.n))
        commitment = state.commitment.copy()
        commitment[0, 1] = level
        state = state.replace(commitment=commitment)
        draws = split_draws(streams.uniforms(world.n, 1)[0], world.n, np.float64)
        _, period = advance(world.inputs[0], state, draws)
        abandonment.append(float(period.abandonment[0].mean()))
        entrapment.append(float(period.entrapment[0].mean()))
    v: Values = {}
    for level, a, e in zip(levels, abandonment, entrapment, strict=True):
        v[f"abandonment_{level:g}"], v[f"entrapment_{level:g}"] = a, e
    holds = bool(np.all(np.diff(abandonment) < 0) and np.all(np.diff(entrapment) > 0))
    summary = "A's commitment to B " + ", ".join(
        f"{level:g}: abandonment {a:.3f}, entrapment {e:.3f}"
        for level, a, e in zip(levels, abandonment, entrapment, strict=True)
    )
    return Outcome(holds, v, summary)


def _friends(run: Run) -> Outcome:
    """Friends do not spiral; an identity shock between them can start a spiral."""
    rivals = _response(run, 1, identity=0.0)
    friends = _response(run, 1, identity=0.8)
    shock = {"type": "identity", "from": ["A", "B"], "to": ["A", "B"], "delta": -1.6}

    def shocked(move: bool) -> Case:
        return minimal_case(
            world=1, identity=0.8, events=[{"year": 2, "effects": [shock]}] if move else []
        )

    with_shock = _simulate(shocked(True), run)
    without = _simulate(shocked(False), run)
    v: Values = {
        "response_rivals": rivals,
        "response_friends": friends,
        "effort_A_after_shock": float(_mean(with_shock, "effort", "A")[-1]),
        "effort_B_after_shock": float(_mean(with_shock, "effort", "B")[-1]),
        "effort_B_without_shock": float(_mean(without, "effort", "B")[-1]),
        "security_B_after_shock": float(_mean(with_shock, "security", "B")[-1]),
        "security_B_without_shock": float(_mean(without, "security", "B")[-1]),
    }
    holds = (
        friends < min(rivals / 5.0, ARMED_THRESHOLD / 2.0)
        and min(v["effort_A_after_shock"], v["effort_B_after_shock"]) > 1.05
        and v["security_B_after_shock"] < v["security_B_without_shock"] - 0.01
    )
    summary = (
        f"B's extra effort after A's build-up: rivals {rivals:+.4f}, friends {friends:+.4f}; "
        f"after an identity shock between friends, efforts A {v['effort_A_after_shock']:.2f}, "
        f"B {v['effort_B_after_shock']:.2f} (without {v['effort_B_without_shock']:.2f}) and B's "
        f"security {v['security_B_after_shock']:.3f} (without {v['security_B_without_shock']:.3f})"
    )
    return Outcome(holds, v, summary)


def _cultures(run: Run) -> Outcome:
    """Without shocks, Hobbesian, Lockean and Kantian cultures persist for thirty years."""
    v: Values = {}
    quiet = {**run.overrides, "crisis_shock": 0.0}
    for label, start in (("hobbesian", -0.6), ("lockean", 0.0), ("kantian", 0.6)):
        case = minimal_case(world=1, identity=start, steps=30)
        result = _simulate(case, dataclasses.replace(run, overrides=quiet))
        v[label] = float(_mean(result, "mean_identity", "*")[-1])
    holds = (
        abs(v["hobbesian"] + 0.6) < 0.1
        and abs(v["lockean"]) < 0.1
        and abs(v["kantian"] - 0.6) < 0.1
    )
    summary = (
        f"mean identity after 30 years without shocks: Hobbesian -0.6 -> {v['hobbesian']:+.3f}, "
        f"Lockean 0 -> {v['lockean']:+.3f}, Kantian 0.6 -> {v['kantian']:+.3f}"
    )
    return Outcome(holds, v, summary)


RICHARDSON = {
    "noise": 0.0,
    "crisis_shock": 0.0,
    "offence_dominance": 1.0,
    "deterrence": 0.0,
    "stock_turnover": 1.0,
    "richardson": {"saturation": 0.0, "status_quo": 0.0, "shock": 0.0},
    "lenses": {"realism": {"worst_case": 1.0}},
}
"""The reduced model: all capability is offence, nothing opposes an attack, hostility 1, no
saturation, status quo, noise or shocks: ``e_i(t + 1) = e_i + k_i e_j - a_i e_i + g_i``."""


def _richardson(run: Run) -> Outcome:
    k, a, g = (0.1, 0.15), (0.3, 0.25), (0.05, 0.02)
    params: dict[str, Any] = {
        **RICHARDSON,
        "actors": {s: {"k": k[i], "a": a[i], "g": g[i]} for i, s in enumerate("AB")},
    }
    case = minimal_case(world=None, steps=150, belief=1.0, parameters=params)
    result = _simulate(case, dataclasses.replace(run, lens="realism", replicates=1))
    det = a[0] * a[1] - k[0] * k[1]
    expected = ((a[1] * g[0] + k[0] * g[1]) / det, (a[0] * g[1] + k[1] * g[0]) / det)
    v = {
        "effort_A": float(_mean(result, "effort", "A")[-1]),
        "effort_B": float(_mean(result, "effort", "B")[-1]),
        "closed_form_A": expected[0],
        "closed_form_B": expected[1],
    }
    holds = abs(v["effort_A"] - expected[0]) < 1e-3 and abs(v["effort_B"] - expected[1]) < 1e-3
    summary = (
        f"equilibrium efforts {v['effort_A']:.4f}, {v['effort_B']:.4f}; closed form "
        f"(a_j g_i + k_i g_j) / (a_i a_j - k_i k_j) = {expected[0]:.4f}, {expected[1]:.4f}"
    )
    return Outcome(holds, v, summary)


def _herz(run: Run) -> Outcome:
    v: Values = {}
    for w in (1, 4):
        case = minimal_case(world=w, events=[build_up()])
        result = _simulate(case, run)
        v[f"self_defeat_world_{w}"] = float(_mean(result, "self_defeat_all", "*")[-1])
    holds = v["self_defeat_world_1"] > 0.3 and v["self_defeat_world_4"] < 0.05
    summary = (
        "share of replicates where the states armed and all of them ended less secure: "
        f"world 1 {v['self_defeat_world_1']:.3f}, world 4 {v['self_defeat_world_4']:.3f}"
    )
    return Outcome(holds, v, summary)


def _without_identity(lens: str) -> str:
    """A variant of ``lens`` whose hostility ignores identity (the rival's hostility for all)."""
    return f"{lens}-without-identity"


REALIST = ("realism", "pyramid")
RATIONAL = ("realism", "liberalism", "pyramid")
IDENTITY = ("constructivism", "pyramid")

PREDICTIONS: tuple[Prediction, ...] = (
    Prediction(
        "P1",
        "The spiral in world 1",
        "Offence dominant, weapons indistinguishable, two uncertain security seekers, a one-off "
        "build-up by one: both arm above their start, both end less secure than at the start "
        "and than without the build-up, and crisis risk rises.",
        "Herz 1950; Jervis 1978",
        REALIST,
        "security with an absolute dimension, and beliefs read from behaviour with partial empathy",
        {"absolute_security": 0.0, "empathy": 1.0},
        _spiral,
    ),
    Prediction(
        "P2",
        "Jervis's four worlds",
        "In world 4 (defence dominant, distinguishable) the same build-up dies away (the "
        "rival hardly responds and the builder's extra effort decays); the rival's response "
        "ranks world 1 > worlds 2 and 3 > world 4.",
        "Jervis 1978",
        REALIST,
        "the offence-defence balance and distinguishability in what an attack could do",
        {"offence_dominance": 0.5, "distinguishability": 0.5},
        _worlds,
    ),
    Prediction(
        "P3",
        "Distinguishability",
        "At a fixed offence-defence balance, distinguishable weapons lower the rival's arming.",
        "Jervis 1978; Glaser and Kaufmann 1998",
        REALIST,
        "defence read as attack potential when weapons cannot be told apart",
        {"distinguishability": 0.5},
        _distinguishable,
    ),
    Prediction(
        "P4",
        "Beliefs from behaviour",
        "An unprovoked build-up raises the rival's belief that the builder is greedy; "
        "sustained restraint lowers it; a greedy type is revealed as fast as a security seeker "
        "is cleared, as the model's symmetric likelihoods imply.",
        "Kydd 1997; Glaser 2010",
        RATIONAL,
        "Bayesian updating on observed moves against what each type would have done",
        {"noise": 1.0},
        _behaviour,
    ),
    Prediction(
        "P5",
        "Costly reassurance",
        "A reassurance separates the types only when it costs more than a greedy type would "
        "pay; a cheaper one pools them and changes nothing.",
        "Kydd 2005",
        RATIONAL,
        "signals chosen by type, greedy types bluffing a costly one only rarely",
        {"signal_bluff": 1.0},
        _kydd,
    ),
    Prediction(
        "P6",
        "Snyder's alliance dilemma",
        "The tighter a state's own commitment to its ally, the lower its risk of abandonment "
        "and the higher its risk of entrapment.",
        "Snyder 1984",
        REALIST,
        "one's own commitment reassures the ally and exposes one to its crises",
        {"reassurance": 0.0},
        _snyder,
    ),
    Prediction(
        "P7",
        "Friends and enemies",
        "Friends do not spiral after a build-up; an identity shock between them can start a "
        "spiral.",
        "Wendt 1999",
        IDENTITY,
        "hostility read off identity",
        {},
        _friends,
        ablated_lens=_without_identity,
    ),
    Prediction(
        "P7b",
        "Cultures of anarchy persist",
        "Without shocks, Hobbesian, Lockean and Kantian cultures all persist.",
        "Wendt 1999",
        IDENTITY,
        "reflected appraisal of changes in how others treat one, not of its level",
        {"appraisal_level": 1.0},
        _cultures,
    ),
    Prediction(
        "P8",
        "Richardson's arms race",
        "In the reduced model the effort converges to Richardson's closed-form equilibrium "
        "when a_i a_j > k_i k_j.",
        "Richardson 1960",
        ("realism",),
        "the Richardson core of effort, without the status-quo anchor",
        {"richardson.status_quo": 1.0},
        _richardson,
    ),
    Prediction(
        "P9",
        "Herz's self-defeat",
        "After a build-up, the share of replicates in which all states that armed end less "
        "secure is well above zero in world 1 and near zero in world 4.",
        "Herz 1950; Collins 1997",
        REALIST,
        "security with an absolute dimension, and beliefs read from behaviour with partial empathy",
        {"absolute_security": 0.0, "empathy": 1.0},
        _herz,
    ),
)
"""The canonical predictions (docs/theory.md)."""


def _blind(rule: Callable[..., Any]) -> Any:
    """A dyadic rule that sees every other state as a rival (identity 0)."""
    from .lenses.base import Dyad, dyadic

    @dyadic
    def blind(d: Any, q: Any) -> Any:
        return rule(
            Dyad(d.belief, 0.0, d.commitment, d.commitment_in, d.cooperation, d.cooperation_in,
                 d.attack, d.capability, d.own_capability, d.transparency, d.shadow, d.treaty,
                 d.interdependence, d.offence_dominance, d.distinguishability, d.prepared,
                 d.hostility, d.threat, d.shared_threat, d.security),
            q,
        )  # fmt: skip

    return blind


@contextmanager
def _lens_without_identity(lens: str) -> Iterator[str]:
    """Register a variant of ``lens`` that sees every other state as a rival (identity 0): its
    dyadic rules and its ``prepare`` rule read identity 0."""
    from .lenses import Perception, get_lens, register_lens, unregister_lens

    base = get_lens(lens)
    prepare = base.prepare

    def rival_view(p: Perception) -> Perception:
        return dataclasses.replace(p, identity=np.zeros_like(p.identity), memo={})

    def rule(r: Any) -> Any:
        return _blind(r.rule) if hasattr(r, "rule") else r

    variant = dataclasses.replace(
        base,
        name=_without_identity(lens),
        hostility=rule(base.hostility),
        cooperation=rule(base.cooperation),
        commitment=rule(base.commitment),
        allocation=lambda p, a, q: base.allocation(rival_view(p), a, q),
        prepare=None if prepare is None else (lambda p, q: prepare(rival_view(p), q)),
    )
    register_lens(variant)
    try:
        yield variant.name
    finally:
        unregister_lens(variant.name)


def _ablated(prediction: Prediction, run: Run) -> Outcome:
    overrides = {**run.overrides, **prediction.ablation}
    if prediction.ablated_lens is None:
        return prediction.measure(dataclasses.replace(run, overrides=overrides))
    with _lens_without_identity(run.lens) as name:
        return prediction.measure(dataclasses.replace(run, lens=name, overrides=overrides))


def check_theory(
    *,
    predictions: Sequence[str] | None = None,
    lenses: Sequence[str] | None = None,
    replicates: int = 200,
    seed: int = 0,
) -> TheoryReport:
    """Run the canonical predictions (all, or those named) under each lens they apply to
    (all, or those named), as they are and ablated."""
    known = {p.id: p for p in PREDICTIONS}
    problems = [
        Problem(f"unknown prediction '{p}'{did_you_mean(p, known)}", path="predictions")
        for p in predictions or ()
        if p not in known
    ]
    if not isinstance(replicates, int) or replicates < 2:
        problems.append(
            Problem(f"must be an integer of at least 2 (got {replicates!r})", path="replicates")
        )
    if problems:
        raise BadInput(problems)
    chosen = [known[p] for p in predictions] if predictions else list(PREDICTIONS)
    rows = []
    for prediction in chosen:
        for lens in prediction.lenses:
            if lenses is not None and lens not in lenses:
                continue
            run = Run(lens, {}, replicates, seed)
            outcome = prediction.measure(run)
            ablated = _ablated(prediction, run)
            rows.append(
                Check(
                    prediction.id,
                    lens,
                    outcome.holds,
                    ablated.holds,
                    outcome.values,
                    ablated.values,
                    outcome.summary,
                    ablated.summary,
                )
            )
    return TheoryReport(tuple(rows), replicates, seed, tuple(chosen))


def markdown_table(report: TheoryReport) -> str:
    """The report as the table of docs/theory.md: one section per prediction, with its
    statement, source, mechanism and ablation, and a row per lens."""
    lines = [
        f"Measured with {report.replicates} replicates, seed {report.seed} "
        f"(`dilemma check theory -n {report.replicates} --seed {report.seed} --markdown`): "
        f"{'every prediction passes' if report.passed else 'SOME PREDICTIONS FAIL'}.",
        "",
    ]
    for p in report.predictions:
        rows = [r for r in report.rows if r.prediction == p.id]
        if not rows:
            continue
        ablation = ", ".join(f"`{k}` = {v:g}" for k, v in p.ablation.items())
        if p.ablated_lens is not None:
            ablation = ", ".join(
                filter(None, [ablation, "the lens sees every other state as a rival"])
            )
        lines += [
            f"### {p.id}. {p.title}",
            "",
            f"{p.statement} ({p.source}.)",
            "",
            f"*Mechanism*: {p.mechanism}. *Removed by*: {ablation}.",
            "",
            "| lens | holds | without the mechanism | measured | without the mechanism |",
            "|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r.lens} | {'yes' if r.holds else '**no**'} | "
                f"{'fails' if not r.ablated_holds else '**holds**'} | {r.summary} | "
                f"{r.ablated_summary} |"
            )
        lines.append("")
    return "\n".join(lines)

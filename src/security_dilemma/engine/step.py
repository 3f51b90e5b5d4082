"""One step of the model: ``step(inputs, state, draws) -> state`` (docs/model.md, section 4).

The step is a pure function of the step's inputs (parameters, the setting and the step's
events), the state and the step's random numbers. :func:`advance` reads like section 4:
events act on the state, states perceive each other's capabilities, lenses judge hostility and
the engine assesses threat and security, lenses decide, and the rest of the period (crises,
arms, beliefs, identities, alliances) updates the state.

Every array is in the kernels' layout (:mod:`~security_dilemma.engine.state`): per-actor
``(n, K)``, dyadic ``(n, n, K)``, K = copies x replicates. The equations are compiled loops
(:mod:`~security_dilemma.engine.kernels`) that take named records; the lenses' dyadic rules are
compiled into a loop per lens; numpy computes the transcendental functions (``tanh``) on whole
arrays between kernels. Nothing loops over actors in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ..lenses import Assessment, Perception
from ..lenses.base import is_dyadic
from . import kernels
from .draws import Draws
from .events import Occurred, StepEvents, apply_events
from .params import Params
from .setting import Setting
from .state import DYADIC, Array, State

__all__ = [
    "Appraisal",
    "Decisions",
    "Outcome",
    "Override",
    "Period",
    "Sight",
    "StepInput",
    "advance",
    "assess",
    "decide",
    "judged",
    "perceive",
    "pressure_of",
    "step",
    "update",
]

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class StepInput:
    """Everything a step needs besides the state and its random numbers."""

    params: Params
    setting: Setting
    events: StepEvents


class Appraisal(NamedTuple):
    """What perception and assessment produce (docs/model.md 4.1): ``attack[i, j]`` (j's
    potential attack on i), ``capability`` (O + D), ``guard`` (i's defence and its allies'
    committed capability), ``commitment_in`` / ``cooperation_in`` (j's toward i), the lenses'
    ``hostility``, ``threat`` (the damage j's attack could do, weighted by hostility), its
    ``severity`` (threat over what i has to lose), ``security``, ``main_threat`` (index, -1 for
    none), ``shared_threat`` and ``crisis_half`` (half the crisis log-odds, then its
    ``tanh``)."""

    attack: Array
    capability: Array
    guard: Array
    commitment_in: Array
    cooperation_in: Array
    hostility: Array
    threat: Array
    severity: Array
    security: Array
    main_threat: npt.NDArray[np.intp]
    shared_threat: Array
    crisis_half: Array

    @classmethod
    def empty(cls, n: int, batch: int, dtype: Any) -> Appraisal:
        """Uninitialised arrays for ``n`` actors and ``batch`` columns."""
        dyads = np.empty((9, n, n, batch), dtype=dtype)
        actors = np.empty((3, n, batch), dtype=dtype)
        attack, commitment_in, cooperation_in, hostility, threat, severity, shared, half, _ = dyads
        capability, guard, security = actors
        main = np.empty((n, batch), dtype=np.intp)
        return cls(attack, capability, guard, commitment_in, cooperation_in, hostility, threat,
                   severity, security, main, shared, half)  # fmt: skip


class Decisions(NamedTuple):
    """The lenses' decisions (4.2): ``cooperation`` (bent for greedy types), the target defence
    ``allocation`` (bent in the update) and the ``desire``d commitment; and the played actors'
    own ``effort`` change and target defence ``share`` (``(n, K)``, NaN where the lens
    decides: see :class:`Override`)."""

    cooperation: Array
    allocation: Array
    desire: Array
    effort: Array
    share: Array


class Override(NamedTuple):
    """Decisions made outside the lenses for one step (played actors), NaN where the lens
    decides: the ``effort`` change (in units of the actor's effort at the start, ``(n, K)``),
    the target defence ``share`` (``(n, K)``; the share moves toward it at
    ``allocation_rate``, neither anchored nor bent), ``cooperation`` and the ``desire``d
    commitment (``(n, n, K)``). :func:`decide` applies them after the lenses' decisions (a
    played cooperation is not bent for greedy types), the update takes the effort and share;
    the caller checks the bounds."""

    effort: Array
    share: Array
    cooperation: Array
    desire: Array

    @classmethod
    def none(cls, n: int, batch: int, dtype: Any) -> Override:
        """No played decision: NaN everywhere."""
        actors = np.full((2, n, batch), np.nan, dtype=dtype)
        dyads = np.full((2, n, n, batch), np.nan, dtype=dtype)
        return cls(actors[0], actors[1], dyads[0], dyads[1])


class Outcome(NamedTuple):
    """What the update computes besides the next state: crisis and war probabilities and
    draws (dyadic), crisis risk, pressure, Snyder's abandonment and entrapment risks, and the
    chance of a missile test (the missile programme)."""

    crisis_prob: Array
    war_prob: Array
    crisis: Bools
    war: Bools
    crisis_risk: Array
    pressure: Array
    abandonment: Array
    entrapment: Array
    test_hazard: Array


class Period(NamedTuple):
    """What happened during one period: perceptions, decisions and crises.

    ``effort`` is the effort at the start of the period (after its events), ``effort_next``
    at its end; belief, identity, commitment and ``moved`` (the dated moves) are those at the
    start (after the events); every other array describes what was perceived or decided
    during the period (``desire``: the desired commitments).
    """

    effort: Array
    effort_next: Array
    share: Array
    offence: Array
    defence: Array
    offence_next: Array
    belief: Array
    identity: Array
    commitment: Array
    hostility: Array
    threat: Array
    security: Array
    pressure: Array
    cooperation: Array
    crisis_prob: Array
    war_prob: Array
    crisis: Bools
    war: Bools
    crisis_risk: Array
    abandonment: Array
    entrapment: Array
    test_hazard: Array
    main_threat: npt.NDArray[np.intp]
    moved: Array
    desire: Array

    @classmethod
    def of(
        cls, state: State, nxt: State, seen: Appraisal, decided: Decisions, out: Outcome
    ) -> Period:
        """The period from the state at its start and end and what happened in between."""
        return cls(
            effort=state.effort,
            effort_next=nxt.effort,
            share=state.share,
            offence=state.offence,
            defence=state.defence,
            offence_next=nxt.offence,
            belief=state.belief,
            identity=state.identity,
            commitment=state.commitment,
            hostility=seen.hostility,
            threat=seen.threat,
            security=seen.security,
            pressure=out.pressure,
            cooperation=decided.cooperation,
            crisis_prob=out.crisis_prob,
            war_prob=out.war_prob,
            crisis=out.crisis,
            war=out.war,
            crisis_risk=out.crisis_risk,
            abandonment=out.abandonment,
            entrapment=out.entrapment,
            test_hazard=out.test_hazard,
            main_threat=seen.main_threat,
            moved=state.moved,
            desire=decided.desire,
        )

    def take(self, columns: slice) -> Period:
        """The period of some batch columns (e.g. the first copy: ``slice(0, B)``)."""
        return Period._make(a[..., columns] for a in self)


@dataclass(frozen=True)
class Sight:
    """What the actors see in a step: the kernels' :class:`Appraisal` and the lenses' view of
    the same arrays (:class:`~security_dilemma.lenses.Perception`,
    :class:`~security_dilemma.lenses.Assessment`), with each lens group's ``prepare`` array."""

    appraisal: Appraisal
    perception: Perception
    assessment: Assessment
    prepared: tuple[Array | None, ...]


def _clip(a: Array, lo: float, hi: float) -> Array:
    """Clip in place (two ufunc calls; cheaper than ``np.clip``'s dispatch)."""
    np.maximum(a, lo, out=a)
    np.minimum(a, hi, out=a)
    return a


def _ready() -> None:
    """Compile the step kernels once per process, from tiny example records."""
    kernels.ready(_examples)


def _examples(dtype: Any) -> dict[Any, tuple[Any, ...]]:
    """Example arguments of every step kernel, with arrays of ``dtype``."""
    from ..scenario.schema import Parameters
    from .params import compile_params
    from .setting import Dyads, make_setting

    n, b = 2, 1
    params = compile_params(Parameters(), ("A", "B"), ("realism", "realism"), dtype)
    setting = make_setting(params, np.ones(n), Dyads.none(n), dtype=dtype)
    one, two = np.zeros((n, b), dtype=dtype), np.zeros((n, n, b), dtype=dtype)
    state = State(*(two if f in DYADIC else one for f in State._fields))
    seen = Appraisal.empty(n, b, dtype)
    decided = Decisions(two, one, two, one, one)
    flags = np.zeros((n, n, b), dtype=np.bool_)
    out = Outcome(two, two, flags, flags, one, one, one, one, one)
    occurred = Occurred.none(n)
    draws = Draws(one, two, np.zeros((1, b), dtype=dtype), one)
    return {
        kernels.pressure: (two, two, one),
        kernels.perceive: (state, setting, seen),
        kernels.assess: (state, setting, seen),
        kernels.update: (state, setting, seen, decided, occurred, draws, state, out),
    }


def _view(setting: Setting, state: State, seen: Appraisal) -> tuple[Perception, Assessment]:
    """The lenses' view of the state and the appraisal (the same arrays)."""

    def static(m: Array) -> Array:
        out: Array = m[:, :, None]
        return out

    perception = Perception(
        belief=state.belief,
        identity=state.identity,
        commitment=state.commitment,
        commitment_in=seen.commitment_in,
        cooperation=state.cooperation,
        cooperation_in=seen.cooperation_in,
        attack=seen.attack,
        capability=seen.capability,
        own_capability=seen.capability,
        transparency=static(setting.transparency),
        shadow=static(setting.shadow),
        treaty=static(setting.treaty),
        interdependence=static(setting.interdependence),
        offence_dominance=setting.theta,
        distinguishability=setting.delta,
    )
    assessment = Assessment(
        hostility=seen.hostility,
        threat=seen.threat,
        security=seen.security,
        shared_threat=seen.shared_threat,
        main_threat=seen.main_threat,
    )
    return perception, assessment


def perceive(params: Params, setting: Setting, state: State) -> Sight:
    """4.1: capabilities, potential attacks, guards, and the lenses' view of them."""
    _ready()
    dtype = state.effort.dtype
    kernels.require_layout(state, dtype)
    seen = Appraisal.empty(state.n, state.batch, dtype)
    kernels.compiled(dtype).perceive(state, setting, seen)
    perception, assessment = _view(setting, state, seen)
    prepared: list[Array | None] = []
    for g in params.groups:
        if g.lens.prepare is None or not is_dyadic(g.lens.hostility):
            prepared.append(None)
            continue
        a = np.broadcast_to(g.lens.prepare(perception, g.params), seen.attack.shape)
        prepared.append(np.ascontiguousarray(a, seen.attack.dtype))
    return Sight(seen, perception, assessment, tuple(prepared))


def assess(params: Params, setting: Setting, state: State, sight: Sight) -> None:
    """4.1: each lens judges hostility for its actors' rows (clipped to [0, 1], 0 toward
    themselves); the engine turns it into threat, security, main threats and the crisis
    log-odds (``crisis_half`` then holds ``tanh`` of half of them)."""
    seen = sight.appraisal
    for g, prep in zip(params.groups, sight.prepared, strict=True):
        rule = g.lens.hostility
        if is_dyadic(rule):
            kernel = kernels.hostility_kernel(rule.rule, prep is not None)  # type: ignore[attr-defined]
            extra = seen.attack if prep is None else prep
            kernels.run_lens(kernel, g.compiled, g.idx, state, setting, seen, extra)
        else:
            v = sight.perception if g.everyone else sight.perception.rows(g.idx)
            rows = np.array(np.broadcast_to(rule(v, g.params), v.belief.shape), seen.attack.dtype)
            _clip(rows, 0.0, 1.0)
            rows[np.arange(len(g.idx)), g.idx] = 0.0
            seen.hostility[g.idx] = rows
    kernels.compiled(seen.attack.dtype).assess(state, setting, seen)
    np.tanh(seen.crisis_half, out=seen.crisis_half)  # logistic(x) = (1 + tanh(x / 2)) / 2


def judged(setting: Setting, state: State, sight: Sight, hostility: Array) -> Appraisal:
    """The assessment (threat, security, main and shared threats) with another
    ``hostility`` ``(n, n, K)`` than the lenses': e.g. an observer's beliefs alone (a
    lens-free observer: a state it thinks greedy is hostile). ``sight`` is not changed."""
    seen = Appraisal._make(a.copy() for a in sight.appraisal)
    np.copyto(seen.hostility, hostility)
    np.einsum("iik->ik", seen.hostility)[...] = 0.0  # none toward oneself
    kernels.assess(state, setting, seen)
    np.tanh(seen.crisis_half, out=seen.crisis_half)
    return seen


def decide(
    params: Params, setting: Setting, state: State, sight: Sight, override: Override | None = None
) -> Decisions:
    """4.2: the lenses' cooperation (bent for greedy types), target defence share (bent in the
    update) and desired commitment; then the played decisions of ``override``, if any."""
    seen = sight.appraisal
    dtype = seen.attack.dtype
    pair = np.empty((2, *seen.attack.shape), dtype=dtype)
    if override is None:
        played = np.full((2, *state.effort.shape), np.nan, dtype=dtype)
        effort, share = played[0], played[1]
    else:
        effort, share = (np.require(a, dtype, ["C", "W"]) for a in override[:2])
    decided = Decisions(pair[0], np.empty_like(state.effort), pair[1], effort, share)
    for g, prep in zip(params.groups, sight.prepared, strict=True):
        lens = g.lens
        v = sight.perception if g.everyone else sight.perception.rows(g.idx)
        a = sight.assessment if g.everyone else sight.assessment.rows(g.idx)
        if is_dyadic(lens.cooperation) and is_dyadic(lens.commitment):
            kernel = kernels.decisions_kernel(
                lens.cooperation.rule,  # type: ignore[attr-defined]
                lens.commitment.rule,  # type: ignore[attr-defined]
                prep is not None,
            )
            extra = seen.attack if prep is None else prep
            kernels.run_lens(kernel, g.compiled, g.idx, state, setting, seen, extra, decided)
        else:
            greedy = state.motive[g.idx][:, None]
            cooperation = lens.cooperation(v, a, g.params)
            defection = setting.greedy_defection
            decided.cooperation[g.idx] = kernels.bent_cooperation(cooperation, defection, greedy)
            rows = np.array(np.broadcast_to(lens.commitment(v, a, g.params), v.belief.shape))
            decided.desire[g.idx] = _clip(rows, 0.0, 1.0)
        decided.allocation[g.idx] = lens.allocation(v, a, g.params)
    if override is not None:
        for mine, theirs in ((decided.cooperation, override.cooperation),
                             (decided.desire, override.desire)):  # fmt: skip
            np.copyto(mine, theirs, where=~np.isnan(theirs))
    return decided


def update(
    setting: Setting,
    occurred: Occurred,
    state: State,
    seen: Appraisal,
    decided: Decisions,
    draws: Draws,
) -> tuple[State, Outcome]:
    """4.3 to 4.7: crises, arms, beliefs, identities and alliances; the next state."""
    _ready()
    n, batch, dtype = state.n, state.batch, state.effort.dtype
    for record in (state, decided, draws, occurred):
        kernels.require_layout(record, dtype)
    dyads = np.empty((7, n, n, batch), dtype=dtype)
    actors = np.empty((10, n, batch), dtype=dtype)
    flags = np.empty((2, n, n, batch), dtype=np.bool_)
    effort, share, offence, defence, risk, pressure, abandonment, entrapment, moved, tests = actors
    crisis_prob, war_prob, log_odds, belief, identity, commitment, stance = dyads
    nxt = state.replace(
        effort=effort,
        share=share,
        offence=offence,
        defence=defence,
        moved=moved,
        belief=belief,
        log_odds=log_odds,
        identity=identity,
        commitment=commitment,
        cooperation=decided.cooperation,
        stance=stance,
    )
    out = Outcome(crisis_prob, war_prob, flags[0], flags[1], risk, pressure, abandonment,
                  entrapment, tests)  # fmt: skip
    kernels.compiled(dtype).update(state, setting, seen, decided, occurred, draws, nxt, out)
    np.tanh(belief, out=belief)  # logistic(log_odds) = (1 + tanh(log_odds / 2)) / 2
    belief *= 0.5
    belief += 0.5
    return nxt, out


def advance(
    inputs: StepInput, state: State, draws: Draws, override: Override | None = None
) -> tuple[State, Period]:
    """The state after one step, and what happened during it (docs/model.md, section 4);
    ``override`` holds the played actors' decisions, if any."""
    p, setting = inputs.params, inputs.setting
    state = apply_events(inputs.events, setting, state, draws)  # 4.0 events
    sight = perceive(p, setting, state)  # 4.1 capabilities, attacks, guards
    assess(p, setting, state, sight)  # 4.1 lenses judge hostility; threat, security
    decided = decide(p, setting, state, sight, override)  # 4.2 lenses (and players) decide
    nxt, out = update(setting, inputs.events.occurred, state, sight.appraisal, decided, draws)
    return nxt, Period.of(state, nxt, sight.appraisal, decided, out)


def step(inputs: StepInput, state: State, draws: Draws) -> State:
    """The pure step function: the state after one period."""
    return advance(inputs, state, draws)[0]


def pressure_of(severity: Array, cooperation: Array) -> Array:
    """The severity of threats not offset by cooperation, summed over others: ``(n, K)`` from
    ``(n, n, K)`` severities and cooperation (as the update computes it)."""
    _ready()
    out = np.empty(severity.shape[::2], dtype=severity.dtype)
    arrays = (np.require(a, severity.dtype, ["C", "W"]) for a in (severity, cooperation))
    kernels.pressure(*arrays, out)
    return out

"""One step of the model: ``step(inputs, state, draws) -> state`` (docs/model.md, section 4).

The step is a pure function of the step's inputs (parameters, the exogenous setting and the
step's events), the state and the step's random numbers. In order:

0. events of the period act on the state;
1. each actor's lens reads hostility; the engine turns it into threat and security;
2. lenses decide cooperation, the defence share and alliance commitment;
3. crisis hazards per dyad, and crises drawn;
4. effort (Richardson), allocation and capability stocks;
5. beliefs (Bayes on observed effort), identities (Wendt), commitments (Snyder).

Arrays put actors first and the batch last: per-actor ``(n, copies, replicates)``, dyadic
``(n, n, copies, replicates)``. The equations are compiled loops
(:mod:`~security_dilemma.engine.kernels`), one replicate at a time inside each kernel; the lenses'
dyadic rules are compiled into a loop per lens; numpy computes the transcendental functions
(``tanh``) on whole arrays between kernels. Nothing loops over actors in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from ..lenses import Assessment, Perception
from ..lenses.base import is_dyadic
from . import kernels
from .draws import Draws
from .events import StepEvents, apply_events
from .kernels import saturate
from .params import Params
from .setting import Setting
from .state import LOG_ODDS_LIMIT, Array, State

__all__ = [
    "Constants",
    "Period",
    "StepInput",
    "advance",
    "appraise",
    "baseline",
    "decide",
    "pressure_of",
    "saturate",
    "step",
    "upper_pairs",
]


@dataclass(frozen=True)
class Constants:
    """Per-step arrays derived from the parameters and setting alone (computed once).

    * ``crisis_static``: the part of the crisis log-odds that does not change within a step;
    * ``belief_signal``, ``belief_noise``: the log-likelihood ratio of an observation is
      ``belief_signal * (motive - 1/2) + belief_noise * z`` (see :func:`advance`); with no
      noise an observation reveals the type;
    * ``gap``: g_greedy - g per actor; ``escalation``: P(war | crisis).
    """

    crisis_static: Array
    belief_signal: Array
    belief_noise: Array
    gap: Array
    escalation: float

    @classmethod
    def of(cls, params: Params, setting: Setting) -> Constants:
        """Compute the constants of a step."""
        dtype = setting.offdiag.dtype
        o, d = params.offence_dominance, params.distinguishability
        static = (
            np.log(params.crisis_base / (1.0 - params.crisis_base))
            + params.crisis_offence * (2.0 * o - 1.0)
            + (params.crisis_first_strike * (1.0 - d)) * setting.shield.astype(np.float64)
            - params.crisis_interdependence * setting.interdependence.astype(np.float64)
            - params.crisis_institutions * setting.transparency.astype(np.float64)
        )
        n = setting.offdiag.shape[0]
        gap = (params.g_greedy - params.g).astype(np.float64).reshape(n)
        transparency = setting.transparency.astype(np.float64)[:, :, 0, 0]
        off = 1.0 - np.eye(n)
        if params.noise > 0.0:
            sigma = np.maximum(params.noise * (1.0 - transparency), 1e-3)
            signal = gap[None, :] ** 2 / sigma**2 * off
            noise = gap[None, :] / sigma * off
        else:  # exact observation: one look reveals the type (when the types differ)
            signal = np.where(gap[None, :] != 0.0, 4.0 * LOG_ODDS_LIMIT, 0.0) * off
            noise = np.zeros((n, n))
        return cls(
            crisis_static=static.astype(dtype),
            belief_signal=signal.astype(dtype)[:, :, None, None],
            belief_noise=noise.astype(dtype)[:, :, None, None],
            gap=gap.astype(dtype).reshape(n, 1, 1),
            escalation=min(1.0, params.crisis_war_share * 2.0 * o),
        )


@dataclass(frozen=True)
class StepInput:
    """Everything a step needs besides the state and its random numbers."""

    params: Params
    setting: Setting
    events: StepEvents
    milex0: npt.NDArray[np.float64]
    scale: float
    constants: Constants

    @classmethod
    def build(
        cls,
        params: Params,
        setting: Setting,
        events: StepEvents,
        milex0: npt.NDArray[np.float64],
        scale: float,
    ) -> StepInput:
        """A step input with its constants computed."""
        return cls(params, setting, events, milex0, scale, Constants.of(params, setting))

    @cached_property
    def world(self) -> _World:
        """The parameters and setting as the kernels take them (flat, contiguous)."""
        return _World.of(self.params, self.setting, self.constants, self.events)


def _flat(a: Any, *shape: int, dtype: Any = None) -> Any:
    """``a`` reshaped, as a C-contiguous writeable array (what the kernels are compiled for)."""
    out = np.asarray(a, dtype=dtype).reshape(shape)
    if not (out.flags.c_contiguous and out.flags.writeable):
        out = np.array(out, order="C")
    return out


@dataclass(frozen=True)
class _World:
    """A step's parameters and setting reshaped for the kernels: ``(n,)`` and ``(n, n)``."""

    exposure: Array
    reach: Array
    retaliation: Array
    proximity: Array
    interdependence: Array
    transparency: Array
    shadow: Array
    treaty: Array
    crisis_static: Array
    belief_signal: Array
    belief_noise: Array
    weight: Array
    gap: Array
    k: Array
    a: Array
    g: Array
    saturation: Array
    shock: Array
    no_events: npt.NDArray[np.bool_]
    event_crisis: npt.NDArray[np.bool_]
    event_war: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, p: Params, s: Setting, c: Constants, ev: StepEvents) -> _World:
        n = s.offdiag.shape[0]

        def mirrored(a: Array) -> Array:  # the dyads i < j decide: symmetric by construction
            m = _flat(a, n, n)
            out: Array = np.triu(m) + np.triu(m, 1).T
            return out

        none = np.zeros((n, n), dtype=bool)
        both = ev.crisis is not None and ev.war is not None
        return cls(
            exposure=_flat(s.exposure, n, n),
            reach=_flat(s.reach, n, n),
            retaliation=_flat(s.retaliation, n, n),
            proximity=mirrored(s.proximity),
            interdependence=_flat(s.interdependence, n, n),
            transparency=_flat(s.transparency, n, n),
            shadow=_flat(s.shadow, n, n),
            treaty=_flat(s.treaty, n, n),
            crisis_static=mirrored(c.crisis_static),
            belief_signal=_flat(c.belief_signal, n, n),
            belief_noise=_flat(c.belief_noise, n, n),
            weight=_flat(s.weight, n),
            gap=_flat(c.gap, n),
            k=_flat(p.k, n),
            a=_flat(p.a, n),
            g=_flat(p.g, n),
            saturation=_flat(p.saturation, n),
            shock=_flat(p.shock, n),
            no_events=none,
            event_crisis=_flat(ev.crisis, n, n, dtype=bool) if both else none,
            event_war=_flat(ev.war, n, n, dtype=bool) if both else none,
        )


@dataclass(frozen=True, slots=True)
class Period:
    """What happened during one period: perceptions, decisions and crises.

    ``effort`` is the effort at the start of the period (after its events), ``effort_next``
    at its end; belief, identity and commitment are those at the start; every other array
    describes what was perceived or decided during the period.
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
    crisis: npt.NDArray[np.bool_]
    war: npt.NDArray[np.bool_]
    crisis_risk: Array
    abandonment: Array
    entrapment: Array
    main_threat: npt.NDArray[np.intp]


@lru_cache(maxsize=64)
def upper_pairs(n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Flat indices of the dyads i < j (row-major) and of their mirror images j > i."""
    iu, ju = np.triu_indices(n, k=1)
    return (iu * n + ju).astype(np.intp), (ju * n + iu).astype(np.intp)


def _swap(a: Array) -> Array:
    """``[j, i]`` for ``[i, j]``: the other side's view (a view, not a copy)."""
    out: Array = np.swapaxes(a, 0, 1)
    return out


def _k(a: Array) -> Array:
    """An array with its batch axes flattened, ``(n, K)`` or ``(n, n, K)``: a view of a
    C-contiguous writeable array (the engine's arrays are), else a contiguous copy."""
    out: Array = a.reshape((a.shape[0], a.shape[1], -1) if a.ndim == 4 else (a.shape[0], -1))
    flags = out.flags
    if not (flags.c_contiguous and flags.writeable):
        out = np.array(out, order="C")
    return out


def _outputs(
    count: int, lead: tuple[int, ...], batch: tuple[int, ...], dtype: Any
) -> tuple[list[Array], list[Array]]:
    """``count`` fresh output arrays (one allocation): in the state's shape ``lead + batch``,
    and the same memory flat for the kernels."""
    size = 1
    for b in batch:
        size *= b
    flat = np.empty((count, *lead, size), dtype=dtype)
    return list(flat.reshape((count, *lead, *batch))), list(flat)


def _clip(a: Array, lo: float, hi: float) -> Array:
    """Clip in place (two ufunc calls; cheaper than ``np.clip``'s dispatch)."""
    np.maximum(a, lo, out=a)
    np.minimum(a, hi, out=a)
    return a


def _prepared(params: Params, view: Perception) -> list[Array | None]:
    """Each lens group's ``prepare`` array (for all observers, flattened), or None."""
    out: list[Array | None] = []
    shape, dtype = view.belief.shape, view.belief.dtype
    for g in params.groups:
        if g.lens.prepare is None or not is_dyadic(g.lens.hostility):
            out.append(None)
            continue
        a = g.lens.prepare(view, g.params)
        if a.shape != shape or a.dtype != dtype:
            a = np.asarray(np.broadcast_to(a, shape), dtype=dtype)
        out.append(_k(a))
    return out


@dataclass(frozen=True)
class _Appraisal:
    """What :func:`_appraise` computes for the rest of the step: the perception and the
    assessment (arrays in the state's shape), and the flat arrays the kernels take."""

    view: Perception
    assessment: Assessment
    ratio: Array
    half_logit: Array
    dyads: tuple[Any, ...]
    judged: tuple[Any, ...]
    prepared: list[Array | None]


def _appraise(
    params: Params, setting: Setting, state: State, w: _World, flat: tuple[Array, ...]
) -> _Appraisal:
    """:func:`appraise` on the flat state ``flat`` (see :func:`_flatten`), plus half the crisis
    log-odds of every dyad and the arrays the lens kernels take."""
    kernels.ready()
    o, d = params.offence_dominance, params.distinguishability
    n = state.n
    batch = state.batch_shape
    dtype = state.offence.dtype
    pair, one = (n, n), (n,)
    dyadic, dyadic_flat = _outputs(8, pair, batch, dtype)
    actor, actor_flat = _outputs(3, one, batch, dtype)
    main, main_flat = _outputs(1, one, batch, np.intp)
    _, _, offence, defence, _, _, _, belief, _, identity, commitment, cooperation = flat
    theta, delta = float(o), float(d)
    kernels.perceive(
        offence,
        defence,
        w.exposure,
        w.reach,
        commitment,
        cooperation,
        theta,
        delta,
        dyadic_flat[0],
        actor_flat[0],
        actor_flat[1],
        dyadic_flat[1],
        dyadic_flat[2],
    )
    view = Perception(
        belief=state.belief,
        identity=state.identity,
        commitment=state.commitment,
        commitment_in=dyadic[1],
        cooperation=state.cooperation,
        cooperation_in=dyadic[2],
        attack=dyadic[0],
        capability=actor[0],
        own_capability=actor[0],
        transparency=setting.transparency,
        shadow=setting.shadow,
        treaty=setting.treaty,
        interdependence=setting.interdependence,
        offence_dominance=o,
        distinguishability=d,
    )
    dyads = (
        belief,
        identity,
        commitment,
        dyadic_flat[1],
        cooperation,
        dyadic_flat[2],
        dyadic_flat[0],
        actor_flat[0],
        w.transparency,
        w.shadow,
        w.treaty,
        w.interdependence,
    )
    prepared = _prepared(params, view)

    # hostility: each lens for its actors' rows, clipped to [0, 1], 0 toward themselves
    hostility, hostility_flat = dyadic[3], dyadic_flat[3]
    for g, prep in zip(params.groups, prepared, strict=True):
        rule = g.lens.hostility
        if is_dyadic(rule):
            kernel = kernels.hostility_kernel(rule.rule, prep is not None)  # type: ignore[attr-defined]
            extra = belief if prep is None else prep
            kernel(g.compiled, g.idx, *dyads, extra, theta, delta, hostility_flat)
        else:
            v = view if g.everyone else view.rows(g.idx)
            rows = np.array(np.broadcast_to(rule(v, g.params), v.belief.shape), dtype=dtype)
            _clip(rows, 0.0, 1.0)
            rows[np.arange(len(g.idx)), g.idx] = 0.0
            hostility[g.idx] = rows

    kernels.assess(
        dyadic_flat[0],
        hostility_flat,
        identity,
        offence,
        actor_flat[1],
        w.retaliation,
        w.crisis_static,
        float(params.crisis_threat),
        float(params.crisis_hostility),
        float(params.crisis_identity),
        dyadic_flat[4],
        dyadic_flat[5],
        actor_flat[2],
        main_flat[0],
        dyadic_flat[6],
        dyadic_flat[7],
    )
    assessment = Assessment(
        hostility=hostility,
        threat=dyadic[4],
        security=actor[2],
        shared_threat=dyadic[6],
        main_threat=cast("npt.NDArray[np.intp]", main[0]),
    )
    judged = (hostility_flat, dyadic_flat[4], dyadic_flat[6], actor_flat[2])
    return _Appraisal(view, assessment, dyadic[5], dyadic_flat[7], dyads, judged, prepared)


_STATE = (
    "effort",
    "share",
    "offence",
    "defence",
    "motive",
    "baseline",
    "restrained",
    "belief",
    "log_odds",
    "identity",
    "commitment",
    "cooperation",
)


def _flatten(state: State) -> tuple[Array, ...]:
    """The state's arrays, flat, in the order of ``_STATE``."""
    n = state.n
    out = []
    for name in _STATE:
        a = getattr(state, name)
        f = a.reshape((n, n, -1) if a.ndim == 4 else (n, -1))
        flags = f.flags
        if not (flags.c_contiguous and flags.writeable):
            f = np.array(f, order="C")
        out.append(f)
    return tuple(out)


def appraise(
    params: Params, setting: Setting, state: State
) -> tuple[Perception, Assessment, Array]:
    """Perception, the lenses' hostility turned into threat and security, and threat ratios.

    ``ratio[i, j] = threat[i, j] / resist[i, j]``: j's threat to i over what i can oppose to it
    (its defence and allies' committed support, weighted by the defence's advantage, plus its
    retaliatory offence that reaches j through j's missile defence).
    """
    w = _World.of(params, setting, Constants.of(params, setting), StepEvents())
    a = _appraise(params, setting, state, w, _flatten(state))
    return a.view, a.assessment, a.ratio


def _decide(
    params: Params, seen: _Appraisal, motive: Array, motive_flat: Array
) -> tuple[Array, Array, Array, Array, Array]:
    """The lenses' decisions: cooperation (bent for greedy types), the target defence share
    (not yet bent) and desired commitment; cooperation and desire also flat."""
    view, assessment = seen.view, seen.assessment
    shape = assessment.hostility.shape
    dtype = assessment.hostility.dtype
    pair, batch = shape[:2], shape[2:]
    (coop, desire), (coop_flat, desire_flat) = _outputs(2, pair, batch, dtype)
    alloc = np.empty(shape[:1] + batch, dtype=dtype)
    theta, delta = float(view.offence_dominance), float(view.distinguishability)
    defection = float(params.greedy_defection)
    for g, prep in zip(params.groups, seen.prepared, strict=True):
        lens = g.lens
        v = view if g.everyone else view.rows(g.idx)
        a = assessment if g.everyone else assessment.rows(g.idx)
        if is_dyadic(lens.cooperation) and is_dyadic(lens.commitment):
            kernel = kernels.decisions_kernel(
                lens.cooperation.rule,  # type: ignore[attr-defined]
                lens.commitment.rule,  # type: ignore[attr-defined]
                prep is not None,
            )
            extra = seen.dyads[0] if prep is None else prep
            kernel(
                g.compiled,
                g.idx,
                *seen.dyads,
                extra,
                theta,
                delta,
                *seen.judged,
                motive_flat,
                defection,
                coop_flat,
                desire_flat,
            )
        else:
            greedy = motive[g.idx][:, None]
            coop[g.idx] = kernels.bent_cooperation(
                lens.cooperation(v, a, g.params), defection, greedy
            )
            rows = np.array(np.broadcast_to(lens.commitment(v, a, g.params), v.belief.shape))
            desire[g.idx] = _clip(rows, 0.0, 1.0)
        if g.everyone:
            alloc[...] = lens.allocation(v, a, g.params)
        else:
            alloc[g.idx] = lens.allocation(v, a, g.params)
    return coop, alloc, desire, coop_flat, desire_flat


def decide(
    params: Params, view: Perception, assessment: Assessment, motive: Array
) -> tuple[Array, Array, Array]:
    """Cooperation, target defence share and desired commitment, after the greedy types' bent."""
    n = view.belief.shape[0]
    dyadic = (
        view.belief,
        view.identity,
        view.commitment,
        view.commitment_in,
        view.cooperation,
        view.cooperation_in,
        view.attack,
        view.capability,
    )
    setting = (view.transparency, view.shadow, view.treaty, view.interdependence)
    dyads = (*(_k(x) for x in dyadic), *(_flat(x, n, n) for x in setting))
    judged = tuple(
        _k(x)
        for x in (
            assessment.hostility,
            assessment.threat,
            assessment.shared_threat,
            assessment.security,
        )
    )
    seen = _Appraisal(
        view, assessment, assessment.threat, judged[0], dyads, judged, _prepared(params, view)
    )
    dtype = view.belief.dtype
    coop, alloc, desire, _, _ = _decide(params, seen, motive, _k(np.asarray(motive, dtype=dtype)))
    share: Array = kernels.bent_allocation(alloc, params.greedy_offence, motive).astype(dtype)
    return coop, share, desire


def baseline(params: Params, pressure0: Array) -> Array:
    """Status-quo calibration ``c = status_quo * (a - g - k * p0)`` for initial pressure ``p0``.

    With it a security seeker whose perceived pressure stays at its initial level keeps its
    initial effort (index 1): ``k p0 - a + g + c = 0`` when ``status_quo`` is 1.
    """
    out: Array = params.status_quo * (params.a - params.g - params.k * pressure0)
    return out


def pressure_of(threat: Array, cooperation: Array, weight: Array) -> Array:
    """Threat not offset by cooperation, summed over others, over i's initial effort."""
    kernels.ready()
    n = threat.shape[0]
    out = np.empty((n, *threat.shape[2:]), dtype=threat.dtype)
    kernels.pressure(_k(threat), _k(cooperation), _flat(weight, n), _k(out))
    return out


def advance(inputs: StepInput, state: State, draws: Draws) -> tuple[State, Period]:
    """The state after one step, and what happened during it."""
    p, w = inputs.params, inputs.world
    state = apply_events(inputs.events, p, state, inputs.milex0, inputs.scale)
    n = state.n
    batch = state.batch_shape
    dtype = state.effort.dtype
    flat = _flatten(state)
    seen = _appraise(p, inputs.setting, state, w, flat)
    np.tanh(seen.half_logit, out=seen.half_logit)  # logistic(x) = (1 + tanh(x / 2)) / 2
    coop, alloc, _, coop_flat, desire_flat = _decide(p, seen, state.motive, flat[4])

    pair, one = (n, n), (n,)
    dyadic, dyadic_flat = _outputs(6, pair, batch, dtype)
    events, events_flat = _outputs(2, pair, batch, np.bool_)
    actor, actor_flat = _outputs(8, one, batch, dtype)
    b = draws.effort.shape[-1]
    hostility, threat, shared, _ = seen.judged
    kernels.update(
        *flat[:7],
        flat[8],
        flat[9],
        flat[10],
        seen.dyads[3],
        seen.dyads[7],
        hostility,
        threat,
        shared,
        seen.half_logit,
        coop_flat,
        _k(alloc),
        desire_flat,
        w.weight,
        w.proximity,
        w.interdependence,
        w.belief_signal,
        w.belief_noise,
        w.gap,
        w.k,
        w.a,
        w.g,
        w.saturation,
        w.shock,
        float(inputs.constants.escalation),
        float(p.greedy_offence),
        float(p.allocation_rate),
        float(p.stock_turnover),
        float(p.identity_rate),
        float(p.common_fate),
        float(p.interdependence_pull),
        float(p.crisis_shock),
        float(p.commitment_rate),
        float(p.alliance_dilemma),
        float(LOG_ODDS_LIMIT),
        w.event_crisis,
        w.event_war,
        _flat(draws.effort, n, b, dtype=dtype),
        _flat(draws.observation, n, n, b, dtype=dtype),
        _flat(draws.crisis, n * (n - 1) // 2, b, dtype=dtype),
        dyadic_flat[0],
        dyadic_flat[1],
        events_flat[0],
        events_flat[1],
        *actor_flat[:6],
        dyadic_flat[2],
        dyadic_flat[3],
        dyadic_flat[4],
        dyadic_flat[5],
        actor_flat[6],
        actor_flat[7],
    )
    crisis_prob, war_prob, log_odds, belief, identity, commitment = dyadic
    risk, pressure, e_next, share, offence, defence, abandonment, entrapment = actor
    np.tanh(belief, out=belief)  # logistic(log_odds) = (1 + tanh(log_odds / 2)) / 2
    belief *= 0.5
    belief += 0.5

    new = State(
        effort=e_next,
        share=share,
        offence=offence,
        defence=defence,
        motive=state.motive,
        baseline=state.baseline,
        restrained=state.restrained,
        belief=belief,
        log_odds=log_odds,
        identity=identity,
        commitment=commitment,
        cooperation=coop,
    )
    assessment = seen.assessment
    period = Period(
        effort=state.effort,
        effort_next=e_next,
        share=state.share,
        offence=state.offence,
        defence=state.defence,
        offence_next=offence,
        belief=state.belief,
        identity=state.identity,
        commitment=state.commitment,
        hostility=assessment.hostility,
        threat=assessment.threat,
        security=assessment.security,
        pressure=pressure,
        cooperation=coop,
        crisis_prob=crisis_prob,
        war_prob=war_prob,
        crisis=cast("npt.NDArray[np.bool_]", events[0]),
        war=cast("npt.NDArray[np.bool_]", events[1]),
        crisis_risk=risk,
        abandonment=abandonment,
        entrapment=entrapment,
        main_threat=assessment.main_threat,
    )
    return new, period


def step(inputs: StepInput, state: State, draws: Draws) -> State:
    """The pure step function: the state after one period."""
    return advance(inputs, state, draws)[0]

"""One step of the model: ``step(inputs, state, draws) -> state`` (docs/model.md, section 3).

The step is a pure function of the step's inputs (parameters, the exogenous setting and the
step's events), the state and the step's random numbers. In order:

0. events of the period act on the state;
1. each actor's lens reads hostility; the engine turns it into threat and security;
2. lenses decide cooperation, the defence share and alliance commitment;
3. crisis hazards per dyad, and crises drawn;
4. effort (Richardson), allocation and capability stocks;
5. beliefs (Bayes on observed effort), identities (Wendt), commitments (Snyder).

Arrays put actors first and the batch last: per-actor ``(n, copies, replicates)``, dyadic
``(n, n, copies, replicates)``. Every operation is vectorised; no loop runs over actors.
Temporaries are updated in place where the algebra allows: the step is memory-bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

from ..lenses import Assessment, LensParams, Perception
from ..lenses.base import Lens, logistic
from .draws import Draws
from .events import StepEvents, apply_events
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
    "saturate",
    "step",
    "upper_pairs",
]

TINY = 1e-12


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


def _bounded(a: Any, shape: tuple[int, ...], dtype: Any, lo: float, hi: float) -> Array:
    """A fresh array of ``shape`` and ``dtype`` holding ``a`` clipped to [lo, hi]."""
    out: Array = np.maximum(np.broadcast_to(a, shape), lo, dtype=dtype)
    np.minimum(out, hi, out=out)
    return out


def _clip(a: Array, lo: float, hi: float) -> Array:
    """Clip in place (two ufunc calls; cheaper than ``np.clip``'s dispatch)."""
    np.maximum(a, lo, out=a)
    np.minimum(a, hi, out=a)
    return a


def _by_lens(
    params: Params,
    call: Callable[[Lens, Any, Any, LensParams], Array],
    view: Perception,
    assessment: Assessment | None,
    shape: tuple[int, ...],
    dtype: Any,
) -> Array:
    """Evaluate a lens function for each lens's actors (rows), clipped to [0, 1], as a fresh
    array (a lens may return views of its inputs; the engine then updates the result in place).
    """
    groups = params.groups
    if len(groups) == 1 and groups[0].everyone:
        g = groups[0]
        return _bounded(call(g.lens, view, assessment, g.params), shape, dtype, 0.0, 1.0)
    out = np.empty(shape, dtype=dtype)
    for g in groups:
        v = view.rows(g.idx)
        a = assessment.rows(g.idx) if assessment is not None else None
        out[g.idx] = call(g.lens, v, a, g.params)
    return _clip(out, 0.0, 1.0)


def _diagonal(a: Array, value: float) -> Array:
    idx = np.arange(a.shape[0])
    a[idx, idx] = value
    return a


def appraise(
    params: Params, setting: Setting, state: State
) -> tuple[Perception, Assessment, Array]:
    """Perception, the lenses' hostility turned into threat and security, and threat ratios.

    ``ratio[i, j] = threat[i, j] / resist[i, j]``: j's threat to i over what i can oppose to it
    (its defence and allies' committed support, weighted by the defence's advantage, plus its
    retaliatory offence that reaches j through j's missile defence).
    """
    o, d = params.offence_dominance, params.distinguishability
    off, dfn = state.offence, state.defence
    dtype = off.dtype
    cap = off + dfn
    potent = off + (1.0 - d) * dfn
    potent *= 2.0 * o
    attack = setting.exposure * potent[None, :]
    view = Perception(
        belief=state.belief,
        identity=state.identity,
        commitment=state.commitment,
        commitment_in=_swap(state.commitment),
        cooperation=state.cooperation,
        cooperation_in=_swap(state.cooperation),
        attack=attack,
        capability=cap,
        own_capability=cap,
        transparency=setting.transparency,
        shadow=setting.shadow,
        treaty=setting.treaty,
        interdependence=setting.interdependence,
        offence_dominance=o,
        distinguishability=d,
    )
    shape = state.belief.shape
    hostility = _by_lens(
        params, lambda lens, v, _, q: lens.hostility(v, q), view, None, shape, dtype
    )
    _diagonal(hostility, 0.0)
    threat = hostility * attack
    lent = setting.reach * cap[:, None]
    lent *= state.commitment
    guard = lent.sum(axis=0)
    guard += dfn
    guard *= 2.0 * (1.0 - o)
    resist = setting.retaliation * off[:, None]
    resist += guard[:, None]
    np.maximum(resist, TINY, out=resist)
    ratio = np.divide(threat, resist, out=resist)
    security = ratio.sum(axis=1)
    security += 1.0
    np.reciprocal(security, out=security)
    main = np.argmax(threat, axis=1)
    top = threat.max(axis=1)
    tied = np.greater_equal(threat, top[:, None]).sum(axis=1) > 1
    n = state.n
    clear = (top > 0.0) & ~tied
    alone = -1 - np.arange(n).reshape((n,) + (1,) * (main.ndim - 1))
    key = np.where(clear, main, alone)
    shared = np.equal(key[:, None], key[None, :]).astype(dtype)
    assessment = Assessment(
        hostility=hostility,
        threat=threat,
        security=security,
        shared_threat=shared,
        main_threat=np.where(clear, main, -1),
    )
    return view, assessment, ratio


def decide(
    params: Params, view: Perception, assessment: Assessment, motive: Array
) -> tuple[Array, Array, Array]:
    """Cooperation, target defence share and desired commitment, after the greedy types' bent."""
    shape = assessment.hostility.shape
    dtype = assessment.hostility.dtype
    coop = _by_lens(
        params, lambda lens, v, a, q: lens.cooperation(v, a, q), view, assessment, shape, dtype
    )
    if params.greedy_defection:
        coop *= (1.0 - params.greedy_defection * motive)[:, None]
    alloc = _by_lens(
        params, lambda lens, v, a, q: lens.allocation(v, a, q), view, assessment, shape[1:], dtype
    )
    alloc = _clip(alloc - params.greedy_offence * motive, 0.0, 1.0)
    desire = _by_lens(
        params, lambda lens, v, a, q: lens.commitment(v, a, q), view, assessment, shape, dtype
    )
    return coop, alloc, desire


def baseline(params: Params, pressure0: Array) -> Array:
    """Status-quo calibration ``c = status_quo * (a - g - k * p0)`` for initial pressure ``p0``.

    With it a security seeker whose perceived pressure stays at its initial level keeps its
    initial effort (index 1): ``k p0 - a + g + c = 0`` when ``status_quo`` is 1.
    """
    out: Array = params.status_quo * (params.a - params.g - params.k * pressure0)
    return out


def saturate(pressure: Array, saturation: Array) -> Array:
    """``p / (1 + s p)``: the reaction to threat levels off for a state facing far more."""
    out: Array = pressure / (1.0 + saturation * pressure)
    return out


def pressure_of(threat: Array, cooperation: Array, weight: Array) -> Array:
    """Threat not offset by cooperation, summed over others, over i's initial effort."""
    tmp = np.subtract(1.0, cooperation)
    tmp *= threat
    out: Array = tmp.sum(axis=1)
    out /= weight
    return out


def advance(inputs: StepInput, state: State, draws: Draws) -> tuple[State, Period]:
    """The state after one step, and what happened during it."""
    p, s, k = inputs.params, inputs.setting, inputs.constants
    state = apply_events(inputs.events, p, state, inputs.milex0, inputs.scale)
    n = state.n
    motive = state.motive
    view, assessment, ratio = appraise(p, s, state)
    hostility, threat = assessment.hostility, assessment.threat
    coop, alloc, desire = decide(p, view, assessment, motive)

    # --- crisis hazard (3): symmetric log-odds, then crises drawn for the dyads i < j
    sym = np.add(ratio, 1.0)
    np.divide(ratio, sym, out=sym)
    sym *= 0.5 * p.crisis_threat
    tmp = np.multiply(hostility, 0.5 * p.crisis_hostility)
    sym += tmp
    np.multiply(state.identity, 0.5 * p.crisis_identity, out=tmp)
    sym -= tmp
    logit = np.add(sym, _swap(sym), out=tmp)
    logit += k.crisis_static
    crisis_prob = logistic(logit, out=logit)
    crisis_prob *= s.proximity
    war_prob = crisis_prob * k.escalation
    up, low = upper_pairs(n)
    batch = crisis_prob.shape[2:]
    p_up = crisis_prob.reshape(n * n, *batch)[up]
    u = draws.crisis
    occurred_up = u < p_up
    p_up *= k.escalation
    war_up = u < p_up
    crisis = np.zeros((n * n, *batch), dtype=bool)
    war = np.zeros_like(crisis)
    crisis[up] = occurred_up
    crisis[low] = occurred_up
    war[up] = war_up
    war[low] = war_up
    crisis = crisis.reshape(crisis_prob.shape)
    war = war.reshape(crisis_prob.shape)
    if inputs.events.crisis is not None and inputs.events.war is not None:
        crisis |= inputs.events.crisis[:, :, None, None]
        war |= inputs.events.war[:, :, None, None]
    safe = np.minimum(crisis_prob, 1.0 - 1e-7)
    np.negative(safe, out=safe)
    np.log1p(safe, out=safe)
    crisis_risk = -np.expm1(safe.sum(axis=1))

    # --- effort, allocation, stocks (4): Richardson with saturation and calibration
    e = state.effort
    pressure = pressure_of(threat, coop, s.weight)
    drive = p.g + motive * k.gap
    de = p.k * saturate(pressure, p.saturation) - p.a * e + drive + state.baseline
    e_next = e + de + p.shock * e * draws.effort
    np.maximum(e_next, 0.0, out=e_next)
    if state.restrained.any():
        e_next = np.where(state.restrained > 0.0, np.minimum(e_next, e), e_next)
    share = state.share + p.allocation_rate * (alloc - state.share)
    turnover = p.stock_turnover
    level = (turnover * s.weight) * e_next
    offence = (1.0 - turnover) * state.offence + level * (1.0 - share)
    defence = (1.0 - turnover) * state.defence + level * share

    # --- beliefs (5a): Bayes in log-odds on the observed drive of effort
    #     y = gap_j * motive_j + sigma_ij * z;  LLR = gap_j (y - gap_j / 2) / sigma_ij^2
    llr = k.belief_signal * (motive - 0.5)[None, :]
    llr += k.belief_noise * draws.observation
    log_odds = np.add(state.log_odds, llr, out=llr)
    _clip(log_odds, -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT)
    _diagonal(log_odds, -LOG_ODDS_LIMIT)
    belief = logistic(log_odds)

    # --- identities (5b): reflected appraisal, common fate, interdependence, crises
    ident = state.identity
    stance = np.subtract(coop, hostility)
    identity = np.subtract(_swap(stance), ident)
    identity *= p.identity_rate
    identity += ident
    pull = np.multiply(assessment.shared_threat, p.common_fate)
    pull += p.interdependence_pull * s.interdependence
    room = np.subtract(1.0, ident)
    room *= pull
    identity += room
    if p.crisis_shock:
        identity -= p.crisis_shock * crisis
    _clip(identity, -1.0, 1.0)
    _diagonal(identity, 1.0)

    # --- commitments (5c): Snyder's abandonment and entrapment
    commit = state.commitment
    cap = state.offence + state.defence
    relied = commit * cap[None, :]
    relied_total = relied.sum(axis=1)
    relied *= _swap(commit)
    returned = relied.sum(axis=1)
    has = relied_total > TINY
    abandonment = np.where(has, 1.0 - returned / np.where(has, relied_total, 1.0), 0.0)
    exposure = commit * crisis_risk[None, :]
    exposed_total = exposure.sum(axis=1)
    exposure *= assessment.shared_threat
    exposed_total -= exposure.sum(axis=1)
    commit_total = commit.sum(axis=1)
    has = commit_total > TINY
    entrapment = np.where(has, exposed_total / np.where(has, commit_total, 1.0), 0.0)
    commitment = np.subtract(desire, commit, out=desire)
    commitment *= p.commitment_rate
    commitment += commit
    fear = p.alliance_dilemma * (abandonment - entrapment)
    commitment += fear[:, None] * commit
    _clip(commitment, 0.0, 1.0)
    _diagonal(commitment, 0.0)

    dtype = e.dtype
    new = state.replace(
        effort=e_next,
        share=share,
        offence=offence,
        defence=defence,
        belief=belief,
        log_odds=log_odds,
        identity=identity,
        commitment=commitment,
        cooperation=coop,
    )
    period = Period(
        effort=e,
        effort_next=e_next,
        share=state.share,
        offence=state.offence,
        defence=state.defence,
        offence_next=offence,
        belief=state.belief,
        identity=state.identity,
        commitment=state.commitment,
        hostility=hostility,
        threat=threat,
        security=assessment.security,
        pressure=pressure,
        cooperation=coop,
        crisis_prob=crisis_prob,
        war_prob=war_prob,
        crisis=crisis,
        war=war,
        crisis_risk=crisis_risk.astype(dtype, copy=False),
        abandonment=abandonment.astype(dtype, copy=False),
        entrapment=entrapment.astype(dtype, copy=False),
        main_threat=assessment.main_threat,
    )
    return new, period


def step(inputs: StepInput, state: State, draws: Draws) -> State:
    """The pure step function: the state after one period."""
    return advance(inputs, state, draws)[0]

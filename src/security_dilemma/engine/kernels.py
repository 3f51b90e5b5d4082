"""The step's equations as compiled loops (numba): the one implementation of docs/model.md, 4.

:mod:`~security_dilemma.engine.step` calls these kernels in order, each with a few named records
(the :class:`~security_dilemma.engine.state.State`, the step's
:class:`~security_dilemma.engine.setting.Setting`, what perception and assessment produce, the
lenses' decisions, the step's random numbers, the outputs), which the kernels read by field
name (numba compiles a named tuple's fields as plain arguments); between them numpy computes
the transcendental functions (``tanh`` of the crisis log-odds and of the beliefs, the lenses'
array rules), because numpy's vectorised ``tanh`` is many times faster than a compiled scalar
one. Conventions:

* the batch (restraint copies x replicates, flattened to ``K``) is the last axis of every
  state array, as in :class:`~security_dilemma.engine.state.State`: per-actor arrays are
  ``(n, K)``, dyadic ``(n, n, K)``; the world around the states is ``(n, n)`` or ``(n,)``; the
  step's random numbers are ``(..., B)`` with replicate ``b = k % B`` (copies share them);
* every kernel loops over the batch outermost and does one replicate's work inside, so that
  replicate's arrays stay in cache; loops over the other actor ``j`` are innermost (they
  vectorise when the batch is one replicate);
* sums and products over actors use eight partial accumulators in a fixed order and no
  floating-point reassociation (no ``fastmath``), so a replicate's numbers are the same bit for
  bit whatever the batch it is computed in (the run's chunk-invariance rests on this);
* arithmetic on scalars is in double precision; arrays keep their dtype (float32 by default).

The engine kernels are compiled for float32 and float64 records, in that order, on first use
(:func:`ready`, with signatures taken from example records), and cached on disk
(``cache=True``). Callers pass C-contiguous, writeable arrays of one dtype and Python floats,
so no other specialisation arises. The step then calls the compiled entry points directly
(:func:`compiled`): numba's dispatcher would spend about 10 us a call working out the types of
the records' fields, as long as a whole step at ten states and one replicate; instead the step
checks the records that come from its caller once (:func:`require_layout`). The lens kernels,
which inline a lens's dyadic rules, are compiled once per lens and process (about a second
each).

Preparing the kernels is thread-safe: :func:`ready`, the lens kernels' creation and their first
call for a set of lens parameters run under one lock (:data:`_PREPARING`), taken only on those
slow paths (double-checked: the step's every-step :func:`ready` is a set membership test).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import numba
import numpy as np
from numba.extending import register_jitable

from .._jit import register_all
from ..lenses.base import Dyad

__all__ = [
    "TINY",
    "assess",
    "bent_allocation",
    "bent_cooperation",
    "compiled",
    "contest",
    "decisions_kernel",
    "hostility_kernel",
    "perceive",
    "polar_in",
    "polar_out",
    "pressure",
    "ready",
    "require_layout",
    "respond",
    "run_lens",
    "unit_uniforms",
    "update",
]

TINY = 1e-12
"""Floor of denominators (what a state can oppose to a threat, total commitments)."""

_JIT: dict[str, Any] = {"cache": True, "nogil": True, "error_model": "numpy"}
_PREPARING = threading.RLock()
"""Held while kernels are compiled or looked up for the first time (module docstring)."""
_LENS_JIT: dict[str, Any] = {"nogil": True, "error_model": "numpy"}


# --- reductions over the other actor (fixed order, see the module docstring) -------------------


@register_jitable
def _sum(x: Any) -> float:
    """Sum of a 1-d array with eight partial sums (deterministic order)."""
    n = x.size
    s0 = s1 = s2 = s3 = s4 = s5 = s6 = s7 = 0.0
    m = n - n % 8
    for j in range(0, m, 8):
        s0 += x[j]
        s1 += x[j + 1]
        s2 += x[j + 2]
        s3 += x[j + 3]
        s4 += x[j + 4]
        s5 += x[j + 5]
        s6 += x[j + 6]
        s7 += x[j + 7]
    for j in range(m, n):
        s0 += x[j]
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))


@register_jitable
def _prod(x: Any) -> float:
    """Product of a 1-d array with eight partial products (deterministic order)."""
    n = x.size
    q0 = q1 = q2 = q3 = q4 = q5 = q6 = q7 = 1.0
    m = n - n % 8
    for j in range(0, m, 8):
        q0 *= x[j]
        q1 *= x[j + 1]
        q2 *= x[j + 2]
        q3 *= x[j + 3]
        q4 *= x[j + 4]
        q5 *= x[j + 5]
        q6 *= x[j + 6]
        q7 *= x[j + 7]
    for j in range(m, n):
        q0 *= x[j]
    return ((q0 * q1) * (q2 * q3)) * ((q4 * q5) * (q6 * q7))


@register_jitable
def _max(x: Any) -> float:
    """Largest entry of a 1-d array (eight partial maxima)."""
    n = x.size
    m0 = m1 = m2 = m3 = m4 = m5 = m6 = m7 = -np.inf
    m = n - n % 8
    for j in range(0, m, 8):
        m0 = max(m0, x[j])
        m1 = max(m1, x[j + 1])
        m2 = max(m2, x[j + 2])
        m3 = max(m3, x[j + 3])
        m4 = max(m4, x[j + 4])
        m5 = max(m5, x[j + 5])
        m6 = max(m6, x[j + 6])
        m7 = max(m7, x[j + 7])
    for j in range(m, n):
        m0 = max(m0, x[j])
    return max(max(max(m0, m1), max(m2, m3)), max(max(m4, m5), max(m6, m7)))


# --- small formulas shared by the kernels and the Python side ------------------------------------


@register_jitable
def bent_cooperation(cooperation: Any, defection: Any, motive: Any) -> Any:
    """The lens's cooperation clipped to [0, 1], cut by ``defection`` for a greedy type (4.2)."""
    return np.minimum(np.maximum(cooperation, 0.0), 1.0) * (1.0 - defection * motive)


@register_jitable
def bent_allocation(share: Any, offence: Any, motive: Any) -> Any:
    """The lens's target defence share clipped to [0, 1], less ``offence`` for a greedy type,
    clipped again (4.2)."""
    return np.minimum(
        np.maximum(np.minimum(np.maximum(share, 0.0), 1.0) - offence * motive, 0.0), 1.0
    )


@numba.njit(**_JIT)
def pressure(severity: Any, cooperation: Any, out: Any) -> None:
    """Per-actor pressure ``sum_j severity[i, j] (1 - cooperation[i, j])`` into ``out`` (n, K):
    the severity of threats not offset by cooperation (as :func:`update` computes it)."""
    n, _, nb = severity.shape
    row = np.empty(n)
    for k in range(nb):
        for i in range(n):
            for j in range(n):
                row[j] = severity[i, j, k] * (1.0 - cooperation[i, j, k])
            out[i, k] = _sum(row)


# --- 4.1 perception: capabilities, potential attacks, what each state can oppose ---------------


@numba.njit(**_JIT)
def perceive(state: Any, setting: Any, seen: Any) -> None:
    """Capabilities ``O + D``, potential attacks ``A_ij = exposure_ij (O_j + (1 - delta) D_j)``
    (j's defence counts as attack potential as far as weapons cannot be told apart), guards
    ``D_i + sum_k c_ki R_ki (O_k + D_k)`` (i's defence and its allies' committed capability
    that reaches it), and the other side's commitment and cooperation ``[j, i]`` as contiguous
    arrays, into ``seen``."""
    offence, defence = state.offence, state.defence
    commitment, cooperation = state.commitment, state.cooperation
    exposure, reach = setting.exposure, setting.reach
    capability, attack, guard = seen.capability, seen.attack, seen.guard
    commitment_in, cooperation_in = seen.commitment_in, seen.cooperation_in
    n, nb = offence.shape
    potent = np.empty(n)
    lent = np.empty(n)
    leak = 1.0 - setting.delta
    for k in range(nb):
        for j in range(n):
            o = offence[j, k]
            d = defence[j, k]
            capability[j, k] = o + d
            potent[j] = o + leak * d
            lent[j] = 0.0
        for a in range(n):  # allies' committed capability that reaches i, accumulated per i
            ca = capability[a, k]
            for i in range(n):
                lent[i] += commitment[a, i, k] * reach[a, i] * ca
                commitment_in[i, a, k] = commitment[a, i, k]
                cooperation_in[i, a, k] = cooperation[a, i, k]
        for i in range(n):
            guard[i, k] = defence[i, k] + lent[i]
            for j in range(n):
                attack[i, j, k] = exposure[i, j] * potent[j]


@register_jitable
def contest(attack: float, opposed: float, decisiveness: float) -> float:
    """Share of an attack that gets through what is opposed to it (Hirshleifer's contest
    success function, ``A^m / (A^m + W^m)``; 0 without an attack)."""
    if attack <= 0.0:
        return 0.0
    a: float = attack**decisiveness
    w: float = opposed**decisiveness
    return a / (a + w)


@register_jitable
def _square_contest(attack: float, opposed: float) -> float:
    """:func:`contest` with decisiveness 2 (the default), without a power function."""
    if attack <= 0.0:
        return 0.0
    a, w = attack * attack, opposed * opposed
    return a / (a + w)


@register_jitable(forceinline=True)
def _threats(
    square: bool,
    i: int,
    k: int,
    attack: Any,
    hostility: Any,
    retaliation: Any,
    own: float,
    held: float,
    deterrence: float,
    m: float,
    at_stake_i: float,
    absolute: float,
    threat: Any,
    severity: Any,
) -> None:
    """Row i of the threats ``h p A`` and their severities, for one batch column. Inlined where
    it is called with a constant ``square``, so each value gets a loop of its own: inside one
    loop, compilers would evaluate both sides of the branch, and a power function is slow."""
    for j in range(attack.shape[1]):
        a = attack[i, j, k]
        opposed = held + deterrence * retaliation[i, j] * own
        through = _square_contest(a, opposed) if square else contest(a, opposed, m)
        t = hostility[i, j, k] * through * a
        threat[i, j, k] = t
        at_stake = absolute * at_stake_i + (1.0 - absolute) * (a + opposed)
        severity[i, j, k] = t / max(at_stake, TINY)


# --- 4.1 threat, security, main threats; 4.3 the crisis log-odds -------------------------------


@numba.njit(**_JIT)
def assess(state: Any, setting: Any, seen: Any) -> None:
    """From the lenses' hostility in ``seen``: threat ``T_ij = h_ij p_ij A_ij`` (the damage j's
    attack could do through what i opposes to it, weighted by hostility), its severity ``x_ij =
    T_ij / V_ij`` against what i has to lose, security ``1 / (1 + sum_j x_ij)``, main threats
    (none when the largest threat is zero or tied), shared threats, and half the (symmetric)
    crisis log-odds of each dyad (``crisis_half``)."""
    hostility, attack, identity = seen.hostility, seen.attack, state.identity
    threat, severity, security = seen.threat, seen.severity, seen.security
    offence, guard, main, shared, half = (
        state.offence,
        seen.guard,
        seen.main_threat,
        seen.shared_threat,
        seen.crisis_half,
    )
    retaliation, crisis_static, weight = setting.retaliation, setting.crisis_static, setting.weight
    mu, deterrence, m = setting.mu, setting.deterrence, setting.decisiveness
    absolute = setting.absolute
    beta_threat, beta_hostility = setting.beta_threat, setting.beta_hostility
    beta_identity = setting.beta_identity
    n, _, nb = attack.shape
    z = np.empty((n, n))
    zt = np.empty((n, n))
    weigh = np.empty((n, n))  # x / (1 + x): how much of i's security a threat takes
    row = np.empty(n)
    top_row = np.empty(n)
    square = m == 2.0
    for k in range(nb):
        for i in range(n):
            own, held = offence[i, k], mu * guard[i, k]
            if square:  # the default: no power function in the loop
                _threats(True, i, k, attack, hostility, retaliation, own, held, deterrence, m,
                         weight[i], absolute, threat, severity)  # fmt: skip
            else:
                _threats(False, i, k, attack, hostility, retaliation, own, held, deterrence, m,
                         weight[i], absolute, threat, severity)  # fmt: skip
            for j in range(n):
                x = severity[i, j, k]
                row[j] = x
                top_row[j] = threat[i, j, k]
                weigh[i, j] = x / (1.0 + x)
                y = beta_threat * weigh[i, j] + beta_hostility * hostility[i, j, k]
                y -= beta_identity * identity[i, j, k]
                z[i, j] = y
                zt[j, i] = y
            security[i, k] = 1.0 / (1.0 + _sum(row))
            top = _max(top_row)
            first = -1
            ties = 0
            for j in range(n):
                if top_row[j] >= top:
                    ties += 1
                    if first < 0:
                        first = j
            main[i, k] = first if top > 0.0 and ties == 1 else -1
        for i in range(n):  # symmetric: z_ij + z_ji == z_ji + z_ij, crisis_static symmetric
            mi = main[i, k]
            for j in range(n):
                half[i, j, k] = 0.5 * (0.5 * (z[i, j] + zt[i, j]) + crisis_static[i, j])
                # the threat i and j share: of i's and j's main threats (third states), the
                # one that weighs on both, by the smaller of its weights on them
                common = 0.0
                if mi >= 0 and mi != j and mi != i:
                    common = min(weigh[i, mi], weigh[j, mi])
                mj = main[j, k]
                if mj >= 0 and mj != i and mj != j:
                    common = max(common, min(weigh[i, mj], weigh[j, mj]))
                shared[i, j, k] = common


@register_jitable
def respond(pressure: float, anchor: float, saturation: float) -> float:
    """The reaction to pressure above (below) the anchor, levelling off for large changes in
    either direction: ``x / (1 + s |x|)`` with ``x = pressure - anchor``."""
    x = pressure - anchor
    return x / (1.0 + saturation * abs(x))


@numba.njit(**_JIT)
def update(
    state: Any,
    setting: Any,
    seen: Any,
    decided: Any,
    occurred: Any,
    draws: Any,
    nxt: Any,
    out: Any,
) -> None:
    """The rest of the step for every replicate (docs/model.md 4.3 to 4.7): the next state
    into ``nxt`` (effort, share, stocks, log-odds, half the log-odds in ``belief``,
    identities, commitments, stances; no moves) and the period's crises, pressures and
    alliance risks into ``out``.

    ``decided.allocation`` is the lenses' target defence share (anchored and bent here for
    greedy types); where ``decided.effort`` (``decided.share``) is not NaN, a played actor
    chose its effort change (its target share: neither anchored nor bent);
    ``seen.crisis_half`` holds ``tanh`` of half the crisis log-odds, so the logistic is
    ``(1 + tanh) / 2``; the belief is ``(1 + tanh(nxt.belief)) / 2`` the same way.
    """
    # the records' arrays as locals: array references held outside the loops
    effort, share, offence, defence = state.effort, state.share, state.offence, state.defence
    motive, restrained, pressure0 = state.motive, state.restrained, state.pressure0
    share_offset, moved = state.share_offset, state.moved
    log_odds, identity, commitment = state.log_odds, state.identity, state.commitment
    stance_before = state.stance
    capability, commitment_in = seen.capability, seen.commitment_in
    hostility, severity, shared, crisis_tanh = (
        seen.hostility,
        seen.severity,
        seen.shared_threat,
        seen.crisis_half,
    )
    cooperation, allocation, desire = decided.cooperation, decided.allocation, decided.desire
    played_effort, played_share = decided.effort, decided.share  # NaN: the lens decides
    proximity, interdependence = setting.proximity, setting.interdependence
    observation_sd, gap, weight = setting.observation_sd, setting.gap, setting.weight
    k_react, fatigue, drive = setting.k, setting.a, setting.g
    saturation, shock, status_quo = setting.saturation, setting.shock, setting.status_quo
    escalation, limit = setting.escalation, setting.log_odds_limit
    delta, empathy, to_level = setting.delta, setting.empathy, setting.appraisal_level
    rate, bent = setting.allocation_rate, setting.greedy_offence
    effort_noise, observation, crisis_draw = draws.effort, draws.observation, draws.crisis
    crisis_prob, war_prob, crisis, war = out.crisis_prob, out.war_prob, out.crisis, out.war
    crisis_risk, pressure = out.crisis_risk, out.pressure
    abandonment, entrapment, test_hazard = out.abandonment, out.entrapment, out.test_hazard
    programme, test_rate, test_pressure = (
        setting.programme,
        setting.test_rate,
        setting.test_pressure,
    )
    effort_next, share_next, offence_next, defence_next = (
        nxt.effort,
        nxt.share,
        nxt.offence,
        nxt.defence,
    )
    log_odds_next, half_log_odds = nxt.log_odds, nxt.belief
    identity_next, commitment_next, stance = nxt.identity, nxt.commitment, nxt.stance
    turnover = setting.turnover

    n, nb = effort.shape
    batch = effort_noise.shape[1]
    row = np.empty(n)
    terms = np.empty(n)
    draw = np.empty((n, n), dtype=crisis_draw.dtype)
    target = np.empty(n)
    seeker_share = np.empty(n)
    greedy_share = np.empty(n)
    felt_from = np.empty((n, n))  # severity of j's threat to i not offset by cooperation
    base = np.empty(n)
    seeker_part = np.empty(n)
    greedy_part = np.empty(n)
    seen_move = np.empty(n)
    spread = np.empty(n)
    for k in range(nb):
        b = k % batch
        # 4.3 crisis hazard: symmetric probabilities; one draw per dyad i < j, mirrored;
        # crises the case records happen whatever the draw
        p = 0
        for i in range(n):
            draw[i, i] = 1.0
            for j in range(i + 1, n):
                draw[i, j] = crisis_draw[p + j - i - 1, b]
            p += n - i - 1
        for i in range(n):
            for j in range(i):
                draw[i, j] = draw[j, i]
        for i in range(n):
            for j in range(n):
                crisis_prob[i, j, k] = proximity[i, j] * (0.5 + 0.5 * crisis_tanh[i, j, k])
                war_prob[i, j, k] = crisis_prob[i, j, k] * escalation
                u = draw[i, j]
                crisis[i, j, k] = (u < crisis_prob[i, j, k]) | occurred.crisis[i, j]
                war[i, j, k] = (u < war_prob[i, j, k]) | occurred.war[i, j]
                row[j] = 1.0 - min(crisis_prob[i, j, k], 1.0 - 1e-7)
                stance[i, j, k] = cooperation[i, j, k] - hostility[i, j, k]
            crisis_risk[i, k] = 1.0 - _prod(row)
            # pressure: the severity of threats not offset by cooperation
            for j in range(n):
                row[j] = severity[i, j, k] * (1.0 - cooperation[i, j, k])
                felt_from[i, j] = row[j]
            pressure[i, k] = _sum(row)

        for i in range(n):
            # 4.4 arms: Richardson around the status quo; the allocation toward the lens's
            # anchored target (a greedy type leans to offence); stocks renewed from effort
            e = effort[i, k]
            q = status_quo[i]
            react = k_react[i] * respond(pressure[i, k], q * pressure0[i, k], saturation[i])
            grown = e + react - fatigue[i] * (e - q) + (1.0 - q) * drive[i]
            grown += motive[i, k] * gap[i]
            grown = max(grown + shock[i] * e * effort_noise[i, b], 0.0)
            if not np.isnan(played_effort[i, k]):  # a played actor's own change
                grown = max(e + played_effort[i, k], 0.0)
            if restrained[i, k] > 0.0:
                grown = min(grown, e)
            effort_next[i, k] = grown
            # missile programme: flight tests of the state's active systems, more of them as its
            # effort grows and as its pressure rises above the start
            raised = max(respond(pressure[i, k], q * pressure0[i, k], saturation[i]), 0.0)
            flights = test_rate * programme[i] * e * (1.0 + test_pressure * raised)
            test_hazard[i, k] = 1.0 - np.exp(-flights)
            target[i] = min(max(allocation[i, k] + share_offset[i, k], 0.0), 1.0)
            chosen = not np.isnan(played_share[i, k])  # a played actor's own target
            if chosen:
                target[i] = played_share[i, k]
            seeker_share[i] = share[i, k] + rate * (target[i] - share[i, k])
            greedy_share[i] = share[i, k] + rate * (max(target[i] - bent, 0.0) - share[i, k])
            s = seeker_share[i] if motive[i, k] == 0.0 or chosen else greedy_share[i]
            share_next[i, k] = s
            bought = turnover * weight[i] * effort_next[i, k]
            offence_next[i, k] = (1.0 - turnover) * offence[i, k] + bought * (1.0 - s)
            defence_next[i, k] = (1.0 - turnover) * defence[i, k] + bought * s

        for j in range(n):  # what j did, and what a security seeker in its place would do
            e = effort[j, k]
            q = status_quo[j]
            base[j] = e - fatigue[j] * (e - q) + (1.0 - q) * drive[j]
            seeker_part[j] = 1.0 - delta * seeker_share[j]
            greedy_part[j] = 1.0 - delta * greedy_share[j]
            seen_move[j] = effort_next[j, k] * (1.0 - delta * share_next[j, k]) + moved[j, k]
            spread[j] = (shock[j] * e * seeker_part[j]) ** 2
        for i in range(n):
            # 4.5 beliefs: i judges what each j did (its offensive effort, read through
            # distinguishability, and its dated moves) against what a security seeker and a
            # greedy type would have done under the pressure i thinks j felt
            for j in range(n):
                felt = pressure[j, k] - (1.0 - empathy) * felt_from[j, i]
                anchor = status_quo[j] * pressure0[j, k]
                seeker = max(base[j] + k_react[j] * respond(felt, anchor, saturation[j]), 0.0)
                expected = seeker * seeker_part[j]
                d = (seeker + gap[j]) * greedy_part[j] - expected
                sd = observation_sd[i, j]
                error = seen_move[j] + sd * observation[i, j, b] - expected
                # exact observation (no variance) of types that move differently reveals the
                # type: the ratio is then as large as the clip allows
                llr = d * (error - 0.5 * d) / max(sd * sd + spread[j], TINY)
                x = min(max(log_odds[i, j, k] + llr, -limit), limit)
                log_odds_next[i, j, k] = x
                half_log_odds[i, j, k] = 0.5 * log_odds_next[i, j, k]
            log_odds_next[i, i, k] = -limit
            half_log_odds[i, i, k] = 0.5 * log_odds_next[i, i, k]

            # 4.6 identities: reflected appraisal of the change in how j treats i (and, as far
            # as ``appraisal_level`` says, of its level); common fate; interdependence; crises
            for j in range(n):
                x = identity[i, j, k]
                treated = stance[j, i, k]
                change = treated - stance_before[j, i, k]
                appraised = (1.0 - to_level) * change + to_level * (treated - x)
                pull = setting.common_fate * shared[i, j, k]
                pull += setting.interdependence_pull * interdependence[i, j]
                y = x + setting.identity_rate * appraised + pull * (1.0 - x)
                y -= setting.crisis_shock * crisis[i, j, k]
                identity_next[i, j, k] = min(max(y, -1.0), 1.0)
            identity_next[i, i, k] = 1.0

            # 4.7 alliances: Snyder's abandonment (allies' commitment not returned, less when
            # i itself commits) and entrapment (allies' crises over threats i does not share)
            for j in range(n):
                row[j] = commitment[i, j, k] * capability[j, k]
            relied = _sum(row)
            for j in range(n):
                c = commitment[i, j, k]
                terms[j] = row[j] * (1.0 - commitment_in[i, j, k]) * (1.0 - setting.reassurance * c)
                row[j] = 1.0 - c * crisis_risk[j, k] * (1.0 - shared[i, j, k])
            # divisions are unconditional (and safe): a guarded 0/0 may still be evaluated
            # speculatively and leave the FPU's invalid flag set, which numpy would report
            abandon = _sum(terms) / max(relied, TINY)
            if relied <= TINY:
                abandon = 0.0
            trap = 1.0 - _prod(row)
            abandonment[i, k] = abandon
            entrapment[i, k] = trap
            fear = setting.alliance_dilemma * (abandon - trap)
            for j in range(n):
                c = commitment[i, j, k]
                y = c + setting.commitment_rate * (desire[i, j, k] - c) + fear * c
                commitment_next[i, j, k] = min(max(y, 0.0), 1.0)
            commitment_next[i, i, k] = 0.0
            nxt.moved[i, k] = 0.0


# --- random numbers (engine/draws.py): single precision, bit for bit as numpy computes them -----


@numba.njit(**_JIT)
def unit_uniforms(words: Any, out: Any) -> None:
    """``out = (words >> 8) * 2**-24`` in single precision: numpy's ``Generator.random(dtype=
    float32)`` from the generator's 32-bit words."""
    scale = np.float32(1.0 / 16777216.0)
    for t in range(words.size):
        out[t] = np.float32(words[t] >> 8) * scale


@numba.njit(**_JIT)
def polar_in(u: Any, half: int, minus_u: Any, angle: Any) -> None:
    """Box-Muller, first half: ``-u1`` (for ``log1p``) and the angle ``2 pi u2``, ``(half, B)``
    from one step's uniforms ``u`` ``(B, per step)``."""
    nb = u.shape[0]
    two_pi = np.float32(2.0 * np.pi)
    for b in range(nb):
        for t in range(half):
            minus_u[t, b] = -u[b, t]
            angle[t, b] = two_pi * u[b, half + t]


@numba.njit(**_JIT)
def polar_out(
    u: Any, log_term: Any, cosine: Any, sine: Any, half: int, normals: Any, crisis: Any
) -> None:
    """Box-Muller, second half: normals ``sqrt(-2 log(1 - u1)) (cos, sin)(2 pi u2)`` into
    ``normals`` ``(k, B)`` and the crisis uniforms (those after the normals) into ``crisis``."""
    nb = u.shape[0]
    k = normals.shape[0]
    minus_two = np.float32(-2.0)
    for b in range(nb):
        for t in range(half):
            r = np.sqrt(minus_two * log_term[t, b])
            normals[t, b] = r * cosine[t, b]
            if half + t < k:
                normals[half + t, b] = r * sine[t, b]
        for c in range(crisis.shape[0]):
            crisis[c, b] = u[b, 2 * half + c]


# --- the lenses' dyadic rules, inlined into one loop per lens ---------------------------------


@register_jitable
def _sources(state: Any, setting: Any, seen: Any, prep: Any) -> Any:
    """The arrays a dyad is read from, as a plain tuple of locals (reading a record's field
    inside the loops costs more than reading a local)."""
    return (
        state.belief,
        state.identity,
        state.commitment,
        seen.commitment_in,
        state.cooperation,
        seen.cooperation_in,
        seen.attack,
        seen.capability,
        setting.transparency,
        setting.shadow,
        setting.treaty,
        setting.interdependence,
        prep,
        seen.hostility,
        seen.threat,
        seen.shared_threat,
        seen.security,
    )


@register_jitable
def _dyad(
    a: Any, theta: float, delta: float, prepared: bool, judged: bool, i: int, j: int, k: int
) -> Any:
    """What observer i sees of actor j in batch column k, as a lens's dyadic rules read it,
    from :func:`_sources`; the assessment's fields are NaN until ``judged``."""
    nan = np.nan
    return Dyad(
        a[0][i, j, k],
        a[1][i, j, k],
        a[2][i, j, k],
        a[3][i, j, k],
        a[4][i, j, k],
        a[5][i, j, k],
        a[6][i, j, k],
        a[7][j, k],
        a[7][i, k],
        a[8][i, j],
        a[9][i, j],
        a[10][i, j],
        a[11][i, j],
        theta,
        delta,
        a[12][i, j, k] if prepared else 0.0,
        a[13][i, j, k] if judged else nan,
        a[14][i, j, k] if judged else nan,
        a[15][i, j, k] if judged else nan,
        a[16][i, k] if judged else nan,
    )


def hostility_kernel(rule: Callable[..., Any], prepared: bool) -> Any:
    """A compiled loop applying a dyadic hostility rule to the observers ``rows`` into
    ``seen.hostility``, clipped to [0, 1], 0 toward themselves. Compiled once per rule and
    process (kept on disk for the built-in lenses): ``kernel(q, rows, state, setting, seen,
    prep)``."""
    with _PREPARING:  # functools.cache would let two threads build two dispatchers
        return _hostility_kernel(rule, prepared)


def _on_disk(*rules: Callable[..., Any]) -> bool:
    """Whether the loop over these rules may live in numba's disk cache: only for the built-in
    lenses, whose parameter records a new process can rebuild by name when it reads the cache
    (:mod:`security_dilemma.lenses.base`); a lens registered at run time compiles each process."""
    modules = [getattr(getattr(r, "py_func", r), "__module__", "") for r in rules]
    return all(m.startswith("security_dilemma.lenses.") for m in modules)


@cache
def _hostility_kernel(rule: Callable[..., Any], prepared: bool) -> Any:
    register_all()

    @numba.njit(**_LENS_JIT, cache=_on_disk(rule))
    def kernel(q: Any, rows: Any, state: Any, setting: Any, seen: Any, prep: Any) -> None:
        out = seen.hostility
        a = _sources(state, setting, seen, prep)
        theta, delta = setting.theta, setting.delta
        n, _, nb = out.shape
        for k in range(nb):
            for r in range(rows.size):
                i = rows[r]
                for j in range(n):
                    d = _dyad(a, theta, delta, prepared, False, i, j, k)
                    out[i, j, k] = min(max(rule(d, q), 0.0), 1.0)
                out[i, i, k] = 0.0

    return kernel


def decisions_kernel(
    cooperation_rule: Callable[..., Any], commitment_rule: Callable[..., Any], prepared: bool
) -> Any:
    """A compiled loop applying a lens's dyadic cooperation and commitment rules to the
    observers ``rows``: both clipped to [0, 1], cooperation then bent by the greedy types'
    defection, ``1 - defection * motive``. Compiled once per pair of rules and process (kept on
    disk for the built-in lenses):
    ``kernel(q, rows, state, setting, seen, prep, decided)``."""
    with _PREPARING:
        return _decisions_kernel(cooperation_rule, commitment_rule, prepared)


@cache
def _decisions_kernel(
    cooperation_rule: Callable[..., Any], commitment_rule: Callable[..., Any], prepared: bool
) -> Any:
    register_all()

    @numba.njit(**_LENS_JIT, cache=_on_disk(cooperation_rule, commitment_rule))
    def kernel(
        q: Any, rows: Any, state: Any, setting: Any, seen: Any, prep: Any, decided: Any
    ) -> None:
        a = _sources(state, setting, seen, prep)
        theta, delta = setting.theta, setting.delta
        motive, cooperation, desire = state.motive, decided.cooperation, decided.desire
        n, _, nb = seen.hostility.shape
        defection = setting.greedy_defection
        for k in range(nb):
            for r in range(rows.size):
                i = rows[r]
                greedy = motive[i, k]
                for j in range(n):
                    d = _dyad(a, theta, delta, prepared, True, i, j, k)
                    c = cooperation_rule(d, q)
                    cooperation[i, j, k] = bent_cooperation(c, defection, greedy)
                    desire[i, j, k] = min(max(commitment_rule(d, q), 0.0), 1.0)

    return kernel


_LENS_ENTRIES: dict[tuple[Any, int, str], tuple[Any, Callable[..., None]]] = {}


def run_lens(kernel: Any, q: Any, rows: Any, state: Any, *rest: Any) -> None:
    """Run a lens kernel, ``kernel(q, rows, state, ...)``: through numba's dispatcher the first
    time for these lens parameters ``q`` and dtype, then through the compiled entry point the
    dispatcher chose (the records besides ``q`` are the step's own, checked where they enter)."""
    key = (kernel, id(q), state.effort.dtype.str)
    hit = _LENS_ENTRIES.get(key)
    if hit is not None and hit[0] is q:
        hit[1](q, rows, state, *rest)
        return
    with _PREPARING:  # the first call compiles: one thread at a time
        kernel(q, rows, state, *rest)
        signature = tuple(numba.typeof(a) for a in (q, rows, state, *rest))  # type: ignore[no-untyped-call]
        result = kernel.overloads.get(signature)
        if result is not None:
            if len(_LENS_ENTRIES) >= 256:  # parameters of worlds long gone
                _LENS_ENTRIES.clear()
            _LENS_ENTRIES[key] = (q, result.entry_point)


# --- compiling the engine kernels in a fixed order ----------------------------------------------

_COMPILED: set[str] = set()


def _uniform_signatures() -> dict[Any, tuple[Any, ...]]:
    """The random-number kernels, in single precision whatever the run's dtype."""
    f32 = numba.types.Array(numba.float32, 1, "C")
    f32x2 = numba.types.Array(numba.float32, 2, "C")
    return {
        unit_uniforms: (numba.types.Array(numba.uint32, 1, "C"), f32),
        polar_in: (f32x2, numba.int64, f32x2, f32x2),
        polar_out: (f32x2, f32x2, f32x2, f32x2, numba.int64, f32x2, f32x2),
    }


def ready(examples: Callable[[Any], dict[Any, tuple[Any, ...]]] | None = None) -> None:
    """Compile (or load from the disk cache) the random-number kernels and, given
    ``examples(dtype)`` (example arguments of the step kernels: records of that dtype), the
    step kernels for float32 then float64 arrays. Each set is compiled once per process, in a
    fixed order: that keeps numba's cache consistent when several processes fill it at once.
    The step kernels then compile nothing else: arrays of another layout (a transposed, not
    C-contiguous array) are refused instead of silently getting a slower variant. Thread-safe;
    once done, a call is a set membership test.
    """
    if "uniforms" in _COMPILED and (examples is None or "step" in _COMPILED):
        return
    with _PREPARING:
        _prepare(examples)


def _prepare(examples: Callable[[Any], dict[Any, tuple[Any, ...]]] | None) -> None:
    """:func:`ready`'s work, under the lock: what another thread has done is not redone."""
    register_all()
    if "uniforms" not in _COMPILED:
        for kernel, signature in _uniform_signatures().items():
            kernel.compile(signature)
        _COMPILED.add("uniforms")
    if examples is not None and "step" not in _COMPILED:
        dispatchers = []
        for dtype in (np.float32, np.float64):
            entries = {}
            for kernel, args in examples(dtype).items():
                signature = tuple(numba.typeof(a) for a in args)  # type: ignore[no-untyped-call]
                kernel.compile(signature)
                entries[kernel.py_func.__name__] = kernel.overloads[signature].entry_point
                dispatchers.append(kernel)
                for record in args:
                    if isinstance(record, tuple):
                        _LAYOUTS[type(record), np.dtype(dtype)] = _layout(record)
            _ENTRIES[np.dtype(dtype)] = Compiled(**entries)
        for kernel in dispatchers:  # any other layout or dtype is a caller's bug: no slow variants
            kernel.disable_compile()
        _COMPILED.add("step")


class Compiled(NamedTuple):
    """The step kernels compiled for one dtype, as entry points that skip numba's dispatcher:
    they take records of exactly the layout they were compiled for (checked by
    :func:`require_layout` where records come from a caller)."""

    pressure: Callable[..., None]
    perceive: Callable[..., None]
    assess: Callable[..., None]
    update: Callable[..., None]


_ENTRIES: dict[np.dtype[Any], Compiled] = {}
_LAYOUTS: dict[tuple[type, np.dtype[Any]], tuple[tuple[str, np.dtype[Any], int], ...]] = {}


def _layout(record: tuple[Any, ...]) -> tuple[tuple[str, np.dtype[Any], int], ...]:
    """Each array field's name, dtype and number of dimensions."""
    names = getattr(record, "_fields", ())
    return tuple(
        (name, a.dtype, a.ndim)
        for name, a in zip(names, record, strict=True)
        if isinstance(a, np.ndarray)
    )


def compiled(dtype: Any) -> Compiled:
    """The step kernels' entry points for arrays of ``dtype`` (after :func:`ready`)."""
    return _ENTRIES[np.dtype(dtype)]


def require_layout(record: tuple[Any, ...], dtype: Any) -> None:
    """Refuse a record (a :class:`~security_dilemma.engine.state.State`, decisions, draws...)
    whose arrays are not those the kernels were compiled for: each field C-contiguous, of its
    dtype and number of dimensions. The compiled entry points do not check (numba's dispatcher
    did, at ten times the cost), and a wrong layout would be read silently."""
    layout = _LAYOUTS.get((type(record), np.dtype(dtype)))
    if layout is None:
        raise TypeError(f"no compiled kernel takes a {type(record).__name__} of {dtype}")
    for name, want, ndim in layout:
        a = getattr(record, name)
        if not (
            isinstance(a, np.ndarray) and a.dtype == want and a.ndim == ndim
            and a.flags.c_contiguous
        ):  # fmt: skip
            got = f"{a.dtype}, {a.ndim}-d" if isinstance(a, np.ndarray) else type(a).__name__
            raise TypeError(
                f"{type(record).__name__}.{name} must be a C-contiguous {ndim}-d array of "
                f"{want} (got {got})"
            )

"""The world around the states in one step: one named record the kernels read by field.

Everything here is the same in every replicate and changes only through dated events (a site
becomes operational, a state joins an institution, a treaty forms, a parameter changes), so
it is computed once per distinct configuration, not per step or per replicate.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .params import Params
from .state import LOG_ODDS_LIMIT

__all__ = ["Setting", "make_setting"]

Matrix = npt.NDArray[np.floating[Any]]


class Setting(NamedTuple):
    """Exogenous inputs of a step (docs/model.md, sections 3 and 8): ``(n, n)`` matrices,
    ``(n,)`` vectors and scalars, with the ``[i, j]`` conventions of docs/model.md.

    Geography, defences, institutions, treaties:

    * ``reach[i, j]``: fraction of j's territory within i's reach;
    * ``intercept[i, j]``: fraction of j's missiles aimed at i that defences stop;
    * ``erosion[i, j]``: share of j's retaliatory warheads that i's defences (standing or
      coming) could stop;
    * ``exposure[i, j] = reach[j, i] (1 - intercept[i, j])``: how much of j's offence can
      strike i; ``retaliation[i, j] = reach[i, j] (1 - erosion[j, i])``: how much of i's
      offence can strike back at j (missile defence erodes deterrence);
    * ``proximity = max(reach, reach.T)``; ``shield = max(erosion, erosion.T)`` (a defence
      that could blunt retaliation invites a first strike);
    * ``transparency``, ``shadow``: of the most transparent / longest-lived institution the
      two share (0 when none); ``treaty``: formal alliance commitment between them;
      ``interdependence``;

    coefficients (from :class:`~security_dilemma.engine.params.Params`):

    * ``weight[i]``: i's initial effort in capability units (its milex over the mean actor's);
    * Richardson's ``k``, ``a``, ``g`` (a security seeker's drive), ``gap`` (g_greedy - g),
      ``saturation`` and ``shock``, per actor;
    * ``crisis_static``: the part of the crisis log-odds that does not change within a step;
      ``escalation``: P(war | crisis); ``beta_threat``, ``beta_hostility``, ``beta_identity``;
    * ``belief_signal``, ``belief_noise``: the log-likelihood ratio of an observation is
      ``belief_signal * (motive - 1/2) + belief_noise * z``; with no noise an observation
      reveals the type;
    * ``theta``, ``delta`` (offence dominance, distinguishability) and the rates of the
      allocation, stock, identity and alliance dynamics.
    """

    reach: Matrix
    intercept: Matrix
    erosion: Matrix
    exposure: Matrix
    retaliation: Matrix
    proximity: Matrix
    shield: Matrix
    transparency: Matrix
    shadow: Matrix
    treaty: Matrix
    interdependence: Matrix
    crisis_static: Matrix
    belief_signal: Matrix
    belief_noise: Matrix
    weight: Matrix
    k: Matrix
    a: Matrix
    g: Matrix
    gap: Matrix
    saturation: Matrix
    shock: Matrix
    theta: float
    delta: float
    escalation: float
    beta_threat: float
    beta_hostility: float
    beta_identity: float
    greedy_offence: float
    greedy_defection: float
    allocation_rate: float
    turnover: float
    identity_rate: float
    common_fate: float
    interdependence_pull: float
    crisis_shock: float
    commitment_rate: float
    alliance_dilemma: float
    log_odds_limit: float


def _beliefs(noise: float, gap: Matrix, transparency: Matrix) -> tuple[Matrix, Matrix]:
    """Signal and noise coefficients of the log-likelihood ratio of one observation."""
    n = gap.size
    off = 1.0 - np.eye(n)
    if noise > 0.0:
        sigma = np.maximum(noise * (1.0 - transparency), 1e-3)
        return gap[None, :] ** 2 / sigma**2 * off, gap[None, :] / sigma * off
    # exact observation: one look reveals the type (when the types differ)
    return np.where(gap[None, :] != 0.0, 4.0 * LOG_ODDS_LIMIT, 0.0) * off, np.zeros((n, n))


def make_setting(
    params: Params,
    weight: Any,
    reach: Any,
    intercept: Any,
    erosion: Any,
    transparency: Any,
    shadow: Any,
    treaty: Any,
    interdependence: Any,
    dtype: npt.DTypeLike = np.float32,
) -> Setting:
    """The setting of a step from its parameters and ``(n, n)`` matrices (derived ones
    included); every array C-contiguous in ``dtype``, the diagonal of every matrix 0."""
    reach = np.asarray(reach, dtype=np.float64)
    n = reach.shape[0]
    off = 1.0 - np.eye(n)

    def f(a: Any) -> Matrix:
        out: Matrix = np.ascontiguousarray(a, dtype=dtype)
        return out

    def exact(a: Matrix) -> npt.NDArray[np.float64]:  # as the kernels see it, in float64
        return np.asarray(a, dtype=np.float64)

    intercept = np.asarray(intercept, dtype=np.float64)
    erosion = np.asarray(erosion, dtype=np.float64)
    shield = f(np.maximum(erosion, erosion.T) * off)
    transparency = f(np.asarray(transparency) * off)
    interdependence = f(np.asarray(interdependence) * off)
    o, d = params.offence_dominance, params.distinguishability
    crisis_static = (
        np.log(params.crisis_base / (1.0 - params.crisis_base))
        + params.crisis_offence * (2.0 * o - 1.0)
        + (params.crisis_first_strike * (1.0 - d)) * exact(shield)
        - params.crisis_interdependence * exact(interdependence)
        - params.crisis_institutions * exact(transparency)
    )
    gap = exact(np.asarray(params.g_greedy) - np.asarray(params.g)).reshape(n)
    signal, noise = _beliefs(params.noise, gap, exact(transparency))

    def vector(name: str) -> Matrix:
        return f(np.asarray(getattr(params, name)).reshape(n))

    def mirrored(a: Any) -> Matrix:  # the dyads i < j decide: symmetric by construction
        m = f(a)
        return f(np.triu(m) + np.triu(m, 1).T)

    return Setting(
        reach=f(reach * off),
        intercept=f(intercept * off),
        erosion=f(erosion * off),
        exposure=f(reach.T * (1.0 - intercept) * off),
        retaliation=f(reach * (1.0 - erosion.T) * off),
        proximity=mirrored(np.maximum(reach, reach.T) * off),
        shield=shield,
        transparency=transparency,
        shadow=f(np.asarray(shadow) * off),
        treaty=f(np.asarray(treaty) * off),
        interdependence=interdependence,
        crisis_static=mirrored(crisis_static),
        belief_signal=f(signal),
        belief_noise=f(noise),
        weight=f(np.asarray(weight).reshape(n)),
        k=vector("k"),
        a=vector("a"),
        g=vector("g"),
        gap=f(gap),
        saturation=vector("saturation"),
        shock=vector("shock"),
        theta=float(o),
        delta=float(d),
        escalation=min(1.0, params.crisis_war_share * 2.0 * o),
        beta_threat=float(params.crisis_threat),
        beta_hostility=float(params.crisis_hostility),
        beta_identity=float(params.crisis_identity),
        greedy_offence=float(params.greedy_offence),
        greedy_defection=float(params.greedy_defection),
        allocation_rate=float(params.allocation_rate),
        turnover=float(params.stock_turnover),
        identity_rate=float(params.identity_rate),
        common_fate=float(params.common_fate),
        interdependence_pull=float(params.interdependence_pull),
        crisis_shock=float(params.crisis_shock),
        commitment_rate=float(params.commitment_rate),
        alliance_dilemma=float(params.alliance_dilemma),
        log_odds_limit=LOG_ODDS_LIMIT,
    )

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

__all__ = ["Dyads", "Setting", "make_setting"]

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
      ``saturation``, ``shock`` and ``status_quo``, per actor;
    * ``crisis_static``: the part of the crisis log-odds that does not change within a step;
      ``escalation``: P(war | crisis); ``beta_threat``, ``beta_hostility``, ``beta_identity``;
    * ``observation_sd[i, j]``: the standard deviation of i's error in observing j's moves
      (lower between members of transparent institutions);
    * ``programme[i]``: i's active ballistic-missile systems (deployed, tested or in
      development) in the step; ``test_rate``: flight tests per system and step (the
      parameter's yearly rate times the step's length in years), ``test_pressure``;
    * ``theta``, ``delta`` (offence dominance, distinguishability), ``mu`` = (1 - theta) /
      theta (what a unit of defence opposes to attack), the contest's ``decisiveness``, the
      weight of ``deterrence``, ``absolute`` (1: security has an absolute dimension),
      ``empathy``, Snyder's ``reassurance``, the costly-signal parameters, and the rates of the
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
    observation_sd: Matrix
    weight: Matrix
    k: Matrix
    a: Matrix
    g: Matrix
    gap: Matrix
    saturation: Matrix
    shock: Matrix
    status_quo: Matrix
    programme: Matrix
    theta: float
    delta: float
    mu: float
    decisiveness: float
    deterrence: float
    absolute: float
    empathy: float
    appraisal_level: float
    reassurance: float
    signal_threshold: float
    signal_bluff: float
    signal_tremble: float
    test_rate: float
    test_pressure: float
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


class Dyads(NamedTuple):
    """The ``(n, n)`` matrices of a step that a :class:`Setting` is made from (``[i, j]`` as
    there): geography (``reach``), defences (``intercept``, ``erosion``), institutions
    (``transparency``, ``shadow``), alliance commitments (``treaty``) and
    ``interdependence``."""

    reach: Any
    intercept: Any
    erosion: Any
    transparency: Any
    shadow: Any
    treaty: Any
    interdependence: Any

    @classmethod
    def none(cls, n: int) -> Dyads:
        """No reach, defences, institutions, treaties or interdependence among ``n`` states."""
        nothing = np.zeros((n, n))
        return cls(nothing, nothing, nothing, nothing, nothing, nothing, nothing)


def make_setting(
    params: Params,
    weight: Any,
    dyads: Dyads,
    *,
    dtype: npt.DTypeLike = np.float32,
    programme: Any = None,
    years: float = 1.0,
) -> Setting:
    """The setting of a step from its parameters, each actor's ``weight`` and its ``dyads``
    (derived matrices included); every array C-contiguous in ``dtype``, the diagonal of every
    matrix 0. ``programme``: each actor's active missile systems (none by default);
    ``years``: the step's length in years."""
    reach, intercept, erosion, transparency, shadow, treaty, interdependence = dyads
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
    observation_sd = params.noise * (1.0 - exact(transparency)) * off

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
        observation_sd=f(observation_sd),
        weight=f(np.asarray(weight).reshape(n)),
        k=vector("k"),
        a=vector("a"),
        g=vector("g"),
        gap=f(gap),
        saturation=vector("saturation"),
        shock=vector("shock"),
        status_quo=vector("status_quo"),
        programme=f(np.zeros(n) if programme is None else np.asarray(programme).reshape(n)),
        theta=float(o),
        delta=float(d),
        mu=(1.0 - min(max(o, 0.01), 0.99)) / min(max(o, 0.01), 0.99),
        decisiveness=float(params.decisiveness),
        deterrence=float(params.deterrence),
        absolute=float(params.absolute_security),
        empathy=float(params.empathy),
        appraisal_level=float(params.appraisal_level),
        reassurance=float(params.reassurance),
        signal_threshold=float(params.signal_threshold),
        signal_bluff=float(params.signal_bluff),
        signal_tremble=float(params.signal_tremble),
        test_rate=float(params.test_rate) * years,
        test_pressure=float(params.test_pressure),
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

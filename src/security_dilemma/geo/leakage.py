r"""How many warheads leak through a missile defence: Wilkening's simple model (2000).

D. Wilkening, "A Simple Model for Calculating Ballistic Missile Defense Effectiveness",
*Science & Global Security* 8 (2000) 183-215. Notation:

* ``p`` single-shot kill probability (SSPK) of one interceptor against one warhead;
* ``n`` interceptors fired at each warhead (a salvo, no look in between);
* ``q`` probability that the defence detects, tracks and engages (sensors, battle management);
* ``W`` attacking warheads, ``I`` interceptors available.

Per warhead, a salvo of ``n`` kills with probability

.. math:: P_k = q\,[1 - (1 - p)^n]

and the expected number of leakers is :math:`W (1 - P_k)`. The probability that *no* warhead
leaks depends on how the tracking failures are correlated:

* independent failures, warhead by warhead: :math:`P_0 = \{q[1-(1-p)^n]\}^W`;
* a common-mode failure (the whole defence fails with probability ``1 - q``):
  :math:`P_0 = q\,[1-(1-p)^n]^W`, which can never exceed ``q`` however many interceptors
  there are.

**Inventory exhaustion.** When :math:`W n > I` the defence spreads its interceptors evenly: every
warhead gets :math:`\lfloor I/W \rfloor` shots and :math:`I \bmod W` of them one more. Because
:math:`1-(1-p)^k` is concave in ``k`` (and its logarithm too), this allocation maximises both the
expected kills and the probability of zero leakage; with :math:`I < W` some warheads are not
engaged at all and :math:`P_0 = 0`. Shots are allotted over all ``W`` warheads before tracking
outcomes are known: a tracking failure does not free its interceptors for other warheads.

**Shoot-look-shoot.** ``n1`` shots, a (perfect) kill assessment, then ``n2`` shots at each
warhead seen to survive. With enough interceptors the kill probability is that of
``n1 + n2`` shots, but only :math:`n_1 + n_2 (1-p)^{n_1}` interceptors are expected per warhead.
With a finite inventory the second look's interceptors are shared among the survivors, whose
number is random; the expectation is taken exactly over its distribution.

**Layered defences.** Independent layers (each with its own ``p``, ``n``, ``q``, ``I``), each
engaging every warhead without looking at the previous layer's result: a warhead leaks with
probability :math:`\prod_k (1 - q_k[1-(1-p_k)^{n_k}])`. With common-mode failures per layer the
probability of zero leakage sums over which layers work.

This is arms-control arithmetic on published parameters: nothing here models guidance,
discrimination or countermeasures.

>>> e = engage(sspk=0.5, shots=2, tracking=0.9, warheads=5, interceptors=10)
>>> round(e.kill_probability, 4), round(e.expected_leakers, 4)
(0.675, 1.625)
>>> round(e.p_zero_common, 4), round(e.p_zero_independent, 4)
(0.2136, 0.1401)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem

__all__ = [
    "Engagement",
    "Layer",
    "LayeredEngagement",
    "allocate",
    "engage",
    "layered",
    "leaker_pmf",
    "mean_kill_fraction",
    "salvo_kill_probability",
    "shoot_look_shoot",
    "shots_for_confidence",
]

Array = npt.NDArray[np.float64]


def _check(
    sspk: float, tracking: float, shots: int, warheads: int, interceptors: int | None
) -> None:
    problems = []
    if not 0 <= sspk <= 1:
        problems.append(Problem(f"must be in [0, 1] (got {sspk:g})", path="sspk"))
    if not 0 <= tracking <= 1:
        problems.append(Problem(f"must be in [0, 1] (got {tracking:g})", path="tracking"))
    if shots < 0:
        problems.append(Problem(f"must be 0 or more (got {shots})", path="shots"))
    if warheads < 0:
        problems.append(Problem(f"must be 0 or more (got {warheads})", path="warheads"))
    if interceptors is not None and interceptors < 0:
        problems.append(Problem(f"must be 0 or more (got {interceptors})", path="interceptors"))
    if problems:
        raise BadInput(problems)


def salvo_kill_probability(sspk: float, shots: float, tracking: float = 1.0) -> float:
    """Wilkening's :math:`P_k = q[1 - (1-p)^n]`: one warhead engaged by ``shots`` interceptors."""
    return float(tracking * (1.0 - (1.0 - sspk) ** shots))


def allocate(interceptors: int | None, warheads: int, shots: int) -> dict[int, int]:
    """Optimal even spread of interceptors: ``{shots per warhead: number of warheads}``.

    ``interceptors=None`` means an unlimited inventory (every warhead gets ``shots``).

    >>> allocate(10, 4, 3)
    {3: 2, 2: 2}
    >>> allocate(3, 5, 2)
    {1: 3, 0: 2}
    """
    if warheads == 0:
        return {}
    if interceptors is None or interceptors >= warheads * shots:
        return {shots: warheads}
    base, extra = divmod(interceptors, warheads)
    out = {base + 1: extra, base: warheads - extra}
    return {k: v for k, v in out.items() if v}


def mean_kill_fraction(
    sspk: float, shots: int, tracking: float, warheads: float, interceptors: float | None
) -> float:
    """Expected fraction of ``warheads`` killed under the even-spread allocation.

    Accepts fractional warhead and interceptor counts (used when warheads are split across
    launch areas and targets); for whole numbers it equals ``engage(...).expected_kills / W``.
    """
    if warheads <= 0:
        return 0.0
    per = shots if interceptors is None else min(float(shots), interceptors / warheads)
    base = math.floor(per)
    frac = per - base
    k0 = 1.0 - (1.0 - sspk) ** base
    k1 = 1.0 - (1.0 - sspk) ** (base + 1)
    return float(tracking * ((1 - frac) * k0 + frac * k1))


def _binom_pmf(n: int, p: float) -> Array:
    """Binomial(n, p) probabilities of 0..n, exact at p = 0 and 1 and for subnormal p.

    (scipy.stats.binom.pmf raises OverflowError for p near the smallest normal float.)
    """
    k = np.arange(n + 1, dtype=float)
    if p <= 0.0 or p >= 1.0:
        out = np.zeros(n + 1)
        out[n if p >= 1.0 else 0] = 1.0
        return out
    from scipy.special import gammaln

    log_choose = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
    return np.asarray(np.exp(log_choose + k * np.log(p) + (n - k) * np.log1p(-p)), dtype=float)


def leaker_pmf(
    sspk: float,
    shots: int,
    tracking: float,
    warheads: int,
    interceptors: int | None = None,
    *,
    common_mode: bool = True,
) -> Array:
    """Distribution of the number of leakers, ``pmf[k] = P(k warheads leak)``, k = 0..W."""
    _check(sspk, tracking, shots, warheads, interceptors)
    alloc = allocate(interceptors, warheads, shots)
    if common_mode:
        working = np.ones(1)
        for k, m in alloc.items():
            working = np.convolve(working, _binom_pmf(m, (1 - sspk) ** k))
        failed = np.zeros(warheads + 1)
        failed[warheads] = 1.0
        working = np.pad(working, (0, warheads + 1 - working.size))
        return tracking * working + (1 - tracking) * failed
    pmf = np.ones(1)
    for k, m in alloc.items():
        pmf = np.convolve(pmf, _binom_pmf(m, 1 - salvo_kill_probability(sspk, k, tracking)))
    return np.pad(pmf, (0, warheads + 1 - pmf.size))


@dataclass(frozen=True)
class Engagement:
    """Outcome of one defence against ``warheads`` warheads (see the module's equations)."""

    sspk: float
    shots: int
    tracking: float
    warheads: int
    interceptors: int | None
    allocation: dict[int, int]
    """Shots per warhead -> number of warheads given that many."""
    interceptors_used: float
    """Interceptors fired when the sensors work (expected value for shoot-look-shoot)."""
    exhausted: bool
    """True when the inventory could not give every warhead its full salvo."""
    kill_probability: float
    """Per-warhead kill probability of a full salvo, :math:`q[1-(1-p)^n]`."""
    expected_kills: float
    """Expected warheads killed (for shoot-look-shoot: with common-mode tracking failure)."""
    expected_leakers: float
    """``warheads - expected_kills``."""
    p_zero_independent: float
    """Probability that no warhead leaks, tracking failures independent per warhead."""
    p_zero_common: float
    """Probability that no warhead leaks, one common-mode tracking failure."""
    expected_kills_independent: float
    """Expected kills with independent tracking failures (differs from ``expected_kills`` only
    for shoot-look-shoot with a finite inventory, where the second look shares interceptors)."""
    second_shots: int = 0
    """Shots after the look (shoot-look-shoot); 0 for a plain salvo."""

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (stable keys as the attributes; allocation keys are shot counts)."""
        out = dict(vars(self))
        out["allocation"] = {str(k): v for k, v in sorted(self.allocation.items())}
        return out


def engage(
    *, sspk: float, shots: int, tracking: float, warheads: int, interceptors: int | None = None
) -> Engagement:
    """A salvo of ``shots`` interceptors per warhead, with the inventory spread optimally.

    >>> engage(sspk=1.0, shots=1, tracking=1.0, warheads=3, interceptors=2).expected_leakers
    1.0
    """
    _check(sspk, tracking, shots, warheads, interceptors)
    alloc = allocate(interceptors, warheads, shots)
    kills = {k: 1.0 - (1.0 - sspk) ** k for k in alloc}
    expected = tracking * sum(m * kills[k] for k, m in alloc.items())
    all_killed = math.prod(kills[k] ** m for k, m in alloc.items())
    p_indep = math.prod((tracking * kills[k]) ** m for k, m in alloc.items())
    p_common = tracking * all_killed + (1 - tracking) * (warheads == 0)
    used = sum(k * m for k, m in alloc.items())
    return Engagement(
        sspk=sspk,
        shots=shots,
        tracking=tracking,
        warheads=warheads,
        interceptors=interceptors,
        allocation=alloc,
        interceptors_used=float(used),
        exhausted=interceptors is not None and interceptors < warheads * shots,
        kill_probability=salvo_kill_probability(sspk, shots, tracking),
        expected_kills=float(expected),
        expected_leakers=float(warheads - expected),
        p_zero_independent=float(p_indep),
        p_zero_common=float(p_common),
        expected_kills_independent=float(expected),
    )


def _second_look(
    remaining: int | None, survivors: Array, second: int, sspk: float
) -> tuple[Array, Array, Array]:
    """For each possible number of survivors x: expected kills, P(all killed), shots fired."""
    kills = np.zeros(survivors.size)
    all_killed = np.ones(survivors.size)
    fired = np.zeros(survivors.size)
    for i, x in enumerate(survivors.astype(int)):
        alloc = allocate(remaining, int(x), second)
        kk = {k: 1.0 - (1.0 - sspk) ** k for k in alloc}
        kills[i] = sum(m * kk[k] for k, m in alloc.items())
        all_killed[i] = math.prod(kk[k] ** m for k, m in alloc.items())
        fired[i] = sum(k * m for k, m in alloc.items())
    return kills, all_killed, fired


def shoot_look_shoot(
    *,
    sspk: float,
    first: int,
    second: int,
    tracking: float,
    warheads: int,
    interceptors: int | None = None,
) -> Engagement:
    """``first`` shots per warhead, a perfect kill assessment, ``second`` shots per survivor.

    The first salvo is spread as in :func:`engage`; what is left of the inventory is spread
    evenly over the survivors that are tracked. Expectations are exact over the binomial
    distribution of survivors.

    >>> s = shoot_look_shoot(sspk=0.5, first=1, second=1, tracking=1.0, warheads=1)
    >>> s.kill_probability, s.interceptors_used
    (0.75, 1.5)
    """
    _check(sspk, tracking, first, warheads, interceptors)
    _check(sspk, tracking, second, warheads, interceptors)
    alloc1 = allocate(interceptors, warheads, first)
    used1 = sum(k * m for k, m in alloc1.items())
    remaining = None if interceptors is None else interceptors - used1
    x = np.arange(warheads + 1, dtype=float)
    kills2, all2, fired2 = _second_look(remaining, x, second, sspk)
    kills1_all = sum(m * (1.0 - (1.0 - sspk) ** k) for k, m in alloc1.items())

    def survivors_pmf(track: float) -> Array:
        pmf = np.ones(1)
        for k, m in alloc1.items():
            pmf = np.convolve(pmf, _binom_pmf(m, track * (1.0 - sspk) ** k))
        return np.pad(pmf, (0, warheads + 1 - pmf.size))

    given_working = survivors_pmf(1.0)
    # common mode: everything works (probability q) or nothing does
    exp_common = tracking * (kills1_all + float(given_working @ kills2))
    p0_common = tracking * float(given_working @ all2) + (1 - tracking) * (warheads == 0)
    # independent tracking: only tracked survivors get the second look
    exp_indep = tracking * kills1_all + float(survivors_pmf(tracking) @ kills2)
    p0_indep = tracking**warheads * float(given_working @ all2)
    return Engagement(
        sspk=sspk,
        shots=first,
        tracking=tracking,
        warheads=warheads,
        interceptors=interceptors,
        allocation=alloc1,
        interceptors_used=float(used1 + given_working @ fired2),
        exhausted=interceptors is not None and interceptors < warheads * (first + second),
        kill_probability=salvo_kill_probability(sspk, first + second, tracking),
        expected_kills=float(exp_common),
        expected_leakers=float(warheads - exp_common),
        p_zero_independent=float(p0_indep),
        p_zero_common=float(p0_common),
        expected_kills_independent=float(exp_indep),
        second_shots=second,
    )


@dataclass(frozen=True)
class Layer:
    """One layer of a layered defence."""

    sspk: float
    shots: int
    tracking: float = 1.0
    interceptors: int | None = None
    name: str = ""


@dataclass(frozen=True)
class LayeredEngagement:
    """Outcome of independent layers engaging the same warheads."""

    warheads: int
    layers: tuple[Layer, ...]
    kill_probabilities: tuple[float, ...] = field(default=())
    """Per layer: kill probability of its full salvo against one warhead."""
    survival_probability: float = 1.0
    """Probability that a fully engaged warhead survives every layer."""
    expected_kills: float = 0.0
    expected_leakers: float = 0.0
    p_zero_independent: float = 0.0
    p_zero_common: float = 0.0


def _layer_shots(layers: Sequence[Layer], warheads: int) -> npt.NDArray[np.int64]:
    """Shots each layer fires at each warhead: even spread, extras rotated across layers."""
    out = np.zeros((len(layers), warheads), dtype=np.int64)
    if warheads == 0:
        return out
    offset = 0
    for i, layer in enumerate(layers):
        alloc = allocate(layer.interceptors, warheads, layer.shots)
        row = np.full(warheads, min(alloc) if alloc else 0, dtype=np.int64)
        extra = alloc.get(min(alloc) + 1, 0) if len(alloc) > 1 else 0
        idx = (offset + np.arange(extra)) % max(warheads, 1)
        row[idx] += 1
        offset += extra
        out[i] = row
    return out


def layered(layers: Sequence[Layer], warheads: int) -> LayeredEngagement:
    """Independent layers, each engaging every warhead (no look between layers).

    >>> two = [Layer(sspk=0.5, shots=1), Layer(sspk=0.5, shots=1)]
    >>> layered(two, 1).survival_probability
    0.25
    """
    if not layers:
        raise BadInput(Problem("give at least one layer", path="layers"))
    for layer in layers:
        _check(layer.sspk, layer.tracking, layer.shots, warheads, layer.interceptors)
    shots = _layer_shots(layers, warheads)
    p = np.array([layer.sspk for layer in layers])[:, None]
    q = np.array([layer.tracking for layer in layers])[:, None]
    miss = (1.0 - p) ** shots  # per layer and warhead: all its shots miss
    survive = np.prod(1.0 - q * (1.0 - miss), axis=0)  # per warhead
    expected = float(warheads - survive.sum())
    p_indep = float(np.prod(1.0 - survive))
    # common mode per layer: sum over which layers work
    n = len(layers)
    p_common = 0.0
    for mask in range(1 << n):
        works = np.array([(mask >> i) & 1 for i in range(n)], dtype=bool)
        weight = float(np.prod(np.where(works, q[:, 0], 1.0 - q[:, 0])))
        if weight == 0.0:
            continue
        leak = np.prod(np.where(works[:, None], miss, 1.0), axis=0)
        p_common += weight * float(np.prod(1.0 - leak))
    kills = tuple(salvo_kill_probability(ly.sspk, ly.shots, ly.tracking) for ly in layers)
    return LayeredEngagement(
        warheads=warheads,
        layers=tuple(layers),
        kill_probabilities=kills,
        survival_probability=float(math.prod(1 - k for k in kills)),
        expected_kills=expected,
        expected_leakers=float(survive.sum()),
        p_zero_independent=p_indep,
        p_zero_common=p_common,
    )


def shots_for_confidence(
    *, sspk: float, tracking: float, warheads: int, confidence: float, common_mode: bool = True
) -> int | None:
    """Fewest shots per warhead giving zero leakage with at least ``confidence`` (unlimited
    inventory), or None when no number of shots can: with a common-mode failure the
    probability of zero leakage never exceeds ``q``; with independent failures never ``q^W``.

    >>> shots_for_confidence(sspk=0.8, tracking=0.95, warheads=10, confidence=0.9)
    4
    >>> shots_for_confidence(sspk=0.8, tracking=0.85, warheads=10, confidence=0.9) is None
    True
    """
    _check(sspk, tracking, 0, warheads, None)
    if not 0 < confidence < 1:
        raise BadInput(Problem(f"must be in (0, 1) (got {confidence:g})", path="confidence"))
    if warheads == 0:
        return 0
    ceiling = tracking if common_mode else tracking**warheads
    if ceiling < confidence or sspk == 0:
        return None
    if sspk == 1:
        return 1
    # need (1 - (1-p)^n)^W >= confidence / ceiling
    target = (confidence / ceiling) ** (1.0 / warheads)
    if target >= 1.0:
        return None
    n = math.log(1.0 - target) / math.log(1.0 - sspk)
    shots = max(1, math.ceil(n - 1e-12))
    return shots

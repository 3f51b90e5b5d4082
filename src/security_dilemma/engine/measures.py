"""What a run reports per step: the metrics, their definitions, and how they are extracted.

Each metric is per actor (``actor``), per ordered dyad (``actor`` -> ``counterpart``) or for the
whole system (actor ``*``). Restraint metrics (``Metric.restraint``) compare the run with
copies in which one actor is restrained (never raises its effort), with the same random
numbers (docs/model.md, section 5, gives the definitions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from .step import Period

__all__ = [
    "ARMED_THRESHOLD",
    "ARMING_THRESHOLD",
    "JERVIS_WORLDS",
    "METRICS",
    "SYSTEM",
    "Layout",
    "Metric",
    "culture",
    "jervis_world",
    "metric",
    "record",
]

Scope = Literal["actor", "dyad", "system"]
Values = npt.NDArray[np.floating[Any]]

SYSTEM = "*"
"""The actor label of system-wide metrics."""

ARMED_THRESHOLD = 0.1
"""An actor is *armed* when its effort is more than this share above its start. With the
default shocks (2% of effort a step) and fatigue (0.2), a security seeker's effort wanders with
a stationary standard deviation of 0.033 around its start: 0.1 is three of them, so noise alone
rarely crosses it (tests/engine/test_measures.py)."""

ARMING_THRESHOLD = 0.05
"""An actor is *arming* in a period when its effort rises by more than this share in the
period: two and a half standard deviations of one step's default shock."""

JERVIS_WORLDS: dict[tuple[bool, bool], tuple[int, str]] = {
    (True, False): (1, "doubly dangerous"),
    (False, False): (2, "security dilemma, but security requirements may be compatible"),
    (True, True): (3, "no security dilemma, but aggression possible"),
    (False, True): (4, "doubly safe"),
}
"""(offence dominant, distinguishable) -> (Jervis's world number, his description)."""


def jervis_world(offence_dominance: float, distinguishability: float) -> tuple[int, str]:
    """Jervis's world: offence dominant above 0.5, distinguishable above 0.5.

    >>> jervis_world(0.8, 0.2)
    (1, 'doubly dangerous')
    """
    return JERVIS_WORLDS[(offence_dominance > 0.5, distinguishability > 0.5)]


def culture(mean_identity: float) -> str:
    """Wendt's culture of anarchy from the mean identity: Hobbesian, Lockean or Kantian."""
    if mean_identity < -1 / 3:
        return "Hobbesian"
    if mean_identity > 1 / 3:
        return "Kantian"
    return "Lockean"


@dataclass(frozen=True)
class Context:
    """What metric extractors read: the actual run's period (``(n, B)``, ``(n, n, B)``
    arrays: the first copy's columns), every copy's security ``(n, copies, B)`` (a view of the
    period's ``(n, K)``) and the security at the start."""

    period: Period
    security_copies: Values | None
    security_start: Values
    motive: Values
    offence_dominance: float
    distinguishability: float


Extract = Callable[[Context], Values]


@dataclass(frozen=True)
class Metric:
    """A reported quantity: scope, bounds (None: unbounded) and definition; ``restraint``
    marks the measures that need the restraint copies, ``input`` those that report an input
    of the run (the same under every lens), not an outcome."""

    name: str
    scope: Scope
    description: str
    low: float | None
    high: float | None
    extract: Extract
    restraint: bool = False
    input: bool = False
    """Needs the restraint copies of the run (``simulate(..., restraint=True)``)."""


def _entropy(b: Values) -> Values:
    p = np.clip(b.astype(np.float64), 1e-12, 1.0 - 1e-12)
    out: Values = -(p * np.log2(p) + (1.0 - p) * np.log2(1.0 - p))
    return out


def _offdiag_mean(a: Values) -> Values:
    """Mean over the others (axis 1) of a dyadic (n, n, B) array."""
    n = a.shape[0]
    idx = np.arange(n)
    out: Values = (a.sum(axis=1) - a[idx, idx]) / max(n - 1, 1)
    return out


def _misperceived(c: Context) -> Values:
    out: Values = (np.abs(c.period.belief - c.motive[None, :]) > 0.5).astype(np.float32)
    return out


def _harm(c: Context) -> Values:
    """harm[i, j] = S_j with i restrained - S_j in the actual run."""
    s = c.security_copies
    assert s is not None
    n = s.shape[0]
    out: Values = np.swapaxes(s[:, 1 : n + 1], 0, 1) - s[None, :, 0]
    return out


def _restraint_gain(c: Context) -> Values:
    s = c.security_copies
    assert s is not None
    out: Values = _diag_copies(s) - s[:, 0]
    return out


def _diag_copies(s: Values) -> Values:
    """Each actor's security in the copy where it is restrained: (n, B) from (n, copies, B)."""
    n = s.shape[0]
    idx = np.arange(n)
    out: Values = s[idx, idx + 1]
    return out


def _no_adequate(c: Context) -> Values:
    s = c.security_copies
    assert s is not None
    start = c.security_start
    eps = 1e-4
    armed = c.period.effort > 1.0 + ARMED_THRESHOLD
    acting = s[:, 0] < start - eps
    restraining = _diag_copies(s) < start - eps
    out: Values = (armed & acting & restraining).astype(np.float32)
    return out


def _self_defeat_all(c: Context) -> Values:
    p = c.period
    armed = p.effort > 1.0 + ARMED_THRESHOLD
    worse = p.security < c.security_start - 1e-4
    count = armed.sum(axis=0)
    all_worse = (armed <= worse).all(axis=0)
    out: Values = ((count >= 2) & all_worse).astype(np.float32)
    return out


def _jervis(c: Context) -> Values:
    world, _ = jervis_world(c.offence_dominance, c.distinguishability)
    out: Values = np.full(c.period.effort.shape[1:], float(world), dtype=np.float32)
    return out


def _const(value: Callable[[Context], float]) -> Extract:
    def extract(c: Context) -> Values:
        out: Values = np.full(c.period.effort.shape[1:], value(c), dtype=np.float32)
        return out

    return extract


def _main_threat(c: Context) -> Values:
    m = c.period.main_threat
    n = m.shape[0]
    out: Values = (m[:, None, :] == np.arange(n)[None, :, None]).astype(np.float32)
    return out


METRICS: tuple[Metric, ...] = (
    # --- per actor
    Metric("effort", "actor", "Military effort at the start of the period (index, 1 = start).",
           0.0, None, lambda c: c.period.effort),
    Metric("effort_change", "actor", "Change of effort the actor decided during the period.",
           None, None, lambda c: c.period.effort_next - c.period.effort),
    Metric("arming", "actor", "1 if the actor raised its effort by more than 5% in the period.",
           0.0, 1.0,
           lambda c: (c.period.effort_next > c.period.effort * (1.0 + ARMING_THRESHOLD))
           .astype(np.float32)),
    Metric("armed", "actor", "1 if the actor's effort is more than 10% above its start.",
           0.0, 1.0, lambda c: (c.period.effort > 1.0 + ARMED_THRESHOLD).astype(np.float32)),
    Metric("defence_share", "actor", "Share of effort spent on defensive forces.", 0.0, 1.0,
           lambda c: c.period.share),
    Metric("offence", "actor", "Offensive stock, capability units (1 = mean actor's start).",
           0.0, None, lambda c: c.period.offence),
    Metric("offence_change", "actor", "Change of the offensive stock during the period.",
           None, None, lambda c: c.period.offence_next - c.period.offence),
    Metric("defence", "actor", "Defensive stock, capability units.", 0.0, None,
           lambda c: c.period.defence),
    Metric("security", "actor",
           "Perceived security S = 1 / (1 + sum_j threat_ij / at_stake_i), in (0, 1].",
           0.0, 1.0, lambda c: c.period.security),
    Metric("less_secure", "actor", "1 if the actor's security is below its start.", 0.0, 1.0,
           lambda c: (c.period.security < c.security_start - 1e-4).astype(np.float32)),
    Metric("threat", "actor", "Total perceived threat, sum over others: the damage their "
           "attacks could do, weighted by hostility (capability units).",
           0.0, None, lambda c: c.period.threat.sum(axis=1)),
    Metric("pressure", "actor",
           "Severity of the threats not offset by cooperation (threat over what is at stake).",
           0.0, None, lambda c: c.period.pressure),
    Metric("crisis_risk", "actor", "Probability of at least one crisis in the period.",
           0.0, 1.0, lambda c: c.period.crisis_risk),
    Metric("abandonment", "actor",
           "Snyder's abandonment risk: share of relied-on allied capability not committed back.",
           0.0, 1.0, lambda c: c.period.abandonment),
    Metric("entrapment", "actor",
           "Snyder's entrapment risk: commitment-weighted crisis risk of allies against "
           "threats the actor does not share.", 0.0, 1.0, lambda c: c.period.entrapment),
    Metric("test_hazard", "actor", "Chance of at least one ballistic-missile flight test in "
           "the period (the missile programme).", 0.0, 1.0, lambda c: c.period.test_hazard),
    Metric("belief_entropy", "actor",
           "Uncertainty of intentions: mean entropy (bits) of the actor's beliefs about others.",
           0.0, 1.0, lambda c: _offdiag_mean(_entropy(c.period.belief))),
    Metric("misperception", "actor",
           "Share of others whose type the actor gets wrong (belief on the wrong side of 0.5).",
           0.0, 1.0, lambda c: _offdiag_mean(_misperceived(c))),
    Metric("motive", "actor", "True type: 1 greedy, 0 security seeker.", 0.0, 1.0,
           lambda c: c.motive),
    Metric("harm_done", "actor",
           "Harm to others: mean over others of their security with the actor restrained "
           "minus their security in the run.", -1.0, 1.0,
           lambda c: _offdiag_mean(_harm(c)), restraint=True),
    Metric("restraint_gain", "actor",
           "The actor's security had it never raised its effort, minus its security in the run.",
           -1.0, 1.0, _restraint_gain, restraint=True),
    Metric("self_defeat", "actor",
           "1 if the actor would be more secure had it never raised its effort.", 0.0, 1.0,
           lambda c: (_restraint_gain(c) > 1e-4).astype(np.float32), restraint=True),
    Metric("no_adequate_policy", "actor",
           "1 if the actor has armed, is less secure than at the start, and would also be less "
           "secure than at the start had it never raised its effort.",
           0.0, 1.0, _no_adequate, restraint=True),
    # --- per dyad
    Metric("threat", "dyad", "Threat from counterpart as perceived by actor.", 0.0, None,
           lambda c: c.period.threat),
    Metric("hostility", "dyad", "Hostility actor reads into counterpart (its lens).", 0.0, 1.0,
           lambda c: c.period.hostility),
    Metric("belief", "dyad", "Actor's probability that counterpart is greedy.", 0.0, 1.0,
           lambda c: c.period.belief),
    Metric("identity", "dyad", "Actor's view of counterpart: -1 enemy, 0 rival, 1 friend.",
           -1.0, 1.0, lambda c: c.period.identity),
    Metric("commitment", "dyad", "Alliance commitment actor gives counterpart.", 0.0, 1.0,
           lambda c: c.period.commitment),
    Metric("cooperation", "dyad", "Actor's cooperation (restraint) toward counterpart.",
           0.0, 1.0, lambda c: c.period.cooperation),
    Metric("main_threat", "dyad", "1 if counterpart is actor's largest threat.", 0.0, 1.0,
           _main_threat),
    Metric("crisis_prob", "dyad", "Probability of a militarised crisis in the period.",
           0.0, 1.0, lambda c: c.period.crisis_prob),
    Metric("war_prob", "dyad", "Probability of war in the period.", 0.0, 1.0,
           lambda c: c.period.war_prob),
    Metric("crisis", "dyad", "1 if a crisis occurred in the period.", 0.0, 1.0,
           lambda c: c.period.crisis.astype(np.float32)),
    Metric("war", "dyad", "1 if a war occurred in the period.", 0.0, 1.0,
           lambda c: c.period.war.astype(np.float32)),
    Metric("misperceived", "dyad", "1 if actor's belief about counterpart is on the wrong "
           "side of 0.5.", 0.0, 1.0, _misperceived),
    Metric("harm", "dyad", "Counterpart's security with actor restrained minus in the run "
           "(> 0: actor's moves lowered it).", -1.0, 1.0, _harm, restraint=True),
    # --- system
    Metric("mean_identity", "system", "Mean identity over all ordered pairs (culture of "
           "anarchy: below -1/3 Hobbesian, above 1/3 Kantian).", -1.0, 1.0,
           lambda c: _offdiag_mean(c.period.identity).mean(axis=0)),
    Metric("total_effort", "system", "Sum of all actors' effort in capability units.",
           0.0, None, lambda c: (c.period.offence + c.period.defence).sum(axis=0)),
    Metric("self_defeat_all", "system", "1 if at least two actors armed above their start "
           "and every one of them is less secure than at the start.", 0.0, 1.0,
           _self_defeat_all),
    Metric("offence_dominance", "system", "Input: the offence-defence balance in force.",
           0.0, 1.0, _const(lambda c: c.offence_dominance), input=True),
    Metric("distinguishability", "system", "Input: the distinguishability in force.", 0.0, 1.0,
           _const(lambda c: c.distinguishability), input=True),
    Metric("jervis_world", "system", "Input: Jervis's world of the balance and "
           "distinguishability in force: 1 doubly dangerous, 2 dilemma but compatible, 3 no "
           "dilemma but aggression possible, 4 doubly safe.", 1.0, 4.0, _jervis, input=True),
)  # fmt: skip


def metric(name: str, scope: Scope) -> Metric:
    """The metric with this name and scope."""
    for m in METRICS:
        if m.name == name and m.scope == scope:
            return m
    raise KeyError((name, scope))


@dataclass(frozen=True)
class Layout:
    """Where each (metric, actor, counterpart) lives in a step's vector of values."""

    actors: tuple[str, ...]
    metrics: tuple[Metric, ...]
    metric_index: npt.NDArray[np.intp]
    actor_index: npt.NDArray[np.intp]
    counterpart_index: npt.NDArray[np.intp]
    offsets: tuple[int, ...]

    @property
    def cells(self) -> int:
        """Values per replicate and step."""
        return len(self.metric_index)

    @classmethod
    def build(
        cls,
        actors: Sequence[str],
        *,
        restraint: bool,
        metrics: Sequence[str] | None = None,
    ) -> Layout:
        """The layout for these actors, with or without the restraint metrics, and only
        the metrics named in ``metrics`` (all scopes of a name) when given."""
        n = len(actors)
        chosen = tuple(
            m
            for m in METRICS
            if (restraint or not m.restraint) and (metrics is None or m.name in metrics)
        )
        mi: list[npt.NDArray[np.intp]] = []
        ai: list[npt.NDArray[np.intp]] = []
        ci: list[npt.NDArray[np.intp]] = []
        offsets = [0]
        ii, jj = np.nonzero(~np.eye(n, dtype=bool))
        for k, m in enumerate(chosen):
            if m.scope == "actor":
                a, c = np.arange(n), np.full(n, -1)
            elif m.scope == "dyad":
                a, c = ii, jj
            else:
                a, c = np.array([-1]), np.array([-1])
            mi.append(np.full(len(a), k, dtype=np.intp))
            ai.append(a.astype(np.intp))
            ci.append(c.astype(np.intp))
            offsets.append(offsets[-1] + len(a))
        return cls(
            tuple(actors),
            chosen,
            np.concatenate(mi),
            np.concatenate(ai),
            np.concatenate(ci),
            tuple(offsets),
        )

    def find(self, name: str, actor: int, counterpart: int = -1) -> int:
        """Cell index of a metric (by name; dyadic when ``counterpart`` >= 0)."""
        scope: Scope = "dyad" if counterpart >= 0 else ("system" if actor < 0 else "actor")
        for k, m in enumerate(self.metrics):
            if m.name == name and m.scope == scope:
                n = len(self.actors)
                if scope == "actor":
                    return self.offsets[k] + actor
                if scope == "system":
                    return self.offsets[k]
                return self.offsets[k] + actor * (n - 1) + counterpart - (counterpart > actor)
        raise KeyError((name, scope))


@lru_cache(maxsize=32)
def _offdiagonal(n: int) -> npt.NDArray[np.intp]:
    """Flat indices of the off-diagonal entries of an n x n matrix, row-major."""
    return np.flatnonzero(~np.eye(n, dtype=bool)).astype(np.intp)


def record(layout: Layout, context: Context) -> Values:
    """One step's values for a batch of replicates: shape (cells, replicates), float32.

    The context holds the actual run's period (arrays ``(n, B)`` and ``(n, n, B)``).
    """
    n = len(layout.actors)
    b = context.period.effort.shape[-1]
    out = np.empty((layout.cells, b), dtype=np.float32)
    off = _offdiagonal(n)
    for k, m in enumerate(layout.metrics):
        value = np.asarray(m.extract(context))
        lo, hi = layout.offsets[k], layout.offsets[k + 1]
        if m.scope == "dyad":
            # gather in the value's own dtype, then cast on assignment: ``np.take(...,
            # out=...)`` with another dtype would first cast the (uninitialised) output
            # buffer, whose garbage may raise spurious floating-point warnings
            out[lo:hi] = np.take(value.reshape(n * n, b), off, axis=0)
        elif m.scope == "actor":
            out[lo:hi] = value
        else:
            out[lo] = value
    return out

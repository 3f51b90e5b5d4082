"""Dated events: their effects on the state, compiled per step and applied at its start.

An event acts in the step whose period contains its date. Effects on the world around the
states (site and missile statuses, memberships, treaties, parameters) are handled by the
schedule (:mod:`security_dilemma.engine.world`); the effects here change the state itself:

* ``identity``: ``identity[from, to] += delta`` (a discourse shock), clipped to [-1, 1];
* ``belief``: ``belief[from, to] += delta``, clipped to [0, 1];
* ``signal`` (Kydd): a move the sender's type chooses. A conciliatory signal (restraint,
  cooperation offer, reassurance) is sent by a security seeker (but for a tremble,
  ``signal_tremble``); a greedy type sends one costing more than ``signal_threshold`` (the most
  it would pay) only with probability ``signal_bluff``, a cheaper one like a seeker (cheap
  talk). A costly ``threat`` is the other way round. Each replicate draws its sender's choice;
  a ``forced`` signal (the case records it was sent) is sent in every replicate. Recipients
  update by Bayes' rule on what they saw, sent or not (:func:`signal_update`). A sent
  ``restraint`` also cuts the sender's effort by the share ``cost``;
* ``capability``: adds to or multiplies effort (``milex``, in COW units), a stock (``offence``,
  ``defence``, in milex units) or the defence share; what it changes in the actor's offensive
  effort, as others read it, is the actor's *move* of the period (``State.moved``), which
  others judge like any other (docs/model.md 4.5);
* ``alliance``: ``form`` raises members' mutual commitment to the alliance's level, ``end``
  halves it, ``strengthen``/``weaken`` add or subtract ``amount``;
* ``crisis``: a crisis (or war) between two states that happened: recorded as one and acting
  like a simulated crisis on identities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ..scenario.schema import (
    AllianceChange,
    BeliefShift,
    CapabilityChange,
    Case,
    CostlySignal,
    CrisisOccurs,
    IdentityShift,
)
from .draws import Draws
from .setting import Setting
from .state import Array, State, log_odds_of

__all__ = [
    "Occurred",
    "Signal",
    "StepEvents",
    "apply_events",
    "compile_step_events",
    "send_probability",
    "signal_update",
]

Index = npt.NDArray[np.intp]
Matrix = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]


class Signal(NamedTuple):
    """A costly-signal opportunity of a step: sender, recipients, cost, kind and whether the
    case forces it (sent in every replicate)."""

    sender: int
    to: Index
    cost: float
    kind: str
    forced: bool


class Occurred(NamedTuple):
    """Crises and wars the case records in a step, ``(n, n)`` and symmetric: the step counts
    them as happened whatever its draws say."""

    crisis: Flags
    war: Flags

    @classmethod
    def none(cls, n: int) -> Occurred:
        """No recorded crisis."""
        nothing = np.zeros((n, n), dtype=np.bool_)
        return cls(nothing, nothing)


@dataclass(frozen=True)
class StepEvents:
    """The state effects of one step's events, in compiled form. Capability changes are in
    the model's units: effort as an index of the actor's start, stocks in capability units."""

    occurred: Occurred
    identity: Matrix | None = None
    belief: Matrix | None = None
    signals: tuple[Signal, ...] = ()
    capability: tuple[tuple[int, str, float | None, float | None], ...] = ()
    alliances: tuple[tuple[Index, str, float], ...] = ()
    titles: tuple[str, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        """True when the step has no effect on the state (recorded crises act in the update)."""
        return (
            self.identity is None
            and self.belief is None
            and not self.signals
            and not self.capability
            and not self.alliances
        )


def _index(ids: Sequence[str], names: Sequence[str]) -> Index:
    if "*" in names:
        return np.arange(len(ids), dtype=np.intp)
    return np.array([ids.index(a) for a in names if a in ids], dtype=np.intp)


def compile_step_events(
    case: Case,
    effects: Sequence[Any],
    titles: Sequence[str] = (),
    *,
    milex0: npt.NDArray[np.float64],
    scale: float,
) -> StepEvents:
    """Compile the state effects among ``effects`` (one step's, in date order); ``milex0`` is
    each actor's initial milex and ``scale`` the mean actor's (capability units)."""
    ids = case.actor_ids()
    return StepEvents(
        occurred=_recorded_crises(ids, effects),
        identity=_summed_shifts(ids, [e for e in effects if isinstance(e, IdentityShift)]),
        belief=_summed_shifts(ids, [e for e in effects if isinstance(e, BeliefShift)]),
        signals=_signals(ids, effects),
        capability=_capability_changes(ids, effects, milex0, scale),
        alliances=_alliance_changes(case, ids, effects),
        titles=tuple(titles),
    )


def _summed_shifts(
    ids: Sequence[str], shifts: Sequence[IdentityShift | BeliefShift]
) -> Matrix | None:
    """The ``(n, n)`` sum of the shifts' deltas over their pairs (none on the diagonal), or
    None when there are no shifts."""
    if not shifts:
        return None
    n = len(ids)
    total = np.zeros((n, n))
    off = ~np.eye(n, dtype=bool)
    for e in shifts:
        mask = np.zeros((n, n), dtype=bool)
        mask[np.ix_(_index(ids, e.from_), _index(ids, e.to))] = True
        total[mask & off] += e.delta
    return total


def _signals(ids: Sequence[str], effects: Sequence[Any]) -> tuple[Signal, ...]:
    """The costly-signal opportunities among ``effects`` whose sender is an actor; a sender
    is never among its own recipients."""
    out: list[Signal] = []
    for e in effects:
        if isinstance(e, CostlySignal) and e.actor in ids:
            i = ids.index(e.actor)
            to = _index(ids, e.to)
            out.append(Signal(i, to[to != i], e.cost, e.kind, e.forced))
    return tuple(out)


def _capability_changes(
    ids: Sequence[str], effects: Sequence[Any], milex0: npt.NDArray[np.float64], scale: float
) -> tuple[tuple[int, str, float | None, float | None], ...]:
    """The capability changes among ``effects`` as ``(actor, field, delta, factor)``, a delta
    in the model's units: effort as an index of the actor's start (``milex0``), stocks in
    capability units (``scale``, the mean actor's milex)."""
    out: list[tuple[int, str, float | None, float | None]] = []
    for e in effects:
        if isinstance(e, CapabilityChange) and e.actor in ids:
            i = ids.index(e.actor)
            unit = {"milex": float(milex0[i]), "offence": scale, "defence": scale}
            delta = None if e.delta is None else e.delta / unit.get(e.field, 1.0)
            out.append((i, e.field, delta, e.factor))
    return tuple(out)


def _alliance_changes(
    case: Case, ids: Sequence[str], effects: Sequence[Any]
) -> tuple[tuple[Index, str, float], ...]:
    """The changes among ``effects`` to alliances of the case as ``(members, change,
    level)``: a formed alliance's commitment, or the amount of any other change."""
    out: list[tuple[Index, str, float]] = []
    for e in effects:
        if not isinstance(e, AllianceChange):
            continue
        alliance = next((a for a in case.alliances if a.id == e.alliance), None)
        if alliance is not None:
            level = alliance.commitment.value if e.change == "form" else e.amount
            out.append((_index(ids, alliance.members), e.change, level))
    return tuple(out)


def _recorded_crises(ids: Sequence[str], effects: Sequence[Any]) -> Occurred:
    """The crises and wars ``effects`` record between two distinct actors."""
    n = len(ids)
    crisis = np.zeros((n, n), dtype=bool)
    war = np.zeros((n, n), dtype=bool)
    for e in effects:
        if not isinstance(e, CrisisOccurs):
            continue
        one, two = e.between
        if one in ids and two in ids and one != two:
            i, j = ids.index(one), ids.index(two)
            crisis[i, j] = crisis[j, i] = True
            if e.level == "war":
                war[i, j] = war[j, i] = True
    return Occurred(crisis, war) if crisis.any() else Occurred.none(n)


def send_probability(
    kind: str, cost: float, greedy: bool, threshold: float, bluff: float, tremble: float
) -> float:
    """The probability that a sender of this type sends a signal (Kydd): a conciliatory one is
    what a security seeker sends (but for a tremble) and what a greedy type sends only when
    it is cheap, costly ones with probability ``bluff``; a threat the other way round.

    >>> send_probability("reassurance", 0.2, True, threshold=0.1, bluff=0.1, tremble=0.0)
    0.1
    >>> send_probability("reassurance", 0.05, True, threshold=0.1, bluff=0.1, tremble=0.0)
    1.0
    """
    natural = greedy == (kind == "threat")  # the type for which the signal is in character
    if natural or cost <= threshold:
        return 1.0 - tremble
    return bluff


def signal_update(
    belief: Any,
    cost: float,
    kind: str,
    threshold: float,
    bluff: float,
    tremble: float = 0.0,
    *,
    sent: Any = True,
) -> Any:
    """Bayes' rule for the belief that the sender is greedy after it sent (or did not send) a
    signal of ``cost`` (:func:`send_probability`).

    >>> signal_update(0.5, cost=0.2, kind="restraint", threshold=0.1, bluff=0.1)
    0.0909...
    >>> signal_update(0.5, cost=0.05, kind="restraint", threshold=0.1, bluff=0.1)
    0.5
    """
    greedy = send_probability(kind, cost, True, threshold, bluff, tremble)
    seeker = send_probability(kind, cost, False, threshold, bluff, tremble)
    like_greedy = np.where(sent, greedy, 1.0 - greedy)
    like_seeker = np.where(sent, seeker, 1.0 - seeker)
    evidence = np.maximum(belief * like_greedy + (1.0 - belief) * like_seeker, 1e-300)
    out = belief * like_greedy / evidence
    return float(out) if np.ndim(out) == 0 else out


def _offensive(state: State, setting: Setting) -> Any:
    """Each actor's offensive effort as others read it, with its stocks in effort units:
    ``e (1 - delta s) + (O + (1 - delta) D) / w``."""
    leak = 1.0 - setting.delta
    stocks = (state.offence + leak * state.defence) / setting.weight[:, None]
    return state.effort * (1.0 - setting.delta * state.share) + stocks


def apply_events(events: StepEvents, setting: Setting, state: State, draws: Draws) -> State:
    """The state after the step's event effects (pure: the input is not modified): signals sent
    by each replicate's choice (``draws.choice``), the beliefs they move, and the actors'
    moves (``moved``: what capability events changed in their offensive effort)."""
    if events.empty:
        return state
    changes: dict[str, Any] = {}
    dt = state.effort.dtype
    if events.identity is not None:
        shift = events.identity.astype(dt)[:, :, None]
        changes["identity"] = np.clip(state.identity + shift, -1.0, 1.0)
    belief = state.belief
    if events.belief is not None:
        belief = np.clip(belief + events.belief.astype(dt)[:, :, None], 0.0, 1.0)
    effort = state.effort
    if events.signals:
        belief, effort = _send_signals(events.signals, setting, state, draws, belief)
        changes["effort"] = effort
    if belief is not state.belief:
        changes["belief"] = belief
        changes["log_odds"] = log_odds_of(belief)
    if events.capability:
        changes.update(
            _change_capabilities(events.capability, setting, state.replace(effort=effort))
        )
    if events.alliances:
        changes["commitment"] = _change_alliances(events.alliances, state.commitment)
    return state.replace(**changes) if changes else state


def _send_signals(
    signals: Sequence[Signal], setting: Setting, state: State, draws: Draws, belief: Array
) -> tuple[Array, Array]:
    """Beliefs (from ``belief``) and effort after the step's signals: each replicate's sender
    sends by its type and choice draw (a forced signal always), recipients update by Bayes'
    rule on what they saw, and a sent ``restraint`` cuts the sender's effort by its cost."""
    belief = belief.copy()
    effort = state.effort.copy()
    columns = state.batch
    choice = np.tile(draws.choice, (1, columns // draws.choice.shape[1]))
    odds = (setting.signal_threshold, setting.signal_bluff, setting.signal_tremble)
    for sig in signals:
        greedy = state.motive[sig.sender] > 0.5
        p = np.where(
            greedy,
            send_probability(sig.kind, sig.cost, True, *odds),
            send_probability(sig.kind, sig.cost, False, *odds),
        )
        sent = np.full(columns, True) if sig.forced else choice[sig.sender] < p
        updated = signal_update(belief[sig.to, sig.sender], sig.cost, sig.kind, *odds, sent=sent)
        belief[sig.to, sig.sender] = updated
        if sig.kind == "restraint":
            effort[sig.sender] *= np.where(sent, max(0.0, 1.0 - sig.cost), 1.0)
    return belief, effort


def _change_capabilities(
    capability: Sequence[tuple[int, str, float | None, float | None]],
    setting: Setting,
    state: State,
) -> dict[str, Any]:
    """Effort, stocks and defence share after the capability changes (a factor multiplies, a
    delta adds; none below 0, the share within [0, 1]), and the actors' ``moved``: what the
    changes did to their offensive effort as others read it."""
    before = _offensive(state, setting)
    effort, share = state.effort.copy(), state.share.copy()
    offence, defence = state.offence.copy(), state.defence.copy()
    targets = {"milex": effort, "offence": offence, "defence": defence, "defence_share": share}
    for i, name, delta, factor in capability:
        target = targets[name]
        if factor is not None:
            target[i] *= factor
        elif delta is not None:
            target[i] += delta
    np.maximum(effort, 0.0, out=effort)
    np.maximum(offence, 0.0, out=offence)
    np.maximum(defence, 0.0, out=defence)
    np.clip(share, 0.0, 1.0, out=share)
    changed = {"effort": effort, "share": share, "offence": offence, "defence": defence}
    after = _offensive(state.replace(**changed), setting)
    return {**changed, "moved": (state.moved + (after - before)).astype(state.effort.dtype)}


def _change_alliances(alliances: Sequence[tuple[Index, str, float]], commitment: Array) -> Array:
    """Mutual commitments after the alliance changes: ``form`` raises the members' to the
    alliance's level, ``end`` halves them, ``strengthen``/``weaken`` add or subtract the
    amount; within [0, 1], none to oneself."""
    commit = commitment.copy()
    for members, change, amount in alliances:
        block = np.ix_(members, members)
        sub = commit[block]
        if change == "form":
            sub = np.maximum(sub, amount)
        elif change == "end":
            sub = sub * 0.5
        elif change == "strengthen":
            sub = sub + amount
        else:
            sub = sub - amount
        commit[block] = np.clip(sub, 0.0, 1.0)
    idx = np.arange(len(commit))
    commit[idx, idx] = 0.0
    return commit

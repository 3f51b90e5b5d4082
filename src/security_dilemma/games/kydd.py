"""Kydd's reassurance game: costly signals of trustworthiness (Kydd 2005, ch. 7; Kydd 2000).

A sender state is trustworthy (a security seeker) with prior probability ``prior`` and
untrustworthy (greedy) otherwise; only it knows its type. It may first make a costly
conciliatory gesture (a signal costing ``cost``: unilateral arms restraint, a troop
withdrawal, an offer such as Russia's 2007 Gabala radar proposal). The receiver then updates
its belief by Bayes' rule and trusts (cooperates) or not. A trustworthy sender reciprocates
trust (mutual cooperation); an untrustworthy one exploits it.

Receiver payoffs: ``reward`` when trusting a trustworthy sender, ``sucker`` when trusting an
untrustworthy one, ``punishment`` when not trusting (``reward > punishment > sucker``). So the
receiver trusts when its belief that the sender is trustworthy reaches

    trust_threshold = (punishment - sucker) / (reward - sucker).

Being trusted is worth ``value_trustworthy`` to a trustworthy sender and ``value_untrustworthy``
to an untrustworthy one (relative to not being trusted). A signal can reassure only if it is
worth paying for a trustworthy type and not for an untrustworthy one; that needs
``value_trustworthy > value_untrustworthy`` (single crossing). Kydd's argument is that this
holds for security seekers, who value a cooperative relationship more than greedy states
value the chance to exploit it minus the expansion a real concession forgoes.

Perfect Bayesian equilibria (with the receiver's belief after an unused signal chosen to
support them; ``intuitive`` says whether the equilibrium survives Cho & Kreps's criterion):

* **separating** (only trustworthy types signal; signal -> trust, none -> no trust) iff
  ``value_untrustworthy <= cost <= value_trustworthy``;
* **pooling without signal, trusted** iff ``prior >= trust_threshold``;
* **pooling without signal, not trusted** iff ``prior < trust_threshold`` (intuitive unless
  ``value_untrustworthy < cost < value_trustworthy``);
* **pooling on the signal, trusted** iff ``prior >= trust_threshold`` and
  ``cost <= value_untrustworthy``;
* **semi-separating** iff ``prior < trust_threshold`` and ``0 < cost < value_untrustworthy``:
  trustworthy types signal, untrustworthy ones with probability
  ``prior (1 - t*) / ((1 - prior) t*)`` so the posterior is exactly ``t*``, and the receiver
  trusts after a signal with probability ``cost / value_untrustworthy``.

>>> r = reassurance(prior=0.3, cost=2.0)
>>> r.trust_threshold, [e.kind for e in r.equilibria]
(0.4, ['separating', 'pooling-no-signal-distrust'])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BadInput, Problem

__all__ = ["ReassuranceEquilibrium", "ReassuranceResult", "reassurance"]


@dataclass(frozen=True, slots=True)
class ReassuranceEquilibrium:
    """One equilibrium: who signals, how the receiver responds, beliefs and payoffs."""

    kind: str
    signal_trustworthy: float
    signal_untrustworthy: float
    trust_after_signal: float
    trust_after_no_signal: float
    belief_after_signal: float | None
    belief_after_no_signal: float | None
    payoff_trustworthy: float
    payoff_untrustworthy: float
    payoff_receiver: float
    intuitive: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields (beliefs are null off the equilibrium path)."""
        return {
            "kind": self.kind,
            "signal": {
                "trustworthy": self.signal_trustworthy,
                "untrustworthy": self.signal_untrustworthy,
            },
            "trust": {
                "after_signal": self.trust_after_signal,
                "after_no_signal": self.trust_after_no_signal,
            },
            "belief": {
                "after_signal": self.belief_after_signal,
                "after_no_signal": self.belief_after_no_signal,
            },
            "payoff": {
                "trustworthy": self.payoff_trustworthy,
                "untrustworthy": self.payoff_untrustworthy,
                "receiver": self.payoff_receiver,
            },
            "intuitive": self.intuitive,
        }


@dataclass(frozen=True)
class ReassuranceResult:
    """The thresholds and every equilibrium type that exists at these parameters."""

    prior: float
    cost: float
    trust_threshold: float
    cost_window: tuple[float, float]
    equilibria: tuple[ReassuranceEquilibrium, ...]

    @property
    def reassurance_possible(self) -> bool:
        """Whether a separating equilibrium exists (a signal that tells the types apart)."""
        return any(e.kind == "separating" for e in self.equilibria)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready fields."""
        return {
            "prior": self.prior,
            "cost": self.cost,
            "thresholds": {
                "trust": self.trust_threshold,
                "cost_min": self.cost_window[0],
                "cost_max": self.cost_window[1],
            },
            "reassurance_possible": self.reassurance_possible,
            "equilibria": [e.to_dict() for e in self.equilibria],
        }


def reassurance(
    prior: float,
    cost: float,
    *,
    value_trustworthy: float = 3.0,
    value_untrustworthy: float = 1.0,
    reward: float = 3.0,
    sucker: float = -2.0,
    punishment: float = 0.0,
) -> ReassuranceResult:
    """Solve the reassurance game at ``prior`` trust and signal ``cost`` (module docs)."""
    _check_game(
        {
            "prior": prior,
            "cost": cost,
            "value_trustworthy": value_trustworthy,
            "value_untrustworthy": value_untrustworthy,
            "reward": reward,
            "sucker": sucker,
            "punishment": punishment,
        }
    )
    t_star = (punishment - sucker) / (reward - sucker)
    vs, vu = value_trustworthy, value_untrustworthy

    def receiver(trust_s: float, trust_u: float) -> float:
        """Receiver's expected payoff given trust probabilities facing each type."""
        return prior * (trust_s * reward + (1 - trust_s) * punishment) + (1 - prior) * (
            trust_u * sucker + (1 - trust_u) * punishment
        )

    eqs: list[ReassuranceEquilibrium] = []
    if vu <= cost <= vs:
        eqs.append(
            ReassuranceEquilibrium(
                "separating", 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, vs - cost, 0.0, receiver(1.0, 0.0), True
            )
        )
    if prior >= t_star:
        eqs.append(
            ReassuranceEquilibrium(
                "pooling-no-signal-trust",
                0.0,
                0.0,
                0.0,
                1.0,
                None,
                prior,
                vs,
                vu,
                receiver(1.0, 1.0),
                True,
            )
        )
        if cost <= vu:
            eqs.append(
                ReassuranceEquilibrium(
                    "pooling-signal-trust",
                    1.0,
                    1.0,
                    1.0,
                    0.0,
                    prior,
                    None,
                    vs - cost,
                    vu - cost,
                    receiver(1.0, 1.0),
                    True,
                )
            )
    else:
        intuitive = not (vu < cost < vs)
        eqs.append(
            ReassuranceEquilibrium(
                "pooling-no-signal-distrust",
                0.0,
                0.0,
                0.0,
                0.0,
                None,
                prior,
                0.0,
                0.0,
                receiver(0.0, 0.0),
                intuitive,
            )
        )
        if 0.0 < cost < vu and vs >= vu:
            sigma_u = prior * (1 - t_star) / ((1 - prior) * t_star)
            q = cost / vu
            eqs.append(
                ReassuranceEquilibrium(
                    "semi-separating",
                    1.0,
                    sigma_u,
                    q,
                    0.0,
                    t_star,
                    0.0,
                    q * vs - cost,
                    0.0,
                    receiver(q, sigma_u * q),
                    True,
                )
            )
    return ReassuranceResult(prior, cost, t_star, (vu, vs), tuple(eqs))


def _check_game(values: dict[str, float]) -> None:
    """Raise :class:`BadInput` unless the game's numbers (by parameter name) define a
    reassurance game: all finite, then a prior strictly between 0 and 1, a cost >= 0, positive
    values of being trusted and receiver payoffs with reward > punishment > sucker."""
    problems = [
        Problem(f"must be a finite number, got {v}", path=name)
        for name, v in values.items()
        if not np.isfinite(v)
    ]
    if problems:
        raise BadInput(problems)
    prior, cost = values["prior"], values["cost"]
    reward, sucker, punishment = values["reward"], values["sucker"], values["punishment"]
    if not 0.0 < prior < 1.0:
        problems.append(Problem(f"must be strictly between 0 and 1, got {prior}", path="prior"))
    if cost < 0:
        problems.append(Problem(f"must be >= 0, got {cost}", path="cost"))
    if values["value_trustworthy"] <= 0 or values["value_untrustworthy"] <= 0:
        problems.append(
            Problem("values of being trusted must be positive", path="value_trustworthy")
        )
    if not reward > punishment > sucker:
        problems.append(
            Problem(
                "receiver payoffs need reward > punishment > sucker, got "
                f"{reward}, {punishment}, {sucker}",
                path="reward",
            )
        )
    if problems:
        raise BadInput(problems)

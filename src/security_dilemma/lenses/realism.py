"""Realism: capabilities and worst-case intentions; relative gains; balance against threats.

Identity is ignored. A realist reads another state's hostility as a mixture of the worst
case (it may be greedy whatever it says) and its belief about the state's type, discounted
only by an ally's commitment; it cooperates only with states that are neither hostile nor
stronger (relative gains); it buys the weapons the offence-defence balance favours; and it
commits to states that share its main threat (balancing, Walt) or are treaty allies.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import K_PARAMETER, Array, Assessment, Dyad, Lens, LensParameter, Perception, dyadic

__all__ = ["LENS", "allocation", "commitment", "cooperation", "hostility"]


@dyadic
def hostility(d: Dyad, q: Any) -> Any:
    """Worst case blended with belief, discounted by the other's commitment to the observer."""
    wc = q.worst_case
    return (wc + (1.0 - wc) * d.belief) * (1.0 - q.alliance_trust * d.commitment_in)


@dyadic
def cooperation(d: Dyad, q: Any) -> Any:
    """Restraint only toward states that are not hostile, less so toward stronger ones."""
    x_i, x_j = d.own_capability, d.capability
    gap = np.minimum(np.maximum((x_j - x_i) / np.maximum(x_j + x_i, 1e-12), 0.0), 1.0)
    return (1.0 - d.hostility) * (1.0 - q.relative_gains * gap)


def allocation(p: Perception, a: Assessment, q: Any) -> Array:
    """Buy what the offence-defence balance favours: defence share 1 - offence dominance."""
    out: Array = np.full_like(p.own_capability, 1.0 - p.offence_dominance)
    return out


@dyadic
def commitment(d: Dyad, q: Any) -> Any:
    """Commit to non-hostile states that share the main threat, or are treaty allies."""
    return (1.0 - d.hostility) * np.maximum(d.shared_threat, d.treaty)


LENS = Lens(
    name="realism",
    title="Realism",
    description=(
        "States read capabilities and assume the worst about intentions; identities do not "
        "matter. Hostility blends the worst case with the belief that the other is greedy, "
        "discounted only by that state's alliance commitment. Cooperation is withheld from "
        "hostile and from stronger states (relative gains). Effort goes to what the "
        "offence-defence balance favours, and alliances balance against the main threat."
    ),
    parameters=(
        K_PARAMETER,
        LensParameter(
            "worst_case",
            0.5,
            0.0,
            1.0,
            "Weight of the worst case (the other is greedy) against the belief about its type.",
        ),
        LensParameter(
            "relative_gains",
            0.5,
            0.0,
            1.0,
            "Reluctance to cooperate with a stronger state, per unit of its relative advantage.",
        ),
        LensParameter(
            "alliance_trust",
            0.5,
            0.0,
            1.0,
            "How far an ally's commitment to the observer lowers the hostility read into it.",
        ),
    ),
    citations=(
        "Waltz, K. N. (1979). Theory of International Politics. Addison-Wesley.",
        "Walt, S. M. (1987). The Origins of Alliances. Cornell University Press.",
        "Grieco, J. M. (1988). Anarchy and the limits of cooperation. International "
        "Organization 42(3), 485-507.",
        "Jervis, R. (1978). Cooperation under the security dilemma. World Politics 30(2), 167-214.",
    ),
    hostility=hostility,
    cooperation=cooperation,
    allocation=allocation,
    commitment=commitment,
    reads=frozenset(
        {
            "belief",
            "capability",
            "commitment_in",
            "hostility",
            "offence_dominance",
            "own_capability",
            "shared_threat",
            "treaty",
        }
    ),
)

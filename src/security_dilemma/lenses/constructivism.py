"""Social constructivism: identity first; the same missiles threaten from an enemy, not a friend.

Hostility is read off identity: an enemy (-1) is fully hostile, a friend (+1) not at all, a
rival (0) somewhat. States cooperate with those they do not see as hostile, buy offence only
in proportion to the enemies they have, and commit to friends. Identities themselves evolve
in the engine (reflected appraisal, discourse shocks, common fate, interdependence).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import K_PARAMETER, Array, Assessment, Dyad, Lens, LensParameter, Perception, dyadic

__all__ = ["LENS", "allocation", "commitment", "cooperation", "hostility"]


@dyadic
def hostility(d: Dyad, q: Any) -> Any:
    """Piecewise linear in identity: 1 for an enemy, ``rival_hostility`` at 0, 0 for a friend."""
    r = q.rival_hostility
    x = d.identity
    return r - (1.0 - r) * np.minimum(x, 0.0) - r * np.maximum(x, 0.0)


@dyadic
def cooperation(d: Dyad, q: Any) -> Any:
    """Act on identity: cooperate as far as the other is not seen as hostile."""
    return 1.0 - d.hostility


def allocation(p: Perception, a: Assessment, q: Any) -> Array:
    """Offence is for enemies: the offensive share scales with the most hostile relation."""
    out: Array = 1.0 - p.offence_dominance * a.hostility.max(axis=1)
    return out


@dyadic
def commitment(d: Dyad, q: Any) -> Any:
    """Commit to friends: identity above ``ally_identity``, rescaled to [0, 1]."""
    t = q.ally_identity
    return np.minimum(np.maximum((d.identity - t) / (1.0 - t), 0.0), 1.0)


LENS = Lens(
    name="constructivism",
    title="Social constructivism",
    description=(
        "Identity comes first: the same missiles are a threat from an enemy and not from a "
        "friend. Hostility is read off the identity the state holds of the other (enemy, "
        "rival, friend); it cooperates as far as it does not see hostility, keeps offensive "
        "forces only against enemies, and commits to friends. Identities evolve through "
        "interaction (reflected appraisal), discourse, common fate and interdependence."
    ),
    parameters=(
        K_PARAMETER,
        LensParameter(
            "rival_hostility",
            0.4,
            0.0,
            1.0,
            "Hostility read into a rival (identity 0); enemies are 1, friends 0.",
        ),
        LensParameter(
            "ally_identity",
            0.2,
            -1.0,
            0.99,
            "Identity above which a state wants to commit to another as an ally.",
        ),
    ),
    citations=(
        "Wendt, A. (1999). Social Theory of International Politics. Cambridge University Press.",
        "Wendt, A. (1992). Anarchy is what states make of it. International Organization "
        "46(2), 391-425.",
        "Buzan, B., Waever, O. and de Wilde, J. (1998). Security: A New Framework for "
        "Analysis. Lynne Rienner.",
    ),
    hostility=hostility,
    cooperation=cooperation,
    allocation=allocation,
    commitment=commitment,
    reads=frozenset({"hostility", "identity", "offence_dominance"}),
)

"""Neoliberal institutionalism: beliefs sharpened by institutions; absolute gains; reciprocity.

A liberal state reads hostility from its belief that the other is greedy (beliefs are
sharpened by the transparency of shared institutions in the engine's Bayesian update),
discounted by shared institutions and economic interdependence. It cooperates by
reciprocity: generous tit for tat where a shared institution lengthens the shadow of the
future, plain tit for tat elsewhere (the memory-one rules of
:mod:`security_dilemma.games.reciprocity`). It leans to defensive postures and commits to
partners through institutions and treaties.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..games.reciprocity import TIT_FOR_TAT_PROBABILITIES, generous_probabilities, respond
from .base import K_PARAMETER, Array, Assessment, Dyad, Lens, LensParameter, Perception, dyadic

__all__ = ["LENS", "allocation", "commitment", "cooperation", "hostility"]


@dyadic
def hostility(d: Dyad, q: Any) -> Any:
    """Belief in greed, discounted by shared institutions and by interdependence."""
    return (
        d.belief
        * (1.0 - q.institution_discount * d.transparency)
        * (1.0 - q.interdependence_discount * d.interdependence)
    )


@dyadic
def cooperation(d: Dyad, q: Any) -> Any:
    """Reciprocity: generous tit for tat weighted by the shadow of the future, else tit for tat."""
    own, other = d.cooperation, d.cooperation_in
    generous = respond(*generous_probabilities(q.generosity), own, other)
    strict = respond(*TIT_FOR_TAT_PROBABILITIES, own, other)
    return d.shadow * generous + (1.0 - d.shadow) * strict


def allocation(p: Perception, a: Assessment, q: Any) -> Array:
    """The balance's share of defence plus a bias to defensive, reassuring postures."""
    share = min(1.0, max(0.0, 1.0 - p.offence_dominance + q["defensive_bias"]))
    out: Array = np.full_like(p.own_capability, share)
    return out


@dyadic
def commitment(d: Dyad, q: Any) -> Any:
    """Treaty commitments, and commitment to non-hostile partners in lasting institutions."""
    return np.maximum(d.treaty, d.shadow * (1.0 - d.hostility))


LENS = Lens(
    name="liberalism",
    title="Neoliberal institutionalism",
    description=(
        "States care about absolute gains. Hostility is the belief that the other is greedy, "
        "discounted by shared institutions (transparency) and economic interdependence. "
        "Cooperation follows reciprocity: generous tit for tat where institutions lengthen "
        "the shadow of the future, tit for tat elsewhere. States lean to defensive postures "
        "and commit to partners through treaties and lasting institutions."
    ),
    parameters=(
        K_PARAMETER,
        LensParameter(
            "generosity",
            1 / 3,
            0.0,
            1.0,
            "Generosity of tit for tat (forgiveness of a defection) at a full shadow of the "
            "future.",
        ),
        LensParameter(
            "institution_discount",
            0.5,
            0.0,
            1.0,
            "How far a shared institution's transparency lowers the hostility read into a member.",
        ),
        LensParameter(
            "interdependence_discount",
            0.5,
            0.0,
            1.0,
            "How far economic interdependence lowers the hostility read into a partner.",
        ),
        LensParameter(
            "defensive_bias",
            0.1,
            0.0,
            1.0,
            "Extra share of effort put into defence, beyond what the balance favours.",
        ),
    ),
    citations=(
        "Keohane, R. O. (1984). After Hegemony. Princeton University Press.",
        "Axelrod, R. (1984). The Evolution of Cooperation. Basic Books.",
        "Oye, K. A. (1985). Explaining cooperation under anarchy. World Politics 38(1), 1-24.",
        "Keohane, R. O. and Nye, J. S. (1977). Power and Interdependence. Little, Brown.",
    ),
    hostility=hostility,
    cooperation=cooperation,
    allocation=allocation,
    commitment=commitment,
    reads=frozenset(
        {
            "belief",
            "cooperation_in",
            "hostility",
            "interdependence",
            "offence_dominance",
            "shadow",
            "transparency",
            "treaty",
        }
    ),
)

"""The seed paper's interaction pyramid: constructivist base, liberal middle, realist top.

Identity (the base) sorts others into partners and enemies: the partner weight is a logistic
function of identity. Toward partners the state acts as a liberal institutionalist
(reciprocity, institutions, interdependence); toward enemies as a realist (worst case,
relative gains, balancing). Every decision is the partner-weighted blend of the two; the
liberal and realist parts use their own lens parameters as the case sets them.
"""

from __future__ import annotations

from typing import Any

from . import liberalism, realism
from .base import (
    K_PARAMETER,
    Array,
    Assessment,
    Dyad,
    Lens,
    LensParameter,
    LensParams,
    Perception,
    dyadic,
    logistic,
    toward_main_threat,
)

__all__ = ["LENS", "allocation", "commitment", "cooperation", "hostility", "partner_weight"]


def partner_weight(p: Perception, q: LensParams) -> Array:
    """How far i counts j as a partner: ``1 / (1 + exp(-(identity - threshold) / width))``.

    The lens's ``prepare`` rule: computed once per step on whole arrays, read by the dyadic
    rules as ``d.prepared``.
    """
    threshold, width = q["partner_threshold"], q["partner_width"]

    def compute() -> Array:
        out: Array = logistic((p.identity - threshold) / width)
        return out

    return p.remember(("pyramid.partner_weight", threshold, width), compute)


@dyadic
def hostility(d: Dyad, q: Any) -> Any:
    """Liberal reading of partners, realist reading of enemies."""
    w = d.prepared
    lib = liberalism.hostility(d, q.liberalism)
    real = realism.hostility(d, q.realism)
    return w * lib + (1.0 - w) * real


@dyadic
def cooperation(d: Dyad, q: Any) -> Any:
    """Reciprocity with partners, relative-gains restraint toward enemies."""
    w = d.prepared
    lib = liberalism.cooperation(d, q.liberalism)
    real = realism.cooperation(d, q.realism)
    return w * lib + (1.0 - w) * real


def allocation(p: Perception, a: Assessment, q: LensParams) -> Array:
    """Liberal posture if the main threat is a partner (or there is none), realist if an enemy."""
    w = toward_main_threat(partner_weight(p, q), a, 1.0)
    lib = liberalism.allocation(p, a, q.of("liberalism"))
    real = realism.allocation(p, a, q.of("realism"))
    out: Array = (w * lib + (1.0 - w) * real).astype(lib.dtype, copy=False)
    return out


@dyadic
def commitment(d: Dyad, q: Any) -> Any:
    """Institutional commitment to partners, balancing commitment toward the rest."""
    w = d.prepared
    lib = liberalism.commitment(d, q.liberalism)
    real = realism.commitment(d, q.realism)
    return w * lib + (1.0 - w) * real


READS = frozenset(
    {"identity", "main_threat"}
    | (liberalism.LENS.reads or frozenset())
    | (realism.LENS.reads or frozenset())
)
"""What the pyramid reads: its parts' fields, identity (the partner weight) and main threats."""

LENS = Lens(
    name="pyramid",
    title="Interaction pyramid (the seed paper)",
    description=(
        "The seed article's synthesis. At the base, constructivism: identity sorts others "
        "into partners and enemies (a logistic partner weight of identity). In the middle, "
        "neoliberal institutionalism governs relations with partners: reciprocity, "
        "institutions, interdependence, absolute gains. At the top, realism governs "
        "relations with enemies: worst-case reading, relative gains, balancing. Each "
        "decision blends the two by the partner weight."
    ),
    parameters=(
        K_PARAMETER,
        LensParameter(
            "partner_threshold",
            0.0,
            -1.0,
            1.0,
            "Identity at which another state is as much partner as enemy.",
        ),
        LensParameter(
            "partner_width",
            0.15,
            0.01,
            1.0,
            "Width of the logistic switch from enemy to partner, in identity units.",
        ),
    ),
    citations=(
        "United States' BMDS Programs in Europe: Testing a Thought of Realism, Liberalism, and "
        "Social Constructivism (in Chinese), January 2010, doi:10.29899/JRM.201001.0001 "
        "(the seed article: the interaction pyramid).",
        "Wendt, A. (1999). Social Theory of International Politics. Cambridge University Press.",
        "Keohane, R. O. (1984). After Hegemony. Princeton University Press.",
        "Waltz, K. N. (1979). Theory of International Politics. Addison-Wesley.",
    ),
    hostility=hostility,
    cooperation=cooperation,
    allocation=allocation,
    commitment=commitment,
    prepare=partner_weight,
    parts=("liberalism", "realism"),
    reads=READS,
)

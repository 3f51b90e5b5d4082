"""Which missiles an interceptor site can engage, by the system the case names for it.

A defence site states its ``system`` ("GBI (two-stage)", "SM-3 Block IA on an Aegis cruiser",
"THAAD"). Each interceptor family is built against a band of ballistic-missile ranges, as the
US Missile Defense Agency and the public literature describe it; a missile outside the band is
not one the site can engage, however close it flies. The bands use the usual classes: short
range (SRBM) below 1,000 km, medium (MRBM) 1,000-3,000 km, intermediate (IRBM) 3,000-5,500 km,
intercontinental (ICBM) from 5,500 km.

=========================  ==================  =============================================
system (name contains)     ranges engaged      because
=========================  ==================  =============================================
GBI, GMD, Ground-based     3,000 km and more   midcourse interceptor against intermediate and
                                               long-range missiles
SM-3                       up to 5,500 km      exo-atmospheric, short to intermediate range
THAAD                      up to 5,500 km      terminal, short to intermediate range
PAC-3, Patriot             up to 1,000 km      terminal, short range
A-35, Galosh, Safeguard,   5,500 km and more   Cold War area defences against ICBMs
Spartan, Sprint
=========================  ==================  =============================================

A site whose system is not listed (or not stated) is taken to engage every missile, and
:func:`envelope` says so. This is a rule of thumb for maps and reading cases, not an
engagement model (timing, altitude windows and countermeasures are outside it).

>>> envelope("GBI (two-stage)").engages(500), envelope("GBI (two-stage)").engages(10_000)
(False, True)
>>> envelope("SM-3 Block IA on an Aegis cruiser or destroyer").engages(1300)
True
>>> envelope(None).known
False
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["ENVELOPES", "Envelope", "envelope"]

SRBM_MAX_KM = 1000.0
MRBM_MAX_KM = 3000.0
IRBM_MAX_KM = 5500.0


@dataclass(frozen=True, slots=True)
class Envelope:
    """The missile ranges (km) an interceptor family engages, and what it was read from."""

    family: str
    min_km: float = 0.0
    max_km: float = math.inf
    known: bool = True

    def engages(self, range_km: float) -> bool:
        """Whether a missile of this range is one the interceptor can engage."""
        return self.min_km <= range_km < self.max_km


ENVELOPES: tuple[tuple[tuple[str, ...], Envelope], ...] = (
    (("sm-3",), Envelope("SM-3", 0.0, IRBM_MAX_KM)),
    (("thaad",), Envelope("THAAD", 0.0, IRBM_MAX_KM)),
    (("pac-3", "patriot"), Envelope("PAC-3", 0.0, SRBM_MAX_KM)),
    (("gbi", "gmd", "ground-based"), Envelope("GBI", MRBM_MAX_KM)),
    (("a-35", "galosh", "safeguard", "spartan", "sprint"), Envelope("ABM", IRBM_MAX_KM)),
)
"""Name fragments (lower case, first match wins) and the envelope of their family."""


def envelope(system: str | None) -> Envelope:
    """The envelope of the interceptor ``system`` a site names (module docstring); an unknown
    or missing system engages everything (``known`` False)."""
    text = (system or "").lower()
    for names, env in ENVELOPES:
        if any(name in text for name in names):
            return env
    return Envelope(system or "unstated", known=False)

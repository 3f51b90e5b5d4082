"""Base rates of militarised disputes from the COW MID data, behind the crisis defaults.

The crisis hazard (docs/model.md, mechanism 6) is a logistic function whose intercept and
slopes are set so that a neutral dyad that can reach the other has the yearly dispute rate of
allied (politically relevant, friendly) dyads, and a mutually hostile, threatened dyad with
hostile identities has the rate of recurrent rivals; the share of crises that become wars is
the share of disputes that reach hostility level 5.

>>> rates = mid_base_rates(1900, 2010)
>>> round(rates["allied"], 3), round(rates["rival"], 2), round(rates["war_share"], 3)
(0.009, 0.26, 0.037)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["crisis_probability", "mid_base_rate_counts", "mid_base_rates"]


def _pairs(frame: pd.DataFrame, a: str = "ccode1", b: str = "ccode2") -> pd.DataFrame:
    out = frame.copy()
    out["lo"] = frame[[a, b]].min(axis=1)
    out["hi"] = frame[[a, b]].max(axis=1)
    return out


def mid_base_rate_counts(start: int = 1900, end: int = 2010) -> dict[str, tuple[int, int]]:
    """The events and trials behind :func:`mid_base_rates`, ``(count, of)`` per rate: dispute
    onsets and dyad-years (``all``, ``allied``, ``recurrent``, ``rival``), wars and disputes
    (``war_share``)."""
    from ..data import loaders

    dyads = _pairs(loaders.mid_dyads())
    onsets = dyads[dyads.disponset == 1].drop_duplicates(["lo", "hi", "year"])[["lo", "hi", "year"]]
    in_period = onsets[(onsets.year >= start) & (onsets.year <= end)]
    members = loaders.nmc().groupby("year").ccode.nunique()
    members = members[(members.index >= start) & (members.index <= end)]
    dyad_years = int((members * (members - 1) // 2).sum())
    atop = loaders.atop()
    allied = _pairs(atop[(atop.atop_defense == 1) & (atop.year >= start) & (atop.year <= end)])
    allied = allied.drop_duplicates(["lo", "hi", "year"])[["lo", "hi", "year"]]
    allied_hits = allied.merge(in_period, on=["lo", "hi", "year"]).shape[0]
    onset_years: dict[Any, Any] = {
        key: np.sort(group.year.to_numpy()) for key, group in onsets.groupby(["lo", "hi"])
    }
    hits = set(zip(in_period.lo, in_period.hi, in_period.year, strict=True))
    rival = [0, 0]
    recurrent = [0, 0]
    for (lo, hi), years in onset_years.items():
        for year in range(max(start, int(years[0]) + 1), end + 1):
            before = np.searchsorted(years, year) - np.searchsorted(years, year - 10)
            hit = (lo, hi, year) in hits
            if before >= 1:
                recurrent[0] += 1
                recurrent[1] += hit
            if before >= 3:
                rival[0] += 1
                rival[1] += hit
    disputes = loaders.mid_disputes()
    disputes = disputes[(disputes.styear >= start) & (disputes.styear <= end)]
    return {
        "all": (len(in_period), dyad_years),
        "allied": (int(allied_hits), len(allied)),
        "recurrent": (recurrent[1], recurrent[0]),
        "rival": (rival[1], rival[0]),
        "war_share": (int((disputes.hostlev == 5).sum()), len(disputes)),
    }


def mid_base_rates(start: int = 1900, end: int = 2010) -> dict[str, float]:
    """Yearly MID onset rates per non-directed dyad-year, ``start``..``end`` inclusive.

    * ``all``: every pair of system members (from the COW NMC state-years);
    * ``allied``: pairs with an ATOP defence pact that year;
    * ``rival``: pairs with at least 3 MID onsets in the previous 10 years;
    * ``recurrent``: pairs with at least 1 MID onset in the previous 10 years;
    * ``war_share``: share of disputes (begun in the period) that reached war (hostility 5).
    """
    return {k: n / of for k, (n, of) in mid_base_rate_counts(start, end).items()}


def crisis_probability(
    base: float,
    hostility: float = 0.0,
    severity: float = 0.0,
    identity: float = 0.0,
    *,
    crisis_hostility: float = 1.5,
    crisis_threat: float = 1.0,
    crisis_identity: float = 1.0,
) -> float:
    """The model's crisis probability for a reachable dyad with symmetric relations (no
    interdependence, institutions or first-strike incentive, balanced offence and defence);
    ``severity`` is the threat over what the state has to lose (docs/model.md 4.1).

    >>> round(crisis_probability(0.01, hostility=1, severity=1e9, identity=-1), 2)
    0.25
    """
    logit = math.log(base / (1 - base)) + crisis_hostility * hostility
    logit += crisis_threat * severity / (1 + severity) - crisis_identity * identity
    return 1 / (1 + math.exp(-logit))

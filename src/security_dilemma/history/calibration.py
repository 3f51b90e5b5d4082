"""Model parameters calibrated to data, with standard errors (docs/backtesting.md, "Parameter
uncertainty").

Two sources, both shipped with the package, and only years *before* a case's span, so that no
year of the coded record reaches a calibrated value:

* **COW NMC** military expenditure (``milex``) of one dyad, fitted by Richardson's dyad form
  (:func:`~security_dilemma.history.richardson.fit_dyad`, the machinery of ``dilemma fit
  richardson``) on each side's spending as an index (its mean over the window = 1), the unit
  of the model's effort. The fatigue of the two equations (a and b) gives ``richardson.a``
  (their inverse-variance weighted mean: the rate at which effort returns to its anchor) and
  their residual standard errors give ``richardson.shock`` (the root mean square: the yearly
  shock as a share of effort). The reaction coefficients are not used: the model's
  ``richardson.k`` answers pressure (threat over what a state has to lose), not the rival's
  spending, so a fit on spending does not identify it.
* **COW MID 5 and ATOP** dyad-years (:func:`~.base_rates.mid_base_rate_counts`):
  ``crisis_base`` is the yearly dispute-onset rate of allied dyads and ``crisis_war_share`` the
  share of disputes that reached war, each with its binomial standard error (dyad-years are
  treated as independent, so these understate the uncertainty).

>>> from security_dilemma.history import simulate_richardson, fit_dyad
>>> race = simulate_richardson(k=0.1, a=0.3, g=0.2, l=0.05, b=0.5, h=0.4, x0=2.0, y0=0.5,
...                            steps=10)
>>> fatigue, shock = richardson_calibration(fit_dyad(race), source="simulated")
>>> fatigue.name, round(fatigue.value, 6), shock.name, round(shock.value, 6)
('richardson.a', 0.4, 'richardson.shock', 0.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import BadInput, Problem

if TYPE_CHECKING:
    from ..scenario.schema import Case
    from .richardson import DyadFit

__all__ = [
    "Calibrated",
    "Calibration",
    "calibrate",
    "crisis_calibration",
    "richardson_calibration",
]

MID_FROM = 1946
"""First year of the MID window: the post-1945 state system."""


@dataclass(frozen=True)
class Calibrated:
    """One calibrated parameter: its value and standard error, the data it comes from, the
    years used and how it was fitted (``fit``: the fit's statistics in words)."""

    name: str
    value: float
    se: float
    source: str
    years: tuple[int, int]
    method: str
    fit: str

    def describe(self) -> str:
        """``richardson.a = 0.238 (SE 0.074; COW NMC 1994-2000, ...)``."""
        return (
            f"{self.name} = {self.value:.4g} (SE {self.se:.2g}; {self.source} "
            f"{self.years[0]}-{self.years[1]}; {self.method}; {self.fit})"
        )

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "name": self.name,
            "value": self.value,
            "se": self.se,
            "source": self.source,
            "years": list(self.years),
            "method": self.method,
            "fit": self.fit,
        }


@dataclass(frozen=True)
class Calibration:
    """The calibrated parameters of a case."""

    case_id: str
    parameters: tuple[Calibrated, ...]

    def values(self, digits: int | None = None) -> dict[str, float]:
        """``{name: value}``, rounded to ``digits`` significant figures when given."""
        if digits is None:
            return {p.name: p.value for p in self.parameters}
        return {p.name: float(f"{p.value:.{digits}g}") for p in self.parameters}

    def names(self) -> tuple[str, ...]:
        """The calibrated parameters' names."""
        return tuple(p.name for p in self.parameters)

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {"case": self.case_id, "parameters": [p.to_json() for p in self.parameters]}


def richardson_calibration(
    fit: DyadFit, *, source: str = "COW NMC milex"
) -> tuple[Calibrated, Calibrated]:
    """``richardson.a`` and ``richardson.shock`` from a Richardson dyad fit of two effort
    indices (module docstring)."""
    eqs = (fit.x_eq, fit.y_eq)
    fatigue = [(eq.estimates[1].value, eq.estimates[1].se) for eq in eqs]
    weights = [1.0 / se**2 if se > 0 else math.inf for _, se in fatigue]
    if any(math.isinf(w) for w in weights):  # an exact fit: plain mean, no error
        a, a_se = sum(v for v, _ in fatigue) / 2, 0.0
    else:
        a = sum(w * v for w, (v, _) in zip(weights, fatigue, strict=True)) / sum(weights)
        a_se = 1.0 / math.sqrt(sum(weights))
    shock = math.sqrt(sum(eq.resid_se**2 for eq in eqs) / 2)
    dof = min(eq.dof for eq in eqs)
    shock_se = shock / math.sqrt(2 * max(1, 2 * dof))  # chi-square approximation
    s = fit.series
    years = (int(s.time[0]), int(s.time[-1]))
    stats = (
        f"{s.x_name}: a = {fatigue[0][0]:.3f} (SE {fatigue[0][1]:.3f}), R^2 "
        f"{fit.x_eq.r2:.2f}; {s.y_name}: b = {fatigue[1][0]:.3f} (SE {fatigue[1][1]:.3f}), "
        f"R^2 {fit.y_eq.r2:.2f}; {fit.x_eq.n} changes"
    )
    return (
        Calibrated(
            "richardson.a",
            a,
            a_se,
            source,
            years,
            "Richardson dyad fit on spending indices; inverse-variance mean of the fatigues",
            stats,
        ),
        Calibrated(
            "richardson.shock",
            shock,
            shock_se,
            source,
            years,
            "Richardson dyad fit on spending indices; root mean square residual SE",
            f"residual SE {fit.x_eq.resid_se:.4f} and {fit.y_eq.resid_se:.4f} (index units)",
        ),
    )


def crisis_calibration(start: int, end: int) -> tuple[Calibrated, Calibrated]:
    """``crisis_base`` and ``crisis_war_share`` from COW MID 5 and ATOP, ``start``..``end``
    (module docstring)."""
    from .base_rates import mid_base_rate_counts

    counts = mid_base_rate_counts(start, end)
    onsets, dyad_years = counts["allied"]
    wars, disputes = counts["war_share"]

    def binomial(k: int, n: int) -> tuple[float, float]:
        p = k / n
        return p, math.sqrt(p * (1 - p) / n)

    base, base_se = binomial(onsets, dyad_years)
    share, share_se = binomial(wars, disputes)
    return (
        Calibrated(
            "crisis_base",
            base,
            base_se,
            "COW MID 5 and ATOP 5.1",
            (start, end),
            "dispute onsets per allied dyad-year; binomial SE",
            f"{onsets} onsets in {dyad_years:,} allied dyad-years",
        ),
        Calibrated(
            "crisis_war_share",
            share,
            share_se,
            "COW MID 5",
            (start, end),
            "share of disputes reaching hostility level 5 (war); binomial SE",
            f"{wars} wars in {disputes:,} disputes",
        ),
    )


def calibrate(
    case: Case, dyad: Sequence[str], *, nmc_from: int, mid_from: int = MID_FROM
) -> Calibration:
    """The calibrated parameters of ``case``: Richardson's fatigue and shock from COW NMC
    spending of ``dyad`` (two actor ids with COW codes) from ``nmc_from``, and the crisis base
    rate and war share from COW MID from ``mid_from``; both windows end the year before the
    case's span starts.

    >>> from security_dilemma import load_case
    >>> cal = calibrate(load_case("bmd-europe"), ("USA", "RUS"), nmc_from=1994)
    >>> cal.names()
    ('richardson.a', 'richardson.shock', 'crisis_base', 'crisis_war_share')
    >>> cal.parameters[0].years
    (1994, 2000)
    """
    from .richardson import fit_dyad, nmc_series

    end = case.span.start.year - 1
    problems = []
    if len(dyad) != 2:
        problems.append(Problem(f"give two actors (got {len(dyad)})", path="dyad"))
    codes = []
    for actor in dyad:
        try:
            code = case.actor(actor).ccode
        except KeyError:
            problems.append(Problem(f"'{actor}' is not an actor of {case.id}", path="dyad"))
            continue
        if code is None:
            problems.append(Problem(f"actor '{actor}' has no COW code (ccode)", path="dyad"))
        else:
            codes.append(code)
    for name, first in (("nmc_from", nmc_from), ("mid_from", mid_from)):
        if first + 4 > end:
            problems.append(
                Problem(
                    f"{name} {first} leaves fewer than 5 years before the case's span "
                    f"({case.span.start.year})",
                    path=name,
                )
            )
    if problems:
        raise BadInput(problems)
    series = nmc_series([codes[0]], [codes[1]], nmc_from, end, x_name=dyad[0], y_name=dyad[1])
    index = replace(series, x=series.x / series.x.mean(), y=series.y / series.y.mean())
    fatigue, shock = richardson_calibration(fit_dyad(index), source="COW NMC 6 milex")
    base, war = crisis_calibration(mid_from, end)
    return Calibration(case.id, (fatigue, shock, base, war))

"""Richardson arms-race fits by least squares, with standard errors, equilibrium and stability.

Two forms (L. F. Richardson, *Arms and Insecurity*, 1960):

* ``dyad``, one equation per side, per step (year)::

      x[t+1] - x[t] = k*y[t] - a*x[t] + g
      y[t+1] - y[t] = l*x[t] - b*y[t] + h

  fitted as two ordinary least-squares regressions of the change on the levels.
* ``bloc``, Richardson's own test on the 1909-1913 blocs: with k = l and a = b the total
  s = x + y obeys ds/dt = (k - a) s + (g + h). He set the yearly change of s against its mean
  over the year; we fit ``s[t+1] - s[t] = (k - a) * (s[t] + s[t+1]) / 2 + (g + h)``
  (``regressor="start"`` uses ``s[t]`` instead).

>>> s = simulate_richardson(k=0.2, a=0.3, g=1.0, l=0.1, b=0.25, h=2.0, x0=1.0, y0=30.0, steps=12)
>>> fit = fit_dyad(s)
>>> [round(v, 6) for v in (fit.k, fit.a, fit.g, fit.l, fit.b, fit.h)]
[0.2, 0.3, 1.0, 0.1, 0.25, 2.0]
>>> fit.stable_continuous, round(fit.margin, 4)  # a*b - k*l
(True, 0.055)
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import BadInput, Problem, did_you_mean

__all__ = [
    "REPLICATIONS",
    "RICHARDSON_FORMS",
    "BlocFit",
    "DyadFit",
    "Estimate",
    "RaceSeries",
    "Regression",
    "Replication",
    "ReplicationSpec",
    "RichardsonForm",
    "fit_bloc",
    "fit_dyad",
    "fit_richardson",
    "nmc_series",
    "ols",
    "read_series_csv",
    "replicate",
    "richardson_equilibrium",
    "simulate_richardson",
]

RichardsonForm = Literal["dyad", "bloc"]
RICHARDSON_FORMS: tuple[RichardsonForm, ...] = ("dyad", "bloc")
FloatArray = NDArray[np.float64]
_LEVEL = 0.95


# --- least squares ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """One coefficient: estimate, classical and HC1-robust standard errors, t, p, 95% interval."""

    name: str
    value: float
    se: float
    se_hc1: float
    t: float
    p: float
    ci_low: float
    ci_high: float

    def significant(self, alpha: float = 0.05) -> bool:
        """Whether the estimate differs from zero at level ``alpha`` (two-sided t test)."""
        return bool(self.p < alpha)

    def describe(self) -> str:
        """``k = 0.123 (SE 0.045, t = 2.7, p = 0.012)``."""
        return (
            f"{self.name} = {self.value:.4g} (SE {self.se:.2g}, t = {self.t:.2f}, p = {self.p:.3g})"
        )

    def to_dict(self) -> dict[str, float]:
        """Stable keys: estimate, se, se_hc1, t, p, ci_low, ci_high."""
        return {
            "estimate": self.value,
            "se": self.se,
            "se_hc1": self.se_hc1,
            "t": self.t,
            "p": self.p,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
        }


@dataclass(frozen=True)
class Regression:
    """An ordinary least-squares fit with a constant: estimates, covariance and fit statistics."""

    dependent: str
    estimates: tuple[Estimate, ...]
    cov: FloatArray
    n: int
    dof: int
    r2: float
    resid_se: float

    def __getitem__(self, name: str) -> Estimate:
        for e in self.estimates:
            if e.name == name:
                return e
        raise KeyError(name)

    @property
    def values(self) -> FloatArray:
        """The estimates as an array, in regressor order."""
        return np.array([e.value for e in self.estimates])

    def to_dict(self) -> dict[str, Any]:
        """Stable keys: dependent, coefficients, n, dof, r2, resid_se."""
        return {
            "dependent": self.dependent,
            "coefficients": {e.name: e.to_dict() for e in self.estimates},
            "n": self.n,
            "dof": self.dof,
            "r2": self.r2,
            "resid_se": self.resid_se,
        }


def ols(X: ArrayLike, y: ArrayLike, names: Sequence[str], *, dependent: str = "y") -> Regression:
    """Least squares of ``y`` on the columns of ``X`` (which should include a constant).

    Classical standard errors use s^2 (X'X)^-1 with s^2 = SSR / (n - p); robust ones are
    White's HC1 (scaled by n / (n - p)). R^2 is centred. Raises :class:`BadInput` when there
    are too few observations for standard errors or the regressors are collinear.
    """
    from scipy import stats  # not at the top: the `dilemma` command imports this module

    Xa = np.asarray(X, dtype=float)
    ya = np.asarray(y, dtype=float)
    n, p = Xa.shape
    if len(names) != p:
        raise ValueError(f"{len(names)} names for {p} regressors")
    if n <= p:
        raise BadInput(
            f"{n} observation{'s' if n != 1 else ''} cannot give standard errors for {p} "
            f"coefficients: at least {p + 1} are needed"
        )
    beta, _, rank, _ = np.linalg.lstsq(Xa, ya, rcond=None)
    if rank < p:
        raise BadInput(
            f"the regressors ({', '.join(names)}) are collinear in these data: the "
            "coefficients cannot be told apart (is a series constant, or one a multiple of "
            "the other?)"
        )
    resid = ya - Xa @ beta
    dof = n - p
    ssr = float(resid @ resid)
    xtx_inv = np.linalg.inv(Xa.T @ Xa)
    cov = xtx_inv * (ssr / dof)
    meat = Xa.T @ (Xa * (resid**2)[:, None])
    cov_hc1 = xtx_inv @ meat @ xtx_inv * (n / dof)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se_hc1 = np.sqrt(np.clip(np.diag(cov_hc1), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = beta / se
    pvals = 2.0 * stats.t.sf(np.abs(t), dof)
    q = float(stats.t.ppf(0.5 + _LEVEL / 2, dof))
    tss = float(((ya - ya.mean()) ** 2).sum())
    estimates = tuple(
        Estimate(
            name,
            float(beta[i]),
            float(se[i]),
            float(se_hc1[i]),
            float(t[i]),
            float(pvals[i]),
            float(beta[i] - q * se[i]),
            float(beta[i] + q * se[i]),
        )
        for i, name in enumerate(names)
    )
    return Regression(
        dependent=dependent,
        estimates=estimates,
        cov=cov,
        n=n,
        dof=dof,
        r2=1.0 - ssr / tss if tss > 0 else math.nan,
        resid_se=math.sqrt(ssr / dof),
    )


# --- series ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaceSeries:
    """Two series to fit against time (one value per step), with names, unit and source."""

    time: FloatArray
    x: FloatArray
    y: FloatArray
    x_name: str = "x"
    y_name: str = "y"
    unit: str = ""
    source: str = ""

    def steps(self) -> NDArray[np.intp]:
        """Indices t with time[t + 1] == time[t] + 1: the steps that can be differenced."""
        return np.flatnonzero(np.diff(self.time) == 1)

    def gaps(self) -> list[tuple[float, float]]:
        """Consecutive time points more than one step apart."""
        d = np.diff(self.time)
        return [(float(self.time[i]), float(self.time[i + 1])) for i in np.flatnonzero(d != 1)]

    def to_dict(self) -> dict[str, Any]:
        """Stable keys: time, x, y, x_name, y_name, unit, source."""
        return {
            "time": [_num(t) for t in self.time],
            "x": self.x.tolist(),
            "y": self.y.tolist(),
            "x_name": self.x_name,
            "y_name": self.y_name,
            "unit": self.unit,
            "source": self.source,
        }


def _num(t: float) -> float | int:
    return int(t) if float(t).is_integer() else float(t)


def _check(series: RaceSeries) -> None:
    n = len(series.time)
    if not len(series.x) == len(series.y) == n:
        raise BadInput("time, x and y must have the same length")
    if not (np.all(np.isfinite(series.x)) and np.all(np.isfinite(series.y))):
        raise BadInput("the series contain missing or infinite values")
    if n > 1 and np.any(np.diff(series.time) <= 0):
        raise BadInput("time must be strictly increasing")


def simulate_richardson(
    *,
    k: float,
    a: float,
    g: float,
    l: float,  # noqa: E741 - Richardson's own letter
    b: float,
    h: float,
    x0: float,
    y0: float,
    steps: int,
    noise: float = 0.0,
    rng: np.random.Generator | None = None,
    start: int = 0,
) -> RaceSeries:
    """A path of the discrete Richardson system, with optional Gaussian shocks of sd ``noise``.

    Shocks enter the dynamics (each step's change), so the fitted regression is the true model.
    """
    if noise > 0 and rng is None:
        raise ValueError("pass rng (a numpy Generator) to simulate with noise")
    x = np.empty(steps + 1)
    y = np.empty(steps + 1)
    x[0], y[0] = x0, y0
    shocks = (
        rng.normal(0.0, noise, size=(steps, 2))
        if rng is not None and noise > 0
        else np.zeros((steps, 2))
    )
    for t in range(steps):
        x[t + 1] = x[t] + k * y[t] - a * x[t] + g + shocks[t, 0]
        y[t + 1] = y[t] + l * x[t] - b * y[t] + h + shocks[t, 1]
    time = np.arange(start, start + steps + 1, dtype=float)
    return RaceSeries(time, x, y, source="simulated")


# --- closed forms ----------------------------------------------------------------------------


def richardson_equilibrium(
    k: float,
    a: float,
    g: float,
    l: float,  # noqa: E741
    b: float,
    h: float,
) -> tuple[float, float] | None:
    """The rest point (x*, y*) = ((k h + b g), (l g + a h)) / (a b - k l); None if a b = k l."""
    m = a * b - k * l
    if abs(m) <= 1e-12 * max(abs(a * b), abs(k * l), 1e-300):
        return None
    return (k * h + b * g) / m, (l * g + a * h) / m


# --- the dyad form -------------------------------------------------------------------------


@dataclass(frozen=True)
class DyadFit:
    """The two-equation Richardson fit, its equilibrium and its stability."""

    series: RaceSeries
    x_eq: Regression
    y_eq: Regression

    form: Literal["dyad"] = "dyad"

    @property
    def k(self) -> float:
        """x's reaction to y."""
        return self.x_eq["k"].value

    @property
    def a(self) -> float:
        """x's fatigue."""
        return self.x_eq["a"].value

    @property
    def g(self) -> float:
        """x's grievance."""
        return self.x_eq["g"].value

    @property
    def l(self) -> float:  # noqa: E743
        """y's reaction to x."""
        return self.y_eq["l"].value

    @property
    def b(self) -> float:
        """y's fatigue."""
        return self.y_eq["b"].value

    @property
    def h(self) -> float:
        """y's grievance."""
        return self.y_eq["h"].value

    def _theta_cov(self) -> tuple[FloatArray, FloatArray]:
        theta = np.concatenate([self.x_eq.values, self.y_eq.values])  # k a g l b h
        cov = np.zeros((6, 6))
        cov[:3, :3] = self.x_eq.cov
        cov[3:, 3:] = self.y_eq.cov
        return theta, cov

    @property
    def margin(self) -> float:
        """a*b - k*l: positive when Richardson's stability condition a*b > k*l holds."""
        return self.a * self.b - self.k * self.l

    def _margin_grad(self) -> FloatArray:
        k, a, _, l_, b, _ = self._theta_cov()[0]
        return np.array([-l_, b, 0.0, -k, a, 0.0])

    @property
    def margin_se(self) -> float:
        """Standard error of a*b - k*l (delta method; the two equations taken as independent)."""
        _, cov = self._theta_cov()
        grad = self._margin_grad()
        return float(np.sqrt(grad @ cov @ grad))

    @property
    def equilibrium(self) -> tuple[float, float] | None:
        """(x*, y*), where both changes are zero; None when a*b = k*l."""
        return richardson_equilibrium(self.k, self.a, self.g, self.l, self.b, self.h)

    @property
    def equilibrium_se(self) -> tuple[float, float] | None:
        """Delta-method standard errors of (x*, y*)."""
        if self.equilibrium is None:
            return None
        theta, cov = self._theta_cov()
        k, a, g, l_, b, h = theta
        m = a * b - k * l_
        dm = self._margin_grad()
        num_x, dnum_x = k * h + b * g, np.array([h, 0.0, b, 0.0, g, k])
        num_y, dnum_y = l_ * g + a * h, np.array([0.0, h, l_, g, 0.0, a])
        gx = (dnum_x * m - num_x * dm) / m**2
        gy = (dnum_y * m - num_y * dm) / m**2
        return float(np.sqrt(gx @ cov @ gx)), float(np.sqrt(gy @ cov @ gy))

    @property
    def eigenvalues_continuous(self) -> NDArray[np.complex128]:
        """Eigenvalues of [[-a, k], [l, -b]] (the differential equations)."""
        return np.linalg.eigvals(np.array([[-self.a, self.k], [self.l, -self.b]])).astype(complex)

    @property
    def eigenvalues_discrete(self) -> NDArray[np.complex128]:
        """Eigenvalues of [[1 - a, k], [l, 1 - b]] (the yearly map that was fitted)."""
        return np.linalg.eigvals(np.array([[1 - self.a, self.k], [self.l, 1 - self.b]])).astype(
            complex
        )

    @property
    def condition_holds(self) -> bool:
        """Richardson's condition a*b > k*l, in the point estimates."""
        return self.margin > 0

    @property
    def stable_continuous(self) -> bool:
        """The differential equations converge: a*b > k*l and a + b > 0."""
        return self.margin > 0 and self.a + self.b > 0

    @property
    def stable_discrete(self) -> bool:
        """The fitted yearly map converges: both eigenvalues inside the unit circle."""
        return bool(np.max(np.abs(self.eigenvalues_discrete)) < 1)

    def summary(self) -> list[str]:
        """What the fit shows, in sentences."""
        from scipy import stats

        s = self.series
        x, y = s.x_name, s.y_name
        out = [_dof_sentence(self.x_eq, 3)]
        for est, who, whom in ((self.x_eq["k"], x, y), (self.y_eq["l"], y, x)):
            out.append(f"Reaction of {who} to {whom}: {est.describe()}; " + _reaction(est))
        for est, who in ((self.x_eq["a"], x), (self.y_eq["b"], y)):
            out.append(f"Fatigue of {who}: {est.describe()}; " + _fatigue(est))
        se = self.margin_se
        dof = min(self.x_eq.dof, self.y_eq.dof)
        crit = float(stats.t.ppf(0.975, dof))
        z = self.margin / se if se > 0 else math.copysign(math.inf, self.margin)
        holds = "holds" if self.condition_holds else "fails"
        sig = (
            f"and it is {abs(z):.3g} standard errors from zero (5% critical value {crit:.3g} "
            f"with {dof} degree{'s' if dof != 1 else ''} of freedom)"
            if abs(z) > crit
            else f"but it is only {abs(z):.3g} standard errors from zero (5% critical value "
            f"{crit:.3g}), so the data cannot tell"
        )
        text = (
            f"Stability: a*b - k*l = {self.margin:.4g} (SE {se:.2g}): Richardson's condition "
            f"a*b > k*l {holds} in the point estimates, {sig}."
        )
        if self.condition_holds and self.a + self.b <= 0:
            text += (
                " The condition presumes positive fatigue; here a + b < 0, so the system is "
                "unstable all the same."
            )
        out.append(text)
        radius = float(np.max(np.abs(self.eigenvalues_discrete)))
        out.append(
            f"The fitted yearly map has spectral radius {radius:.4g}: "
            + (
                "it converges to its equilibrium."
                if radius < 1
                else "it does not converge (a runaway or a drift)."
            )
        )
        eq = self.equilibrium
        if eq is not None:
            unit = f" {s.unit}" if s.unit else ""
            if min(eq) < 0:
                where = "negative spending, so no rest point the race could reach"
            elif self.stable_continuous:
                where = "the race would settle there"
            else:
                where = "an unstable rest point, which the race moves away from"
            out.append(f"Equilibrium: {x} = {eq[0]:.4g}, {y} = {eq[1]:.4g}{unit}: {where}.")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Stable keys; see docs/richardson.md."""
        eq, eq_se = self.equilibrium, self.equilibrium_se
        return {
            "form": self.form,
            "model": "x[t+1]-x[t] = k*y[t] - a*x[t] + g; y[t+1]-y[t] = l*x[t] - b*y[t] + h",
            "x_name": self.series.x_name,
            "y_name": self.series.y_name,
            "unit": self.series.unit,
            "first": _num(self.series.time[0]),
            "last": _num(self.series.time[-1]),
            "n": self.x_eq.n,
            "dof": self.x_eq.dof,
            "coefficients": self._flat(),
            "equations": {"x": self.x_eq.to_dict(), "y": self.y_eq.to_dict()},
            "equilibrium": None
            if eq is None or eq_se is None
            else {"x": eq[0], "y": eq[1], "se_x": eq_se[0], "se_y": eq_se[1]},
            "stability": {
                "margin": self.margin,
                "margin_se": self.margin_se,
                "condition_holds": self.condition_holds,
                "stable_continuous": self.stable_continuous,
                "stable_discrete": self.stable_discrete,
                "eigenvalues_continuous": _complex_list(self.eigenvalues_continuous),
                "eigenvalues_discrete": _complex_list(self.eigenvalues_discrete),
                "spectral_radius": float(np.max(np.abs(self.eigenvalues_discrete))),
            },
            "gaps": [list(map(_num, g)) for g in self.series.gaps()],
            "summary": self.summary(),
        }

    def _flat(self) -> dict[str, float]:
        return {e.name: e.value for e in (*self.x_eq.estimates, *self.y_eq.estimates)}


def _complex_list(values: NDArray[np.complex128]) -> list[dict[str, float]]:
    ordered = sorted(values, key=lambda z: (-z.real, -z.imag))
    return [{"re": float(z.real), "im": float(z.imag)} for z in ordered]


def _dof_sentence(reg: Regression, p: int) -> str:
    text = (
        f"{reg.n} yearly changes, {p} coefficients per equation: {reg.dof} residual degree"
        f"{'s' if reg.dof != 1 else ''} of freedom"
    )
    if reg.dof < 5:
        text += (
            "; with so few, the standard errors are very wide and the fit can describe the "
            "data but hardly test the theory"
        )
    return text + "."


def _reaction(est: Estimate) -> str:
    if est.value > 0:
        what = "positive, as Richardson's theory expects"
    else:
        what = "negative: spending falls when the other's rises, against Richardson's theory"
    sig = "significant at 5%" if est.significant() else "not significantly different from zero"
    return f"{what}; {sig}."


def _fatigue(est: Estimate) -> str:
    if est.value > 0:
        what = "positive: spending is restrained in proportion to its own level"
    else:
        what = (
            "negative: spending grows in proportion to its own level (self-stimulation, or "
            "inflation and economic growth in a nominal series)"
        )
    sig = "significant at 5%" if est.significant() else "not significantly different from zero"
    return f"{what}; {sig}."


def fit_dyad(series: RaceSeries) -> DyadFit:
    """Fit k, a, g (x's equation) and l, b, h (y's) by least squares on the yearly changes."""
    _check(series)
    t = series.steps()
    if len(t) < 4:
        raise BadInput(
            f"the dyad form fits 3 coefficients per equation and needs at least 4 yearly "
            f"changes (5 consecutive years); these data have {len(t)}"
        )
    x, y = series.x[t], series.y[t]
    dx, dy = series.x[t + 1] - x, series.y[t + 1] - y
    one = np.ones_like(x)
    x_eq = ols(np.column_stack([y, -x, one]), dx, ("k", "a", "g"), dependent="dx")
    y_eq = ols(np.column_stack([x, -y, one]), dy, ("l", "b", "h"), dependent="dy")
    return DyadFit(series, x_eq, y_eq)


# --- the bloc form -------------------------------------------------------------------------


@dataclass(frozen=True)
class BlocFit:
    """Richardson's two-bloc test: the change of the total against the total."""

    series: RaceSeries
    regression: Regression
    regressor: Literal["mean", "start"] = "mean"

    form: Literal["bloc"] = "bloc"

    @property
    def k_minus_a(self) -> float:
        """Slope: reaction minus fatigue, under k = l and a = b."""
        return self.regression["k_minus_a"].value

    @property
    def g_plus_h(self) -> float:
        """Intercept: the blocs' summed grievances (negative: net goodwill)."""
        return self.regression["g_plus_h"].value

    @property
    def zero(self) -> float | None:
        """The total at which the fitted change is zero: -(g + h) / (k - a)."""
        if self.k_minus_a == 0:
            return None
        return -self.g_plus_h / self.k_minus_a

    @property
    def zero_se(self) -> float | None:
        """Delta-method standard error of the zero."""
        if self.zero is None:
            return None
        c, d = self.k_minus_a, self.g_plus_h
        grad = np.array([d / c**2, -1.0 / c])  # d zero / d(c, d)
        return float(np.sqrt(grad @ self.regression.cov @ grad))

    def summary(self) -> list[str]:
        """What the fit shows, in sentences."""
        s = self.series
        est = self.regression["k_minus_a"]
        unit = f" {s.unit}" if s.unit else ""
        out = [_dof_sentence(self.regression, 2)]
        sig = "significant at 5%" if est.significant() else "not significantly different from zero"
        if est.value > 0:
            what = (
                "positive: under k = l and a = b the total grows without bound, an unstable "
                "race in Richardson's sense"
            )
        else:
            what = "not positive: under k = l and a = b the total would settle, a stable system"
        out.append(f"Slope {est.describe()}: {what}; {sig}.")
        gh = self.regression["g_plus_h"]
        sign = "net goodwill (negative grievances)" if gh.value < 0 else "net grievances"
        out.append(f"Intercept {gh.describe()}: {sign}.")
        if self.zero is not None and self.zero_se is not None:
            zero = f"{self.zero:.4g}{unit} (SE {self.zero_se:.2g})"
            if self.zero < 0:
                out.append(
                    f"The line crosses zero at a negative total, {zero}: the fitted change has "
                    "the slope's sign at every positive total."
                )
            else:
                side = "below" if est.value > 0 else "above"
                out.append(
                    f"The line crosses zero at a total of {zero}: {side} it the blocs would "
                    "have reduced their spending."
                )
        out.append(f"R^2 = {self.regression.r2:.4f} over {self.regression.n} changes.")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Stable keys; see docs/richardson.md."""
        regressor = "(s[t] + s[t+1])/2" if self.regressor == "mean" else "s[t]"
        return {
            "form": self.form,
            "model": f"s[t+1]-s[t] = (k-a)*{regressor} + (g+h), s = x + y",
            "regressor": self.regressor,
            "x_name": self.series.x_name,
            "y_name": self.series.y_name,
            "unit": self.series.unit,
            "first": _num(self.series.time[0]),
            "last": _num(self.series.time[-1]),
            "n": self.regression.n,
            "dof": self.regression.dof,
            "coefficients": {e.name: e.value for e in self.regression.estimates},
            "equations": {"s": self.regression.to_dict()},
            "zero": None if self.zero is None else {"value": self.zero, "se": self.zero_se},
            "stability": {"unstable": self.k_minus_a > 0},
            "gaps": [list(map(_num, g)) for g in self.series.gaps()],
            "summary": self.summary(),
        }


def fit_bloc(series: RaceSeries, *, regressor: Literal["mean", "start"] = "mean") -> BlocFit:
    """Fit Richardson's two-bloc form to the total s = x + y."""
    _check(series)
    if regressor not in ("mean", "start"):
        raise BadInput(f"regressor must be 'mean' or 'start', not {regressor!r}")
    t = series.steps()
    if len(t) < 3:
        raise BadInput(
            f"the bloc form fits 2 coefficients and needs at least 3 yearly changes "
            f"(4 consecutive years); these data have {len(t)}"
        )
    s = series.x + series.y
    ds = s[t + 1] - s[t]
    level = (s[t] + s[t + 1]) / 2 if regressor == "mean" else s[t]
    reg = ols(
        np.column_stack([level, np.ones_like(level)]),
        ds,
        ("k_minus_a", "g_plus_h"),
        dependent="ds",
    )
    return BlocFit(series, reg, regressor)


def fit_richardson(series: RaceSeries, form: str = "dyad") -> DyadFit | BlocFit:
    """Fit either form by name."""
    if form == "dyad":
        return fit_dyad(series)
    if form == "bloc":
        return fit_bloc(series)
    raise BadInput(
        Problem(
            f"unknown form '{form}'{did_you_mean(form, RICHARDSON_FORMS)}; forms: dyad, bloc",
            path="form",
        )
    )


# --- CSV input -------------------------------------------------------------------------------


def read_series_csv(
    path: str | Path, *, time: str = "year", x: str = "x", y: str = "y"
) -> RaceSeries:
    """Read ``time, x, y`` columns from a CSV file with a header row.

    Blank lines and lines starting with ``#`` are skipped. Every problem is reported as
    ``FILE:LINE: message`` in one :class:`BadInput`.
    """
    name = str(path)
    reader = csv.reader(io.StringIO(_csv_text(path)))
    header: _Header | None = None
    problems: list[Problem] = []
    values: dict[str, list[float]] = {"time": [], "x": [], "y": []}
    rows: list[int] = []
    try:
        for line, cells in _filled_rows(reader):
            if header is None:
                header = _Header.read(cells, {"time": time, "x": x, "y": y}, name, line)
                continue
            parsed, found = header.values(cells, line)
            problems += found
            if parsed is None:
                continue
            if values["time"] and parsed["time"] <= values["time"][-1]:
                problems.append(header.unsorted(parsed["time"], values["time"][-1], rows[-1], line))
                continue
            for role in values:
                values[role].append(parsed[role])
            rows.append(line)
    except csv.Error as exc:
        problems.append(Problem(f"malformed CSV: {exc}", file=name, line=reader.line_num))
    if header is None:
        raise BadInput(Problem("the file is empty: expected a header row and data", file=name))
    if problems:
        raise BadInput(problems)
    if not rows:
        raise BadInput(Problem("no data rows after the header", file=name, line=header.line))
    return RaceSeries(
        np.array(values["time"]),
        np.array(values["x"]),
        np.array(values["y"]),
        x_name=x,
        y_name=y,
        source=name,
    )


def _csv_text(path: str | Path) -> str:
    """The text of the file at ``path`` (UTF-8, a byte-order mark dropped); a
    :class:`BadInput` naming the file when there is none or it cannot be read as text."""
    name = str(path)
    p = Path(path)
    if not p.is_file():
        raise BadInput(Problem("no such file", file=name))
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(Problem("not a UTF-8 text file", file=name)) from None
    except OSError as exc:
        raise BadInput(Problem(f"cannot read: {exc.strerror}", file=name)) from None


def _filled_rows(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """The line number and stripped cells of each row of ``reader`` (a :func:`csv.reader`)
    that is neither blank nor a ``#`` comment."""
    for row in reader:
        cells = [c.strip() for c in row]
        if any(cells) and not cells[0].startswith("#"):
            yield reader.line_num, cells


class _Header(NamedTuple):
    """The header row of a series CSV: its ``file`` and ``line``, its ``width`` (fields),
    and for each role (time, x, y) the column's index and name."""

    file: str
    line: int
    width: int
    columns: dict[str, int]
    names: dict[str, str]

    @classmethod
    def read(cls, cells: list[str], names: dict[str, str], file: str, line: int) -> _Header:
        """The header in ``cells``, with the column ``names`` of the roles; a
        :class:`BadInput` naming every column it lacks."""
        columns: dict[str, int] = {}
        problems: list[Problem] = []
        for role, col in names.items():
            if col in cells:
                columns[role] = cells.index(col)
            else:
                hint = did_you_mean(col, [h for h in cells if h])
                problems.append(
                    Problem(
                        f"no column '{col}'{hint}; the header has: {', '.join(cells)}",
                        file=file,
                        line=line,
                    )
                )
        if problems:
            raise BadInput(problems)
        return cls(file, line, len(cells), columns, names)

    def values(self, cells: list[str], line: int) -> tuple[dict[str, float] | None, list[Problem]]:
        """The numbers of the data row in ``cells`` by role, or None and the row's problems: a
        width other than the header's, or cells that are empty, not numbers or not finite."""
        if len(cells) != self.width:
            width = f"{len(cells)} fields, but the header (line {self.line}) has {self.width}"
            return None, [Problem(width, file=self.file, line=line)]
        parsed: dict[str, float] = {}
        problems: list[Problem] = []
        for role, i in self.columns.items():
            cell, col = cells[i], self.names[role]
            if cell == "":
                problems.append(Problem(f"column '{col}' is empty", file=self.file, line=line))
                continue
            try:
                value = float(cell)
            except ValueError:
                what = f"column '{col}': {cell!r} is not a number"
                problems.append(Problem(what, file=self.file, line=line))
                continue
            if not math.isfinite(value):
                what = f"column '{col}': {cell!r} is not finite"
                problems.append(Problem(what, file=self.file, line=line))
                continue
            parsed[role] = value
        return (parsed if len(parsed) == len(self.columns) else None), problems

    def unsorted(self, time: float, previous: float, previous_line: int, line: int) -> Problem:
        """The problem of a row at ``line`` whose ``time`` does not come after the
        ``previous`` row's (at ``previous_line``)."""
        column = self.names["time"]
        what = "repeats" if time == previous else "comes before"
        return Problem(
            f"{column} {_num(time)} {what} {_num(previous)} (line {previous_line}): sort "
            f"the rows by {column}, one row per {column}",
            file=self.file,
            line=line,
        )


# --- COW data and the built-in replications --------------------------------------------------


def nmc_series(
    x_ccodes: Sequence[int],
    y_ccodes: Sequence[int],
    start: int,
    end: int,
    *,
    scale: float = 1.0,
    x_name: str = "x",
    y_name: str = "y",
    unit: str = "",
) -> RaceSeries:
    """Yearly COW NMC military expenditure summed over each side's states, times ``scale``.

    COW ``milex`` is in thousands of current pounds sterling to 1913 and of current US dollars
    from 1914, so a window may not straddle 1913/1914. Missing values (empty, or COW's -9) are
    errors naming the state and year.
    """
    from ..data import nmc

    if end < start:
        raise BadInput(f"end year {end} is before start year {start}")
    if start <= 1913 < end:
        raise BadInput(
            "COW milex is in pounds sterling to 1913 and in US dollars from 1914: choose a "
            "window on one side of 1913/1914"
        )
    frame = nmc()
    first, last = int(frame.year.min()), int(frame.year.max())
    if start < first or end > last:
        raise BadInput(f"COW NMC covers {first}-{last}; {start}-{end} is outside it")
    years = np.arange(start, end + 1)
    sub = frame[frame.ccode.isin([*x_ccodes, *y_ccodes]) & frame.year.between(start, end)]
    table = sub.pivot_table(index="year", columns="ccode", values="milex", aggfunc="first")
    table = table.reindex(index=years, columns=sorted({*x_ccodes, *y_ccodes}))
    values = table.to_numpy(dtype=float)
    missing = ~np.isfinite(values) | (values < 0)
    if missing.any():
        bad = [
            f"{int(table.columns[j])} in {int(table.index[i])}"
            for i, j in zip(*np.nonzero(missing), strict=True)
        ]
        raise BadInput(
            "COW NMC has no milex for " + ", ".join(bad[:10]) + (" ..." if len(bad) > 10 else "")
        )
    x = table[list(x_ccodes)].to_numpy(dtype=float).sum(axis=1) * scale
    y = table[list(y_ccodes)].to_numpy(dtype=float).sum(axis=1) * scale
    return RaceSeries(years.astype(float), x, y, x_name, y_name, unit, "COW NMC milex")


@dataclass(frozen=True)
class ReplicationSpec:
    """A built-in replication: two sides (COW codes), a window and a default form."""

    name: str
    title: str
    x_name: str
    x_ccodes: tuple[int, ...]
    y_name: str
    y_ccodes: tuple[int, ...]
    start: int
    end: int
    form: RichardsonForm
    scale: float
    unit: str
    note: str


REPLICATIONS: dict[str, ReplicationSpec] = {
    r.name: r
    for r in (
        ReplicationSpec(
            "1909-1913",
            "Richardson's two blocs before the First World War, 1909-1913",
            "France+Russia",
            (220, 365),
            "Germany+Austria-Hungary",
            (255, 300),
            1909,
            1913,
            "bloc",
            1e-3,
            "million GBP (current)",
            "COW NMC milex before 1914 is in thousands of current pounds sterling; shown in "
            "millions. Richardson used his own compilation of defence budgets, so the totals "
            "differ somewhat from his.",
        ),
        ReplicationSpec(
            "us-ussr",
            "United States and Soviet Union, 1948-1988",
            "United States",
            (2,),
            "Soviet Union",
            (365,),
            1948,
            1988,
            "dyad",
            1e-6,
            "billion USD (current)",
            "COW NMC milex in thousands of current US dollars, shown in billions. The window "
            "ends in 1988: the COW Soviet series falls 62% from 1988 to 1989, a break in the "
            "estimates rather than a cut of that size. Nominal dollars: inflation adds a trend.",
        ),
    )
}


@dataclass(frozen=True)
class Replication:
    """A built-in replication run: its specification, the data and the fit."""

    spec: ReplicationSpec
    series: RaceSeries
    fit: DyadFit | BlocFit

    def to_dict(self) -> dict[str, Any]:
        """Stable keys: name, title, note, data, fit."""
        return {
            "name": self.spec.name,
            "title": self.spec.title,
            "note": self.spec.note,
            "x_ccodes": list(self.spec.x_ccodes),
            "y_ccodes": list(self.spec.y_ccodes),
            "data": self.series.to_dict(),
            "fit": self.fit.to_dict(),
        }


def replicate(
    name: str, *, form: str | None = None, start: int | None = None, end: int | None = None
) -> Replication:
    """Run a built-in replication (``REPLICATIONS``) on the shipped COW NMC data."""
    if name not in REPLICATIONS:
        raise BadInput(
            Problem(
                f"unknown replication '{name}'{did_you_mean(name, REPLICATIONS)}; built-in: "
                + ", ".join(REPLICATIONS),
                path="builtin",
            )
        )
    spec = REPLICATIONS[name]
    series = nmc_series(
        spec.x_ccodes,
        spec.y_ccodes,
        spec.start if start is None else start,
        spec.end if end is None else end,
        scale=spec.scale,
        x_name=spec.x_name,
        y_name=spec.y_name,
        unit=spec.unit,
    )
    return Replication(spec, series, fit_richardson(series, form or spec.form))

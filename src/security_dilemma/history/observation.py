"""The observation model: from what the simulation says to the probability of a coded fact.

The engine gives every observable a **latent** quantity per replicate: a change over its
period, a hazard or a level (:data:`security_dilemma.engine.predict.KINDS`). Its mean over
the replicates becomes a covariate ``x`` (the logit of a hazard or a level, the asinh of a
change), and a **link** per kind turns it into a probability:

    logit p = a_k + (b + d_k) (x - c_k)

with ``c_k`` the mean covariate of the kind's training observables, ``a_k`` the kind's
intercept, ``b`` a slope shared by every kind and ``d_k`` the kind's departure from it. The
coefficients are fitted on past observables only (:func:`fit_link`) by maximum a posteriori
under weak Gaussian priors, so that a training set of a dozen observables stays sane:
``a_k ~ N(a_0, 1.5²)`` around the logit of the Laplace rate of all training outcomes,
``b ~ N(0, 1)`` (the lens must earn its slope), ``d_k ~ N(0, 0.5²)``. A kind with no training
observable gets ``logit p = a_0``: the overall rate. With a slope of 0 the link is a
per-kind base rate, so the lens's skill over climatology measures what its latent adds.

Observables may name an **institution** of the case as actor or counterpart: its members on
the period's last day stand in for it, and the latent and the raw indicator are averaged over
the (member, counterpart) pairs. An observable naming a state the case does not simulate is
skipped, with a note.

docs/backtesting.md explains the model and its defaults.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

    from ..engine import Result
    from ..scenario.schema import Case, Observable

__all__ = [
    "Link",
    "LinkPrior",
    "Observed",
    "fit_link",
    "observe",
    "resolve",
    "ridge_logistic",
]

Floats = npt.NDArray[np.float64]


# --- the regression both the link and the statistical baseline use --------------------------

_BLAS_LOCK = threading.Lock()


@cache
def _blas() -> ThreadpoolController:
    """The BLAS libraries loaded (numpy's and scipy's OpenBLAS), found once: after scipy's
    optimiser is imported."""
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run a small linear-algebra problem on one BLAS thread. OpenBLAS's threads only cost
    there: on a loaded machine a link's fit takes some 40 ms with them and 1 ms without. The
    thread count is the process's, so the threads that fit at once take turns (a fit is
    short)."""
    with _BLAS_LOCK, _blas().limit(limits=1, user_api="blas"):
        yield


def ridge_logistic(
    design: Sequence[Sequence[float]] | Floats,
    outcomes: Sequence[float] | Floats,
    mean: Sequence[float] | Floats,
    sd: Sequence[float] | Floats,
) -> Floats:
    """Coefficients of a logistic regression with independent Gaussian priors
    ``N(mean, sd²)``: the maximum of the posterior (L-BFGS-B, exact gradient; the objective
    is convex, so the optimum is unique and does not depend on the start), on one BLAS thread
    (:func:`one_blas_thread`).

    >>> ridge_logistic([[1.0], [1.0], [1.0]], [1, 1, 0], [0.0], [100.0]).round(3).tolist()
    [0.693]
    """
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    x = np.asarray(design, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64).ravel()
    mu = np.asarray(mean, dtype=np.float64).ravel()
    s2 = np.asarray(sd, dtype=np.float64).ravel() ** 2
    if x.ndim != 2 or x.shape != (y.size, mu.size) or s2.shape != mu.shape:
        raise ValueError(f"design {x.shape} does not match {y.size} outcomes and {mu.size} priors")

    def objective(beta: Floats) -> tuple[float, Floats]:
        z = x @ beta
        nll = -float((y * log_expit(z) + (1.0 - y) * log_expit(-z)).sum())
        gap = beta - mu
        grad: Floats = x.T @ (expit(z) - y) + gap / s2
        return nll + float((gap**2 / (2.0 * s2)).sum()), grad

    with one_blas_thread():
        fit = minimize(
            objective,
            mu.copy(),
            jac=True,
            method="L-BFGS-B",
            options={"gtol": 1e-10, "ftol": 1e-14},
        )
    out: Floats = np.asarray(fit.x, dtype=np.float64)
    return out


def laplace_logit(outcomes: Sequence[bool] | Sequence[float]) -> float:
    """Logit of the Laplace rate ``(m + 1) / (n + 2)`` of the outcomes."""
    n, m = len(outcomes), float(sum(outcomes))
    r = (m + 1.0) / (n + 2.0)
    return math.log(r / (1.0 - r))


def _expit(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


# --- the link ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkPrior:
    """Standard deviations of the link's Gaussian priors (module docstring)."""

    intercept_sd: float = 1.5
    slope_sd: float = 1.0
    kind_slope_sd: float = 0.5


@dataclass(frozen=True)
class Link:
    """A fitted link: ``logit p = a_k + (b + d_k)(x - c_k)`` for a kind seen in training,
    ``base`` (a_0) for another."""

    base: float
    intercepts: Mapping[str, float]
    slope: float
    kind_slopes: Mapping[str, float]
    centres: Mapping[str, float]
    n: int
    occurred: int
    prior: LinkPrior = field(default_factory=LinkPrior)

    def logit(self, kind: str, covariate: float) -> float:
        """The link's log-odds for one observable."""
        if kind not in self.intercepts:
            return self.base
        slope = self.slope + self.kind_slopes[kind]
        return self.intercepts[kind] + slope * (covariate - self.centres[kind])

    def probability(self, kind: str, covariate: float) -> float:
        """The link's probability for one observable."""
        return _expit(self.logit(kind, covariate))

    def coefficients(self) -> dict[str, float]:
        """Every fitted number by name (``a:KIND``, ``b``, ``d:KIND``, ``c:KIND``, ``a0``)."""
        out = {"a0": self.base, "b": self.slope}
        for k in sorted(self.intercepts):
            out[f"a:{k}"] = self.intercepts[k]
            out[f"d:{k}"] = self.kind_slopes[k]
            out[f"c:{k}"] = self.centres[k]
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "n": self.n,
            "occurred": self.occurred,
            "base": self.base,
            "slope": self.slope,
            "kinds": {
                k: {
                    "intercept": self.intercepts[k],
                    "slope": self.slope + self.kind_slopes[k],
                    "centre": self.centres[k],
                }
                for k in sorted(self.intercepts)
            },
            "prior_sd": {
                "intercept": self.prior.intercept_sd,
                "slope": self.prior.slope_sd,
                "kind_slope": self.prior.kind_slope_sd,
            },
        }


def fit_link(
    kinds: Sequence[str],
    covariates: Sequence[float],
    outcomes: Sequence[bool],
    prior: LinkPrior = LinkPrior(),
) -> Link:
    """Fit the link on training observables (their kinds, covariates and outcomes).

    >>> link = fit_link(["crisis"] * 4, [-3.0, -2.0, -1.0, 0.0], [False, False, True, True])
    >>> link.slope > 0, link.probability("crisis", 0.0) > link.probability("crisis", -3.0)
    (True, True)
    >>> round(link.probability("war", 5.0), 3) == round(_expit(link.base), 3)  # unseen kind
    True
    """
    if not (len(kinds) == len(covariates) == len(outcomes)):
        raise ValueError("kinds, covariates and outcomes must have the same length")
    names = sorted(set(kinds))
    where = {k: i for i, k in enumerate(names)}
    x = np.asarray(covariates, dtype=np.float64)
    y = np.asarray(outcomes, dtype=np.float64)
    group = np.array([where[k] for k in kinds], dtype=np.intp)
    centres = {k: float(x[group == i].mean()) for k, i in where.items()}
    centred = x - np.array([centres[k] for k in kinds]) if len(kinds) else x
    a0 = laplace_logit(list(outcomes))
    m = len(names)
    design = np.zeros((y.size, 2 * m + 1))
    rows = np.arange(y.size)
    design[rows, group] = 1.0
    design[:, m] = centred
    design[rows, m + 1 + group] = centred
    mean = np.concatenate([np.full(m, a0), np.zeros(m + 1)])
    sd = np.concatenate(
        [np.full(m, prior.intercept_sd), [prior.slope_sd], np.full(m, prior.kind_slope_sd)]
    )
    beta = ridge_logistic(design, y, mean, sd) if y.size else mean
    return Link(
        base=a0,
        intercepts={k: float(beta[i]) for k, i in where.items()},
        slope=float(beta[m]),
        kind_slopes={k: float(beta[m + 1 + i]) for k, i in where.items()},
        centres=centres,
        n=int(y.size),
        occurred=int(y.sum()),
        prior=prior,
    )


# --- the latent of each observable in a run ---------------------------------------------------


@dataclass(frozen=True)
class Observed:
    """One observable as a run sees it: its latent's ``type``, ``mean`` over the replicates
    and ``covariate``; ``raw``, the share of replicates where its indicator is on; ``pairs``,
    the (actor, counterpart) pairs averaged (more than one for an institution)."""

    id: str
    kind: str
    type: str
    mean: float
    covariate: float
    raw: float
    pairs: int


def resolve(
    observable: Observable, case: Case, actors: Sequence[str]
) -> tuple[list[tuple[str, str | None]], str | None]:
    """The (actor, counterpart) pairs of simulated states that stand for an observable, or
    no pairs and the reason: an institution stands for its members on the period's last day;
    an id that is neither a simulated state nor an institution of the case is not simulated.

    >>> from security_dilemma.scenario import load_case
    >>> from security_dilemma.scenario.schema import Observable
    >>> case = load_case("bmd-europe")
    >>> o = Observable(id="x", kind="opposes", actor="RUS", counterpart="NATO", start=2008,
    ...                end=2008, occurred=True, source="seed-article")
    >>> pairs, why = resolve(o, case, case.actor_ids())
    >>> ("RUS", "USA") in pairs, ("RUS", "RUS") in pairs, why
    (True, False, None)
    """
    from ..scenario.timeline import timeline

    known = set(actors)
    institutions = {i.id for i in case.institutions}
    members: dict[str, frozenset[str]] = {}
    if {observable.actor, observable.counterpart} & institutions:
        members = dict(timeline(case).at(observable.end).members)

    def side(who: str | None) -> tuple[list[str | None], str | None]:
        if who is None or who in known:
            return [who], None
        if who in institutions:
            inside = sorted(a for a in members.get(who, frozenset()) if a in known)
            if not inside:
                return [], f"institution '{who}' has no simulated member on {observable.end}"
            return list(inside), None
        return [], f"'{who}' is not a state this case simulates"

    left, why = side(observable.actor)
    right, why_right = side(observable.counterpart)
    if why or why_right:
        return [], why or why_right
    pairs = [(a, b) for a in left if a is not None for b in right if a != b]
    if not pairs:
        return [], "no pair of distinct simulated states stands for it"
    return pairs, None


def observe(
    result: Result, case: Case, observables: Sequence[Observable]
) -> tuple[dict[str, Observed], tuple[str, ...]]:
    """Each observable's latent and raw prediction in a run kept with ``keep_replicates``,
    and notes on those skipped (states the case does not simulate)."""
    from ..engine.predict import compile_observable, indicator, latent

    values = result.replicate_values
    if values is None:
        raise BadInput(
            Problem("the observation model needs keep_replicates=True", path="keep_replicates")
        )

    def series(cell: int) -> npt.NDArray[np.float32]:
        return values[:, cell, :]

    out: dict[str, Observed] = {}
    notes = []
    for o in observables:
        pairs, why = resolve(o, case, result.actors)
        if why is not None:
            notes.append(f"{o.id} not predicted: {why}")
            continue
        specs = [
            compile_observable(
                o.model_copy(update={"actor": a, "counterpart": b}),
                result.actors,
                result.dates,
                result.span_end,
            )
            for a, b in pairs
        ]
        latents = [latent(s, result.layout, series) for s in specs]
        spec = latents[0].spec
        mean = float(np.mean([z.values for z in latents], axis=0).mean())
        raw = float(np.mean([indicator(s, result.layout, series).mean() for s in specs]))
        out[o.id] = Observed(o.id, o.kind, spec.type, mean, spec.covariate(mean), raw, len(pairs))
    return out, tuple(notes)

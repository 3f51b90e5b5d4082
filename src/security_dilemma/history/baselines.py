"""Baselines a forecast must beat, each fitted at an origin on the observables that ended
before it (docs/backtesting.md).

* **climatology**: the base rate of the kind among the training observables, shrunk towards the
  overall rate (:func:`~security_dilemma.history.scoring.climatology_rate`);
* **persistence**: the last observed outcome of the same series (kind, actor, counterpart)
  before the origin, 1 or 0; climatology for a series never observed before it;
* **softened persistence**: ``w * last + (1 - w) * climatology``, with ``w`` the least-squares
  weight on the training observables that have an earlier observation of their series, under
  a ridge of one pseudo-observation towards 0.5;
* **statistical**: a logistic regression on the record's own covariates (a ridge prior on each
  coefficient, :func:`~security_dilemma.history.observation.ridge_logistic`): an intercept,
  one term per kind, the lagged outcome of the same series (+1 happened, -1 did not, 0 none
  before) and the years from the origin to the observable's start.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from .observation import laplace_logit, ridge_logistic
from .scoring import climatology, climatology_rate

__all__ = [
    "BASELINES",
    "STATISTICAL_MODEL",
    "BaselineFit",
    "Coded",
    "SeriesKey",
    "fit_baselines",
    "series_key",
]

BASELINES = ("climatology", "persistence", "softened", "statistical")
"""The baselines' names, in the order they are shown."""

STATISTICAL_MODEL = (
    "penalised logistic regression on the record: intercept (prior N(logit of the training "
    "rate, 1.5²)), one term per kind (N(0, 1)), the lagged outcome of the same series (+1, -1, "
    "0 if none before; N(0, 1)) and the years from the origin to the observable's start "
    "(N(0, 0.2²))"
)

SOFTENING_PRIOR = 0.5
"""Softened persistence's weight on the last outcome before any training evidence; the fit
shrinks towards it by one pseudo-observation."""

SeriesKey = tuple[str, str, str | None]


class Coded(Protocol):
    """What the baselines read of an observable (a case's ``Observable`` has it all)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def counterpart(self) -> str | None: ...
    @property
    def start(self) -> dt.date: ...
    @property
    def end(self) -> dt.date: ...
    @property
    def occurred(self) -> bool: ...


def series_key(o: Coded) -> SeriesKey:
    """The series an observable belongs to: its kind, actor and counterpart."""
    return (o.kind, o.actor, o.counterpart)


def _order(o: Coded) -> tuple[dt.date, dt.date, str]:
    return (o.end, o.start, o.id)


def _last_before(history: Sequence[Coded], day: dt.date) -> dict[SeriesKey, bool]:
    """Each series' last outcome among ``history`` observables that ended before ``day``."""
    out: dict[SeriesKey, bool] = {}
    for o in sorted((h for h in history if h.end < day), key=_order):
        out[series_key(o)] = bool(o.occurred)
    return out


def _lag(last: Mapping[SeriesKey, bool], o: Coded) -> float:
    key = series_key(o)
    return 0.0 if key not in last else (1.0 if last[key] else -1.0)


@dataclass(frozen=True)
class BaselineFit:
    """The baselines fitted at ``origin`` (module docstring)."""

    origin: dt.date
    kind_counts: Mapping[str, tuple[int, int]]
    """Per kind: training observables and how many happened."""
    n: int
    occurred: int
    last: Mapping[SeriesKey, bool]
    softening: float
    statistical_kinds: tuple[str, ...]
    statistical: tuple[float, ...]
    """Intercept, one term per kind of ``statistical_kinds``, lag, years."""

    def climatology(self, kind: str) -> float:
        """The kind's base rate at the origin."""
        n_k, m_k = self.kind_counts.get(kind, (0, 0))
        return climatology_rate(n_k, m_k, self.n, self.occurred)

    def persistence(self, o: Coded) -> float:
        """The series' last outcome before the origin (climatology for a new series)."""
        key = series_key(o)
        return float(self.last[key]) if key in self.last else self.climatology(o.kind)

    def softened(self, o: Coded) -> float:
        """Persistence shrunk towards climatology."""
        c = self.climatology(o.kind)
        key = series_key(o)
        return c if key not in self.last else c + self.softening * (float(self.last[key]) - c)

    def statistical_p(self, o: Coded) -> float:
        """The statistical model's probability."""
        row = _design_row(self.statistical_kinds, o, _lag(self.last, o), self.origin)
        z = float(np.dot(row, self.statistical))
        return float(1.0 / (1.0 + np.exp(-z)))

    def forecasts(self, o: Coded) -> dict[str, float]:
        """Every baseline's probability for an observable after the origin."""
        return {
            "climatology": self.climatology(o.kind),
            "persistence": self.persistence(o),
            "softened": self.softened(o),
            "statistical": self.statistical_p(o),
        }

    def coefficients(self) -> dict[str, float]:
        """Every fitted number by name."""
        out = {f"climatology:{k}": self.climatology(k) for k in sorted(self.kind_counts)}
        out["softening"] = self.softening
        names = ["intercept", *(f"kind:{k}" for k in self.statistical_kinds), "lag", "years"]
        out |= {f"statistical:{n}": v for n, v in zip(names, self.statistical, strict=True)}
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "origin": self.origin.isoformat(),
            "train": self.n,
            "occurred": self.occurred,
            "climatology": {k: self.climatology(k) for k in sorted(self.kind_counts)},
            "series_seen": len(self.last),
            "softening": self.softening,
            "statistical": {
                k.removeprefix("statistical:"): v
                for k, v in self.coefficients().items()
                if k.startswith("statistical:")
            },
        }


def _design_row(kinds: Sequence[str], o: Coded, lag: float, origin: dt.date) -> list[float]:
    return [
        1.0,
        *(1.0 if o.kind == k else 0.0 for k in kinds),
        lag,
        float(o.start.year - origin.year),
    ]


def _softening(train: Sequence[Coded]) -> float:
    """Least-squares weight on the last outcome, ridge towards :data:`SOFTENING_PRIOR`."""
    if not train:
        return SOFTENING_PRIOR
    clim = climatology([o.kind for o in train], [o.occurred for o in train])
    num, den = SOFTENING_PRIOR, 1.0
    for o, c in zip(train, clim, strict=True):
        last = _last_before(train, o.start)
        key = series_key(o)
        if key in last:
            gap = float(last[key]) - c
            num += (float(o.occurred) - c) * gap
            den += gap * gap
    return float(min(max(num / den, 0.0), 1.0))


def fit_baselines(train: Sequence[Coded], origin: dt.date) -> BaselineFit:
    """Fit every baseline on ``train``, the observables that ended before ``origin``.

    >>> import datetime as dt
    >>> from types import SimpleNamespace as O
    >>> rows = [O(id=f"t{y}", kind="tests", actor="IRN", counterpart=None,
    ...           start=dt.date(y, 1, 1), end=dt.date(y, 12, 31), occurred=True)
    ...         for y in (2001, 2002)]
    >>> fit = fit_baselines(rows, dt.date(2003, 1, 1))
    >>> nxt = O(id="t2003", kind="tests", actor="IRN", counterpart=None,
    ...         start=dt.date(2003, 1, 1), end=dt.date(2003, 12, 31), occurred=False)
    >>> fit.persistence(nxt), round(fit.climatology("tests"), 3)
    (1.0, 0.917)
    """
    late = [o for o in train if o.end >= origin]
    if late:
        raise ValueError(f"training observable {late[0].id} ends after the origin {origin}")
    counts: dict[str, tuple[int, int]] = {}
    for o in train:
        n_k, m_k = counts.get(o.kind, (0, 0))
        counts[o.kind] = (n_k + 1, m_k + int(o.occurred))
    kinds = tuple(sorted(counts))
    design = [_design_row(kinds, o, _lag(_last_before(train, o.start), o), origin) for o in train]
    a0 = laplace_logit([o.occurred for o in train])
    mean = [a0, *([0.0] * len(kinds)), 0.0, 0.0]
    sd = [1.5, *([1.0] * len(kinds)), 1.0, 0.2]
    y = [float(o.occurred) for o in train]
    coef = ridge_logistic(design, y, mean, sd) if train else np.asarray(mean)
    return BaselineFit(
        origin=origin,
        kind_counts=counts,
        n=len(train),
        occurred=sum(int(o.occurred) for o in train),
        last=_last_before(train, origin),
        softening=_softening(train),
        statistical_kinds=kinds,
        statistical=tuple(float(c) for c in coef),
    )

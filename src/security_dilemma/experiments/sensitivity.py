"""Global sensitivity analysis with SALib: Sobol' indices and Morris elementary effects.

A sensitivity run is a plan whose points are SALib's sample of the parameter box, stored and
resumed like any sweep. Its output ``Y`` at each point is the mean over replicates of one
stored final-step metric (an :class:`Output`). Every replicate ``r``
uses the same random stream at every point (common random numbers), so for a fixed set of
replicates ``Y`` is a deterministic function of the parameters, which is what the indices
decompose.

The plumbing is checked against SALib's Ishigami function, whose indices are known:

>>> import numpy as np
>>> from SALib.test_functions import Ishigami
>>> bounds = parameter_bounds({f"x{i}": (-np.pi, np.pi) for i in (1, 2, 3)})
>>> X = sample("sobol", bounds, 1024, seed=1)
>>> idx = analyze("sobol", bounds, X, Ishigami.evaluate(X), seed=1)
>>> s1 = idx[idx["index"] == "S1"].set_index("parameter")["value"]
>>> [round(float(s1[n]), 2) for n in ("x1", "x2", "x3")]
[0.32, 0.44, 0.0]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._deprecation import renamed_keyword
from .._output import atomic_path
from ..errors import BadInput, Problem, did_you_mean
from ..limits import MAX_POINTS, check_count, check_plan
from ..scenario import Case, load_case
from .model import EngineModel, check_metrics
from .params import Bound, LensSetting, Point, Ranges, check_names, lens_label, parameter_bounds
from .plan import Plan, default_chunk_size

__all__ = [
    "METHODS",
    "Output",
    "analyze",
    "plot_indices",
    "points_from_sample",
    "salib_problem",
    "sample",
    "sensitivity_plan",
]

METHODS = ("sobol", "morris")
Method = Literal["sobol", "morris"]


@dataclass(frozen=True, slots=True)
class Output:
    """A scalar output: one metric of one actor (and counterpart) at the final step."""

    metric: str
    actor: str = ""
    counterpart: str = ""

    def __str__(self) -> str:
        parts = [self.metric, self.actor, self.counterpart]
        while parts and not parts[-1]:
            parts.pop()
        return ":".join(parts)


def salib_problem(bounds: Sequence[Bound]) -> dict[str, Any]:
    """SALib's problem dictionary for these bounds."""
    return {
        "num_vars": len(bounds),
        "names": [b.name for b in bounds],
        "bounds": [[b.low, b.high] for b in bounds],
    }


def _check_dimensions(bounds: Sequence[Bound], path: str) -> None:
    if len(bounds) < 2:
        raise BadInput(Problem("sensitivity needs at least two parameter ranges", path=path))


def _check_samples(method: str, samples: int, dimensions: int) -> int:
    if method not in METHODS:
        raise BadInput(
            Problem(
                f"unknown method '{method}'{did_you_mean(method, METHODS)}; methods: sobol, morris",
                path="method",
            )
        )
    samples = check_count(samples, "samples", maximum=MAX_POINTS)
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        need = "a power of 2 (Sobol' sequences)" if method == "sobol" else "at least 2"
        raise BadInput(Problem(f"the base sample must be {need}, got {samples}", path="samples"))
    points = samples * (2 * dimensions + 2 if method == "sobol" else dimensions + 1)
    if points > MAX_POINTS:
        raise BadInput(
            Problem(
                f"{samples:,} base samples of {dimensions} parameters make {points:,} points, "
                f"more than the limit of {MAX_POINTS:,}",
                path="samples",
            )
        )
    return samples


def sample(
    method: str, bounds: Sequence[Bound], samples: int, *, seed: int = 0, levels: int = 4
) -> np.ndarray:
    """SALib's sample of ``samples`` base samples: Saltelli-Sobol' (``samples * (2D + 2)``
    rows) or Morris (``samples * (D + 1)``, ``samples`` trajectories)."""
    _check_dimensions(bounds, "bounds")
    samples = _check_samples(method, samples, len(bounds))
    problem = salib_problem(bounds)
    if method == "sobol":
        from SALib.sample import sobol

        return np.asarray(sobol.sample(problem, samples, calc_second_order=True, seed=seed))
    from SALib.sample import morris

    return np.asarray(morris.sample(problem, samples, num_levels=levels, seed=seed))


def points_from_sample(x: np.ndarray, bounds: Sequence[Bound], lens: str = "") -> tuple[Point, ...]:
    """One point per sample row, values in bound order."""
    names = [b.name for b in bounds]
    return tuple(
        Point(tuple((name, float(v)) for name, v in zip(names, row, strict=True)), lens)
        for row in x
    )


def analyze(
    method: str,
    bounds: Sequence[Bound],
    x: np.ndarray,
    y: np.ndarray,
    *,
    seed: int = 0,
    conf_level: float = 0.95,
    resamples: int = 1000,
    levels: int = 4,
) -> pd.DataFrame:
    """Indices as a tidy frame: ``index, parameter, parameter2, value, conf``.

    Sobol': ``S1``, ``ST`` and ``S2`` (pairs in ``parameter``/``parameter2``). Morris: ``mu``,
    ``mu_star`` (with ``conf``) and ``sigma``. ``conf`` is the half-width of the bootstrap
    confidence interval at ``conf_level`` (NaN where SALib gives none).
    """
    problem = salib_problem(bounds)
    y = np.asarray(y, dtype=float)
    if not np.all(np.isfinite(y)):
        raise ValueError("the output has missing or infinite values at some points")
    names = [b.name for b in bounds]
    rows: list[tuple[str, str, str, float, float]] = []
    if method == "sobol":
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem,
            y,
            calc_second_order=True,
            num_resamples=resamples,
            conf_level=conf_level,
            seed=seed + 1,  # SALib ignores a seed of 0 (``if seed:``): shift, never 0
        )
        for key in ("S1", "ST"):
            rows += [
                (key, n, "", float(res[key][i]), float(res[f"{key}_conf"][i]))
                for i, n in enumerate(names)
            ]
        for i, a in enumerate(names):
            for j in range(i + 1, len(names)):
                rows.append(
                    ("S2", a, names[j], float(res["S2"][i, j]), float(res["S2_conf"][i, j]))
                )
    else:
        from SALib.analyze import morris

        res = morris.analyze(
            problem,
            x,
            y,
            num_resamples=resamples,
            conf_level=conf_level,
            num_levels=levels,
            seed=seed,
        )
        for i, n in enumerate(names):
            rows.append(("mu", n, "", float(res["mu"][i]), float("nan")))
            rows.append(("mu_star", n, "", float(res["mu_star"][i]), float(res["mu_star_conf"][i])))
            rows.append(("sigma", n, "", float(res["sigma"][i]), float("nan")))
    return pd.DataFrame(rows, columns=["index", "parameter", "parameter2", "value", "conf"])


def sensitivity_plan(
    case: Case | str,
    parameters: Ranges,
    *,
    method: str = "sobol",
    samples: int = 256,
    lens: LensSetting = None,
    replicates: int = 20,
    seed: int = 0,
    chunk_size: int | None = None,
    metrics: Sequence[str] = (),
    levels: int = 4,
    restraint: bool = True,
    counterfactual: bool | None = None,
) -> tuple[Plan, list[Bound], np.ndarray]:
    """A plan over SALib's sample of the box of ``parameters`` (``{name: (low, high)}`` or
    :class:`~.params.Bound` records), with the bounds (sorted by name) and the sample;
    ``restraint=False`` runs without the restraint copies (``counterfactual`` is its old name,
    deprecated).

    >>> plan, bounds, x = sensitivity_plan(
    ...     "bmd-europe", {"offence_dominance": (0.1, 0.9), "distinguishability": (0, 1)},
    ...     method="morris", samples=4, replicates=2)
    >>> [b.name for b in bounds], x.shape, len(plan.points)
    (['distinguishability', 'offence_dominance'], (12, 2), 12)
    """
    restraint = renamed_keyword(
        "sensitivity_plan", "counterfactual", counterfactual, "restraint", restraint, default=True
    )
    c = load_case(case)
    check_metrics(metrics, restraint=restraint)
    problems: list[Problem] = []
    bounds: list[Bound] = []
    try:
        bounds = list(parameter_bounds(parameters))
    except BadInput as exc:
        problems += exc.problems
    try:
        levels = check_count(levels, "levels", minimum=2, maximum=MAX_POINTS)
    except BadInput as exc:
        problems += exc.problems
    if problems:
        raise BadInput(problems)
    _check_dimensions(bounds, "parameters")
    check_names(c, {b.name: (b.low, b.high) for b in bounds})
    label = lens_label(c, lens)
    samples = _check_samples(method, samples, len(bounds))
    points = samples * (2 * len(bounds) + 2 if method == "sobol" else len(bounds) + 1)
    replicates, seed, chunk_size = check_plan(
        len(c.actors), c.span.steps, points, replicates, seed, chunk_size
    )
    model = EngineModel(c, tuple(sorted(set(metrics))), restraint)
    chunk = chunk_size or default_chunk_size(replicates)
    model.check_memory(chunk)
    x = sample(method, bounds, samples, seed=seed, levels=levels)
    plan = Plan(
        model=model,
        points=points_from_sample(x, bounds, label),
        replicates=replicates,
        seed=seed,
        chunk_size=chunk,
        kind="sensitivity",
        spec={
            "method": method,
            "samples": samples,
            "levels": levels if method == "morris" else None,
            "bounds": [[b.name, b.low, b.high] for b in bounds],
            "lens": label,
        },
    )
    return plan, bounds, x


def plot_indices(indices: pd.DataFrame, path: str | Path, *, title: str = "") -> Path:
    """A bar chart of the indices with confidence-interval error bars (PNG, SVG or PDF)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    first = indices[indices["parameter2"] == ""]
    if "S1" in set(first["index"]):
        shown, labels = ["S1", "ST"], ["first order $S_1$", "total $S_T$"]
        xlabel = "Sobol' index (share of output variance)"
    else:
        shown, labels = ["mu_star", "sigma"], ["$\\mu^*$ (mean |effect|)", "$\\sigma$ (spread)"]
        xlabel = "Morris elementary effect (output units)"
    params = sorted(set(first["parameter"]))
    height = 0.8 / len(shown)
    fig, ax = plt.subplots(figsize=(7.5, 1.2 + 0.7 * len(params)), layout="constrained")
    ypos = np.arange(len(params))
    for k, (key, label) in enumerate(zip(shown, labels, strict=True)):
        sub = first[first["index"] == key].set_index("parameter").reindex(params)
        conf = sub["conf"].to_numpy(dtype=float)
        ax.barh(
            ypos + (k - (len(shown) - 1) / 2) * height,
            sub["value"].to_numpy(dtype=float),
            height=height,
            xerr=None if np.all(np.isnan(conf)) else np.nan_to_num(conf),
            capsize=3,
            label=label,
        )
    ax.set_yticks(ypos, params)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title, fontsize="medium")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=150)
    plt.close(fig)
    return path

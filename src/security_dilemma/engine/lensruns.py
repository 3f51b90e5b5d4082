"""One run per lens: what ``dilemma run --lens all`` does, in Python.

:func:`~security_dilemma.engine.simulate` runs one lens assignment (one lens for every actor,
``{actor: lens}``, or the case's own). :func:`simulate_lenses` runs several, with the same seed
(common random numbers across lenses), and speaks the command line's vocabulary: lens names,
``"all"`` (every lens) and ``"case"`` (each actor's lens from the case).

>>> from security_dilemma.engine import simulate_lenses
>>> runs = simulate_lenses("cuban-missile-crisis", "realism,case", replicates=4)
>>> list(runs), runs["case"].lens
(['realism', 'case'], 'pyramid')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadInput, Problem, did_you_mean

if TYPE_CHECKING:
    from ..scenario.schema import Case
    from .result import Result

__all__ = ["ALL", "CASE", "lens_list", "simulate_lenses"]

ALL = "all"
"""Every lens, one run each."""
CASE = "case"
"""Each actor's lens from the case (the default lens when the case names none)."""


def lens_list(lenses: str | Sequence[str], *, path: str = "lenses") -> list[str]:
    """The runs asked for: lens names, ``case``, and ``all`` expanded, each once, in order.
    A string may list several, comma-separated. Unknown names are one problem each, named once.

    >>> lens_list("all")
    ['realism', 'liberalism', 'constructivism', 'pyramid']
    >>> lens_list(["pyramid", "realism,pyramid"])
    ['pyramid', 'realism']
    """
    from ..lenses import lens_names

    names = list(lens_names())
    items = [lenses] if isinstance(lenses, str) else list(lenses)
    words = [w.strip() for item in items for w in str(item).split(",") if w.strip()]
    problems: list[Problem] = []
    out: list[str] = []
    for word in words:
        if word == ALL:
            out += names
        elif word == CASE or word in names:
            out.append(word)
        else:
            choices = [*names, ALL, CASE]
            problems.append(
                Problem(
                    f"unknown lens '{word}'{did_you_mean(word, choices)}; lenses: "
                    + ", ".join(choices),
                    path=path,
                )
            )
    if not words:
        problems.append(Problem(f"give lens names, '{ALL}' or '{CASE}'", path=path))
    if problems:
        raise BadInput(list(dict.fromkeys(problems)))
    return list(dict.fromkeys(out))


def simulate_lenses(
    case: Case | str | Path,
    lenses: str | Sequence[str] = ALL,
    *,
    progress: Callable[[int], None] | None = None,
    **options: Any,
) -> dict[str, Result]:
    """One :func:`~security_dilemma.engine.simulate` per lens of ``lenses`` (:func:`lens_list`),
    all with the same seed, as ``{lens: result}`` (``"case"`` for the case's own lenses).

    ``options`` go to ``simulate`` (``replicates``, ``seed``, ``restraint``, ``metrics``, ...);
    ``progress`` is called with the replicates done so far over all the runs.
    """
    from ..scenario import load_case
    from .run import simulate

    if "lens" in options:
        raise BadInput(Problem("give the lenses as `lenses`, not `lens`", path="lens"))
    runs = lens_list(lenses)
    c = load_case(case)
    results: dict[str, Result] = {}
    done = 0
    for name in runs:
        base = done

        def step(n: int, base: int = base) -> None:
            if progress is not None:
                progress(base + n)

        results[name] = simulate(c, lens=None if name == CASE else name, progress=step, **options)
        done += results[name].replicates
    return results

"""Theory lenses: realism, liberalism, constructivism and the paper's pyramid, one module each.

A lens is a module that defines ``LENS``, a :class:`Lens`: metadata (name, title, description,
parameters with defaults and bounds, citations) and four small pure functions (hostility,
cooperation, allocation, commitment) over ``(observers x actors)`` arrays. The registry finds
every such module in this package; :func:`register_lens` adds one from elsewhere (a study's
own lens), and the shared conformance test in ``tests/lenses`` checks every registered lens.

>>> lens_names()
('realism', 'liberalism', 'constructivism', 'pyramid')
>>> lens_parameters("realism")["worst_case"]
0.5
"""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import BadInput, Problem, did_you_mean
from .base import (
    Array,
    Assessment,
    Lens,
    LensParameter,
    LensParams,
    Perception,
)

__all__ = [
    "Array",
    "Assessment",
    "Lens",
    "LensParameter",
    "LensParams",
    "Perception",
    "get_lens",
    "lens_names",
    "lens_parameters",
    "register_lens",
    "unregister_lens",
]

_ORDER = ("realism", "liberalism", "constructivism", "pyramid")
_BUILTIN: dict[str, Lens] = {}
_EXTRA: dict[str, Lens] = {}


def _discover() -> dict[str, Lens]:
    if not _BUILTIN:
        found: dict[str, Lens] = {}
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if info.name.startswith("_") or info.name == "base":
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            lens = getattr(module, "LENS", None)
            if isinstance(lens, Lens):
                found[lens.name] = lens
        _BUILTIN.update(found)  # all at once: another thread never sees some of them
    return _BUILTIN


def _all() -> dict[str, Lens]:
    return {**_discover(), **_EXTRA}


def lens_names() -> tuple[str, ...]:
    """Names of the available lenses: the four of the reference model first, then the rest."""
    names = _all()
    first = [n for n in _ORDER if n in names]
    return (*first, *sorted(set(names) - set(first)))


def get_lens(name: str) -> Lens:
    """The lens called ``name``; :class:`BadInput` with a suggestion when there is none."""
    lenses = _all()
    if name not in lenses:
        raise BadInput(
            Problem(
                f"unknown lens '{name}'{did_you_mean(name, lenses)}; lenses: "
                f"{', '.join(sorted(lenses))}",
                path="lens",
            )
        )
    return lenses[name]


def lens_parameters(name: str) -> dict[str, float]:
    """Parameters a lens accepts in a case's ``parameters.lenses.<name>``, with defaults."""
    return get_lens(name).defaults()


def register_lens(lens: Lens) -> None:
    """Make ``lens`` available by name (a lens defined outside this package)."""
    if lens.name in _discover():
        raise ValueError(f"lens '{lens.name}' is built in")
    _EXTRA[lens.name] = lens


def unregister_lens(name: str) -> None:
    """Remove a lens added with :func:`register_lens`."""
    _EXTRA.pop(name, None)

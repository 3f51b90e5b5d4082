"""Theory lenses: realism, liberalism, constructivism and the paper's pyramid.

(Placeholder registry: the engine issue turns each lens into a module.)
"""

from __future__ import annotations

__all__ = ["lens_names", "lens_parameters"]

_LENSES: dict[str, dict[str, float]] = {
    "realism": {},
    "liberalism": {},
    "constructivism": {},
    "pyramid": {},
}


def lens_names() -> tuple[str, ...]:
    """Names of the available lenses."""
    return tuple(_LENSES)


def lens_parameters(name: str) -> dict[str, float]:
    """Parameters a lens accepts in a case's ``parameters.lenses.<name>``, with defaults."""
    return dict(_LENSES[name])

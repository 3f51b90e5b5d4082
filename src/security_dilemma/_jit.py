"""Functions that compiled (numba) code may call, registered with numba only when it compiles.

Lens rules and the reciprocity rule are plain Python functions used on arrays everywhere; the
engine's compiled step also inlines them. :func:`jitable` marks such a function without
importing numba (so that reading or validating a case stays fast); :func:`register_all`, called
by :mod:`security_dilemma.engine.kernels` before it compiles anything, registers every marked
function with ``numba.extending.register_jitable``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["jitable", "register_all"]

F = TypeVar("F", bound=Callable[..., Any])

_pending: list[Callable[..., Any]] = []


def jitable(fn: F) -> F:
    """Mark ``fn`` as callable from compiled code; it is returned unchanged."""
    _pending.append(fn)
    return fn


def register_all() -> None:
    """Register every function marked so far with numba (each once)."""
    if not _pending:
        return
    from numba.extending import register_jitable

    while _pending:
        register_jitable(_pending.pop(0))

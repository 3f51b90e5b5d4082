"""Lazy public names for a package (PEP 562).

A package lists what it exports without importing it, so ``import security_dilemma`` and
``dilemma --help`` do not pay for numba, matplotlib, SciPy or pandas; a name's module is
imported the first time the name is used. The package keeps ``if TYPE_CHECKING:`` imports of
the same names for mypy and IDEs (``tests/test_startup.py`` checks that both lists agree).
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["attach"]

SUBMODULES = "."
"""The ``exports`` key whose names are submodules (or subpackages) of the package itself."""


def attach(
    package: str, public: Sequence[str], exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose ``__all__`` is ``public``.

    ``exports`` maps a relative module (``".schema"``) to the names it defines, each written
    ``"name"`` or ``"name as alias"``; under ``"."`` are the package's own submodules. A
    resolved name is stored on the package, so ``__getattr__`` runs once per name.

    Where a name is also a submodule's name (``geo.reach``, the function in ``geo/reach.py``),
    the import system binds the submodule on the package whenever it is first imported; the
    package then keeps the exported object instead, as eager ``from .reach import reach`` did.
    """
    origin: dict[str, tuple[str, str]] = {}
    for module, names in exports.items():
        for entry in names:
            name, _, alias = entry.partition(" as ")
            origin[alias or name] = (module, name)
    namespace = sys.modules[package]

    def resolve(name: str) -> Any:
        module, attr = origin[name]
        if module == SUBMODULES:
            return importlib.import_module(f".{attr}", package)
        return getattr(importlib.import_module(module, package), attr)

    def __getattr__(name: str) -> Any:
        if name not in origin:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = resolve(name)
        namespace.__dict__[name] = value
        return value

    def __dir__() -> list[str]:
        return list(public)

    class LazyPackage(types.ModuleType):
        def __setattr__(self, name: str, value: Any) -> None:
            if (
                isinstance(value, types.ModuleType)
                and value.__name__ == f"{package}.{name}"
                and origin.get(name, (SUBMODULES, ""))[0] != SUBMODULES
            ):
                value = resolve(name)
            super().__setattr__(name, value)

    namespace.__class__ = LazyPackage
    return __getattr__, __dir__

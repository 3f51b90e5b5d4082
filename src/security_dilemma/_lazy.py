"""Lazy public names for a package (PEP 562).

A package lists what it exports without importing it, so ``import security_dilemma`` and
``dilemma --help`` do not pay for numba, matplotlib, SciPy or pandas; a name's module is
imported the first time the name is used. The list is the package's ``if TYPE_CHECKING:``
imports, which mypy and IDEs read too: :func:`attach` reads them from the package's source
(``tests/test_startup.py`` checks that they name exactly ``__all__``).
"""

from __future__ import annotations

import ast
import importlib
import sys
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["attach", "type_checking_imports"]

SUBMODULES = "."
"""The ``exports`` key whose names are submodules (or subpackages) of the package itself."""


def type_checking_imports(path: str) -> dict[str, list[str]]:
    """The ``from .x import a, b as c`` statements under ``if TYPE_CHECKING:`` in the file
    ``path``, as ``{".x": ["a", "b as c"]}`` (``"."`` for ``from . import sub``)."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    out: dict[str, list[str]] = {}
    for node in tree.body:
        if not (isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"):
            continue
        for stmt in node.body:
            if isinstance(stmt, ast.ImportFrom) and stmt.level > 0:
                module = "." * stmt.level + (stmt.module or "")
                out.setdefault(module, []).extend(
                    a.name if a.asname is None else f"{a.name} as {a.asname}" for a in stmt.names
                )
    return out


def attach(
    package: str, public: Sequence[str], exports: Mapping[str, Sequence[str]] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``, whose ``__all__`` is ``public``.

    ``exports`` maps a relative module (``".schema"``) to the names it defines, each written
    ``"name"`` or ``"name as alias"``; under ``"."`` are the package's own submodules. By
    default it is read from the package's ``if TYPE_CHECKING:`` imports. A resolved name is
    stored on the package, so ``__getattr__`` runs once per name.

    Where a name is also a submodule's name (``geo.reach``, the function in ``geo/reach.py``),
    the import system binds the submodule on the package whenever it is first imported; the
    package then keeps the exported object instead, as eager ``from .reach import reach`` did.
    """
    namespace = sys.modules[package]
    if exports is None:
        exports = type_checking_imports(str(namespace.__file__))
    origin: dict[str, tuple[str, str]] = {}
    for module, names in exports.items():
        for entry in names:
            name, _, alias = entry.partition(" as ")
            origin[alias or name] = (module, name)

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

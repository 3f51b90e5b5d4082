"""Built-in cases shipped with the package, and loading a case by name or path."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..errors import BadInput, Problem, did_you_mean
from .loader import load_case_file
from .reader import read_yaml
from .schema import Case

__all__ = ["CaseInfo", "builtin_case_path", "list_cases", "load_case"]


@dataclass(frozen=True)
class CaseInfo:
    """A one-line description of a built-in case."""

    id: str
    title: str
    start: str
    end: str
    step: str
    actors: tuple[str, ...]
    events: int
    observables: int


def _case_dir() -> Path:
    return Path(str(resources.files("security_dilemma.scenario") / "cases"))


def builtin_case_names() -> list[str]:
    """Ids of the built-in cases."""
    return sorted(p.stem for p in _case_dir().glob("*.yaml"))


def builtin_case_path(name: str) -> Path:
    """Path of a built-in case file; raise :class:`BadInput` for an unknown name."""
    path = _case_dir() / f"{name}.yaml"
    if not path.is_file():
        names = builtin_case_names()
        raise BadInput(
            Problem(
                f"unknown case '{name}'{did_you_mean(name, names)}; built-in cases: "
                f"{', '.join(names)}; or give the path of a case file",
                path="CASE",
            )
        )
    return path


def load_case(case: str | Path | Case, *, strict_sources: bool = False) -> Case:
    """A validated case from a built-in name ("bmd-europe"), a file path, or a Case."""
    if isinstance(case, Case):
        return case
    if not isinstance(case, str | Path):
        raise BadInput(
            Problem(
                f"a case is a Case, a built-in case's name or a path (got {case!r:.60})",
                path="case",
            )
        )
    path = Path(case)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists() or "/" in str(case):
        return load_case_file(path, strict_sources=strict_sources)
    return load_case_file(builtin_case_path(str(case)), strict_sources=strict_sources)


def list_cases() -> list[CaseInfo]:
    """Every built-in case, validated, as :class:`CaseInfo`."""
    out = []
    for name in builtin_case_names():
        c = load_case_file(builtin_case_path(name))
        out.append(
            CaseInfo(
                c.id,
                c.title,
                c.span.start.isoformat(),
                c.span.end.isoformat(),
                c.span.step,
                tuple(c.actor_ids()),
                len(c.events),
                len(c.observables),
            )
        )
    return out


def raw_case(name: str) -> dict[str, object]:
    """The built-in case's raw YAML data (for tools that need more than the model)."""
    data = read_yaml(builtin_case_path(name)).data
    return data if isinstance(data, dict) else {}

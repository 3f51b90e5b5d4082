"""Problems with user input, reported as ``FILE:LINE:COL: path.to.field: message``.

Every command that reads user input raises :class:`BadInput` with *all* the problems it
found; the command line prints them and exits with code 2, never with a traceback.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

__all__ = ["BadInput", "Problem", "did_you_mean"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with user input, with its location when it has one."""

    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    path: str = ""

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.col is not None:
                    where += f":{self.col}"
            where += ": "
        field = f"{self.path}: " if self.path else ""
        return f"{where}{field}{self.message}"

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data (stable keys: file, line, col, path, message)."""
        return asdict(self)


class BadInput(Exception):
    """User input that cannot be used. Carries every problem found, in file order."""

    def __init__(self, problems: Problem | Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """A ``" (did you mean 'x'?)"`` hint, or an empty string when nothing is close."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    close = difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return ""
    names = " or ".join(f"'{lowered[c]}'" for c in close)
    return f" (did you mean {names}?)"

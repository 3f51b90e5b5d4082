"""The limits on what one command or call may ask for, and the one check of each.

Every limit protects the machine from a file or a request that would crash, hang or exhaust
it (docs/cli.md, "Limits"); each is refused up front with :class:`~.errors.BadInput` naming the
parameter (the command line names its flag), the number asked for and the limit:

>>> check_seed(2**63, "seed")
Traceback (most recent call last):
...
security_dilemma.errors.BadInput: seed: must be an integer from 0 to 9223372036854775807 ...
>>> check_count(5, "replicates", maximum=MAX_REPLICATES)
5
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from typing import Any

from .errors import BadInput, Problem

__all__ = [
    "MAX_ACTORS",
    "MAX_ALIAS_VALUES",
    "MAX_CHUNKS",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_POINTS",
    "MAX_REPLICATES",
    "MAX_SEED",
    "MAX_STEPS",
    "MAX_WORK",
    "check_chunk_size",
    "check_count",
    "check_counts",
    "check_flag",
    "check_plan",
    "check_seed",
    "check_sequence",
    "check_work",
    "checked_all",
    "integer",
]

MAX_FILE_BYTES = 4 * 1024 * 1024
"""Largest case file read, in bytes (only regular files are read)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings in a case file."""
MAX_ALIAS_VALUES = 100_000
"""Most values a case file's YAML aliases may expand to (beyond the values written out)."""
MAX_ACTORS = 200
"""Most actors in a case."""
MAX_STEPS = 10_000
"""Most steps in a case's span (27 years of days, 192 of weeks, 833 of months)."""
MAX_REPLICATES = 10_000_000
"""Most replicates of one run, or of one point of a sweep."""
MAX_WORK = 10_000_000_000
"""Most actor-steps of simulation one run, sweep or sensitivity analysis may ask for:
actors x steps x replicates (x points). About 10^4-10^5 actor-steps a second on one core
(with the restraint copies), so the largest runs take a day or more."""
MAX_POINTS = 100_000
"""Most parameter points in a sweep or sensitivity analysis (and values in one range)."""
MAX_CHUNKS = 100_000
"""Most chunks (units of work and of commits) in a sweep or sensitivity analysis."""
MAX_SEED = 2**63 - 1
"""Largest random seed (seeds are stored as 64-bit integers); the smallest is 0."""


def integer(value: Any) -> int | None:
    """``value`` as a Python int if it is an integer (a numpy integer too; not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def checked_all(*checks: Callable[[], int | None]) -> list[int | None]:
    """The values of ``checks``, run in turn; every problem among them in one :class:`BadInput`.

    >>> checked_all(lambda: check_count(3, "a", maximum=9), lambda: None)
    [3, None]
    """
    problems: list[Problem] = []
    values: list[int | None] = []
    for check in checks:
        try:
            values.append(check())
        except BadInput as exc:
            problems += exc.problems
            values.append(None)
    if problems:
        raise BadInput(problems)
    return values


def check_count(value: Any, path: str, *, maximum: int, minimum: int = 1) -> int:
    """``value`` as an int from ``minimum`` to ``maximum``, else :class:`BadInput` at ``path``."""
    number = integer(value)
    if number is None or not minimum <= number <= maximum:
        raise BadInput(
            Problem(
                f"must be an integer from {minimum:,} to {maximum:,} (got {value!r})", path=path
            )
        )
    return number


def check_chunk_size(value: Any) -> int | None:
    """A chunk size: None (chosen for the machine) or a count up to :data:`MAX_REPLICATES`."""
    return None if value is None else check_count(value, "chunk_size", maximum=MAX_REPLICATES)


def check_seed(value: Any, path: str = "seed") -> int:
    """A random seed: an integer from 0 to :data:`MAX_SEED`."""
    number = integer(value)
    if number is None or not 0 <= number <= MAX_SEED:
        raise BadInput(
            Problem(f"must be an integer from 0 to {MAX_SEED} (got {value!r})", path=path)
        )
    return number


def check_sequence(value: Any, path: str, kind: type[Any], what: str) -> list[Any]:
    """``value`` as a list of ``kind`` (a list, tuple or other iterable, but not one text),
    else :class:`BadInput` at ``path`` naming ``what`` it should be a list of.

    >>> check_sequence(("security", "effort"), "metrics", str, "metric names")
    ['security', 'effort']
    """
    items = None if isinstance(value, str | bytes | Mapping) else _iterable(value)
    if items is None or not all(isinstance(item, kind) for item in items):
        raise BadInput(Problem(f"must be a list of {what} (got {value!r:.60})", path=path))
    return items


def _iterable(value: Any) -> list[Any] | None:
    try:
        return list(value)
    except TypeError:
        return None


def check_flag(value: Any, path: str) -> bool:
    """A yes/no parameter: a bool (a numpy bool too), nothing else (not 'no', not 0)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise BadInput(Problem(f"must be True or False (got {value!r})", path=path))


def check_counts(replicates: Any, seed: Any, chunk_size: Any) -> tuple[int, int, int | None]:
    """A plan's replicates, seed and chunk size as ints (every problem at once).

    >>> check_counts(8, 0, None)
    (8, 0, None)
    """
    reps, number, chunk = checked_all(
        lambda: check_count(replicates, "replicates", maximum=MAX_REPLICATES),
        lambda: check_seed(seed),
        lambda: check_chunk_size(chunk_size),
    )
    assert reps is not None and number is not None
    return reps, number, chunk


def check_plan(
    actors: int, steps: int, points: int, replicates: Any, seed: Any, chunk_size: Any
) -> tuple[int, int, int | None]:
    """A sweep's or sensitivity analysis's replicates, seed and chunk size (as ints), checked
    with its size: at most :data:`MAX_POINTS` points, :data:`MAX_CHUNKS` chunks and
    :data:`MAX_WORK` actor-steps, refused up front with the numbers."""
    reps, number, chunk = check_counts(replicates, seed, chunk_size)
    if points > MAX_POINTS:
        raise BadInput(
            Problem(
                f"{points:,} parameter points, more than the limit of {MAX_POINTS:,}",
                path="parameters",
            )
        )
    from .experiments.plan import default_chunk_size

    chunks = points * -(-reps // (chunk or default_chunk_size(reps)))
    if chunks > MAX_CHUNKS:
        raise BadInput(
            Problem(
                f"{points:,} points x {reps:,} replicates make {chunks:,} chunks, more than the "
                f"limit of {MAX_CHUNKS:,}: give a larger chunk size or fewer replicates",
                path="chunk_size" if chunk_size is not None else "replicates",
            )
        )
    check_work(actors, steps, points * reps)
    return reps, number, chunk


def check_work(actors: int, steps: int, runs: int, path: str = "replicates") -> None:
    """Refuse more than :data:`MAX_WORK` actor-steps: ``runs`` is replicates (x points)."""
    work = actors * steps * runs
    if work > MAX_WORK:
        most = max(1, MAX_WORK // max(1, actors * steps))
        raise BadInput(
            Problem(
                f"{actors} actors x {steps:,} steps x {runs:,} runs are {work:,} actor-steps, "
                f"beyond the limit of {MAX_WORK:,} (here at most {most:,} runs)",
                path=path,
            )
        )

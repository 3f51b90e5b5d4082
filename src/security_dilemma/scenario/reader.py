"""Safe YAML reading that remembers where every value came from.

PyYAML composes the document into nodes (which carry line and column marks); we then build
plain Python data ourselves so that

* only the standard YAML 1.1 scalar types are accepted (no tags such as ``!!python/object``),
* alias expansion is bounded (no "billion laughs"): the values aliases add are counted,
* nesting is bounded, and checked on the parser's events before any tree is built (libyaml's
  composer recurses in C and would crash on a deep enough file),
* duplicate keys are errors rather than silently overwritten,
* only regular files are read (not a FIFO or a device), and at most the size cap of them, and
* every value's position is recorded under its path, e.g. ``("actors", 2, "lens")``.

The limits are those of :mod:`security_dilemma.limits` (docs/cli.md, "Limits").
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadInput, Problem
from ..limits import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_FILE_BYTES

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Loc",
    "Located",
    "read_bytes",
    "read_yaml",
    "read_yaml_text",
]

MAX_BYTES = MAX_FILE_BYTES
"""Largest case file accepted, in bytes."""
MAX_NODES = MAX_ALIAS_VALUES
"""Most values that alias expansions may add to a document (the values written out in the
file are not counted: a large case is not an alias bomb)."""

Loc = tuple[str | int, ...]

_STANDARD_TAGS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}

try:  # the C composer is much faster and gives the same marks
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass
class Located:
    """Plain data from a YAML file plus the (1-based) line and column of each path."""

    data: Any
    file: str
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    """Problems with single values (a bad date, a YAML tag, a duplicate key), kept when the
    file was read with ``partial=True``: such a value is None in ``data``."""

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Line and column for ``loc``, falling back to its nearest recorded ancestor."""
        if key and loc in self.key_positions:
            return self.key_positions[loc]
        for n in range(len(loc), -1, -1):
            pos = self.positions.get(loc[:n])
            if pos is not None:
                return pos
        return None, None

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """A :class:`Problem` located at ``loc`` in this file."""
        line, col = self.where(loc, key=key)
        return Problem(message, self.file, line, col, format_loc(loc))


def format_loc(loc: Loc) -> str:
    """``("actors", 2, "lens")`` -> ``"actors[2].lens"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Builder:
    def __init__(self, file: str) -> None:
        self.file = file
        self.count = 0
        self.built: set[int] = set()
        self.problems: list[Problem] = []
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        self._scalars = yaml.SafeLoader("")  # only used for its scalar constructors

    def _problem(self, node: yaml.Node, loc: Loc, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(message, self.file, mark.line + 1, mark.column + 1, format_loc(loc))
        )

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0, copy: bool = False) -> Any:
        """The value of ``node``; ``copy``: it is reached again through an alias (counted)."""
        copy = copy or id(node) in self.built
        self.built.add(id(node))
        if copy:
            self.count += 1
            if self.count > MAX_NODES:
                raise _TooBig(node, deep=False)
        if depth > MAX_DEPTH:
            raise _TooBig(node, deep=True)
        self.positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _STANDARD_TAGS:
            self._problem(node, loc, f"YAML tag {node.tag!r} is not allowed in a case file")
            return None
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth, copy)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*loc, i), depth + 1, copy) for i, item in enumerate(node.value)
            ]
        assert isinstance(node, yaml.ScalarNode)
        constructor = self._scalars.yaml_constructors[node.tag]
        try:
            return constructor(self._scalars, node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self._problem(node, loc, f"cannot read value {node.value!r}: {exc}")
            return None

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int, copy: bool) -> dict[Any, Any]:
        """A mapping's keys and values, each key once, with the positions of the keys."""
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self._problem(key_node, loc, "YAML merge keys ('<<') are not supported")
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._problem(key_node, loc, "mapping keys must be plain scalars")
                continue
            key = self.build(key_node, (*loc, "<key>"), depth + 1, copy)
            if isinstance(key, bool) or not isinstance(key, str | int):
                key = str(key)
            child: Loc = (*loc, key)
            if key in out:
                self._problem(key_node, child, f"duplicate key {key!r}")
                continue
            self.key_positions[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = self.build(value_node, child, depth + 1, copy)
        self.positions.pop((*loc, "<key>"), None)
        return out


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, deep: bool) -> None:
        self.node = node
        self.deep = deep


def _too_big(file: str, line: int, column: int, *, deep: bool) -> BadInput:
    message = (
        f"the document nests too deeply: lists and mappings more than {MAX_DEPTH} levels deep"
        if deep
        else f"aliases expand to too many values (more than {MAX_NODES:,}); "
        "are aliases expanding recursively?"
    )
    return BadInput(Problem(message, file, line + 1, column + 1))


def _check_depth(text: str, file: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH`, reading libyaml's events (its parser
    keeps its own stack; its composer recurses, and a deep enough file would crash it)."""
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                line, column = (mark.line, mark.column) if mark is not None else (0, 0)
                raise _too_big(file, line, column, deep=True)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _yaml_problem(exc: yaml.YAMLError, file: str) -> BadInput:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        at = (mark.line + 1, mark.column + 1) if mark else (None, None)
        return BadInput(Problem(f"invalid YAML: {message}", file, *at))
    return BadInput(Problem(f"invalid YAML: {exc}", file))


def read_yaml_text(text: str, file: str = "<string>", *, partial: bool = False) -> Located:
    """Parse YAML text safely; raise :class:`BadInput` naming the line of any problem.

    ``partial=True`` keeps the problems of single values (a bad date, a tag, a duplicate key)
    in :attr:`Located.problems` instead of raising, so that a validator can report the rest of
    the file's problems with them.
    """
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BadInput(Problem(f"file is larger than {MAX_BYTES // 1024 // 1024} MB", file))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BadInput(Problem("file contains a NUL byte; is it a binary file?", file, line))
    try:
        _check_depth(text, file)
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_problem(exc, file) from None
    except RecursionError:
        raise BadInput(Problem("invalid YAML: nested too deeply", file)) from None
    if node is None:
        return Located(None, file)
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except _TooBig as exc:
        mark = exc.node.start_mark
        raise _too_big(file, mark.line, mark.column, deep=exc.deep) from None
    if builder.problems and not partial:
        raise BadInput(builder.problems)
    return Located(data, file, builder.positions, builder.key_positions, tuple(builder.problems))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | Path, *, what: str = "case file", limit: int = MAX_BYTES) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed), at most ``limit`` of
    them; anything else (missing, a directory, a FIFO, a device, too large) is
    :class:`BadInput` naming the file."""
    name = str(path)
    too_big = BadInput(Problem(f"file is larger than {limit // 1024 // 1024} MB", name))
    try:
        # O_NONBLOCK: opening a FIFO does not wait for a writer (no effect on regular files)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise BadInput(Problem("no such file", name)) from None
    except IsADirectoryError:
        raise BadInput(Problem(f"is a directory, not a {what}", name)) from None
    except PermissionError:
        raise BadInput(Problem("permission denied", name)) from None
    except OSError as exc:
        raise BadInput(Problem(f"cannot read file: {exc.strerror or exc}", name)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise BadInput(Problem(f"is a directory, not a {what}", name))
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(
                Problem(
                    f"is {_kind(info.st_mode)}, not a {what}: only regular files are read", name
                )
            )
        if info.st_size > limit:
            raise too_big
        with os.fdopen(os.dup(fd), "rb") as handle:
            raw = handle.read(limit + 1)  # the bytes read are capped, whatever the size says
    except OSError as exc:
        raise BadInput(Problem(f"cannot read file: {exc.strerror or exc}", name)) from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise too_big
    return raw


def read_yaml(path: str | Path, *, partial: bool = False) -> Located:
    """Read a YAML file safely (regular files only, size cap, UTF-8 check) with positions
    for every value (``partial``: as :func:`read_yaml_text`)."""
    name = str(path)
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise BadInput(
            Problem(f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line, col)
        ) from None
    return read_yaml_text(text.removeprefix("\ufeff"), name, partial=partial)

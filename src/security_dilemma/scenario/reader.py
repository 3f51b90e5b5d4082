"""Safe YAML reading that remembers where every value came from.

PyYAML composes the document into nodes (which carry line and column marks); we then build
plain Python data ourselves so that

* only the standard YAML 1.1 scalar types are accepted (no tags such as ``!!python/object``),
* alias expansion is bounded (no "billion laughs"),
* duplicate keys are errors rather than silently overwritten,
* the file size is capped, and
* every value's position is recorded under its path, e.g. ``("actors", 2, "lens")``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadInput, Problem

__all__ = ["MAX_BYTES", "MAX_NODES", "Loc", "Located", "read_yaml", "read_yaml_text"]

MAX_BYTES = 4 * 1024 * 1024
"""Largest case file accepted, in bytes."""
MAX_NODES = 200_000
"""Largest number of values built from one document, counting each alias expansion."""

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
        self.problems: list[Problem] = []
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.key_positions: dict[Loc, tuple[int, int]] = {}
        self._scalars = yaml.SafeLoader("")  # only used for its scalar constructors

    def _problem(self, node: yaml.Node, loc: Loc, message: str) -> None:
        mark = node.start_mark
        self.problems.append(
            Problem(message, self.file, mark.line + 1, mark.column + 1, format_loc(loc))
        )

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node)
        if depth > 64:
            raise _TooBig(node)
        self.positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _STANDARD_TAGS:
            self._problem(node, loc, f"YAML tag {node.tag!r} is not allowed in a case file")
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self._problem(key_node, loc, "YAML merge keys ('<<') are not supported")
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self._problem(key_node, loc, "mapping keys must be plain scalars")
                    continue
                key = self.build(key_node, (*loc, "<key>"), depth + 1)
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
                out[key] = self.build(value_node, child, depth + 1)
            self.positions.pop((*loc, "<key>"), None)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.ScalarNode)
        constructor = self._scalars.yaml_constructors[node.tag]
        try:
            return constructor(self._scalars, node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            self._problem(node, loc, f"cannot read value {node.value!r}: {exc}")
            return None


class _TooBig(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node


def read_yaml_text(text: str, file: str = "<string>") -> Located:
    """Parse YAML text safely; raise :class:`BadInput` naming the line of any problem."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise BadInput(Problem(f"file is larger than {MAX_BYTES // 1024 // 1024} MB", file))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BadInput(Problem("file contains a NUL byte; is it a binary file?", file, line))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        at = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise BadInput(Problem(f"invalid YAML: {message}", file, *at)) from None
    except yaml.YAMLError as exc:
        raise BadInput(Problem(f"invalid YAML: {exc}", file)) from None
    except RecursionError:
        raise BadInput(Problem("invalid YAML: nested too deeply", file)) from None
    if node is None:
        return Located(None, file)
    builder = _Builder(file)
    try:
        data = builder.build(node, ())
    except _TooBig as exc:
        mark = exc.node.start_mark
        raise BadInput(
            Problem(
                "document expands to too many values or nests too deeply "
                f"(limit {MAX_NODES} values, 64 levels); are aliases expanding recursively?",
                file,
                mark.line + 1,
                mark.column + 1,
            )
        ) from None
    if builder.problems:
        raise BadInput(builder.problems)
    return Located(data, file, builder.positions, builder.key_positions)


def read_yaml(path: str | Path) -> Located:
    """Read a YAML file safely (size cap, UTF-8 check) with positions for every value."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise BadInput(Problem(f"file is larger than {MAX_BYTES // 1024 // 1024} MB", name))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise BadInput(Problem("no such file", name)) from None
    except IsADirectoryError:
        raise BadInput(Problem("is a directory, not a case file", name)) from None
    except PermissionError:
        raise BadInput(Problem("permission denied", name)) from None
    except OSError as exc:
        raise BadInput(Problem(f"cannot read file: {exc.strerror or exc}", name)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        raise BadInput(
            Problem(f"not valid UTF-8 text (byte 0x{raw[exc.start]:02x})", name, line, col)
        ) from None
    return read_yaml_text(text.removeprefix("\ufeff"), name)

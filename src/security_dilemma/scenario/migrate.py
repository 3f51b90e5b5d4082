"""Fields that older case files use and this format replaced: located problems, and a rewrite.

``share_def`` (in ``capabilities``) was split in two: ``missile_defence_share``, the share of
the military budget spent on missile defence (data, what every built-in case meant), and
``defence_share``, the share of military effort in defensive forces (Jervis's offence/defence
allocation, which the dynamics read). An event's ``field: share_def`` becomes
``field: defence_share``: events change what the dynamics read, and a rise in the share of the
budget spent on missile defence is a rise of the same size in the share spent on defence.

:func:`migrate_text` rewrites those keys and values in place, so that comments and layout
survive, and refuses a result that would not validate:

>>> old = '''
... id: demo
... title: Demo
... span: {start: 2001, end: 2003}
... actors: [{id: AAA, name: A}]
... capabilities:
...   - {actor: AAA, milex: 1000, share_def: 0.1}   # BMD budget / milex
... '''
>>> new = migrate_text(old)
>>> print(new.text.splitlines()[6])
  - {actor: AAA, milex: 1000, missile_defence_share: 0.1}   # BMD budget / milex
>>> print(new.changes[0])
<string>:7:31: capabilities[0].share_def: share_def -> missile_defence_share
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from ..errors import BadInput, Problem
from .reader import Loc, Located, format_loc, read_bytes, read_yaml, read_yaml_text

__all__ = [
    "SHARE_DEF_AS",
    "Migration",
    "Rewrite",
    "ShareDefAs",
    "migrate_file",
    "migrate_text",
    "retired",
]

ShareDefAs = Literal["missile-defence", "defence"]
SHARE_DEF_AS: tuple[ShareDefAs, ...] = get_args(ShareDefAs)
"""What an old ``share_def`` of a capability meant: the missile-defence share of the budget
(the default) or the share of effort in defensive forces."""

_OLD = "share_def"
_CAPABILITY_KEY: dict[str, str] = {
    "missile-defence": "missile_defence_share",
    "defence": "defence_share",
}
_EVENT_FIELD = "defence_share"
_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks


@dataclass(frozen=True)
class Rewrite:
    """One value or key rewritten: where (1-based line and column), what, and into what."""

    file: str
    line: int
    col: int
    path: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.old} -> {self.new}"


@dataclass(frozen=True)
class Migration:
    """A case file's text after the rewrite, and every change made (none: already current)."""

    file: str
    text: str
    changes: tuple[Rewrite, ...]


@dataclass(frozen=True)
class _Site:
    loc: Loc
    key: bool  # the key itself (capabilities) or the value (an event's field)


def _sites(data: Any) -> Iterator[_Site]:
    """Where ``data`` uses ``share_def``: capability keys and capability events' fields."""
    if not isinstance(data, dict):
        return
    capabilities = data.get("capabilities")
    if isinstance(capabilities, list):
        for i, cap in enumerate(capabilities):
            if isinstance(cap, dict) and _OLD in cap:
                yield _Site(("capabilities", i, _OLD), True)
    events = data.get("events")
    if isinstance(events, list):
        for i, event in enumerate(events):
            effects = event.get("effects") if isinstance(event, dict) else None
            if not isinstance(effects, list):
                continue
            for j, effect in enumerate(effects):
                if isinstance(effect, dict) and effect.get("field") == _OLD:
                    yield _Site(("events", i, "effects", j, "field"), False)


def _command(file: str) -> str:
    name = "FILE" if file.startswith("<") else shlex.quote(file)
    return f"`dilemma case migrate {name}` rewrites the file"


def retired(located: Located) -> list[tuple[Loc, str, bool]]:
    """Every use of a replaced field, as ``(loc, message, at_key)`` with what to write instead."""
    issues = []
    for site in _sites(located.data):
        if site.key:
            message = (
                "share_def was split: use missile_defence_share for the missile-defence share "
                "of the budget, or defence_share for the share of effort in defensive forces; "
                f"{_command(located.file)}"
            )
        else:
            message = (
                "share_def was split: an event changes defence_share, the share of effort in "
                f"defensive forces; {_command(located.file)}"
            )
        issues.append((site.loc, message, site.key))
    return issues


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _BREAK.finditer(text))]


def migrate_text(
    text: str, file: str = "<string>", *, share_def_as: ShareDefAs = "missile-defence"
) -> Migration:
    """``text`` with every ``share_def`` rewritten (``share_def_as``: what a capability's meant).

    Raises :class:`BadInput` when the text cannot be read, when a use cannot be found in the
    text, or when the rewritten case would not validate (with every problem, located in the
    rewritten text: the lines are the same).
    """
    from .loader import case_problems

    if share_def_as not in _CAPABILITY_KEY:
        raise BadInput(
            Problem(
                f"unknown meaning '{share_def_as}'; choose from: {', '.join(SHARE_DEF_AS)}",
                path="share_def_as",
            )
        )
    located = read_yaml_text(text, file)
    starts = _line_starts(text)
    edits: dict[int, str] = {}  # offset of a share_def -> what replaces it
    changes: list[Rewrite] = []
    problems: list[Problem] = []
    for site in _sites(located.data):
        line, col = located.where(site.loc, key=site.key)
        new = _CAPABILITY_KEY[share_def_as] if site.key else _EVENT_FIELD
        found = None
        if line is not None and col is not None and line <= len(starts):
            offset = starts[line - 1] + col - 1
            found = re.compile(rf"([\"']?){_OLD}\1").match(text, offset)
        if found is None:  # e.g. a key written with escapes: leave it to the author
            problems.append(
                located.problem(site.loc, f"cannot rewrite this {_OLD}: write {new}", key=site.key)
            )
            continue
        begin = found.start() + len(found.group(1))
        edits[begin] = new  # once, however many aliases repeat it
        changes.append(Rewrite(file, line or 0, col or 0, format_loc(site.loc), _OLD, new))
    if problems:
        raise BadInput(problems)
    out = text
    for begin, new in sorted(edits.items(), reverse=True):
        out = out[:begin] + new + out[begin + len(_OLD) :]
    _, after = case_problems(read_yaml_text(out, file))
    if after:
        note = Problem(
            "not migrated: the rewritten file would not validate (problems below, located in "
            "the rewritten text); nothing was written",
            file,
        )
        raise BadInput([note, *after])
    return Migration(file, out, tuple(changes))


def migrate_file(path: str | Path, *, share_def_as: ShareDefAs = "missile-defence") -> Migration:
    """The migrated text of the case file at ``path`` (the file is not changed)."""
    path = Path(path)
    read_yaml(path)  # the checks on size, encoding and YAML, with their messages
    raw = read_bytes(path).decode("utf-8")  # line breaks as they are
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    migration = migrate_text(raw.removeprefix(bom), str(path), share_def_as=share_def_as)
    return Migration(migration.file, bom + migration.text, migration.changes)

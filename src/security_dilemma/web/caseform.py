"""The case editor's form: the common fields of a case file, to and from its YAML text.

The server is authoritative: :func:`form_of` reads the fields from the YAML (with the safe
reader ``dilemma validate`` uses), :func:`apply_form` writes submitted fields back and dumps
the case with PyYAML (key order kept; comments are not kept). A field is named by its path in
the file (``actors[2].lens``, ``events[5].effects[0]``), the path ``dilemma validate`` gives a
problem, so a problem is shown at its field (:func:`field_of`).

>>> text = "id: x\\nactors:\\n  - {id: A, name: Aland}\\nparameters: {offence_dominance: 0.5}\\n"
>>> form = form_of(text)
>>> [f.name for f in form.fields][:3]
['title', 'actors[0].name', 'actors[0].lens']
>>> fields = {"actors[0].name": "Åland", "parameters.offence_dominance": "0.7"}
>>> new, problems = apply_form(text, fields)
>>> problems, "name: Åland" in new, "offence_dominance: 0.7" in new
([], True, True)
>>> apply_form(text, {"parameters.offence_dominance": "high"})[1][0].path
'parameters.offence_dominance'
>>> field_of("events[3].effects[1].delta", ["events[3].date", "events[3].effects[1]"])
'events[3].effects[1]'
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

import yaml

from ..errors import BadInput, Problem
from ..scenario.reader import read_yaml_text
from ..scenario.schema import Event

__all__ = ["EVENT_KINDS", "CaseForm", "FormField", "apply_form", "field_of", "form_of"]

EVENT_KINDS: tuple[str, ...] = get_args(Event.model_fields["kind"].annotation)
"""An event's kinds: the case schema's ``Event.kind``."""

Kind = Literal["text", "number", "integer", "date", "lens", "event_kind", "effect"]


@dataclass(frozen=True, slots=True)
class FormField:
    """One field of the form: its path in the file, what it holds, its value as text, and a
    label (the group it belongs to is the first part of the path)."""

    name: str
    kind: Kind
    value: str
    label: str
    group: str

    @property
    def html_id(self) -> str:
        """An element id for the field (htmx keeps its focus across a swap)."""
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", self.name)


@dataclass(frozen=True, slots=True)
class CaseForm:
    """The form's fields, or the reason there are none (YAML that cannot be read)."""

    fields: tuple[FormField, ...]
    unreadable: tuple[Problem, ...] = ()

    def group(self, name: str) -> list[FormField]:
        """The fields of one group (``title``, ``actors``, ``capabilities``, ...)."""
        return [f for f in self.fields if f.group == name]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping) and "value" in value:
        return _text(value["value"])
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _flow(value: Any) -> str:
    """An effect as one line of YAML (flow style)."""
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()


def _fields(data: Mapping[str, Any]) -> list[FormField]:
    out = [FormField("title", "text", _text(data.get("title")), "title", "title")]
    for i, a in enumerate(_rows(data, "actors")):
        who = str(a.get("id", i))
        out += [
            FormField(f"actors[{i}].name", "text", _text(a.get("name")), f"{who}: name", "actors"),
            FormField(f"actors[{i}].lens", "lens", _text(a.get("lens")), f"{who}: lens", "actors"),
            FormField(
                f"actors[{i}].prior_greedy",
                "number",
                _text(a.get("prior_greedy")),
                f"{who}: P(greedy)",
                "actors",
            ),
        ]
    for i, c in enumerate(_rows(data, "capabilities")):
        who = f"{c.get('actor', '?')} {c.get('year', '')}".strip()
        out += [
            FormField(
                f"capabilities[{i}].year",
                "integer",
                _text(c.get("year")),
                f"{who}: year",
                "capabilities",
            ),
            FormField(
                f"capabilities[{i}].milex",
                "number",
                _text(c.get("milex")),
                f"{who}: milex",
                "capabilities",
            ),
        ]
    params = data.get("parameters")
    for name, value in params.items() if isinstance(params, Mapping) else ():
        if not isinstance(value, Mapping):
            out.append(FormField(f"parameters.{name}", "number", _text(value), name, "parameters"))
    for i, e in enumerate(_rows(data, "events")):
        who = str(e.get("id", i))
        out += [
            FormField(f"events[{i}].date", "date", _text(e.get("date")), f"{who}: date", "events"),
            FormField(
                f"events[{i}].kind", "event_kind", _text(e.get("kind")), f"{who}: kind", "events"
            ),
        ]
        effects = e.get("effects")
        for k, effect in enumerate(effects if isinstance(effects, list) else ()):
            out.append(
                FormField(
                    f"events[{i}].effects[{k}]",
                    "effect",
                    _flow(effect),
                    f"{who}: effect {k + 1}",
                    "events",
                )
            )
    return out


def _rows(data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = data.get(key)
    return [r if isinstance(r, Mapping) else {} for r in rows] if isinstance(rows, list) else []


def form_of(text: str, file: str = "case.yaml") -> CaseForm:
    """The form's fields read from a case file's text (none if the text cannot be read)."""
    try:
        data = read_yaml_text(text, file).data
    except BadInput as exc:
        return CaseForm((), tuple(exc.problems))
    if not isinstance(data, Mapping):
        return CaseForm((), (Problem("a case file is a mapping of fields", file),))
    return CaseForm(tuple(_fields(data)))


_PART = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _path(name: str) -> list[str | int]:
    """``events[3].effects[0]`` -> ``["events", 3, "effects", 0]``."""
    return [key if key else int(index) for key, index in _PART.findall(name)]


def _parse(kind: Kind, raw: str, old: Any, name: str) -> Any:
    text = raw.strip()
    if kind in ("text", "lens", "event_kind"):
        return text or None
    if kind == "date":
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise BadInput(Problem(f"a date is YYYY-MM-DD, got {raw!r}", path=name)) from None
    if kind == "effect":
        effect = read_yaml_text(text or "{}", name).data
        if not isinstance(effect, Mapping):
            raise BadInput(Problem("an effect is a mapping, e.g. {type: ..., ...}", path=name))
        return dict(effect)
    if text == "":
        return None
    try:
        number = float(text)
    except ValueError:
        raise BadInput(Problem(f"not a number: {raw!r}", path=name)) from None
    if kind == "integer" or (isinstance(old, int) and number.is_integer()):
        return int(number)
    return number


def apply_form(
    text: str, submitted: Mapping[str, str], file: str = "case.yaml"
) -> tuple[str, list[Problem]]:
    """The case file's text with the submitted fields written in, and the problems of fields
    that could not be read (their path is the field's name; the text keeps their old value).

    Fields that are not the form's are ignored; an empty optional field (a lens, a number)
    is removed from the file.
    """
    located = read_yaml_text(text, file)
    data = located.data
    known = {f.name: f for f in _fields(data)} if isinstance(data, Mapping) else {}
    problems: list[Problem] = []
    changed = False
    for name, raw in submitted.items():
        field = known.get(name)
        if field is None or raw == field.value:
            continue
        *parents, last = _path(name)
        node: Any = data
        for part in parents:
            node = node[part]
        old = node[last] if not isinstance(node, Mapping) or last in node else None
        try:
            value = _parse(field.kind, raw, old, name)
        except BadInput as exc:
            problems += [Problem(p.message, "form", path=name) for p in exc.problems]
            continue
        if isinstance(old, Mapping) and "value" in old and field.kind == "number":
            node[last] = {**old, "value": value}
        elif value is None and isinstance(node, dict):
            node.pop(last, None)
        else:
            node[last] = value
        changed = True
    if not changed:
        return text, problems
    dumped = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return dumped, problems


def field_of(path: str | None, names: Sequence[str]) -> str | None:
    """The form field a problem's path belongs to: the longest field name that is the path
    or one of its ancestors (None if the form has no such field)."""
    if not path:
        return None
    best = None
    for name in names:
        if (path == name or path.startswith((name + ".", name + "["))) and (
            best is None or len(name) > len(best)
        ):
            best = name
    return best

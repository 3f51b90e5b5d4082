"""Load and validate case files, reporting every problem as ``FILE:LINE:COL: field: message``."""

from __future__ import annotations

import types
import typing
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from ..errors import BadInput, Problem, did_you_mean
from .migrate import retired
from .reader import Loc, Located, format_loc, read_yaml, read_yaml_text
from .references import check_coding, check_references, check_sources_complete
from .schema import Case

__all__ = ["case_problems", "case_warnings", "load_case_file", "parse_case_text"]


def _models_in(annotation: Any) -> list[Any]:
    """Every model class, list or dict type reachable at the top of ``annotation``."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
    return [annotation]


def _step(candidates: list[Any], part: str | int, raw: Any) -> list[Any]:
    out: list[Any] = []
    for c in candidates:
        origin = typing.get_origin(c)
        if isinstance(part, int) and origin is list:
            out += _models_in(typing.get_args(c)[0])
        elif isinstance(part, str) and origin is dict:
            out += _models_in(typing.get_args(c)[1])
        elif isinstance(part, str) and isinstance(c, type) and issubclass(c, BaseModel):
            for name, info in c.model_fields.items():
                if part in (name, info.alias):
                    out += _models_in(info.annotation)
    return out


def _allowed_fields(loc: Loc, data: Any) -> list[str]:
    """Field names accepted at ``loc`` (a mapping in the file), for 'did you mean' hints."""
    candidates: list[Any] = [Case]
    raw = data
    for part in loc:
        candidates = _step(candidates, part, raw)
        raw = raw[part] if _has(raw, part) else None
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    if isinstance(raw, dict) and "type" in raw:
        typed = [m for m in models if raw["type"] in _literal_values(m, "type")]
        models = typed or models
    if not models:
        return []
    return [info.alias or name for name, info in models[0].model_fields.items()]


def _literal_values(model: type[BaseModel], field: str) -> tuple[Any, ...]:
    info = model.model_fields.get(field)
    return typing.get_args(info.annotation) if info is not None else ()


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _normalise(loc: tuple[Any, ...], data: Any) -> Loc:
    """Drop pydantic's union tags and wrapper names from ``loc``: keep what navigates the file.

    A field name that is absent from the file (a missing required field) stays in the path;
    a union member's tag such as ``identity`` or ``list[str]`` does not.
    """
    out: list[str | int] = []
    node = data
    for part in loc:
        if _has(node, part):
            out.append(part)
            node = node[part]
        elif not isinstance(node, dict | list):
            break
        elif isinstance(node, dict) and part in _allowed_fields(tuple(out), data):
            out.append(part)
            break
    return tuple(out)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _message(error: Any, data: Any, loc: Loc) -> tuple[str, bool]:
    kind = error["type"]
    msg: str = error["msg"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        allowed = _allowed_fields(loc[:-1], data)
        hint = did_you_mean(key, allowed)
        return f"unknown field '{key}'{hint}", True
    if kind == "missing":
        return "required field is missing", False
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        tag, expected = str(ctx.get("tag")), str(ctx.get("expected_tags", ""))
        names = [t.strip(" '") for t in expected.split(",")]
        return f"unknown type '{tag}'{did_you_mean(tag, names)}; types: {', '.join(names)}", False
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    no_value = ("model_type", "model_attributes_type", "union_tag_invalid", "value_error")
    if kind not in no_value and "input" in error:
        value = error["input"]
        if isinstance(value, str | int | float | bool) or value is None:
            msg += f" (got {_short(value)})"
    if kind == "model_type":
        msg = f"expected a mapping of fields (got {_short(error.get('input'))})"
    if kind == "literal_error" and isinstance(error.get("input"), str):
        names = [
            n.strip(" '") for n in str(error["ctx"]["expected"]).replace(" or ", ", ").split(",")
        ]
        msg += did_you_mean(error["input"], names)
    return msg, False


def _schema_problems(located: Located, exc: ValidationError) -> list[Problem]:
    by_loc: dict[tuple[Loc, bool], list[str]] = defaultdict(list)
    errors = exc.errors(include_url=False)
    normalised = [_normalise(tuple(e["loc"]), located.data) for e in errors]
    # a union's branches each report an error; when one branch got further into the value
    # (e.g. a list of sources with one bad item), its error is the useful one
    deeper = {loc[:n] for loc, e in zip(normalised, errors, strict=True) for n in range(len(loc))}
    for error, loc in zip(errors, normalised, strict=True):
        if len(loc) < len(error["loc"]) and loc in deeper and error["type"] != "missing":
            continue
        if error["type"] == "union_tag_invalid":
            loc = (*loc, "type")
        elif error["type"] in ("extra_forbidden", "missing") and error["loc"]:
            name = error["loc"][-1]
            if not loc or loc[-1] != name:
                loc = (*loc, name)
        message, at_key = _message(error, located.data, loc)
        if error["type"] == "missing" and loc:
            message = f"required field '{loc[-1]}' is missing"
        by_loc[(loc, at_key)].append(message)
    problems = []
    for (loc, at_key), messages in by_loc.items():
        unique = list(dict.fromkeys(messages))
        text = unique[0] if len(unique) == 1 else "no accepted form fits: " + "; or ".join(unique)
        problems.append(located.problem(loc, text, key=at_key))
    return problems


def _sort_key(p: Problem) -> tuple[int, int, str]:
    return (p.line or 0, p.col or 0, p.message)


def case_problems(
    located: Located, *, strict_sources: bool = False
) -> tuple[Case | None, list[Problem]]:
    """Validate a located document: the case (if valid) and every problem found."""
    problems: list[Problem] = []
    case: Case | None = None
    if not isinstance(located.data, dict):
        got = "an empty file" if located.data is None else type(located.data).__name__
        return None, [Problem(f"a case file must be a YAML mapping, got {got}", located.file, 1, 1)]
    old = retired(located)
    for loc, message, at_key in old:
        problems.append(located.problem(loc, message, key=at_key))
    problems += located.problems  # values the reader could not read (a bad date...)
    replaced = {format_loc(loc) for loc, _, _ in old} | {p.path for p in located.problems}
    try:
        case = Case.model_validate(located.data)
    except ValidationError as exc:
        problems += [p for p in _schema_problems(located, exc) if p.path not in replaced]
    for loc, message, at_key in check_references(located):
        problems.append(located.problem(loc, message, key=at_key))
    if strict_sources:
        for loc, message, at_key in check_sources_complete(located):
            problems.append(located.problem(loc, message, key=at_key))
    unique = list(dict.fromkeys(problems))
    unique.sort(key=_sort_key)
    return (case if not unique else None), unique


def case_warnings(located: Located) -> list[Problem]:
    """Warnings on a located document's coding (docs/case-format.md, "Coding rules"): kinds
    coded only as happened, coded series with gaps, parameters without sources. They do not
    stop a case from loading; ``dilemma validate --strict`` counts them as problems."""
    if not isinstance(located.data, dict):
        return []
    found = [located.problem(loc, msg, key=at_key) for loc, msg, at_key in check_coding(located)]
    return sorted(dict.fromkeys(found), key=_sort_key)


def parse_case_text(text: str, file: str = "<string>", *, strict_sources: bool = False) -> Case:
    """Parse and validate a case from YAML text; raise :class:`BadInput` with every problem."""
    located = read_yaml_text(text, file, partial=True)
    case, problems = case_problems(located, strict_sources=strict_sources)
    if problems or case is None:
        raise BadInput(problems)
    return case


def load_case_file(path: str | Path, *, strict_sources: bool = False) -> Case:
    """Load and validate a case file; raise :class:`BadInput` with every problem."""
    case, problems = case_problems(read_yaml(path, partial=True), strict_sources=strict_sources)
    if problems or case is None:
        raise BadInput(problems)
    return case

"""Generate the case-format field reference (``docs/case-format.md``) from the schema."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from .schema import OBSERVABLE_KINDS, Case, Quantity

__all__ = ["schema_markdown"]

_HEADER = """# Case-file field reference

Generated from the schema by `dilemma schema --markdown`; do not edit by hand
(a test checks that this file matches the schema).

Every record that states facts cites a `source`: an id from the case's `sources` list, or a
list of ids. A number may also carry its own source: `range_km: {value: 1300, source: fas}`.
Dates may be written as `2008-08-20`, `2008-08` or `2008`.

**Dates and statuses.** A site's or missile's `status` is its status on the case's first day.
Every dated change then applies from its day on, in date order: a record's own dates (a
site's `operational` and `cancelled`, a membership's `since` and `until`, an alliance's `start`
and `end`; `until` and `end` are last days) and the `site`, `missile`, `membership` and
`alliance` events. The latest dated change wins; on one day an event wins over the record's
own dates, and `cancelled` over `operational`. A site's `operational` date is a plan: it does
not apply to a site cancelled by then. A site counts (is known to others) from the earliest of
its `announced` date, its first `site` event and the day it becomes operational; with none of
them, from the case's start unless its `status` is `cancelled`. A simulation step reads the
statuses of the last day of its period. The engine and the maps share this rule
(`security_dilemma.scenario.timeline`; docs/model.md, section 3).

**Older files.** A capability's `share_def` was split in two: `missile_defence_share`, the
share of the budget spent on missile defence (data, not read by the dynamics), and
`defence_share`, the share of effort in defensive forces (the start of Jervis's offence/defence
allocation); an event's `field: share_def` is now `field: defence_share`. A file that still uses
`share_def` is rejected with its line; `dilemma case migrate FILE` rewrites it, keeping comments
and layout (docs/cli.md).

"""


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        return " or ".join(dict.fromkeys(names))
    if origin is typing.Literal:
        return " \\| ".join(f"`{a}`" if not isinstance(a, bool) else str(a).lower() for a in args)
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if isinstance(annotation, type) and issubclass(annotation, Quantity):
        return "number"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    return {str: "text", int: "integer", float: "number", bool: "true/false"}.get(
        annotation, getattr(annotation, "__name__", str(annotation))
    )


def _models(annotation: Any) -> list[type[BaseModel]]:
    origin = typing.get_origin(annotation)
    if origin is not None:
        return [m for a in typing.get_args(annotation) for m in _models(a)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation] if not issubclass(annotation, Quantity) else []
    return []


def _default(info: Any) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.default_factory()
        if isinstance(value, Quantity):
            return f"{value.value:g}"
        return "empty" if value in ([], {}) else "see type"
    if info.default is None or info.default is PydanticUndefined:
        return "none"
    if isinstance(info.default, str):
        return f"`{info.default}`" if info.default else "empty"
    if isinstance(info.default, bool):
        return str(info.default).lower()  # as YAML writes it
    return f"{info.default}"


def _bounds(info: Any) -> str:
    parts = []
    for m in info.metadata:
        for attr, sym in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            v = getattr(m, attr, None)
            if v is not None:
                parts.append(f"{sym} {v}")
    ann = info.annotation
    for q in _quantity_types(ann):
        qinfo = q.model_fields["value"]
        parts += [p for p in [_bounds(qinfo)] if p]
    return ", ".join(parts)


def _quantity_types(annotation: Any) -> list[type[Quantity]]:
    origin = typing.get_origin(annotation)
    if origin is not None:
        return [q for a in typing.get_args(annotation) for q in _quantity_types(a)]
    if isinstance(annotation, type) and issubclass(annotation, Quantity):
        return [annotation]
    return []


_CODING_RULES = """## Coding rules

Observables are the record a case is scored against, so how they are coded decides what a
backtest can say. `dilemma validate` warns where a case breaks the checkable ones, and
`dilemma validate --strict` counts those warnings as problems. The flagship case, bmd-europe,
follows them all and passes `--strict`; the other built-in cases are still to be recoded to
them, and `dilemma validate` lists what each lacks.

1. **Say what a kind is.** Each kind is an *event* (it happens in a period: coded `true` if it
   happened at least once in the period) or a *standing state* (coded `true` if it held for
   at least half of the period); see the table below. An event is not coded from a stock (a
   signature from an alliance, an endorsement from a friendship), nor a state from one event.
2. **Code every period, happened or not.** A case codes *series*: a kind for an actor (and a
   counterpart, for a dyadic kind). Every series is coded for every period of the case's span
   (one observable per step, or a longer period that is all `true` or all `false`), so that a
   kind's base rate is a fact and not an artefact of coding only what happened. A kind coded
   only as `true`, and a series with periods left out, are warnings. Leave out a series you
   cannot code completely rather than code it in part.
3. **Cite the negative.** A `false` cites the sources that would have reported the event (a
   complete chronology, a data set, the counterpart's official record), or a source of kind
   `search` whose `citation` says what was searched for, where and what came back, with the
   day of the search in `accessed`. A state's `false` cites what shows the opposite state.
4. **One rule per kind per case, written down.** The case's comment block above
   `observables`, and its page under docs/cases/, state for each kind what counts (e.g.
   `tests`: a flight test of a ballistic missile of at least 1,000 km; `signs`: an agreement
   on missile defence or strategic arms). Where a data set codes the kind (COW NMC for
   `arms_up`, COW MID for `crisis`, ATOP for `allies`), the coding follows it and a test
   recomputes it; a departure (a series break, a war below COW's threshold) is named in a
   `note` with its other source.
5. **Who can be coded.** `actor` and `counterpart` are simulated actors, institutions of the
   case (e.g. NATO: an act of the institution, such as a summit declaration, is coded once for
   the institution, not once per member; forecasts read it from the members) or ISO3 codes of
   states the case does not simulate (recorded, not forecast). Event *effects* change the
   simulated state, so they name simulated actors only: an identity shift toward a state that
   is not simulated has nothing to act on and stays an error.
6. **One cost scale for signals.** A `signal` effect's `cost` is in units of the sender's
   annual military effort, on a scale the case states once with its criteria and applies to
   both sides and to every kind of signal alike: offers, reassurances, concessions and
   threats. A threat's cost is what it costs the sender to carry out or to back down from.
   The scale is set from the acts, not from the model's `signal_threshold`.
7. **Source the setting.** Every value set in `parameters`, and the offence-defence variables
   (`offence_dominance`, `distinguishability`) even at their defaults, has an entry in
   `parameter_sources`: its sources, or a source of kind `assumption` whose `sensitivity`
   says the range to try (also given as `range`). A value without one is a warning.

**Observable kinds.** The same table is in the schema (`OBSERVABLE_KINDS` in
`security_dilemma.scenario.schema`), which the validator and the forecasts read.

| kind | nature | dyadic | what counts |
|---|---|---|---|
"""


def _kinds_table() -> str:
    rows = [
        f"| `{k}` | {v.nature} | {'yes' if v.dyadic else 'no'} | {v.description} |\n"
        for k, v in OBSERVABLE_KINDS.items()
    ]
    return _CODING_RULES + "".join(rows) + "\n"


def schema_markdown() -> str:
    """The field reference for every record type reachable from :class:`Case`."""
    seen: list[type[BaseModel]] = []
    queue: list[type[BaseModel]] = [Case]
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            queue += [m for m in _models(info.annotation) if m not in seen]
    out = [_HEADER, _kinds_table()]
    for model in seen:
        doc = (model.__doc__ or "").strip().splitlines()[0]
        out.append(f"## {model.__name__}\n\n{doc}\n\n")
        out.append("| field | type | default | allowed | description |\n|---|---|---|---|---|\n")
        for name, info in model.model_fields.items():
            field = info.alias or name
            desc = (info.description or "").replace("|", "\\|").replace("\n", " ")
            out.append(
                f"| `{field}` | {_type_name(info.annotation)} | {_default(info)} | "
                f"{_bounds(info)} | {desc} |\n"
            )
        out.append("\n")
    return "".join(out)

"""What-if worlds: the case with some events, defence sites or missiles taken out.

A :class:`~security_dilemma.scenario.schema.Counterfactual` names what does not exist in the
"what if" world; :func:`apply_counterfactual` returns that world as a new, validated
:class:`Case` (the input is not changed). The rules (docs/whatif.md):

* a dropped **event** is removed with all its effects;
* a dropped **defence site** or **missile system** is removed from the case, and so is every
  ``site`` (or ``missile``) status effect on it in the events that remain; those events keep
  their other effects (an identity shift recorded with a deployment still happens). An event
  is never removed because of what it refers to: a counterfactual says which events go;
* ``parameters`` replace the case's values from the start, checked like
  :func:`~security_dilemma.scenario.overrides.with_parameters`; dated ``parameter`` events
  that remain still apply from their dates;
* the new case keeps the actors, the span, the observables and the id of the case, so a run of
  it with the same seed draws the same random numbers replicate by replicate (docs/whatif.md);
  it has no ``counterfactuals`` of its own.

>>> from security_dilemma import load_case
>>> case = load_case("bmd-europe")
>>> world = apply_counterfactual(case, "no-missile-defence")
>>> [s.id for s in world.defence_sites]
['gabala', 'fort-greely', 'vandenberg']
>>> len(case.events) - len(world.events)
16
>>> adhoc = Counterfactual(id="x", title="No Munich speech", drop_events=["putin-munch"])
>>> try:
...     apply_counterfactual(case, adhoc)
... except BadInput as exc:
...     print(exc)
drop_events: unknown event 'putin-munch' (did you mean 'putin-munich'?)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..errors import BadInput, Problem, did_you_mean
from ..scenario.overrides import with_parameters
from ..scenario.reader import Located, format_loc
from ..scenario.schema import Case, Counterfactual, Event, MissileStatus, SiteStatus

__all__ = [
    "Changes",
    "apply_counterfactual",
    "counterfactual_changes",
    "counterfactual_problems",
    "find_counterfactual",
]

FIELDS = ("drop_events", "drop_sites", "drop_missiles", "parameters")
"""The fields of a counterfactual that refer to the case."""


def find_counterfactual(case: Case, counterfactual: Counterfactual | str) -> Counterfactual:
    """The counterfactual itself, or the case's counterfactual with this id."""
    if isinstance(counterfactual, Counterfactual):
        return counterfactual
    for cf in case.counterfactuals:
        if cf.id == counterfactual:
            return cf
    ids = [cf.id for cf in case.counterfactuals]
    listed = (
        f"; the case's counterfactuals: {', '.join(ids)}"
        if ids
        else (f"; case '{case.id}' has no counterfactuals")
    )
    raise BadInput(
        Problem(
            f"unknown counterfactual '{counterfactual}'{did_you_mean(counterfactual, ids)}{listed}",
            path="counterfactual",
        )
    )


def counterfactual_problems(
    case: Case, cf: Counterfactual, *, labels: Mapping[str, str] | None = None
) -> list[Problem]:
    """Every id in ``cf`` that the case does not have, with a "did you mean". ``labels`` names
    the fields in the messages (e.g. ``{"drop_events": "--drop-event"}`` for the command line).
    Parameter names and values are checked as by
    :func:`~security_dilemma.scenario.overrides.with_parameters`."""
    names = dict(labels or {})
    known: dict[str, tuple[list[str], str]] = {
        "drop_events": ([e.id for e in case.events], "event"),
        "drop_sites": ([s.id for s in case.defence_sites], "defence site"),
        "drop_missiles": ([m.id for m in case.missiles], "missile system"),
    }
    problems = []
    for field, (ids, what) in known.items():
        for value in getattr(cf, field):
            if value not in ids:
                problems.append(
                    Problem(
                        f"unknown {what} '{value}'{did_you_mean(value, ids)}",
                        path=names.get(field, field),
                    )
                )
    if cf.parameters:
        label = names.get("parameters", "parameters")
        try:
            with_parameters(case, cf.parameters)
        except BadInput as exc:
            problems += [
                Problem(p.message, path=f"{label} {p.path}" if p.path else label)
                for p in exc.problems
            ]
    return problems


def _keep(effect: Any, sites: set[str], missiles: set[str]) -> bool:
    if isinstance(effect, SiteStatus):
        return effect.site not in sites
    if isinstance(effect, MissileStatus):
        return effect.missile not in missiles
    return True


def _events(case: Case, cf: Counterfactual) -> tuple[list[Event], list[tuple[Event, int]]]:
    """The remaining events (effects on dropped sites and missiles removed) and, for each
    event that lost effects, the event as recorded and how many effects it lost."""
    drop, sites, missiles = set(cf.drop_events), set(cf.drop_sites), set(cf.drop_missiles)
    kept: list[Event] = []
    trimmed: list[tuple[Event, int]] = []
    for event in case.events:
        if event.id in drop:
            continue
        effects = [e for e in event.effects if _keep(e, sites, missiles)]
        if len(effects) < len(event.effects):
            trimmed.append((event, len(event.effects) - len(effects)))
            event = event.model_copy(update={"effects": effects})
        kept.append(event)
    return kept, trimmed


def apply_counterfactual(
    case: Case,
    counterfactual: Counterfactual | str,
    *,
    labels: Mapping[str, str] | None = None,
) -> Case:
    """The case in the world ``counterfactual`` describes (an id of the case's
    ``counterfactuals`` or a :class:`Counterfactual`): a new, validated :class:`Case`.

    Raises :class:`BadInput` for ids the case does not have and for unknown or out-of-range
    parameters; ``labels`` names the fields in those messages.
    """
    cf = find_counterfactual(case, counterfactual)
    problems = counterfactual_problems(case, cf, labels=labels)
    if problems:
        raise BadInput(problems)
    events, _ = _events(case, cf)
    update: dict[str, Any] = {
        "events": events,
        "defence_sites": [s for s in case.defence_sites if s.id not in set(cf.drop_sites)],
        "missiles": [m for m in case.missiles if m.id not in set(cf.drop_missiles)],
        "counterfactuals": [],
        "question": None,  # it names a world that is gone
    }
    data = case.model_copy(update=update).model_dump(mode="json", by_alias=True, exclude_none=True)
    world = _validated(data, cf.id)
    return with_parameters(world, cf.parameters) if cf.parameters else world


def _validated(data: dict[str, Any], name: str) -> Case:
    """A case from plain data, with the schema and every cross-reference checked."""
    from ..scenario.references import check_references

    where = f"<counterfactual {name}>"
    try:
        world = Case.model_validate(data)
    except ValidationError as exc:  # pragma: no cover - removing records keeps the schema
        raise BadInput(Problem(f"{where}: {exc}")) from None
    issues = check_references(Located(data, where))
    if issues:  # pragma: no cover - every reference to what was removed is removed too
        raise BadInput(
            [Problem(message, where, path=format_loc(loc)) for loc, message, _ in issues]
        )
    return world


@dataclass(frozen=True)
class Changes:
    """What a counterfactual changes in a case, for reports: the events removed, the events
    that lost effects on removed sites or missiles, the sites and missiles removed, the
    parameters set, and the counterfactual's description and note."""

    id: str
    title: str
    description: str
    dropped_events: tuple[tuple[str, str, str], ...]
    trimmed_events: tuple[tuple[str, str, str, int], ...]
    dropped_sites: tuple[tuple[str, str], ...]
    dropped_missiles: tuple[tuple[str, str], ...]
    parameters: tuple[tuple[str, float], ...]
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields (documented in docs/whatif.md)."""
        return {
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "dropped_events": [{"id": i, "date": d, "title": t} for i, d, t in self.dropped_events],
            "trimmed_events": [
                {"id": i, "date": d, "title": t, "effects_removed": k}
                for i, d, t, k in self.trimmed_events
            ],
            "dropped_sites": [{"id": i, "name": n} for i, n in self.dropped_sites],
            "dropped_missiles": [{"id": i, "name": n} for i, n in self.dropped_missiles],
            "parameters": dict(self.parameters),
            "note": self.note,
        }


def counterfactual_changes(case: Case, counterfactual: Counterfactual | str) -> Changes:
    """What ``counterfactual`` removes from (and sets in) ``case``."""
    cf = find_counterfactual(case, counterfactual)
    drop = set(cf.drop_events)
    _, trimmed = _events(case, cf)
    sites = {s.id: s.name or s.id for s in case.defence_sites}
    missiles = {m.id: m.name for m in case.missiles}
    return Changes(
        id=cf.id,
        title=cf.title,
        description=cf.description,
        dropped_events=tuple(
            (e.id, e.date.isoformat(), e.title) for e in case.events if e.id in drop
        ),
        trimmed_events=tuple((e.id, e.date.isoformat(), e.title, k) for e, k in trimmed),
        dropped_sites=_named(cf.drop_sites, sites),
        dropped_missiles=_named(cf.drop_missiles, missiles),
        parameters=tuple(cf.parameters.items()),
        note=cf.note,
    )


def _named(ids: Iterable[str], names: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple((i, names.get(i, i)) for i in dict.fromkeys(ids))

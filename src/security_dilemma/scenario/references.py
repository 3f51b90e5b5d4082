"""Cross-reference checks on a case: ids exist, are unique, dates fall in the span, places resolve.

These run on the raw data (not the validated model) so that a file with schema errors still
gets its reference errors reported in the same pass. Malformed parts are skipped here: the
schema reports them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import Any

from ..errors import did_you_mean
from .reader import Loc, Located
from .schema import to_date

__all__ = ["FACTUAL_SECTIONS", "check_coding", "check_references", "check_sources_complete"]

Issue = tuple[Loc, str, bool]  # (where, message, points at a key?)

_UNIQUE = {
    "actors": "id",
    "sources": "id",
    "missiles": "id",
    "defence_sites": "id",
    "institutions": "id",
    "alliances": "id",
    "events": "id",
    "observables": "id",
    "places": "name",
    "counterfactuals": "id",
}

FACTUAL_SECTIONS = (
    "capabilities",
    "missiles",
    "defence_sites",
    "institutions",
    "alliances",
    "identities",
    "beliefs",
    "interdependence",
    "places",
    "events",
    "observables",
    "parameter_sources",
)
"""Sections whose records state facts and so must cite a source in built-in cases."""


def _records(data: Any, section: str) -> Iterator[tuple[int, dict[str, Any]]]:
    items = data.get(section) if isinstance(data, dict) else None
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                yield i, item


def _ids(data: Any, section: str) -> list[str]:
    key = _UNIQUE[section]
    return [r[key] for _, r in _records(data, section) if isinstance(r.get(key), str)]


def _date(value: Any, *, end: bool = False) -> dt.date | None:
    try:
        out = to_date(value, end=end)
    except (ValueError, TypeError):
        return None
    return out if isinstance(out, dt.date) else None


@cache
def _iso3() -> frozenset[str]:
    from ..data.loaders import countries, cow_iso3

    codes = set(countries().iso3) | {c for c in cow_iso3().iso3 if c}
    return frozenset(str(c) for c in codes)


def _skeleton(actors: list[str]) -> Any:
    """A case with these actor ids and default parameters, for checking parameter names."""
    from .schema import Actor, Case, Parameters, Span

    span = Span.model_construct(start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31))
    return Case.model_construct(
        id="parameters",
        title="parameters",
        span=span,
        actors=[Actor.model_construct(id=a, name=a) for a in actors],
        parameters=Parameters(),
    )


def _parameter_names(actors: list[str]) -> list[str]:
    from .overrides import parameter_names

    return parameter_names(_skeleton(actors))


def _parameter_value_problem(name: str, value: float) -> str | None:
    """Why ``name = value`` is out of range (as `with_parameters` says), or None."""
    from ..errors import BadInput
    from .overrides import with_parameters

    parts = name.split(".")
    actors = [parts[1]] if parts[0] == "actors" and len(parts) == 3 else []
    try:
        with_parameters(_skeleton(actors), {name: value})
    except BadInput as exc:
        return "; ".join(p.message for p in exc.problems)
    return None


def _number(value: Any) -> float | None:
    """``value`` as the number the schema reads it as (YAML 1.1 reads ``1.0e9`` as text,
    which the schema converts), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class _Checker:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.issues: list[Issue] = []
        self.actors = set(_ids(data, "actors"))
        self.institutions = set(_ids(data, "institutions"))
        self.sources = set(_ids(data, "sources"))
        self.names: list[str] | None = None  # parameter names, computed when first needed

    def ref(self, loc: Loc, value: Any, known: set[str], what: str, *, star: bool = False) -> None:
        for i, v in enumerate(_as_list(value)):
            if not isinstance(v, str) or v in known or (star and v == "*"):
                continue
            where = (*loc, i) if isinstance(value, list) else loc
            self.issues.append((where, f"unknown {what} '{v}'{did_you_mean(v, known)}", False))

    def actor(self, loc: Loc, value: Any, *, star: bool = False) -> None:
        self.ref(loc, value, self.actors, "actor", star=star)

    def party(self, loc: Loc, value: Any) -> None:
        """An observable's actor or counterpart: a simulated actor, an institution of the case,
        or the ISO3 code of a state that is not simulated (``Case.party`` tells them apart)."""
        if not isinstance(value, str):
            return
        if value in self.actors or value in self.institutions or value in _iso3():
            return
        hint = did_you_mean(value, self.actors | self.institutions)
        msg = (
            f"unknown party '{value}'{hint}: not an actor, an institution of the case or the "
            "ISO3 code of a state"
        )
        self.issues.append((loc, msg, False))

    def unique(self) -> None:
        for section, key in _UNIQUE.items():
            seen: dict[str, int] = {}
            for i, r in _records(self.data, section):
                v = r.get(key)
                if not isinstance(v, str):
                    continue
                if v in seen:
                    self.issues.append(
                        (
                            (section, i, key),
                            f"duplicate {key} '{v}' (also {section}[{seen[v]}])",
                            False,
                        )
                    )
                else:
                    seen[v] = i

    def others(self, loc: Loc, first: Any, second: Any, what: str) -> None:
        """``first`` and ``second`` (at ``loc``) must be two different actors."""
        if isinstance(first, str) and first == second:
            self.issues.append((loc, f"{what} of '{first}' with itself", False))

    def distinct(self, loc: Loc, values: Any) -> None:
        """A list of actors that names each once."""
        if not isinstance(values, list):
            return
        seen: set[str] = set()
        for i, v in enumerate(values):
            if isinstance(v, str) and v in seen:
                self.issues.append(((*loc, i), f"'{v}' is listed twice", False))
            if isinstance(v, str):
                seen.add(v)

    def pair(self, loc: Loc, between: Any, what: str) -> None:
        """A ``between`` pair of two different actors."""
        if isinstance(between, list) and len(between) == 2:
            self.others((*loc, 1), between[0], between[1], what)

    def actors_refs(self) -> None:
        """Every record that names actors: blocs, places, holdings, institutions and
        alliances, relations, observables and per-actor parameters."""
        self._blocs()
        self._holdings()
        self._institutions()
        self._relations()
        self._observables()
        self._actor_parameters()

    def _blocs(self) -> None:
        for i, r in _records(self.data, "actors"):
            members = r.get("members")
            if isinstance(members, list):  # a bloc's members need not be simulated actors
                self.ref(("actors", i, "members"), members, self.actors | _iso3(), "member")
                self.distinct(("actors", i, "members"), members)
                for j, m in enumerate(members):
                    if m == r.get("id"):
                        self.issues.append(
                            (("actors", i, "members", j), "a bloc cannot be its own member", False)
                        )
        for i, r in _records(self.data, "places"):
            if r.get("country") is not None:
                self.ref(("places", i, "country"), r["country"], self.actors | _iso3(), "country")

    def _holdings(self) -> None:
        for section in ("capabilities", "missiles", "defence_sites"):
            for i, r in _records(self.data, section):
                self.actor((section, i, "actor"), r.get("actor"))
        for i, r in _records(self.data, "defence_sites"):
            if "host" in r:  # a host need not be simulated: any actor or country code will do
                self.ref(("defence_sites", i, "host"), r.get("host"), self.actors | _iso3(), "host")

    def _institutions(self) -> None:
        for i, r in _records(self.data, "institutions"):
            members = r.get("members")
            for j, m in enumerate(members if isinstance(members, list) else []):
                if isinstance(m, dict):
                    self.actor(("institutions", i, "members", j, "actor"), m.get("actor"))
                else:
                    self.actor(("institutions", i, "members", j), m)
        for i, r in _records(self.data, "alliances"):
            self.actor(("alliances", i, "members"), r.get("members"))
            self.distinct(("alliances", i, "members"), r.get("members"))

    def _relations(self) -> None:
        for section in ("identities", "beliefs"):
            what = "an identity" if section == "identities" else "a belief"
            for i, r in _records(self.data, section):
                for key in ("from", "to", "between"):
                    if key in r:
                        self.actor((section, i, key), r[key])
                self.others((section, i, "to"), r.get("from"), r.get("to"), what)
                self.pair((section, i, "between"), r.get("between"), what)
        for i, r in _records(self.data, "interdependence"):
            self.actor(("interdependence", i, "between"), r.get("between"))
            self.pair(("interdependence", i, "between"), r.get("between"), "interdependence")

    def _observables(self) -> None:
        for i, r in _records(self.data, "observables"):
            for key in ("actor", "counterpart"):
                if r.get(key) is not None:
                    self.party(("observables", i, key), r.get(key))
            if r.get("counterpart") is not None:
                self.others(
                    ("observables", i, "counterpart"), r.get("actor"), r["counterpart"], "a record"
                )

    def _actor_parameters(self) -> None:
        params = self.data.get("parameters")
        if isinstance(params, dict) and isinstance(params.get("actors"), dict):
            for key in params["actors"]:
                if isinstance(key, str) and key not in self.actors:
                    msg = f"unknown actor '{key}'{did_you_mean(key, self.actors)}"
                    self.issues.append((("parameters", "actors", key), msg, True))

    def parameter(self, loc: Loc, name: Any, value: Any, value_loc: Loc, *, at_key: bool) -> None:
        """A parameter set by dotted name (at ``loc``): a known name, a value in its range."""
        if not isinstance(name, str):
            return
        if self.names is None:
            self.names = _parameter_names(sorted(self.actors))
        if name not in self.names:
            msg = f"unknown parameter '{name}'{did_you_mean(name, self.names)}"
            self.issues.append((loc, msg, at_key))
        elif (number := _number(value)) is not None:
            problem = _parameter_value_problem(name, number)
            if problem:
                self.issues.append((value_loc, problem, False))

    def events(self) -> None:
        known = {
            "site": ("defence_sites", set(_ids(self.data, "defence_sites")), "defence site"),
            "missile": ("missiles", set(_ids(self.data, "missiles")), "missile system"),
            "institution": ("institutions", set(_ids(self.data, "institutions")), "institution"),
            "alliance": ("alliances", set(_ids(self.data, "alliances")), "alliance"),
        }
        for i, event in _records(self.data, "events"):
            self.actor(("events", i, "actors"), event.get("actors"))
            effects = event.get("effects")
            if not isinstance(effects, list):
                continue
            for j, eff in enumerate(effects):
                if not isinstance(eff, dict):
                    continue
                loc: Loc = ("events", i, "effects", j)
                for key in ("actor", "from", "to", "between"):
                    if key in eff:
                        self.actor((*loc, key), eff[key], star=key in ("from", "to"))
                for key, (_, ids, what) in known.items():
                    if key in eff:
                        self.ref((*loc, key), eff[key], ids, what)
                if eff.get("type") == "crisis":
                    self.pair((*loc, "between"), eff.get("between"), "a crisis")
                if eff.get("type") == "parameter":
                    name, value = eff.get("name"), eff.get("value")
                    self.parameter((*loc, "name"), name, value, (*loc, "value"), at_key=False)

    def counterfactuals(self) -> None:
        known = {
            "drop_events": (set(_ids(self.data, "events")), "event"),
            "drop_sites": (set(_ids(self.data, "defence_sites")), "defence site"),
            "drop_missiles": (set(_ids(self.data, "missiles")), "missile system"),
        }
        for i, cf in _records(self.data, "counterfactuals"):
            for key, (ids, what) in known.items():
                if key in cf:
                    self.ref(("counterfactuals", i, key), cf[key], ids, what)
            values = cf.get("parameters")
            if not isinstance(values, dict):
                continue
            for name, value in values.items():
                loc: Loc = ("counterfactuals", i, "parameters", name)
                self.parameter(loc, name, value, loc, at_key=True)
        question = self.data.get("question")
        if isinstance(question, dict):
            worlds = set(_ids(self.data, "counterfactuals"))
            self.ref(("question", "world"), question.get("world"), worlds, "what-if world")
            self.actor(("question", "actor"), question.get("actor"))

    def parameter_sources(self) -> None:
        for i, r in _records(self.data, "parameter_sources"):
            loc: Loc = ("parameter_sources", i, "name")
            self.parameter(loc, r.get("name"), None, loc, at_key=False)

    def span(self) -> None:
        span = self.data.get("span")
        if not isinstance(span, dict):
            return
        start, end = _date(span.get("start")), _date(span.get("end"), end=True)
        if start is None or end is None:
            return
        for i, event in _records(self.data, "events"):
            d = _date(event.get("date"))
            if d is not None and not start <= d <= end:
                msg = f"date {d} is outside the case's span ({start} to {end})"
                self.issues.append((("events", i, "date"), msg, False))
        for i, obs in _records(self.data, "observables"):
            for key, is_end in (("start", False), ("end", True), ("period", False)):
                if key not in obs:
                    continue
                d = _date(obs.get(key), end=is_end)
                if d is not None and not start <= d <= end:
                    msg = f"date {d} is outside the case's span ({start} to {end})"
                    self.issues.append((("observables", i, key), msg, False))

    def source_refs(self) -> None:
        def walk(node: Any, loc: Loc) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "source" and loc[:1] != ("sources",):
                        self.ref((*loc, key), value, self.sources, "source")
                    else:
                        walk(value, (*loc, key))
            elif isinstance(node, list):
                for i, item in enumerate(node):
                    walk(item, (*loc, i))

        walk(self.data, ())

    def places(self) -> None:
        from ..geo.gazetteer import Gazetteer

        extra = []
        for _, p in _records(self.data, "places"):
            lat, lon = p.get("lat"), p.get("lon")
            named = isinstance(p.get("name"), str)
            if named and isinstance(lat, int | float) and isinstance(lon, int | float):
                extra.append((p["name"], float(lat), float(lon)))
        gaz = Gazetteer.with_places(extra)

        def check(loc: Loc, name: Any) -> None:
            if isinstance(name, str):
                problem = gaz.explain_unknown(name)
                if problem:
                    self.issues.append((loc, problem, False))

        for i, r in _records(self.data, "defence_sites"):
            check(("defence_sites", i, "place"), r.get("place"))
        for i, r in _records(self.data, "missiles"):
            areas = r.get("launch_areas")
            if isinstance(areas, list):
                for j, a in enumerate(areas):
                    check(("missiles", i, "launch_areas", j), a)
        for i, r in _records(self.data, "actors"):
            if "capital" in r:
                check(("actors", i, "capital"), r.get("capital"))

    def lenses(self) -> None:
        from ..lenses import lens_names, lens_parameters

        names = set(lens_names())
        for i, r in _records(self.data, "actors"):
            lens = r.get("lens")
            if isinstance(lens, str) and lens not in names:
                hint = did_you_mean(lens, names)
                msg = f"unknown lens '{lens}'{hint}; lenses: {', '.join(sorted(names))}"
                self.issues.append((("actors", i, "lens"), msg, False))
        params = self.data.get("parameters")
        lenses = params.get("lenses") if isinstance(params, dict) else None
        if not isinstance(lenses, dict):
            return
        for lens, values in lenses.items():
            loc: Loc = ("parameters", "lenses", lens)
            if lens not in names:
                msg = f"unknown lens '{lens}'{did_you_mean(str(lens), names)}"
                self.issues.append((loc, msg, True))
                continue
            allowed = set(lens_parameters(lens))
            if isinstance(values, dict):
                for key in values:
                    if key not in allowed:
                        hint = did_you_mean(str(key), allowed)
                        msg = f"lens '{lens}' has no parameter '{key}'{hint}"
                        if allowed:
                            msg += f"; it takes: {', '.join(sorted(allowed))}"
                        self.issues.append(((*loc, key), msg, True))


def check_references(located: Located) -> list[Issue]:
    """Every reference problem in a case's raw data, as ``(loc, message, at_key)``."""
    data = located.data
    if not isinstance(data, dict):
        return []
    checker = _Checker(data)
    checker.unique()
    checker.actors_refs()
    checker.events()
    checker.span()
    checker.source_refs()
    checker.places()
    checker.lenses()
    checker.counterfactuals()
    checker.parameter_sources()
    return checker.issues


def check_sources_complete(located: Located) -> list[Issue]:
    """Records in factual sections that cite no source (required of built-in cases)."""
    issues: list[Issue] = []
    data = located.data
    for section in FACTUAL_SECTIONS:
        for i, r in _records(data, section):
            if r.get("source"):
                continue
            quantities = [v for v in r.values() if isinstance(v, dict) and "value" in v]
            numbers = [
                k
                for k, v in r.items()
                if isinstance(v, int | float) and not isinstance(v, bool) and k != "year"
            ]
            if quantities and not numbers and all(q.get("source") for q in quantities):
                continue
            issues.append(((section, i), "cites no source (add `source: <id>`)", False))
    for i, r in _records(data, "actors"):
        if r.get("ccode") is not None and not r.get("source"):
            issues.append((("actors", i), "cites no source for its data (add `source`)", False))
    return issues


# --- coding checks (warnings) -------------------------------------------------------------

_JERVIS = ("offence_dominance", "distinguishability")
"""Parameters every case should source: the offence-defence variables of its setting."""


def _flat_parameters(params: Any, prefix: str = "") -> list[str]:
    """Dotted names of the values a case's `parameters` section sets."""
    out: list[str] = []
    if isinstance(params, dict):
        for key, value in params.items():
            name = f"{prefix}{key}"
            if isinstance(value, dict):
                out += _flat_parameters(value, f"{name}.")
            else:
                out.append(name)
    return out


def _periods(span: dict[str, Any]) -> list[tuple[dt.date, dt.date]]:
    """The case's step periods (first and last day), or none when the span is malformed."""
    from .timeline import step_dates

    start, end = _date(span.get("start")), _date(span.get("end"), end=True)
    step = span.get("step", "year")
    days = {"year": 365, "quarter": 91, "month": 28, "week": 7, "day": 1}.get(str(step))
    if start is None or end is None or end <= start or days is None:
        return []
    if (end - start).days // days > 100_000:  # not a case the engine could run either
        return []
    try:
        firsts = step_dates(start, end, step)
    except (ValueError, OverflowError):
        return []
    lasts = [d - dt.timedelta(days=1) for d in firsts[1:]] + [end]
    return list(zip(firsts, lasts, strict=True))


def check_coding(located: Located) -> list[Issue]:
    """Warnings on how complete a case's coding is (docs/case-format.md, Coding rules):

    * a kind coded only as happened (its base rate is 1 by construction);
    * a coded series (kind, actor, counterpart) with periods of the case not coded;
    * parameters set without a `parameter_sources` entry, and the offence-defence variables
      (`offence_dominance`, `distinguishability`) without one.
    """
    from .schema import OBSERVABLE_KINDS

    data = located.data
    if not isinstance(data, dict):
        return []
    observables = dict(_records(data, "observables"))
    by_kind: dict[str, list[int]] = {}
    for i, r in observables.items():
        kind = r.get("kind")
        if isinstance(kind, str) and kind in OBSERVABLE_KINDS:
            by_kind.setdefault(kind, []).append(i)
    issues: list[Issue] = []
    for kind, rows in by_kind.items():
        if all(observables[i].get("occurred") is True for i in rows):
            msg = (
                f"kind '{kind}' is coded only as happened ({len(rows)} observable"
                f"{'s' if len(rows) != 1 else ''}): code the periods it did not happen too, "
                "with the sources or searches that show it (Coding rules)"
            )
            issues.append((("observables", rows[0], "kind"), msg, False))
    return issues + _series_gaps(data, observables, set(by_kind)) + _unsourced(data)


def _series_gaps(
    data: dict[str, Any], observables: dict[int, dict[str, Any]], kinds: set[str]
) -> list[Issue]:
    """A warning per coded series (kind, actor, counterpart) with periods of the case not coded."""
    span = data.get("span")
    periods = _periods(span) if isinstance(span, dict) else []
    step = span.get("step", "year") if isinstance(span, dict) else "year"
    series: dict[tuple[str, str, str | None], list[int]] = {}
    for i, r in observables.items():
        kind, actor, other = r.get("kind"), r.get("actor"), r.get("counterpart")
        if isinstance(kind, str) and kind in kinds and isinstance(actor, str):
            key = (kind, actor, other if isinstance(other, str) else None)
            series.setdefault(key, []).append(i)
    issues: list[Issue] = []
    for (kind, actor, counterpart), rows in series.items():
        missing = _uncovered(periods, [observables[i] for i in rows])
        if missing:
            name = f"{kind} {actor}" + (f"->{counterpart}" if counterpart else "")
            msg = (
                f"series '{name}' has {len(missing)} of {len(periods)} periods not coded "
                f"({_ranges(missing, periods, step)}): code every period of the case, happened "
                "or not (Coding rules)"
            )
            issues.append((("observables", rows[0]), msg, False))
    return issues


def _uncovered(
    periods: list[tuple[dt.date, dt.date]], records: list[dict[str, Any]]
) -> list[dt.date]:
    """The first days of the periods no record's period overlaps (none if a date is malformed:
    the schema reports that)."""
    covered = [False] * len(periods)
    for r in records:
        first = _date(r.get("period", r.get("start")))
        last = _date(r.get("period", r.get("end")), end=True)
        if first is None or last is None:
            return []
        for t, (a, b) in enumerate(periods):
            covered[t] = covered[t] or (a <= last and b >= first)
    return [periods[t][0] for t, ok in enumerate(covered) if not ok]


def _unsourced(data: dict[str, Any]) -> list[Issue]:
    """Warnings on parameters set without a `parameter_sources` entry, and on the
    offence-defence variables left at the package default without one."""
    params = data.get("parameters")
    sourced = {
        r["name"]
        for _, r in _records(data, "parameter_sources")
        if isinstance(r.get("name"), str) and r.get("source")
    }
    issues: list[Issue] = []
    given = _flat_parameters(params)
    for name in given:
        if name not in sourced:
            msg = f"parameter '{name}' is set without a source (add it to `parameter_sources`)"
            issues.append((("parameters", *name.split(".")), msg, True))
    for name in _JERVIS:
        if name not in sourced and name not in given:
            msg = (
                f"'{name}' is left at the package default without a source: state the case's "
                "value in `parameters`, with its source or assumption in `parameter_sources`"
            )
            issues.append((("parameters",) if isinstance(params, dict) else (), msg, False))
    return issues


def _ranges(missing: list[dt.date], periods: list[tuple[dt.date, dt.date]], step: str) -> str:
    """The missing periods as ranges of consecutive periods: '2001-2005, 2009'."""
    fmt = {"year": "%Y", "quarter": "%Y-%m", "month": "%Y-%m"}.get(step, "%Y-%m-%d")
    index = {a: t for t, (a, _) in enumerate(periods)}
    out: list[str] = []
    run: list[dt.date] = []
    for d in missing:
        if run and index[d] != index[run[-1]] + 1:
            out.append(_run_text(run, fmt))
            run = []
        run.append(d)
    if run:
        out.append(_run_text(run, fmt))
    return ", ".join(out)


def _run_text(run: list[dt.date], fmt: str) -> str:
    first, last = run[0].strftime(fmt), run[-1].strftime(fmt)
    return first if first == last else f"{first}-{last}" if fmt == "%Y" else f"{first} to {last}"

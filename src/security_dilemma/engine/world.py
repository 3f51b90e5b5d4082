"""Compile a case into what the run loop needs: dates, per-step inputs and initial conditions.

The schedule is deterministic (the same in every replicate): for each step, the parameters in
force (after ``parameter`` events), the setting (reach, missile defence, institutions,
treaties, interdependence) and the state effects of the step's events. Settings are computed
once per distinct configuration of site and missile statuses, memberships and treaties, so
interception is recomputed only when a site's status changes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from ..errors import BadInput, Problem
from ..scenario.overrides import shifted, with_parameters
from ..scenario.schema import Case, ParameterChange, Parameters
from ..scenario.timeline import Statuses, step_dates, step_days, timeline
from .events import compile_step_events
from .geography import (
    ACTIVE_MISSILE_STATUSES,
    capital_distances,
    conventional_reach,
    erosion_matrix,
    intercept_matrix,
    missile_reach,
)
from .params import Params, compile_params, lens_assignment, relensed
from .setting import Dyads, Setting, make_setting
from .state import State, log_odds_of
from .step import StepInput, assess, decide, perceive, pressure_of

__all__ = ["OBLIGATION_WEIGHT", "World", "compile_world", "relens", "step_dates"]

Matrix = npt.NDArray[np.float64]

YEARS_PER_STEP = {"year": 1.0, "quarter": 0.25, "month": 1.0 / 12.0, "week": 7.0 / 365.25,
                  "day": 1.0 / 365.25}  # fmt: skip
"""The length of a step in years."""

OBLIGATION_WEIGHT = {
    "defence": 1.0,
    "offence": 1.0,
    "consultation": 0.5,
    "neutrality": 0.3,
    "nonaggression": 0.3,
}
"""How much of an alliance's commitment each ATOP obligation type carries into ``treaty``."""


@dataclass(frozen=True)
class World:
    """A case compiled for the engine."""

    case: Case
    actors: tuple[str, ...]
    lenses: tuple[str, ...]
    dates: tuple[dt.date, ...]
    inputs: tuple[StepInput, ...]
    milex0: npt.NDArray[np.float64]
    scale: float
    prior: npt.NDArray[np.float64]
    start: Mapping[str, npt.NDArray[Any]]
    dtype: Any
    notes: tuple[str, ...]

    @property
    def n(self) -> int:
        """Number of states."""
        return len(self.actors)

    @property
    def steps(self) -> int:
        """Number of steps (periods)."""
        return len(self.dates)

    def _state(self, motive: npt.NDArray[Any]) -> State:
        """The state at the start for replicates with the given types ``(n, B)``, its
        anchors (``pressure0``, ``share_offset``, ``stance``) not yet set."""
        return _start_state(self.start, motive, self.dtype)

    @cached_property
    def _origin(self) -> Origin:
        """What the lenses see and decide at the start: the same in every replicate (but for
        the greedy types' bent), so computed once, for one replicate of security seekers."""
        return _origin(self.inputs[0], self._state(np.zeros((self.n, 1), dtype=self.dtype)))

    def initial_state(self, motive_uniforms: npt.NDArray[np.float32]) -> State:
        """The state at the start (one copy) for replicates with motive uniforms (B, n): each
        replicate's types, and its anchors: the pressure it felt at the start, its stances
        then, and each actor's defence share at the start minus its lens's target then."""
        b = motive_uniforms.shape[0]
        dt_ = self.dtype
        motive = np.ascontiguousarray(self.prior[:, None] > motive_uniforms.T, dtype=dt_)
        state = self._state(motive)
        origin = self._origin
        bend = (1.0 - self.inputs[0].setting.greedy_defection * motive).astype(dt_)
        cooperation = origin.cooperation * bend[:, None]
        severity = np.broadcast_to(origin.severity, (self.n, self.n, b))
        offset = np.asarray(self.start["share"], dtype=dt_) - origin.allocation[:, 0]
        return state.replace(
            pressure0=pressure_of(severity, cooperation),
            share_offset=np.require(np.broadcast_to(offset[:, None], (self.n, b)), dt_, ["C", "W"]),
            stance=np.ascontiguousarray(cooperation - origin.hostility, dtype=dt_),
        )


class Origin(NamedTuple):
    """What the lenses see and decide at the start for one replicate of security seekers:
    the severity of threats and hostility ``(n, n, 1)``, cooperation (before the greedy
    types' bent) and the lenses' target defence shares ``(n, 1)``."""

    severity: npt.NDArray[Any]
    hostility: npt.NDArray[Any]
    cooperation: npt.NDArray[Any]
    allocation: npt.NDArray[Any]


def _origin(first: StepInput, state: State) -> Origin:
    p, setting = first.params, first.setting
    sight = perceive(p, setting, state)
    assess(p, setting, state, sight)
    decided = decide(p, setting, state, sight)
    seen = sight.appraisal
    return Origin(seen.severity, seen.hostility, decided.cooperation, decided.allocation)


def _start_state(
    start: Mapping[str, npt.NDArray[Any]], motive: npt.NDArray[Any], dt_: Any
) -> State:
    n, b = motive.shape

    def rep(name: str) -> Any:
        a = np.asarray(start[name], dtype=dt_)
        return np.array(np.broadcast_to(a[..., None], (*a.shape, b)))

    zeros = np.zeros((n, b), dtype=dt_)
    return State(
        effort=np.ones((n, b), dtype=dt_),
        share=rep("share"),
        offence=rep("offence"),
        defence=rep("defence"),
        motive=motive,
        restrained=zeros,
        pressure0=zeros,
        share_offset=zeros,
        moved=zeros,
        belief=rep("belief"),
        log_odds=rep("log_odds"),
        identity=rep("identity"),
        commitment=rep("commitment"),
        cooperation=rep("cooperation"),
        stance=np.zeros((n, n, b), dtype=dt_),
    )


def _step_of(dates: list[dt.date], when: dt.date) -> int:
    t = 0
    for i, d in enumerate(dates):
        if d <= when:
            t = i
    return t


def _milex(case: Case) -> tuple[Matrix, list[str]]:
    ids = case.actor_ids()
    start = case.span.start.year
    values: dict[str, float] = {}
    for actor in ids:
        caps = [c for c in case.capabilities if c.actor == actor]
        if not caps:
            continue
        best = min(caps, key=lambda c: (abs((c.year or start) - start), -(c.year or start)))
        values[actor] = best.milex.value
    notes: list[str] = []
    known = [v for v in values.values() if v > 0]
    fill = float(np.median(known)) if known else 1.0
    out = np.array([values.get(a, fill) for a in ids], dtype=np.float64)
    missing = [a for a in ids if a not in values]
    if missing:
        notes.append(f"no capabilities for {', '.join(missing)}: median milex assumed")
    zero = out <= 0
    if zero.any():
        out[zero] = fill * 1e-3
        notes.append("zero milex raised to a thousandth of the median")
    return out, notes


def _institutions(case: Case, active: Mapping[str, frozenset[str]]) -> tuple[Matrix, Matrix]:
    ids = case.actor_ids()
    n = len(ids)
    transparency = np.zeros((n, n))
    shadow = np.zeros((n, n))
    for inst in case.institutions:
        members = [ids.index(a) for a in active.get(inst.id, set()) if a in ids]
        if len(members) < 2:
            continue
        block = np.ix_(members, members)
        transparency[block] = np.maximum(transparency[block], inst.transparency.value)
        shadow[block] = np.maximum(shadow[block], inst.shadow_of_future.value)
    return transparency, shadow


def _treaties(case: Case, levels: Mapping[str, float]) -> Matrix:
    ids = case.actor_ids()
    n = len(ids)
    treaty = np.zeros((n, n))
    for alliance in case.alliances:
        level = levels.get(alliance.id, 0.0)
        members = [ids.index(a) for a in alliance.members if a in ids]
        if level <= 0 or len(members) < 2:
            continue
        block = np.ix_(members, members)
        weight = OBLIGATION_WEIGHT[alliance.obligation]
        treaty[block] = np.maximum(treaty[block], min(1.0, level) * weight)
    return treaty


def _interdependence(case: Case) -> Matrix:
    ids = case.actor_ids()
    n = len(ids)
    out = np.zeros((n, n))
    for rec in case.interdependence:
        a, b = rec.between
        if a in ids and b in ids:
            i, j = ids.index(a), ids.index(b)
            out[i, j] = out[j, i] = rec.value.value
    return out


def _programmes(case: Case, missiles: Mapping[str, str]) -> Matrix:
    """Each actor's ballistic-missile systems that are deployed, tested or in development."""
    ids = case.actor_ids()
    out = np.zeros(len(ids))
    for m in case.missiles:
        if m.actor in ids and missiles.get(m.id) in ("deployed", "tested", "in_development"):
            out[ids.index(m.actor)] += 1.0
    return out


def _with_inventories(case: Case, now: Statuses) -> Case:
    """``case`` with the interceptor inventories that events have set by ``now``."""
    sites = [
        s if now.sites[s.id].interceptors is s.interceptors
        else s.model_copy(update={"interceptors": now.sites[s.id].interceptors})
        for s in case.defence_sites
    ]  # fmt: skip
    return case.model_copy(update={"defence_sites": sites})


def compile_world(
    case: Case,
    lens: str | Mapping[str, str] | None = None,
    *,
    dtype: npt.DTypeLike = np.float32,
) -> World:
    """Compile ``case`` (parameters already overridden) for runs with the given lenses."""
    dtype = np.dtype(dtype)
    ids = case.actor_ids()
    lenses = lens_assignment(case, lens)
    dates = step_dates(case.span.start, case.span.end, case.span.step)
    if not dates:
        raise BadInput(Problem("the case's span holds no step", path="span"))
    steps = len(dates)
    notes: list[str] = []
    milex0, milex_notes = _milex(case)
    notes += milex_notes
    scale = float(milex0.mean())
    weight = milex0 / scale

    # events by step
    by_step: list[list[Any]] = [[] for _ in range(steps)]
    titles: list[list[str]] = [[] for _ in range(steps)]
    for event in case.events:
        if event.date > case.span.end:
            notes.append(f"event {event.id} ({event.date}) is after the span: ignored")
            continue
        t = _step_of(dates, event.date)
        by_step[t] += list(event.effects)
        titles[t].append(event.title)

    # parameters per step
    params_cache: dict[str, Params] = {}
    changes: dict[str, float] = {}
    parameters: list[Parameters] = []
    for t in range(steps):
        for e in by_step[t]:
            if isinstance(e, ParameterChange):
                held = with_parameters(case, changes, warn=False).parameters
                changes[e.name] = (
                    e.value if e.value is not None else shifted(held, e.name, e.delta or 0.0)
                )
        parameters.append(with_parameters(case, changes, warn=False).parameters)
    compiled: list[Params] = []
    for par in parameters:
        text = par.model_dump_json()
        if text not in params_cache:
            params_cache[text] = compile_params(par, ids, lenses, dtype)
        compiled.append(params_cache[text])

    # statuses per step (scenario.timeline: the one rule, shared with the maps)
    distances, distance_notes = capital_distances(case)
    notes += distance_notes
    interdep = _interdependence(case)
    settings: list[Setting] = []
    setting_cache: dict[Any, Setting] = {}
    methods: set[str] = set()
    for t, now in enumerate(timeline(case).over(step_days(dates, case.span.end))):
        missiles = tuple(sorted(k for k, v in now.missiles.items() if v in ACTIVE_MISSILE_STATUSES))
        programme = _programmes(case, now.missiles)
        projection = compiled[t].projection_km
        key = (
            now.operational,
            now.standing,
            tuple(
                (k, s.interceptors.value)
                for k, s in now.sites.items()
                if s.interceptors is not None
            ),
            missiles,
            tuple(sorted((k, tuple(sorted(v))) for k, v in now.members.items())),
            tuple(sorted(now.alliances.items())),
            projection,
            tuple(programme),
            id(compiled[t]),  # the settings also carry the parameters in force
        )
        if key not in setting_cache:
            stocked = _with_inventories(case, now)
            m_reach, m_method = missile_reach(case, missiles)
            intercept, i_method = intercept_matrix(stocked, now.operational, missiles)
            erosion, e_method = erosion_matrix(stocked, now.standing, missiles, intercept)
            methods |= {f"reach: {m_method}", f"intercept: {i_method}", f"erosion: {e_method}"}
            reach = np.maximum(m_reach, conventional_reach(distances, projection))
            transparency, shadow = _institutions(case, now.members)
            dyads = Dyads(
                reach=reach,
                intercept=intercept,
                erosion=erosion,
                transparency=transparency,
                shadow=shadow,
                treaty=_treaties(case, now.alliances),
                interdependence=interdep,
            )
            setting_cache[key] = make_setting(
                compiled[t],
                weight,
                dyads,
                dtype=dtype,
                programme=programme,
                years=YEARS_PER_STEP[case.span.step],
            )
        settings.append(setting_cache[key])
    notes += sorted(methods)

    inputs = tuple(
        StepInput(
            compiled[t],
            settings[t],
            compile_step_events(case, by_step[t], titles[t], milex0=milex0, scale=scale),
        )
        for t in range(steps)
    )
    start = _settled(_initial(case, compiled[0], settings[0], weight, scale), inputs[0], dtype)
    return World(
        case=case,
        actors=tuple(ids),
        lenses=lenses,
        dates=tuple(dates),
        inputs=inputs,
        milex0=milex0,
        scale=scale,
        prior=np.array([a.prior_greedy for a in case.actors], dtype=np.float64),
        start=start,
        dtype=dtype,
        notes=tuple(notes),
    )


def relens(world: World, lens: str | Mapping[str, str] | None) -> World:
    """``world`` with other lenses (a run's ``lens`` argument): the same as compiling its case
    with them, without computing the geography again. Only the parameters' lens groups and
    reaction coefficients, the settings' ``k`` and the start of the actors that start at their
    lens's target change."""
    lenses = lens_assignment(world.case, lens)
    if lenses == world.lenses:
        return world
    params: dict[int, Params] = {}
    settings: dict[int, Setting] = {}
    inputs = []
    for inp in world.inputs:
        if id(inp.params) not in params:
            params[id(inp.params)] = relensed(inp.params, lenses)
        p = params[id(inp.params)]
        if id(inp.setting) not in settings:
            k = np.ascontiguousarray(p.k.reshape(world.n), dtype=inp.setting.k.dtype)
            settings[id(inp.setting)] = inp.setting._replace(k=k)
        inputs.append(dataclasses.replace(inp, params=p, setting=settings[id(inp.setting)]))
    case_start = {
        k: world.start.get(f"case_{k}", world.start[k]) for k in ("share", "offence", "defence")
    }
    start = _settled({**world.start, **case_start}, inputs[0], world.dtype)
    return dataclasses.replace(world, lenses=lenses, inputs=tuple(inputs), start=start)


def _settled(
    start: dict[str, npt.NDArray[Any]], first: StepInput, dtype: Any
) -> dict[str, npt.NDArray[Any]]:
    """The start with the actors whose defence share the case does not give at their lens's
    target allocation (so that a lens does not move an actor's allocation by itself)."""
    if not start["lens_share"].any():
        return start
    state = _start_state(start, np.zeros((len(start["share"]), 1), dtype=dtype), dtype)
    target = np.clip(_origin(first, state).allocation[:, 0].astype(np.float64), 0.0, 1.0)
    lens = start["lens_share"]
    share = np.where(lens, target, start["share"])
    weight = np.asarray(first.setting.weight, dtype=np.float64)
    free = lens & ~start["given_stocks"]
    offence = np.where(free, weight * (1.0 - share), start["offence"])
    defence = np.where(free, weight * share, start["defence"])
    return {**start, "share": share, "offence": offence, "defence": defence}


def _initial(
    case: Case, params: Params, setting: Setting, weight: Matrix, scale: float
) -> dict[str, npt.NDArray[Any]]:
    """The start as the case gives it; ``lens_share`` marks the actors whose defence share is
    not given (they start at their lens's target, :func:`_settled`) and ``given_stocks`` those
    whose stocks are; ``case_share``, ``case_offence`` and ``case_defence`` keep the shares and
    stocks before they are settled (:func:`relens` settles them again)."""
    ids = case.actor_ids()
    n = len(ids)
    share = np.full(n, 1.0 - params.offence_dominance)
    lens_share = np.ones(n, dtype=bool)
    given_stocks = np.zeros(n, dtype=bool)
    offence = weight * (1.0 - share)
    defence = weight * share
    for cap in case.capabilities:
        if cap.actor not in ids:
            continue
        i = ids.index(cap.actor)
        given = cap.defence_share
        if given is not None:
            share[i] = given.value
            lens_share[i] = False
            offence[i] = weight[i] * (1.0 - share[i])
            defence[i] = weight[i] * share[i]
        if cap.offence is not None:
            offence[i] = cap.offence.value / scale
        if cap.defence is not None:
            defence[i] = cap.defence.value / scale
        if cap.offence is not None or cap.defence is not None:
            given_stocks[i] = True
            if given is None:
                total = offence[i] + defence[i]
                share[i] = defence[i] / total if total > 0 else share[i]
                lens_share[i] = False
    belief = _initial_beliefs(case)
    identity = _initial_identities(case)
    commitment = np.asarray(setting.treaty, dtype=np.float64).copy()
    cooperation = (1.0 + identity) / 2.0
    np.fill_diagonal(cooperation, 0.0)
    return {
        "share": share,
        "lens_share": lens_share,
        "given_stocks": given_stocks,
        "offence": offence,
        "defence": defence,
        "case_share": share.copy(),
        "case_offence": offence.copy(),
        "case_defence": defence.copy(),
        "belief": belief,
        "log_odds": log_odds_of(belief),
        "identity": identity,
        "commitment": commitment,
        "cooperation": cooperation,
    }


def _initial_beliefs(case: Case) -> Matrix:
    """``belief[i, j]``: i's initial probability that j is greedy, the case's belief or else
    j's prior; 0 for oneself."""
    ids = case.actor_ids()
    n = len(ids)
    prior = np.array([a.prior_greedy for a in case.actors])
    belief = np.broadcast_to(prior[None, :], (n, n)).copy()
    for rec in case.beliefs:
        if rec.from_ in ids and rec.to in ids:
            belief[ids.index(rec.from_), ids.index(rec.to)] = rec.greedy.value
    np.fill_diagonal(belief, 0.0)
    return belief


def _initial_identities(case: Case) -> Matrix:
    """``identity[i, j]``: how i sees j at the start, from the case's identity ties (0 when
    none); 1 for oneself."""
    ids = case.actor_ids()
    n = len(ids)
    identity = np.zeros((n, n))
    for tie in case.identities:
        for a, b in tie.pairs():
            if a in ids and b in ids and a != b:
                identity[ids.index(a), ids.index(b)] = tie.value.value
    np.fill_diagonal(identity, 1.0)
    return identity

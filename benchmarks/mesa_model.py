"""The reference model written in Mesa 3 as first written: one Agent per state, the same rules.

This is a peer the engine benchmark compares against (``python -m benchmarks engine``) and the
independent implementation the engine's equivalence test checks it with. It reads the same
compiled world (parameters, setting, per-step constants) and the same per-replicate random
numbers as the engine, but applies every rule state by state and dyad by dyad in plain
Python, as an agent-based modeller would write it. It covers cases without dated events.
:mod:`benchmarks.mesa_tuned` is the same model tuned for speed (same results, bit for bit).

Everything either model reads of the compiled world goes through :func:`world_inputs`, the one
place that knows the engine's layout. Mesa ships no type information, so agent attributes are
untyped here.
"""

# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mesa  # type: ignore[import-untyped]
import numpy as np

from security_dilemma.engine.draws import ReplicateStreams, split_draws
from security_dilemma.games.reciprocity import TIT_FOR_TAT, generous_tit_for_tat, reciprocate

if TYPE_CHECKING:
    from security_dilemma.engine.world import World

__all__ = [
    "DilemmaModel",
    "MesaRun",
    "ModelBase",
    "ReplicateDraws",
    "StateAgent",
    "StateVariables",
    "StepDraws",
    "StepInputs",
    "WorldInputs",
    "run_mesa",
    "run_model",
    "step_draws",
    "world_inputs",
]

LOG_ODDS_LIMIT = 20.0
TINY = 1e-12


@dataclass(frozen=True)
class StepInputs:
    """One step of the compiled world as the Mesa models read it.

    ``params``: scalars, per-state arrays ``(n, 1, 1)`` and ``lens_values``; ``setting``:
    dyadic arrays ``(n, n, 1, 1)`` and ``weight`` ``(n, 1, 1)``; ``constants``: ``gap``
    ``(n, 1, 1)``, ``belief_signal``, ``belief_noise`` and ``crisis_static`` ``(n, n, 1, 1)``.
    """

    params: Any
    setting: Any
    constants: Any
    has_events: bool


@dataclass(frozen=True)
class WorldInputs:
    """What the Mesa models read of a compiled world."""

    n: int
    lenses: tuple[str, ...]
    start: Mapping[str, Any]
    prior: Any
    steps: tuple[StepInputs, ...]
    lens_values: Mapping[str, Mapping[str, float]]


def world_inputs(world: World) -> WorldInputs:
    """The adapter: every access the Mesa models make to the engine's compiled world."""
    steps = tuple(
        StepInputs(x.params, x.setting, x.constants, not x.events.empty) for x in world.inputs
    )
    lens_values = {k: dict(v) for k, v in world.inputs[0].params.lens_values.items()}
    return WorldInputs(world.n, world.lenses, world.start, world.prior, steps, lens_values)


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def initial_log_odds(belief: float) -> float:
    """The log-odds a state starts with for a prior belief (clipped to +-20)."""
    b = belief
    return _clip(math.log(b / (1 - b)) if 0 < b < 1 else (-99 if b <= 0 else 99), -20, 20)


@dataclass
class _Step:
    """The scalars and matrices of one step, read as Python floats on each access."""

    p: Any
    s: Any
    k: Any

    def m(self, name: str, i: int, j: int) -> float:
        return float(getattr(self.s, name)[i, j, 0, 0])

    def v(self, name: str, i: int) -> float:
        return float(getattr(self.p, name)[i, 0, 0])


class StateVariables(mesa.Agent):  # type: ignore[misc]
    """One state's variables as both Mesa models hold them, and the end of a step."""

    def __init__(self, model: Any, index: int, lens: str, start: dict[str, Any]) -> None:
        super().__init__(model)
        self.index = index
        self.lens = lens
        i = index
        self.effort = 1.0
        self.share = float(start["share"][i])
        self.offence = float(start["offence"][i])
        self.defence = float(start["defence"][i])
        self.motive = 0.0
        self.baseline = 0.0
        self.belief = [float(b) for b in start["belief"][i]]
        self.log_odds = [initial_log_odds(b) for b in self.belief]
        self.identity = [float(x) for x in start["identity"][i]]
        self.commitment = [float(x) for x in start["commitment"][i]]
        self.cooperation = [float(x) for x in start["cooperation"][i]]

    def commit(self) -> None:
        nxt = self.next
        self.effort, self.share = nxt["effort"], nxt["share"]
        self.offence, self.defence = nxt["offence"], nxt["defence"]
        self.log_odds = nxt["log_odds"]
        self.belief = [_expit(x) for x in self.log_odds]
        self.identity = nxt["identity"]
        self.commitment = nxt["commitment"]
        self.cooperation = self.coop_new


class StateAgent(StateVariables):
    """One state: its capabilities, beliefs, identities, commitments and cooperation."""

    # --- perception -------------------------------------------------------------------
    @property
    def capability(self) -> float:
        return self.offence + self.defence

    def hostility_of(self, j: int, lens: str, st: _Step) -> float:
        other = self.model.states[j]
        q = self.model.lens_values
        b = self.belief[j]
        if lens == "realism":
            r = q["realism"]
            worst = r["worst_case"] + (1 - r["worst_case"]) * b
            return worst * (1 - r["alliance_trust"] * other.commitment[self.index])
        if lens == "liberalism":
            r = q["liberalism"]
            return (
                b
                * (1 - r["institution_discount"] * st.m("transparency", self.index, j))
                * (1 - r["interdependence_discount"] * st.m("interdependence", self.index, j))
            )
        if lens == "constructivism":
            rh = q["constructivism"]["rival_hostility"]
            x = self.identity[j]
            return rh - (1 - rh) * x if x < 0 else rh * (1 - x)
        w = self.partner(j)
        return w * self.hostility_of(j, "liberalism", st) + (1 - w) * self.hostility_of(
            j, "realism", st
        )

    def partner(self, j: int) -> float:
        q = self.model.lens_values["pyramid"]
        z = (self.identity[j] - q["partner_threshold"]) / q["partner_width"]
        return 1.0 / (1.0 + math.exp(-_clip(z, -60, 60)))

    def perceive(self) -> None:
        st: _Step = self.model.current
        o, d = st.p.offence_dominance, st.p.distinguishability
        i, n = self.index, self.model.n
        self.attack = [0.0] * n
        self.hostility = [0.0] * n
        self.threat = [0.0] * n
        for j, other in enumerate(self.model.states):
            potent = 2 * o * (other.offence + (1 - d) * other.defence)
            self.attack[j] = st.m("exposure", i, j) * potent
            if j != i:
                self.hostility[j] = _clip(self.hostility_of(j, self.lens, st))
            self.threat[j] = self.hostility[j] * self.attack[j]
        lent = sum(
            st.m("reach", k, i) * other.capability * other.commitment[i]
            for k, other in enumerate(self.model.states)
        )
        guard = 2 * (1 - o) * (self.defence + lent)
        self.ratio = [
            self.threat[j] / max(st.m("retaliation", i, j) * self.offence + guard, TINY)
            for j in range(n)
        ]
        self.security = 1.0 / (1.0 + sum(self.ratio))
        top = max(self.threat)
        main = self.threat.index(top)
        tied = sum(1 for x in self.threat if x >= top) > 1
        self.main = main if top > 0 and not tied else -1

    # --- decisions ---------------------------------------------------------------------
    def cooperation_with(self, j: int, lens: str) -> float:
        q = self.model.lens_values
        st: _Step = self.model.current
        h = self.hostility[j]
        other = self.model.states[j]
        if lens == "realism":
            xi, xj = self.capability, other.capability
            gap = _clip((xj - xi) / max(xj + xi, 1e-12))
            return (1 - h) * (1 - q["realism"]["relative_gains"] * gap)
        if lens == "liberalism":
            own, theirs = self.cooperation[j], other.cooperation[self.index]
            shadow = st.m("shadow", self.index, j)
            gen = generous_tit_for_tat(q["liberalism"]["generosity"])
            return float(
                shadow * reciprocate(gen, own, theirs)
                + (1 - shadow) * reciprocate(TIT_FOR_TAT, own, theirs)
            )
        if lens == "constructivism":
            return 1 - h
        w = self.partner(j)
        return w * self.cooperation_with(j, "liberalism") + (1 - w) * self.cooperation_with(
            j, "realism"
        )

    def allocation_for(self, lens: str) -> float:
        q = self.model.lens_values
        o = self.model.current.p.offence_dominance
        if lens == "realism":
            return 1 - o
        if lens == "liberalism":
            return _clip(1 - o + q["liberalism"]["defensive_bias"])
        if lens == "constructivism":
            return 1 - o * max(self.hostility)
        w = 1.0 if self.main < 0 else self.partner(self.main)
        return w * self.allocation_for("liberalism") + (1 - w) * self.allocation_for("realism")

    def commitment_for(self, j: int, lens: str) -> float:
        q = self.model.lens_values
        st: _Step = self.model.current
        h = self.hostility[j]
        treaty = st.m("treaty", self.index, j)
        if lens == "realism":
            return (1 - h) * max(self.shared[j], treaty)
        if lens == "liberalism":
            return max(treaty, st.m("shadow", self.index, j) * (1 - h))
        if lens == "constructivism":
            t = q["constructivism"]["ally_identity"]
            return _clip((self.identity[j] - t) / (1 - t))
        w = self.partner(j)
        return w * self.commitment_for(j, "liberalism") + (1 - w) * self.commitment_for(
            j, "realism"
        )

    def decide(self) -> None:
        st: _Step = self.model.current
        n, i = self.model.n, self.index
        mains = [a.main for a in self.model.states]
        self.shared = [1.0 if (mains[i] >= 0 and mains[i] == mains[j]) else 0.0 for j in range(n)]
        bent = 1 - st.p.greedy_defection * self.motive
        self.coop_new = [
            _clip(self.cooperation_with(j, self.lens) * bent) if j != i else 0.0 for j in range(n)
        ]
        self.alloc = _clip(self.allocation_for(self.lens) - st.p.greedy_offence * self.motive)
        self.desire = [_clip(self.commitment_for(j, self.lens)) for j in range(n)]

    # --- updates ---------------------------------------------------------------------
    def update(self) -> None:
        model = self.model
        st: _Step = model.current
        p, i, n = st.p, self.index, model.n
        weight = float(st.s.weight[i, 0, 0])
        pressure = sum(self.threat[j] * (1 - self.coop_new[j]) for j in range(n)) / weight
        sat = st.v("saturation", i)
        drive = st.v("g", i) + self.motive * float(st.k.gap[i, 0, 0])
        e = self.effort
        de = st.v("k", i) * pressure / (1 + sat * pressure) - st.v("a", i) * e
        de += drive + self.baseline
        e_next = max(0.0, e + de + st.v("shock", i) * e * model.draws.effort[i])
        share = self.share + p.allocation_rate * (self.alloc - self.share)
        level = p.stock_turnover * weight * e_next
        self.next = {
            "effort": e_next,
            "share": share,
            "offence": (1 - p.stock_turnover) * self.offence + level * (1 - share),
            "defence": (1 - p.stock_turnover) * self.defence + level * share,
            "pressure": pressure,
        }
        # beliefs: Bayes in log-odds
        log_odds = []
        for j, other in enumerate(model.states):
            if j == i:
                log_odds.append(-LOG_ODDS_LIMIT)
                continue
            llr = float(st.k.belief_signal[i, j, 0, 0]) * (other.motive - 0.5)
            llr += float(st.k.belief_noise[i, j, 0, 0]) * model.draws.observation[i][j]
            log_odds.append(_clip(self.log_odds[j] + llr, -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT))
        self.next["log_odds"] = log_odds
        # identities: reflected appraisal, common fate, interdependence, crises
        identity = []
        for j, other in enumerate(model.states):
            if j == i:
                identity.append(1.0)
                continue
            x = self.identity[j]
            stance = other.coop_new[i] - other.hostility[i]
            pull = p.common_fate * self.shared[j] + p.interdependence_pull * st.m(
                "interdependence", i, j
            )
            y = x + p.identity_rate * (stance - x) + pull * (1 - x)
            y -= p.crisis_shock * model.crisis[i][j]
            identity.append(_clip(y, -1.0, 1.0))
        self.next["identity"] = identity
        # commitments: Snyder
        relied = [self.commitment[j] * other.capability for j, other in enumerate(model.states)]
        relied_total = sum(relied)
        returned = sum(relied[j] * model.states[j].commitment[i] for j in range(n))
        abandonment = 1 - returned / relied_total if relied_total > TINY else 0.0
        commit_total = sum(self.commitment)
        exposed = sum(
            self.commitment[j] * model.crisis_risk[j] * (1 - self.shared[j]) for j in range(n)
        )
        entrapment = exposed / commit_total if commit_total > TINY else 0.0
        fear = p.alliance_dilemma * (abandonment - entrapment)
        self.next["commitment"] = [
            0.0
            if j == i
            else _clip(
                self.commitment[j]
                + p.commitment_rate * (self.desire[j] - self.commitment[j])
                + fear * self.commitment[j]
            )
            for j in range(n)
        ]


class ModelBase(mesa.Model):  # type: ignore[misc]
    """What both Mesa models share: the agents, the order of a step, the record of it.

    A model sets ``agent_class`` and implements ``_read`` (step ``t``'s inputs into
    ``current``), ``_calibrate`` (the agents' baselines) and ``_crises``.
    """

    agent_class: type[StateVariables]

    def __init__(self, world: WorldInputs, draws: ReplicateDraws, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.world = world
        self.n = world.n
        self.lens_values = world.lens_values
        self.uniforms = draws.uniforms
        self.states = [
            self.agent_class(self, i, world.lenses[i], dict(world.start)) for i in range(world.n)
        ]
        for i, a in enumerate(self.states):
            a.motive = draws.motive(i, world)
        self.t = 0
        self.history: list[dict[str, Any]] = []
        self._calibrate()

    def _read(self, t: int) -> None:
        raise NotImplementedError

    def _calibrate(self) -> None:
        raise NotImplementedError

    def _crises(self) -> None:
        raise NotImplementedError

    def step(self) -> None:
        t = self.t
        if self.world.steps[t].has_events:
            raise NotImplementedError("the Mesa reference model has no dated events")
        self._read(t)
        self.draws = step_draws(self.uniforms[t], self.n)
        self.agents.do("perceive")
        self.agents.do("decide")
        self._crises()
        self.agents.do("update")
        self.history.append(self._record())
        self.agents.do("commit")
        self.t += 1

    def _record(self) -> dict[str, Any]:
        return {
            "effort": [a.effort for a in self.states],
            "security": [a.security for a in self.states],
            "belief": [list(a.belief) for a in self.states],
            "identity": [list(a.identity) for a in self.states],
            "commitment": [list(a.commitment) for a in self.states],
            "cooperation": [list(a.coop_new) for a in self.states],
            "hostility": [list(a.hostility) for a in self.states],
            "crisis_prob": [list(r) for r in self.crisis_prob],
            "pressure": [a.next["pressure"] for a in self.states],
        }


class DilemmaModel(ModelBase):
    """The security-dilemma model as agents: one replicate of a compiled world."""

    agent_class = StateAgent

    def _read(self, t: int) -> None:
        inputs = self.world.steps[t]
        self.current = _Step(inputs.params, inputs.setting, inputs.constants)

    def _calibrate(self) -> None:
        self._read(0)
        self.agents.do("perceive")
        self.agents.do("decide")
        st = self.current
        for a in self.states:
            i = a.index
            weight = float(st.s.weight[i, 0, 0])
            pressure = sum(a.threat[j] * (1 - a.coop_new[j]) for j in range(self.n)) / weight
            sat = st.v("saturation", i)
            a.baseline = st.v("status_quo", i) * (
                st.v("a", i) - st.v("g", i) - st.v("k", i) * pressure / (1 + sat * pressure)
            )

    def _crises(self) -> None:
        st: _Step = self.current
        p = st.p
        n = self.n
        self.crisis_prob = [[0.0] * n for _ in range(n)]
        self.crisis = [[0.0] * n for _ in range(n)]

        def half(a: Any, i: int, j: int) -> float:
            return float(
                p.crisis_threat * a.ratio[j] / (1 + a.ratio[j])
                + p.crisis_hostility * a.hostility[j]
                - p.crisis_identity * a.identity[j]
            )

        pair = 0
        for i in range(n):
            for j in range(i + 1, n):
                a, b = self.states[i], self.states[j]
                logit = 0.5 * (half(a, i, j) + half(b, j, i))
                logit += float(st.k.crisis_static[i, j, 0, 0])
                prob = _expit(logit) * st.m("proximity", i, j)
                self.crisis_prob[i][j] = self.crisis_prob[j][i] = prob
                hit = 1.0 if self.draws.crisis[pair] < prob else 0.0
                self.crisis[i][j] = self.crisis[j][i] = hit
                pair += 1
        self.crisis_risk = [
            1 - math.prod(1 - min(x, 1 - 1e-7) for x in row) for row in self.crisis_prob
        ]


@dataclass(frozen=True)
class StepDraws:
    """One step's random numbers as Python floats: effort shocks (n), observation errors
    (n x n) and the dyads' crisis draws (n (n - 1) / 2, pairs i < j in row order)."""

    effort: list[float]
    observation: list[list[float]]
    crisis: list[float]


def step_draws(uniforms: Any, n: int) -> StepDraws:
    """Split one step's uniforms as the engine does (one replicate, double precision)."""
    d = split_draws(uniforms[None, :], n, np.float64)
    return StepDraws(
        d.effort[:, 0, 0].tolist(), d.observation[:, :, 0, 0].tolist(), d.crisis[:, 0, 0].tolist()
    )


@dataclass(frozen=True)
class ReplicateDraws:
    """One replicate's random numbers: motive uniforms ``(n,)``, step uniforms ``(steps, k)``."""

    motives: Any
    uniforms: Any

    @classmethod
    def of(cls, world: WorldInputs, seed: int, replicate: int) -> ReplicateDraws:
        """The engine's streams for replicate ``replicate`` of a run seeded ``seed``."""
        streams = ReplicateStreams(seed, replicate, 1)
        motives = streams.motives(world.n)[0]
        return cls(motives, streams.uniforms(world.n, len(world.steps))[:, 0, :])

    def motive(self, i: int, world: WorldInputs) -> float:
        """State ``i``'s type: 1.0 greedy (its uniform is below its prior), else 0.0."""
        return 1.0 if self.motives[i] < world.prior[i] else 0.0


@dataclass(frozen=True)
class MesaRun:
    """One replicate's history from a Mesa model: per step, lists and nested lists."""

    history: list[dict[str, Any]]

    def array(self, name: str) -> np.ndarray[Any, Any]:
        """One quantity over the steps as an array (steps, ...)."""
        return np.array([h[name] for h in self.history], dtype=np.float64)

    def identical(self, other: MesaRun) -> bool:
        """Whether the two histories hold the same numbers to the last bit (``repr`` of a
        float is exact, and tells -0.0 from 0.0)."""
        return repr(self.history) == repr(other.history)


def run_model(model_class: Any, world: WorldInputs, *, seed: int, replicate: int) -> MesaRun:
    """Run replicate ``replicate`` of ``world`` with a Mesa model class taking ``(world,
    draws, seed)`` (the same random numbers as the engine)."""
    model = model_class(world, ReplicateDraws.of(world, seed, replicate), seed=seed + replicate)
    for _ in world.steps:
        model.step()
    return MesaRun(model.history)


def run_mesa(world: World, *, seed: int = 0, replicate: int = 0) -> MesaRun:
    """Run replicate ``replicate`` of ``world`` with the Mesa model (same random numbers)."""
    return run_model(DilemmaModel, world_inputs(world), seed=seed, replicate=replicate)

"""The reference model written in Mesa 3 as first written: one Agent per state, the same rules.

This is a peer the engine benchmark compares against (``python -m benchmarks engine``) and the
independent implementation the engine's equivalence test checks it with. It is written from
the equations of docs/model.md (sections 2 to 5), not from the engine's code: it reads the
compiled world's primary inputs (the parameters in force, the setting's geography, defences,
institutions, treaties, interdependence and missile programmes, the case's starting
allocations, stocks, beliefs and identities) and the same per-replicate random numbers as the
engine, derives everything else itself (the starting allocations a lens chooses included), and
applies every rule state by state and dyad by dyad in plain Python, as an agent-based modeller
would write it. It covers cases without dated events. :mod:`benchmarks.mesa_tuned` is the same
model tuned for speed (same results, bit for bit).

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
import numpy.typing as npt

from security_dilemma.engine.draws import ReplicateStreams, split_draws
from security_dilemma.engine.world import YEARS_PER_STEP
from security_dilemma.games.reciprocity import TIT_FOR_TAT, generous_tit_for_tat, reciprocate

if TYPE_CHECKING:
    from security_dilemma.engine.world import World

__all__ = [
    "MATRICES",
    "PER_STATE",
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
CRISIS_CAP = 1 - 1e-7
"""Crisis probabilities are capped below 1 in the crisis risk (its product stays positive)."""

PER_STATE = ("k", "a", "g", "g_greedy", "saturation", "status_quo", "shock")
"""Richardson's coefficients, per state (``k`` with the lens's multiplier)."""

MATRICES = ("reach", "intercept", "erosion", "transparency", "shadow", "treaty", "interdependence")
"""The setting's primary ``(n, n)`` matrices (docs/model.md, section 3)."""

START = ("belief", "identity")
"""The initial conditions read as the world holds them (docs/model.md, section 2): the case's
beliefs (else the priors) and identities."""

GIVEN = ("share", "offence", "defence")
"""What the case may give of a state's start (its ``defence_share``, ``offence`` and
``defence``); the models derive the rest (docs/model.md, section 2)."""

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class StepInputs:
    """One step of the compiled world as the Mesa models read it.

    ``params``: the parameters in force, scalars by their case names (``offence_dominance``,
    ``crisis_base``, ...); ``per_state``: the :data:`PER_STATE` coefficients ``(n,)``;
    ``matrices``: the :data:`MATRICES` ``(n, n)``; ``programme``: each state's active
    ballistic-missile systems ``(n,)``; ``years``: the step's length in years. Everything
    derived from them (exposure, retaliation, proximity, the crisis hazard's constant part,
    ...) the models compute.
    """

    params: Any
    per_state: Mapping[str, Floats]
    matrices: Mapping[str, Floats]
    programme: Floats
    years: float
    has_events: bool


@dataclass(frozen=True)
class WorldInputs:
    """What the Mesa models read of a compiled world: the number of states and their lenses,
    the initial conditions (:data:`START`, ``(n, n)``), what the case gives of each state's
    start (:data:`GIVEN`, ``(n,)``, NaN where it gives nothing; stocks in capability units),
    the weights ``w_i`` (milex at the start over the mean state's), the priors of greed, the
    steps and every lens's parameter values."""

    n: int
    lenses: tuple[str, ...]
    start: Mapping[str, Floats]
    given: Mapping[str, Floats]
    weight: Floats
    prior: Floats
    steps: tuple[StepInputs, ...]
    lens_values: Mapping[str, Mapping[str, float]]


def world_inputs(world: World) -> WorldInputs:
    """The adapter: every access the Mesa models make to the engine's compiled world."""
    n = world.n

    def floats(a: Any, *shape: int) -> Floats:
        return np.asarray(a, dtype=np.float64).reshape(shape)

    years = YEARS_PER_STEP[world.case.span.step]
    steps = tuple(
        StepInputs(
            x.params,
            {name: floats(getattr(x.params, name), n) for name in PER_STATE},
            {name: floats(getattr(x.setting, name), n, n) for name in MATRICES},
            floats(x.setting.programme, n),
            years,
            not x.events.empty,
        )
        for x in world.inputs
    )
    lens_values = {k: dict(v) for k, v in world.inputs[0].params.lens_values.items()}
    start = {name: np.asarray(world.start[name], dtype=np.float64) for name in START}
    milex = floats(world.milex0, n)
    given = {name: np.full(n, np.nan) for name in GIVEN}
    for cap in world.case.capabilities:  # in case order: a later record wins
        if cap.actor in world.actors:
            i = world.actors.index(cap.actor)
            for name, value, unit in (
                ("share", cap.defence_share, 1.0),
                ("offence", cap.offence, milex.mean()),
                ("defence", cap.defence, milex.mean()),
            ):
                if value is not None:
                    given[name][i] = value.value / unit
    return WorldInputs(
        n,
        world.lenses,
        start,
        given,
        milex / milex.mean(),
        floats(world.prior, n),
        steps,
        lens_values,
    )


# --- small formulas of docs/model.md ---------------------------------------------------------


def _clip(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def initial_log_odds(belief: float) -> float:
    """The log-odds a state starts with for a prior belief (clipped to +-20)."""
    b = belief
    return _clip(math.log(b / (1 - b)) if 0 < b < 1 else (-99 if b <= 0 else 99), -20, 20)


def contest(attack: float, opposed: float, decisiveness: float) -> float:
    """The share of an attack that gets through what is opposed to it (4.1): ``A^m / (A^m +
    W^m)``, 0 without an attack."""
    if attack <= 0:
        return 0.0
    a = attack**decisiveness
    return a / (a + opposed**decisiveness)


def reaction(x: float, saturation: float) -> float:
    """Richardson's reaction to a change in pressure ``x``, saturating alike both ways (4.4)."""
    return x / (1 + saturation * abs(x))


def defence_value(offence_dominance: float) -> float:
    """nu = (1 - theta) / theta: the attack a unit of defence holds (4.1), theta kept in
    [0.01, 0.99]."""
    theta = _clip(offence_dominance, 0.01, 0.99)
    return (1 - theta) / theta


def weighs(severity: float) -> float:
    """How much of a state's security a threat of this severity takes: x / (1 + x)."""
    return severity / (1 + severity)


@dataclass
class _Step:
    """The inputs of one step, read as Python floats on each access, and the setting's derived
    quantities (docs/model.md 3, 4.3, 4.5) computed on each access."""

    inputs: StepInputs
    weights: Floats

    @property
    def p(self) -> Any:
        return self.inputs.params

    def m(self, name: str, i: int, j: int) -> float:
        return float(self.inputs.matrices[name][i, j])

    def v(self, name: str, i: int) -> float:
        return float(self.inputs.per_state[name][i])

    def weight(self, i: int) -> float:
        return float(self.weights[i])

    def test_rate(self, i: int) -> float:
        """i's flight tests per step at its start effort and pressure: test_rate dt n_i."""
        return self.p.test_rate * self.inputs.years * float(self.inputs.programme[i])

    def exposure(self, i: int, j: int) -> float:
        """How much of j's force can strike i: R_ji (1 - I_ij)."""
        return self.m("reach", j, i) * (1 - self.m("intercept", i, j))

    def retaliation(self, i: int, j: int) -> float:
        """How much of i's force can strike back at j: R_ij (1 - E_ji)."""
        return self.m("reach", i, j) * (1 - self.m("erosion", j, i))

    def proximity(self, i: int, j: int) -> float:
        return max(self.m("reach", i, j), self.m("reach", j, i))

    def shield(self, i: int, j: int) -> float:
        return max(self.m("erosion", i, j), self.m("erosion", j, i))

    def observation_sd(self, i: int, j: int) -> float:
        """The error of i's observation of j's moves: noise (1 - tau_ij)."""
        return self.p.noise * (1 - self.m("transparency", i, j))

    def crisis_constant(self, i: int, j: int) -> float:
        """The part of the crisis log-odds of the dyad that the states do not change (4.3)."""
        p = self.p
        return (
            math.log(p.crisis_base / (1 - p.crisis_base))
            + p.crisis_offence * (2 * p.offence_dominance - 1)
            + p.crisis_first_strike * (1 - p.distinguishability) * self.shield(i, j)
            - p.crisis_interdependence * self.m("interdependence", i, j)
            - p.crisis_institutions * self.m("transparency", i, j)
        )

    def escalation(self) -> float:
        """P(war | crisis) = min(1, crisis_war_share 2 theta)."""
        return min(1.0, self.p.crisis_war_share * 2 * self.p.offence_dominance)


class StateVariables(mesa.Agent):  # type: ignore[misc]
    """One state's variables as both Mesa models hold them, and the end of a step."""

    def __init__(self, model: Any, index: int, lens: str, start: Mapping[str, Floats]) -> None:
        super().__init__(model)
        self.index = index
        self.lens = lens
        i = index
        self.effort = 1.0
        self.share = self.offence = self.defence = 0.0  # set by the model (``_settle``)
        self.motive = 0.0
        self.pressure0 = 0.0
        self.share_offset = 0.0
        self.belief = [float(b) for b in start["belief"][i]]
        self.log_odds = [initial_log_odds(b) for b in self.belief]
        self.identity = [float(x) for x in start["identity"][i]]
        # the treaty commitments in force at the start; cooperation (1 + identity) / 2
        self.commitment = [float(x) for x in model.world.steps[0].matrices["treaty"][i]]
        self.cooperation = [0.0 if j == i else (1 + x) / 2 for j, x in enumerate(self.identity)]
        self.stance = [0.0] * len(self.belief)

    def anchor(self) -> None:
        """The status-quo anchors from the step just decided (docs/model.md 2): the pressure
        felt, the stances taken and the defence share less the lens's target."""
        self.pressure0 = self.pressure()
        self.stance = self.stance_new
        self.share_offset = self.share - self.target

    def pressure(self) -> float:
        raise NotImplementedError

    def commit(self) -> None:
        nxt = self.next
        self.effort, self.share = nxt["effort"], nxt["share"]
        self.offence, self.defence = nxt["offence"], nxt["defence"]
        self.log_odds = nxt["log_odds"]
        self.belief = [_expit(x) for x in self.log_odds]
        self.identity = nxt["identity"]
        self.commitment = nxt["commitment"]
        self.cooperation = self.coop_new
        self.stance = self.stance_new


class StateAgent(StateVariables):
    """One state: its capabilities, beliefs, identities, commitments and cooperation."""

    # --- 4.1 perception and assessment -------------------------------------------------
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
        p = st.p
        i, n = self.index, self.model.n
        states = self.model.states
        lent = sum(
            other.commitment[i] * st.m("reach", k, i) * other.capability
            for k, other in enumerate(states)
        )
        held = defence_value(p.offence_dominance) * (self.defence + lent)
        self.attack = [0.0] * n
        self.hostility = [0.0] * n
        self.threat = [0.0] * n
        self.severity = [0.0] * n
        for j, other in enumerate(states):
            attack = st.exposure(i, j) * (
                other.offence + (1 - p.distinguishability) * other.defence
            )
            opposed = held + p.deterrence * st.retaliation(i, j) * self.offence
            if j != i:
                self.hostility[j] = _clip(self.hostility_of(j, self.lens, st))
            threat = self.hostility[j] * contest(attack, opposed, p.decisiveness) * attack
            at_stake = p.absolute_security * st.weight(i) + (1 - p.absolute_security) * (
                attack + opposed
            )
            self.attack[j] = attack
            self.threat[j] = threat
            self.severity[j] = threat / max(at_stake, TINY)
        self.security = 1.0 / (1.0 + sum(self.severity))
        top = max(self.threat)
        main = self.threat.index(top)
        tied = sum(1 for x in self.threat if x >= top) > 1
        self.main = main if top > 0 and not tied else -1

    def shared_with(self, j: int) -> float:
        """The threat i and j share: of their main threats (third states), the one that weighs
        most on both, by the smaller of its weights on them."""
        other = self.model.states[j]
        shared = 0.0
        for m in (self.main, other.main):
            if m >= 0 and m != self.index and m != j:
                both = min(weighs(self.severity[m]), weighs(other.severity[m]))
                shared = max(shared, both)
        return shared

    # --- 4.2 decisions (section 5, the lenses) --------------------------------------------
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
            return min(1.0, 1 - o + q["liberalism"]["defensive_bias"])
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
        self.shared = [self.shared_with(j) if j != i else 0.0 for j in range(n)]
        bent = 1 - st.p.greedy_defection * self.motive
        self.coop_new = [
            _clip(self.cooperation_with(j, self.lens)) * bent if j != i else 0.0 for j in range(n)
        ]
        self.stance_new = [self.coop_new[j] - self.hostility[j] for j in range(n)]
        self.target = self.allocation_for(self.lens)
        self.desire = [_clip(self.commitment_for(j, self.lens)) for j in range(n)]

    # --- 4.4 arms and allocation ----------------------------------------------------------
    def pressure(self) -> float:
        """The severity of threats not offset by cooperation."""
        return sum(self.severity[j] * (1 - self.coop_new[j]) for j in range(self.model.n))

    def arm(self) -> None:
        model = self.model
        st: _Step = model.current
        p, i = st.p, self.index
        q = st.v("status_quo", i)
        e = self.effort
        self.pressure_now = pressure = self.pressure()
        grown = (
            e
            + st.v("k", i) * reaction(pressure - q * self.pressure0, st.v("saturation", i))
            - st.v("a", i) * (e - q)
            + (1 - q) * st.v("g", i)
            + self.motive * (st.v("g_greedy", i) - st.v("g", i))
        )
        e_next = max(0.0, grown + st.v("shock", i) * e * model.draws.effort[i])
        # the missile programme: flight tests, more with effort and with pressure above the start
        raised = max(0.0, reaction(pressure - q * self.pressure0, st.v("saturation", i)))
        tests = st.test_rate(i) * e * (1 + p.test_pressure * raised)
        self.test_hazard = 1 - math.exp(-tests)
        target = _clip(self.target + self.share_offset)
        self.seeker_share = self.share + p.allocation_rate * (target - self.share)
        self.greedy_share = self.share + p.allocation_rate * (
            _clip(target - p.greedy_offence) - self.share
        )
        share = self.greedy_share if self.motive > 0 else self.seeker_share
        level = p.stock_turnover * st.weight(i) * e_next
        self.next = {
            "effort": e_next,
            "share": share,
            "offence": (1 - p.stock_turnover) * self.offence + level * (1 - share),
            "defence": (1 - p.stock_turnover) * self.defence + level * share,
        }

    # --- 4.5 beliefs, 4.6 identities, 4.7 alliances ---------------------------------------
    def expected_of(self, j: int) -> tuple[float, float, float]:
        """What a security seeker and a greedy type in j's place would have done, as i sees
        it (their offensive efforts f^S, f^G), and the variance of j's own effort shock."""
        st: _Step = self.model.current
        p = st.p
        other = self.model.states[j]
        felt = other.pressure_now - (1 - p.empathy) * other.severity[self.index] * (
            1 - other.coop_new[self.index]
        )
        q, e = st.v("status_quo", j), other.effort
        seeker = max(
            0.0,
            e
            + st.v("k", j) * reaction(felt - q * other.pressure0, st.v("saturation", j))
            - st.v("a", j) * (e - q)
            + (1 - q) * st.v("g", j),
        )
        delta = p.distinguishability
        seen_share = 1 - delta * other.seeker_share
        f_seeker = seeker * seen_share
        f_greedy = (seeker + (st.v("g_greedy", j) - st.v("g", j))) * (
            1 - delta * other.greedy_share
        )
        return f_seeker, f_greedy, (st.v("shock", j) * e * seen_share) ** 2

    def learn(self) -> None:
        model = self.model
        st: _Step = model.current
        p, i, n = st.p, self.index, model.n
        states = model.states
        # beliefs: Bayes' rule on what each other state did against what each type would do
        log_odds = []
        for j, other in enumerate(states):
            if j == i:
                log_odds.append(-LOG_ODDS_LIMIT)
                continue
            f_seeker, f_greedy, spread = self.expected_of(j)
            d = f_greedy - f_seeker
            sd = st.observation_sd(i, j)
            did = other.next["effort"] * (1 - p.distinguishability * other.next["share"])
            seen = did + sd * model.draws.observation[i][j]
            llr = d * (seen - f_seeker - d / 2) / max(sd * sd + spread, TINY)
            log_odds.append(_clip(self.log_odds[j] + llr, -LOG_ODDS_LIMIT, LOG_ODDS_LIMIT))
        self.next["log_odds"] = log_odds
        # identities: reflected appraisal of changes in treatment, common fate,
        # interdependence, crises
        level = p.appraisal_level
        identity = []
        for j, other in enumerate(states):
            if j == i:
                identity.append(1.0)
                continue
            x = self.identity[j]
            treated = other.stance_new[i]
            appraised = (1 - level) * (treated - other.stance[i]) + level * (treated - x)
            pull = p.common_fate * self.shared[j] + p.interdependence_pull * st.m(
                "interdependence", i, j
            )
            y = x + p.identity_rate * appraised + pull * (1 - x)
            y -= p.crisis_shock * model.crisis[i][j]
            identity.append(_clip(y, -1.0, 1.0))
        self.next["identity"] = identity
        # commitments: Snyder's abandonment and entrapment
        relied = [self.commitment[j] * other.capability for j, other in enumerate(states)]
        relied_total = sum(relied)
        self.abandonment = (
            sum(
                relied[j]
                / relied_total
                * (1 - other.commitment[i])
                * (1 - p.reassurance * self.commitment[j])
                for j, other in enumerate(states)
            )
            if relied_total > TINY
            else 0.0
        )
        self.entrapment = 1 - math.prod(
            1 - self.commitment[j] * model.crisis_risk[j] * (1 - self.shared[j]) for j in range(n)
        )
        fear = p.alliance_dilemma * (self.abandonment - self.entrapment)
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
    ``current``) and ``_crises``.
    """

    agent_class: type[StateVariables]

    def __init__(self, world: WorldInputs, draws: ReplicateDraws, seed: int = 0) -> None:
        super().__init__(rng=seed)
        self.world = world
        self.n = world.n
        self.lens_values = world.lens_values
        self.uniforms = draws.uniforms
        self.states = [
            self.agent_class(self, i, world.lenses[i], world.start) for i in range(world.n)
        ]
        for i, a in enumerate(self.states):
            a.motive = draws.motive(i, world)
        self.t = 0
        self.history: list[dict[str, Any]] = []
        self._settle()
        self._anchor()

    def _read(self, t: int) -> None:
        raise NotImplementedError

    def _crises(self) -> None:
        raise NotImplementedError

    def _settle(self) -> None:
        """The start's allocation and stocks (docs/model.md 2): the case's defence share, else
        the share of its stocks in defence, else the lens's own target, judged with provisional
        stocks at the share 1 - theta; stocks w (1 - s), w s unless the case gives them."""
        world = self.world
        theta = world.steps[0].params.offence_dominance
        chosen = []
        for i, a in enumerate(self.states):
            share, offence, defence = (float(world.given[name][i]) for name in GIVEN)
            w = float(world.weight[i])
            a.share = 1 - theta if math.isnan(share) else share
            a.offence = w * (1 - a.share) if math.isnan(offence) else offence
            a.defence = w * a.share if math.isnan(defence) else defence
            if math.isnan(share) and math.isnan(offence) and math.isnan(defence):
                chosen.append(a)
            elif math.isnan(share) and a.offence + a.defence > 0:
                a.share = a.defence / (a.offence + a.defence)
        if not chosen:
            return
        self._read(0)
        self.agents.do("perceive")
        self.agents.do("decide")
        for a in chosen:
            w = float(world.weight[a.index])
            a.share = _clip(a.target)
            a.offence, a.defence = w * (1 - a.share), w * a.share

    def _anchor(self) -> None:
        """What the states see and decide at the start: their status-quo anchors."""
        self._read(0)
        self.agents.do("perceive")
        self.agents.do("decide")
        self.agents.do("anchor")

    def step(self) -> None:
        t = self.t
        if self.world.steps[t].has_events:
            raise NotImplementedError("the Mesa reference model has no dated events")
        self._read(t)
        self.draws = step_draws(self.uniforms[t], self.n)
        self.agents.do("perceive")  # 4.1
        self.agents.do("decide")  # 4.2
        self._crises()  # 4.3
        self.agents.do("arm")  # 4.4
        self.agents.do("learn")  # 4.5 to 4.7
        self.history.append(self._record())
        self.agents.do("commit")
        self.t += 1

    def _record(self) -> dict[str, Any]:
        s = self.states
        return {
            "effort": [a.effort for a in s],
            "effort_next": [a.next["effort"] for a in s],
            "share": [a.share for a in s],
            "offence": [a.offence for a in s],
            "defence": [a.defence for a in s],
            "offence_next": [a.next["offence"] for a in s],
            "security": [a.security for a in s],
            "threat": [list(a.threat) for a in s],
            "hostility": [list(a.hostility) for a in s],
            "main_threat": [a.main for a in s],
            "pressure": [a.pressure_now for a in s],
            "cooperation": [list(a.coop_new) for a in s],
            "stance": [list(a.stance_new) for a in s],
            "belief": [list(a.belief) for a in s],
            "identity": [list(a.identity) for a in s],
            "commitment": [list(a.commitment) for a in s],
            "crisis_prob": [list(r) for r in self.crisis_prob],
            "war_prob": [list(r) for r in self.war_prob],
            "crisis": [list(r) for r in self.crisis],
            "war": [list(r) for r in self.war],
            "crisis_risk": list(self.crisis_risk),
            "abandonment": [a.abandonment for a in s],
            "entrapment": [a.entrapment for a in s],
            "test_hazard": [a.test_hazard for a in s],
        }


class DilemmaModel(ModelBase):
    """The security-dilemma model as agents: one replicate of a compiled world."""

    agent_class = StateAgent

    def _read(self, t: int) -> None:
        self.current = _Step(self.world.steps[t], self.world.weight)

    def _crises(self) -> None:
        st: _Step = self.current
        p = st.p
        n = self.n
        self.crisis_prob = [[0.0] * n for _ in range(n)]
        self.war_prob = [[0.0] * n for _ in range(n)]
        self.crisis = [[0.0] * n for _ in range(n)]
        self.war = [[0.0] * n for _ in range(n)]

        def half(a: Any, j: int) -> float:
            return float(
                p.crisis_threat * weighs(a.severity[j])
                + p.crisis_hostility * a.hostility[j]
                - p.crisis_identity * a.identity[j]
            )

        pair = 0
        for i in range(n):
            for j in range(i + 1, n):
                a, b = self.states[i], self.states[j]
                logit = st.crisis_constant(i, j) + 0.5 * (half(a, j) + half(b, i))
                prob = st.proximity(i, j) * _expit(logit)
                war = prob * st.escalation()
                self.crisis_prob[i][j] = self.crisis_prob[j][i] = prob
                self.war_prob[i][j] = self.war_prob[j][i] = war
                u = self.draws.crisis[pair]
                self.crisis[i][j] = self.crisis[j][i] = 1.0 if u < prob else 0.0
                self.war[i][j] = self.war[j][i] = 1.0 if u < war else 0.0
                pair += 1
        self.crisis_risk = [
            1 - math.prod(1 - min(x, CRISIS_CAP) for x in row) for row in self.crisis_prob
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
        d.effort[:, 0].tolist(), d.observation[:, :, 0].tolist(), d.crisis[:, 0].tolist()
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

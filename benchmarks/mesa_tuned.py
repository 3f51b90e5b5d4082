"""The Mesa 3 model of :mod:`benchmarks.mesa_model` as a competent Mesa user would tune it.

The same agents (one :class:`mesa.Agent` per state, driven through the model's
:class:`mesa.AgentSet`), the same rules in the same order of operations, so the results are
the same to the last bit; what changes is how the Python is written:

* each step's inputs are read once into Python floats and lists (rows of the dyadic matrices,
  per-state values), instead of ``float(getattr(...)[i, j, 0, 0])`` on every access;
* what does not change within a step is computed once per step, not once per dyad: each
  state's capability and potential attack, each agent's partner weights (pyramid lens);
* a lens is dispatched once per agent and step, and its rule is applied to whole rows with
  list comprehensions over ``zip``, with local variables instead of repeated attribute
  lookups;
* the reciprocity rule is called directly on Python floats
  (:func:`security_dilemma.games.reciprocity.respond`), without building a strategy and going
  through numpy on every dyad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy.typing as npt

from security_dilemma.games.reciprocity import (
    TIT_FOR_TAT_PROBABILITIES,
    generous_probabilities,
    respond,
)

from .mesa_model import (
    LOG_ODDS_LIMIT,
    TINY,
    MesaRun,
    ModelBase,
    ReplicateDraws,
    StateVariables,
    StepInputs,
    WorldInputs,
    _clip,
    _expit,
    run_model,
    world_inputs,
)

if TYPE_CHECKING:
    from security_dilemma.engine.world import World

__all__ = ["StepLists", "TunedAgent", "TunedInputs", "TunedModel", "run_mesa_tuned"]


def _clip_all(values: list[float], lo: float = 0.0, hi: float = 1.0) -> list[float]:
    """:func:`benchmarks.mesa_model._clip` on every value (one call per list, not per value)."""
    return [lo if x < lo else hi if x > hi else x for x in values]


def _rows(a: npt.NDArray[Any]) -> list[list[float]]:
    rows: list[list[float]] = a[:, :, 0, 0].tolist()
    return rows


def _values(a: npt.NDArray[Any]) -> list[float]:
    values: list[float] = a[:, 0, 0].tolist()
    return values


@dataclass(frozen=True)
class StepLists:
    """One step's inputs as Python floats and lists (``[i][j]`` rows of the dyadic
    matrices; ``reach_to[i][k]`` is ``reach[k, i]``)."""

    p: Any
    exposure: list[list[float]]
    reach_to: list[list[float]]
    retaliation: list[list[float]]
    transparency: list[list[float]]
    interdependence: list[list[float]]
    shadow: list[list[float]]
    treaty: list[list[float]]
    proximity: list[list[float]]
    belief_signal: list[list[float]]
    belief_noise: list[list[float]]
    crisis_static: list[list[float]]
    weight: list[float]
    k: list[float]
    a: list[float]
    g: list[float]
    saturation: list[float]
    status_quo: list[float]
    shock: list[float]
    gap: list[float]

    @classmethod
    def of(cls, inputs: StepInputs) -> StepLists:
        """Read one step's inputs."""
        p, s, c = inputs.params, inputs.setting, inputs.constants
        return cls(
            p,
            _rows(s.exposure),
            _rows(s.reach.transpose(1, 0, 2, 3)),
            _rows(s.retaliation),
            _rows(s.transparency),
            _rows(s.interdependence),
            _rows(s.shadow),
            _rows(s.treaty),
            _rows(s.proximity),
            _rows(c.belief_signal),
            _rows(c.belief_noise),
            _rows(c.crisis_static),
            _values(s.weight),
            _values(p.k),
            _values(p.a),
            _values(p.g),
            _values(p.saturation),
            _values(p.status_quo),
            _values(p.shock),
            _values(c.gap),
        )


@dataclass(frozen=True)
class TunedInputs(WorldInputs):
    """A compiled world read once for any number of replicates: every step as
    :class:`StepLists`."""

    lists: tuple[StepLists, ...]

    @classmethod
    def of(cls, world: World) -> TunedInputs:
        """Read ``world``."""
        base = world_inputs(world)
        kept = {f.name: getattr(base, f.name) for f in fields(WorldInputs)}
        return cls(**kept, lists=tuple(StepLists.of(step) for step in base.steps))


class TunedAgent(StateVariables):
    """One state, as in :class:`benchmarks.mesa_model.StateAgent`."""

    def __init__(self, model: Any, index: int, lens: str, start: dict[str, Any]) -> None:
        super().__init__(model, index, lens, start)
        q = model.lens_values
        self.realism = q["realism"]
        self.liberalism = q["liberalism"]
        self.constructivism = q["constructivism"]
        self.pyramid = q["pyramid"]
        self.generous = generous_probabilities(self.liberalism["generosity"])
        self.partner: list[float] = []  # partner weights (pyramid lens), set each step

    # --- perception -------------------------------------------------------------------
    def _hostility(self, lens: str) -> list[float]:
        """Hostility towards each state under ``lens`` (before clipping; the entry for
        oneself is not used)."""
        i = self.index
        if lens == "realism":
            wc, trust = self.realism["worst_case"], self.realism["alliance_trust"]
            spread = 1 - wc
            return [
                (wc + spread * b) * (1 - trust * c)
                for b, c in zip(self.belief, self.committed_to_me, strict=True)
            ]
        if lens == "liberalism":
            inst = self.liberalism["institution_discount"]
            dep = self.liberalism["interdependence_discount"]
            st = self.model.current
            return [
                b * (1 - inst * t) * (1 - dep * x)
                for b, t, x in zip(
                    self.belief, st.transparency[i], st.interdependence[i], strict=True
                )
            ]
        if lens == "constructivism":
            rh = self.constructivism["rival_hostility"]
            rest = 1 - rh
            return [rh - rest * x if x < 0 else rh * (1 - x) for x in self.identity]
        lib = self._hostility("liberalism")
        real = self._hostility("realism")
        return [w * h + (1 - w) * r for w, h, r in zip(self.partner, lib, real, strict=True)]

    def perceive(self) -> None:
        model = self.model
        st: StepLists = model.current
        i = self.index
        states = model.states
        self.committed_to_me = [a.commitment[i] for a in states]
        if self.lens == "pyramid":
            q = self.pyramid
            thr, width = q["partner_threshold"], q["partner_width"]
            self.partner = [
                1.0 / (1.0 + math.exp(-_clip((x - thr) / width, -60, 60))) for x in self.identity
            ]
        hostility = _clip_all(self._hostility(self.lens))
        hostility[i] = 0.0
        self.hostility = hostility
        attack = [e * a for e, a in zip(st.exposure[i], model.potent, strict=True)]
        threat = [h * a for h, a in zip(hostility, attack, strict=True)]
        self.threat = threat
        lent = sum(
            r * c * m
            for r, c, m in zip(st.reach_to[i], model.capability, self.committed_to_me, strict=True)
        )
        guard = model.guard_factor * (self.defence + lent)
        offence = self.offence
        self.ratio = [
            t / max(r * offence + guard, TINY)
            for t, r in zip(threat, st.retaliation[i], strict=True)
        ]
        self.security = 1.0 / (1.0 + sum(self.ratio))
        top = max(threat)
        main = threat.index(top)
        tied = sum(1 for x in threat if x >= top) > 1
        self.main = main if top > 0 and not tied else -1

    # --- decisions ---------------------------------------------------------------------
    def _cooperation(self, lens: str) -> list[float]:
        """Cooperation with each state under ``lens`` (before the greedy bent)."""
        model = self.model
        i = self.index
        if lens == "realism":
            gains = self.realism["relative_gains"]
            xi = model.capability[i]
            gaps = _clip_all([(xj - xi) / max(xj + xi, 1e-12) for xj in model.capability])
            return [(1 - h) * (1 - gains * g) for h, g in zip(self.hostility, gaps, strict=True)]
        if lens == "liberalism":
            gen, tft = self.generous, TIT_FOR_TAT_PROBABILITIES
            theirs = [a.cooperation[i] for a in model.states]
            return [
                s * respond(*gen, own, other) + (1 - s) * respond(*tft, own, other)
                for s, own, other in zip(
                    model.current.shadow[i], self.cooperation, theirs, strict=True
                )
            ]
        if lens == "constructivism":
            return [1 - h for h in self.hostility]
        lib = self._cooperation("liberalism")
        real = self._cooperation("realism")
        return [w * c + (1 - w) * r for w, c, r in zip(self.partner, lib, real, strict=True)]

    def _allocation(self, lens: str) -> float:
        o: float = self.model.current.p.offence_dominance
        if lens == "realism":
            return 1 - o
        if lens == "liberalism":
            return _clip(1 - o + self.liberalism["defensive_bias"])
        if lens == "constructivism":
            return 1 - o * max(self.hostility)
        w = 1.0 if self.main < 0 else self.partner[self.main]
        return w * self._allocation("liberalism") + (1 - w) * self._allocation("realism")

    def _desire(self, lens: str) -> list[float]:
        """Desired commitment to each state under ``lens`` (the entry for oneself is not
        used)."""
        st: StepLists = self.model.current
        i = self.index
        if lens == "realism":
            return [
                (1 - h) * max(s, t)
                for h, s, t in zip(self.hostility, self.shared, st.treaty[i], strict=True)
            ]
        if lens == "liberalism":
            return [
                max(t, s * (1 - h))
                for h, t, s in zip(self.hostility, st.treaty[i], st.shadow[i], strict=True)
            ]
        if lens == "constructivism":
            t = self.constructivism["ally_identity"]
            return _clip_all([(x - t) / (1 - t) for x in self.identity])
        lib = self._desire("liberalism")
        real = self._desire("realism")
        return [w * c + (1 - w) * r for w, c, r in zip(self.partner, lib, real, strict=True)]

    def decide(self) -> None:
        model = self.model
        p = model.current.p
        i = self.index
        mine = self.main
        self.shared = [1.0 if (mine >= 0 and mine == a.main) else 0.0 for a in model.states]
        bent = 1 - p.greedy_defection * self.motive
        coop = _clip_all([c * bent for c in self._cooperation(self.lens)])
        coop[i] = 0.0
        self.coop_new = coop
        self.alloc = _clip(self._allocation(self.lens) - p.greedy_offence * self.motive)
        self.desire = _clip_all(self._desire(self.lens))

    # --- updates ---------------------------------------------------------------------
    def update(self) -> None:
        model = self.model
        st: StepLists = model.current
        p, i = st.p, self.index
        states = model.states
        weight = st.weight[i]
        pressure = sum(t * (1 - c) for t, c in zip(self.threat, self.coop_new, strict=True))
        pressure /= weight
        sat = st.saturation[i]
        drive = st.g[i] + self.motive * st.gap[i]
        e = self.effort
        de = st.k[i] * pressure / (1 + sat * pressure) - st.a[i] * e
        de += drive + self.baseline
        e_next = max(0.0, e + de + st.shock[i] * e * model.draws.effort[i])
        share = self.share + p.allocation_rate * (self.alloc - self.share)
        turnover = p.stock_turnover
        level = turnover * weight * e_next
        nxt = self.next = {
            "effort": e_next,
            "share": share,
            "offence": (1 - turnover) * self.offence + level * (1 - share),
            "defence": (1 - turnover) * self.defence + level * share,
            "pressure": pressure,
        }
        # beliefs: Bayes in log-odds
        limit = LOG_ODDS_LIMIT
        log_odds = _clip_all(
            [
                x + (s * m + z * u)
                for x, s, m, z, u in zip(
                    self.log_odds,
                    st.belief_signal[i],
                    model.centred_motives,
                    st.belief_noise[i],
                    model.draws.observation[i],
                    strict=True,
                )
            ],
            -limit,
            limit,
        )
        log_odds[i] = -limit
        nxt["log_odds"] = log_odds
        # identities: reflected appraisal, common fate, interdependence, crises
        rate, fate, dep_pull = p.identity_rate, p.common_fate, p.interdependence_pull
        shock = p.crisis_shock
        identity = _clip_all(
            [
                x
                + rate * (a.coop_new[i] - a.hostility[i] - x)
                + (fate * s + dep_pull * d) * (1 - x)
                - shock * hit
                for x, a, s, d, hit in zip(
                    self.identity,
                    states,
                    self.shared,
                    st.interdependence[i],
                    model.crisis[i],
                    strict=True,
                )
            ],
            -1.0,
            1.0,
        )
        identity[i] = 1.0
        nxt["identity"] = identity
        # commitments: Snyder
        commitment = self.commitment
        relied = [c * x for c, x in zip(commitment, model.capability, strict=True)]
        relied_total = sum(relied)
        returned = sum(r * c for r, c in zip(relied, self.committed_to_me, strict=True))
        abandonment = 1 - returned / relied_total if relied_total > TINY else 0.0
        commit_total = sum(commitment)
        exposed = sum(
            c * r * (1 - s)
            for c, r, s in zip(commitment, model.crisis_risk, self.shared, strict=True)
        )
        entrapment = exposed / commit_total if commit_total > TINY else 0.0
        fear = p.alliance_dilemma * (abandonment - entrapment)
        commit_rate = p.commitment_rate
        committed = _clip_all(
            [
                c + commit_rate * (d - c) + fear * c
                for c, d in zip(commitment, self.desire, strict=True)
            ]
        )
        committed[i] = 0.0
        nxt["commitment"] = committed


class TunedModel(ModelBase):
    """The security-dilemma model as agents, tuned: one replicate of a compiled world."""

    agent_class = TunedAgent

    def __init__(self, world: TunedInputs, draws: ReplicateDraws, seed: int = 0) -> None:
        self.lists = world.lists
        super().__init__(world, draws, seed)
        self.centred_motives = [a.motive - 0.5 for a in self.states]

    def _read(self, t: int) -> None:
        """Step ``t``'s inputs, and what the states' stocks imply for the whole step."""
        st = self.current = self.lists[t]
        o, d = st.p.offence_dominance, st.p.distinguishability
        two_o, blur = 2 * o, 1 - d
        self.guard_factor = 2 * (1 - o)
        self.capability = [a.offence + a.defence for a in self.states]
        self.potent = [two_o * (a.offence + blur * a.defence) for a in self.states]

    def _calibrate(self) -> None:
        self._read(0)
        self.agents.do("perceive")
        self.agents.do("decide")
        st: StepLists = self.current
        for a in self.states:
            i = a.index
            pressure = sum(t * (1 - c) for t, c in zip(a.threat, a.coop_new, strict=True))
            pressure /= st.weight[i]
            sat = st.saturation[i]
            a.baseline = st.status_quo[i] * (
                st.a[i] - st.g[i] - st.k[i] * pressure / (1 + sat * pressure)
            )

    def _crises(self) -> None:
        st: StepLists = self.current
        p = st.p
        n = self.n
        ct, ch, ci = p.crisis_threat, p.crisis_hostility, p.crisis_identity
        half = [
            [
                ct * r / (1 + r) + ch * h - ci * x
                for r, h, x in zip(a.ratio, a.hostility, a.identity, strict=True)
            ]
            for a in self.states
        ]
        prob = [[0.0] * n for _ in range(n)]
        crisis = [[0.0] * n for _ in range(n)]
        draws = iter(self.draws.crisis)
        for i in range(n):
            hi, static, near = half[i], st.crisis_static[i], st.proximity[i]
            for j in range(i + 1, n):
                logit = 0.5 * (hi[j] + half[j][i])
                logit += static[j]
                x = prob[i][j] = prob[j][i] = _expit(logit) * near[j]
                crisis[i][j] = crisis[j][i] = 1.0 if next(draws) < x else 0.0
        self.crisis_prob, self.crisis = prob, crisis
        self.crisis_risk = [1 - math.prod(1 - min(x, 1 - 1e-7) for x in row) for row in prob]


def run_mesa_tuned(world: World | TunedInputs, *, seed: int = 0, replicate: int = 0) -> MesaRun:
    """Run replicate ``replicate`` of ``world`` with the tuned Mesa model; pass
    ``TunedInputs.of(world)`` to read the world once for many replicates."""
    inputs = world if isinstance(world, TunedInputs) else TunedInputs.of(world)
    return run_model(TunedModel, inputs, seed=seed, replicate=replicate)

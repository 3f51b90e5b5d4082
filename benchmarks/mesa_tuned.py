"""The Mesa 3 model of :mod:`benchmarks.mesa_model` as a competent Mesa user would tune it.

The same agents (one :class:`mesa.Agent` per state, driven through the model's
:class:`mesa.AgentSet`), the same rules in the same order of operations, so the results are
the same to the last bit; what changes is how the Python is written:

* each step's inputs, and the setting's quantities derived from them (exposure, retaliation,
  proximity, the crisis hazard's constant part, observation errors), are computed once into
  Python floats and lists (rows of the matrices, per-state values) when the world is read,
  instead of ``float(...[i, j])`` and the derivation on every access;
* what does not change within a step is computed once per step, not once per dyad: each
  state's capability and attack potential, each agent's partner weights (pyramid lens), the
  weights of its threats, the parts of a state's expected reaction that do not depend on the
  observer;
* a lens is dispatched once per agent and step, and its rule is applied to whole rows with
  list comprehensions over ``zip``, with local variables instead of repeated attribute
  lookups;
* the reciprocity rule is called directly on Python floats
  (:func:`security_dilemma.games.reciprocity.respond`), without building a strategy and going
  through numpy on every dyad.
"""

# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from security_dilemma.games.reciprocity import (
    TIT_FOR_TAT_PROBABILITIES,
    generous_probabilities,
    respond,
)

from .mesa_model import (
    CRISIS_CAP,
    LOG_ODDS_LIMIT,
    TINY,
    Floats,
    MesaRun,
    ModelBase,
    ReplicateDraws,
    StateVariables,
    StepInputs,
    WorldInputs,
    _clip,
    _expit,
    _Step,
    contest,
    defence_value,
    reaction,
    run_model,
    weighs,
    world_inputs,
)

if TYPE_CHECKING:
    from security_dilemma.engine.world import World

__all__ = ["StepLists", "TunedAgent", "TunedInputs", "TunedModel", "run_mesa_tuned"]


def _clip_all(values: list[float], lo: float = 0.0, hi: float = 1.0) -> list[float]:
    """:func:`benchmarks.mesa_model._clip` on every value (one call per list, not per value)."""
    return [lo if x < lo else hi if x > hi else x for x in values]


@dataclass(frozen=True)
class StepLists:
    """One step's inputs as Python floats and lists: ``[i][j]`` rows of the matrices
    (``reach_to[i][k]`` is the reach of k over i), per-state values and the scalars the rules
    read."""

    p: Any
    exposure: list[list[float]]
    retaliation: list[list[float]]
    reach_to: list[list[float]]
    transparency: list[list[float]]
    interdependence: list[list[float]]
    shadow: list[list[float]]
    treaty: list[list[float]]
    proximity: list[list[float]]
    crisis_constant: list[list[float]]
    observation_sd: list[list[float]]
    weight: list[float]
    k: list[float]
    a: list[float]
    g: list[float]
    gap: list[float]
    saturation: list[float]
    status_quo: list[float]
    shock: list[float]
    test_rate: list[float]
    nu: float
    escalation: float

    @classmethod
    def of(cls, inputs: StepInputs, weight: Floats) -> StepLists:
        """Read one step's inputs, deriving the setting's quantities as the plain model does."""
        st = _Step(inputs, weight)
        n = len(weight)

        def rows(rule: Any) -> list[list[float]]:
            return [[rule(i, j) for j in range(n)] for i in range(n)]

        def values(name: str) -> list[float]:
            return [st.v(name, i) for i in range(n)]

        g, g_greedy = values("g"), values("g_greedy")
        return cls(
            st.p,
            rows(st.exposure),
            rows(st.retaliation),
            rows(lambda i, k: st.m("reach", k, i)),
            rows(lambda i, j: st.m("transparency", i, j)),
            rows(lambda i, j: st.m("interdependence", i, j)),
            rows(lambda i, j: st.m("shadow", i, j)),
            rows(lambda i, j: st.m("treaty", i, j)),
            rows(st.proximity),
            rows(st.crisis_constant),
            rows(st.observation_sd),
            [st.weight(i) for i in range(n)],
            values("k"),
            values("a"),
            g,
            [gg - g0 for gg, g0 in zip(g_greedy, g, strict=True)],
            values("saturation"),
            values("status_quo"),
            values("shock"),
            [st.test_rate(i) for i in range(n)],
            defence_value(st.p.offence_dominance),
            st.escalation(),
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
        lists = tuple(StepLists.of(step, base.weight) for step in base.steps)
        return cls(**kept, lists=lists)


class TunedAgent(StateVariables):
    """One state, as in :class:`benchmarks.mesa_model.StateAgent`."""

    def __init__(self, model: Any, index: int, lens: str, start: Any) -> None:
        super().__init__(model, index, lens, start)
        q = model.lens_values
        self.realism = q["realism"]
        self.liberalism = q["liberalism"]
        self.constructivism = q["constructivism"]
        self.pyramid = q["pyramid"]
        self.generous = generous_probabilities(self.liberalism["generosity"])
        self.partner: list[float] = []  # partner weights (pyramid lens), set each step

    # --- 4.1 perception and assessment -------------------------------------------------
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
        p = st.p
        i = self.index
        self.committed_to_me = [a.commitment[i] for a in model.states]
        if self.lens == "pyramid":
            q = self.pyramid
            thr, width = q["partner_threshold"], q["partner_width"]
            self.partner = [
                1.0 / (1.0 + math.exp(-_clip((x - thr) / width, -60, 60))) for x in self.identity
            ]
        hostility = _clip_all(self._hostility(self.lens))
        hostility[i] = 0.0
        self.hostility = hostility
        lent = sum(
            c * r * m
            for c, r, m in zip(self.committed_to_me, st.reach_to[i], model.capability, strict=True)
        )
        held = st.nu * (self.defence + lent)
        deterrence, offence, m = p.deterrence, self.offence, p.decisiveness
        absolute = p.absolute_security
        own_stake, other_stake = absolute * st.weight[i], 1 - absolute
        attack = [e * a for e, a in zip(st.exposure[i], model.potent, strict=True)]
        opposed = [held + deterrence * r * offence for r in st.retaliation[i]]
        threat = [
            h * contest(a, w, m) * a for h, a, w in zip(hostility, attack, opposed, strict=True)
        ]
        self.threat = threat
        self.severity = severity = [
            t / max(own_stake + other_stake * (a + w), TINY)
            for t, a, w in zip(threat, attack, opposed, strict=True)
        ]
        self.weighs = [weighs(x) for x in severity]
        self.security = 1.0 / (1.0 + sum(severity))
        top = max(threat)
        main = threat.index(top)
        tied = sum(1 for x in threat if x >= top) > 1
        self.main = main if top > 0 and not tied else -1

    def _shared(self) -> list[float]:
        """The threat shared with each state (0 with oneself)."""
        i, mine, own = self.index, self.main, self.weighs
        out = []
        for j, other in enumerate(self.model.states):
            shared = 0.0
            if j != i:
                for m in (mine, other.main):
                    if m >= 0 and m != i and m != j:
                        shared = max(shared, min(own[m], other.weighs[m]))
            out.append(shared)
        return out

    # --- 4.2 decisions (section 5, the lenses) --------------------------------------------
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
            return min(1.0, 1 - o + self.liberalism["defensive_bias"])
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
        self.shared = self._shared()
        bent = 1 - p.greedy_defection * self.motive
        coop = [c * bent for c in _clip_all(self._cooperation(self.lens))]
        coop[i] = 0.0
        self.coop_new = coop
        self.stance_new = [c - h for c, h in zip(coop, self.hostility, strict=True)]
        self.target = self._allocation(self.lens)
        self.desire = _clip_all(self._desire(self.lens))

    # --- 4.4 arms and allocation ----------------------------------------------------------
    def pressure(self) -> float:
        return sum(x * (1 - c) for x, c in zip(self.severity, self.coop_new, strict=True))

    def arm(self) -> None:
        model = self.model
        st: StepLists = model.current
        p, i = st.p, self.index
        q = st.status_quo[i]
        e = self.effort
        self.pressure_now = pressure = self.pressure()
        response = reaction(pressure - q * self.pressure0, st.saturation[i])
        react = st.k[i] * response
        # the missile programme: flight tests, more with effort and with pressure above the start
        tests = st.test_rate[i] * e * (1 + p.test_pressure * max(0.0, response))
        self.test_hazard = 1 - math.exp(-tests)
        # the parts of the effort a security seeker in this state's place would choose that
        # do not depend on who judges it (4.5)
        self.fatigue = st.a[i] * (e - q)
        self.drive = (1 - q) * st.g[i]
        grown = e + react - self.fatigue + self.drive + self.motive * st.gap[i]
        e_next = max(0.0, grown + st.shock[i] * e * model.draws.effort[i])
        rate, share = p.allocation_rate, self.share
        target = _clip(self.target + self.share_offset)
        self.seeker_share = seeker = share + rate * (target - share)
        self.greedy_share = greedy = share + rate * (_clip(target - p.greedy_offence) - share)
        new_share = greedy if self.motive > 0 else seeker
        turnover = p.stock_turnover
        level = turnover * st.weight[i] * e_next
        self.next = {
            "effort": e_next,
            "share": new_share,
            "offence": (1 - turnover) * self.offence + level * (1 - new_share),
            "defence": (1 - turnover) * self.defence + level * new_share,
        }
        delta = p.distinguishability
        self.seen_share = seen_share = 1 - delta * seeker
        self.greedy_part = 1 - delta * greedy
        self.spread = (st.shock[i] * e * seen_share) ** 2
        self.did = e_next * (1 - delta * new_share)

    # --- 4.5 beliefs, 4.6 identities, 4.7 alliances ---------------------------------------
    def learn(self) -> None:
        model = self.model
        st: StepLists = model.current
        p, i = st.p, self.index
        states = model.states
        nxt = self.next
        # beliefs: Bayes' rule on what each other state did against what each type would do
        unseen = 1 - p.empathy
        limit = LOG_ODDS_LIMIT
        log_odds = []
        seen_by_me = zip(
            states, self.log_odds, st.observation_sd[i], model.draws.observation[i], strict=True
        )
        for j, (other, x, sd, z) in enumerate(seen_by_me):
            if j == i:
                log_odds.append(-limit)
                continue
            felt = other.pressure_now - unseen * other.severity[i] * (1 - other.coop_new[i])
            q = st.status_quo[j]
            seeker = max(
                0.0,
                other.effort
                + st.k[j] * reaction(felt - q * other.pressure0, st.saturation[j])
                - other.fatigue
                + other.drive,
            )
            f_seeker = seeker * other.seen_share
            d = (seeker + st.gap[j]) * other.greedy_part - f_seeker
            seen = other.did + sd * z
            llr = d * (seen - f_seeker - d / 2) / max(sd * sd + other.spread, TINY)
            y = x + llr
            log_odds.append(-limit if y < -limit else limit if y > limit else y)
        nxt["log_odds"] = log_odds
        # identities: reflected appraisal of changes in treatment, common fate,
        # interdependence, crises
        level = p.appraisal_level
        change = 1 - level
        rate, fate, dep_pull = p.identity_rate, p.common_fate, p.interdependence_pull
        shock = p.crisis_shock
        identity = _clip_all(
            [
                x
                + rate * (change * (a.stance_new[i] - a.stance[i]) + level * (a.stance_new[i] - x))
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
        # commitments: Snyder's abandonment and entrapment
        commitment = self.commitment
        relied = [c * x for c, x in zip(commitment, model.capability, strict=True)]
        relied_total = sum(relied)
        trust = p.reassurance
        self.abandonment = (
            sum(
                r / relied_total * (1 - back) * (1 - trust * c)
                for r, back, c in zip(relied, self.committed_to_me, commitment, strict=True)
            )
            if relied_total > TINY
            else 0.0
        )
        self.entrapment = 1 - math.prod(
            1 - c * risk * (1 - s)
            for c, risk, s in zip(commitment, model.crisis_risk, self.shared, strict=True)
        )
        fear = p.alliance_dilemma * (self.abandonment - self.entrapment)
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

    def _read(self, t: int) -> None:
        """Step ``t``'s inputs, and what the states' stocks imply for the whole step."""
        st = self.current = self.lists[t]
        leak = 1 - st.p.distinguishability
        self.capability = [a.offence + a.defence for a in self.states]
        self.potent = [a.offence + leak * a.defence for a in self.states]

    def _crises(self) -> None:
        st: StepLists = self.current
        p = st.p
        n = self.n
        ct, ch, ci = p.crisis_threat, p.crisis_hostility, p.crisis_identity
        half = [
            [
                ct * w + ch * h - ci * x
                for w, h, x in zip(a.weighs, a.hostility, a.identity, strict=True)
            ]
            for a in self.states
        ]
        escalation = st.escalation
        prob = [[0.0] * n for _ in range(n)]
        war_prob = [[0.0] * n for _ in range(n)]
        crisis = [[0.0] * n for _ in range(n)]
        war = [[0.0] * n for _ in range(n)]
        draws = iter(self.draws.crisis)
        for i in range(n):
            hi, constant, near = half[i], st.crisis_constant[i], st.proximity[i]
            for j in range(i + 1, n):
                x = prob[i][j] = prob[j][i] = near[j] * _expit(
                    constant[j] + 0.5 * (hi[j] + half[j][i])
                )
                y = war_prob[i][j] = war_prob[j][i] = x * escalation
                u = next(draws)
                crisis[i][j] = crisis[j][i] = 1.0 if u < x else 0.0
                war[i][j] = war[j][i] = 1.0 if u < y else 0.0
        self.crisis_prob, self.war_prob, self.crisis, self.war = prob, war_prob, crisis, war
        self.crisis_risk = [1 - math.prod(1 - min(x, CRISIS_CAP) for x in row) for row in prob]


def run_mesa_tuned(world: World | TunedInputs, *, seed: int = 0, replicate: int = 0) -> MesaRun:
    """Run replicate ``replicate`` of ``world`` with the tuned Mesa model; pass
    ``TunedInputs.of(world)`` to read the world once for many replicates."""
    inputs = world if isinstance(world, TunedInputs) else TunedInputs.of(world)
    return run_model(TunedModel, inputs, seed=seed, replicate=replicate)

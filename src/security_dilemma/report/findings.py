"""Headline findings of a run, per lens, in numbers and in plain words.

Read from a :class:`~security_dilemma.engine.Result` at its last step (docs/report.md):

* **who arms**: actors whose effort ends more than 1% above its start in at least half of
  the replicates (the ``armed`` measure), largest final effort first;
* **who ends less secure**: actors whose security ends below its start in at least half of
  the replicates (``less_secure``);
* **Jervis's world** from the offence-defence balance and distinguishability in force;
* the **four security-dilemma measures** (Collins, after the reference model): (a) harm to
  others, the mean over actors of ``harm_done``; (b) self-defeat, the probability that at
  least two actors armed and every one of them ended less secure (``self_defeat_all``);
  (c) uncertainty of intentions, the mean belief entropy (bits) and misperception rate;
  (d) no adequate policy, the mean over actors of ``no_adequate_policy``. (a), (b)'s
  per-actor companion and (d) need the restraint copies; they are None without them;
* **crisis risk**: the mean crisis probability per step of the key dyads and the dyad with
  the highest mean, and the same rate over a year (1 - (1 - p)^(steps per year): a weekly
  case's 10% a week is 99.6% a year).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

if TYPE_CHECKING:
    from ..engine import Result
    from ..history.backtest import Backtest
    from ..scenario.schema import Case

__all__ = [
    "CONFLICT_KINDS",
    "LOW_SECURITY",
    "REPORT_METRICS",
    "DyadRisk",
    "LensFindings",
    "LowStart",
    "SplitRows",
    "TableRow",
    "findings",
    "key_actors",
    "key_dyads",
    "low_start",
    "low_start_text",
    "rate_text",
    "share",
    "split_rows",
]

CONFLICT_KINDS = ("opposes", "counter_deploys", "crisis", "war")
"""Kinds of observable that make a dyad a key dyad of the case."""

REPORT_METRICS = (
    "armed",
    "belief_entropy",
    "commitment",
    "crisis_prob",
    "crisis_risk",
    "distinguishability",
    "effort",
    "harm_done",
    "identity",
    "less_secure",
    "mean_identity",
    "misperception",
    "no_adequate_policy",
    "offence_dominance",
    "security",
    "self_defeat",
    "self_defeat_all",
    "threat",
)
"""Metrics a run must record for its summary, findings and report figures (``dilemma run
--metrics`` records these too, and writes only the named ones in its JSON)."""

MAJORITY = 0.5
"""Share of replicates from which an actor counts as arming / ending less secure."""


class DyadRisk(NamedTuple):
    """A dyad's crisis probability: mean per step over the run, and that rate over a year."""

    actor: str
    counterpart: str
    per_step: float
    yearly: float

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return self._asdict()


class TableRow(NamedTuple):
    """A row of a table with one column per lens: its label and one cell per lens."""

    label: str
    cells: Sequence[str]


class SplitRows(NamedTuple):
    """A lens table's rows: those that tell the lenses apart, and those the same under all."""

    distinct: list[TableRow]
    same: list[TableRow]

    def caption(self) -> str:
        """The rows the same under every lens, as one line under the table ("" if none)."""
        if not self.same:
            return ""
        return "The same under every lens: " + "; ".join(
            f"{row.label}: {row.cells[0]}" for row in self.same
        )


def split_rows(rows: Sequence[TableRow]) -> SplitRows:
    """Keep in the table the rows that differ between lenses; a row with the same cell under
    every lens (of two or more) goes under it, so that the table shows what distinguishes the
    lenses. The one rule of the console's and the HTML report's findings tables.

    >>> split = split_rows([TableRow("arms", ["USA", "USA"]), TableRow("harm", ["0.1", "0.2"])])
    >>> [row.label for row in split.distinct], split.caption()
    (['harm'], 'The same under every lens: arms: USA')
    """
    same = [row for row in rows if len(row.cells) > 1 and len(set(row.cells)) == 1]
    return SplitRows([row for row in rows if row not in same], same)


def share(x: float) -> str:
    """A probability in whole percent that never rounds to 0% or 100% when it is not one.

    >>> share(0.996), share(0.5), share(0.001), share(1.0)
    ('>99%', '50%', '<1%', '100%')
    """
    if 0.995 <= x < 1.0:
        return ">99%"
    if 0.0 < x < 0.005:
        return "<1%"
    return f"{x:.0%}"


def rate_text(risk: DyadRisk, step: str, *, short: bool = False) -> str:
    """``USA-CUB 10.0% a week (>99% a year at that rate)``; a yearly case gives the yearly
    rate alone. ``short``: ``USA-CUB 10.0%/week (>99%/yr)``."""
    a, b = risk.actor, risk.counterpart
    if step == "year":
        return f"{a}-{b} {risk.yearly:.1%}" + ("/yr" if short else " a year")
    if short:
        return f"{a}-{b} {risk.per_step:.1%}/{step} ({share(risk.yearly)}/yr)"
    return f"{a}-{b} {risk.per_step:.1%} a {step} ({share(risk.yearly)} a year at that rate)"


@dataclass(frozen=True)
class LensFindings:
    """What one lens's run says, at its last step (see the module docstring)."""

    lens: str
    arms: tuple[tuple[str, float], ...]
    less_secure: tuple[tuple[str, float], ...]
    jervis_world: int
    jervis_description: str
    culture: str
    harm: float | None
    self_defeat_all: float
    self_defeating: tuple[str, ...]
    belief_entropy: float
    misperception: float
    no_adequate_policy: float | None
    no_adequate_actors: tuple[str, ...]
    crisis: tuple[DyadRisk, ...]
    top_crisis: DyadRisk | None
    brier: float | None = None
    brier_skill: float | None = None
    jervis_world_start: int | None = None
    jervis_description_start: str | None = None
    step: str = "year"

    def sentences(self) -> list[str]:
        """The findings in plain words, one sentence each."""
        out = []
        if self.arms:
            who = ", ".join(f"{a} (effort ×{e:.2f})" for a, e in self.arms)
            out.append(f"Who arms: {who}.")
        else:
            out.append("No actor ends the run armed above its starting effort in most replicates.")
        if self.less_secure:
            out.append(f"Who ends less secure: {', '.join(a for a, _ in self.less_secure)}.")
        else:
            out.append("No actor ends less secure than it started in most replicates.")
        moved = ""
        if self.jervis_world_start is not None and self.jervis_world_start != self.jervis_world:
            moved = (
                f" (it starts in world {self.jervis_world_start}: "
                f"{self.jervis_description_start}; the case's events change the parameters)"
            )
        out.append(
            f"Jervis's world {self.jervis_world}: {self.jervis_description}{moved}; culture of "
            f"anarchy: {self.culture}."
        )
        if self.harm is not None:
            out.append(
                f"(a) Harm to others: others' security would be {_change(self.harm)}, on "
                "average, had an actor never raised its effort (restrained copy minus "
                "actual)."
            )
        selfish = (
            f" Actors better off restrained: {', '.join(self.self_defeating)}."
            if (self.self_defeating)
            else ""
        )
        out.append(
            f"(b) Self-defeat: in {self.self_defeat_all:.0%} of replicates at least two actors "
            f"armed and all of them ended less secure.{selfish}"
        )
        out.append(
            f"(c) Uncertainty of intentions: mean belief entropy {self.belief_entropy:.2f} bits; "
            f"{self.misperception:.0%} of types misread."
        )
        if self.no_adequate_policy is not None:
            who = f" ({', '.join(self.no_adequate_actors)})" if self.no_adequate_actors else ""
            out.append(
                f"(d) No adequate policy: {self.no_adequate_policy:.0%} of actor-replicates are "
                f"worse off than at the start whether they arm or restrain{who}."
            )
        if self.top_crisis is not None:
            rate = rate_text(self.top_crisis, self.step)
            out.append(f"Highest crisis risk, on average over the run: {rate}.")
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return {
            "lens": self.lens,
            "arms": [{"actor": a, "effort": e} for a, e in self.arms],
            "less_secure": [{"actor": a, "probability": p} for a, p in self.less_secure],
            "jervis_world": {"number": self.jervis_world, "description": self.jervis_description},
            "jervis_world_start": None
            if self.jervis_world_start is None
            else {"number": self.jervis_world_start, "description": self.jervis_description_start},
            "culture": self.culture,
            "measures": {
                "harm_to_others": self.harm,
                "self_defeat_all": self.self_defeat_all,
                "self_defeating_actors": list(self.self_defeating),
                "belief_entropy": self.belief_entropy,
                "misperception": self.misperception,
                "no_adequate_policy": self.no_adequate_policy,
                "no_adequate_policy_actors": list(self.no_adequate_actors),
            },
            "step": self.step,
            "crisis": [risk.to_json() for risk in self.crisis],
            "top_crisis": None if self.top_crisis is None else self.top_crisis.to_json(),
            "brier": self.brier,
            "brier_skill": self.brier_skill,
        }


def _change(x: float) -> str:
    if abs(x) < 5e-5:
        return "unchanged (within 0.0001)"
    return f"{abs(x):.4f} {'higher' if x > 0 else 'lower'}"


def key_dyads(case: Case, limit: int = 3) -> list[tuple[str, str]]:
    """The case's key dyads: most conflictual observables that happened (opposes,
    counter-deployments, crises, wars; a complete coding also codes the years they did not),
    ties broken towards dyads with a missile-defence host or operator, then by
    actor order. Falls back on the first pairs of actors when nothing is coded."""
    ids = case.actor_ids()
    order = {a: k for k, a in enumerate(ids)}
    counts: Counter[tuple[str, str]] = Counter()
    for o in case.observables:
        relevant = (
            o.occurred and o.kind in CONFLICT_KINDS and o.counterpart and o.counterpart != o.actor
        )
        if relevant and o.actor in order and o.counterpart in order:
            pair = sorted((o.actor, str(o.counterpart)), key=order.__getitem__)
            counts[(pair[0], pair[1])] += 1
    bmd = {s.actor for s in case.defence_sites} | {s.host for s in case.defence_sites if s.host}
    ranked = sorted(
        counts,
        key=lambda p: (-counts[p], -(p[0] in bmd or p[1] in bmd), order[p[0]], order[p[1]]),
    )
    out = ranked[:limit]
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            if len(out) >= limit:
                return out
            if (ids[i], ids[j]) not in out:
                out.append((ids[i], ids[j]))
    return out


def key_actors(case: Case, dyads: Sequence[tuple[str, str]], limit: int = 5) -> list[str]:
    """Actors of the key dyads, in order of appearance, topped up in file order."""
    out: list[str] = []
    for a, b in dyads:
        for x in (a, b):
            if x not in out:
                out.append(x)
    for a in case.actor_ids():
        if a not in out:
            out.append(a)
    return out[:limit]


def _final(result: Result, metric: str, actor: str) -> float | None:
    try:
        return result.value(metric, actor, step=-1)
    except KeyError:
        return None


def _risk(result: Result, a: str, b: str) -> DyadRisk:
    from ..engine.result import yearly_rate

    p = float(result.series("crisis_prob", a, b)["mean"].mean())
    return DyadRisk(a, b, p, yearly_rate(p, result.steps_per_year))


def findings(
    result: Result,
    dyads: Sequence[tuple[str, str]],
    backtest: Backtest | None = None,
    name: str | None = None,
) -> LensFindings:
    """The headline findings of one run (see the module docstring); ``name`` labels the run
    (default: its lens) and finds its backtest."""
    label = name or result.lens
    summary = result.summary()
    actors = result.actors
    effort = {a: result.value("effort", a, step=-1) for a in actors}
    arms = sorted(
        ((a, effort[a]) for a in actors if (_final(result, "armed", a) or 0.0) >= MAJORITY),
        key=lambda x: -x[1],
    )
    less = [(a, p) for a in actors if (p := _final(result, "less_secure", a) or 0.0) >= MAJORITY]
    harm_values = [_final(result, "harm_done", a) for a in actors]
    harm = (
        float(np.mean([h for h in harm_values if h is not None]))
        if result.restraint and all(h is not None for h in harm_values)
        else None
    )
    self_defeating = tuple(
        a for a in actors if (_final(result, "self_defeat", a) or 0.0) >= MAJORITY
    )
    nap = [_final(result, "no_adequate_policy", a) for a in actors]
    no_adequate = (
        float(np.mean([x for x in nap if x is not None]))
        if result.restraint and all(x is not None for x in nap)
        else None
    )
    nap_actors = tuple(
        a for a, x in zip(actors, nap, strict=True) if x is not None and x >= MAJORITY
    )
    crisis = tuple(_risk(result, a, b) for a, b in dyads if a in actors and b in actors)
    top: DyadRisk | None = None
    for i, a in enumerate(actors):
        for b in actors[i + 1 :]:
            risk = _risk(result, a, b)
            if top is None or risk.per_step > top.per_step:
                top = risk
    brier = skill = None
    if backtest is not None:
        try:
            lb = backtest.lens(label)
            brier, skill = lb.scores.brier, lb.scores.brier_skill
        except KeyError:
            pass
    world = summary["jervis_world"]
    first = summary.get("jervis_world_start") or world
    return LensFindings(
        lens=label,
        arms=tuple(arms),
        less_secure=tuple(less),
        jervis_world=int(world["number"]),
        jervis_description=str(world["description"]),
        culture=str(summary["culture"]),
        harm=harm,
        self_defeat_all=float(summary["self_defeat_all"]),
        self_defeating=self_defeating if result.restraint else (),
        belief_entropy=float(np.mean([result.value("belief_entropy", a) for a in actors])),
        misperception=float(np.mean([result.value("misperception", a) for a in actors])),
        no_adequate_policy=no_adequate,
        no_adequate_actors=nap_actors,
        crisis=crisis,
        top_crisis=top,
        brier=brier,
        brier_skill=skill,
        jervis_world_start=int(first["number"]),
        jervis_description_start=str(first["description"]),
        step=result.step,
    )


def findings_by_lens(
    results: Mapping[str, Result], dyads: Sequence[tuple[str, str]], backtest: Backtest | None
) -> list[LensFindings]:
    """:func:`findings` for every run, in the mapping's order."""
    return [findings(r, dyads, backtest, name) for name, r in results.items()]


LOW_SECURITY = 0.05
"""Starting security below which the headline explains why (it prints as 0.00-0.04)."""


@dataclass(frozen=True)
class LowStart:
    """Why an actor starts with security near 0 (docs/model.md, 4.1): security is 1 / (1 +
    the sum of threats over what the state has to lose, its own initial military size), so a
    small state within reach of great powers starts near 0 whatever its alignment.

    ``security`` is its starting security, lowest and highest over the runs; ``size`` its
    military expenditure over the mean of the case's actors (the model's weight w);
    ``threats`` its two largest perceived threats at the first step (in the first run where it
    starts low) and ``ratios`` each one's military expenditure over its own; ``allied`` says
    whether an alliance of the case covers it at the start."""

    actor: str
    security: tuple[float, float]
    size: float
    threats: tuple[str, ...]
    ratios: tuple[float, ...]
    allied: bool

    def sentence(self) -> str:
        """The reason in a line: ``ROU 0.005-0.020: 0.024 of the mean size; largest threats
        USA 333×, RUS 66× its spending; no ally at the start``."""
        low, high = self.security
        value = f"{low:.3f}" if f"{low:.3f}" == f"{high:.3f}" else f"{low:.3f}-{high:.3f}"
        who = ", ".join(f"{b} {r:.0f}×" for b, r in zip(self.threats, self.ratios, strict=True))
        ally = "" if self.allied else "; no ally at the start"
        return (
            f"{self.actor} {value}: {self.size:.3f} of the mean size; largest threats {who} "
            f"its spending{ally}"
        )


def low_start(
    results: Mapping[str, Result], case: Case, *, threshold: float = LOW_SECURITY
) -> list[LowStart]:
    """The actors that start with security below ``threshold`` in any of the runs, each with
    the reason (:class:`LowStart`); the runs must record the per-dyad ``threat``."""
    milex = {c.actor: c.milex.value for c in case.capabilities}
    runs = list(results.values())
    actors = runs[0].actors
    mean = float(np.mean([milex.get(a, 0.0) for a in actors])) or 1.0
    start = case.span.start
    out = []
    for a in actors:
        values = [r.value("security", a, step=0) for r in runs]
        low = [r for r, v in zip(runs, values, strict=True) if v < threshold]
        if not low:
            continue
        threat = {b: low[0].value("threat", a, b, step=0) for b in actors if b != a}
        top = tuple(sorted(threat, key=lambda b: -threat[b])[:2])
        own = milex.get(a, 0.0)
        ratios = tuple(milex.get(b, 0.0) / own if own > 0 else math.inf for b in top)
        allied = any(
            a in alliance.members
            and (alliance.start is None or alliance.start <= start)
            and (alliance.end is None or alliance.end >= start)
            for alliance in case.alliances
        )
        out.append(LowStart(a, (min(values), max(values)), own / mean, top, ratios, allied))
    return out


def low_start_text(starts: Sequence[LowStart]) -> str:
    """One paragraph on the actors that start near 0 (empty when none does)."""
    if not starts:
        return ""
    names = ", ".join(s.actor for s in starts)
    return (
        f"{names} start near 0 security: security is 1 / (1 + the threats a state perceives "
        "over what it has to lose, its own military size; docs/model.md 4.1), so a small "
        "state within reach of great powers starts near 0 whatever its alignment, even a "
        "prospective patron's: it could not withstand their attack on its own. It rises as "
        "allies commit capability to it. " + "; ".join(s.sentence() for s in starts) + "."
    )

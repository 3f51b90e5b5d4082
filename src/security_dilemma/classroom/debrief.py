"""The debrief of a played world: which lens the class played like, and where its world went.

:func:`debrief` replays a game from its table and log and gives, per seat and period, what
each built-in lens would have decided in the same situation (:func:`~.play.lens_moves`) and
how far the seat's move was from it (:func:`move_distance`); the lens the class's moves were
closest to, per seat and overall; and the security-dilemma measures of the class's world
(the engine's own: harm to others, self-defeat, uncertainty of intentions, no adequate
policy, docs/model.md 6) beside the same case run by each lens alone with ``replicates``
replicates (mean and 5-95% interval).

>>> from security_dilemma.classroom.play import Move, Table, Turn
>>> table = Table(case="bmd-europe", seats=("USA", "RUS"), seed=2)
>>> log = [Turn(moves={"RUS": Move(effort=0.3, cooperation={"USA": 0.0})}), Turn()]
>>> report = debrief(table, log, replicates=10)
>>> sorted(report.closest) == ["RUS", "USA"], report.overall.lens in LENSES
(True, True)
>>> sorted(report.to_frames())
['closest', 'decisions', 'measures', 'timeline']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..engine.measures import Context, Layout, record
from ..engine.run import simulate
from .play import (
    _SOURCE,
    LENSES,
    MAX_EFFORT_CHANGE,
    Game,
    Move,
    PeriodRecord,
    Table,
    Turn,
    _case,
    _period_events,
    _step,
    lens_moves,
    start,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DILEMMA_MEASURES",
    "TIE",
    "Closest",
    "Debrief",
    "Interval",
    "LensDecision",
    "Measure",
    "SeatPeriod",
    "debrief",
    "move_distance",
]

DILEMMA_MEASURES = (
    "harm_done",
    "self_defeat",
    "belief_entropy",
    "misperception",
    "no_adequate_policy",
    "security",
)
"""The measures a debrief compares (the four dilemma measures of docs/model.md 6, the third
as entropy and misperception, and security)."""

TIE = 1e-9
"""Mean distances closer than this are a tie, broken by the order of :data:`~.play.LENSES`."""


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LensDecision(_Record):
    """What one lens would have decided for a seat in a period, and the distance of the
    seat's move from it (:func:`move_distance`; None when the seat played nothing)."""

    move: Move
    distance: float | None


class SeatPeriod(_Record):
    """One seat in one period: its move (as submitted: what it left open its lens decided)
    and each lens's decision in the same situation; the closest lens (None when the seat
    played nothing)."""

    seat: str
    period: int
    move: Move
    lenses: dict[str, LensDecision]
    closest: str | None


class Closest(_Record):
    """The lens whose decisions were closest on average (mean distance per lens, over the
    periods in which the seat played something; None when it never did)."""

    lens: str | None
    distance: dict[str, float]


class Interval(_Record):
    """A lens's run of the case: the mean and 5-95% interval of a measure over replicates."""

    mean: float
    q05: float
    q95: float


class Measure(_Record):
    """One measure of one actor at the last period: the class's world beside each lens's
    run of the case (``table``: the table's own lenses for every actor, no one played)."""

    metric: str
    actor: str
    played: float
    runs: dict[str, Interval]


class Debrief(_Record):
    """A played world's debrief: the timeline, the seats' decisions beside the lenses', the
    closest lens per seat and overall, and the measures of the class's world (per period in
    ``series``: metric -> actor -> values) beside each lens's run."""

    table: Table
    actors: tuple[str, ...]
    replicates: int
    timeline: tuple[PeriodRecord, ...]
    decisions: tuple[SeatPeriod, ...]
    closest: dict[str, Closest]
    overall: Closest
    measures: tuple[Measure, ...]
    series: dict[str, dict[str, tuple[float, ...]]]

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """The debrief as tables (for CSV): ``timeline`` (period, actor), ``decisions`` (seat,
        period, lens), ``closest`` (seat or ``overall``, lens) and ``measures``."""
        import pandas as pd

        timeline = [
            {
                "period": r.period,
                "date": r.date,
                "actor": a,
                "effort": r.effort[i],
                "effort_next": r.effort_next[i],
                "share": r.share[i],
                "security": r.security[i],
                "events": "; ".join(r.events),
            }
            for r in self.timeline
            for i, a in enumerate(self.actors)
        ]
        decisions = [
            {
                "seat": d.seat,
                "period": d.period,
                "lens": lens,
                "distance": x.distance,
                "effort": x.move.effort,
                "allocation": x.move.allocation,
                "seat_effort": d.move.effort,
                "seat_allocation": d.move.allocation,
                "closest": d.closest == lens,
            }
            for d in self.decisions
            for lens, x in d.lenses.items()
        ]
        closest = [
            {"seat": seat, "lens": lens, "distance": x, "closest": lens == c.lens}
            for seat, c in [*self.closest.items(), ("overall", self.overall)]
            for lens, x in c.distance.items()
        ]
        measures = [
            {
                "metric": m.metric,
                "actor": m.actor,
                "world": world,
                "mean": v.mean,
                "q05": v.q05,
                "q95": v.q95,
            }
            for m in self.measures
            for world, v in [
                ("played", Interval(mean=m.played, q05=m.played, q95=m.played)),
                *m.runs.items(),
            ]
        ]
        return {
            "timeline": pd.DataFrame(timeline),
            "decisions": pd.DataFrame(decisions),
            "closest": pd.DataFrame(closest),
            "measures": pd.DataFrame(measures),
        }


def move_distance(move: Move, decided: Move) -> float | None:
    """How far a seat's ``move`` is from a lens's complete ``decided`` move, in [0, 1], over
    what the seat chose itself (what it left to its lens says nothing of how it plays): the
    mean of the parts it played, each in [0, 1]: the effort change's difference over twice
    :data:`~.play.MAX_EFFORT_CHANGE`, the target share's difference, and the mean difference
    of the cooperation and of the commitment it gave; None when it played nothing.

    >>> lens = Move(effort=0.1, allocation=0.5, cooperation={"A": 0.6, "B": 0.2})
    >>> move_distance(Move(effort=0.1, allocation=0.7, cooperation={"A": 1.0}), lens)
    0.2
    >>> move_distance(Move(), lens) is None
    True
    """
    parts: list[float] = []
    if move.effort is not None:
        parts.append(abs(move.effort - (decided.effort or 0.0)) / (2 * MAX_EFFORT_CHANGE))
    if move.allocation is not None:
        parts.append(abs(move.allocation - (decided.allocation or 0.0)))
    for mine, theirs in ((move.cooperation, decided.cooperation),
                         (move.commitment, decided.commitment)):  # fmt: skip
        if mine:
            parts.append(sum(abs(v - theirs.get(k, 0.0)) for k, v in mine.items()) / len(mine))
    return round(sum(parts) / len(parts), 12) if parts else None


def _closest(distances: Mapping[str, float | None]) -> Closest:
    """The lens of the smallest distance; ties (within :data:`TIE`) go to the earlier lens
    in :data:`~.play.LENSES` order; none when there is no distance (nothing was played)."""
    known = {k: v for k, v in distances.items() if v is not None}
    if not known:
        return Closest(lens=None, distance={})
    best = min(known.values())
    lens = next(k for k in known if known[k] - best <= TIE)
    return Closest(lens=lens, distance=known)


def _seat_period(game: Game, seat: str, move: Move) -> SeatPeriod:
    decided = lens_moves(game, seat)
    lenses = {
        lens: LensDecision(move=decided[lens], distance=move_distance(move, decided[lens]))
        for lens in LENSES
    }
    best = _closest({k: v.distance for k, v in lenses.items()})
    return SeatPeriod(seat=seat, period=game.period, move=move, lenses=lenses, closest=best.lens)


def debrief(table: Table, log: Sequence[Turn], *, replicates: int = 100) -> Debrief:
    """The debrief of the world ``log`` made from ``table`` (see the module's docstring):
    decisions compared in the situation each seat saw (before the period's injects), the
    lens runs of the case with the instructor's injects, ``replicates`` replicates each and
    the table's seed."""
    game = start(table)
    n = len(game.actors)
    layout = Layout.build(game.actors, restraint=True, metrics=DILEMMA_MEASURES)
    values: list[Any] = []
    decisions: list[SeatPeriod] = []
    security_start: Any = None
    for turn in log:
        decisions += [_seat_period(game, s, turn.moves.get(s, Move())) for s in table.seats]
        step = _step(game, turn.moves, turn.injects)
        actual = step.period.take(slice(0, 1))
        if security_start is None:
            security_start = actual.security.copy()
        setting = step.inputs.setting
        context = Context(
            period=actual,
            security_copies=step.period.security.reshape(n, n + 1, 1),
            security_start=security_start,
            motive=step.state.motive[:, :1],
            offence_dominance=setting.theta,
            distinguishability=setting.delta,
        )
        values.append(record(layout, context)[:, 0])
        game = step.game
    per_seat = {
        s: _closest(
            {
                lens: _mean(d.lenses[lens].distance for d in decisions if d.seat == s)
                for lens in LENSES
            }
        )
        for s in table.seats
    }
    overall = _closest(
        {lens: _mean(c.distance.get(lens) for c in per_seat.values()) for lens in LENSES}
    )
    series = {
        m: {
            a: tuple(float(v[layout.find(m, i)]) for v in values) for i, a in enumerate(game.actors)
        }
        for m in DILEMMA_MEASURES
    }
    return Debrief(
        table=table,
        actors=game.actors,
        replicates=replicates,
        timeline=game.history,
        decisions=tuple(decisions),
        closest=per_seat,
        overall=overall,
        measures=_measures(game, series, replicates) if log else (),
        series=series,
    )


def _mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None (None when there are none)."""
    xs = [x for x in values if x is not None]
    return float(np.mean(xs)) if xs else None


def _measures(
    game: Game, series: Mapping[str, Mapping[str, tuple[float, ...]]], replicates: int
) -> tuple[Measure, ...]:
    """The measures at the last period played, beside each lens's run of the case (with the
    instructor's injects, over as many periods)."""
    case = _case(game.table.case)
    injects = _period_events(game, game.period - 1, Turn(injects=game.log[-1].injects))
    if injects:
        case = case.model_copy(
            update={"events": [*case.events, *injects], "sources": [*case.sources, _SOURCE]}
        )
    runs: dict[str, Any] = {}
    assigned = dict(zip(game.actors, game.lenses, strict=True))
    worlds: list[tuple[str, str | dict[str, str]]] = [(x, x) for x in LENSES]
    for name, lens in [*worlds, ("table", assigned)]:
        if name == "table" and len(set(game.lenses)) == 1 and game.lenses[0] in runs:
            # the table's run is one lens's run
            runs[name] = runs[game.lenses[0]]
            continue
        runs[name] = simulate(
            case, lens=lens, replicates=replicates, seed=game.table.seed, metrics=DILEMMA_MEASURES
        )
    t = game.period - 1
    return tuple(
        Measure(
            metric=m,
            actor=a,
            played=series[m][a][-1],
            runs={
                name: Interval(
                    mean=r.value(m, a, step=t),
                    q05=r.value(m, a, step=t, stat="q05"),
                    q95=r.value(m, a, step=t, stat="q95"),
                )
                for name, r in runs.items()
            },
        )
        for m in DILEMMA_MEASURES
        for a in game.actors
    )

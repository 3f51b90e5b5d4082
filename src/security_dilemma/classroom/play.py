"""A played world: some actors' decisions come from players, the others' from their lenses.

A :class:`Table` fixes a world (the case, the played seats, the lens of the others, the seed);
:func:`start` gives its :class:`Game` at period 0, and :func:`play` steps it one period with the
seats' :class:`Move`\\ s and the instructor's :class:`Inject`\\ s. Everything is pure and
reproducible: the game is one replicate of the engine's run of the case (its restraint copies
included), whose random numbers of period t depend only on the seed and t
(:func:`~security_dilemma.engine.draws.step_uniforms`), so ``play`` twice from the same game
gives the same game bit for bit, :func:`replay` rebuilds a stored game from its log, and a
world in which no seat moves is the engine's own run of the case with the same seed.

A move enters the engine as an :class:`~security_dilemma.engine.step.Override` (the played
decisions, applied after the lenses'); a costly signal and an inject enter as case events of
the period (the case format's ``signal`` effect and the others), so they act by the same rules
as a case's own.

>>> game = start(Table(case="bmd-europe", seats=("USA", "RUS")))
>>> game.period, game.done
(0, False)
>>> move = Move(effort=0.05, cooperation={"USA": 0.2})
>>> after = play(game, {"RUS": move})
>>> after.period, after.history[0].moves["RUS"] == move
(1, True)
>>> Game.from_json(after.to_json()) == after
True
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..engine.draws import Draws, ReplicateStreams, split_draws, step_uniforms
from ..engine.events import apply_events
from ..engine.kernels import bent_allocation
from ..engine.run import restraint_copies
from ..engine.state import State
from ..engine.step import (
    Appraisal,
    Override,
    Period,
    Sight,
    StepInput,
    advance,
    assess,
    decide,
    judged,
    perceive,
)
from ..engine.step import update as update_state
from ..engine.world import World, compile_world, relens
from ..errors import BadInput, Problem, did_you_mean
from ..lenses import lens_names
from ..limits import check_seed
from ..scenario.reader import format_loc
from ..scenario.schema import Case, CostlySignal, Effect, Event, Source

__all__ = [
    "LENSES",
    "MAX_EFFORT_CHANGE",
    "ActorState",
    "Encoded",
    "Game",
    "Inject",
    "InstructorView",
    "Move",
    "Observed",
    "Own",
    "PeriodRecord",
    "SeatView",
    "SentSignal",
    "Signal",
    "Table",
    "Turn",
    "default_move",
    "lens_moves",
    "overview",
    "parse_inject",
    "parse_move",
    "parse_table",
    "play",
    "replay",
    "start",
    "validate_move",
    "view",
]

LENSES = ("realism", "liberalism", "constructivism", "pyramid")
"""The built-in lenses whose decisions :func:`lens_moves` gives (the reference model's four)."""

MAX_EFFORT_CHANGE = 1.0
"""The largest change of effort a seat may choose in one period, up or down, in units of its
effort at the start: the most a lens's reaction to threat can give with the default
coefficients (``k / saturation``)."""

SIGNAL_KINDS: dict[str, Literal["reassurance", "threat"]] = {
    "reassure": "reassurance",
    "threaten": "threat",
}
"""A played signal's kind and the case format's ``signal`` kind it is sent as."""

_SOURCE = Source(
    id="classroom",
    citation="Classroom session: a move played by a seat or an event injected by the instructor",
    kind="assumption",
)


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


_R = TypeVar("_R", bound=BaseModel)


class Signal(_Record):
    """A costly signal a seat sends this period: to whom, ``reassure`` or ``threaten``, and its
    cost in units of the sender's effort (sent as the case format's ``signal`` effect, forced:
    recipients update their beliefs by Kydd's rule, docs/model.md 4.5)."""

    to: str
    kind: Literal["reassure", "threaten"] = "reassure"
    cost: float = Field(0.0, ge=0, le=10)


class Move(_Record):
    """One seat's decisions for one period. A missing value (None, or an actor left out of
    ``cooperation`` or ``commitment``) is decided by the seat's own lens, as for an unseated
    actor: the empty move ``Move()`` lets the lens play the seat.

    * ``effort``: the change of military effort, in units of the effort at the start, within
      +-:data:`MAX_EFFORT_CHANGE` (effort never goes below 0);
    * ``allocation``: the target defence share in [0, 1] (the share moves toward it at the
      case's ``allocation_rate``, as toward a lens's target);
    * ``cooperation``: actor id -> cooperation (restraint) toward it, [0, 1];
    * ``commitment``: actor id -> the alliance commitment desired toward it, [0, 1] (the
      commitment moves toward it at ``commitment_rate``);
    * ``signals``: costly signals sent this period.
    """

    effort: float | None = None
    allocation: float | None = None
    cooperation: dict[str, float] = Field(default_factory=dict)
    commitment: dict[str, float] = Field(default_factory=dict)
    signals: tuple[Signal, ...] = ()


EventKind = Literal[
    "deployment", "test", "treaty", "summit", "agreement", "speech", "proposal", "war",
    "crisis", "sanction", "policy", "election", "other",
]  # fmt: skip


class Inject(_Record):
    """An instructor's event for the period being played: a title, its kind and its effects in
    the case format (``identity``, ``belief``, ``signal``, ``capability``, ``site``,
    ``missile``, ``membership``, ``alliance``, ``crisis``, ``parameter``), dated on the
    period's date and acting as a case's own event would."""

    title: str = Field(min_length=1, max_length=200)
    kind: EventKind = "other"
    effects: tuple[Effect, ...] = ()


class Table(_Record):
    """The fixed set-up of one played world: the case (a built-in case's id, or a case's YAML
    text), the played actors, the lens of the others (``case``: each actor's lens in the
    case) and the seed."""

    case: str = Field(min_length=1)
    seats: tuple[str, ...] = ()
    lens: str = "case"
    seed: int = 0


class Turn(_Record):
    """What was played in one period: the seats' moves and the instructor's injects."""

    moves: dict[str, Move] = Field(default_factory=dict)
    injects: tuple[Inject, ...] = ()


class Encoded(_Record):
    """An array stored exactly: dtype, shape and its bytes in base64 (little-endian)."""

    dtype: str
    shape: tuple[int, ...]
    data: str

    @classmethod
    def of(cls, a: npt.NDArray[Any]) -> Encoded:
        """The array ``a``, stored."""
        little = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
        raw = base64.b64encode(little.tobytes()).decode("ascii")
        return cls(dtype=a.dtype.name, shape=a.shape, data=raw)

    def array(self) -> npt.NDArray[Any]:
        """The stored array (a new, writeable one)."""
        raw = base64.b64decode(self.data)
        dtype = np.dtype(self.dtype).newbyteorder("<")
        return np.frombuffer(raw, dtype=dtype).reshape(self.shape).astype(self.dtype)


Matrix = tuple[tuple[float, ...], ...]


class SentSignal(_Record):
    """A costly signal sent in a period (by a seat or an event of the case)."""

    sender: str
    to: tuple[str, ...]
    kind: str
    cost: float


class PeriodRecord(_Record):
    """What happened in one period (the world as it happened, not the restraint copies).

    Per actor (in the game's actor order): ``effort`` at the start (after the period's events)
    and ``effort_next`` at its end, defence ``share`` at the end, ``security``; per ordered
    pair ``[i][j]``: ``threat`` (i's from j), ``cooperation`` (i's toward j), ``desire`` (i's
    desired commitment to j), ``commitment`` at the end, ``observed`` (j's offensive effort and
    dated moves as i saw them, with i's observation error: what i's belief update judged),
    ``crisis`` and ``war``; the forced signals sent (the seats' and the case's) and the titles
    of the period's events (the case's and the injects, not the seats' signals)."""

    period: int
    date: dt.date
    moves: dict[str, Move]
    events: tuple[str, ...]
    signals: tuple[SentSignal, ...]
    effort: tuple[float, ...]
    effort_next: tuple[float, ...]
    share: tuple[float, ...]
    security: tuple[float, ...]
    threat: Matrix
    cooperation: Matrix
    desire: Matrix
    commitment: Matrix
    observed: Matrix
    crisis: tuple[tuple[bool, ...], ...]
    war: tuple[tuple[bool, ...], ...]


class Game(_Record):
    """A played world after ``period`` periods: its table, the log of what was played, the
    engine's state (stored exactly) and the record of each period so far."""

    table: Table
    actors: tuple[str, ...]
    lenses: tuple[str, ...]
    dates: tuple[dt.date, ...]
    period: int = 0
    log: tuple[Turn, ...] = ()
    state: dict[str, Encoded]
    history: tuple[PeriodRecord, ...] = ()

    @property
    def done(self) -> bool:
        """True when every period of the case has been played."""
        return self.period >= len(self.dates)

    @property
    def date(self) -> dt.date | None:
        """The date of the period to play next (None when done)."""
        return None if self.done else self.dates[self.period]

    def to_json(self) -> str:
        """The game as JSON text (exact: :meth:`from_json` gives it back equal)."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Game:
        """A game from :meth:`to_json`'s text (:class:`BadInput` at ``game`` if not one)."""
        return _parsed(cls, text, "game", json=True)


def _parsed(cls: type[_R], data: Any, path: str, *, json: bool = False) -> _R:
    """``data`` (JSON text when ``json``) as a ``cls`` record, or :class:`BadInput` with each
    problem at its path below ``path``."""
    try:
        return cls.model_validate_json(data) if json else cls.model_validate(data)
    except ValidationError as exc:
        problems = []
        for e in exc.errors(include_url=False):
            where = format_loc((path, *e["loc"]))
            value = e.get("input")
            got = f" (got {value!r:.40})" if isinstance(value, str | int | float) else ""
            problems.append(Problem(f"{e['msg']}{got}", path=where))
        raise BadInput(problems) from None


def parse_table(data: Any, path: str = "table") -> Table:
    """A :class:`Table` from plain data: :class:`BadInput` at ``table.seats`` and the like
    (the case, seats and lens are checked against each other by :func:`start`)."""
    return _parsed(Table, data, path)


def parse_move(data: Any, path: str = "move") -> Move:
    """A :class:`Move` from plain data (a form, JSON): :class:`BadInput` at ``move.effort``
    and the like when a field is unknown or of the wrong type (the bounds that depend on the
    game are :func:`validate_move`'s)."""
    return _parsed(Move, data, path)


def parse_inject(data: Any, path: str = "inject") -> Inject:
    """An :class:`Inject` from plain data, its effects in the case format: :class:`BadInput`
    at ``inject.effects[0].delta`` and the like (references to the case are checked when it
    is played)."""
    return _parsed(Inject, data, path)


class Observed(_Record):
    """What a seat saw of another actor last period: its offensive effort and dated moves with
    the seat's observation error, its cooperation toward the seat and the commitment it gives
    the seat, the costly signals it sent the seat, and whether they had a crisis or a war."""

    offensive_effort: float
    cooperation: float
    commitment: float
    signals: tuple[SentSignal, ...]
    crisis: bool
    war: bool


class Own(_Record):
    """One actor's own state now: effort, defence share, stocks, security, and its rows (toward
    each other actor) of threat, belief that it is greedy, identity and commitment given."""

    effort: float
    share: float
    offence: float
    defence: float
    security: float
    threat: dict[str, float]
    belief: dict[str, float]
    identity: dict[str, float]
    commitment: dict[str, float]


class SeatView(Own):
    """What one seat may see now: its own state and judgements (threat and security as a
    lens-free observer judges them), the events of the period to play (``events``) and of
    the last (``happened``), and what it observed of each other actor last period (empty at
    the start)."""

    actor: str
    period: int
    date: dt.date | None
    done: bool
    events: tuple[str, ...]
    happened: tuple[str, ...]
    last: dict[str, Observed]


class ActorState(Own):
    """One actor's true state (the instructor's view): its lens, seat and type, its own state
    (threat and security as the engine assesses them) and its cooperation toward each."""

    lens: str
    seated: bool
    greedy: bool
    cooperation: dict[str, float]


class InstructorView(_Record):
    """Every actor's true state now, and the periods so far."""

    period: int
    date: dt.date | None
    done: bool
    events: tuple[str, ...]
    actors: dict[str, ActorState]
    history: tuple[PeriodRecord, ...]


# --- the world behind a table ------------------------------------------------------------------


@lru_cache(maxsize=8)
def _case(text: str) -> Case:
    from ..scenario import load_case, parse_case_text

    if "\n" in text or ":" in text:
        return parse_case_text(text, "<case>")
    return load_case(text)


def _lens_argument(case: Case, table: Table) -> dict[str, str] | None:
    if table.lens == "case":
        return None
    return {a: table.lens for a in case.actor_ids() if a not in table.seats}


def _world(table: Table, events: Sequence[Event], mine: tuple[str, str] | None) -> World:
    """The table's world with extra events (injects and played signals); ``mine`` gives one
    actor another lens (what :func:`lens_moves` asks)."""
    return _compiled(table, tuple(e.model_dump_json() for e in events), mine)


@lru_cache(maxsize=64)
def _compiled(table: Table, events: tuple[str, ...], mine: tuple[str, str] | None) -> World:
    if mine is not None:
        world = _compiled(table, events, None)
        return relens(
            world, {**dict(zip(world.actors, world.lenses, strict=True)), mine[0]: mine[1]}
        )
    case = _case(table.case)
    if events:
        extra = [Event.model_validate_json(e) for e in events]
        case = case.model_copy(
            update={"events": [*case.events, *extra], "sources": [*case.sources, _SOURCE]}
        )
    return compile_world(case, _lens_argument(case, table))


def _check_table(table: Table) -> Case:
    problems: list[Problem] = []
    case = _case(table.case)
    ids = case.actor_ids()
    for k, seat in enumerate(table.seats):
        if seat not in ids:
            problems.append(
                Problem(f"unknown actor '{seat}'{did_you_mean(seat, ids)}", path=f"seats[{k}]")
            )
    if len(set(table.seats)) != len(table.seats):
        problems.append(Problem("an actor is seated twice", path="seats"))
    if table.lens != "case" and table.lens not in lens_names():
        hint = did_you_mean(table.lens, lens_names())
        problems.append(
            Problem(
                f"unknown lens '{table.lens}'{hint}; lenses: case, {', '.join(lens_names())}",
                path="lens",
            )
        )
    if problems:
        raise BadInput(problems)
    check_seed(table.seed, "seed")
    return case


# --- moves -------------------------------------------------------------------------------------


def _bounded(value: float, lo: float, hi: float, path: str, what: str) -> Problem | None:
    if not math.isfinite(value) or not lo <= value <= hi:
        return Problem(f"{what} must be within [{lo:g}, {hi:g}] (got {value!r})", path=path)
    return None


def validate_move(game: Game, actor: str, move: Move) -> Move:
    """``move`` if ``actor`` is a seat and every value is within its bounds, else
    :class:`BadInput` with every problem, each at its path (``move.cooperation.RUS``)."""
    if actor not in game.table.seats:
        seats = ", ".join(game.table.seats) or "none"
        raise BadInput(
            Problem(f"'{actor}' is not a seat of this game (seats: {seats})", path="actor")
        )
    others = [a for a in game.actors if a != actor]
    problems: list[Problem | None] = []
    if move.effort is not None:
        m = MAX_EFFORT_CHANGE
        problems.append(_bounded(move.effort, -m, m, "move.effort", "the change of effort"))
    if move.allocation is not None:
        problems.append(_bounded(move.allocation, 0.0, 1.0, "move.allocation", "the defence share"))
    for name, values in (("cooperation", move.cooperation), ("commitment", move.commitment)):
        for other, value in values.items():
            path = f"move.{name}.{other}"
            if other not in others:
                problems.append(_unknown(other, actor, others, path))
                continue
            problems.append(_bounded(value, 0.0, 1.0, path, name))
    for k, signal in enumerate(move.signals):
        if signal.to not in others:
            problems.append(_unknown(signal.to, actor, others, f"move.signals[{k}].to"))
    found = [p for p in problems if p is not None]
    if found:
        raise BadInput(found)
    return move


def _unknown(other: str, actor: str, others: Sequence[str], path: str) -> Problem:
    if other == actor:
        return Problem("a seat's move is toward the other actors, not itself", path=path)
    return Problem(f"unknown actor '{other}'{did_you_mean(other, others)}", path=path)


def default_move(game: Game, actor: str) -> Move:
    """The move that applies when a seat submits nothing: the empty move, which lets the seat's
    own lens decide everything (:func:`lens_moves` says what that lens would decide)."""
    validate_move(game, actor, Move())
    return Move()


# --- stepping ----------------------------------------------------------------------------------


def start(table: Table) -> Game:
    """The game of ``table`` at period 0 (:class:`BadInput` for an unknown case, seat or
    lens, or a bad seed)."""
    _check_table(table)
    world = _world(table, (), None)
    motives = ReplicateStreams(table.seed, 0, 1).motives(world.n)
    state = restraint_copies(world.initial_state(motives))
    return Game(
        table=table,
        actors=world.actors,
        lenses=world.lenses,
        dates=world.dates,
        state=_encode(state),
    )


def _encode(state: State) -> dict[str, Encoded]:
    return {name: Encoded.of(a) for name, a in zip(State._fields, state, strict=True)}


def _decode(game: Game) -> State:
    return State(*(game.state[name].array() for name in State._fields))


def _period_events(game: Game, t: int, turn: Turn) -> tuple[Event, ...]:
    """Case events for the injects of periods up to ``t`` and the signals played in ``t``."""
    out: list[Event] = []
    for p, past in enumerate((*game.log[:t], turn)):
        date = game.dates[p]
        for k, inject in enumerate(past.injects):
            out.append(
                Event(
                    id=f"classroom-inject-{p}-{k}",
                    date=date,
                    title=inject.title,
                    kind=inject.kind,
                    effects=list(inject.effects),
                    source="classroom",
                )
            )
    for actor in sorted(turn.moves):
        for k, s in enumerate(turn.moves[actor].signals):
            effect = CostlySignal(
                type="signal",
                actor=actor,
                to=[s.to],
                cost=s.cost,
                kind=SIGNAL_KINDS[s.kind],
                forced=True,
            )
            out.append(
                Event(
                    id=f"classroom-signal-{t}-{actor}-{k}",
                    date=game.dates[t],
                    title=f"{actor} signals to {s.to}: {s.kind}",
                    kind="policy",
                    actors=[actor],
                    effects=[effect],
                    source="classroom",
                )
            )
    return tuple(out)


def _check_injects(game: Game, injects: Sequence[Inject]) -> None:
    """Every inject's references (actors, alliances, sites...) against the case."""
    from ..scenario.reader import Located
    from ..scenario.references import check_references

    if not injects:
        return
    case = _case(game.table.case)
    data = case.model_dump(mode="json", by_alias=True, exclude_none=True)
    first = len(data.get("events", []))
    extra = [
        Event(
            id=f"classroom-inject-{k}",
            date=game.dates[min(game.period, len(game.dates) - 1)],
            title=inject.title,
            kind=inject.kind,
            effects=list(inject.effects),
            source="classroom",
        ).model_dump(mode="json", by_alias=True, exclude_none=True)
        for k, inject in enumerate(injects)
    ]
    data["events"] = [*data.get("events", []), *extra]
    data["sources"] = [*data.get("sources", []), _SOURCE.model_dump(mode="json", exclude_none=True)]
    problems = []
    for loc, message, _ in check_references(Located(data, "<injects>")):
        if len(loc) >= 2 and loc[0] == "events" and isinstance(loc[1], int) and loc[1] >= first:
            rest = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[2:])
            problems.append(Problem(message, path=f"injects[{loc[1] - first}]{rest}"))
    if problems:
        raise BadInput(problems)


def _override(game: Game, moves: Mapping[str, Move], batch: int, dtype: Any) -> Override:
    n = len(game.actors)
    out = Override.none(n, batch, dtype)
    index = {a: i for i, a in enumerate(game.actors)}
    for actor, move in moves.items():
        i = index[actor]
        if move.effort is not None:
            out.effort[i] = move.effort
        if move.allocation is not None:
            out.share[i] = move.allocation
        for other, value in move.cooperation.items():
            out.cooperation[i, index[other]] = value
        for other, value in move.commitment.items():
            out.desire[i, index[other]] = value
    return out


@dataclasses.dataclass(frozen=True)
class _Step:
    """One period as :func:`play` computed it (what the debrief measures)."""

    game: Game
    inputs: StepInput
    state: State
    period: Period


def _step(game: Game, moves: Mapping[str, Move], injects: Sequence[Inject]) -> _Step:
    if game.done:
        raise BadInput(Problem("the game is over: every period has been played", path="game"))
    moves = dict(moves)
    for actor in moves:
        validate_move(game, actor, moves[actor])
    _check_injects(game, injects)
    t = game.period
    turn = Turn(moves=moves, injects=tuple(injects))
    world = _world(game.table, _period_events(game, t, turn), None)
    inputs = world.inputs[t]
    state = _decode(game)
    draws = split_draws(step_uniforms(game.table.seed, 0, world.n, t), world.n, world.dtype)
    override = _override(game, moves, state.batch, world.dtype)
    nxt, period = advance(inputs, state, draws, override)
    record = _record(game, turn, inputs, period=period, nxt=nxt, draws=draws)
    after = game.model_copy(
        update={
            "period": t + 1,
            "log": (*game.log, turn),
            "state": _encode(nxt),
            "history": (*game.history, record),
        }
    )
    return _Step(after, inputs, state, period)


def play(game: Game, moves: Mapping[str, Move], injects: Sequence[Inject] = ()) -> Game:
    """The game after one more period, with the seats' ``moves`` (a seat left out plays
    :func:`default_move`) and the instructor's ``injects``; pure: the same inputs give the
    same game bit for bit. :class:`BadInput` for a move out of bounds, a move of an actor that
    is not a seat, an inject naming what the case does not hold, or a game that is over."""
    return _step(game, moves, injects).game


def replay(table: Table, log: Sequence[Turn]) -> Game:
    """The game that ``log`` (the turns played, in order) makes from ``table``'s start: equal,
    bit for bit, to the game stored when it was played."""
    game = start(table)
    for turn in log:
        game = play(game, turn.moves, turn.injects)
    return game


def _rows(a: npt.NDArray[Any]) -> Matrix:
    return tuple(tuple(float(x) for x in row) for row in a)


def _flags(a: npt.NDArray[Any]) -> tuple[tuple[bool, ...], ...]:
    return tuple(tuple(bool(x) for x in row) for row in a)


def _record(
    game: Game, turn: Turn, inputs: StepInput, *, period: Period, nxt: State, draws: Draws
) -> PeriodRecord:
    t = game.period
    p = period.take(slice(0, 1))
    setting = inputs.setting
    ids = game.actors
    share = nxt.share[:, 0]
    # what each observer's belief update judged (the update kernel's observation, docs/model.md
    # 4.5): j's offensive effort read through distinguishability, its dated moves, i's error
    seen = nxt.effort[:, 0] * (1.0 - setting.delta * share) + p.moved[:, 0]
    observed = seen[None, :] + setting.observation_sd * draws.observation[:, :, 0]
    signals = tuple(
        SentSignal(sender=ids[s.sender], to=tuple(ids[j] for j in s.to), kind=s.kind, cost=s.cost)
        for s in inputs.events.signals
        if s.forced
    )
    # the played signals' events come last (_period_events); they are private to their
    # recipients and recorded in ``signals``, so the public titles leave them out
    played = sum(len(m.signals) for m in turn.moves.values())
    titles = inputs.events.titles
    return PeriodRecord(
        period=t,
        date=game.dates[t],
        moves=turn.moves,
        events=titles[: len(titles) - played],
        signals=signals,
        effort=_floats(p.effort[:, 0]),
        effort_next=_floats(nxt.effort[:, 0]),
        share=_floats(share),
        security=_floats(p.security[:, 0]),
        threat=_rows(p.threat[:, :, 0]),
        cooperation=_rows(p.cooperation[:, :, 0]),
        desire=_rows(p.desire[:, :, 0]),
        commitment=_rows(nxt.commitment[:, :, 0]),
        observed=_rows(observed),
        crisis=_flags(p.crisis[:, :, 0]),
        war=_flags(p.war[:, :, 0]),
    )


def _floats(a: npt.NDArray[Any]) -> tuple[float, ...]:
    return tuple(float(x) for x in a)


# --- what a seat sees, what the instructor sees, what each lens would decide -------------------


@dataclasses.dataclass(frozen=True)
class _Situation:
    """The world as it stands for the period to play (the first copy): the state after the
    period's scheduled events (the last period's end state when the game is over) and what
    the actors perceive and assess in it."""

    world: World
    inputs: StepInput
    state: State
    sight: Sight
    draws: Draws


def _first(state: State) -> State:
    return State(*(np.ascontiguousarray(a[..., :1]) for a in state))


def _past_injects(game: Game) -> tuple[Event, ...]:
    if game.done:
        return _period_events(game, game.period - 1, game.log[-1]) if game.log else ()
    return _period_events(game, game.period, Turn())


def _situation(
    game: Game, mine: tuple[str, str] | None = None, state: State | None = None
) -> _Situation:
    world = _world(game.table, _past_injects(game), mine)
    t = min(game.period, world.steps - 1)
    inputs = world.inputs[t]
    draws = split_draws(step_uniforms(game.table.seed, 0, world.n, t), world.n, world.dtype)
    state = _first(_decode(game)) if state is None else state
    if not game.done:
        state = apply_events(inputs.events, inputs.setting, state, draws)
    sight = perceive(inputs.params, inputs.setting, state)
    assess(inputs.params, inputs.setting, state, sight)
    return _Situation(world, inputs, state, sight, draws)


def _row(values: npt.NDArray[Any], ids: Sequence[str], i: int) -> dict[str, float]:
    return {a: float(values[j]) for j, a in enumerate(ids) if j != i}


def _index(game: Game, actor: str, path: str = "actor") -> int:
    if actor not in game.actors:
        hint = did_you_mean(actor, game.actors)
        raise BadInput(Problem(f"unknown actor '{actor}'{hint}", path=path))
    return game.actors.index(actor)


def view(game: Game, actor: str) -> SeatView:
    """What the seat of ``actor`` may see now: its own state, its threats and security as a
    lens-free observer judges them (the damage each other state could do, weighted by the
    seat's belief that it is greedy: :func:`~security_dilemma.engine.step.judged`), its
    beliefs, identities and commitments, the period's events, and what it observed of the
    others last period (their offensive effort with its observation error, their cooperation
    and commitment toward it, their signals to it, crises with it); nothing of another
    actor's private state (type, beliefs, identities, decisions toward third parties)."""
    i = _index(game, actor)
    now = _situation(game)
    s, ids = now.state, game.actors
    seen = judged(now.inputs.setting, s, now.sight, s.belief)
    last: dict[str, Observed] = {}
    if game.history:
        rec = game.history[-1]
        for j, other in enumerate(ids):
            if j == i:
                continue
            last[other] = Observed(
                offensive_effort=rec.observed[i][j],
                cooperation=rec.cooperation[j][i],
                commitment=rec.commitment[j][i],
                signals=tuple(x for x in rec.signals if x.sender == other and actor in x.to),
                crisis=rec.crisis[i][j],
                war=rec.war[i][j],
            )
    return SeatView(
        actor=actor,
        period=game.period,
        date=game.date,
        done=game.done,
        events=() if game.done else now.inputs.events.titles,
        happened=game.history[-1].events if game.history else (),
        last=last,
        **_own(s, seen, ids, i),
    )


def _own(s: State, seen: Appraisal, ids: Sequence[str], i: int) -> dict[str, Any]:
    """The fields of :class:`Own` for actor ``i`` (first copy)."""
    return {
        "effort": float(s.effort[i, 0]),
        "share": float(s.share[i, 0]),
        "offence": float(s.offence[i, 0]),
        "defence": float(s.defence[i, 0]),
        "security": float(seen.security[i, 0]),
        "threat": _row(seen.threat[i, :, 0], ids, i),
        "belief": _row(s.belief[i, :, 0], ids, i),
        "identity": _row(s.identity[i, :, 0], ids, i),
        "commitment": _row(s.commitment[i, :, 0], ids, i),
    }


def overview(game: Game) -> InstructorView:
    """Every actor's true state now (types included) and the record of the periods so far."""
    now = _situation(game)
    s, seen, ids = now.state, now.sight.appraisal, game.actors
    actors = {
        a: ActorState(
            lens=game.lenses[i],
            seated=a in game.table.seats,
            greedy=bool(s.motive[i, 0] > 0.5),
            cooperation=_row(s.cooperation[i, :, 0], ids, i),
            **_own(s, seen, ids, i),
        )
        for i, a in enumerate(ids)
    }
    return InstructorView(
        period=game.period,
        date=game.date,
        done=game.done,
        events=() if game.done else now.inputs.events.titles,
        actors=actors,
        history=game.history,
    )


def lens_moves(game: Game, actor: str) -> dict[str, Move]:
    """What each built-in lens (:data:`LENSES`, and the actor's own lens) would decide for
    ``actor`` in the period to play, in the same situation (the state after the period's
    scheduled events), as moves: the effort change without the period's random shock, the
    target defence share (anchored at the start as the lens would anchor it, bent for a
    greedy type), cooperation (bent for a greedy type) and desired commitments. For an
    unseated actor its own lens's move is what the engine does in the period (but for the
    shock)."""
    i = _index(game, actor)
    if game.done:
        raise BadInput(Problem("the game is over: no period is left to decide", path="game"))
    own = game.lenses[i]
    motives = ReplicateStreams(game.table.seed, 0, 1).motives(len(game.actors))
    state = _first(_decode(game))
    out: dict[str, Move] = {}
    for lens in (*LENSES, *(() if own in LENSES else (own,))):
        world = _world(game.table, _past_injects(game), (actor, lens))
        anchors = world.initial_state(motives)  # the lens's own anchors at the start
        mine = state.replace(pressure0=anchors.pressure0, share_offset=anchors.share_offset)
        now = _situation(game, (actor, lens), mine)
        s, setting = now.state, now.inputs.setting
        decided = decide(now.inputs.params, setting, s, now.sight)
        calm = now.draws._replace(effort=np.zeros_like(now.draws.effort))
        occurred = now.inputs.events.occurred
        nxt, _ = update_state(setting, occurred, s, now.sight.appraisal, decided, calm)
        share = decided.allocation[i, 0] + s.share_offset[i, 0]
        target = bent_allocation(share, setting.greedy_offence, s.motive[i, 0])
        out[lens] = Move(
            effort=float(nxt.effort[i, 0]) - float(s.effort[i, 0]),
            allocation=float(target),
            cooperation=_row(decided.cooperation[i, :, 0], game.actors, i),
            commitment=_row(decided.desire[i, :, 0], game.actors, i),
        )
    return out

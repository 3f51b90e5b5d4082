"""Classroom sessions in the database: create, join, play a turn, run it as the instructor.

:class:`Classroom` is the one implementation the web pages, the JSON API and the CLI use. All
state lives in the database (no per-process state that matters), so several app workers can
serve one class: advancing a turn is one transaction that locks its world's row and inserts
the next period's state under a unique ``(world, period)`` key, so two workers or a restart
cannot advance it twice. The game itself is :mod:`.play`'s (pure); this module stores its
moves, messages, proposals and injects and feeds them to :func:`.play.play`.

Capabilities: the instructor's link and each student's link carry an unguessable token
(:func:`secrets.token_urlsafe`); a student's token names one seat of one world and nothing
else, and every move, message and decision is written to the audit log with its time and seat.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection, Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import BadInput, Problem, did_you_mean
from . import play as game_rules
from . import schema as s

if TYPE_CHECKING:
    from ..scenario import Case

__all__ = [
    "MESSAGES_PER_MINUTE",
    "PROPOSAL_KINDS",
    "Classroom",
    "Created",
    "Refused",
    "SeatAccess",
    "SessionSettings",
    "agreement_moves",
]

PROPOSAL_KINDS = ("treaty", "alliance", "arms_control")
"""What a seat may propose to another; :func:`agreement_moves` says what each does."""
MESSAGES_PER_MINUTE = 10
"""A seat's messages and proposals per minute (more: 429)."""
MAX_TEXT = 500
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone


class Refused(Exception):
    """A request the classroom refuses with an HTTP status (404 unknown link, 409 turn closed,
    429 too many messages, 403 not yours)."""

    def __init__(self, status: int, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.problem = Problem(message, path=path)


class SessionSettings(BaseModel):
    """What ``dilemma classroom create`` and the instructor's form ask for."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: str = Field(
        min_length=1,
        max_length=64,
        description="Case id: a built-in case, or (in the web app) an uploaded case (u-...).",
    )
    seats: tuple[str, ...] = Field(min_length=1, max_length=16, description="Played actor ids.")
    groups: int = Field(1, ge=1, le=20, description="Parallel worlds (groups) of the class.")
    turn_minutes: float = Field(10.0, gt=0, le=24 * 60, description="Minutes per turn.")
    turns: int = Field(8, ge=1, le=100, description="Periods to play.")
    lens: str = Field("case", max_length=32, description="Lens of the unseated actors.")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="Random seed of every world.")
    title: str = Field("", max_length=120, description="Shown on the pages.")


@dataclass(frozen=True, slots=True)
class Created:
    """A new session: its id, the students' join code and the instructor's token."""

    session_id: str
    code: str
    instructor_token: str


@dataclass(frozen=True, slots=True)
class SeatAccess:
    """What a student's token opens: one seat of one world."""

    member_id: int
    name: str
    token: str
    seat_id: int
    actor: str
    world_id: int
    group_no: int
    session_id: str


def agreement_moves(
    moves: Mapping[str, game_rules.Move], accepted: Sequence[tuple[str, str, str]]
) -> dict[str, game_rules.Move]:
    """The moves with each accepted proposal ``(kind, a, b)`` written into both seats' moves.

    A *treaty* sets each side's cooperation toward the other to at least 0.8; an *alliance*
    sets each side's commitment to the other to 1; an *arms-control* agreement caps each
    side's effort change at 0 and sets cooperation toward the other to at least 0.6.
    """
    out = dict(moves)
    for kind, a, b in accepted:
        for me, other in ((a, b), (b, a)):
            if me not in out:
                continue
            move = out[me]
            cooperation = dict(move.cooperation)
            commitment = dict(move.commitment)
            effort = move.effort
            if kind == "treaty":
                cooperation[other] = max(cooperation.get(other, 0.0), 0.8)
            elif kind == "alliance":
                commitment[other] = 1.0
            else:
                effort = min(effort if effort is not None else 0.0, 0.0)
                cooperation[other] = max(cooperation.get(other, 0.0), 0.6)
            out[me] = move.model_copy(
                update={"cooperation": cooperation, "commitment": commitment, "effort": effort}
            )
    return out


class Classroom:
    """The classroom's operations on one database (``clock``: seconds since the epoch)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock

    # --- sessions -------------------------------------------------------------------------

    def create(self, settings: SessionSettings, case_yaml: str | None = None) -> Created:
        """A new session with one world per group, each at period 0, the clock running.

        ``case_yaml``: the YAML text of a case that is not built in (an uploaded case, a
        file), validated with its problems located in ``settings.case`` (its id or file name).
        """
        case = self._case(settings, case_yaml)
        table = self._table(settings, case_yaml, case)
        game = game_rules.start(table)
        state = game.to_json()
        now = self.clock()
        created = Created(secrets.token_hex(6), self._code(), secrets.token_urlsafe(24))
        title = settings.title or f"{case.id}: {', '.join(table.seats)}"
        with self.engine.begin() as con:
            con.execute(
                insert(s.sessions).values(
                    id=created.session_id,
                    code=created.code,
                    instructor_token=created.instructor_token,
                    title=title,
                    table_json=table.model_dump_json(),
                    turn_seconds=round(settings.turn_minutes * 60),
                    turns=settings.turns,
                    created_at=now,
                )
            )
            for group in range(1, settings.groups + 1):
                world_id = _new_id(
                    con.execute(
                        insert(s.worlds).values(
                            session_id=created.session_id,
                            group_no=group,
                            period=game.period,
                            deadline=now + settings.turn_minutes * 60,
                            paused_left=None,
                            done=False,
                        )
                    )
                )
                con.execute(insert(s.states).values(world_id=world_id, period=0, game_json=state))
                for actor in table.seats:
                    con.execute(insert(s.seats).values(world_id=world_id, actor=actor))
            self._audit(con, created.session_id, "create", {"settings": settings.model_dump()})
        return created

    @staticmethod
    def _case(settings: SessionSettings, case_yaml: str | None) -> Case:
        """The session's case: ``case_yaml`` parsed (problems located in ``settings.case``),
        or the built-in case ``settings.case``."""
        from ..scenario import load_case, parse_case_text
        from ..scenario.library import builtin_case_names

        if case_yaml is not None:
            return parse_case_text(case_yaml, settings.case)
        cases = builtin_case_names()
        if settings.case not in cases:
            raise BadInput(
                Problem(
                    f"no built-in case '{settings.case}'{did_you_mean(settings.case, cases)}",
                    path="case",
                )
            )
        return load_case(settings.case)

    def _table(
        self, settings: SessionSettings, case_yaml: str | None, case: Case
    ) -> game_rules.Table:
        from ..lenses import lens_names

        actors = case.actor_ids()
        problems = [
            Problem(
                f"'{a}' is not an actor of {case.id}{did_you_mean(a, actors)}",
                path=f"seats[{i}]",
            )
            for i, a in enumerate(settings.seats)
            if a not in actors
        ]
        if len(set(settings.seats)) != len(settings.seats):
            problems.append(Problem("a seat is listed twice", path="seats"))
        if settings.lens != "case" and settings.lens not in lens_names():
            problems.append(
                Problem(
                    f"no lens '{settings.lens}'{did_you_mean(settings.lens, lens_names())}",
                    path="lens",
                )
            )
        if problems:
            raise BadInput(problems)
        return game_rules.Table(
            case=case_yaml if case_yaml is not None else settings.case,
            seats=settings.seats,
            lens=settings.lens,
            seed=settings.seed,
        )

    def _code(self) -> str:
        return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(6))

    def session(self, instructor_token: str) -> dict[str, Any]:
        """The session an instructor's token opens (its row), or :class:`Refused` 404."""
        with self.engine.connect() as con:
            row = (
                con.execute(
                    select(s.sessions).where(s.sessions.c.instructor_token == instructor_token)
                )
                .mappings()
                .first()
            )
        if row is None:
            raise Refused(404, "no session has this instructor link", "token")
        return dict(row)

    def table(self, session: Mapping[str, Any]) -> game_rules.Table:
        """The session's game set-up."""
        return game_rules.Table.model_validate_json(session["table_json"])

    # --- students -------------------------------------------------------------------------

    def join(
        self, code: str, name: str, actor: str | None = None, group: int | None = None
    ) -> SeatAccess:
        """A student joins with the code: the chosen seat, or the emptiest one; a new token."""
        name = name.strip()
        if not name or len(name) > 80:
            raise BadInput(Problem("give a name of 1 to 80 characters", path="name"))
        with self.engine.begin() as con:
            session = con.execute(
                select(s.sessions.c.id).where(s.sessions.c.code == code.strip().upper())
            ).first()
            if session is None:
                raise Refused(404, "no session has this join code", "code")
            rows = con.execute(
                select(
                    s.seats.c.id,
                    s.seats.c.actor,
                    s.worlds.c.id.label("world_id"),
                    s.worlds.c.group_no,
                    func.count(s.members.c.id).label("n"),
                )
                .join(s.worlds, s.seats.c.world_id == s.worlds.c.id)
                .outerjoin(s.members, s.members.c.seat_id == s.seats.c.id)
                .where(s.worlds.c.session_id == session.id)
                .group_by(s.seats.c.id, s.seats.c.actor, s.worlds.c.id, s.worlds.c.group_no)
                .order_by(s.worlds.c.group_no, s.seats.c.id)
            ).all()
            chosen = [
                r
                for r in rows
                if (actor is None or r.actor == actor) and (group is None or r.group_no == group)
            ]
            if not chosen:
                seats = sorted({r.actor for r in rows})
                groups = sorted({r.group_no for r in rows})
                raise BadInput(
                    Problem(f"choose one of the seats {', '.join(seats)}", path="seat")
                    if actor not in seats
                    else Problem(f"choose a group among {groups}", path="group")
                )
            seat = min(chosen, key=lambda r: (r.n, r.group_no, r.id))
            token = secrets.token_urlsafe(24)
            member_id = _new_id(
                con.execute(
                    insert(s.members).values(
                        seat_id=seat.id, name=name, token=token, joined_at=self.clock()
                    )
                )
            )
            self._audit(
                con,
                session.id,
                "join",
                {"name": name},
                world_id=seat.world_id,
                actor=seat.actor,
                member_id=member_id,
            )
        return SeatAccess(
            member_id, name, token, seat.id, seat.actor, seat.world_id, seat.group_no, session.id
        )

    def seat(self, token: str) -> SeatAccess:
        """What a student's token opens, or :class:`Refused` 404."""
        with self.engine.connect() as con:
            row = con.execute(
                select(
                    s.members.c.id,
                    s.members.c.name,
                    s.seats.c.id.label("seat_id"),
                    s.seats.c.actor,
                    s.worlds.c.id.label("world_id"),
                    s.worlds.c.group_no,
                    s.worlds.c.session_id,
                )
                .join(s.seats, s.members.c.seat_id == s.seats.c.id)
                .join(s.worlds, s.seats.c.world_id == s.worlds.c.id)
                .where(s.members.c.token == token)
            ).first()
        if row is None:
            raise Refused(404, "no seat has this link: join again with the code", "token")
        return SeatAccess(
            row.id,
            row.name,
            token,
            row.seat_id,
            row.actor,
            row.world_id,
            row.group_no,
            row.session_id,
        )

    # --- the clock ------------------------------------------------------------------------

    def catch_up(self, world_id: int) -> None:
        """Close every turn whose deadline has passed (any request may do it; idempotent)."""
        for _ in range(1000):
            with self.engine.connect() as con:
                world = con.execute(select(s.worlds).where(s.worlds.c.id == world_id)).first()
            if world is None or world.done or world.deadline is None:
                return
            if world.deadline > self.clock():
                return
            self.advance(world_id, world.period)

    def advance(self, world_id: int, period: int) -> bool:
        """Close turn ``period`` of a world and play it; False when it was already closed.

        One transaction: the world's row is locked, the moves (a seat's default where it
        submitted nothing, then the accepted proposals) and injects are played, the turn's log
        and the next state are inserted under unique ``(world, period)`` keys.
        """
        try:
            with self.engine.begin() as con:
                world = con.execute(
                    select(s.worlds).where(s.worlds.c.id == world_id).with_for_update()
                ).first()
                if world is None or world.period != period or world.done:
                    return False
                session = (
                    con.execute(select(s.sessions).where(s.sessions.c.id == world.session_id))
                    .mappings()
                    .one()
                )
                game = self._game(con, world_id, period)
                moves, injects = self._turn_inputs(con, world_id, period, game)
                after = game_rules.play(game, moves, injects)
                now = self.clock()
                con.execute(
                    insert(s.turns).values(
                        world_id=world_id,
                        period=period,
                        moves_json=json.dumps(
                            {a: m.model_dump(mode="json") for a, m in moves.items()}
                        ),
                        injects_json=json.dumps([i.model_dump(mode="json") for i in injects]),
                        closed_at=now,
                    )
                )
                con.execute(
                    insert(s.states).values(
                        world_id=world_id, period=after.period, game_json=after.to_json()
                    )
                )
                done = bool(after.done) or after.period >= session["turns"]
                paused = world.deadline is None
                con.execute(
                    update(s.worlds)
                    .where(s.worlds.c.id == world_id)
                    .values(
                        period=after.period,
                        done=done,
                        deadline=None if done or paused else now + session["turn_seconds"],
                        paused_left=float(session["turn_seconds"]) if paused and not done else None,
                    )
                )
                con.execute(
                    update(s.proposals)
                    .where(
                        and_(
                            s.proposals.c.world_id == world_id,
                            s.proposals.c.period == period,
                            s.proposals.c.state == "open",
                        )
                    )
                    .values(state="expired")
                )
                self._audit(
                    con,
                    session["id"],
                    "advance",
                    {"to": after.period},
                    world_id=world_id,
                    period=period,
                )
        except IntegrityError:  # another worker advanced it first
            return False
        return True

    def _turn_inputs(
        self, con: Connection, world_id: int, period: int, game: game_rules.Game
    ) -> tuple[dict[str, game_rules.Move], list[game_rules.Inject]]:
        seated = (
            con.execute(
                select(s.seats.c.actor).where(s.seats.c.world_id == world_id).order_by(s.seats.c.id)
            )
            .scalars()
            .all()
        )
        submitted = {
            r.actor: game_rules.Move.model_validate_json(r.move_json)
            for r in con.execute(
                select(s.moves.c.actor, s.moves.c.move_json).where(
                    and_(s.moves.c.world_id == world_id, s.moves.c.period == period)
                )
            )
        }
        moves = {a: submitted.get(a) or game_rules.default_move(game, a) for a in seated}
        accepted = [
            (r.kind, r.sender, r.recipient)
            for r in con.execute(
                select(s.proposals.c.kind, s.proposals.c.sender, s.proposals.c.recipient)
                .where(
                    and_(
                        s.proposals.c.world_id == world_id,
                        s.proposals.c.period == period,
                        s.proposals.c.state == "accepted",
                    )
                )
                .order_by(s.proposals.c.id)
            )
        ]
        moves = agreement_moves(moves, accepted)
        moves = {a: game_rules.validate_move(game, a, m) for a, m in moves.items()}
        injects = [
            game_rules.Inject.model_validate_json(text)
            for text in con.execute(
                select(s.injects.c.inject_json)
                .where(and_(s.injects.c.world_id == world_id, s.injects.c.period == period))
                .order_by(s.injects.c.id)
            ).scalars()
        ]
        return moves, injects

    def _game(self, con: Connection, world_id: int, period: int | None = None) -> game_rules.Game:
        query = select(s.states.c.game_json).where(s.states.c.world_id == world_id)
        if period is not None:
            query = query.where(s.states.c.period == period)
        text = con.execute(query.order_by(s.states.c.period.desc()).limit(1)).scalar_one()
        return game_rules.Game.from_json(text)

    def game(self, world_id: int) -> game_rules.Game:
        """A world's current game (after catching up with its deadline)."""
        self.catch_up(world_id)
        with self.engine.connect() as con:
            return self._game(con, world_id)

    def log(self, world_id: int) -> list[game_rules.Turn]:
        """A world's closed turns, in order: what :func:`.play.replay` replays."""
        with self.engine.connect() as con:
            rows = con.execute(
                select(s.turns.c.moves_json, s.turns.c.injects_json)
                .where(s.turns.c.world_id == world_id)
                .order_by(s.turns.c.period)
            ).all()
        return [
            game_rules.Turn(
                moves={a: game_rules.Move.model_validate(m) for a, m in json.loads(r[0]).items()},
                injects=tuple(game_rules.Inject.model_validate(i) for i in json.loads(r[1])),
            )
            for r in rows
        ]

    # --- a seat's actions -----------------------------------------------------------------

    def _open_turn(self, con: Connection, access: SeatAccess, period: int) -> None:
        world = con.execute(
            select(s.worlds).where(s.worlds.c.id == access.world_id).with_for_update()
        ).one()
        if world.done:
            raise Refused(409, "the game is over", "period")
        if world.period != period:
            raise Refused(
                409, f"turn {period} is closed; the open turn is {world.period}", "period"
            )
        if world.deadline is not None and world.deadline <= self.clock():
            raise Refused(409, f"turn {period} is closed (its deadline has passed)", "period")

    def submit_move(self, token: str, period: int, move: Mapping[str, Any]) -> game_rules.Move:
        """A seat's move for the open turn ``period`` (a resubmission replaces the last)."""
        access = self.seat(token)
        self.catch_up(access.world_id)
        parsed = game_rules.parse_move(move)
        with self.engine.begin() as con:
            self._open_turn(con, access, period)
            game = self._game(con, access.world_id, period)
            checked = game_rules.validate_move(game, access.actor, parsed)
            text = checked.model_dump_json()
            now = self.clock()
            updated = con.execute(
                update(s.moves)
                .where(
                    and_(
                        s.moves.c.world_id == access.world_id,
                        s.moves.c.period == period,
                        s.moves.c.actor == access.actor,
                    )
                )
                .values(move_json=text, member_id=access.member_id, submitted_at=now)
            ).rowcount
            if not updated:
                con.execute(
                    insert(s.moves).values(
                        world_id=access.world_id,
                        period=period,
                        actor=access.actor,
                        move_json=text,
                        member_id=access.member_id,
                        submitted_at=now,
                    )
                )
            self._audit(
                con,
                access.session_id,
                "move",
                json.loads(text),
                world_id=access.world_id,
                actor=access.actor,
                member_id=access.member_id,
                period=period,
            )
        return checked

    def _rate(self, con: Connection, access: SeatAccess) -> None:
        since = self.clock() - 60
        sent = sum(
            con.execute(
                select(func.count()).where(
                    and_(
                        t.c.world_id == access.world_id,
                        t.c.sender == access.actor,
                        t.c.sent_at > since,
                    )
                )
            ).scalar_one()
            for t in (s.messages, s.proposals)
        )
        if sent >= MESSAGES_PER_MINUTE:
            raise Refused(
                429,
                f"at most {MESSAGES_PER_MINUTE} messages and proposals a "
                "minute per seat: wait a little",
                "text",
            )

    def _other_seat(self, con: Connection, access: SeatAccess, to: str) -> None:
        seats = (
            con.execute(select(s.seats.c.actor).where(s.seats.c.world_id == access.world_id))
            .scalars()
            .all()
        )
        if to not in seats or to == access.actor:
            others = [a for a in seats if a != access.actor]
            raise BadInput(Problem(f"send to one of {', '.join(others)}", path="to"))

    def send_message(self, token: str, to: str, text: str) -> int:
        """A private message from the token's seat to another seat of its world; its id."""
        access = self.seat(token)
        body = _text(text)
        with self.engine.begin() as con:
            self._other_seat(con, access, to)
            self._rate(con, access)
            period = self._period(con, access.world_id)
            message_id = _new_id(
                con.execute(
                    insert(s.messages).values(
                        world_id=access.world_id,
                        period=period,
                        sender=access.actor,
                        recipient=to,
                        body=body,
                        member_id=access.member_id,
                        sent_at=self.clock(),
                    )
                )
            )
            self._audit(
                con,
                access.session_id,
                "message",
                {"to": to},
                world_id=access.world_id,
                actor=access.actor,
                member_id=access.member_id,
                period=period,
            )
        return int(message_id)

    def propose(self, token: str, to: str, kind: str, text: str = "") -> int:
        """A proposal (treaty, alliance, arms_control) to another seat for the open turn."""
        access = self.seat(token)
        if kind not in PROPOSAL_KINDS:
            raise BadInput(Problem(f"one of {', '.join(PROPOSAL_KINDS)}", path="kind"))
        body = _text(text, allow_empty=True)
        self.catch_up(access.world_id)
        with self.engine.begin() as con:
            self._other_seat(con, access, to)
            self._rate(con, access)
            period = self._period(con, access.world_id)
            self._open_turn(con, access, period)
            proposal_id = _new_id(
                con.execute(
                    insert(s.proposals).values(
                        world_id=access.world_id,
                        period=period,
                        sender=access.actor,
                        recipient=to,
                        kind=kind,
                        body=body,
                        state="open",
                        member_id=access.member_id,
                        sent_at=self.clock(),
                    )
                )
            )
            self._audit(
                con,
                access.session_id,
                "propose",
                {"to": to, "kind": kind},
                world_id=access.world_id,
                actor=access.actor,
                member_id=access.member_id,
                period=period,
            )
        return int(proposal_id)

    def decide(self, token: str, proposal_id: int, accept: bool) -> str:
        """The addressee accepts or rejects an open proposal of the open turn; its new state."""
        access = self.seat(token)
        self.catch_up(access.world_id)
        with self.engine.begin() as con:
            row = con.execute(
                select(s.proposals).where(s.proposals.c.id == proposal_id).with_for_update()
            ).first()
            if row is None or row.world_id != access.world_id or row.recipient != access.actor:
                raise Refused(404, "no such proposal to this seat", "proposal")
            if row.state != "open":
                raise Refused(409, f"this proposal is already {row.state}", "proposal")
            self._open_turn(con, access, row.period)
            state = "accepted" if accept else "rejected"
            con.execute(
                update(s.proposals)
                .where(s.proposals.c.id == proposal_id)
                .values(state=state, decided_at=self.clock())
            )
            self._audit(
                con,
                access.session_id,
                state,
                {"proposal": proposal_id},
                world_id=access.world_id,
                actor=access.actor,
                member_id=access.member_id,
                period=row.period,
            )
        return state

    def _period(self, con: Connection, world_id: int) -> int:
        return int(
            con.execute(select(s.worlds.c.period).where(s.worlds.c.id == world_id)).scalar_one()
        )

    # --- what a seat sees -----------------------------------------------------------------

    def seat_state(self, token: str) -> dict[str, Any]:
        """Everything the token's seat may see now (its view, the clock, its correspondence)."""
        access = self.seat(token)
        self.catch_up(access.world_id)
        with self.engine.connect() as con:
            world = con.execute(select(s.worlds).where(s.worlds.c.id == access.world_id)).one()
            game = self._game(con, access.world_id)
            mine = con.execute(
                select(s.moves.c.move_json, s.moves.c.submitted_at).where(
                    and_(
                        s.moves.c.world_id == access.world_id,
                        s.moves.c.period == world.period,
                        s.moves.c.actor == access.actor,
                    )
                )
            ).first()
            team = (
                con.execute(
                    select(s.members.c.name)
                    .where(s.members.c.seat_id == access.seat_id)
                    .order_by(s.members.c.id)
                )
                .scalars()
                .all()
            )
            others = (
                con.execute(
                    select(s.seats.c.actor)
                    .where(
                        and_(s.seats.c.world_id == access.world_id, s.seats.c.actor != access.actor)
                    )
                    .order_by(s.seats.c.id)
                )
                .scalars()
                .all()
            )
            messages = _between(
                con, s.messages, access, ("id", "period", "sender", "recipient", "body", "sent_at")
            )
            proposals = _between(
                con,
                s.proposals,
                access,
                ("id", "period", "sender", "recipient", "kind", "body", "state"),
            )
        return {
            "actor": access.actor,
            "group": access.group_no,
            "name": access.name,
            "team": list(team),
            "others": list(others),
            "period": world.period,
            "done": bool(world.done),
            "paused": world.deadline is None and not world.done,
            "deadline": world.deadline,
            "seconds_left": None
            if world.deadline is None
            else max(0.0, world.deadline - self.clock()),
            "view": game_rules.view(game, access.actor).model_dump(mode="json"),
            "move": json.loads(mine.move_json) if mine else None,
            "default_move": game_rules.default_move(game, access.actor).model_dump(mode="json"),
            "messages": messages,
            "proposals": proposals,
        }

    # --- the instructor -------------------------------------------------------------------

    def worlds(self, session_id: str, group: int | None = None) -> list[dict[str, Any]]:
        """The session's worlds (all, or one group), caught up with their deadlines."""
        with self.engine.connect() as con:
            query = select(s.worlds).where(s.worlds.c.session_id == session_id)
            if group is not None:
                query = query.where(s.worlds.c.group_no == group)
            ids = con.execute(query.order_by(s.worlds.c.group_no)).all()
        if group is not None and not ids:
            raise BadInput(Problem(f"no group {group} in this session", path="group"))
        for w in ids:
            self.catch_up(w.id)
        with self.engine.connect() as con:
            return [dict(r) for r in con.execute(query.order_by(s.worlds.c.group_no)).mappings()]

    def overview(self, instructor_token: str) -> dict[str, Any]:
        """Every world of the session: the true state, seats, members and submitted moves."""
        session = self.session(instructor_token)
        out = []
        for world in self.worlds(session["id"]):
            with self.engine.connect() as con:
                game = self._game(con, world["id"])
                seats = con.execute(
                    select(s.seats.c.id, s.seats.c.actor)
                    .where(s.seats.c.world_id == world["id"])
                    .order_by(s.seats.c.id)
                ).all()
                names = con.execute(
                    select(s.members.c.seat_id, s.members.c.name)
                    .join(s.seats, s.members.c.seat_id == s.seats.c.id)
                    .where(s.seats.c.world_id == world["id"])
                    .order_by(s.members.c.id)
                ).all()
                submitted = set(
                    con.execute(
                        select(s.moves.c.actor).where(
                            and_(
                                s.moves.c.world_id == world["id"],
                                s.moves.c.period == world["period"],
                            )
                        )
                    ).scalars()
                )
            out.append(
                {
                    "group": world["group_no"],
                    "world_id": world["id"],
                    "period": world["period"],
                    "done": bool(world["done"]),
                    "paused": world["deadline"] is None and not world["done"],
                    "seconds_left": None
                    if world["deadline"] is None
                    else max(0.0, world["deadline"] - self.clock()),
                    "seats": [
                        {
                            "actor": seat.actor,
                            "members": [n.name for n in names if n.seat_id == seat.id],
                            "submitted": seat.actor in submitted,
                        }
                        for seat in seats
                    ],
                    "overview": game_rules.overview(game).model_dump(mode="json"),
                }
            )
        return {
            "session": session["id"],
            "title": session["title"],
            "code": session["code"],
            "turns": session["turns"],
            "table": self.table(session).model_dump(mode="json"),
            "worlds": out,
        }

    def _instructor_worlds(self, instructor_token: str, group: int | None) -> list[dict[str, Any]]:
        session = self.session(instructor_token)
        return self.worlds(session["id"], group)

    def pause(self, instructor_token: str, group: int | None = None) -> None:
        """Stop the clock of every world (or one group's): the time left is kept."""
        now = self.clock()
        worlds = self._instructor_worlds(instructor_token, group)
        with self.engine.begin() as con:
            for w in worlds:
                if w["deadline"] is not None and not w["done"]:
                    con.execute(
                        update(s.worlds)
                        .where(s.worlds.c.id == w["id"])
                        .values(deadline=None, paused_left=max(0.0, w["deadline"] - now))
                    )
                    self._audit(con, w["session_id"], "pause", {}, world_id=w["id"])

    def resume(self, instructor_token: str, group: int | None = None) -> None:
        """Start the clock again with the time that was left."""
        now = self.clock()
        worlds = self._instructor_worlds(instructor_token, group)
        with self.engine.begin() as con:
            for w in worlds:
                if w["deadline"] is None and not w["done"]:
                    con.execute(
                        update(s.worlds)
                        .where(s.worlds.c.id == w["id"])
                        .values(deadline=now + (w["paused_left"] or 0.0), paused_left=None)
                    )
                    self._audit(con, w["session_id"], "resume", {}, world_id=w["id"])

    def extend(self, instructor_token: str, minutes: float, group: int | None = None) -> None:
        """Add ``minutes`` to the open turn's deadline (or to the time left when paused)."""
        if not 0 < minutes <= 120:
            raise BadInput(Problem("between 0 and 120 minutes", path="minutes"))
        worlds = self._instructor_worlds(instructor_token, group)
        with self.engine.begin() as con:
            for w in worlds:
                if w["done"]:
                    continue
                values = (
                    {"deadline": w["deadline"] + minutes * 60}
                    if w["deadline"] is not None
                    else {"paused_left": (w["paused_left"] or 0.0) + minutes * 60}
                )
                con.execute(update(s.worlds).where(s.worlds.c.id == w["id"]).values(**values))
                self._audit(con, w["session_id"], "extend", {"minutes": minutes}, world_id=w["id"])

    def advance_now(self, instructor_token: str, group: int | None = None) -> None:
        """Close the open turn of every world (or one group's) now."""
        for w in self._instructor_worlds(instructor_token, group):
            if not w["done"]:
                self.advance(w["id"], w["period"])

    def inject(
        self, instructor_token: str, inject: Mapping[str, Any], group: int | None = None
    ) -> None:
        """An event played with the open turn of every world (or one group's)."""
        parsed = game_rules.parse_inject(inject)
        worlds = self._instructor_worlds(instructor_token, group)
        with self.engine.begin() as con:
            for w in worlds:
                if w["done"]:
                    continue
                game = self._game(con, w["id"], w["period"])
                game_rules.play(game, {}, [parsed])  # a dry run checks its references
                checked = parsed
                con.execute(
                    insert(s.injects).values(
                        world_id=w["id"],
                        period=w["period"],
                        inject_json=checked.model_dump_json(),
                        created_at=self.clock(),
                    )
                )
                self._audit(
                    con,
                    w["session_id"],
                    "inject",
                    checked.model_dump(mode="json"),
                    world_id=w["id"],
                    period=w["period"],
                )

    def record(self, world_id: int) -> dict[str, list[dict[str, Any]]]:
        """A world's messages, proposals and audit log (the debrief's record)."""
        with self.engine.connect() as con:

            def rows(table: Any, order: Any) -> list[dict[str, Any]]:
                return [
                    dict(r)
                    for r in con.execute(
                        select(table).where(table.c.world_id == world_id).order_by(order)
                    ).mappings()
                ]

            return {
                "messages": rows(s.messages, s.messages.c.id),
                "proposals": rows(s.proposals, s.proposals.c.id),
                "audit": rows(s.audit, s.audit.c.id),
            }

    def gradebook(self, instructor_token: str) -> list[dict[str, Any]]:
        """One row per student: moves on time, messages, proposals; the seat's outcome."""
        session = self.session(instructor_token)
        rows = []
        with self.engine.connect() as con:
            members = con.execute(
                select(
                    s.members.c.id,
                    s.members.c.name,
                    s.seats.c.actor,
                    s.worlds.c.group_no,
                    s.worlds.c.id.label("world_id"),
                    s.worlds.c.period,
                )
                .join(s.seats, s.members.c.seat_id == s.seats.c.id)
                .join(s.worlds, s.seats.c.world_id == s.worlds.c.id)
                .where(s.worlds.c.session_id == session["id"])
                .order_by(s.worlds.c.group_no, s.seats.c.id, s.members.c.id)
            ).all()
            for m in members:
                game = self._game(con, m.world_id)
                outcome = game_rules.view(game, m.actor).model_dump(mode="json")
                rows.append(
                    {
                        "group": m.group_no,
                        "seat": m.actor,
                        "student": m.name,
                        "turns_closed": m.period,
                        "moves_submitted": _count(con, s.audit, m.id, action="move"),
                        "turns_moved_on_time": int(
                            con.execute(
                                select(func.count(func.distinct(s.audit.c.period))).where(
                                    and_(s.audit.c.member_id == m.id, s.audit.c.action == "move")
                                )
                            ).scalar_one()
                        ),
                        "messages": _count(con, s.messages, m.id),
                        "proposals": _count(con, s.proposals, m.id),
                        **{f"outcome_{k}": v for k, v in _outcome(outcome).items()},
                    }
                )
        return rows

    # --- the audit log --------------------------------------------------------------------

    def _audit(
        self,
        con: Connection,
        session_id: str,
        action: str,
        detail: Mapping[str, Any],
        *,
        world_id: int | None = None,
        actor: str | None = None,
        member_id: int | None = None,
        period: int | None = None,
    ) -> None:
        con.execute(
            insert(s.audit).values(
                session_id=session_id,
                world_id=world_id,
                period=period,
                actor=actor,
                member_id=member_id,
                action=action,
                detail=json.dumps(detail, sort_keys=True),
                at=self.clock(),
            )
        )


def _between(
    con: Connection, table: Any, access: SeatAccess, columns: Sequence[str]
) -> list[dict[str, Any]]:
    """The rows of ``table`` (messages, proposals) the seat sent or received, in order."""
    seat = (table.c.sender == access.actor) | (table.c.recipient == access.actor)
    query = (
        select(*(table.c[name] for name in columns))
        .where(and_(table.c.world_id == access.world_id, seat))
        .order_by(table.c.id)
    )
    return [dict(r) for r in con.execute(query).mappings()]


def _new_id(result: Any) -> int:
    """The primary key of the row an insert made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _count(con: Connection, table: Any, member_id: int, **where: Any) -> int:
    cond = [table.c.member_id == member_id, *(table.c[k] == v for k, v in where.items())]
    return int(con.execute(select(func.count()).where(and_(*cond))).scalar_one())


def _text(text: str, *, allow_empty: bool = False) -> str:
    body = text.strip()
    if (not body and not allow_empty) or len(body) > MAX_TEXT:
        raise BadInput(Problem(f"write 1 to {MAX_TEXT} characters", path="text"))
    return body


def _outcome(view: Mapping[str, Any]) -> dict[str, float]:
    """The numeric measures of a seat's view (the gradebook's outcome columns)."""
    return {
        k: float(v)
        for k, v in view.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }

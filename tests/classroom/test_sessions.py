"""Sessions in the database, on SQLite and on a real PostgreSQL server: join, moves, the
clock, proposals, injects, and a turn closed once however many workers try."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from security_dilemma.classroom import schema
from security_dilemma.classroom.play import Move, replay
from security_dilemma.classroom.sessions import (
    MESSAGES_PER_MINUTE,
    Classroom,
    Refused,
    SessionSettings,
    agreement_moves,
)
from security_dilemma.classroom.store import open_database
from security_dilemma.errors import BadInput

SEATS = ("USA", "RUS", "POL", "IRN")


class Clock:
    """A clock the test moves by hand (seconds since the epoch)."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def room(database_url: str, clock: Clock) -> Iterator[Classroom]:
    engine = open_database(database_url)
    yield Classroom(engine, clock)
    engine.dispose()


def _session(room: Classroom, **settings: object) -> tuple[str, str]:
    values: dict[str, object] = {"case": "bmd-europe", "seats": SEATS, "turns": 3}
    values.update(settings)
    created = room.create(SessionSettings.model_validate(values))
    return created.instructor_token, created.code


def test_students_join_seats_and_teams(room: Classroom) -> None:
    teacher, code = _session(room, groups=2)
    students = [room.join(code, f"s{i}") for i in range(9)]
    # the emptiest seat first: every seat of both groups gets one student before any a second
    assert sorted((s.group_no, s.actor) for s in students[:8]) == sorted(
        (g, a) for g in (1, 2) for a in SEATS
    )
    chosen = room.join(code.lower(), "Ana", actor="RUS", group=2)
    assert (chosen.actor, chosen.group_no) == ("RUS", 2)
    assert room.seat(chosen.token).member_id == chosen.member_id  # the link resumes the seat
    assert len({s.token for s in [*students, chosen]}) == 10
    team = room.seat_state(chosen.token)["team"]
    assert "Ana" in team and len(team) == 2
    with pytest.raises(Refused) as no_code:
        room.join("ZZZZZZ", "x")
    assert no_code.value.status == 404
    with pytest.raises(BadInput) as bad_seat:
        room.join(code, "x", actor="CHN")
    assert bad_seat.value.problems[0].path == "seat"
    with pytest.raises(BadInput) as no_name:
        room.join(code, "   ")
    assert no_name.value.problems[0].path == "name"
    overview = room.overview(teacher)
    assert [w["group"] for w in overview["worlds"]] == [1, 2]


def test_bad_settings_are_located(room: Classroom) -> None:
    with pytest.raises(BadInput) as caught:
        room.create(SessionSettings(case="bmd-europe", seats=("USA", "XXX", "USA"), lens="nope"))
    paths = {p.path for p in caught.value.problems}
    assert paths == {"seats[1]", "seats", "lens"}
    with pytest.raises(BadInput) as no_case:
        room.create(SessionSettings(case="bmd-europa", seats=("USA",)))
    assert no_case.value.problems[0].path == "case"
    assert "bmd-europe" in no_case.value.problems[0].message


def test_a_move_is_replaced_checked_and_closed_by_the_deadline(
    room: Classroom, clock: Clock
) -> None:
    _, code = _session(room, turn_minutes=10)
    usa = room.join(code, "u", actor="USA")
    usa2 = room.join(code, "u2", actor="USA")
    room.submit_move(usa.token, 0, {"effort": 0.1, "cooperation": {"RUS": 0.2}})
    room.submit_move(usa2.token, 0, {"effort": -0.2})  # the team's last move counts
    with room.engine.connect() as con:
        rows = con.execute(sa.select(schema.moves.c.move_json, schema.moves.c.member_id)).all()
    assert [(json.loads(r[0])["effort"], r[1]) for r in rows] == [(-0.2, usa2.member_id)]
    with pytest.raises(BadInput) as caught:
        room.submit_move(usa.token, 0, {"cooperation": {"RUS": 1.5, "CHN": 0.1}, "effort": 9})
    assert {p.path for p in caught.value.problems} == {
        "move.cooperation.RUS",
        "move.cooperation.CHN",
        "move.effort",
    }
    with pytest.raises(BadInput) as extra:
        room.submit_move(usa.token, 0, {"hack": 1})
    assert extra.value.problems[0].path == "move.hack"
    with pytest.raises(Refused) as future:
        room.submit_move(usa.token, 1, {})
    assert future.value.status == 409
    clock.now += 10 * 60 + 1  # the deadline passes: the next request closes the turn
    state = room.seat_state(usa.token)
    assert state["period"] == 1 and state["move"] is None
    with pytest.raises(Refused) as late:
        room.submit_move(usa.token, 0, {"effort": 0.0})
    assert late.value.status == 409
    (turn,) = room.log(usa.world_id)
    assert turn.moves["USA"] == Move(effort=-0.2)
    assert turn.moves["RUS"] == Move()  # no move: the default (the seat's lens decides)
    audit = room.record(usa.world_id)["audit"]
    moves = [a for a in audit if a["action"] == "move"]
    assert [(a["actor"], a["member_id"], a["period"]) for a in moves] == [
        ("USA", usa.member_id, 0),
        ("USA", usa2.member_id, 0),
    ]
    assert all(a["at"] == 1_000_000.0 for a in moves)


def test_pause_extend_and_resume_keep_the_time_left(room: Classroom, clock: Clock) -> None:
    teacher, code = _session(room, turn_minutes=2)
    pol = room.join(code, "p", actor="POL")
    clock.now += 60
    room.pause(teacher)
    clock.now += 3600  # paused: the turn stays open
    assert room.seat_state(pol.token)["paused"]
    room.submit_move(pol.token, 0, {"allocation": 0.5})
    room.extend(teacher, 1.0)
    room.resume(teacher)
    assert room.seat_state(pol.token)["seconds_left"] == pytest.approx(120)
    clock.now += 119
    assert room.seat_state(pol.token)["period"] == 0
    clock.now += 2
    assert room.seat_state(pol.token)["period"] == 1
    with pytest.raises(BadInput):
        room.extend(teacher, 0)


def test_proposals_bind_both_seats_and_messages_are_private(room: Classroom) -> None:
    teacher, code = _session(room)
    usa, rus, pol = (room.join(code, a.lower(), actor=a) for a in ("USA", "RUS", "POL"))
    room.send_message(usa.token, "RUS", "<script>alert(1)</script>")
    treaty = room.propose(usa.token, "RUS", "treaty", "no new sites")
    alliance = room.propose(usa.token, "POL", "alliance")
    assert room.seat_state(pol.token)["messages"] == []  # POL sees none of USA-RUS
    assert [m["body"] for m in room.seat_state(rus.token)["messages"]] == [
        "<script>alert(1)</script>"
    ]
    with pytest.raises(Refused) as not_yours:
        room.decide(pol.token, treaty, accept=True)
    assert not_yours.value.status == 404
    assert room.decide(rus.token, treaty, accept=True) == "accepted"
    assert room.decide(pol.token, alliance, accept=False) == "rejected"
    with pytest.raises(Refused) as twice:
        room.decide(rus.token, treaty, accept=False)
    assert twice.value.status == 409
    with pytest.raises(BadInput) as to_self:
        room.send_message(usa.token, "USA", "hi")
    assert to_self.value.problems[0].path == "to"
    room.advance_now(teacher)
    (turn,) = room.log(usa.world_id)
    assert turn.moves["USA"].cooperation["RUS"] == 0.8
    assert turn.moves["RUS"].cooperation["USA"] == 0.8
    assert "POL" not in turn.moves["USA"].commitment  # rejected: no effect


def test_messages_are_rate_limited(room: Classroom, clock: Clock) -> None:
    _, code = _session(room)
    usa = room.join(code, "u", actor="USA")
    for i in range(MESSAGES_PER_MINUTE):
        room.send_message(usa.token, "RUS", f"m{i}")
    with pytest.raises(Refused) as caught:
        room.send_message(usa.token, "RUS", "one too many")
    assert caught.value.status == 429
    clock.now += 61
    room.send_message(usa.token, "RUS", "later")


def test_agreements_written_into_moves() -> None:
    moves = {"USA": Move(effort=0.5), "RUS": Move(cooperation={"USA": 0.9})}
    out = agreement_moves(moves, [("arms_control", "USA", "RUS"), ("alliance", "USA", "POL")])
    assert out["USA"] == Move(effort=0.0, cooperation={"RUS": 0.6}, commitment={"POL": 1.0})
    assert out["RUS"] == Move(effort=0.0, cooperation={"USA": 0.9})
    assert agreement_moves(moves, []) == moves


def test_injects_are_checked_and_played(room: Classroom) -> None:
    teacher, code = _session(room)
    usa = room.join(code, "u", actor="USA")
    with pytest.raises(BadInput) as caught:
        room.inject(
            teacher,
            {
                "title": "x",
                "effects": [{"type": "belief", "from": ["XXX"], "to": ["RUS"], "delta": 0.1}],
            },
        )
    assert caught.value.problems[0].path.startswith("injects[0]")
    with pytest.raises(BadInput) as no_title:
        room.inject(teacher, {"kind": "test"})
    assert no_title.value.problems[0].path == "inject.title"
    room.inject(
        teacher,
        {
            "title": "Summit",
            "kind": "summit",
            "effects": [{"type": "identity", "from": ["USA"], "to": ["RUS"], "delta": 0.3}],
        },
    )
    room.advance_now(teacher)
    (turn,) = room.log(usa.world_id)
    assert [i.title for i in turn.injects] == ["Summit"]


def test_the_stored_game_is_the_replay_of_the_log(room: Classroom) -> None:
    teacher, code = _session(room, turns=3)
    usa = room.join(code, "u", actor="USA")
    for period in range(3):
        room.submit_move(usa.token, period, {"effort": 0.1 * period, "allocation": 0.3})
        room.advance_now(teacher)
    session = room.session(teacher)
    game = room.game(usa.world_id)
    assert game.period == 3 and room.seat_state(usa.token)["done"]
    assert replay(room.table(session), room.log(usa.world_id)).to_json() == game.to_json()
    with pytest.raises(Refused) as over:
        room.submit_move(usa.token, 3, {})
    assert over.value.status == 409


def test_a_turn_is_advanced_once_by_racing_workers(database_url: str, clock: Clock) -> None:
    """Four threads, each with its own engine (as four workers), close turn 0 at once."""
    engines = [open_database(database_url) for _ in range(4)]
    rooms = [Classroom(e, clock) for e in engines]
    teacher, code = _session(rooms[0])
    world = rooms[0].join(code, "u").world_id
    results: list[bool] = []
    barrier = threading.Barrier(4)

    def close(room: Classroom) -> None:
        barrier.wait()
        results.append(room.advance(world, 0))

    threads = [threading.Thread(target=close, args=(r,)) for r in rooms]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    with engines[0].connect() as con:
        assert con.execute(sa.select(sa.func.count()).select_from(schema.turns)).scalar() == 1
        periods = con.execute(sa.select(schema.states.c.period)).scalars().all()
    assert sorted(periods) == [0, 1]
    assert rooms[1].overview(teacher)["worlds"][0]["period"] == 1
    for e in engines:
        e.dispose()


def test_unknown_tokens_open_nothing(room: Classroom) -> None:
    _session(room)
    for call in (
        lambda: room.seat("x" * 32),
        lambda: room.session("x" * 32),
        lambda: room.overview("x" * 32),
    ):
        with pytest.raises(Refused) as caught:
            call()
        assert caught.value.status == 404

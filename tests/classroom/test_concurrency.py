"""40 bot students against a real server (``dilemma serve --workers 2`` on PostgreSQL), all
submitting in the last seconds before each deadline, reconnecting for every request, with the
server killed and restarted on the same database in the middle of a turn: no move is lost,
none is counted twice, and every turn is closed exactly once."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx2
import pytest
import sqlalchemy as sa

from security_dilemma.classroom import schema
from security_dilemma.classroom.play import Move
from security_dilemma.classroom.sessions import Classroom, SessionSettings
from security_dilemma.classroom.store import open_database

from .conftest import fresh_postgres_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SEATS = ("USA", "RUS", "POL", "IRN")
GROUPS, PER_SEAT, TURNS, TURN_SECONDS = 5, 2, 3, 20.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``dilemma serve`` in its own process group, killed (SIGKILL) and started again."""

    def __init__(self, database: str, store: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = [
            str(Path(sys.executable).with_name("dilemma")), "serve", "--port", str(self.port),
            "--database", database, "--workers", "2", "--store", str(store),
        ]  # fmt: skip
        self.log = store.with_name("server.log")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.args, start_new_session=True, stdout=log, stderr=log
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx2.get(self.base + "/classroom", timeout=2).status_code == 200:
                    return
            except httpx2.HTTPError:
                pass
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Kill it if it still runs (the end of the test, passed or failed)."""
        if self.process is not None and self.process.poll() is None:
            self.kill()


class Student(threading.Thread):
    """A bot student: before each deadline it submits a move, on a new connection every
    request, retrying while the server is down; it records what the server accepted."""

    def __init__(self, base: str, token: str, seed: int) -> None:
        super().__init__(daemon=True)
        self.base, self.token = base, token
        self.rng = random.Random(seed)
        self.accepted: list[tuple[int, dict[str, Any]]] = []
        self.late = 0
        self.failure: BaseException | None = None

    def call(self, method: str, path: str, **kwargs: Any) -> httpx2.Response:
        for _ in range(600):
            try:
                with httpx2.Client(base_url=self.base, timeout=20) as client:  # a reconnect
                    return client.request(method, path, **kwargs)
            except httpx2.HTTPError:  # the server is down: try again
                time.sleep(0.2)
        raise AssertionError("the server never came back")

    def run(self) -> None:
        try:
            self.play()
        except BaseException as exc:  # reported by the test
            self.failure = exc

    def play(self) -> None:
        for period in range(TURNS):
            state = self.wait_for(period)
            if state["period"] > period:  # the whole turn passed while the server was down
                self.late += 1
                continue
            left = state["seconds_left"]
            if self.rng.random() < 0.3:  # early in the turn
                time.sleep(self.rng.uniform(0, left / 2))
            else:  # at the deadline
                time.sleep(max(0.0, left - self.rng.uniform(0.3, 2.0)))
            move = {
                "effort": round(self.rng.uniform(-0.5, 0.5), 4),
                "cooperation": {SEATS[0]: round(self.rng.random(), 4)},
            }
            if state["actor"] == SEATS[0]:
                move["cooperation"] = {SEATS[1]: round(self.rng.random(), 4)}
            r = self.call(
                "POST",
                f"/api/classroom/seat/{self.token}/move",
                json={"period": period, "move": move},
            )
            if r.status_code == 200:
                self.accepted.append((period, r.json()["move"]))
            else:
                assert r.status_code == 409, r.text  # the deadline passed first
                self.late += 1

    def wait_for(self, period: int) -> dict[str, Any]:
        while True:
            r = self.call("GET", f"/api/classroom/seat/{self.token}")
            assert r.status_code == 200, r.text
            state: dict[str, Any] = r.json()
            if state["period"] >= period:
                return state
            time.sleep(0.3)


def _check(engine: sa.Engine, bots: list[Student], members: list[Any], restart: float) -> None:
    """No move lost, none counted twice, every turn closed once."""
    accepted = sum(len(b.accepted) for b in bots)
    assert accepted + sum(b.late for b in bots) == 40 * TURNS
    assert accepted >= 40, (accepted, restart)  # a turn's worth at least (the rest: late)
    print(f"{accepted} moves accepted, {40 * TURNS - accepted} late, restart {restart:.1f} s")
    with engine.connect() as con:
        audit = con.execute(
            sa.select(
                schema.audit.c.member_id,
                schema.audit.c.period,
                schema.audit.c.detail,
                schema.audit.c.id,
                schema.audit.c.actor,
                schema.audit.c.world_id,
            )
            .where(schema.audit.c.action == "move")
            .order_by(schema.audit.c.id)
        ).all()
        turns = con.execute(
            sa.select(schema.turns.c.world_id, schema.turns.c.period, schema.turns.c.moves_json)
        ).all()
        states = con.execute(sa.select(schema.states.c.world_id, schema.states.c.period)).all()
    # no move lost: every accepted submission is in the audit log (with its seat and time)
    logged = defaultdict(list)
    for row in audit:
        logged[(row.member_id, row.period)].append(json.loads(row.detail))
    for bot, member in zip(bots, members, strict=True):
        for period, move in bot.accepted:
            assert move in logged[(member.member_id, period)]
    # every turn closed once, and what was played is each seat's last accepted move
    assert sorted((t.world_id, t.period) for t in turns) == sorted(
        {(t.world_id, t.period) for t in turns}
    )
    assert len(turns) == GROUPS * TURNS
    assert len(states) == GROUPS * (TURNS + 1)
    last: dict[tuple[int, int, str], dict[str, Any]] = {}
    for row in audit:
        last[(row.world_id, row.period, row.actor)] = json.loads(row.detail)
    for t in turns:
        played = json.loads(t.moves_json)
        for actor in SEATS:
            expected = last.get((t.world_id, t.period, actor))
            if expected is not None:
                assert Move.model_validate(played[actor]) == Move.model_validate(expected)
            else:
                assert played[actor] == Move().model_dump(mode="json")


def _periods(engine: sa.Engine) -> list[int]:
    """The worlds' open turns, read without closing any (this process is not a worker)."""
    with engine.connect() as con:
        return list(
            con.execute(sa.select(schema.worlds.c.period).order_by(schema.worlds.c.id)).scalars()
        )


def test_forty_students_at_the_deadline_with_a_restart(postgres: str, tmp_path: Path) -> None:
    url = fresh_postgres_database(postgres)
    engine = open_database(url)
    room = Classroom(engine)
    created = room.create(SessionSettings(
        case="bmd-europe", seats=SEATS, groups=GROUPS, turns=TURNS,
        turn_minutes=TURN_SECONDS / 60,
    ))  # fmt: skip
    room.pause(created.instructor_token)  # until the server is up
    members = [
        room.join(created.code, f"student{i}") for i in range(GROUPS * len(SEATS) * PER_SEAT)
    ]
    assert len(members) == 40
    server = Server(url, tmp_path / "runs.duckdb")
    try:
        server.start()
        for m in members[:4]:  # each worker loads the game once before the class starts
            assert httpx2.get(f"{server.base}/api/classroom/seat/{m.token}", timeout=120).is_success
        room.resume(created.instructor_token)
        bots = [Student(server.base, m.token, i) for i, m in enumerate(members)]
        for bot in bots:
            bot.start()
        # early in turn 1, as the bots submit: kill the server, start it again on the database
        deadline = time.monotonic() + 300
        while _periods(engine)[0] < 1:
            assert time.monotonic() < deadline, [b.failure for b in bots if b.failure]
            time.sleep(0.2)
        time.sleep(3)
        server.kill()
        started = time.monotonic()
        server.start()
        restart = time.monotonic() - started
        for bot in bots:
            bot.join(timeout=300)
            assert bot.failure is None, bot.failure
        # let the last deadline pass and close the last turn (any request does)
        deadline = time.monotonic() + 120
        while min(_periods(engine)) < TURNS:
            assert time.monotonic() < deadline
            for m in {m.group_no: m for m in members}.values():  # one request per world
                httpx2.get(f"{server.base}/api/classroom/seat/{m.token}", timeout=20)
            time.sleep(0.5)
    finally:
        server.stop()
    _check(engine, bots, members, restart)
    engine.dispose()

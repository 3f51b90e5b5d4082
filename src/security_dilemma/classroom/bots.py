"""Bot students and a bot instructor that play whole sessions through the HTTP API.

As oTree's bots do, they use only what a browser could: the JSON API under
``/api/classroom`` (any client with ``get`` and ``post`` returning responses: FastAPI's
``TestClient`` or an ``httpx.Client`` on a real server). Their choices come from a seeded
generator, so a session played twice with the same seeds submits the same moves.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["BotStudent", "Client", "Response", "SessionPlan", "join_all", "play_session"]


class Response(Protocol):
    """What the bots read of an HTTP response."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


class Client(Protocol):
    """An HTTP client (``TestClient``, ``httpx.Client``)."""

    def get(self, url: str, **kwargs: Any) -> Any: ...

    def post(self, url: str, **kwargs: Any) -> Any: ...


def _ok(response: Response, *expected: int) -> Any:
    if response.status_code not in (expected or (200, 201)):
        raise AssertionError(f"HTTP {response.status_code}: {response.json()}")
    return response.json()


@dataclass(slots=True)
class BotStudent:
    """One bot student: a name, a seeded generator, and the token it was given on joining."""

    name: str
    seed: int
    token: str = ""
    seat: str = ""
    group: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def join(self, client: Client, code: str, seat: str | None = None) -> None:
        """Join the session (a seat, or the emptiest)."""
        body: dict[str, Any] = {"code": code, "name": self.name}
        if seat is not None:
            body["seat"] = seat
        doc = _ok(client.post("/api/classroom/join", json=body), 201)
        self.token, self.seat, self.group = doc["token"], doc["seat"], doc["group"]

    def state(self, client: Client) -> dict[str, Any]:
        """What the seat sees now."""
        doc: dict[str, Any] = _ok(client.get(f"/api/classroom/seat/{self.token}"))
        return doc

    def choose(self, state: dict[str, Any]) -> dict[str, Any]:
        """A move within the bounds, from the bot's generator."""
        r = self.rng
        others: list[str] = state["others"]
        move: dict[str, Any] = {
            "effort": round(r.uniform(-0.3, 0.3), 3),
            "allocation": round(r.random(), 3),
            "cooperation": {a: round(r.random(), 3) for a in others},
        }
        if others and r.random() < 0.3:
            move["commitment"] = {r.choice(others): round(r.random(), 3)}
        if others and r.random() < 0.3:
            move["signals"] = [
                {
                    "to": r.choice(others),
                    "kind": r.choice(["reassure", "threaten"]),
                    "cost": round(r.uniform(0, 0.2), 3),
                }
            ]
        return move

    def submit(self, client: Client, period: int, move: dict[str, Any]) -> Response:
        """Submit a move for ``period`` (the response: 200, or 409 when the turn closed)."""
        response: Response = client.post(
            f"/api/classroom/seat/{self.token}/move", json={"period": period, "move": move}
        )
        return response

    def correspond(self, client: Client, state: dict[str, Any]) -> None:
        """Now and then a message or a proposal; answer every open proposal to the seat."""
        r = self.rng
        others: list[str] = state["others"]
        if others and r.random() < 0.5:
            text = f"{self.name} to {{}}: turn {state['period']}"
            to = r.choice(others)
            _ok(
                client.post(
                    f"/api/classroom/seat/{self.token}/messages",
                    json={"to": to, "text": text.format(to)},
                ),
                201,
                429,  # the seat's team wrote enough this minute: the bot lets it be
            )
        if others and r.random() < 0.3:
            _ok(
                client.post(
                    f"/api/classroom/seat/{self.token}/proposals",
                    json={
                        "to": r.choice(others),
                        "kind": r.choice(["treaty", "alliance", "arms_control"]),
                        "text": "let us agree",
                    },
                ),
                201,
                429,
            )
        for p in state["proposals"]:
            if p["state"] == "open" and p["recipient"] == self.seat:
                answer = client.post(
                    f"/api/classroom/seat/{self.token}/proposals/{p['id']}",
                    json={"accept": r.random() < 0.6},
                )
                _ok(answer, 200, 409)  # 409: a team-mate answered first


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """What the bot instructor creates and does: the session and an inject at some turns."""

    settings: dict[str, Any]
    injects: dict[int, dict[str, Any]] = field(default_factory=dict)


def join_all(
    client: Client, code: str, students: Sequence[BotStudent], seats: Sequence[str] = ()
) -> None:
    """Every bot joins (``seats``: the seat of each bot in turn, cycled; else the emptiest)."""
    for i, bot in enumerate(students):
        bot.join(client, code, seats[i % len(seats)] if seats else None)


def play_session(
    client: Client, plan: SessionPlan, students: Sequence[BotStudent]
) -> dict[str, Any]:
    """Create the session, join every bot, play every turn, return the instructor's overview.

    Each turn: every bot reads its seat, submits a move (a team's members each submit: the
    last one counts) and corresponds; the instructor injects the plan's event for that turn
    and advances. The returned document has the ``instructor_token`` too.
    """
    created = _ok(client.post("/api/classroom/sessions", json=plan.settings), 201)
    token = created["instructor_token"]
    join_all(client, created["code"], students)
    turns = int(plan.settings.get("turns", 8))
    for period in range(turns):
        for bot in students:
            state = bot.state(client)
            assert state["period"] == period, state["period"]
            _ok(bot.submit(client, period, bot.choose(state)))
            bot.correspond(client, state)
        if period in plan.injects:
            _ok(
                client.post(
                    f"/api/classroom/teach/{token}/inject", json={"inject": plan.injects[period]}
                )
            )
        _ok(client.post(f"/api/classroom/teach/{token}/control", json={"action": "advance"}))
    overview: dict[str, Any] = _ok(client.get(f"/api/classroom/teach/{token}"))
    return {**overview, "instructor_token": token}

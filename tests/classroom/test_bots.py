"""Bot students play a whole session through the HTTP API: 4 seats, 8 turns, teams, injects
and proposals; the stored game is the replay of the logged moves, bit for bit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from security_dilemma.classroom.bots import BotStudent, SessionPlan, play_session
from security_dilemma.classroom.play import Game, Table, Turn, replay
from security_dilemma.web import WebConfig, create_app

SEATS = ["USA", "RUS", "POL", "IRN"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    config = WebConfig(store=tmp_path / "runs.duckdb", uploads=tmp_path / "up", executor="serial")
    with TestClient(create_app(config), base_url="http://127.0.0.1") as c:
        yield c


def test_bots_play_a_session_and_the_log_replays_it(client: TestClient) -> None:
    plan = SessionPlan(
        settings={"case": "bmd-europe", "seats": SEATS, "turns": 8, "groups": 2, "seed": 7},
        injects={
            2: {
                "title": "Missile test",
                "kind": "test",
                "effects": [{"type": "belief", "from": ["POL"], "to": ["RUS"], "delta": 0.2}],
            },
            5: {
                "title": "Summit",
                "kind": "summit",
                "effects": [{"type": "identity", "from": ["USA"], "to": ["RUS"], "delta": 0.3}],
            },
        },
    )
    students = [BotStudent(f"bot{i}", seed=i) for i in range(12)]  # teams in both groups
    overview = play_session(client, plan, students)
    teacher = overview["instructor_token"]
    assert [w["period"] for w in overview["worlds"]] == [8, 8]
    assert all(w["done"] for w in overview["worlds"])
    finals = []
    for group in (1, 2):
        doc = client.get(f"/api/classroom/teach/{teacher}/log", params={"group": group}).json()
        log = [Turn.model_validate(t) for t in doc["turns"]]
        assert len(log) == 8
        assert [len(t.injects) for t in log] == [0, 0, 1, 0, 0, 1, 0, 0]
        stored = Game.from_json(doc["game"])
        replayed = replay(Table.model_validate(doc["table"]), log)
        assert replayed.to_json() == doc["game"]  # bit-identical
        assert stored.log == tuple(log)
        finals.append(doc["game"])
    assert finals[0] != finals[1]  # the two groups played their own worlds
    record = client.get(
        f"/api/classroom/teach/{teacher}/debrief", params={"group": 1, "replicates": 4}
    ).json()["record"]
    assert any(p["state"] == "accepted" for p in record["proposals"])
    page = client.get(
        f"/classroom/teach/{teacher}/debrief", params={"group": 1, "replicates": 4}
    ).text
    assert "0.000" in page and "-0.000" not in page and "e-0" not in page  # no -0, no 1e-09
    csv = client.get(
        f"/classroom/teach/{teacher}/debrief.csv",
        params={"group": 2, "table": "decisions", "replicates": 4},
    )
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("seat,period")
    assert len(csv.text.splitlines()) > 8 * len(SEATS)  # every seat's every turn, per lens
    in_group_1 = [b for b in students if b.group == 1]
    assert len(in_group_1) == 8  # the emptiest seat first: 4 + 4, then group 1 again
    moves = [a for a in record["audit"] if a["action"] == "move"]
    assert len(moves) == 8 * len(in_group_1)  # every submission logged, with time and seat
    assert all(a["actor"] in SEATS and a["at"] > 0 for a in moves)

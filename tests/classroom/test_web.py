"""The classroom's pages and JSON API through the framework's client: a seat sees and acts
for itself only, forged, replayed and cross-site requests are refused, bad input is a located
4xx, student text is never rendered unescaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from security_dilemma.web import WebConfig, create_app

BASE = "http://127.0.0.1"
XSS = "<script>alert(1)</script>"
JS = "javascript:alert(1)"


def _config(root: Path, **settings: Any) -> WebConfig:
    settings.setdefault("executor", "serial")
    return WebConfig(store=root / "runs.duckdb", uploads=root / "uploads", **settings)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with TestClient(create_app(_config(tmp_path_factory.mktemp("room"))), base_url=BASE) as c:
        yield c


def _csrf(client: TestClient) -> str:
    client.get("/classroom")
    return str(client.cookies["dilemma_csrf"])


@pytest.fixture(scope="module")
def session(client: TestClient) -> dict[str, Any]:
    """A session of four seats; students USA (named with a script tag), RUS and POL."""
    r = client.post(
        "/api/classroom/sessions",
        json={"case": "bmd-europe", "seats": ["USA", "RUS", "POL", "IRN"], "turns": 4},
    )
    assert r.status_code == 201, r.text
    doc: dict[str, Any] = r.json()
    for actor, name in (("USA", XSS), ("RUS", JS), ("POL", "Pat")):
        j = client.post(
            "/api/classroom/join", json={"code": doc["code"], "name": name, "seat": actor}
        )
        assert j.status_code == 201, j.text
        doc[actor] = j.json()["token"]
    return doc


def test_create_and_join_through_the_api(client: TestClient, session: dict[str, Any]) -> None:
    assert re.fullmatch(r"[A-Z2-9]{6}", session["code"])
    assert session["instructor_url"].endswith(f"/classroom/teach/{session['instructor_token']}")
    assert len(session["instructor_token"]) >= 32
    overview = client.get(f"/api/classroom/teach/{session['instructor_token']}").json()
    seats = {s["actor"]: s["members"] for s in overview["worlds"][0]["seats"]}
    assert seats == {"USA": [XSS], "RUS": [JS], "POL": ["Pat"], "IRN": []}
    assert set(overview["worlds"][0]["overview"]["actors"]) >= {"USA", "RUS", "POL", "IRN"}


def test_a_seat_reads_and_acts_for_itself_only(client: TestClient, session: dict[str, Any]) -> None:
    usa = client.get(f"/api/classroom/seat/{session['USA']}").json()
    assert usa["actor"] == "USA" and usa["view"]["actor"] == "USA"
    assert "actors" not in usa["view"]  # the seat's view, not the instructor's overview
    # the seat a move is for comes from the token: a body naming another actor is refused
    r = client.post(
        f"/api/classroom/seat/{session['USA']}/move",
        json={"period": 0, "move": {"effort": 0.1}, "actor": "RUS"},
    )
    assert r.status_code == 422
    # a student's token opens no instructor page, API or export
    for url in (
        f"/classroom/teach/{session['USA']}",
        f"/api/classroom/teach/{session['USA']}",
        f"/classroom/teach/{session['USA']}/gradebook.csv",
        f"/api/classroom/teach/{session['USA']}/debrief",
    ):
        assert client.get(url).status_code == 404, url
    r = client.post(f"/api/classroom/teach/{session['USA']}/control", json={"action": "advance"})
    assert r.status_code == 404
    # a forged token opens nothing; a malformed one is refused before any lookup
    forged = "A" * 32
    assert client.get(f"/api/classroom/seat/{forged}").status_code == 404
    assert client.get("/classroom/seat/..%2F..%2Fetc").status_code in (404, 422)
    # RUS sees nothing of what USA wrote to POL
    sent = client.post(
        f"/api/classroom/seat/{session['USA']}/messages", json={"to": "POL", "text": "secret"}
    )
    assert sent.status_code == 201
    rus = client.get(f"/api/classroom/seat/{session['RUS']}").json()
    assert all(m["body"] != "secret" for m in rus["messages"])
    assert "secret" not in client.get(f"/classroom/seat/{session['RUS']}").text


def test_bad_input_is_a_located_4xx(client: TestClient, session: dict[str, Any]) -> None:
    r = client.post(
        f"/api/classroom/seat/{session['POL']}/move",
        json={"period": 0, "move": {"cooperation": {"RUS": 2}}},
    )
    assert r.status_code == 400
    assert r.json()["problems"][0]["path"] == "move.cooperation.RUS"
    r = client.post(
        "/api/classroom/sessions", json={"case": "bmd-europe", "seats": ["USA"], "groups": 0}
    )
    assert r.status_code == 422 and r.json()["problems"][0]["path"] == "body.groups"
    r = client.post("/api/classroom/join", json={"code": "QQQQQQ", "name": "x"})
    assert r.status_code == 404 and r.json()["problems"][0]["path"] == "code"
    r = client.post(
        f"/api/classroom/seat/{session['POL']}/proposals", json={"to": "RUS", "kind": "war"}
    )
    assert r.status_code == 422
    assert client.post(f"/api/classroom/seat/{session['POL']}/move", content=b"{").status_code in (
        415,
        422,
    )


def test_a_replayed_move_for_a_closed_turn_is_refused(client: TestClient, tmp_path: Path) -> None:
    r = client.post("/api/classroom/sessions", json={"case": "bmd-europe", "seats": ["USA"]})
    doc = r.json()
    token = client.post("/api/classroom/join", json={"code": doc["code"], "name": "u"}).json()[
        "token"
    ]
    body = {"period": 0, "move": {"allocation": 0.4}}
    assert client.post(f"/api/classroom/seat/{token}/move", json=body).status_code == 200
    client.post(
        f"/api/classroom/teach/{doc['instructor_token']}/control", json={"action": "advance"}
    )
    again = client.post(f"/api/classroom/seat/{token}/move", json=body)
    assert again.status_code == 409
    assert again.json()["problems"][0]["path"] == "period"


def test_forms_need_the_csrf_token_and_the_same_origin(
    client: TestClient, session: dict[str, Any]
) -> None:
    url = f"/classroom/seat/{session['POL']}/message"
    csrf = _csrf(client)
    no_token = client.post(url, data={"to": "RUS", "text": "hi"})
    assert no_token.status_code == 403
    other_site = client.post(
        url,
        data={"to": "RUS", "text": "hi", "csrf_token": csrf},
        headers={"Origin": "http://evil.example"},
    )
    assert other_site.status_code == 403
    ok = client.post(
        url, data={"to": "RUS", "text": "hi", "csrf_token": csrf}, follow_redirects=False
    )
    assert ok.status_code == 303 and ok.headers["location"] == f"/classroom/seat/{session['POL']}"


def test_messages_are_rate_limited_with_429(client: TestClient) -> None:
    doc = client.post(
        "/api/classroom/sessions", json={"case": "bmd-europe", "seats": ["USA", "RUS"]}
    ).json()
    token = client.post(
        "/api/classroom/join", json={"code": doc["code"], "name": "u", "seat": "USA"}
    ).json()["token"]
    codes = [
        client.post(
            f"/api/classroom/seat/{token}/messages", json={"to": "RUS", "text": str(i)}
        ).status_code
        for i in range(11)
    ]
    assert codes == [201] * 10 + [429]


def test_student_text_is_escaped_everywhere(client: TestClient, session: dict[str, Any]) -> None:
    for actor, to in (("USA", "RUS"), ("RUS", "USA")):
        for text in (XSS, JS):
            client.post(
                f"/api/classroom/seat/{session[actor]}/messages", json={"to": to, "text": text}
            )
    client.post(
        f"/api/classroom/seat/{session['USA']}/proposals",
        json={"to": "RUS", "kind": "treaty", "text": XSS},
    )
    teacher = session["instructor_token"]
    pages = [
        client.get(f"/classroom/seat/{session['RUS']}").text,
        client.get(f"/classroom/seat/{session['USA']}").text,
        client.get(f"/classroom/teach/{teacher}").text,
        client.get(f"/classroom/teach/{teacher}/live").text,
    ]
    for html in pages:
        assert "<script>alert" not in html
        assert 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[2]  # the student's name
    csv = client.get(f"/classroom/teach/{teacher}/gradebook.csv").text
    assert csv.splitlines()[0].startswith("group,seat,student")


def test_the_app_token_rule_applies_to_student_links(tmp_path: Path) -> None:
    config = _config(tmp_path, token="apptoken", allowed_hosts=())
    with TestClient(create_app(config), base_url="http://10.0.0.5:8000") as c:
        headers = {"Authorization": "Bearer apptoken"}
        doc = c.post(
            "/api/classroom/sessions",
            json={"case": "bmd-europe", "seats": ["USA"]},
            headers=headers,
        ).json()
        token = c.post(
            "/api/classroom/join", json={"code": doc["code"], "name": "u"}, headers=headers
        ).json()["token"]
        c.cookies.clear()
        assert c.get(f"/classroom/seat/{token}").status_code == 401
        opened = c.get(f"/classroom/seat/{token}?token=apptoken", follow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["location"] == f"/classroom/seat/{token}"
        assert c.get(f"/classroom/seat/{token}").status_code == 200  # the cookie now


def test_pages_render(client: TestClient, session: dict[str, Any]) -> None:
    home = client.get("/classroom?code=ABCDEF")
    assert home.status_code == 200 and 'value="ABCDEF"' in home.text
    seat = client.get(f"/classroom/seat/{session['POL']}")
    assert seat.status_code == 200 and 'id="move-form"' in seat.text
    assert seat.headers["cache-control"] == "no-store"
    teach = client.get(f"/classroom/teach/{session['instructor_token']}")
    assert teach.status_code == 200 and session["code"] in teach.text
    csrf = _csrf(client)
    joined = client.post(
        "/classroom/join",
        data={"code": session["code"], "name": "Web", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert joined.status_code == 303 and joined.headers["location"].startswith("/classroom/seat/")
    moved = client.post(
        joined.headers["location"] + "/move",
        data={
            "period": "0",
            "effort": "0.2",
            "cooperation.RUS": "0.5",
            "signal_to": "RUS",
            "signal_kind": "reassure",
            "signal_cost": "0.1",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert moved.status_code == 303, moved.text
    state = client.get("/api" + joined.headers["location"]).json()
    assert state["move"]["effort"] == 0.2 and state["move"]["cooperation"] == {"RUS": 0.5}
    assert state["move"]["signals"][0]["kind"] == "reassure"
    bad = client.post(
        joined.headers["location"] + "/move",
        data={"period": "0", "effort": "lots", "csrf_token": csrf},
    )
    assert bad.status_code == 400 and "move.effort" in bad.text


MINIMAL = Path(__file__).parents[1] / "scenario" / "fixtures" / "minimal.yaml"


def test_a_session_of_an_uploaded_case_by_its_id(client: TestClient) -> None:
    up = client.post("/api/cases", json={"yaml": MINIMAL.read_text("utf-8"), "file": "m.yaml"})
    assert up.status_code == 201, up.text
    key = up.json()["id"]
    r = client.post("/api/classroom/sessions", json={"case": key, "seats": ["AAA", "BBB"]})
    assert r.status_code == 201, r.text
    doc = r.json()
    overview = client.get(f"/api/classroom/teach/{doc['instructor_token']}").json()
    assert set(overview["worlds"][0]["overview"]["actors"]) == {"AAA", "BBB", "CCC"}
    assert "title: A minimal two-state case" in overview["table"]["case"]  # its YAML text
    assert overview["title"] == "minimal: AAA, BBB"
    seat = client.post(
        "/api/classroom/join", json={"code": doc["code"], "name": "a", "seat": "AAA"}
    )
    token = seat.json()["token"]
    move = {"period": 0, "move": {"effort": 0.1, "cooperation": {"BBB": 0.7}}}
    assert client.post(f"/api/classroom/seat/{token}/move", json=move).status_code == 200
    teach = f"/api/classroom/teach/{doc['instructor_token']}"
    assert client.post(f"{teach}/control", json={"action": "advance"}).status_code == 200
    assert client.get(f"/api/classroom/seat/{token}").json()["period"] == 1
    # the instructor's form offers it and makes a session of it
    home = client.get("/classroom").text
    assert f'<option value="{key}">A minimal two-state case ({key})</option>' in home
    made = client.post(
        "/classroom/create",
        data={"case": key, "seats": "BBB,CCC", "csrf_token": _csrf(client)},
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/classroom/teach/")
    # by id, never by path; an actor of another case is located
    for case, seats, path, status in [
        ("../uploads/" + key, ["AAA"], "case", 404),
        ("u-../../etc/passwd", ["AAA"], "case", 404),
        ("u-000000000000", ["AAA"], "case", 404),
        (str(MINIMAL)[-64:], ["AAA"], "case", 404),
        (key, ["AAA", "USA"], "seats[1]", 400),
    ]:
        r = client.post("/api/classroom/sessions", json={"case": case, "seats": seats})
        assert r.status_code == status, (case, r.text)
        assert r.json()["problems"][0]["path"] == path, (case, r.text)

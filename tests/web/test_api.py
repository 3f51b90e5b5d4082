"""The web app's HTTP API and pages through the framework's test client: every endpoint,
bad input (4xx with a message, never a 500) and the security model."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from security_dilemma.scenario import builtin_case_path
from security_dilemma.web import create_app
from security_dilemma.web.security import CSP

from ..conftest import Run
from .conftest import BASE, csrf_of, make_config, wait_done

PAGES = [
    "/cases", "/cases/bmd-europe", "/editor", "/map/bmd-europe", "/run", "/runs", "/games",
    "/classroom", "/cases/bmd-europe/backtest", "/cases/bmd-europe/whatif",
]  # fmt: skip

HOSTILE = """\
schema_version: 1
id: hostile
title: "<script>alert('title')</script>"
summary: "<img src=x onerror=alert(1)>"
span: {start: 2000-01-01, end: 2003-01-01, step: year}
actors:
  - {id: AAA, name: "<script>alert('actor')</script>", prior_greedy: 0.3}
  - {id: BBB, name: "B", prior_greedy: 0.3}
sources:
  - id: evil
    citation: "<script>alert('cite')</script>"
    url: 'https://x.org/"><script>alert(2)</script>'
  - {id: good, citation: "A good source", url: "https://example.org/paper"}
"""


def test_every_page_renders_with_a_strict_csp(client: TestClient) -> None:
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["content-security-policy"] == CSP
        assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
        assert r.headers["x-frame-options"] == "DENY"
        scripts = re.findall(r"<script[^>]*>", r.text)
        assert scripts and all(" src=" in s for s in scripts), url  # no inline script
        assert re.search(r'<script src="https?:', r.text) is None  # nothing from a CDN
        title = re.search(r"<title>(.*?)</title>", r.text, re.S)
        assert title and "<" not in title[1] and "\n" not in title[1], url  # a page's name
    assert client.get("/").status_code == 200  # redirects to the cases
    assert client.get("/static/htmx.min.js").status_code == 200


def test_the_case_page_shows_capitals_and_the_lens_in_force(client: TestClient) -> None:
    actors = client.get("/cases/bmd-europe").text.split('id="actors"')[1].split("</table>")[0]
    assert "Moscow" in actors and "Washington" in actors  # resolved as the engine does
    assert actors.count("pyramid (default)") == 13  # no actor of bmd-europe names its lens


def test_api_mirrors_the_cli_json(client: TestClient, dilemma: Run) -> None:
    cases = client.get("/api/cases").json()
    assert cases["cases"] == json.loads(dilemma("cases", "--json").out)["cases"]
    shown = client.get("/api/cases/bmd-europe").json()
    assert shown == json.loads(dilemma("show", "bmd-europe", "--json").out)
    jervis = client.get("/api/games/jervis?gain=2&temptation=2").json()
    cli = json.loads(dilemma("games", "jervis", "--json").out)
    assert jervis["worlds"] == cli["worlds"]
    kydd = client.get("/api/games/kydd?prior=0.4&cost=1.5").json()
    assert kydd == json.loads(
        dilemma("games", "kydd", "--prior", "0.4", "--cost", "1.5", "--json").out
    )
    named = client.get("/api/games/classify?r=4&s=0&t=3&p=1").json()
    cli_named = json.loads(dilemma("games", "classify", "--row", "[[4,0],[3,1]]", "--json").out)
    assert named == cli_named and named["name"] == "Stag Hunt"
    lineup = "strategy=TitForTat&strategy=Defector&strategy=Grudger&turns=20&repetitions=3"
    played = client.get(f"/api/games/tournament?{lineup}").json()
    cli_played = dilemma(
        "games",
        "tournament",
        "--strategies",
        "TitForTat,Defector,Grudger",
        "--turns",
        "20",
        "--repetitions",
        "3",
        "--json",
    )
    assert played == json.loads(cli_played.out)
    geo = client.get("/api/cases/bmd-europe/geojson?date=2008-01-01").json()
    assert geo["type"] == "FeatureCollection" and geo["features"]


def test_openapi_documents_the_api(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    paths = set(doc["paths"])
    assert {"/api/cases", "/api/validate", "/api/runs", "/api/runs/{run_id}/series"} <= paths
    assert all(p.startswith("/api/") for p in paths)  # the pages are not part of the API


def test_validate_reports_the_cli_s_located_problems(
    client: TestClient, dilemma: Run, tmp_path: Path
) -> None:
    text = builtin_case_path("bmd-europe").read_text(encoding="utf-8")
    broken = text.replace("prior_greedy: 0.", "prior_greedy: 7.", 1)
    assert broken != text
    doc = client.post("/api/validate", json={"yaml": broken, "file": "bad.yaml"}).json()
    path = tmp_path / "bad.yaml"
    path.write_text(broken, encoding="utf-8")
    cli = json.loads(dilemma("validate", str(path), "--json").out)
    web_problems = doc["files"][0]["problems"]
    cli_problems = cli["files"][0]["problems"]
    assert not doc["ok"] and web_problems
    assert [{**p, "file": None} for p in web_problems] == [
        {**p, "file": None} for p in cli_problems
    ]
    assert web_problems[0]["line"] and "prior_greedy" in web_problems[0]["path"]
    # the editor's live check shows the same problem, located
    r = client.post(
        "/editor/validate",
        data={"yaml": broken, "file": "bad.yaml"},
        headers={"X-CSRF-Token": csrf_of(client)},
    )
    line = web_problems[0]["line"]
    assert r.status_code == 200 and f"bad.yaml:{line}:" in r.text
    ok = client.post("/api/validate", json={"yaml": text}).json()
    assert ok["ok"] and ok["files"][0]["case"] == "bmd-europe"


def test_case_supplied_strings_are_escaped(client: TestClient) -> None:
    scripted = HOSTILE.replace("https://example.org/paper", "javascript:alert('src')")
    r = client.post("/api/cases", json={"yaml": scripted, "file": "hostile.yaml"})
    assert r.status_code == 400  # a javascript: URL is refused by the schema, located
    assert r.json()["problems"][0]["path"] == "sources[1].url"
    r = client.post("/api/cases", json={"yaml": HOSTILE, "file": "hostile.yaml"})
    assert r.status_code == 201, r.text
    key = r.json()["id"]
    assert re.fullmatch(r"u-[0-9a-f]{12}", key)
    for url in (f"/cases/{key}", "/cases", f"/run?case={key}", f"/editor?case={key}"):
        page = client.get(url).text
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert 'href="javascript:' not in page, url
    page = client.get(f"/cases/{key}").text
    assert "&lt;script&gt;alert(&#39;actor&#39;)&lt;/script&gt;" in page
    assert 'href="https://example.org/paper"' in page  # an http(s) source is a link
    assert 'href="https://x.org/&#34;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"' in page
    assert client.get(f"/cases/{key}/download").text == HOSTILE


def test_upload_form_keeps_valid_files_only(client: TestClient) -> None:
    token = csrf_of(client)
    good = ("mine.yaml", HOSTILE.replace("id: hostile", "id: mine").encode(), "application/yaml")
    r = client.post(
        "/cases/upload", files={"file": good}, data={"csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/u-")
    bad = ("bad.yaml", b"id: [unclosed", "application/yaml")
    r = client.post("/cases/upload", files={"file": bad}, data={"csrf_token": token})
    assert r.status_code == 400 and "bad.yaml:2:1: invalid YAML" in r.text
    binary = ("bin.yaml", b"\xff\xfe\x00", "application/octet-stream")
    r = client.post("/cases/upload", files={"file": binary}, data={"csrf_token": token})
    assert r.status_code == 400 and "UTF-8" in r.text


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("get", "/cases/no-such-case", None, 404),
        ("get", "/cases/..%2f..%2fetc%2fpasswd", None, 404),
        ("get", "/cases/%2e%2e", None, 422),
        ("get", "/api/cases/UPPER_case", None, 422),
        ("get", "/api/cases/nope", None, 404),
        ("get", "/api/runs/zzzz", None, 422),
        ("get", "/api/runs/0123456789abcdef", None, 404),
        ("get", "/runs/0123456789abcdef", None, 404),
        ("get", "/runs/0123456789abcdef/events", None, 404),
        ("get", "/runs/0123456789abcdef/figure.svg", None, 404),
        ("get", "/runs/0123456789abcdef/figure.gif", None, 422),
        ("get", "/map/bmd-europe?date=not-a-date", None, 422),
        ("get", "/cases/bmd-europe/map.svg?date=2008-13-45", None, 422),
        ("get", "/api/games/kydd?prior=2", None, 422),
        ("get", "/api/games/kydd?prior=nan", None, 422),
        ("get", "/api/games/jervis?gain=-1", None, 400),
        ("get", "/api/games/classify?r=inf", None, 400),
        ("get", "/editor?case=../../etc", None, 422),
        ("get", "/api/games/tournament?strategy=Nope&strategy=Defector", None, 400),
        ("get", "/api/games/tournament?strategy=Defector", None, 400),
        ("get", "/api/games/tournament?turns=100000", None, 422),
        ("get", "/api/games/tournament?noise=nan", None, 422),
        ("post", "/api/runs", {"case": "bmd-europe", "replicates": 1}, 422),
        ("post", "/api/runs", {"case": "bmd-europe", "replicates": 10**9}, 400),
        ("post", "/api/runs", {"case": "bmd-europe", "lenses": ["nope"]}, 400),
        ("post", "/api/runs", {"case": "bmd-europe", "actor_lenses": {"XXX": "realism"}}, 400),
        ("post", "/api/runs", {"case": "nope"}, 404),
        ("post", "/api/runs", {"case": "bmd-europe", "parameters": {"nope": 1}}, 400),
        ("post", "/api/runs", {"case": "bmd-europe", "parameters": {"distinguishability": 9}}, 400),
        ("post", "/api/runs", {"case": "bmd-europe", "seed": -1}, 422),
        ("post", "/api/runs", [1, 2], 422),
        ("post", "/api/validate", {"yam": "x"}, 422),
        ("post", "/api/cases", {"yaml": "a: [1"}, 400),
        ("post", "/api/cases", {"yaml": "- just\n- a list\n"}, 400),
        ("post", "/api/runs/0123456789abcdef/cancel", None, 409),
        ("post", "/api/runs/0123456789abcdef/resume", None, 404),
        ("delete", "/api/runs", {}, 405),
        ("delete", "/api/runs", None, 415),
    ],
)
def test_bad_requests_get_a_4xx_with_a_message(
    client: TestClient, method: str, url: str, body: object, status: int
) -> None:
    kwargs = {} if body is None else {"json": body}
    if method == "post" and body is None:
        kwargs = {"json": {}}
    r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == status, (url, r.text)
    assert "Traceback" not in r.text
    if url.startswith("/api/"):
        doc = r.json()
        assert doc["ok"] is False and (doc.get("problems") or doc.get("message"))


def test_malformed_json_is_a_4xx(client: TestClient) -> None:
    r = client.post("/api/runs", content=b"{not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["ok"] is False


def test_csrf_origin_and_content_type(client: TestClient) -> None:
    token = csrf_of(client)
    form = {"case": "bmd-europe", "lens": "realism", "replicates": "2", "seed": "5"}
    assert client.post("/runs", data=form).status_code == 403  # no token
    r = client.post("/runs", data={**form, "csrf_token": "forged"})
    assert r.status_code == 403
    r = client.post("/runs", data={**form, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and re.fullmatch(r"/runs/[0-9a-f]{16}", r.headers["location"])
    wait_done(client, r.headers["location"].rsplit("/", 1)[1])
    r = client.post(
        "/api/runs", json={"case": "bmd-europe"}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    r = client.post("/api/runs", content=b"case=x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 403  # a form-like type needs the CSRF token
    r = client.post("/api/validate", content=b"x", headers={"Content-Type": "application/xml"})
    assert r.status_code == 415


def test_request_size_is_limited(tmp_path: Path) -> None:
    config = make_config(tmp_path, max_body_bytes=4096)
    with TestClient(create_app(config), base_url=BASE) as c:
        r = c.post("/api/validate", json={"yaml": "x" * 5000})
        assert r.status_code == 413 and r.json()["error"] == "too large"
        chunks = iter([b'{"yaml": "', b"y" * 5000, b'"}'])
        r = c.post("/api/validate", content=chunks, headers={"Content-Type": "application/json"})
        assert r.status_code == 413  # no Content-Length: counted as it streams
        assert c.post("/api/validate", json={"yaml": "id: x"}).status_code == 200


def test_a_loopback_server_answers_only_to_loopback_names(client: TestClient) -> None:
    assert client.get("/cases", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/cases", headers={"Host": "localhost:8000"}).status_code == 200


def test_token_auth_beyond_loopback(tmp_path: Path) -> None:
    from security_dilemma.web import WebConfig

    config = WebConfig.for_host("0.0.0.0", tmp_path / "runs.duckdb", executor="serial")
    assert config.token and not config.allowed_hosts
    assert WebConfig.for_host("0.0.0.0", tmp_path / "r.duckdb", no_auth=True).token is None
    assert WebConfig.for_host("127.0.0.1", tmp_path / "r.duckdb").token is None
    with TestClient(create_app(config), base_url="http://10.1.2.3") as c:
        assert c.get("/cases").status_code == 401
        assert c.get("/api/cases").status_code == 401
        assert c.get("/static/app.js").status_code == 401
        bad = {"Authorization": "Bearer wrong"}
        assert c.get("/api/runs", headers=bad).status_code == 401
        good = {"Authorization": f"Bearer {config.token}"}
        assert c.get("/api/runs", headers=good).status_code == 200
        r = c.get(f"/cases?token={config.token}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/cases"
        assert c.get("/cases").status_code == 200  # the cookie now carries the token
        assert c.get("/cases?token=wrong").status_code == 200  # the cookie still does


def test_run_results_figures_and_series(client: TestClient, done_run: str) -> None:
    doc = client.get(f"/api/runs/{done_run}").json()
    assert doc["state"] == "complete" and doc["chunks_done"] == doc["n_chunks"] == 2
    assert [p["lens"] for p in doc["points"]] == ["realism", "liberalism"]
    listed = client.get("/api/runs").json()
    assert done_run in [r["run_id"] for r in listed["runs"]]
    series = client.get(f"/api/runs/{done_run}/series?metric=security&actor=USA").json()["series"]
    assert {r["lens"] for r in series} == {"realism", "liberalism"}
    assert all(r["n"] == 4 and 0 <= r["mean"] <= 1 for r in series)
    page = client.get(f"/runs/{done_run}?metric=security&actor=USA&lens=realism").text
    assert "figure.svg?metric=security&amp;actor=USA" in page and "lens=realism" in page
    table = page[page.index('id="measures"') : page.index("</table>", page.index('id="measures"'))]
    assert table.count("<tr>") == 1 + 2 * 13  # header, then each lens x actor of bmd-europe
    assert all(m in table for m in ("harm_done", "self_defeat", "belief_entropy"))
    svg = client.get(f"/runs/{done_run}/figure.svg?metric=security&actor=USA")
    assert svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    png = client.get(f"/runs/{done_run}/figure.png?metric=security&actor=USA&lens=liberalism")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    csv = client.get(f"/runs/{done_run}/figure.csv?metric=security&actor=USA").text
    assert csv.splitlines()[0] == "lens,step,date,n,mean,sd" and len(csv.splitlines()) == 1 + len(
        series
    )
    assert client.get(f"/runs/{done_run}/figure.svg?metric=nope").status_code == 400
    assert (
        client.get(f"/runs/{done_run}/figure.svg?metric=security&actor=USA&lens=x").status_code
        == 400
    )
    assert 'id="net-step"' in page
    net = client.get(f"/runs/{done_run}/network.svg?step=3&lens=realism")
    assert net.status_code == 200 and b"<svg" in net.content
    assert client.get(f"/runs/{done_run}/network.png?step=99&lens=realism").status_code == 400
    assert client.get(f"/runs/{done_run}/network.svg?step=1&lens=nope").status_code == 400
    events = client.get(f"/runs/{done_run}/events").text
    assert "event: end" in events and '"state": "complete"' in events
    again = client.post(
        "/api/runs",
        json={
            "case": "bmd-europe",
            "lenses": ["realism", "liberalism"],
            "replicates": 4,
            "seed": 1,
        },
    )
    assert again.json()["run_id"] == done_run  # the same settings name the same run


def test_cancel_then_resume_after_a_restart(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    body = {"case": "bmd-europe", "lenses": ["realism"], "replicates": 400, "seed": 3}
    with TestClient(create_app(config), base_url=BASE) as c:
        run_id = c.post("/api/runs", json=body).json()["run_id"]
        deadline = time.monotonic() + 60
        while c.get(f"/api/runs/{run_id}").json().get("chunks_done", 0) < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.post(f"/api/runs/{run_id}/cancel", json={}).status_code == 200
        doc = wait_done(c, run_id)
        assert c.post(f"/api/runs/{run_id}/cancel", json={}).status_code == 409
        assert doc["state"] == "cancelled" and 1 <= doc["chunks_done"] < doc["n_chunks"] == 8
        done_before = doc["chunks_done"]
    with TestClient(create_app(config), base_url=BASE) as c:  # a restarted server
        doc = c.get(f"/api/runs/{run_id}").json()
        assert doc["state"] == "interrupted" and doc["chunks_done"] == done_before
        assert 'id="resume"' in c.get(f"/runs/{run_id}").text
        assert c.post(f"/api/runs/{run_id}/resume", json={}).status_code == 202
        doc = wait_done(c, run_id)
        assert doc["state"] == "complete" and doc["chunks_done"] == 8
        sessions = doc["sessions"]
        assert [s["status"] for s in sessions] == ["interrupted", "complete"]
        assert sessions[1]["chunks_done"] == 8 - done_before  # only the missing chunks


def test_the_run_queue_is_bounded(tmp_path: Path) -> None:
    config = make_config(tmp_path, max_queue=1)
    with TestClient(create_app(config), base_url=BASE) as c:
        codes = []
        ids = []
        for seed in range(6):
            body = {"case": "bmd-europe", "lenses": ["realism"], "replicates": 300, "seed": seed}
            r = c.post("/api/runs", json=body)
            codes.append(r.status_code)
            if r.status_code == 202:
                ids.append(r.json()["run_id"])
        assert codes[0] == 202 and 429 in codes
        assert codes.count(202) <= 2  # one running, at most max_queue waiting
        r = c.post(
            "/runs",
            data={
                "case": "bmd-europe",
                "lens": "pyramid",
                "replicates": "300",
                "csrf_token": csrf_of(c),
            },
        )
        assert r.status_code == 429 and "queue is full" in r.text
        for run_id in ids:
            c.post(f"/api/runs/{run_id}/cancel", json={})
        assert all(wait_done(c, i)["state"] == "cancelled" for i in ids)


def test_games_fragments(client: TestClient) -> None:
    assert "Stag Hunt" in client.get("/games/classify?r=4&s=0&t=3&p=1").text
    assert "Prisoner" in client.get("/games/classify?r=3&s=0&t=4&p=1").text
    assert "doubly dangerous" in client.get("/games/jervis?gain=2").text
    assert "Trust threshold" in client.get("/games/kydd?prior=0.5&cost=1").text
    assert client.get("/games/kydd?prior=5").status_code == 422
    table = client.get("/games/tournament?strategy=TitForTat&strategy=Grudger&turns=10").text
    assert table.count("<tr>") == 3 and "Defector" not in table


def test_a_run_with_parameters(client: TestClient) -> None:
    body = {"case": "bmd-europe", "parameters": {"distinguishability": 0.8}, "replicates": 2}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202 and "distinguishability=0.8" in r.json()["label"]
    doc = wait_done(client, r.json()["run_id"])
    assert doc["state"] == "complete" and doc["parameters"] == ["distinguishability"]
    assert doc["points"] == [{"point": 0, "lens": "realism", "distinguishability": 0.8}]
    token = csrf_of(client)
    form = {"case": "bmd-europe", "replicates": "2", "csrf_token": token}
    r = client.post("/runs", data={**form, "parameters": "distinguishability 0.8"})
    assert r.status_code == 400 and "expected NAME=VALUE" in r.text
    r = client.post(
        "/runs",
        data={**form, "lens": "realism", "parameters": "distinguishability=0.8\n"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/runs/{doc['run_id']}"


def test_serve_refuses_bad_flags_before_starting(dilemma: Run, tmp_path: Path) -> None:
    outcome = dilemma("serve", "--store", str(tmp_path))
    assert outcome.code == 2 and "--store" in outcome.err and "is a directory" in outcome.err
    outcome = dilemma("serve", "--port", "70000")
    assert outcome.code == 2 and "--port" in outcome.err
    assert "Traceback" not in outcome.err


def test_two_runs_side_by_side(client: TestClient, done_run: str) -> None:
    body = {"case": "bmd-europe", "lenses": ["pyramid"], "replicates": 2, "seed": 9}
    other = client.post("/api/runs", json=body).json()["run_id"]
    assert wait_done(client, other)["state"] == "complete"
    assert 'id="compare-form"' in client.get("/runs").text
    page = client.get(f"/compare?a={done_run}&b={other}&metric=security&actor=")
    assert page.status_code == 200 and re.search(r"actor=[A-Z]{3}&amp;", page.text)  # a default
    query = f"a={done_run}&b={other}&metric=security&actor=RUS"
    rows = client.get(f"/compare/figure.csv?{query}").text.splitlines()
    labels = {r.split(",")[0] for r in rows[1:]}
    assert labels == {
        f"{done_run[:8]} realism",
        f"{done_run[:8]} liberalism",
        f"{other[:8]} pyramid",
    }
    assert b"<svg" in client.get(f"/compare/figure.svg?{query}").content
    assert client.get(f"/compare?a={done_run}&b=0123456789abcdef").status_code == 404
    assert client.get(f"/compare?a={done_run}&b=../x").status_code == 422
    assert client.get(f"/compare/figure.svg?a={done_run}&b={other}&metric=nope").status_code == 400

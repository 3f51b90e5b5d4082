"""A case's backtest and what-if worlds from the web: computed off the event loop, once per
case and settings, shown with the report's figures, downloadable, and bad input refused."""

from __future__ import annotations

import io
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from html.parser import HTMLParser
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from security_dilemma.history.baselines import BASELINES
from security_dilemma.scenario import load_case
from security_dilemma.web.analyses import Analyses, lower_priority
from security_dilemma.web.runs import NICE

BACKTEST = {"lens": ["realism", "pyramid"], "replicates": 4, "seed": 3}
WHATIF = {"world": "no-missile-defence", "lens": ["realism"], "replicates": 4, "seed": 3}


class _Table(HTMLParser):
    """The cells of the table with a given id (the standard library's parser)."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.rows = table_id, False, []  # type: ignore[var-annotated]
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_table(html: str, table_id: str) -> pd.DataFrame:
    """The table with this id as a frame of strings (the first row: the header)."""
    parser = _Table(table_id)
    parser.feed(html)
    head, *rows = parser.rows
    return pd.DataFrame(rows, columns=head)


def _ready(client: TestClient, url: str, params: dict[str, Any]) -> dict[str, Any]:
    """Poll an analysis until it is no longer computing; its JSON document."""
    deadline = time.monotonic() + 300
    while True:
        r = client.get(url, params=params)
        if r.status_code != 202:
            assert r.status_code == 200, r.text
            doc: dict[str, Any] = r.json()
            return doc
        assert time.monotonic() < deadline, "the analysis did not finish"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def backtest(client: TestClient) -> dict[str, Any]:
    first = client.get("/api/cases/bmd-europe/backtest", params=BACKTEST)
    assert first.status_code == 202 and first.json()["state"] == "running"
    page = client.get("/cases/bmd-europe/backtest", params=BACKTEST)
    assert 'hx-trigger="load delay:1s"' in page.text  # the page polls while it computes
    return _ready(client, "/api/cases/bmd-europe/backtest", BACKTEST)


@pytest.fixture(scope="module")
def whatif(client: TestClient) -> dict[str, Any]:
    return _ready(client, "/api/cases/bmd-europe/whatif", WHATIF)


def test_backtest_document_is_the_cli_json(backtest: dict[str, Any]) -> None:
    assert backtest["state"] == "done" and backtest["case"] == "bmd-europe"
    assert backtest["lenses"] == ["realism", "pyramid"] and backtest["replicates"] == 4
    pairs = {(s["forecaster"], s["baseline"]) for s in backtest["skills"]}
    assert {(lens, b) for lens in ("realism", "pyramid") for b in BASELINES} <= pairs


def test_backtest_page_shows_each_lens_against_the_four_baselines(
    client: TestClient, backtest: dict[str, Any]
) -> None:
    html = client.get("/cases/bmd-europe/backtest", params=BACKTEST).text
    table = read_table(html, "skills")
    assert list(zip(table["lens"], table["baseline"], strict=True)) == [
        (lens, b) for lens in ("realism", "pyramid") for b in BASELINES
    ]
    skill = next(
        s
        for s in backtest["skills"]
        if s["forecaster"] == "pyramid" and s["baseline"] == "statistical"
    )
    row = table[(table["lens"] == "pyramid") & (table["baseline"] == "statistical")].iloc[0]
    assert float(row["Δ Brier"]) == pytest.approx(skill["brier_difference"]["estimate"], abs=5e-4)
    assert backtest["answer"]["text"] in html
    assert 'id="reliability-img"' in html and "hx-trigger" not in html


def test_backtest_downloads(client: TestClient, backtest: dict[str, Any]) -> None:
    base = "/cases/bmd-europe/backtest"
    for name in ("skill", "reliability"):
        svg = client.get(f"{base}/{name}.svg", params=BACKTEST)
        png = client.get(f"{base}/{name}.png", params=BACKTEST)
        assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
        assert png.headers["content-type"] == "image/png" and png.content[:4] == b"\x89PNG"
    skills = pd.read_csv(io.StringIO(client.get(f"{base}/skill.csv", params=BACKTEST).text))
    assert len(skills) == 2 * len(BASELINES)
    for s in backtest["skills"]:
        if s["baseline"] in BASELINES and s["forecaster"] in ("realism", "pyramid"):
            row = skills[
                (skills["lens"] == s["forecaster"]) & (skills["baseline"] == s["baseline"])
            ]
            assert row["low"].iloc[0] == pytest.approx(s["brier_difference"]["low"], abs=1e-6)
    bins = pd.read_csv(io.StringIO(client.get(f"{base}/reliability.csv", params=BACKTEST).text))
    assert set(bins["forecaster"]) == set(backtest["forecasters"])
    assert bins.groupby("forecaster")["count"].sum().eq(backtest["counts"]["test"]).all()


def test_whatif_document_page_and_downloads(client: TestClient, whatif: dict[str, Any]) -> None:
    assert whatif["counterfactual"]["id"] == "no-missile-defence"
    usa = whatif["effects"]["realism"]["USA"]["security"]
    html = client.get("/cases/bmd-europe/whatif", params=WHATIF).text
    table = read_table(html, "whatif-table")
    row = table[table["actor"] == "USA"].iloc[0]
    assert float(row["Δ mean"]) == pytest.approx(usa["mean"], abs=5e-5)
    assert row["less secure?"] == whatif["effects"]["realism"]["USA"]["verdict"]
    effort = client.get("/cases/bmd-europe/whatif", params={**WHATIF, "metric": "effort"}).text
    assert "Difference from the world" in effort and "less secure?" not in effort
    frame = pd.read_csv(
        io.StringIO(client.get("/cases/bmd-europe/whatif/figure.csv", params=WHATIF).text)
    )
    assert {"lens", "actor", "metric", "step", "mean", "ci_low", "ci_high"} <= set(frame)
    assert len(set(frame["step"])) == len(whatif["dates"])
    svg = client.get("/cases/bmd-europe/whatif/figure.svg", params=WHATIF)
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content


def test_the_run_page_links_its_case_analyses(client: TestClient, done_run: str) -> None:
    html = client.get(f"/runs/{done_run}").text
    assert "/cases/bmd-europe/backtest?lens=realism&amp;lens=liberalism" in html
    assert "/cases/bmd-europe/whatif?lens=realism&amp;lens=liberalism" in html


@pytest.mark.parametrize(
    ("url", "params", "status", "path"),
    [
        ("/api/cases/bmd-europe/backtest", {"lens": "nolens"}, 400, "lens"),
        ("/api/cases/bmd-europe/backtest", {"replicates": 1}, 422, "query.replicates"),
        ("/api/cases/bmd-europe/backtest", {"horizon": 0}, 422, "query.horizon"),
        ("/api/cases/no-such-case/backtest", {}, 404, "case"),
        ("/api/cases/bmd-europe/whatif", {"world": "no-such-world"}, 400, "world"),
        ("/api/cases/bmd-europe/whatif", {"lens": "nolens"}, 400, "lens"),
        ("/cases/bmd-europe/whatif", {**WHATIF, "metric": "nothing"}, 400, "metric"),
        ("/cases/bmd-europe/backtest/skill.svg", {"seed": 99}, 400, "analysis"),
        ("/cases/bmd-europe/backtest/other.svg", {}, 422, "path.name"),
    ],
)
def test_bad_input_is_a_located_4xx(
    client: TestClient,
    whatif: dict[str, Any],
    url: str,
    params: dict[str, Any],
    status: int,
    path: str,
) -> None:
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    if url.startswith("/api/"):
        assert r.json()["problems"][0]["path"] == path
    else:
        assert path in r.text and "Traceback" not in r.text


def _count(calls: list[int], gate: threading.Event) -> Any:
    def analysis(case: Any, settings: int) -> int:
        gate.wait(10)
        calls.append(settings)
        return settings * 2

    return analysis


def test_an_analysis_is_computed_once_per_case_and_settings() -> None:
    case = load_case("bmd-europe")
    calls: list[int] = []
    gate = threading.Event()
    fn = _count(calls, gate)
    analyses = Analyses("serial")
    try:
        assert analyses.status("x", case, 1, fn).state == "running"
        assert analyses.status("x", case, 1, fn).state == "running"
        gate.set()
        deadline = time.monotonic() + 10
        while (status := analyses.status("x", case, 1, fn)).state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert status.result == 2 and calls == [1]
        assert analyses.status("x", case, 1, fn).result == 2 and calls == [1]
        while (other := analyses.status("x", case, 2, fn)).state == "running":
            time.sleep(0.01)
        assert other.result == 4 and calls == [1, 2]
    finally:
        analyses.close()


def test_worker_processes_compute_at_a_lower_priority() -> None:
    mine = os.nice(0)
    with ProcessPoolExecutor(1, initializer=lower_priority) as pool:
        assert pool.submit(os.nice, 0).result() == min(mine + NICE, 19)


def _niceness(case: Any, settings: int) -> tuple[int, int]:
    return os.getpid(), os.nice(0)


def test_the_server_s_analyses_run_in_a_worker_at_a_lower_priority() -> None:
    case = load_case("bmd-europe")
    analyses = Analyses("local")
    try:
        deadline = time.monotonic() + 120
        while (status := analyses.status("nice", case, 0, _niceness)).state == "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        pid, nice = status.result
        assert pid != os.getpid() and nice == min(os.nice(0) + NICE, 19)
    finally:
        analyses.close()


def test_a_case_without_worlds(client: TestClient) -> None:
    page = client.get("/cases/cold-war/whatif")
    assert page.status_code == 200 and 'id="no-worlds"' in page.text
    assert 'id="case-whatif"' not in client.get("/cases/cold-war").text
    r = client.get("/api/cases/cold-war/whatif")
    assert r.status_code == 400 and r.json()["problems"][0]["path"] == "world"
    assert "none: the case has no counterfactuals" in r.json()["problems"][0]["message"]


def test_run_workers_compute_at_a_lower_priority() -> None:
    from security_dilemma.experiments.executors import LocalExecutor

    with LocalExecutor(1, nice=NICE) as pool:
        [(_, nice, error)] = list(pool.map_unordered(os.nice, [0]))
    assert error is None and nice == min(os.nice(0) + NICE, 19)

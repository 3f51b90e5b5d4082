"""Fixtures for the web app: a server on a fresh store, driven by the framework's client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from security_dilemma.web import WebConfig, create_app

BASE = "http://127.0.0.1"


def make_config(root: Path, **settings: Any) -> WebConfig:
    """A loopback server's settings on a store in ``root`` (runs computed in-process)."""
    settings.setdefault("executor", "serial")
    return WebConfig(store=root / "runs.duckdb", uploads=root / "uploads", **settings)


def csrf_of(client: TestClient) -> str:
    """The CSRF token the server gave this client (after any page was read)."""
    if "dilemma_csrf" not in client.cookies:
        client.get("/runs")
    return str(client.cookies["dilemma_csrf"])


def wait_done(client: TestClient, run_id: str, timeout: float = 120) -> dict[str, Any]:
    """Poll the API until the run is neither queued nor running; its document."""
    deadline = time.monotonic() + timeout
    while True:
        doc: dict[str, Any] = client.get(f"/api/runs/{run_id}").json()
        if doc["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return doc
        time.sleep(0.1)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One server per test module (cases, pages and runs share it)."""
    config = make_config(tmp_path_factory.mktemp("web"))
    with TestClient(create_app(config), base_url=BASE) as c:
        yield c


@pytest.fixture(scope="module")
def done_run(client: TestClient) -> str:
    """A small complete run: bmd-europe, realism and liberalism, 4 replicates."""
    body = {"case": "bmd-europe", "lenses": ["realism", "liberalism"], "replicates": 4, "seed": 1}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    run_id = str(r.json()["run_id"])
    assert wait_done(client, run_id)["state"] == "complete"
    return run_id

"""A complete run's pages and figures are kept in memory: served with the client's own CSRF
token, an ETag and 304 for a matching If-None-Match; a run still computing is never kept."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from security_dilemma.web import create_app

from .conftest import BASE, csrf_of, make_config, wait_done


def test_a_complete_run_s_page_is_kept_with_each_client_s_token(
    client: TestClient, done_run: str
) -> None:
    url = f"/runs/{done_run}?metric=security&actor=USA"
    first = client.get(url)
    again = client.get(url)
    assert first.status_code == again.status_code == 200
    assert first.text == again.text and first.headers["etag"] == again.headers["etag"]
    assert f'"X-CSRF-Token": "{csrf_of(client)}"' in again.text
    cached = client.get(url, headers={"If-None-Match": again.headers["etag"]})
    assert cached.status_code == 304 and cached.content == b""
    assert "content-security-policy" in cached.headers
    other = TestClient(client.app, base_url=BASE)  # another browser (the same server)
    theirs = other.get(url)
    token = csrf_of(other)
    assert token != csrf_of(client) and token in theirs.text
    assert csrf_of(client) not in theirs.text
    assert theirs.headers["etag"] != again.headers["etag"]
    assert theirs.text.replace(token, "T") == again.text.replace(csrf_of(client), "T")


def test_a_complete_run_s_figure_is_kept(client: TestClient, done_run: str) -> None:
    url = f"/runs/{done_run}/figure.svg?metric=security&actor=RUS"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "image/svg+xml"
    assert client.get(url).content == first.content
    assert client.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    assert client.get(f"/runs/{done_run}/figure.svg?metric=nothing").status_code == 400


def test_a_run_that_is_not_complete_is_not_kept(tmp_path: Path) -> None:
    with TestClient(create_app(make_config(tmp_path)), base_url=BASE) as c:
        body = {"case": "bmd-europe", "lenses": ["realism"], "replicates": 400, "seed": 5}
        run_id = c.post("/api/runs", json=body).json()["run_id"]
        page = c.get(f"/runs/{run_id}")
        c.post(f"/api/runs/{run_id}/cancel", json={})
        doc = wait_done(c, run_id)
        assert doc["state"] == "cancelled" and doc["chunks_done"] < doc["n_chunks"]
        later = c.get(f"/runs/{run_id}")
        assert page.status_code == later.status_code == 200
        assert "etag" not in page.headers and "etag" not in later.headers

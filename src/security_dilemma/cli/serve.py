"""``dilemma serve``: the web application (docs/web.md) on a local port."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import BadInput, Problem
from ._common import DEFAULT_STORE, DatabaseOpt, StoreOpt, console

if TYPE_CHECKING:
    from ..web import WebConfig

__all__ = ["app_from_environment", "checked_database", "register"]

ENVIRONMENT = "DILEMMA_SERVE_CONFIG"
"""Where ``--workers N`` hands each worker process the server's settings (JSON)."""


def checked_database(database: str | None, store: Path) -> str | None:
    """The ``--database`` URL when it names SQLite or PostgreSQL (BadInput otherwise)."""
    if database is None:
        return None
    if not database.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        raise BadInput(
            Problem("use sqlite:///PATH or postgresql://USER@HOST/DB", path="--database")
        )
    return database


def app_from_environment() -> Any:
    """One worker's application (``--workers N``): the settings come from the environment.

    The DuckDB run store allows one writer, so a server of several workers does not launch
    runs (503); it serves the classroom, whose state is all in the database, and the cases.
    """
    import tempfile

    from ..web import WebConfig, create_app

    settings = json.loads(os.environ[ENVIRONMENT])
    private = Path(tempfile.mkdtemp(prefix="dilemma-worker-"))
    config = WebConfig(
        store=private / "runs.duckdb",
        uploads=Path(settings["uploads"]),
        token=settings["token"],
        allowed_hosts=tuple(settings["allowed_hosts"]),
        max_queue=1,
        database=settings["database"],
    )
    return _no_runs(create_app(config))


def _no_runs(inner: Any) -> Any:
    """Refuse the requests that would compute a run (503), pass every other one on."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and (path in ("/runs", "/api/runs") or path.endswith("/resume"))
        ):
            body = json.dumps(
                {
                    "ok": False,
                    "error": "unavailable",
                    "message": "this server has several workers and does not compute runs: "
                    "run them on a single-worker 'dilemma serve'",
                }
            ).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await inner(scope, receive, send)

    return app


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; beyond 127.0.0.1 a token is required.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to bind.")] = 8000,
    store: StoreOpt = DEFAULT_STORE,
    no_auth: Annotated[
        bool,
        typer.Option("--no-auth", help="Serve a non-loopback address without a token (unsafe)."),
    ] = False,
    max_queue: Annotated[
        int, typer.Option("--max-queue", min=1, help="Runs that may wait for their turn.")
    ] = 4,
    max_replicates: Annotated[
        int, typer.Option("--max-replicates", min=2, help="Most replicates one run may ask for.")
    ] = 2000,
    database: DatabaseOpt = None,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            max=64,
            help="App worker processes (more than 1 needs --database; they compute no runs).",
        ),
    ] = 1,
) -> None:
    """Serve the web app: cases, editor, map, runs, results and games, offline.

    Runs go to the DuckDB store (--store) one at a time; the URL to open is printed.
    """
    import uvicorn

    from ..web import WebConfig, create_app

    if store.exists() and store.is_dir():
        raise BadInput(Problem(f"'{store}' is a directory", path="--store"))
    database = checked_database(database, Path(store))
    if workers > 1 and database is None:
        raise BadInput(
            Problem(
                "several workers share the classroom through a database: give --database "
                "postgresql://... (or sqlite:///PATH)",
                path="--workers",
            )
        )
    config = WebConfig.for_host(
        host,
        Path(store),
        no_auth=no_auth,
        max_queue=max_queue,
        max_replicates=max_replicates,
        database=database,
    )
    _open_classroom(config)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if config.token is not None:
        url += f"?token={config.token}"
    console.print(f"dilemma serve: open {url}  (store {store}; Ctrl-C stops)", markup=False)
    if no_auth and config.token is None and config.allowed_hosts == ():
        console.print("warning: no token on a non-loopback address (--no-auth)", markup=False)
    if workers > 1:
        os.environ[ENVIRONMENT] = json.dumps(
            {
                "uploads": str(config.uploads),
                "token": config.token,
                "allowed_hosts": list(config.allowed_hosts),
                "database": config.database,
            }
        )
        uvicorn.run(
            "security_dilemma.cli.serve:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def _open_classroom(config: WebConfig) -> None:
    """Migrate the classroom database before serving (a bad URL: exit 2, located)."""
    from ..classroom.store import database_for_store, open_database

    open_database(config.database or database_for_store(config.store)).dispose()


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(serve)

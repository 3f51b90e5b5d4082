"""``dilemma serve``: the web application (docs/web.md) on a local port."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import BadInput, Problem
from ._common import DEFAULT_STORE, StoreOpt, console

__all__ = ["register"]


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
) -> None:
    """Serve the web app: cases, editor, map, runs, results and games, offline.

    Runs go to the DuckDB store (--store) one at a time; the URL to open is printed.
    """
    import uvicorn

    from ..web import WebConfig, create_app

    if store.exists() and store.is_dir():
        raise BadInput(Problem(f"'{store}' is a directory", path="--store"))
    config = WebConfig.for_host(
        host,
        Path(store),
        no_auth=no_auth,
        max_queue=max_queue,
        max_replicates=max_replicates,
    )
    app = create_app(config)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    if config.token is not None:
        url += f"?token={config.token}"
    console.print(f"dilemma serve: open {url}  (store {store}; Ctrl-C stops)", markup=False)
    if no_auth and config.token is None and config.allowed_hosts == ():
        console.print("warning: no token on a non-loopback address (--no-auth)", markup=False)
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the application."""
    app.command()(serve)

"""A throwaway PostgreSQL server for the tests: Debian's binaries, a temporary cluster on a
unix socket, started as the ``postgres`` user when we are root (initdb refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    if not found:
        raise RuntimeError(
            "no PostgreSQL server (/usr/lib/postgresql/*/bin): apt-get install postgresql "
            "(make test installs it)"
        )
    return Path(found[-1]).parent


def _as_owner(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a cluster; yield its URL (``postgresql://postgres@/postgres?host=SOCKET``)."""
    bindir = _bindir()
    root = Path(tempfile.mkdtemp(prefix="dilemma-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    log = root / "log"
    subprocess.run(
        _as_owner(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    with log.open("wb") as errors:
        server = subprocess.Popen(
            _as_owner(
                [
                    str(bindir / "postgres"),
                    "-D",
                    str(data),
                    "-k",
                    str(sockets),
                    "-c",
                    "listen_addresses=",
                    "-c",
                    "fsync=off",
                    "-c",
                    "max_connections=200",
                ]
            ),
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(
            ["pg_isready", "-h", str(sockets), "-U", "postgres", "-q"], check=False
        ).returncode:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"postgresql://postgres@/postgres?host={sockets}"
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(root, ignore_errors=True)

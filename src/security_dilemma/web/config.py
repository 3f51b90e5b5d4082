"""The server's settings: one immutable record built by ``dilemma serve`` (or a test)."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput, Problem

__all__ = ["LOOPBACK_NAMES", "WebConfig", "is_loopback", "new_token"]

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
"""Host names a loopback-bound server answers to (a guard against DNS rebinding)."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or address to bind) is this machine only.

    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A fresh random access token (printed by ``dilemma serve`` when it needs one)."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class WebConfig:
    """Settings of one server.

    ``token`` None means no authentication (a loopback server, or ``--no-auth``);
    ``allowed_hosts`` empty accepts any ``Host`` header (a server bound beyond loopback).
    """

    store: Path
    uploads: Path
    token: str | None = None
    allowed_hosts: tuple[str, ...] = (*LOOPBACK_NAMES, "[::1]")
    max_body_bytes: int = 1024 * 1024
    max_queue: int = 4
    max_replicates: int = 2000
    executor: str = "local"
    workers: int | None = None
    database: str | None = None
    """The classroom's database URL; None: a SQLite file next to the run store."""

    def __post_init__(self) -> None:
        problems = []
        if self.max_body_bytes < 1024:
            problems.append(Problem("must be at least 1024", path="max_body_bytes"))
        if self.max_queue < 1:
            problems.append(Problem("must be at least 1", path="max_queue"))
        if self.max_replicates < 2:
            problems.append(Problem("must be at least 2", path="max_replicates"))
        if self.executor not in ("local", "serial"):
            problems.append(Problem("local or serial", path="executor"))
        if problems:
            raise BadInput(problems)

    @classmethod
    def for_host(
        cls, host: str, store: Path, *, no_auth: bool = False, **settings: object
    ) -> WebConfig:
        """Settings for a server bound to ``host``: a token unless loopback or ``no_auth``."""
        local = is_loopback(host)
        token = None if local or no_auth else new_token()
        hosts = (*LOOPBACK_NAMES, "[::1]") if local else ()
        uploads = store.with_name(store.name + ".cases")
        return cls(store=store, uploads=uploads, token=token, allowed_hosts=hosts, **settings)  # type: ignore[arg-type]

"""The server's guard: one ASGI middleware in front of every request.

In order, it checks the ``Host`` header (a loopback server answers only to loopback names,
against DNS rebinding), the access token (when the server has one), the request's size
(:attr:`WebConfig.max_body_bytes`, 413 above it), and, for a request that changes something,
its origin and CSRF token: a form (or htmx) request must carry the token of its
``dilemma_csrf`` cookie (double submit: a field ``csrf_token`` or the header
``X-CSRF-Token``); a JSON request to ``/api`` needs no token, since a browser sends JSON to
another site only after a CORS preflight this server never grants. Every response gets a
Content-Security-Policy without inline scripts and the usual hardening headers.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import Request

__all__ = [
    "CSP",
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "TOKEN_COOKIE",
    "Guard",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
"""No inline script or style, nothing from another origin."""

CSRF_COOKIE = "dilemma_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
TOKEN_COOKIE = "dilemma_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")

_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a.encode(), b.encode())


async def _reply(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"ok": False, "error": _REASONS.get(status, "error"), "message": message})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *_HEADERS,
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


_REASONS = {
    400: "bad request",
    401: "unauthorised",
    403: "forbidden",
    413: "too large",
    415: "unsupported media type",
}


class Guard:
    """ASGI middleware: host, token, size, origin and CSRF checks; security headers."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        allowed_hosts: tuple[str, ...],
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not await self._admit(request, send):
            return
        extra: list[tuple[bytes, bytes]] = []
        csrf = request.cookies.get(CSRF_COOKIE)
        if not csrf or len(csrf) > 64:
            csrf = secrets.token_urlsafe(24)
            cookie = f"{CSRF_COOKIE}={csrf}; HttpOnly; SameSite=Strict; Path=/"
            extra.append((b"set-cookie", cookie.encode()))
        scope.setdefault("state", {})["csrf"] = csrf
        if request.method not in SAFE_METHODS:
            body = await self._body(request.headers, receive, send, extra)
            if body is None:
                return
            problem = await self._unsafe_problem(scope, request.headers, body, request.cookies)
            if problem is not None:
                await _reply(send, *problem, extra)
                return
            receive = _replay(body, receive)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS, *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _admit(self, request: Request, send: Send) -> bool:
        """Check the host and the token; False when a refusal (or redirect) was sent."""
        host = request.headers.get("host", "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.allowed_hosts and name not in self.allowed_hosts:
            await _reply(send, 400, f"this server does not answer to host '{name}'", [])
            return False
        if self.token is None:
            return True
        if _same(request.query_params.get("token"), self.token) and request.method == "GET":
            rest = urlencode([(k, v) for k, v in parse_qsl(request.url.query) if k != "token"])
            location = request.url.path + (f"?{rest}" if rest else "")
            cookie = f"{TOKEN_COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            headers = [(b"location", location.encode()), (b"set-cookie", cookie.encode())]
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [*headers, (b"content-length", b"0"), *_HEADERS],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return False
        auth = request.headers.get("authorization", "")
        bearer = auth[7:] if auth.lower().startswith("bearer ") else None
        if _same(bearer, self.token) or _same(request.cookies.get(TOKEN_COOKIE), self.token):
            return True
        await _reply(
            send,
            401,
            "this server needs its access token: open the URL that 'dilemma serve' "
            "printed, or send 'Authorization: Bearer TOKEN'",
            [(b"www-authenticate", b"Bearer")],
        )
        return False

    async def _body(
        self, headers: Headers, receive: Receive, send: Send, extra: list[tuple[bytes, bytes]]
    ) -> bytes | None:
        """The whole request body, or None when it is too large (413 sent) or cut off."""
        too_large = f"request larger than {self.max_body_bytes} bytes"
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await _reply(send, 413, too_large, extra)
            return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await _reply(send, 413, too_large, extra)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _unsafe_problem(
        self, scope: Scope, headers: Headers, body: bytes, cookies: dict[str, str]
    ) -> tuple[int, str] | None:
        """Why a request that changes something is refused (status, message), or None."""
        origin = headers.get("origin")
        if origin is not None and origin != "null":
            expected = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
            if origin != expected:
                return 403, f"cross-origin request from {origin} refused"
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        path: str = scope.get("path", "")
        if kind == "application/json":
            return None
        if path.startswith("/api/") and kind not in FORM_TYPES:
            return 415, "send JSON (Content-Type: application/json)"
        cookie = cookies.get(CSRF_COOKIE)
        given = headers.get(CSRF_HEADER)
        if given is None and kind in FORM_TYPES:
            form_request = Request(scope, receive=_replay(body, _never_called))
            try:
                form = await form_request.form(max_files=4, max_fields=200)
            except Exception:  # a malformed form: refused below, without a token
                form = None
            if form is not None:
                value = form.get(CSRF_FIELD)
                given = value if isinstance(value, str) else None
                await form.close()
        if not _same(given, cookie):
            return 403, "missing or wrong CSRF token: reload the page and try again"
        return None


async def _never_called() -> Message:  # pragma: no cover - the replay sends the whole body
    return {"type": "http.disconnect"}


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the buffered body over once, then defers to ``receive``."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

"""The add-in server's front door: what reaches xlwings Server, and what is refused first.

:class:`RequestGuard` is pure ASGI middleware in front of xlwings Server. In order:

- **Pages and files** (GET, HEAD): only the server's own pages (the task pane, the manifest,
  the function and script lists) and files inside the folders meant to be served
  (:mod:`ragbook.excel.static_paths`); anything else is 404, however the path is encoded.
- **Signed in before read**: every other request is checked for its sign-in (the access
  token, or Entra ID) from its headers alone, before a byte of its body is read; a request
  that fails gets 401 (or 403) whatever its body.
- **Size**: a body larger than ``max_bytes`` (declared, or counted as it streams in) gets
  413 with a message an officer can act on.
- **Shape**: a button's or a worksheet function's body that is not what the add-in sends
  gets 400 with one sentence (:mod:`ragbook.excel.payload`); a button that does not exist,
  404 naming the ones that do.

What passes is handed on to xlwings Server unchanged.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ragbook.excel.payload import BadRequest, read_function_call, read_script_call
from ragbook.excel.static_paths import served_file

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_REQUEST_ENV = "RAGBOOK_MAX_REQUEST_MB"
MEGABYTE = 1024 * 1024
SCRIPTS_CALL_PATH = "/xlwings/custom-scripts-call/"
FUNCTIONS_CALL_PATH = "/xlwings/custom-functions-call"
# After refusing a request, read (and discard) at most this much more of its body
# so the client sees the answer instead of a reset connection; then hang up.
DRAIN_LIMIT = 64 * MEGABYTE
READING_METHODS = ("GET", "HEAD")


class SignInRefused(Exception):
    """A request whose sign-in is missing or wrong: the status (401 or 403) and why."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


SignIn = Callable[[Scope], Awaitable[None]]
"""Checks a request's sign-in from its scope (headers) alone; raises SignInRefused."""


@dataclass(frozen=True)
class Routes:
    """What the server offers: the pages GET may ask for, the folders static files come
    from, the buttons' scripts and the worksheet functions (with their fewest and most
    arguments)."""

    pages: frozenset[str]
    static_prefix: str
    static_folders: Sequence[Path]
    scripts: Sequence[str]
    functions: Mapping[str, tuple[int, int]]
    app_path: str = ""


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


class RequestGuard:
    """Pure ASGI middleware in front of xlwings Server (see the module's description)."""

    def __init__(self, app: ASGIApp, *, routes: Routes, max_bytes: int,
                 sign_in: SignIn | None = None, cors_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.routes = routes
        self.scripts = sorted(routes.scripts)
        self.max_bytes = max_bytes
        self.sign_in = sign_in
        base = routes.app_path.rstrip("/")
        self.scripts_path = base + SCRIPTS_CALL_PATH
        self.functions_path = base + FUNCTIONS_CALL_PATH
        self.static_prefix = routes.static_prefix.rstrip("/") + "/"
        self.cors_origins = list(cors_origins)

    def too_large_detail(self) -> str:
        return (f"The workbook sent is larger than this server accepts "
                f"({_megabytes(self.max_bytes)}); ask IT to raise {MAX_REQUEST_ENV}, "
                "or run ragbook recalc on the file")

    def unknown_script_detail(self, name: str) -> str:
        shown = name if len(name) <= 80 else name[:77] + "..."
        return (f"There is no ragbook script called {shown!r} on this server. "
                f"The scripts are: {', '.join(self.scripts)}. The add-in and the server "
                "may be different versions: ask IT to update them together.")

    def may_read(self, path: str) -> bool:
        """A GET or HEAD for one of the server's pages or for a file it may serve."""
        if path in self.routes.pages:
            return True
        if path.startswith(self.static_prefix):
            wanted = path[len(self.static_prefix):]
            return served_file(wanted, self.routes.static_folders) is not None
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        method = scope.get("method", "")
        if method in READING_METHODS:
            if self.may_read(path):
                await self.app(scope, receive, send)
            else:
                await self._refuse(scope, receive, send, 404, "Not Found")
            return
        if method == "OPTIONS":  # a browser's CORS question, answered by xlwings Server
            await self.app(scope, receive, send)
            return
        if self.sign_in is not None:
            try:
                await self.sign_in(scope)
            except SignInRefused as refused:
                await self._refuse(scope, receive, send, refused.status, refused.detail)
                return
        script = path[len(self.scripts_path):] if path.startswith(self.scripts_path) else None
        if script is not None and script not in self.scripts:
            await self._refuse(scope, receive, send, 404, self.unknown_script_detail(script),
                               scripts=self.scripts)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, 413, self.too_large_detail())
            return
        body = await self._body(scope, receive, send)
        if body is None:
            return
        if script is not None or path == self.functions_path:
            try:
                if script is not None:
                    read_script_call(body)
                else:
                    read_function_call(body, self.routes.functions)
            except BadRequest as error:
                await self._refuse(scope, receive, send, 400, str(error), more=False)
                return
            scope = dict(scope)
            scope["headers"] = [(key, value) for key, value in scope.get("headers", ())
                                if key.lower() != b"content-type"]
            scope["headers"].append((b"content-type", b"application/json"))
        handed_on = False

        async def replay() -> Message:
            nonlocal handed_on
            if not handed_on:
                handed_on = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _body(self, scope: Scope, receive: Receive, send: Send) -> bytes | None:
        """The whole body, or None when it was refused as too large (or the client left)."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None  # the client went away: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, 413, self.too_large_detail(),
                                   more=message.get("more_body", False))
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      detail: str, *, more: bool = True, **extra: Any) -> None:
        """Answer with a JSON error, then read and drop (some of) the unread body so
        that the client gets to read the answer before the connection closes."""
        body = json.dumps({"detail": detail, **extra}).encode("utf-8")
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode("ascii")),
                   (b"x-content-type-options", b"nosniff"),
                   (b"cache-control", b"no-store")]
        origin = _header(scope, b"origin")
        if origin and "*" in self.cors_origins:
            headers.append((b"access-control-allow-origin", b"*"))
        elif origin and origin.decode("latin-1") in self.cors_origins:
            headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
        if status in (401, 403):
            headers.append((b"www-authenticate", b"Bearer"))
        if status == 413 or (more and status in (401, 403)):
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body",
                    "body": b"" if scope.get("method") == "HEAD" else body, "more_body": False})
        drained = 0
        while more and drained <= DRAIN_LIMIT and scope.get("method") not in READING_METHODS:
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)

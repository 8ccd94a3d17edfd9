"""Serve the ragbook Excel add-in: xlwings Server with ragbook's project folder.

The add-in project is the repository's ``addin/`` folder (the manifest, the task
pane, the ribbon, and the packages ``custom_scripts`` and ``custom_functions``
that expose :mod:`ragbook.excel.scripts` and :mod:`ragbook.excel.functions`).
xlwings Server reads its settings once, when it is first imported, so
:func:`configure` must run before anything imports ``xlwings`` or
``xlwings_server``::

    from ragbook.excel import server
    server.configure()            # or configure(Path("addin"))
    app = server.create_app()     # an ASGI app, for uvicorn or any ASGI server
    server.run("127.0.0.1", 8000) # or just this: configure + create_app + uvicorn

``uvicorn --factory ragbook.excel.server:create_app`` serves the same app.

:func:`create_app` wraps xlwings Server's app in :class:`RequestGuard`, which
adds two things xlwings Server lacks: a request size limit (HTTP 413 with a
message an officer can act on; ``RAGBOOK_MAX_REQUEST_MB``, default 10) and a 404
naming the available scripts when a button asks for a script that does not exist
(xlwings Server answers a bare 500).
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

import ragbook
from ragbook import excel

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKENS_ENV = "RAGBOOK_TOKENS"
MAX_REQUEST_ENV = "RAGBOOK_MAX_REQUEST_MB"
DEFAULT_MAX_REQUEST_MB = 10.0
MEGABYTE = 1024 * 1024
SCRIPTS_CALL_PATH = "/xlwings/custom-scripts-call/"
# After refusing a request, read (and discard) at most this much more of its body
# so the client sees the answer instead of a reset connection; then hang up.
DRAIN_LIMIT = 64 * MEGABYTE

_configured: Path | None = None


class AddinError(RuntimeError):
    """The add-in cannot be served as set up; the message says what to do."""


def _is_project(folder: Path) -> bool:
    return all((folder / package / "__init__.py").is_file()
               for package in ("custom_scripts", "custom_functions"))


def project_dir() -> Path:
    """The add-in project folder: the repository's ``addin/`` (next to ``src/``)
    when ragbook runs from a checkout, else ``addin/`` in the current folder."""
    for candidate in (Path(ragbook.__file__).resolve().parents[2] / "addin",
                      Path.cwd() / "addin"):
        if candidate.is_dir():
            return candidate
    raise AddinError(
        "cannot find the add-in project folder (addin/, with custom_scripts/ and "
        "custom_functions/): run this from the ragbook folder, or give --project DIR")


def _read_dotenv(path: Path) -> dict[str, str]:
    """The settings in an .env file, parsed as xlwings Server parses it."""
    from dotenv import dotenv_values  # a dependency of pydantic-settings (xlwings Server)

    return {key: value for key, value in dotenv_values(path).items() if value is not None}


def configure(project: Path | None = None, *, auth_token_env: str = TOKENS_ENV) -> Path:
    """Point xlwings Server at the add-in project and set the environment it reads.

    Sets ``XLWINGS_PROJECT_DIR`` and ``XLWINGS_ON_SERVER=true``, and, unless they
    are already set (in the environment or the project's ``.env``),
    ``XLWINGS_LICENSE_KEY=noncommercial`` (PolyForm Noncommercial, which permits
    government institutions) and ``XLWINGS_ENABLE_HOTRELOAD=false``. ``RAGBOOK_*``
    settings in the project's ``.env`` (or ``DOTENV_PATH``) are copied into the
    environment, which wins over them. ``auth_token_env`` names the environment
    variable that lists the accepted access tokens, when it is not
    ``RAGBOOK_TOKENS`` (its value is copied there, where ``auth/custom`` reads it).

    Must run before ``xlwings`` or ``xlwings_server`` is imported; returns the
    project folder.
    """
    global _configured
    folder = Path(project) if project is not None else project_dir()
    folder = folder.expanduser().resolve()
    if not folder.is_dir():
        raise AddinError(f"{folder}: no such folder (the add-in project, addin/)")
    if not _is_project(folder):
        raise AddinError(f"{folder} is not an add-in project: it needs custom_scripts/ and "
                         "custom_functions/ (see the repository's addin/ folder)")
    loaded = sys.modules.get("xlwings_server.config")
    if loaded is not None and Path(loaded.PROJECT_DIR).resolve() != folder:
        raise AddinError(f"xlwings Server was already started for {loaded.PROJECT_DIR} in "
                         f"this Python process; use a new process to serve {folder}")
    xlwings = sys.modules.get("xlwings")
    if xlwings is not None and os.environ.get("XLWINGS_ON_SERVER") != "true":
        logger.warning("xlwings was imported before ragbook.excel.server.configure(); "
                       "@script and @func from 'xlwings' (not 'xlwings.server') are no-ops")

    dotenv = Path(os.environ.get("DOTENV_PATH") or folder / ".env")
    if dotenv.is_file():
        for key, value in _read_dotenv(dotenv).items():
            if key == excel.LICENCE_KEY and excel.licence_defaulted:
                os.environ[key] = value  # the project's key, not ragbook's default
                excel.licence_defaulted = False
            elif key.startswith(("RAGBOOK_", "XLWINGS_")):
                os.environ.setdefault(key, value)
    os.environ["XLWINGS_PROJECT_DIR"] = str(folder)
    os.environ["XLWINGS_ON_SERVER"] = "true"
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    os.environ.setdefault("XLWINGS_ENABLE_HOTRELOAD", "false")
    if auth_token_env != TOKENS_ENV and auth_token_env in os.environ:
        os.environ[TOKENS_ENV] = os.environ[auth_token_env]
    _configured = folder
    return folder


def max_request_bytes() -> int:
    """The request size limit, from ``RAGBOOK_MAX_REQUEST_MB`` (default 10)."""
    text = os.environ.get(MAX_REQUEST_ENV, "").strip()
    if not text:
        return int(DEFAULT_MAX_REQUEST_MB * MEGABYTE)
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not megabytes > 0 or megabytes == float("inf"):
        raise AddinError(f"{MAX_REQUEST_ENV} must be a number of megabytes such as 10, "
                         f"not {text!r}")
    return int(megabytes * MEGABYTE)


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value)
    return None


class RequestGuard:
    """Pure ASGI middleware in front of xlwings Server.

    - A body larger than ``max_bytes`` (declared in Content-Length, or counted as it
      streams in) gets HTTP 413 with a JSON ``detail`` for the officer.
    - ``POST {app_path}/xlwings/custom-scripts-call/NAME`` for a NAME that is not
      one of ``scripts`` gets HTTP 404 listing the scripts there are.

    Bodies within the limit are read in full and handed on (xlwings Server reads
    the whole body into memory anyway). Other traffic passes through untouched.
    """

    def __init__(self, app: ASGIApp, *, scripts: Iterable[str], max_bytes: int,
                 app_path: str = "", cors_origins: Iterable[str] = ()) -> None:
        self.app = app
        self.scripts = sorted(scripts)
        self.max_bytes = max_bytes
        self.scripts_path = app_path.rstrip("/") + SCRIPTS_CALL_PATH
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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path.startswith(self.scripts_path):
            name = path[len(self.scripts_path):]
            if name not in self.scripts:
                await self._refuse(scope, receive, send, 404, self.unknown_script_detail(name),
                                   scripts=self.scripts)
                return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send, 413, self.too_large_detail())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, 413, self.too_large_detail(),
                                   more=message.get("more_body", False))
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        whole = b"".join(chunks)
        handed_on = False

        async def replay() -> Message:
            nonlocal handed_on
            if not handed_on:
                handed_on = True
                return {"type": "http.request", "body": whole, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      detail: str, *, more: bool = True, **extra: Any) -> None:
        """Answer with a JSON error, then read and drop (some of) the unread body so
        that the client gets to read the answer before the connection closes."""
        body = json.dumps({"detail": detail, **extra}).encode("utf-8")
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(body)).encode("ascii"))]
        origin = _header(scope, b"origin")
        if origin and "*" in self.cors_origins:
            headers.append((b"access-control-allow-origin", b"*"))
        elif origin and origin.decode("latin-1") in self.cors_origins:
            headers += [(b"access-control-allow-origin", origin), (b"vary", b"Origin")]
        if status == 413:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})
        drained = 0
        while more and drained <= DRAIN_LIMIT and scope.get("method") not in ("GET", "HEAD"):
            message = await receive()
            if message["type"] != "http.request":
                break
            drained += len(message.get("body", b""))
            more = message.get("more_body", False)


def _under(path: str | None, folder: Path) -> bool:
    return path is not None and Path(path).resolve().is_relative_to(folder)


def create_app() -> ASGIApp:
    """The ragbook add-in server as an ASGI app (calls :func:`configure` if needed)."""
    folder = _configured or configure()
    try:
        import xlwings.server
        from xlwings_server.config import settings
    except ImportError as error:
        raise AddinError(f"the add-in needs xlwings Server ({error}): install it with "
                         "pip install 'ragbook[addin]'") from error
    # Import the project's packages first, so that their real errors surface here:
    # xlwings Server would otherwise fall back quietly to its own empty examples.
    packages = {}
    for package in ("custom_scripts", "custom_functions"):
        try:
            packages[package] = importlib.import_module(package)
        except ImportError as error:
            raise AddinError(f"{folder / package} could not be imported: {error}") from error
        if not _under(getattr(packages[package], "__file__", None), folder):
            raise AddinError(f"'{package}' was imported from {packages[package].__file__}, "
                             f"not from {folder}")
    if "custom" in (settings.auth_providers or []):
        try:
            custom_auth = importlib.import_module("auth.custom")
        except ImportError as error:
            raise AddinError(f"{folder / 'auth' / 'custom'} could not be imported ({error}); "
                             "refusing to start with xlwings Server's example tokens") from error
        if not _under(getattr(custom_auth, "__file__", None), folder):
            raise AddinError("the access-token check (auth/custom) is not ragbook's; refusing "
                             "to start with xlwings Server's example tokens")
        if not os.environ.get(TOKENS_ENV, "").strip(", "):
            logger.warning("XLWINGS_AUTH_PROVIDERS includes \"custom\" but %s is empty: "
                           "every request will be refused", TOKENS_ENV)
    from xlwings_server.main import main_app
    from xlwings_server.routers import xlwings as xlwings_routes

    if not _under(getattr(xlwings_routes.custom_scripts, "__file__", None), folder):
        raise AddinError("xlwings Server did not load the add-in's custom_scripts")
    scripts = [meta["function_name"]
               for meta in xlwings.server.custom_scripts_meta(packages["custom_scripts"])]
    if not scripts:
        raise AddinError(f"{folder / 'custom_scripts'} offers no scripts")
    return RequestGuard(main_app, scripts=scripts, max_bytes=max_request_bytes(),
                        app_path=settings.app_path, cors_origins=settings.cors_allow_origins)


def certificates(folder: Path) -> tuple[str, str] | None:
    """The HTTPS certificate and key in ``PROJECT/certs`` (as made by mkcert for
    xlwings Server: ``localhost+2.pem`` and ``localhost+2-key.pem``), if both exist."""
    cert, key = folder / "certs" / "localhost+2.pem", folder / "certs" / "localhost+2-key.pem"
    return (str(cert), str(key)) if cert.is_file() and key.is_file() else None


def run(host: str = "127.0.0.1", port: int = 8000, *, project: Path | None = None) -> None:
    """Serve the add-in with uvicorn (one worker) until interrupted. Uses HTTPS when
    the project folder has certificates in ``certs/`` (Excel needs HTTPS, except
    behind a proxy that provides it)."""
    folder = configure(project)
    app = create_app()
    try:
        import uvicorn
    except ImportError as error:
        raise AddinError(f"serving the add-in needs uvicorn ({error}): install it with "
                         "pip install 'ragbook[addin]'") from error

    pair = certificates(folder)
    scheme = "https" if pair else "http"
    shown = f"[{host}]" if ":" in host else host
    print(f"Serving the ragbook add-in from {folder}\n"
          f"  manifest:  {scheme}://{shown}:{port}/manifest\n"
          f"  task pane: {scheme}://{shown}:{port}/taskpane.html"
          + ("" if pair else "\n  (plain HTTP: Excel needs HTTPS, from certs/ or a proxy)"),
          flush=True)
    # Everything loaded so far lives as long as the server: keep it out of the garbage
    # collector's full passes, which would otherwise pause a button click every few clicks.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host, port=port, workers=1, proxy_headers=True,
                ssl_certfile=pair[0] if pair else None, ssl_keyfile=pair[1] if pair else None)

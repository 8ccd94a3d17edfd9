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

:func:`create_app` puts :class:`~ragbook.excel.guard.RequestGuard` in front of xlwings
Server: only its pages and the files in the served folders can be read; every other request
is signed in before its body is read, kept to a size limit (``RAGBOOK_MAX_REQUEST_MB``,
default 10) and checked to be what the add-in sends. It refuses to start when a settings
file or key could be reached through the static route, or when xlwings Server would serve
routes ragbook does not use (its Wasm and socket.io routes). Behind the guard,
:class:`ManifestAsFile` sends the manifest as a file to save (``manifest.xml``).
"""

from __future__ import annotations

import gc
import importlib
import inspect
import ipaddress
import logging
import os
import sys
from pathlib import Path

import ragbook
from ragbook import excel
from ragbook.excel.guard import (
    MAX_REQUEST_ENV,
    MEGABYTE,
    ASGIApp,
    Message,
    Receive,
    RequestGuard,
    Routes,
    Scope,
    Send,
    SignIn,
    SignInRefused,
)
from ragbook.excel.static_paths import reachable_secrets

logger = logging.getLogger(__name__)

TOKENS_ENV = "RAGBOOK_TOKENS"
ANONYMOUS_ENV = "RAGBOOK_ALLOW_ANONYMOUS"
DEFAULT_MAX_REQUEST_MB = 10.0
LOOPBACK_NAMES = ("localhost", "localhost.localdomain")
MANIFEST_PATHS = ("/manifest", "/manifest.xml", "/manifest/download")
MANIFEST_TYPE = b"application/xml; charset=utf-8"
MANIFEST_FILE = b"attachment; filename=manifest.xml"

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
    # ragbook's functions do not stream, so the add-in needs no socket.io connection.
    os.environ.setdefault("XLWINGS_ENABLE_SOCKETIO", "false")
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
    from xlwings_server.main import app as fastapi_app
    from xlwings_server.main import main_app
    from xlwings_server.routers import xlwings as xlwings_routes

    if not _under(getattr(xlwings_routes.custom_scripts, "__file__", None), folder):
        raise AddinError("xlwings Server did not load the add-in's custom_scripts")
    if settings.enable_socketio or settings.enable_wasm:
        setting = "XLWINGS_ENABLE_SOCKETIO" if settings.enable_socketio else "XLWINGS_ENABLE_WASM"
        raise AddinError(f"{setting} is true, but the ragbook add-in does not use it and it "
                         "would open routes that are not signed in first: set it to false")
    scripts = [meta["function_name"]
               for meta in xlwings.server.custom_scripts_meta(packages["custom_scripts"])]
    if not scripts:
        raise AddinError(f"{folder / 'custom_scripts'} offers no scripts")
    routes = _routes(fastapi_app, scripts, packages["custom_functions"], settings.app_path)
    _refuse_reachable_secrets(folder, routes)
    return RequestGuard(ManifestAsFile(main_app, settings.app_path), routes=routes,
                        max_bytes=max_request_bytes(),
                        sign_in=_sign_in_check(settings.auth_providers or []),
                        cors_origins=settings.cors_allow_origins)


class ManifestAsFile:
    """The manifest served as a file to save: a browser opening ``/manifest`` (or
    ``/manifest.xml``) saves ``manifest.xml``, the file Excel's Upload My Add-in and the
    Microsoft 365 admin centre ask for. xlwings Server sends it as ``text/plain`` to be shown;
    ``/manifest/download`` keeps the file name xlwings Server gives it (``ragbook-prod.xml``)."""

    def __init__(self, app: ASGIApp, app_path: str = "") -> None:
        self.app = app
        base = app_path.rstrip("/")
        self.paths = frozenset(base + path for path in MANIFEST_PATHS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return

        async def as_file(message: Message) -> None:
            if message["type"] == "http.response.start" and message.get("status") == 200:
                headers = [(key, value) for key, value in message.get("headers", ())
                           if key.lower() != b"content-type"]
                headers.append((b"content-type", MANIFEST_TYPE))
                if not any(key.lower() == b"content-disposition" for key, _ in headers):
                    headers.append((b"content-disposition", MANIFEST_FILE))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, as_file)


def _routes(app: object, scripts: list[str], functions: object, app_path: str) -> Routes:
    """The pages, the static folders, the scripts and the functions the server offers."""
    from fastapi.routing import APIRoute
    from starlette.routing import Mount
    from xlwings_server.routers import manifest, root, taskpane
    from xlwings_server.routers import xlwings as xlwings_routes

    pages = {route.path for router in (root.router, taskpane.router, manifest.router,
                                       xlwings_routes.router)
             for route in router.routes
             if isinstance(route, APIRoute) and "GET" in (route.methods or ())
             and "{" not in route.path}
    mounts = [route for route in getattr(app, "routes", []) if isinstance(route, Mount)]
    static = [mount for mount in mounts if mount.name == "static"]
    if len(mounts) != 1 or not static:
        raise AddinError("xlwings Server serves files from other folders than static/ "
                         f"({', '.join(m.path for m in mounts)}): ragbook does not use them")
    files = static[0].app
    if hasattr(files, "user_dir") and hasattr(files, "package_dir"):
        folders = [Path(files.user_dir), Path(files.package_dir)]
    else:
        folders = [Path(str(files.directory))]  # type: ignore[attr-defined]
    counts = {}
    for _, function in inspect.getmembers(functions):
        if hasattr(function, "__xlfunc__"):
            parameters = inspect.signature(function).parameters.values()
            counts[function.__xlfunc__["name"]] = (
                sum(p.default is inspect.Parameter.empty for p in parameters),
                len(parameters))
    return Routes(pages=frozenset(pages), static_prefix=static[0].path, static_folders=folders,
                  scripts=scripts, functions=counts, app_path=app_path)


def _refuse_reachable_secrets(folder: Path, routes: Routes) -> None:
    """Refuse to start when a settings file or key sits where the static route serves from
    (the project's own folders; xlwings Server's package folder holds only its own files)."""
    served = [f for f in routes.static_folders if _under(str(f), folder)]
    dotenv = Path(os.environ.get("DOTENV_PATH") or folder / ".env")
    known = [dotenv, folder / ".env", *(certificates(folder) or ())]
    found = reachable_secrets(served, known)
    if found:
        raise AddinError(f"{found[0]} holds settings or a key and sits in a folder the add-in "
                         "server serves to anyone: move it out of the project folder (keep "
                         "tokens and keys in the environment or outside it)"
                         + (f"; {len(found) - 1} more such file(s)" if len(found) > 1 else ""))
    if (folder / ".env").is_file() and TOKENS_ENV in (folder / ".env").read_text(
            encoding="utf-8", errors="replace"):
        logger.warning("%s holds the access tokens: better keep them in the environment of the "
                       "server's own account, outside the project folder", folder / ".env")


def _sign_in_check(providers: list[str]) -> SignIn | None:
    """A request's sign-in checked from its headers, as xlwings Server checks it (the same
    provider, roles and authorisation), before its body is read; None without a provider."""
    if not providers:
        return None
    from fastapi import HTTPException
    from starlette.requests import Request
    from xlwings_server import dependencies

    async def sign_in(scope: Scope) -> None:
        request = Request(scope)
        try:
            user = await dependencies.authenticate(
                token_string=request.headers.get("authorization", ""),
                auth_provider=request.headers.get("auth-provider"))
            await dependencies.get_user(request, user)
        except HTTPException as error:
            status = 403 if error.status_code == 403 else 401
            raise SignInRefused(status, str(error.detail)) from None
        except Exception:
            logger.exception("The sign-in could not be checked")
            raise SignInRefused(401, "The server could not check your sign-in: try again, "
                                     "or tell IT.") from None

    return sign_in


def is_loopback(host: str) -> bool:
    """True for an address only this computer can reach (127.0.0.1, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_sign_in_required(host: str) -> None:
    """On an address other computers can reach, the server signs every request in: without
    a sign-in provider it does not start (unless RAGBOOK_ALLOW_ANONYMOUS=true, for a proxy
    in front that signs users in itself)."""
    from xlwings_server.config import settings

    if settings.auth_providers or is_loopback(host):
        return
    if os.environ.get(ANONYMOUS_ENV, "").strip().lower() in ("1", "true", "yes"):
        logger.warning("Serving on %s without a sign-in (%s is set): anyone who can reach the "
                       "server can use it", host, ANONYMOUS_ENV)
        return
    raise AddinError(f"serving on {host} lets other computers reach the add-in, so it needs a "
                     "sign-in: set XLWINGS_AUTH_PROVIDERS to [\"custom\"] with RAGBOOK_TOKENS, "
                     "or to [\"entraid\"] (see addin/.env.example); serve on 127.0.0.1 to try it "
                     "on this computer")


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
    check_sign_in_required(host)
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

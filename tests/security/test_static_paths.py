"""Nothing of the add-in project, or of the machine, is served but the files meant to be.

The real ``ragbook serve`` runs on a copy of the add-in project that holds what a council's
would: a ``.env`` with the access tokens, an HTTPS key under ``certs/``, the Python source, and
symlinks in ``static/`` to files outside it. Each request is sent byte for byte over a socket,
so ``..`` and ``//`` reach the server as written.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import ROOT, run_ragbook
from serving import Server, serve, server_env

TOKEN = "canary-token-7f3a9c"
KEY = "-----BEGIN PRIVATE KEY-----\ncanary-key-51d2\n-----END PRIVATE KEY-----\n"
OUTSIDE = "canary-outside-88e1"
SECRETS = (TOKEN, "canary-key-51d2", OUTSIDE, "root:x:0:0", "custom_scripts", "import ",
           "XLWINGS_", "[tool.xlwings_server]")


def project_copy(folder: Path) -> Path:
    """The add-in project as a council would deploy it, with its secrets beside it."""
    project = folder / "addin"
    shutil.copytree(ROOT / "addin", project, ignore=shutil.ignore_patterns("__pycache__"))
    (project / ".env").write_text(f'XLWINGS_AUTH_PROVIDERS=["custom"]\nRAGBOOK_TOKENS={TOKEN}\n',
                                  encoding="utf-8")
    (project / "certs").mkdir()
    (project / "certs" / "server-key.pem").write_text(KEY, encoding="utf-8")
    (folder / "outside.txt").write_text(OUTSIDE, encoding="utf-8")
    (project / "static" / "js" / "outside.js").symlink_to(folder / "outside.txt")
    (project / "static" / "linked").symlink_to(project / "custom_scripts")
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return project_copy(tmp_path_factory.mktemp("deployed"))


@pytest.fixture(scope="module")
def server(project) -> Iterator[Server]:
    yield from serve(project.parent, "--project", str(project), dotenv=project / ".env")


TRAVERSALS = [
    "../.env",
    "../../.env",
    "js/../../.env",
    "%2e%2e/.env",
    "%2E%2E/.env",
    ".%2e/.env",
    "%2e./.env",
    "%252e%252e/.env",
    "%25252e%25252e/.env",
    "..%2f.env",
    "..%2F.env",
    "%2e%2e%2f.env",
    "%252e%252e%252f.env",
    "..%5c.env",
    "..\\.env",
    "%2e%2e%5c.env",
    "..%255c.env",
    "%c0%ae%c0%ae/.env",
    "..%c0%af.env",
    "%e0%80%ae%e0%80%ae/.env",
    "%u002e%u002e/.env",
    "%ef%bc%8e%ef%bc%8e/.env",  # fullwidth full stops
    "%e2%80%a5/.env",  # two dot leader
    "..%20/.env",
    "..%2e/.env",
    "...%2f.env",
    "....//.env",
    "..;/.env",
    "..%00/.env",
    ".env",
    "%2eenv",
    "js/%2e%2e/%2e%2e/.env",
    "js/..%2f..%2f.env",
    "../certs/server-key.pem",
    "%2e%2e/certs/server-key.pem",
    "../custom_scripts/__init__.py",
    "../pyproject.toml",
    "linked/__init__.py",
    "js/outside.js",
    "/etc/passwd",
    "//etc/passwd",
    "%2fetc%2fpasswd",
    "%252fetc%252fpasswd",
    "../../../../../../../../etc/passwd",
    "..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..\\..\\..\\..\\..\\..\\..\\..\\etc\\passwd",
    "C:/Windows/win.ini",
    "C:%5cWindows%5cwin.ini",
    "file:///etc/passwd",
    "../../xlwings_server/config.py",
    "%2e%2e/%2e%2e/config.py",
]


@pytest.mark.parametrize("path", TRAVERSALS)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_path_out_of_the_served_folders_is_404(server, path, method):
    status, body = server.raw(method, "/static/" + path)
    assert status in (400, 404), (path, status, body[:200])
    text = body.decode("utf-8", "replace")
    assert not any(secret in text for secret in SECRETS), (path, text[:200])


@pytest.mark.parametrize("target", [
    "/.env", "/%2e%2e/.env", "/static", "/static/", "/STATIC/../.env", "/taskpane.html/../.env",
    "/manifest/..%2f.env", "/xlwings/../.env", "/custom_scripts/__init__.py",
    "/certs/server-key.pem", "/pyproject.toml", "/templates/taskpane.html", "//etc/passwd",
    "/static/../../../../etc/passwd",
    "/socket.io/?EIO=4&transport=polling", "/docs", "/openapi.json",
])
def test_only_the_servers_pages_and_static_files_answer(server, target):
    status, body = server.raw("GET", target)
    assert status in (400, 404), (target, status)
    assert not any(secret in body.decode("utf-8", "replace") for secret in SECRETS)


@pytest.mark.parametrize("path", ["js/main.js", "js/ribbon.js", "css/style.css", "help.html",
                                  "images/icons/ragbook-32.png"])
def test_the_add_ins_own_files_are_served(server, project, path):
    status, body = server.raw("GET", "/static/" + path)
    assert status == 200
    assert body == (project / "static" / path).read_bytes()


def test_xlwings_servers_own_files_are_served(server):
    status, body = server.raw("GET", "/static/js/custom-scripts/index.js")
    assert status == 200
    assert b"getBookData" in body
    for page in ("/taskpane.html", "/manifest", "/xlwings/custom-scripts-meta",
                 "/xlwings/custom-functions-code.js", "/favicon.ico"):
        assert server.raw("GET", page)[0] == 200, page


def test_the_token_in_the_projects_env_is_the_one_the_server_uses(server):
    status, _ = server.raw("POST", "/xlwings/custom-functions-call", b"{}")
    assert status == 401  # the .env was read: sign-in is on


@pytest.mark.parametrize(("place", "content"), [
    ("static/.env", f"RAGBOOK_TOKENS={TOKEN}\n"),
    ("static/js/settings.env", f"RAGBOOK_TOKENS={TOKEN}\n"),
    ("static/localhost-key.pem", KEY),
    ("static/images/server.key", "anything\n"),
    ("static/images/logo.txt", KEY),
    ("static/js/config.txt", f"XLWINGS_AUTH_PROVIDERS=[\"custom\"]\nRAGBOOK_TOKENS={TOKEN}\n"),
])
def test_serve_refuses_to_start_with_a_secret_in_a_served_folder(tmp_path, place, content):
    project = project_copy(tmp_path)
    (project / place).write_text(content, encoding="utf-8")
    done = run_ragbook("serve", "--port", "1", "--project", project, env=server_env(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert str(project / place) in done.stderr
    assert "move it out of the project folder" in done.stderr


@pytest.mark.parametrize("target", [".env", "certs/server-key.pem"])
def test_serve_refuses_to_start_with_a_link_to_a_secret_in_a_served_folder(tmp_path, target):
    project = project_copy(tmp_path)
    (project / "static" / "js" / "handy.js").symlink_to(project / target)
    done = run_ragbook("serve", "--port", "1", "--project", project, env=server_env(tmp_path))
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{project / 'static' / 'js' / 'handy.js'} (a link to {project / target})" in done.stderr


def test_serve_refuses_the_routes_ragbook_does_not_use(tmp_path):
    project = project_copy(tmp_path)
    for setting in ("XLWINGS_ENABLE_WASM", "XLWINGS_ENABLE_SOCKETIO"):
        done = run_ragbook("serve", "--port", "1", "--project", project,
                           env=server_env(tmp_path, **{setting: "true"}))
        assert done.returncode == 2
        assert f"{setting} is true" in done.stderr

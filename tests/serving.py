"""Running the real add-in server for tests: ``ragbook serve`` in a subprocess on 127.0.0.1,
called over HTTP as Excel's add-in calls it, and read with raw sockets where a test must send
a path exactly as written (HTTP clients tidy ``..`` away)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import httpx
import pytest


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    port: int

    def get(self, path: str, **kwargs) -> httpx.Response:
        kwargs.setdefault("timeout", 60)
        return httpx.get(self.url + path, **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        kwargs.setdefault("timeout", 120)
        return httpx.post(self.url + path, **kwargs)

    def raw(self, method: str, target: str, body: bytes = b"",
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """Send ``target`` byte for byte (no tidying of ``..`` or ``//``); the status and body."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{self.port}",
                 "Connection: close", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as connection:
            connection.sendall(request)
            answer = b""
            while chunk := connection.recv(65536):
                answer += chunk
        head, _, content = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        return status, content

    def peak_memory_kb(self) -> int:
        """The server process's peak resident memory so far (VmHWM), in kB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM for the server process")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(folder: Path, dotenv: Path | None = None, **settings: str) -> dict[str, str]:
    """The environment with only these XLWINGS_/RAGBOOK_ settings (none inherited from the
    machine) and ``dotenv`` as the settings file (an empty one if not given)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("XLWINGS_", "RAGBOOK_")) and key != "DOTENV_PATH"}
    if dotenv is None:
        dotenv = folder / "empty.env"
        dotenv.write_text("", encoding="utf-8")
    env.update(PYTHONIOENCODING="utf-8", DOTENV_PATH=str(dotenv), **settings)
    return env


def serve(folder: Path, *args: str, dotenv: Path | None = None,
          **settings: str) -> Iterator[Server]:
    """Run ``ragbook serve ARGS`` from ``folder`` until the fixture ends."""
    env = server_env(folder, dotenv, **settings)
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        # From another folder, to show the add-in project is found from the code.
        process = subprocess.Popen(
            [sys.executable, "-m", "ragbook", "serve", "--host", "127.0.0.1", "--port",
             str(port), *args], cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log, port)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"ragbook serve stopped ({process.returncode}):\n{log.read_text()}")
            try:
                if server.get("/").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"ragbook serve did not answer within 90 s:\n{log.read_text()}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def function_call(func_name: str, *args: object) -> dict[str, object]:
    """A custom-function request as custom-functions-code.js sends it."""
    return {"client": "Office.js", "func_name": func_name,
            "args": [[[arg]] for arg in args], "caller_address": "[plan.xlsx]Measures!K2",
            "session_id": "test", "culture_info_name": "en-GB", "date_format": "dd/MM/yyyy",
            "version": version("xlwings"), "runtime": "1.4"}

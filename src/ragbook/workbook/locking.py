"""One ragbook run at a time on a file, and nothing left behind by a run that was killed.

A run that writes a file (the plan itself, or an ``--out`` file) holds ragbook's lock on it
from before it reads until after it has written: ``.~ragbook-NAME.lock`` beside the file,
locked with the operating system's file lock, which is let go when the run ends however it
ends (even killed). A second run waits a few seconds (``RAGBOOK_LOCK_WAIT``, default 5) and
then stops with a message naming the run that holds it. Taking the lock also removes what
earlier, killed runs left beside the file: their hidden temporary files.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ragbook.problems import Problem
from ragbook.workbook.files import PlanFileError, backup_path, temporary_pattern

WAIT_ENV = "RAGBOOK_LOCK_WAIT"
DEFAULT_WAIT = 5.0
POLL = 0.1

if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(handle: int) -> bool:
        try:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
else:
    import fcntl

    def _try_lock(handle: int) -> bool:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


def lock_path(target: Path) -> Path:
    """``plan.xlsx`` -> ``.~ragbook-plan.xlsx.lock``, beside it."""
    return target.with_name(f".~ragbook-{target.name}.lock")


def wait_seconds() -> float:
    """How long a run waits for another to finish (``RAGBOOK_LOCK_WAIT``, default 5 s)."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError:
        return DEFAULT_WAIT


def _who() -> dict[str, object]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    return {"pid": os.getpid(), "user": user, "host": socket.gethostname(),
            "started": datetime.now().replace(microsecond=0).isoformat(sep=" ")}


def _holder(lock: Path) -> str:
    """The run holding ``lock``, in words (as much as it wrote down)."""
    try:
        about = json.loads(lock.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        about = {}
    if not isinstance(about, dict) or not about:
        return "another ragbook run"
    words = f"another ragbook run ({about.get('command') or 'ragbook'}"
    if about.get("user"):
        words += f" by {about['user']}"
    if about.get("host"):
        words += f" on {about['host']}"
    if about.get("pid"):
        words += f", process {about['pid']}"
    if about.get("started"):
        words += f", started {about['started']}"
    return words + ")"


def _busy(target: Path, lock: Path, waited: float) -> PlanFileError:
    holder = _holder(lock)
    return PlanFileError(
        Problem(code="in-use-by-ragbook", found=f"a file {holder} is working on",
                expected="one ragbook run at a time on a file", place=target.name),
        f"{target} is being worked on by {holder}: ragbook waited {waited:g} s for it to "
        "finish. Nothing was changed; try again when it has finished. If no ragbook is "
        f"running, delete {lock.name}")


@contextlib.contextmanager
def holding(target: Path, command: str, *, wait: float | None = None) -> Iterator[None]:
    """Hold ragbook's lock on ``target`` for the ``with`` block (see the module), removing
    what killed runs left beside it once the lock is held."""
    target = Path(os.path.realpath(target))
    lock = lock_path(target)
    waited = wait_seconds() if wait is None else wait
    deadline = time.monotonic() + waited
    while True:
        try:
            handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except FileNotFoundError:  # the folder is not there: nothing to guard yet
            yield
            return
        except OSError:  # a read-only folder: the write will be refused with its own message
            yield
            return
        if _try_lock(handle):
            try:
                same = os.fstat(handle).st_ino == os.stat(lock).st_ino
            except OSError:  # the last holder removed it as we opened it
                same = False
            if same:
                break
        os.close(handle)
        if time.monotonic() >= deadline:
            raise _busy(target, lock, waited)
        time.sleep(POLL)
    try:
        about = json.dumps({"command": command, **_who()}).encode("utf-8")
        os.ftruncate(handle, 0)
        os.write(handle, about)
        remove_leftovers(target)
        yield
    finally:
        with contextlib.suppress(OSError):  # Windows keeps an open file: it stays, unlocked
            os.unlink(lock)
        os.close(handle)


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the hidden temporary files that runs killed while writing ``target`` (or its
    backup) left beside it. Only call this holding the lock on ``target``."""
    patterns = [re.compile(temporary_pattern(name))
                for name in (target.name, backup_path(target).name)]
    removed: list[Path] = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return removed
    for entry in entries:
        if entry.name.startswith(".~ragbook-") and any(p.match(entry.name) for p in patterns):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed

"""Batch runs: every plan in a folder, each in a worker process with its own time limit.

One file that takes too long (or brings its worker down) is stopped and reported, and the
next file goes to a fresh worker; the others are never held up. A worker is reused from one
file to the next while it is healthy, so a batch starts Python once, not once per file.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from ragbook.workbook.files import PlanFileError
from ragbook.workbook.locking import holding
from ragbook.workbook.operations import BatchLine, batch_one
from ragbook.workbook.time_limit import too_slow

STOP = None


def _work(connection: Connection) -> None:
    """A worker: rate the files it is sent, one at a time, until told to stop."""
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        if job is STOP:
            return
        path, out_dir, as_of = job
        connection.send(batch_one(path, out_dir, as_of))


class _Worker:
    def __init__(self, context: Any) -> None:
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    def run(self, job: tuple[Path, Path, date | None], seconds: float | None) -> BatchLine | str:
        """The file's line, or why the worker had to be stopped ("time" or "died")."""
        try:
            self.connection.send(job)
            if not self.connection.poll(seconds):
                return "time"
            line = self.connection.recv()
        except (EOFError, OSError):
            return "died"
        assert isinstance(line, BatchLine)
        return line

    def stop(self, *, now: bool = False) -> None:
        if not now:
            with contextlib.suppress(OSError):
                self.connection.send(STOP)
            self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


@contextlib.contextmanager
def _workers() -> Iterator[Callable[[], _Worker]]:
    """Hands out a worker, starting a new one after one was stopped."""
    context = multiprocessing.get_context("spawn")
    current: list[_Worker] = []

    def worker() -> _Worker:
        if not current or not current[0].process.is_alive():
            if current:
                current.pop().stop(now=True)
            current.append(_Worker(context))
        return current[0]

    try:
        yield worker
    finally:
        for running in current:
            running.stop()


def run_batch(files: Sequence[Path], out_dir: Path, *, as_of: date | None = None,
              seconds: float | None = None,
              progress: Callable[[int, int, Path], None] | None = None) -> list[BatchLine]:
    """Recalculate each of ``files`` into ``out_dir``, each within ``seconds``."""
    lines = []
    with _workers() as worker:
        for number, path in enumerate(files, start=1):
            if progress:
                progress(number, len(files), path)
            current = worker()
            outcome = current.run((path, out_dir, as_of), seconds)
            if isinstance(outcome, BatchLine):
                lines.append(outcome)
                continue
            current.stop(now=True)
            with contextlib.suppress(PlanFileError), holding(out_dir / path.name, "batch",
                                                             wait=0):
                pass  # taking the lock removes what the stopped worker left
            message = (str(too_slow(path, seconds or 0)) if outcome == "time" else
                       f"{path} stopped ragbook's worker (it may be damaged, or too large to "
                       "read); the file has not been changed")
            lines.append(BatchLine(path, "failed", message=message))
    return lines

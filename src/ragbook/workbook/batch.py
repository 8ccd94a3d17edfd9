"""Batch runs: every plan in a folder, rated in parallel, each file with its own time limit.

Each file goes to one of ``workers`` worker processes (all the machine's cores unless told
otherwise). One file that takes too long, or brings its worker down, is stopped and reported,
and a fresh worker takes the next file; the others are never held up. A worker is reused from
one file to the next while it is healthy, so a batch starts Python once per worker, not once
per file. For a national-scale run, :func:`run_batch_on_dask` sends the same per-file work to
an existing Dask cluster.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from ragbook.workbook.files import PlanFileError
from ragbook.workbook.locking import holding
from ragbook.workbook.operations import BadRequest, BatchLine, batch_one
from ragbook.workbook.time_limit import too_slow

STOP = None
Job = tuple[Path, Path, "date | None"]
Progress = Callable[[int, int, Path], None]


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
        self.job: Job | None = None
        self.index = -1
        self.started = 0.0

    def give(self, index: int, job: Job) -> None:
        self.index, self.job, self.started = index, job, time.monotonic()
        self.connection.send(job)

    def answer(self) -> BatchLine | str:
        """The file's line, or "died" when the worker went down."""
        try:
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


def _stopped(path: Path, out_dir: Path, why: str, seconds: float | None) -> BatchLine:
    """The line for a file whose worker was stopped; what it left half-written is cleared."""
    with contextlib.suppress(PlanFileError), holding(out_dir / path.name, "batch", wait=0):
        pass  # taking the lock removes what the stopped worker left
    message = (str(too_slow(path, seconds or 0)) if why == "time" else
               f"{path} stopped ragbook's worker (it may be damaged, or too large to read); "
               "the file has not been changed")
    return BatchLine(path, "failed", message=message)


def default_workers() -> int:
    """All the machine's cores (those this process may use)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run_batch(files: Sequence[Path], out_dir: Path, *, as_of: date | None = None,
              seconds: float | None = None, progress: Progress | None = None,
              workers: int | None = None) -> list[BatchLine]:
    """Recalculate each of ``files`` into ``out_dir`` on ``workers`` processes (default: all
    cores), each file within ``seconds``; the lines come back in the order of ``files``."""
    context = multiprocessing.get_context("spawn")
    count = max(1, min(workers or default_workers(), len(files) or 1))
    lines: list[BatchLine | None] = [None] * len(files)
    todo = list(enumerate(files))[::-1]
    idle = [_Worker(context) for _ in range(count)]
    busy: list[_Worker] = []
    done = 0
    try:
        while todo or busy:
            while todo and idle:
                index, path = todo.pop()
                worker = idle.pop()
                worker.give(index, (path, out_dir, as_of))
                busy.append(worker)
            timeout = None
            if seconds is not None:
                timeout = max(0.0, min(w.started + seconds for w in busy) - time.monotonic())
            ready = wait([w.connection for w in busy], timeout)
            now = time.monotonic()
            for worker in list(busy):
                answered = worker.connection in ready
                late = seconds is not None and now - worker.started >= seconds
                if not answered and not late:
                    continue
                assert worker.job is not None
                path = worker.job[0]
                outcome = worker.answer() if answered else "time"
                busy.remove(worker)
                if isinstance(outcome, BatchLine):
                    lines[worker.index] = outcome
                    idle.append(worker)
                else:
                    worker.stop(now=True)
                    lines[worker.index] = _stopped(path, out_dir, outcome, seconds)
                    idle.append(_Worker(context))
                done += 1
                if progress:
                    progress(done, len(files), path)
    finally:
        for worker in idle + busy:
            worker.stop(now=worker in busy)
    return [line for line in lines if line is not None]


def rate_one_file(path: Path, out_dir: Path, as_of: date | None,
                  seconds: float | None) -> BatchLine:
    """One file of a batch in a Python process of its own, stopped if it takes longer than
    ``seconds``: the work a Dask task does (a task's thread cannot be stopped, a process can,
    and Dask's worker processes may not start children of their own but may run programs)."""
    job = pickle.dumps((path, out_dir, as_of))
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD], input=job, capture_output=True,
                              timeout=seconds, check=False)
    except subprocess.TimeoutExpired:
        return _stopped(path, out_dir, "time", seconds)
    if done.returncode != 0 or not done.stdout:
        return _stopped(path, out_dir, "died", seconds)
    line = pickle.loads(done.stdout)
    assert isinstance(line, BatchLine)
    return line


_CHILD = ("import pickle, sys; from ragbook.workbook.operations import batch_one; "
          "job = pickle.loads(sys.stdin.buffer.read()); "
          "sys.stdout.buffer.write(pickle.dumps(batch_one(*job)))")


def run_batch_on_dask(files: Sequence[Path], out_dir: Path, address: str, *,
                      as_of: date | None = None, seconds: float | None = None,
                      progress: Progress | None = None) -> list[BatchLine]:
    """:func:`run_batch` on the Dask cluster at ``address`` (``tcp://host:8786``): each file is
    one task, rated as on one machine. The cluster's workers must see ``files`` and
    ``out_dir`` at the same paths (a shared drive) and have ragbook installed."""
    try:
        from distributed import Client, as_completed
    except ImportError:  # pragma: no cover - the dask extra is not installed
        raise BadRequest("--dask needs Dask's distributed package: pip install "
                         "'ragbook[dask]'") from None
    lines: dict[int, BatchLine] = {}
    with Client(address, timeout="30s") as client:
        futures = {client.submit(rate_one_file, path, out_dir, as_of, seconds, pure=False,
                                 key=f"ragbook-{index}-{path.name}"): index
                   for index, path in enumerate(files)}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            try:
                lines[index] = future.result()
            except Exception as error:  # a worker lost: the file is reported, not the batch
                lines[index] = BatchLine(files[index], "failed",
                                         message=f"the Dask cluster could not rate it "
                                                 f"({type(error).__name__}: {error})")
            if progress:
                progress(done, len(files), files[index])
    return [lines[index] for index in range(len(files))]

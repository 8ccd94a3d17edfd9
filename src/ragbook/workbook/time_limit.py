"""A time limit on reading and rating one plan file, so that no file can hold ragbook for ever.

The size limits of :mod:`ragbook.workbook.files` keep a file from unpacking to more than a
plan could need; what is left (a part that is slow to parse, such as one enormous XML
comment) is stopped by the clock. The command line gives every file command a limit
(``--time-limit``, default :data:`DEFAULT_SECONDS`); ``batch`` gives each file its own, in a
worker process that is stopped when its time is up, so one such file never stops the others.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from ragbook.problems import Problem
from ragbook.workbook.files import PlanFileError

DEFAULT_SECONDS = 300.0
"""A 10,000-measure plan takes about 10 s: five minutes is for a file that is not a plan."""


class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException, so that no ``except Exception`` on the way (in
    openpyxl, say) can swallow it."""


def too_slow(path: Path, seconds: float) -> PlanFileError:
    """The error for a file that took longer than its time limit."""
    return PlanFileError(
        Problem(code="took-too-long", found=f"a file that took longer than {seconds:g} s",
                expected=f"a plan workbook ragbook can read within {seconds:g} s",
                place=path.name),
        f"{path} took longer than {seconds:g} s to read and rate, so ragbook stopped; the file "
        "has not been changed. It may be damaged, or far larger than a plan: open it in Excel "
        "and save it again, or give --time-limit more seconds")


@contextlib.contextmanager
def time_limit(seconds: float | None, path: Path) -> Iterator[None]:
    """Stop the ``with`` block with :func:`too_slow` after ``seconds`` (None or 0: no limit).

    Uses the process's interval timer, so it works in the main thread of a POSIX process;
    elsewhere (Windows, other threads) the block runs without a limit.
    """
    if (not seconds or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _TimeUp:
        raise too_slow(path, seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)

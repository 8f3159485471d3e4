"""Signals that end a run, turned into Interrupted at a moment when the run's state is whole.

SIGINT (Ctrl+C) and SIGTERM raise Interrupted, except inside `atomic()` blocks (where a generation's
results are written into the run's state), where the signal waits for the block's end.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from evolution.errors import Interrupted

_depth = 0
_waiting: int | None = None


def _handler(signum: int, frame) -> None:
    global _waiting
    if _depth:
        _waiting = signum
    else:
        raise Interrupted(signum)


def stop_on_signals() -> None:
    """From now on, SIGINT and SIGTERM raise Interrupted (outside atomic blocks)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, _handler)


@contextmanager
def signals_restored() -> Iterator[None]:
    """SIGINT's and SIGTERM's handlers put back as they were at the block's end: a run called in-process (tests,
    a host program) leaves them as it found them. Left ignored after a run's shutdown, they were inherited by
    every process forked later, and a pool that stops its workers with SIGTERM then waited on them for ever."""
    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in before.items():
            if handler is not None:
                signal.signal(number, handler)


def ignore_signals() -> None:
    """While the run shuts down and saves, further signals are ignored (saving takes a moment)."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)


@contextmanager
def atomic() -> Iterator[None]:
    """A block that a signal does not cut in two: Interrupted is raised at its end instead. Signals are handled in
    the main thread only, so on another thread (the window's next race, made on a thread) it changes nothing:
    the main thread waits for that work before it saves."""
    global _depth, _waiting
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and _waiting is not None:
            signum, _waiting = _waiting, None
            raise Interrupted(signum)

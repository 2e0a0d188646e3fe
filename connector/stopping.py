"""A run told to stop (SIGTERM from a scheduler, Ctrl-C) ends like a failed run, not a killed one:
the signal becomes an exception, so every ``finally`` runs (the lock is released, a temporary
file being written is removed) and the state holds every batch Webflow applied. The exit code
is 128 + the signal's number, as shells report it: 143 for SIGTERM, 130 for SIGINT."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Stopped(BaseException):
    """Not an ``Exception``: no ``except Exception`` on the way up may swallow it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.name = signal.Signals(signum).name
        self.exit_code = 128 + signum


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT raise ``Stopped`` inside the block (signals reach the main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, _raise) for s in SIGNALS}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)

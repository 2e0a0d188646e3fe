"""One run at a time per snapshot: a lock file holding the owner's pid, host and start time.

A second run fails at once with ``LockedError``. A lock left by a process that is no longer
alive on this host is taken over; one from another host is trusted until it is older than
``STALE_AFTER`` seconds (a shared folder cannot ask another machine about its processes).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType

from .errors import LockedError

STALE_AFTER = 6 * 3600


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is someone else's
    return True


class SnapshotLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.held = False

    def acquire(self) -> "SnapshotLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if self._stale():
                    self.path.unlink(missing_ok=True)  # the owner died: take over
                    continue
                raise LockedError(f"another wfsync run holds {self.path} ({self._describe()})",
                                  path=str(self.path)) from None
            with os.fdopen(fd, "w") as fh:
                json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}, fh)
            self.held = True
            return self
        raise LockedError(f"could not take the lock {self.path}", path=str(self.path))

    def _owner(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _stale(self) -> bool:
        owner = self._owner()
        if not owner:
            # unreadable: a crash while writing it, or a run that is just writing it
            try:
                return time.time() - self.path.stat().st_mtime > 60
            except FileNotFoundError:
                return True
        if owner.get("host") == socket.gethostname():
            return not _alive(int(owner.get("pid", 0)))
        return time.time() - float(owner.get("started", 0)) > STALE_AFTER

    def _describe(self) -> str:
        owner = self._owner()
        if not owner:
            return "owner unknown"
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(owner.get("started", 0))))
        return f"pid {owner.get('pid')} on {owner.get('host')}, since {started}"

    def release(self) -> None:
        if self.held:
            self.path.unlink(missing_ok=True)
            self.held = False

    def __enter__(self) -> "SnapshotLock":
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

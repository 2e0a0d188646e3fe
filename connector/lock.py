"""One run at a time per snapshot: a kernel lock (``flock``) on the open lock file, which also
holds the owner's pid, host and start time for the message a second run prints.

The kernel releases the lock when its process ends, however it ends (kill -9 included), so
taking over a dead run's lock is the same atomic step as taking a free one: of many runs
started at once exactly one gets it. A second run fails at once with ``LockedError``. The
file's content is checked too, for runs that do not take the kernel lock (an older wfsync, or a
shared folder whose file system does not pass locks between hosts): a live process on this host
is respected, and one from another host until it is older than ``STALE_AFTER`` seconds.
"""

from __future__ import annotations

import fcntl
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
        self._fd: int | None = None

    def acquire(self) -> "SnapshotLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise LockedError(f"another wfsync run holds {self.path} ({self._describe()})",
                                  path=str(self.path)) from None
            if not self._still_linked(fd):
                os.close(fd)  # its owner removed it on release between our open and our lock: again
                continue
            if not self._stale():
                os.close(fd)
                raise LockedError(f"another wfsync run holds {self.path} ({self._describe()})",
                                  path=str(self.path))
            owner = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()})
            os.ftruncate(fd, 0)
            os.pwrite(fd, owner.encode(), 0)
            self._fd = fd
            self.held = True
            return self
        raise LockedError(f"could not take the lock {self.path}", path=str(self.path))

    def _still_linked(self, fd: int) -> bool:
        try:
            here, there = os.fstat(fd), os.stat(self.path)
        except FileNotFoundError:
            return False
        return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)

    def _owner(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _stale(self) -> bool:
        """Called holding the kernel lock: whether the content names no other live run."""
        owner = self._owner()
        if not owner:
            return True  # new, or its writer died before writing it (we hold the kernel lock)
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
        if self.held and self._fd is not None:
            # removed while still locked: a run waiting on this file sees it is gone and starts over
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None
            self.held = False

    def __enter__(self) -> "SnapshotLock":
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()

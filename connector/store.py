"""The snapshot folder: safe paths, atomic writes, reads, deletes, scans.

Every path is resolved under the root and refused if it would land outside it
(``..``, absolute paths, symlinks pointing out). Writes go to a temp file in the same
folder, are flushed to disk, then renamed over the target: a crash leaves either the
old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import UnsafePathError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Temp file in the same folder, then rename: readers see the old or the new file, whole.

    ``durable`` also flushes the data to disk before the rename (the state file needs it: it
    is what a run after a power cut starts from). Snapshot files skip it: thousands of fsyncs
    dominate a first pull, and a file lost to a power cut is seen as changed by the next run,
    never silently taken as synced."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class FileInfo:
    rel: str
    size: int
    mtime_ns: int


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve() if root.exists() else root.absolute()
        self._safe_dirs: set[str] = set()

    def resolve(self, rel: str) -> Path:
        """The absolute path of a snapshot-relative path; refuses anything outside the root."""
        pure = PurePosixPath(rel.replace("\\", "/"))
        if not rel or pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("~"):
            raise UnsafePathError(f"refused path {rel!r}: it would be written outside the snapshot root", path=rel)
        target = self.root.joinpath(*pure.parts)
        # a symlink (to a folder or the file) could still lead out: check where it really goes
        parent = str(target.parent)
        if parent not in self._safe_dirs or os.path.islink(target):
            real_root = os.path.realpath(self.root)
            real = os.path.realpath(target)
            if os.path.commonpath([real_root, real]) != real_root:
                raise UnsafePathError(f"refused path {rel!r}: it resolves outside the snapshot root", path=rel)
            if os.path.isdir(parent) and not os.path.islink(target):
                self._safe_dirs.add(parent)
        return target

    def read(self, rel: str) -> bytes | None:
        try:
            return self.resolve(rel).read_bytes()
        except FileNotFoundError:
            return None

    def stat(self, rel: str) -> FileInfo | None:
        try:
            st = self.resolve(rel).stat()
        except FileNotFoundError:
            return None
        return FileInfo(rel, st.st_size, st.st_mtime_ns)

    def write(self, rel: str, data: bytes) -> bool:
        """Write atomically unless the file already holds these bytes; True if written."""
        path = self.resolve(rel)
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                return False
        except FileNotFoundError:
            pass
        atomic_write(path, data, durable=False)
        return True

    def delete(self, rel: str) -> bool:
        path = self.resolve(rel)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        # tidy folders the pull made, never the root
        parent = path.parent
        while parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
        return True

    def scan(self, prefix: str = "") -> Iterator[FileInfo]:
        """Every Markdown file under the root (or under ``prefix``), skipping hidden ones."""
        base = self.resolve(prefix) if prefix else self.root
        if not base.is_dir():
            return
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                if name.endswith(".md") and not name.startswith(".") and not name.endswith(".remote.md"):
                    full = Path(dirpath) / name
                    st = full.stat()
                    yield FileInfo(full.relative_to(self.root).as_posix(), st.st_size, st.st_mtime_ns)

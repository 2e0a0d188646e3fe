"""The snapshot folder: safe paths, atomic writes, reads, deletes, scans.

Every path is resolved under the root and refused if it would land outside it
(``..``, absolute paths, symlinks pointing out). Writes go to a temp file in the same
folder, are flushed to disk, then renamed over the target: a crash leaves either the
old file or the new one, never half of one.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import FileChangedError, UnsafePathError


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_umask() -> int:
    # os.umask can only be read by setting it; done once, at import, before any worker thread runs
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def new_file_mode(existing: Path | str | None = None) -> int:
    """The mode a file wfsync writes should get: the mode of the file it replaces, else what
    the user's umask gives a new file (as an editor or ``cp`` would). A temp file starts 0600,
    which a web server running as another user, or a teammate, could not read."""
    if existing is not None:
        try:
            return os.stat(existing).st_mode & 0o7777
        except OSError:
            pass
    return 0o666 & ~_UMASK


def _temp_file(folder: str, name: str, mode: int) -> tuple[int, str]:
    """A new temp file beside ``name`` (``LEFTOVER``'s pattern), opened for writing: as
    ``mkstemp`` makes one, with the mode given (the umask applies) instead of 0600."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temp file name beside {name!r} in {folder}")


def atomic_write(path: Path | str, data: bytes, durable: bool = True, new: bool = False) -> os.stat_result:
    """Temp file in the same folder, then rename: readers see the old or the new file, whole.

    ``durable`` also flushes the data to disk before the rename (the state file needs it: it
    is what a run after a power cut starts from). Snapshot files skip it: thousands of fsyncs
    dominate a first pull, and a file lost to a power cut is seen as changed by the next run,
    never silently taken as synced. ``new``: the caller just saw no file there, so the file
    gets a new file's mode without looking for one to copy it from."""
    folder, name = os.path.split(os.fspath(path))
    mode = 0o666 if new else 0o600  # the umask applies to the first: what a new file gets
    try:
        fd, tmp = _temp_file(folder, name, mode)
    except FileNotFoundError:  # the folder is made on the first write into it, not checked on every one
        os.makedirs(folder, exist_ok=True)
        fd, tmp = _temp_file(folder, name, mode)
    try:
        try:
            if not new:
                os.fchmod(fd, new_file_mode(path))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
            st = os.fstat(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        return st
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


BOM = b"\xef\xbb\xbf"


def keep_conventions(current: bytes | None, data: bytes) -> bytes:
    """``data`` (LF, no BOM, as wfsync renders) with the line ends and BOM of ``current``, the
    file it replaces."""
    if not current:
        return data
    if b"\r\n" in current and b"\r\n" not in data:
        data = data.replace(b"\n", b"\r\n")
    if current.startswith(BOM) and not data.startswith(BOM):
        data = BOM + data
    return data


#: ``atomic_write``'s temp file of a Markdown file
LEFTOVER = re.compile(r"\A\..+\.md\.[a-z0-9_]{8}\.tmp\Z")


def _parts(rel: str) -> tuple[str, ...]:
    """The parts of a snapshot-relative path; ``UnsafePathError`` for one that would lead outside
    the root (``..``, absolute, ``~``). The rule is ``PurePosixPath``'s reading of the path (with
    ``\\`` as ``/``); a plain path (no backslash, no empty, ``.`` or ``..`` part) is its split on
    ``/``, and is taken without building one."""
    parts = tuple(rel.split("/"))
    if rel and "\\" not in rel and not rel.startswith("~") and "" not in parts and "." not in parts \
            and ".." not in parts:
        return parts
    pure = PurePosixPath(rel.replace("\\", "/"))
    if not rel or pure.is_absolute() or any(part in ("..", "") for part in pure.parts) or rel.startswith("~"):
        raise UnsafePathError(f"refused path {rel!r}: it would be written outside the snapshot root", path=rel)
    return pure.parts


@dataclass(frozen=True)
class FileInfo:
    rel: str
    size: int
    mtime_ns: int


class SnapshotStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve() if root.exists() else root.absolute()
        self._root = str(self.root).rstrip(os.sep)  # "" for the file system's root
        # per path, the sha256 of what this run read or last wrote there (None: no file)
        self._seen: dict[str, str | None] = {}
        self._written: dict[str, FileInfo] = {}

    def resolve(self, rel: str) -> Path:
        """The absolute path of a snapshot-relative path; refuses anything outside the root."""
        return Path(self._checked(rel))

    def _checked(self, rel: str) -> str:
        """``resolve`` as a string (what the file calls take; a ``Path`` costs more to build than
        the checks themselves)."""
        parts = _parts(rel)
        target = os.sep.join((self._root, *parts)) if parts else str(self.root)
        # a symlink (to a folder or the file) could still lead out. Each part below the root is
        # looked at on every call (one lstat each, no cache): a folder swapped for a symlink during
        # the run is seen at its next use. Only a symlink costs the full resolution.
        path = self._root
        for part in parts:
            path += os.sep + part
            try:
                mode = os.lstat(path).st_mode
            except (FileNotFoundError, NotADirectoryError):
                break  # nothing there yet: the write makes real folders
            if stat.S_ISLNK(mode):
                real_root = os.path.realpath(self.root)
                if os.path.commonpath([real_root, os.path.realpath(target)]) != real_root:
                    raise UnsafePathError(f"refused path {rel!r}: it resolves outside the snapshot root", path=rel)
                break  # the rest was resolved with it
        return target

    def read(self, rel: str) -> bytes | None:
        return self._current(self._checked(rel))

    def stat(self, rel: str) -> FileInfo | None:
        try:
            st = os.stat(self._checked(rel))
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

    def saw(self, rel: str, digest: str | None) -> None:
        """Remember what the run read at ``rel`` (its sha256, or None: no file there)."""
        self._seen[rel] = digest

    @staticmethod
    def _current(path: str) -> bytes | None:
        try:
            with open(path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def _check_unchanged(self, rel: str, current: bytes | None, data: bytes | None) -> bool:
        """False if the file (``current``) already holds ``data``; raises if it is not what the run saw."""
        if data is not None and current == data:
            return False
        if (sha256(current) if current is not None else None) != self._seen.get(rel):
            raise FileChangedError(f"{rel}: the file changed while wfsync ran; it was kept as it is", path=rel)
        return True

    def replace(self, rel: str, data: bytes) -> bool:
        """Write ``data`` only over what the run read or last wrote at ``rel`` (compare, then replace):
        an editor's save in between raises ``FileChangedError`` and the file keeps it. True if written.

        A file the editor keeps with CRLF line ends or a UTF-8 BOM (Windows editors) keeps them:
        rewritten with LF alone, every line would show as changed in git."""
        path = self._checked(rel)
        current = self._current(path)  # read once: for its conventions and for the compare
        data = keep_conventions(current, data)
        if not self._check_unchanged(rel, current, data):
            self._seen[rel] = sha256(data)
            return False
        st = atomic_write(path, data, durable=False, new=current is None)
        self._seen[rel] = sha256(data)
        self._written[rel] = FileInfo(rel, st.st_size, st.st_mtime_ns)
        return True

    def stat_as_written(self, rel: str) -> FileInfo | None:
        """The stat of the file this run last wrote at ``rel`` (not of whatever is there now: an
        editor's save just after the write must not be taken for wfsync's file), else a fresh stat."""
        return self._written.get(rel) or self.stat(rel)

    def written(self) -> dict[str, FileInfo]:
        """Every file this run wrote, with its stat as written."""
        return dict(self._written)

    def wrote(self, rel: str) -> bool:
        """Whether this run wrote ``rel``."""
        return rel in self._written

    def check(self, rel: str) -> None:
        """Raise ``FileChangedError`` if ``rel`` is no longer what the run read or last wrote there
        (checked before a write elsewhere that would make it a stale second copy)."""
        current = self._current(self._checked(rel))
        if current is not None:
            self._check_unchanged(rel, current, None)

    def remove(self, rel: str) -> bool:
        """``delete``, only if the file is still what the run read or last wrote there."""
        current = self._current(self._checked(rel))
        if current is None:
            self._seen[rel] = None
            return False
        self._check_unchanged(rel, current, None)
        self._seen[rel] = None
        return self.delete(rel)

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

    def remove_leftovers(self, prefix: str = "") -> None:
        """Delete the temp files of writes a killed run left half done (killed between the temp
        file and the rename: the file itself is whole, old or new). Only a run that holds the
        snapshot's lock calls this: no other run is writing then."""
        base = self._checked(prefix) if prefix else str(self.root)
        for folder, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if LEFTOVER.match(name):
                    os.unlink(os.path.join(folder, name))

    def scan(self, prefix: str = "") -> Iterator[FileInfo]:
        """Every Markdown file under the root (or under ``prefix``), skipping hidden ones, in the
        order ``os.walk`` gives with sorted names: a folder's files, then each of its folders in
        turn (listed with ``os.scandir`` and plain strings: 10,000 files in a tenth of a second)."""
        base = self._checked(prefix) if prefix else str(self.root)
        if not os.path.isdir(base):
            return
        start = len(self._root) + 1
        folders = [base]
        while folders:
            folder = folders.pop()
            try:
                with os.scandir(folder) as listing:
                    entries = list(listing)
            except OSError:
                continue  # unreadable: skipped, as os.walk does
            subfolders, files = [], []
            for entry in entries:
                if entry.is_dir():
                    # a symlink to a folder is listed as one but not entered (os.walk's default)
                    if not entry.name.startswith(".") and not entry.is_symlink():
                        subfolders.append(entry.path)
                elif entry.name.endswith(".md") and not entry.name.startswith(".") \
                        and not entry.name.endswith((".remote.md", ".local.md")):
                    files.append(entry)
            for entry in sorted(files, key=lambda e: e.name):
                st = os.stat(entry.path)
                yield FileInfo(entry.path[start:], st.st_size, st.st_mtime_ns)
            folders.extend(sorted(subfolders, reverse=True))

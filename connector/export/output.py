"""The export folder: generated files rewritten only when their bytes change, starter files
written only where none exists, and generated files of an earlier export that are no longer
produced removed (unless someone edited them since).

``.wfsync-export.json`` lists what the last export generated, with hashes: that is how a
later export knows a file is its own and unchanged. A file in the way that is not (someone
else's file, or an exported file edited since) is never replaced: every write is held until
``clashes`` found none, so a refused export writes nothing. A file that already holds exactly
what the export writes is adopted into the ledger.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable

from ..errors import ConfigError, UnsafePathError
from ..store import atomic_write
from ..words import counted

LEDGER = ".wfsync-export.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ExportClashError(ConfigError):
    """Files in the export folder that the export would replace but did not write as they are."""
    hint = ("Nothing was written. Move or remove the files listed (they are not the export's, or were edited "
            "since it wrote them), choose another --out, or pass --overwrite to replace them.")

    def __init__(self, message: str, problems: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True)
class Clash:
    rel: str
    edited: bool  # an exported file edited since (else a file the export never wrote)

    def problem(self, shown: str) -> dict[str, str]:
        why = ("edited since the last export wrote it" if self.edited else
               "not written by wfsync export, and not what the export would write")
        return {"path": shown, "key": "", "message": f"{why}: left as it is"}


@dataclass
class Output:
    root: Path
    generated: dict[str, str] = field(default_factory=dict)  # rel path -> sha256 of what we wrote
    written: int = 0
    unchanged: int = 0
    starters: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stale generated files someone edited: left alone
    replaced: list[str] = field(default_factory=list)  # files in the way, replaced with --overwrite
    pending: dict[str, bytes] = field(default_factory=dict)  # generated files held until the check
    pending_starters: dict[str, bytes] = field(default_factory=dict)

    def path(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not rel or "\\" in rel:
            raise UnsafePathError(f"{rel!r} would leave the export folder")
        return self.root.joinpath(*pure.parts)

    def put(self, rel: str, text: str | bytes) -> None:
        """A file the export owns (content, data, generated schema): the same bytes leave it untouched."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        self.path(rel)
        self.generated[rel] = _sha(data)
        self.pending[rel] = data

    def starter(self, rel: str, text: str) -> None:
        """A file that becomes the user's (config, layouts, pages): written only if absent."""
        self.path(rel)
        self.pending_starters.setdefault(rel, text.encode("utf-8"))

    def ledger(self) -> dict[str, str]:
        """What the last export wrote: rel path -> sha256."""
        try:
            before = json.loads((self.root / LEDGER).read_text(encoding="utf-8")).get("generated", {})
        except (FileNotFoundError, NotADirectoryError, ValueError, AttributeError):
            return {}
        return {k: v for k, v in before.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(before, dict) else {}

    def clashes(self) -> list[Clash]:
        """The files this export would replace that are neither its own as it wrote them nor
        already what it writes (the ledger's hash tells an edited exported file from an intact one)."""
        before = self.ledger()
        found = []
        for rel, data in sorted(self.pending.items()):
            target = self.path(rel)
            if target.is_symlink():
                found.append(Clash(rel, edited=False))
                continue
            try:
                current = target.read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError:  # a folder, or unreadable: never replaced blindly
                found.append(Clash(rel, edited=False))
                continue
            if current == data:
                continue  # adopted: recorded in the ledger from now on
            digest = before.get(rel)
            if digest is None or _sha(current) != digest:
                found.append(Clash(rel, edited=digest is not None))
        return found

    def check(self, shown: Callable[[str], str], overwrite: bool = False) -> None:
        """Refuse (before anything is written) when files would be replaced that are not the export's."""
        found = self.clashes()
        if found and not overwrite:
            raise ExportClashError(
                f"{counted(len(found), 'file')} in the export folder would be overwritten (not written by the "
                "export, or edited since)", [c.problem(shown(c.rel)) for c in found])
        self.replaced = [c.rel for c in found]

    def write(self) -> None:
        """Write what ``put`` and ``starter`` held (after ``check``)."""
        for rel, data in sorted(self.pending.items()):
            target = self.path(rel)
            try:
                if not target.is_symlink() and target.read_bytes() == data:
                    self.unchanged += 1
                    continue
            except FileNotFoundError:
                pass
            except OSError:
                if target.is_dir() and not target.is_symlink():
                    raise
            if target.is_symlink():
                target.unlink()  # replaced with --overwrite: the link itself, never what it points to
            atomic_write(target, data, durable=False)
            self.written += 1
        for rel, data in sorted(self.pending_starters.items()):
            target = self.path(rel)
            if target.exists() or target.is_symlink():
                continue
            atomic_write(target, data, durable=False)
            self.starters.append(rel)
        self.pending.clear()
        self.pending_starters.clear()

    def finish(self) -> None:
        """Remove what the last export generated and this one did not, if still as written."""
        ledger = self.root / LEDGER
        before = self.ledger()
        for rel, digest in sorted(before.items()):
            if rel in self.generated:
                continue
            try:
                target = self.path(rel)
                data = target.read_bytes()
            except (UnsafePathError, OSError):
                continue
            if _sha(data) == digest:
                target.unlink()
                self.removed.append(rel)
            else:
                self.kept.append(rel)
        data = (json.dumps({"generated": dict(sorted(self.generated.items()))}, indent=1) + "\n").encode()
        try:
            if ledger.read_bytes() == data:
                return
        except FileNotFoundError:
            pass
        atomic_write(ledger, data, durable=False)

"""The export folder: generated files rewritten only when their bytes change, starter files
written only where none exists, and generated files of an earlier export that are no longer
produced removed (unless someone edited them since).

``.wfsync-export.json`` lists what the last export generated, with hashes: that is how a
later export knows a file is its own and unchanged.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import UnsafePathError
from ..store import atomic_write

LEDGER = ".wfsync-export.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Output:
    root: Path
    generated: dict[str, str] = field(default_factory=dict)  # rel path -> sha256 of what we wrote
    written: int = 0
    unchanged: int = 0
    starters: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # stale generated files someone edited: left alone

    def path(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not rel or "\\" in rel:
            raise UnsafePathError(f"{rel!r} would leave the export folder")
        return self.root.joinpath(*pure.parts)

    def put(self, rel: str, text: str | bytes) -> None:
        """A file the export owns (content, data, generated schema): the same bytes leave it untouched."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        target = self.path(rel)
        self.generated[rel] = _sha(data)
        try:
            if target.read_bytes() == data:
                self.unchanged += 1
                return
        except FileNotFoundError:
            pass
        atomic_write(target, data, durable=False)
        self.written += 1

    def starter(self, rel: str, text: str) -> None:
        """A file that becomes the user's (config, layouts, pages): written only if absent."""
        target = self.path(rel)
        if target.exists():
            return
        atomic_write(target, text.encode("utf-8"), durable=False)
        self.starters.append(rel)

    def finish(self) -> None:
        """Remove what the last export generated and this one did not, if still as written."""
        ledger = self.root / LEDGER
        try:
            before = json.loads(ledger.read_text(encoding="utf-8")).get("generated", {})
        except (FileNotFoundError, ValueError, AttributeError):
            before = {}
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

"""Markdown files of the snapshot that no mapping covers: a new file there would never be pushed."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable


def uncovered_files(root: Path, patterns: Iterable[re.Pattern[str]]) -> list[str]:
    """Relative paths of the ``.md`` files under ``root`` that match none of ``patterns``
    (hidden folders and the ``.remote.md`` / ``.local.md`` copies are not content)."""
    patterns = list(patterns)
    found = []
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        for name in sorted(filenames):
            if not name.endswith(".md") or name.startswith(".") or name.endswith((".remote.md", ".local.md")):
                continue
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if not any(p.match(rel) for p in patterns):
                found.append(rel)
    return found

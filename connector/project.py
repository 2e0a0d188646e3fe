"""Where the project is and what a path on the command line means, the way git finds its repository.

The project root is the nearest folder, from the current one upward, that holds ``mappings/``
(``--root`` or ``WFSYNC_ROOT`` say it outright). A path the user types may be relative to the
current folder, to the project root, or to the snapshot root; it is resolved to the snapshot's
own form (``cms/infos/social.md``). Paths shown to the user are relative to the project root.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ConfigError


class UnknownPathError(ConfigError):
    hint = "Give a file of the snapshot, relative to this folder or to the project root (as the shell completes it)."


def find_root(start: Path) -> Path | None:
    """The nearest folder from ``start`` upward that holds ``mappings/``, or None."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "mappings").is_dir():
            return folder
    return None


def project_root(given: Path | None, env: dict[str, str] | os._Environ[str] | None = None,
                 cwd: Path | None = None) -> Path:
    env = os.environ if env is None else env
    if given is not None:
        return given
    if env.get("WFSYNC_ROOT"):
        return Path(env["WFSYNC_ROOT"])
    cwd = cwd or Path.cwd()
    found = find_root(cwd)
    if found is None or found == cwd.resolve():
        return Path(".")
    return found


def display_prefix(root: Path, snapshot: Path) -> str:
    """The snapshot folder as seen from the project root: ``snapshots/demo``."""
    try:
        return snapshot.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return snapshot.as_posix()


def resolve_paths(paths: tuple[str, ...], root: Path, snapshot: Path, known: set[str],
                  cwd: Path | None = None) -> set[str]:
    """Each path the user gave, as the snapshot's relative path (a folder ends with ``/``, the
    snapshot itself is ``""``); an unknown one is an error."""
    cwd = (cwd or Path.cwd()).resolve()
    snap = snapshot.resolve()
    out: set[str] = set()
    unknown = []
    for raw in paths:
        given = raw.replace("\\", "/")
        candidates = [cwd / given, root.resolve() / given, snap / given]
        rel = None
        for candidate in candidates:
            try:
                inside = Path(os.path.normpath(candidate)).relative_to(snap).as_posix()
            except ValueError:
                continue
            if inside in known or candidate.is_file():
                rel = inside
                break
            if candidate.is_dir():  # a folder: every file under it, as git does
                rel = "" if inside == "." else inside.rstrip("/") + "/"
                break
        if rel is None:
            unknown.append(raw)
        else:
            out.add(rel)
    if unknown:
        raise UnknownPathError(f"not a file of the snapshot {display_prefix(root, snapshot)}: {', '.join(unknown)}")
    return out

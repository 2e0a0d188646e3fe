"""How a run names files to the user: one convention for every message, human or JSON.

Inside the engine a file is named relative to its snapshot root (``cms/infos/social.md``). Everything
the user reads names it relative to the project root (``snapshots/demo/cms/infos/social.md``), so a
path can be pasted into a shell from the project folder whatever the command. A problem found on a
line of a file is ``path:line`` in human output, as compilers and git write it (editors and
terminals jump there); JSON keeps the path as it is and gives the line as ``line`` (null when not
known). The lines are counted in the file, front matter's ``---`` included.

Pure: the snapshot folder relative to the project root (``prefix``) and report data in, text out.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

#: the report lists whose entries name a file under ``path`` (and a conflict its copy)
PATH_LISTS = ("problems", "conflicts", "actions", "skipped", "warnings", "differences")
#: a conflict's copy; the losing side a resolution kept; where a file renamed by the run was
COPY_KEYS = ("remote_copy", "kept", "moved_from")
#: problems that name a project file (a mapping), already from the project root
ROOTED_KINDS = ("schema_drift",)


def rooted(entry: Mapping[str, Any]) -> bool:
    return entry.get("kind") in ROOTED_KINDS


def shown(prefix: str, path: str) -> str:
    """A snapshot path as the user sees it: relative to the project root."""
    return f"{prefix}/{path}" if prefix and path else path


def located(prefix: str, path: str, line: int | None = None) -> str:
    """``path:line`` when the line is known, else the path."""
    where = shown(prefix, path)
    return f"{where}:{line}" if line and where else where


def problem_where(prefix: str, problem: Mapping[str, Any]) -> str:
    """Where a report problem is: its file (with the line), else its Webflow item."""
    if problem.get("path"):
        return located("" if rooted(problem) else prefix, problem["path"], problem.get("line"))
    return f"{problem.get('collection', '')}/{problem.get('item', '')}".strip("/")


def problem_text(prefix: str, problem: Mapping[str, Any]) -> str:
    """One problem on one line: ``path:line: key: message``."""
    parts = [problem_where(prefix, problem), problem.get("key", ""), problem.get("message", "")]
    return ": ".join(p for p in parts if p)


def as_problem(raw: Any) -> dict[str, Any]:
    """Any problem an error or a report carries, in the report's shape
    ``{collection, path, line, item, key, message}``: a file problem keeps its path, key and line."""
    if isinstance(raw, Mapping):
        out = dict(raw)
        out.setdefault("line", None)
        return out
    if hasattr(raw, "path") and hasattr(raw, "key"):
        return {"collection": getattr(raw, "collection", "") or "", "path": raw.path,
                "line": getattr(raw, "line", None), "item": "", "key": raw.key, "message": raw.message}
    if isinstance(raw, tuple) and len(raw) == 2:
        return {"collection": "", "path": "", "line": None, "item": "", "key": str(raw[0]), "message": str(raw[1])}
    return {"collection": "", "path": "", "line": None, "item": "", "key": "", "message": str(raw)}


def first_lines(problems: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Per file (snapshot path), the first line a problem was found on: where to look first."""
    out: dict[str, int] = {}
    for p in problems:
        path, line = p.get("path"), p.get("line")
        if path and line and (path not in out or line < out[path]):
            out[path] = line
    return out


def project_paths(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """A JSON document with every file named relative to the project root, as human output names it."""
    out = dict(document)
    for name in PATH_LISTS:
        entries = out.get(name)
        if not isinstance(entries, list):
            continue
        fixed = []
        for entry in entries:
            if isinstance(entry, Mapping) and not rooted(entry):
                entry = dict(entry)
                for key in ("path", *COPY_KEYS):
                    if isinstance(entry.get(key), str) and entry[key]:
                        entry[key] = shown(prefix, entry[key])
            fixed.append(entry)
        out[name] = fixed
    return out

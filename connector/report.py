"""What a run did, per collection: counts, problems, conflicts, API calls, seconds."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CollectionReport:
    collection: str
    pulled: int = 0  # files written or removed from Webflow's side
    pushed: int = 0  # items created, updated or deleted in Webflow
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    merged: int = 0
    resolved: int = 0  # conflicts decided by --on-conflict (the losing side kept beside the file)
    published: int = 0
    conflicts: int = 0
    pending: int = 0
    api_calls: int = 0
    seconds: float = 0.0


@dataclass
class Report:
    command: str
    dry_run: bool = False
    collections: dict[str, CollectionReport] = field(default_factory=dict)
    problems: list[dict[str, str]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    #: items left alone because the run does not sync them: {collection, path, item, reason}
    skipped: list[dict[str, str]] = field(default_factory=list)
    #: things worth knowing that do not fail the run (a file no mapping covers): {path, message}
    warnings: list[dict[str, str]] = field(default_factory=list)
    notices: list[dict[str, str]] = field(default_factory=list)  # what the API did not provide, said once
    #: collections this run left alone because a mapped field changed in Webflow (see problems)
    stopped: list[str] = field(default_factory=list)
    api_calls: int = 0
    seconds: float = 0.0

    def of(self, collection: str) -> CollectionReport:
        if collection not in self.collections:
            self.collections[collection] = CollectionReport(collection)
        return self.collections[collection]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.conflicts

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["collections"] = [asdict(c) for c in self.collections.values()]
        data["problems"] = [problem_dict(p) for p in self.problems]
        return {"ok": self.ok, **data}


def problem_dict(problem: dict[str, str]) -> dict[str, str]:
    """One shape for every problem in a report: {collection, path, line, item, key, message}.

    The engine records a file's problems under ``item`` (its path) and an item's under its id
    or slug; the report says which is which."""
    if "path" in problem and "key" in problem:
        return {"line": None, **problem}
    where = problem.get("item", "")
    is_path = where.endswith(".md") or "/" in where
    extra = {k: v for k, v in problem.items() if k not in ("collection", "item", "field", "message")}
    return {"collection": problem.get("collection", ""), "path": where if is_path else "", "line": None,
            "item": "" if is_path else where, "key": problem.get("field", ""), "message": problem.get("message", ""),
            **extra}

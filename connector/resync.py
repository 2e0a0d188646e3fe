"""``wfsync resync``: the base rebuilt from both sides, only where they already agree.

A resync run plans every item as if nothing had ever been synced (no base): a file and an item
that hold the same content are recorded, an item only in Webflow is written as a new file.
Anything else (a file and its item that differ, a file with no item) means the user has not
made the sides agree yet: the resync is refused and changes nothing.
"""

from __future__ import annotations

from .errors import WfsyncError
from .report import Report
from .words import counted

#: what a resync may do: record an agreeing pair, or write an item only Webflow has
ALLOWED = {"adopt", "pull", "nothing", "forget"}


class ResyncRefusedError(WfsyncError):
    hint = ("Make each file and its Webflow item agree first (wfsync diff shows how they differ; pull, push or "
            "edit), then run wfsync resync again. Nothing was changed.")


def disagreements(report: Report) -> list[dict[str, str]]:
    """The items a resync cannot record, as report problems: {collection, path, item, key, message}."""
    out = []
    for a in report.actions:
        if a["op"] in ALLOWED and not (a["op"] == "pull" and a.get("blocked")):
            continue
        # the key says what differs, as in every problem: the fields, else the whole file or item
        fields = ", ".join(a.get("fields") or [])
        if a["op"] == "push-create":
            key, why = "(file)", "this file has no item in Webflow"
        elif a["op"] == "conflict":
            key, why = fields or "(item)", "the file and its Webflow item differ"
        else:
            key, why = fields or "(item)", f"not in step ({a['op']}: {a.get('reason', '')})"
        out.append({"collection": a["collection"], "path": a["path"], "item": "", "key": key, "message": why})
    return out


def check_agreement(report: Report) -> None:
    """Raise when the dry run of a resync found items the two sides do not agree on."""
    found = disagreements(report) + [p for p in report.problems]
    if found:
        error = ResyncRefusedError(f"{counted(len(found), 'item')} where the two sides do not agree; nothing was "
                                   "changed")
        error.problems = [_Problem(p) for p in found]  # type: ignore[attr-defined]
        raise error


class _Problem:
    """A report problem with the attributes the CLI prints and puts in JSON (path, key, message)."""

    def __init__(self, raw: dict[str, str]) -> None:
        self.path = raw.get("path") or raw.get("item", "")
        self.key = raw.get("key") or raw.get("field", "")
        self.message = raw.get("message", "")

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}" if self.key else f"{self.path}: {self.message}"

"""One line per item a run acted on or held, as rclone and git print them.

Pure: a run's report in, ``(label, path, detail)`` lines out. The labels say what happened
(or, in a dry run, what would): an item new in Webflow is "added", not "changed"; a deletion
waiting for ``--allow-delete`` is "held" and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .convert import BODY_KEY, value_hash
from .locales import WITH_ITEM
from .plan import MAPPING_CHANGED, Action, BaseSide, Op, Side
from .report import Report
from .userpaths import located, shown

#: op -> (done, would do); the label column of a line
VERBS: dict[str, tuple[str, str]] = {
    "pull": ("updated", "would update"),
    "push-create": ("created", "would create"),
    "push-update": ("pushed", "would push"),
    "delete-local": ("removed", "would remove"),
    "delete-remote": ("deleted", "would delete"),
    "merge": ("merged", "would merge"),
}
HELD = "held"
SKIPPED = "skipped"


@dataclass(frozen=True)
class ItemLine:
    label: str
    path: str  # as the user sees it: relative to the project root, ``:line`` where a problem is
    detail: str
    held: bool = False  # not done: the user may have something to do
    urgent: bool = False  # shown even with -q: a conflict or an invalid file

    def text(self, width: int = 9) -> str:
        return f"{self.label:<{width}} {self.path}" + (f"  ({self.detail})" if self.detail else "")


def field_names(keys: Iterable[str]) -> list[str]:
    """Record keys as a user knows them: front-matter keys, and "body" for the Markdown body."""
    return sorted("body" if k == BODY_KEY else k for k in keys if k == BODY_KEY or not k.startswith("\x00"))


def action_fields(action: Action, remote: Side | None, base: BaseSide | None) -> list[str]:
    """The fields an action touches: what is sent, what Webflow changed, what clashes."""
    if action.op is Op.CONFLICT:
        return field_names(action.conflict_keys)
    if action.op in (Op.PUSH_UPDATE, Op.MERGE):
        return field_names(action.push_keys or action.conflict_keys)
    if action.op is Op.PULL and remote is not None and base is not None:
        # a key only one of them has was added to or removed from the mapping: not Webflow's change
        keys = remote.keys() & set(base.fields)
        return field_names(k for k in keys if remote.field_hash(k) != base.fields.get(k, value_hash(None)))
    return []


def _resolved(action: Mapping[str, Any], prefix: str, dry_run: bool) -> tuple[str, str, bool] | None:
    """A conflict --on-conflict decided: not a merge; says who won and where the other side is kept."""
    reason = action.get("reason") or ""
    side = next((s for s in ("local", "remote") if reason.endswith(f": {s} wins")), None)
    if side is None:
        return None
    detail = reason[:-len(f": {side} wins")] + f", {side} wins"
    if action.get("kept"):
        whose = "Webflow's version" if side == "local" else "your version"
        detail += f"; {whose} {'would be ' if dry_run else ''}kept in {shown(prefix, action['kept'])}"
    return "resolved", detail, False


def _detail(action: Mapping[str, Any], conflict: Mapping[str, Any] | None, prefix: str,
            dry_run: bool = False) -> tuple[str, str, bool]:
    """(label, detail, held) of one planned action, in the past tense."""
    op, reason, blocked = action["op"], action.get("reason") or "", action.get("blocked")
    fields = ", ".join(action.get("fields") or [])
    if conflict is not None or op == "conflict":
        fields = ", ".join((conflict or {}).get("fields") or action.get("fields") or [])
        what = f"{fields} changed on both sides" if fields else (conflict or action).get("reason", "")
        if conflict and conflict.get("reason", "").startswith("changed in Webflow during"):
            what = conflict["reason"]
        copy = (conflict or {}).get("remote_copy")
        return HELD, f"conflict: {what}" + (f" — see {shown(prefix, copy)}" if copy else ""), True
    if op == "hold":
        return HELD, "the file cannot be read (see the problem below): fix it and run again", True
    if blocked:
        return HELD, _held_reason(op, reason, blocked), True
    if op == "pull":
        if reason == "new in Webflow":
            return "added", "new in Webflow", False
        return "updated", (f"changed in Webflow: {fields}" if fields and reason == "changed in Webflow" else
                           reason + (f": {fields}" if fields and ":" not in reason else "")), False
    refused = ", ".join(action.get("not_imported") or [])
    refused = f"; {refused} not imported by Webflow (see the problem below)" if refused else ""
    if op == "push-update":
        return "pushed", (fields or reason) + refused, False
    if op == "push-create":
        return "created", ("new file, created in Webflow" if reason == "new file" else reason) + refused, False
    if op == "delete-remote":  # (a localized site's reason says which variants go)
        return "deleted", "file deleted locally" if reason == "file deleted" else reason, False
    if op == "delete-local":
        return "removed", reason if reason.startswith("deleted with the whole item") else "deleted in Webflow", False
    if op == "merge":
        return _resolved(action, prefix, dry_run) or ("merged", reason, False)
    if op == "adopt":
        return "recorded", reason, False
    if op == "relink":  # a file whose references follow a file renamed by this run
        return "updated", f"{fields}: {reason}" if fields else reason, False
    return op, reason, False


def _held_reason(op: str, reason: str, blocked: str) -> str:
    if op == "delete-remote" and "allow-delete" in blocked:
        if reason.startswith(WITH_ITEM) or "variant only" in reason or "whole item goes" in reason:
            return f"{reason}: only with --allow-delete"  # a localized site's: which variants go
        return "file deleted: the Webflow item is deleted only with --allow-delete"
    if blocked == "not pushed by this command" and op == "delete-remote":
        return "file deleted: wfsync push --allow-delete (or sync --allow-delete) deletes the item in Webflow"
    if blocked == "not pushed by this command":
        if MAPPING_CHANGED in reason:  # the push's answer writes the file again, with the mapping as it is
            change = reason.split(MAPPING_CHANGED, 1)[1]
            return (f"file changed: wfsync push or sync sends it, then writes the file with the mapping as it is "
                    f"now ({change})")
        return f"{_local_change(op, reason)}: wfsync push or sync sends it"
    if blocked == "not pulled by this command":
        return f"{reason}: wfsync pull or sync brings it"
    if blocked.startswith("needs both directions"):
        return f"{reason}: needs wfsync sync"
    if blocked == "invalid file":
        return "invalid file: see the problems below"
    return f"{reason}: {blocked}" if reason else blocked


def _local_change(op: str, reason: str) -> str:
    return {"push-create": "new file", "push-update": "file changed", "delete-remote": "file deleted"}.get(op, reason)


def _would(label: str) -> str:
    """The dry-run form of a label."""
    for done, would in VERBS.values():
        if label == done:
            return would
    return {"added": "would add", "recorded": "would record", "resolved": "would resolve"}.get(label, label)


def item_lines(report: Report, prefix: str = "", lines: Mapping[str, int] | None = None) -> list[ItemLine]:
    """The lines of a run: every item acted on or held, in the order the run met them.

    ``prefix`` is the snapshot folder relative to the project root (``snapshots/demo``), so
    every path reads the same way as the user's shell sees it; ``lines``: per file, the first
    line a problem was found on, written ``path:line`` on the line that holds it."""
    lines = lines or {}
    conflicts = {c["path"]: c for c in report.conflicts}
    out: list[ItemLine] = []
    seen: set[str] = set()
    for action in report.actions:
        if action["op"] in ("nothing", "forget"):
            continue
        if action["op"] == "adopt" and not action.get("blocked") and not action.get("found_in_webflow"):
            continue  # both sides already agree: nothing to say
        label, detail, held = _detail(action, conflicts.get(action["path"]), prefix, report.dry_run)
        if report.dry_run and not held:
            label = _would(label)
        urgent = label == HELD and (detail.startswith("conflict") or action.get("blocked") == "invalid file"
                                    or action["op"] == "hold")
        where = located(prefix, action["path"], lines.get(action["path"]) if held else None)
        if action.get("moved_from"):  # renamed by this run: where it was, where it is
            where = f"{shown(prefix, action['moved_from'])} → {where}"
        out.append(ItemLine(label, where, detail, held, urgent))
        seen.add(action["path"])
    for path, conflict in conflicts.items():  # conflicts found while writing (changed during the run)
        if path not in seen:
            label, detail, held = _detail({"op": "conflict"}, conflict, prefix)
            out.append(ItemLine(label, shown(prefix, path), detail, held, True))
    if report.command not in ("pull", "sync"):
        return out  # what a pull leaves out is a pull's news
    for skip in report.skipped:
        out.append(ItemLine(SKIPPED, shown(prefix, skip.get("path", "")) or skip.get("item", ""),
                              skip.get("reason", "")))
    return out


def skip_reason(item: Any) -> str:
    """Why a pull leaves a Webflow item out (see --archived / --drafts)."""
    if item.is_archived:
        return "archived in Webflow; --archived pulls it"
    return "a draft in Webflow; --drafts pulls it"

"""The three-way planner: (local records, remote records, base, policy) -> plan.

Pure: no network, no files, no clock. Every item is decided from three hashes (base,
local, remote) as in the decision table of the design; when both sides changed, the
per-field hashes of the base tell which fields each side changed, and disjoint changes
merge. A modification always beats a deletion. The executor only carries plans out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Mapping

from .convert import BODY_KEY, value_hash
from .errors import WfsyncError


class Op(str, Enum):
    NOTHING = "nothing"
    PULL = "pull"  # write the local file from the remote item (create or update)
    PUSH_CREATE = "push-create"
    PUSH_UPDATE = "push-update"
    PULL_DELETE = "delete-local"
    PUSH_DELETE = "delete-remote"
    ADOPT = "adopt"  # both sides already agree: record the base
    MERGE = "merge"  # both changed different fields (or a winner was chosen): push some, write the file
    CONFLICT = "conflict"
    FORGET = "forget"  # gone on both sides: drop the base entry
    HOLD = "hold"  # the file cannot be read as it is: a local change, neither pushed nor overwritten


_NONE_HASH = value_hash(None)
_ABSENT = frozenset({_NONE_HASH, value_hash("")})  # a key not in a file, a file without a body
PUSH_OPS = frozenset({Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.PUSH_DELETE})
PULL_OPS = frozenset({Op.PULL, Op.PULL_DELETE})
DELETE_NEEDS_PERMISSION = "remote deletes need --allow-delete"
#: a conflict with a file that cannot be read: what to do (no --on-conflict decides it)
UNREADABLE_CONFLICT = ("the file cannot be read (see the problem below): fix it and merge Webflow's version from "
                       "the .remote.md copy, or move the copy over the file")


@dataclass(frozen=True)
class Side:
    record: Mapping[str, Any]
    hash: str
    updated: float = 0.0  # seconds since the epoch: file mtime, or the item's lastUpdated
    fields: Mapping[str, str] | None = None  # per-field hashes, when known without the values
    hold: str | None = None  # a local file with problems: why it is held (never overwritten, never sent)
    edited: bool = False  # a file whose bytes are not what wfsync last wrote, though its values are

    def field_hash(self, key: str) -> str:
        if self.fields is not None:
            return self.fields.get(key, _NONE_HASH)
        return value_hash(self.record.get(key))

    def keys(self) -> set[str]:
        return set(self.fields) if self.fields is not None else set(self.record)


@dataclass(frozen=True)
class BaseSide:
    hash: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Policy:
    pull: bool = True
    push: bool = True
    allow_delete: bool = False
    on_conflict: str = "stop"  # stop | local | remote | newer


@dataclass(frozen=True)
class Action:
    key: str
    op: Op
    reason: str
    push_keys: frozenset[str] = frozenset()  # fields to send (updates and merges)
    conflict_keys: frozenset[str] = frozenset()
    merged: Mapping[str, Any] | None = None  # the record both sides end with (merges)
    blocked: str | None = None  # why this run does not carry it out

    @property
    def active(self) -> bool:
        return self.blocked is None and self.op not in (Op.NOTHING,)


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...]

    def of(self, *ops: Op, active_only: bool = True) -> list[Action]:
        return [a for a in self.actions if a.op in ops and (a.active or not active_only)]



class DeleteLimitError(WfsyncError):
    hint = "Check the deletions with `wfsync status`; raise --max-delete if they are intended."


class EmptySideError(WfsyncError):
    hint = ("One side looks empty while the last sync saw items: nothing was changed. Check the token, the "
            "site, the snapshot folder; if the emptiness is real, make both sides agree and run `wfsync resync`.")


def _changed(side: Side, base: BaseSide) -> set[str]:
    keys = side.keys() | set(base.fields)
    return {k for k in keys if side.field_hash(k) != base.fields.get(k, value_hash(None))}


def decide(key: str, local: Side | None, remote: Side | None, base: BaseSide | None, policy: Policy) -> Action:
    """One item: the decision table, with field-level merge and the conflict policy."""
    if local is not None and local.hold:
        # unreadable is changed by definition: the file waits to be fixed, and is never overwritten;
        # a change in Webflow meanwhile is a conflict (Webflow's version is written beside the file),
        # whatever --on-conflict says: a file with no values cannot win, nor be replaced
        if remote is not None and base is not None and remote.hash != base.hash:
            # (no conflict_keys: the file has none to compare, the reason names Webflow's fields)
            webflow = ", ".join(sorted(_changed(remote, base)))
            return Action(key, Op.CONFLICT, f"changed in Webflow ({webflow}), and {UNREADABLE_CONFLICT}")
        return Action(key, Op.HOLD, local.hold, blocked="the file has problems: fix it and run again")
    if base is None:
        if local is None and remote is not None:
            return Action(key, Op.PULL, "new in Webflow")
        if remote is None and local is not None:
            return Action(key, Op.PUSH_CREATE, "new file")
        if local is not None and remote is not None:
            if local.hash == remote.hash:
                return Action(key, Op.ADOPT, "same on both sides")
            differing = {k for k in local.keys() | remote.keys()
                         if local.field_hash(k) != remote.field_hash(k)}
            return _conflict(key, local, remote, set(), set(), differing, policy, "new on both sides, different")
        return Action(key, Op.FORGET, "gone")
    if local is None and remote is None:
        return Action(key, Op.FORGET, "deleted on both sides")
    if local is None:
        assert remote is not None
        if remote.hash == base.hash:
            return Action(key, Op.PUSH_DELETE, "file deleted")
        return Action(key, Op.PULL, "file deleted but changed in Webflow: restored")
    if remote is None:
        if local.hash == base.hash:
            return Action(key, Op.PULL_DELETE, "deleted in Webflow")
        return Action(key, Op.PUSH_CREATE, "deleted in Webflow but the file changed: re-created")
    local_same, remote_same = local.hash == base.hash, remote.hash == base.hash
    if local_same and remote_same:
        return Action(key, Op.NOTHING, "in step")
    if remote_same:
        return Action(key, Op.PUSH_UPDATE, "file changed", push_keys=frozenset(_changed(local, base)))
    if local_same:
        if local.edited and policy.on_conflict in ("local", "newer"):
            # the file's values against Webflow's, decided as any conflict is (the losing side kept)
            theirs = _changed(remote, base)
            return _conflict(key, local, remote, set(), theirs, theirs, policy,
                             "changed in Webflow, and the file was edited outside the synced values")
        if local.edited and policy.on_conflict != "remote":
            # comments, formatting, dates or constants typed in the file: a pull would drop them
            return Action(key, Op.CONFLICT, "changed in Webflow, and the file was edited outside the synced "
                          "values (comments, formatting, dates or constants): keep Webflow's version by moving "
                          "the .remote.md copy over the file, or run with --on-conflict remote")
        return Action(key, Op.PULL, "changed in Webflow")
    if local.hash == remote.hash:
        return Action(key, Op.ADOPT, "same change on both sides")
    mine, theirs = _changed(local, base), _changed(remote, base)
    clash = {k for k in mine & theirs if local.field_hash(k) != remote.field_hash(k)}
    if not clash:
        merged = dict(remote.record)
        for k in mine:
            merged[k] = local.record.get(k)
        return Action(key, Op.MERGE, f"both changed, different fields ({', '.join(sorted(mine))} here)",
                      push_keys=frozenset(k for k in mine if k not in theirs), merged=merged)
    return _conflict(key, local, remote, mine, theirs, clash, policy, "both changed " + ", ".join(sorted(clash)))


def winner(action: Action) -> str | None:
    """The side a conflict was decided for (``local`` or ``remote``), or None: not a decided conflict."""
    if action.op is Op.MERGE and action.conflict_keys:
        for side in ("local", "remote"):
            if action.reason.endswith(f": {side} wins"):
                return side
    return None


def _conflict(key: str, local: Side, remote: Side, mine: set[str], theirs: set[str], clash: set[str],
              policy: Policy, reason: str) -> Action:
    winner = policy.on_conflict
    if winner == "newer":
        winner = "local" if local.updated > remote.updated else "remote"
    if winner not in ("local", "remote"):
        return Action(key, Op.CONFLICT, reason, conflict_keys=frozenset(clash))
    merged = dict(remote.record)
    for k in mine:
        merged[k] = local.record.get(k)
    for k in clash:
        merged[k] = local.record.get(k) if winner == "local" else remote.record.get(k)
    push = {k for k in set(merged) | remote.keys() if value_hash(merged.get(k)) != remote.field_hash(k)}
    return Action(key, Op.MERGE, f"{reason}: {winner} wins", push_keys=frozenset(push),
                  conflict_keys=frozenset(clash), merged=merged)


def plan(local: Mapping[str, Side], remote: Mapping[str, Side], base: Mapping[str, BaseSide],
         policy: Policy, keys: frozenset[str] | None = None) -> Plan:
    """``keys``: the record keys the mapping has now (see ``decide_mapped``); None: as the base's."""
    actions = []
    for key in sorted(set(local) | set(remote) | set(base)):
        action = decide_mapped(key, local.get(key), remote.get(key), base.get(key), policy, keys)
        actions.append(block(action, policy))
    return Plan(tuple(actions))


# -- a mapping changed since the base was recorded ---------------------------------------------------
#: the reason of a file rewritten only because its mapping gained or lost a key
MAPPING_CHANGED = "mapping: "


def decide_mapped(key: str, local: Side | None, remote: Side | None, base: BaseSide | None, policy: Policy,
                  keys: frozenset[str] | None) -> Action:
    """``decide``, when the mapping's keys (``keys``) may differ from those the base was recorded with.

    A key added to the mapping is no change on either side: Webflow's value is what the base would
    have held, and a file without the key (written before it was mapped) has not changed it. A key
    removed from the mapping is no longer synced: nothing compares it, nothing sends it. Three sides
    that then agree make the file be written again from Webflow's item with the mapping as it is
    now, by a run that pulls (the reason says so); a file edited outside the synced values is held,
    never overwritten.
    A file with edits of its own keeps them: its push writes the new key back with Webflow's answer."""
    if keys is None or base is None:
        return decide(key, local, remote, base, policy)
    added, removed = keys - set(base.fields), set(base.fields) - keys
    if not added and not removed:
        return decide(key, local, remote, base, policy)
    fields = {k: v for k, v in base.fields.items() if k in keys}
    fields.update({k: remote.field_hash(k) if remote is not None and not _opaque(remote) else _NONE_HASH
                   for k in added})
    rebased = BaseSide(_fields_hash(fields), fields)
    new_local = _projected(local, base, rebased, keys, added)
    action = decide(key, new_local, _projected(remote, base, rebased, keys, set()), rebased, policy)
    why = MAPPING_CHANGED + mapping_change(added, removed)
    if action.op is Op.NOTHING and policy.pull and local is not None and remote is not None and not _opaque(remote):
        if new_local is not None and new_local.edited:
            return Action(key, Op.PULL, why, blocked="the file was edited outside the synced values (comments, "
                          "formatting): add the new keys by hand, or move the file away and pull")
        return Action(key, Op.PULL, why)
    if action.op is Op.PUSH_UPDATE:
        return Action(key, action.op, f"file changed; {why}", action.push_keys)
    return action


def mapping_change(added: set[str], removed: set[str]) -> str:
    """``new key draft``, ``key f_tag-3 removed``: what changed in the mapping, in front-matter words."""
    def named(keys: set[str]) -> str:
        return ", ".join(sorted("body" if k == BODY_KEY else k for k in keys))
    parts = []
    if added:
        parts.append(f"new {'key' if len(added) == 1 else 'keys'} {named(added)}")
    if removed:
        parts.append(f"{'key' if len(removed) == 1 else 'keys'} {named(removed)} removed")
    return ", ".join(parts)


def _opaque(side: Side) -> bool:
    """A side known by its hash only (a file unchanged since wfsync wrote it, an item not re-read)."""
    return side.fields is None and not side.record


def _fields_hash(fields: Mapping[str, str]) -> str:
    return value_hash(sorted(fields.items()))


def _projected(side: Side | None, base: BaseSide, rebased: BaseSide, keys: frozenset[str],
               absent_is_base: set[str]) -> Side | None:
    """``side`` compared on the mapping's keys only, hashed like ``rebased``; a side known by its hash
    only and equal to the base is the rebased base. A key of ``absent_is_base`` the side lacks holds
    the rebased base's value (a file written before the key was mapped)."""
    if side is None:
        return None
    if _opaque(side):
        if side.hash != base.hash:
            return side
        return Side(side.record, rebased.hash, side.updated, rebased.fields, side.hold, side.edited)
    fields = {k: side.field_hash(k) for k in keys}
    for k in absent_is_base:
        if fields[k] in _ABSENT:  # (no body is an empty one)
            fields[k] = rebased.fields[k]
    return Side(side.record, _fields_hash(fields), side.updated, fields, side.hold, side.edited)


def block(action: Action, policy: Policy) -> Action:
    op = action.op
    reason = None
    if op in PUSH_OPS and not policy.push:
        reason = "not pushed by this command"
    elif op in PULL_OPS and not policy.pull:
        reason = "not pulled by this command"
    elif op is Op.MERGE and not (policy.push and policy.pull):
        reason = "needs both directions (wfsync sync)"
    elif op is Op.PUSH_DELETE and not policy.allow_delete:
        reason = DELETE_NEEDS_PERMISSION
    if reason is None:
        return action
    return Action(action.key, action.op, action.reason, action.push_keys, action.conflict_keys, action.merged, reason)


def check_empty_sides(collection: str, local_count: int, remote_count: int, base_count: int) -> None:
    """A side that suddenly looks empty aborts the run, whatever the flags."""
    for side, count in (("local", local_count), ("Webflow", remote_count)):
        if base_count > 0 and count == 0:
            raise EmptySideError(f"{collection}: the {side} side has no items but the last sync saw {base_count}",
                                 collection=collection)


def check_delete_limit(deletes: int, base_count: int, max_delete: str) -> None:
    """``max_delete`` is a count (``10``) or a share of the synced items (``5%``)."""
    text = max_delete.strip()
    limit = int(base_count * float(text[:-1]) / 100) if text.endswith("%") else int(text)
    if deletes > limit:
        raise DeleteLimitError(f"{deletes} remote deletions planned, more than --max-delete {max_delete} "
                               f"(of {base_count} synced items); nothing was changed", deletes=deletes, limit=limit)

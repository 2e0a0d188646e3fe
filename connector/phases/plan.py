"""Plan: the pure planner over this run's three sides, with the items this run leaves alone
held, and the guards that stop a run before anything is written (an empty side, too many
deletions)."""

from __future__ import annotations

from dataclasses import replace

from ..context import RunContext
from ..deadrefs import release_dead_references
from ..mapkeys import record_keys
from ..plan import (DELETE_NEEDS_PERMISSION, Action, BaseSide, Op, Plan, Side, block, check_delete_limit,
                    check_empty_sides, decide_mapped, plan)
from ..normalise import same_content
from ..runs import CollectionRun, iso_seconds
from .apply import conflict_path, path_of


def plan_collection(ctx: RunContext, run: CollectionRun) -> None:
    base_sides = {k: BaseSide(e.record_hash, e.fields) for k, e in run.base.items()}
    remote_sides = {k: v.side for k, v in run.remote.items()}
    for key in run.unfetched - set(run.remote) - run.held:
        remote_sides[key] = Side({}, run.base[key].record_hash)  # unchanged since the last sync
    local_sides = {k: agree(ctx, run, v.side, remote_sides.get(k)) for k, v in run.local.items() if v.side is not None}
    in_flight = _deletes_in_flight(ctx, run, local_sides, remote_sides)
    for key in run.held:
        if key in run.held_remote and key in run.base:
            # archived (or a draft not synced) in Webflow after it was synced: Webflow's copy is left
            # alone and so is the file; a change to the file is planned, held and reported on every
            # run, and goes through once the item is back
            remote_sides[key] = Side({}, run.base[key].record_hash)
            continue
        base_sides.pop(key, None)
        local_sides.pop(key, None)
    check_empty_sides(run.schema.slug, len(local_sides), len(set(remote_sides) | (run.held & set(run.base))),
                      len(run.base))
    for key in run.early:  # carried out while Webflow was read: in the plan as they were decided then
        local_sides.pop(key, None), remote_sides.pop(key, None), base_sides.pop(key, None)
    release_dead_references(ctx, run)
    run.plan = _finish(hold(decide_named(ctx, run, local_sides, remote_sides, base_sides), run), in_flight)
    if run.early:
        run.plan = Plan(tuple(sorted([*run.plan.actions, *run.early.values()], key=lambda a: a.key)))
    run.read_mark = max((iso_seconds(v) for v in run.planned_versions.values()), default=0.0)


def agree(ctx: RunContext, run: CollectionRun, local: Side, remote: Side | None) -> Side:
    """The local side, or the remote one when both hold the same content in another Markdown
    spelling (Webflow applied a write, then the run that sent it died): the two sides agree."""
    if remote is not None and local.hash != remote.hash and local.record and remote.record \
            and same_content(local.record, remote.record, run.mapping, run.schema, ctx.refs):
        return Side(remote.record, remote.hash, local.updated, remote.fields)
    return local


def decide_named(ctx: RunContext, run: CollectionRun, local: dict[str, Side], remote: dict[str, Side],
                 base: dict[str, BaseSide]) -> Plan:
    """The plan; ``--on-conflict`` with files named decides the conflicts of those files only:
    any other conflict stays one (a conflict the user has not seen is never decided for them)."""
    policy, named = ctx.opts.policy, ctx.opts.conflict_paths
    keys = record_keys(run.mapping)  # a mapping line added or removed since the last sync is no change
    if named is None or policy.on_conflict == "stop":
        return plan(local, remote, base, policy, keys)
    p = plan(local, remote, base, replace(policy, on_conflict="stop"), keys)
    actions = []
    for a in p.actions:
        if a.op is Op.CONFLICT and (covered(path_of(run, a.key), named) or covered(conflict_path(run, a.key), named)):
            a = block(decide_mapped(a.key, local.get(a.key), remote.get(a.key), base.get(a.key), policy, keys),
                      policy)
        actions.append(a)
    return Plan(tuple(actions))


def covered(path: str, named: frozenset[str]) -> bool:
    """Whether ``path`` is one of the files named, or under one of the folders named."""
    return any(path == w or w == "" or (w.endswith("/") and path.startswith(w)) for w in named)


def _deletes_in_flight(ctx: RunContext, run: CollectionRun, local: dict[str, Side],
                       remote: dict[str, Side]) -> set[str]:
    """Deletes a killed run started (it may have unpublished the item): finished now, unless the
    file is back or the item's content changed in Webflow since (a modification beats a deletion).
    The unpublishing itself made the item a draft: that is no change."""
    started = {k for k in run.base if run.state_key(k) in ctx.state.deleting}
    draft_keys = {e.key for e in run.mapping.entries if e.meta == "isDraft"}
    finish = set()
    for key in started:
        base = run.base[key]
        side = remote.get(key)
        if side is None:
            # gone from Webflow: the delete went through before the stop; deleted on both sides now
            if not ctx.opts.dry_run:
                ctx.state.deleting.discard(run.state_key(key))
            continue
        changed = set() if side is None or not side.fields else \
            {k for k in set(side.fields) | set(base.fields) if side.field_hash(k) != base.fields.get(k)}
        if key not in local and changed <= draft_keys:
            run.held.discard(key)
            run.held_remote.discard(key)
            remote[key] = Side({}, base.record_hash)
            finish.add(key)
        elif not ctx.opts.dry_run:
            ctx.state.deleting.discard(run.state_key(key))
    return finish


def _finish(p: Plan, in_flight: set[str]) -> Plan:
    """A delete in flight was allowed by the run that started it."""
    if not in_flight:
        return p
    return Plan(tuple(Action(a.key, a.op, a.reason + " (finishing a delete a stopped run started)")
                      if a.key in in_flight and a.op is Op.PUSH_DELETE and a.blocked == DELETE_NEEDS_PERMISSION
                      else a for a in p.actions))


def hold(p: Plan, run: CollectionRun) -> Plan:
    """Items this run leaves alone in Webflow (archived, drafts) are never pushed or deleted there."""
    actions = []
    for a in p.actions:
        if a.key in run.held and a.op in (Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.PUSH_DELETE, Op.MERGE):
            a = Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                       "archived or draft in Webflow, not synced by this run")
        elif a.key in run.unwritable and a.op in (Op.PULL, Op.ADOPT, Op.MERGE) and a.blocked is None:
            a = Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                       f"Webflow's version cannot be written: {run.unwritable[a.key]}")
        actions.append(a)
    return Plan(tuple(actions))


def check_deletes(ctx: RunContext) -> None:
    deletes = sum(len(r.plan.of(Op.PUSH_DELETE)) for r in ctx.runs if r.plan)
    if deletes and ctx.opts.command != "status":  # status lists deletions; only a run that deletes is limited
        check_delete_limit(deletes, sum(len(r.base) for r in ctx.runs), ctx.opts.max_delete)

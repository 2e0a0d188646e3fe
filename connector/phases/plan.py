"""Plan: the pure planner over this run's three sides, with the items this run leaves alone
held, and the guards that stop a run before anything is written (an empty side, too many
deletions)."""

from __future__ import annotations

from ..context import RunContext
from ..plan import Action, BaseSide, Op, Plan, Side, check_delete_limit, check_empty_sides, plan
from ..runs import CollectionRun, iso_seconds


def plan_collection(ctx: RunContext, run: CollectionRun) -> None:
    base_sides = {k: BaseSide(e.record_hash, e.fields) for k, e in run.base.items()}
    remote_sides = {k: v.side for k, v in run.remote.items()}
    for key in run.unfetched - set(run.remote) - run.held:
        remote_sides[key] = Side({}, run.base[key].record_hash)  # unchanged since the last sync
    local_sides = {k: v.side for k, v in run.local.items() if v.side is not None}
    for key in run.held:
        base_sides.pop(key, None)
        local_sides.pop(key, None)
    check_empty_sides(run.schema.slug, len(local_sides), len(remote_sides) + len(run.held & set(run.base)),
                      len(run.base))
    run.plan = hold(plan(local_sides, remote_sides, base_sides, ctx.opts.policy), run)
    run.read_mark = max((iso_seconds(v) for v in run.planned_versions.values()), default=0.0)


def hold(p: Plan, run: CollectionRun) -> Plan:
    """Items this run leaves alone in Webflow (archived, drafts) are never pushed or deleted there."""
    actions = []
    for a in p.actions:
        if a.key in run.held and a.op in (Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.PUSH_DELETE, Op.MERGE):
            a = Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                       "archived or draft in Webflow, not synced by this run")
        actions.append(a)
    return Plan(tuple(actions))


def check_deletes(ctx: RunContext) -> None:
    deletes = sum(len(r.plan.of(Op.PUSH_DELETE)) for r in ctx.runs if r.plan)
    if deletes:
        check_delete_limit(deletes, sum(len(r.base) for r in ctx.runs), ctx.opts.max_delete)

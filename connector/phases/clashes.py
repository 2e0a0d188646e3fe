"""Two Webflow items on one file, and variants left over from an item deleted in its primary locale.

A file is one item's (one variant's, on a localized site). Webflow keeps slugs unique within a
locale for the items it is asked to create or change, but an item deleted without
``cmsLocaleIds`` loses only its primary variant (the API's contract): its other variants stay, an
orphan no page serves from the primary. Re-creating the item then gives the new item automatic
copies in the other locales, with the primary's slug, next to the orphans, and two variants map
to one file. Whatever Webflow does with the copy's slug (keep it, refuse the create, rename it),
the run must not pick one of the two: the file would be overwritten by one, pushed to the other
and, once the base holds both, "deleted" while it is on disk.

So after planning: every path two existing items of a run map to is held (no write to the file,
nothing sent, nothing deleted, for either), named as a problem with both ids and what to do; an
orphan variant that clashes with nothing is synced as before and named in a warning.
"""

from __future__ import annotations

from ..context import RunContext
from ..locales import locales_from_json
from ..plan import Action, Op, Plan
from ..runs import CollectionRun
from .variants import primary_of, secondaries_of

#: what a held clash's actions say (the problem below says the rest)
SHARED = "another Webflow item maps to this file too: see the problem below"


def hold_shared_files(ctx: RunContext) -> None:
    """Hold every item of a path two existing items map to, and name orphan variants (see the module)."""
    for run in ctx.runs:
        if run.plan is None:
            continue
        orphans = _orphans(ctx, run)
        clashes = {path: ids for path, ids in _owners(run).items() if len(ids) > 1}
        held = {key for ids in clashes.values() for key in ids}
        for path, ids in sorted(clashes.items()):
            ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "slug",
                                        "message": _clash_message(ctx, run, ids, orphans)})
        for key in sorted(orphans - held):
            path = run.remote[key].path if key in run.remote else run.base[key].path
            ctx.report.warnings.append({"path": path, "message": _orphan_message(ctx, run, key)})
        if not held:
            continue
        run.plan = _blocked(run.plan, held)
        primary = primary_of(ctx, run) if run.locale is not None else None
        if primary is not None and primary.plan is not None:
            # deleting the whole item would take its variant here, and the file with it
            primary.plan = _blocked(primary.plan, held, ops=frozenset({Op.PUSH_DELETE}))


def _owners(run: CollectionRun) -> dict[str, list[str]]:
    """Path -> the items of ``run`` that exist in Webflow and map to it: as read, or as last synced
    for those not read again (unchanged since)."""
    out: dict[str, list[str]] = {}
    for key, rv in run.remote.items():
        out.setdefault(rv.path, []).append(key)
    for key in sorted(run.unfetched - set(run.remote) - run.held):
        out.setdefault(run.base[key].path, []).append(key)
    return out


def _orphans(ctx: RunContext, run: CollectionRun) -> set[str]:
    """Variants of a secondary locale whose item has no primary variant in Webflow. (A live read
    sees published items only: a draft's primary variant is not missing, so none is named then.)"""
    primary = primary_of(ctx, run) if run.locale is not None else None
    if primary is None or ctx.opts.live:
        return set()
    exists = set(primary.remote) | primary.unfetched | primary.held
    return {key for key in set(run.remote) | (run.unfetched - run.held) if key not in exists}


def _blocked(plan: Plan, keys: set[str], ops: frozenset[Op] | None = None) -> Plan:
    return Plan(tuple(
        Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged, SHARED)
        if a.key in keys and a.op not in (Op.NOTHING, Op.FORGET) and (ops is None or a.op in ops) else a
        for a in plan.actions))


def _tags(ctx: RunContext, run: CollectionRun) -> tuple[str, str]:
    """(this run's locale tag, the primary's tag)."""
    primary = next((loc.tag for loc in locales_from_json(ctx.caps.locales) or [] if loc.primary), "primary")
    return (run.locale.tag if run.locale is not None else primary), primary


def _delete_call(run: CollectionRun, key: str) -> str:
    return f"DELETE /v2/collections/{run.schema.id}/items/{key}?cmsLocaleId={run.cms_locale}"


def _clash_message(ctx: RunContext, run: CollectionRun, ids: list[str], orphans: set[str]) -> str:
    tag, primary_tag = _tags(ctx, run)
    primary = primary_of(ctx, run) if run.locale is not None else None

    def named(key: str) -> str:
        if key in orphans:
            return f"{key} (no {primary_tag} variant: left over from a delete of the item without cmsLocaleIds)"
        where = primary.remote[key].path if primary is not None and key in primary.remote else \
            primary.base[key].path if primary is not None and key in primary.base else ""
        return f"{key}" + (f" ({where})" if where else "")

    items = " and ".join(named(k) for k in sorted(ids, key=lambda k: (k not in orphans, k)))
    what = f"Webflow has {len(ids)} items whose {tag} variant maps to this file: {items}. " if run.locale \
        else f"Webflow has {len(ids)} items that map to this file: {items}. "
    left = sorted(k for k in ids if k in orphans)
    if left:
        todo = (f"Delete the leftover variant in Webflow ({'; '.join(_delete_call(run, k) for k in left)}), or give "
                f"one of them another {tag} slug there; then run again.")
    else:
        todo = f"Give one of them another {tag} slug in Webflow; then run again."
    return what + "Neither is synced until one goes (the file is not written, nothing is sent or deleted). " + todo


def _orphan_message(ctx: RunContext, run: CollectionRun, key: str) -> str:
    tag, primary_tag = _tags(ctx, run)
    return (f"the {tag} variant of item {key} has no {primary_tag} variant in Webflow (the item was deleted in "
            f"{primary_tag} only, as a delete without cmsLocaleIds does): it is synced to this file as before; to "
            f"remove it, delete this file and run with --allow-delete (or {_delete_call(run, key)})")

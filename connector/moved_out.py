"""Files moved out of their mapping: a file moved where no mapping covers it (a subfolder, another
folder) still holds its item. Its absence from the mapped path is not a deletion: the deletion is
held, both paths are named, and the user says which one they meant."""

from __future__ import annotations

from .context import RunContext
from .plan import Action, Op, Plan
from .reading import read_document
from .runs import CollectionRun, template_regex

#: the reason of such a deletion (status lists it apart from real deletions)
MOVED_OUT = "file moved out of the mapping"


def _holder(ctx: RunContext, run: CollectionRun, slug: str, strays: list[str],
            parsed: dict[str, dict[str, object] | None]) -> str | None:
    """The first file of ``strays`` that holds the item of ``slug``: the same slug, and only keys
    of this collection's mapping (an item of another collection may share the slug)."""
    slug_key = run.mapping.key_for_field("slug")
    if not slug_key:
        return None
    known = {e.key for e in run.mapping.entries}
    for rel in strays:
        if rel not in parsed:
            raw = ctx.store.read(rel)
            result = read_document(rel, raw, run.mapping, None) if raw is not None else None
            parsed[rel] = dict(result.document.front_matter) if result and result.document else None
        front = parsed[rel]
        if front and front.get(slug_key) == slug and set(front) <= known:
            return rel
    return None


def new_in_other_collections(ctx: RunContext, run: CollectionRun) -> list[str]:
    """Files new to the other collections' folders: one of them may be this collection's file,
    moved there (it holds this mapping's keys, which that collection reads as unknown)."""
    return sorted(view.path for other in ctx.runs if other.schema.id != run.schema.id
                  for key, view in other.local.items() if key.startswith("new:"))


def hold_moved_out(ctx: RunContext, run: CollectionRun, strays: list[str],
                   parsed: dict[str, dict[str, object] | None]) -> None:
    """Every deletion of ``run``'s plan whose item is still held by a file outside the mapping, or
    moved into another collection's folder, is held (never carried out, even with --allow-delete),
    and reported with both paths."""
    misplaced = new_in_other_collections(ctx, run)
    strays = [*strays, *misplaced]
    if run.plan is None or not strays:
        return
    pattern = template_regex(run.mapping)
    actions = []
    for a in run.plan.actions:
        entry = run.base.get(a.key)
        if a.op is Op.PUSH_DELETE and entry is not None:
            m = pattern.match(entry.path)
            slug = (m.groupdict().get("slug") if m else None) or (
                run.remote[a.key].item.slug if a.key in run.remote else None)
            holder = _holder(ctx, run, slug, strays, parsed) if slug else None
            if holder is not None:
                where = "into another collection's folder" if holder in misplaced else "where no mapping covers it"
                now, was = ctx.shown(holder), ctx.shown(entry.path)
                how = (f"now {now}, moved {where}: the Webflow item is kept; move the file back to "
                       f"{was} to go on syncing it, or delete {now} to delete the item")
                a = Action(a.key, a.op, MOVED_OUT, a.push_keys, a.conflict_keys, a.merged, how)
                ctx.report.problems.append({
                    "collection": run.schema.slug, "item": holder, "field": "(file)",
                    "message": f"the file of {was}, moved {where}: its Webflow item is "
                               f"not deleted; move it back to {was}, or delete this file to delete the item"})
        actions.append(a)
    run.plan = Plan(tuple(actions))

"""References Webflow holds to items it deleted. Such an item is written with the dead id as it
is (nothing else names it), with a warning, unless its file is waiting for something this run
does: the deleted item's own file is still here (this run deletes it, or creates it again and
``refollow`` gives Webflow the file's references), or the file's references all name live
items (``refollow`` sends them). Then the item is held, as before, with its problem."""

from __future__ import annotations

from .context import RunContext
from .convert import document_record
from .reading import read_document
from .refollow import encodable
from .runs import CollectionRun


def release_dead_references(ctx: RunContext, run: CollectionRun) -> None:
    """Items held only for references to deleted items that nothing will fix: written as they are."""
    for key, found in sorted(run.dead_refs.items()):
        if key not in run.unwritable or _waits(ctx, run, key, {i for _, ids in found for i in ids}):
            continue
        del run.unwritable[key]
        for problem, _ in found:
            if problem in ctx.report.problems:
                ctx.report.problems.remove(problem)
            warning = {"path": problem["path"], "key": problem["field"],
                       "message": f"{problem['field']}: {problem['message']}"}
            if warning not in ctx.report.warnings:
                ctx.report.warnings.append(warning)


def _waits(ctx: RunContext, run: CollectionRun, key: str, dead: set[str]) -> bool:
    for item_id in dead:
        entry = ctx.state.items.get(item_id)
        if entry is not None and ctx.store.stat(entry.path) is not None:
            return True  # deleted or re-created by this run
    view, base = run.local.get(key), run.base.get(key)
    if view is None or base is None:
        return False
    raw = ctx.store.read(view.path)
    doc = read_document(view.path, raw, run.mapping, set(base.fields)).document if raw is not None else None
    return doc is not None and encodable(run, document_record(doc, run.mapping), ctx.refs)

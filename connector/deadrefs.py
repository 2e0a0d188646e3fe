"""References Webflow holds to items it deleted. Such an item is written with the dead id as it
is (nothing else names it), with a warning, unless its file is waiting for something this run
does: the deleted item's own file is still here (this run deletes it, or creates it again and
``refollow`` gives Webflow the file's references), or the file's references all name live
items (``refollow`` sends them). Then the item is held, as before, with its problem."""

from __future__ import annotations

from typing import Any

from .codecs import deleted_message
from .context import RunContext
from .convert import document_record
from .plan import Op
from .reading import read_document
from .refollow import encodable
from .relink import documents_naming, refers_to, reference_keys
from .runs import CollectionRun


def release_dead_references(ctx: RunContext, run: CollectionRun) -> None:
    """Items held only for references to deleted items that nothing will fix: written as they are."""
    for key, found in sorted(run.dead_refs.items()):
        if key not in run.unwritable or _waits(ctx, run, key, {i for _, ids in found for i in ids}):
            continue
        del run.unwritable[key]
        for problem, ids in found:
            if problem in ctx.report.problems:
                ctx.report.problems.remove(problem)
            warning = {"path": problem["path"], "key": problem["field"],
                       "message": f"{problem['field']}: {deleted_message(ids, kept=True)}"}
            if warning not in ctx.report.warnings:
                ctx.report.warnings.append(warning)
            target = _target(run, problem["field"])
            if target and not ctx.opts.dry_run:
                # the file names the id from now on: later runs, which do not read the item again, say so too
                ctx.state.gone.update((target, i, "") for i in ids)
                ctx.state.dirty = True


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


def _target(run: CollectionRun, key: str) -> str:
    """The collection the reference key ``key`` of ``run`` points to."""
    entry = next((e for e in run.mapping.entries if e.key == key), None)
    spec = run.schema.field(entry.field) if entry is not None and entry.field else None
    return str((spec.validations or {}).get("collectionId", "")) if spec is not None else ""


def remember_gone(ctx: RunContext, target: str, item_id: str, path: str) -> None:
    """The item's file went with the item: files that still name it are looked for on every run."""
    if not ctx.opts.dry_run:
        ctx.state.gone.add((target, item_id, path))
        ctx.state.dirty = True


def report_gone(ctx: RunContext) -> None:
    """Every run names the files that still refer to an item deleted in Webflow (``State.gone``):
    a problem for a file naming its path (nothing can send it), a warning for one holding its id
    (what Webflow holds too). An item no file names any more is forgotten."""
    ctx.refs.deleted.update((target, path) for target, _, path in ctx.state.gone if path)
    for target, item_id, path in sorted(ctx.state.gone):
        if (path and ctx.refs.id_for(target, path)) or ctx.refs.path_for(target, item_id) \
                or (target, item_id) in ctx.refs.without_file:
            _forget(ctx, (target, item_id, path))  # back in Webflow (re-created, or another item has the path)
            continue
        users = [*_users(ctx, target, path, True), *_users(ctx, target, item_id, False)]
        if not users:
            _forget(ctx, (target, item_id, path))
        for file, key, by_path in users:
            if _named(ctx, file, key):
                continue  # this run says it already (a pull that writes the id, a push that validates the file)
            if by_path:
                ctx.report.problems.append({"collection": "", "item": file, "field": key, "message": (
                    f"refers to {ctx.shown(path)}, deleted in Webflow: change or remove the reference")})
            else:
                ctx.report.warnings.append({"path": file, "key": key,
                                            "message": f"{key}: {deleted_message([item_id], kept=True)}"})


def _users(ctx: RunContext, target: str, value: str, by_path: bool) -> list[tuple[str, str, bool]]:
    """``(file, key, by_path)`` of each reference to ``value`` (a path or an id) in the files."""
    out: list[tuple[str, str, bool]] = []
    if not value:
        return out
    for run in ctx.runs:
        keys = reference_keys(run, target)
        if not keys:
            continue
        pushed = {a.key for a in run.plan.of(Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.MERGE)} \
            if run.plan is not None and ctx.opts.policy.push else set()
        for key, view, _, doc in documents_naming(ctx, run, value):
            if by_path and key in pushed:
                continue  # validation refuses the file, naming the key
            out.extend((view.path, k, by_path) for k in keys if refers_to(doc.front_matter.get(k), value))
    return out


def _named(ctx: RunContext, file: str, key: str) -> bool:
    said: list[dict[str, Any]] = [*ctx.report.problems, *ctx.report.warnings]
    return any(file in (p.get("path"), p.get("item")) and key in (p.get("field"), p.get("key")) for p in said)


def _forget(ctx: RunContext, entry: tuple[str, str, str]) -> None:
    if not ctx.opts.dry_run:
        ctx.state.gone.discard(entry)
        ctx.state.dirty = True

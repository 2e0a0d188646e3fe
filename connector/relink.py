"""References between files when one of them moves or goes: the paths in other files follow a
local slug rename, and a remote deletion names the files that still refer to the item."""

from __future__ import annotations

from typing import Any, Iterator

from .context import RunContext
from .convert import Document, document_record, field_hashes, record_hash, render
from .errors import FileChangedError
from .reading import read_document
from .runs import CollectionRun, LocalView
from .state import BaseEntry
from .store import sha256
from .validate import FileProblem


def reference_keys(run: CollectionRun, target: str) -> list[str]:
    """The front-matter keys of ``run`` holding references to the collection ``target``."""
    keys = []
    for entry in run.mapping.entries:
        spec = run.schema.field(entry.field) if entry.field else None
        if spec is not None and spec.type in ("Reference", "MultiReference") and \
                str((spec.validations or {}).get("collectionId")) == target:
            keys.append(entry.key)
    return keys


def documents_naming(ctx: RunContext, run: CollectionRun, path: str) -> Iterator[tuple[str, LocalView, bytes, Document]]:
    """The readable files of ``run`` whose bytes mention ``path`` (a cheap test before parsing)."""
    needle = path.encode("utf-8")
    for key, view in run.local.items():
        if view.side is not None and view.side.hold:
            continue
        raw = ctx.store.read(view.path)
        if raw is None or needle not in raw:
            continue
        base = ctx.state.items.get(run.state_key(key))
        result = read_document(view.path, raw, run.mapping, set(base.fields) if base else None)
        if result.document is not None and not result.problems:
            yield key, view, raw, result.document


def refers_to(value: Any, path: str) -> bool:
    return value == path or (isinstance(value, list) and path in value)


def referring_files(ctx: RunContext, target: str, path: str, skip: set[str]) -> list[tuple[str, list[str]]]:
    """``(file, keys)`` for every file that refers to the file ``path`` of collection ``target``."""
    out = []
    for run in ctx.runs:
        keys = reference_keys(run, target)
        if not keys:
            continue
        for _, view, _, doc in documents_naming(ctx, run, path):
            hits = [k for k in keys if refers_to(doc.front_matter.get(k), path)]
            if hits and view.path not in skip:
                out.append((view.path, hits))
    return out


def check_referenced_deletes(ctx: RunContext) -> list[FileProblem]:
    """A deletion in Webflow would leave other files pointing at nothing: name them first."""
    from .plan import Op

    problems = []
    deleted = {(r.schema.id, r.base[a.key].path) for r in ctx.runs if r.plan
               for a in r.plan.of(Op.PUSH_DELETE) if a.key in r.base}
    gone = {p for _, p in deleted}
    for target, path in sorted(deleted):
        users = referring_files(ctx, target, path, skip=gone)
        if users:
            named = ", ".join(f"{ctx.shown(file)} ({', '.join(keys)})" for file, keys in users)
            problems.append(FileProblem(path, "(file)", f"deleted here, but {named} still refer to it: change "
                                        "those references first (nothing was deleted)"))
    return problems


def report_dangling(ctx: RunContext, target: str, path: str) -> bool:
    """A file removed because Webflow deleted its item: the files still referring to it are named,
    each key once (a problem this run already has about it, from Webflow's side of the same file,
    takes this message: the file names the path, not the id). True if any file refers to it."""
    users = referring_files(ctx, target, path, skip={path})
    for file, keys in users:
        message = f"refers to {ctx.shown(path)}, deleted in Webflow: change or remove the reference"
        for key in keys:
            same = [p for p in ctx.report.problems if file in (p.get("path"), p.get("item"))
                    and p.get("field") == key and "deleted in Webflow" in p.get("message", "")]
            if same:
                same[0]["message"] = message
                continue
            ctx.report.problems.append({"collection": "", "item": file, "field": key, "message": message})
    return bool(users)


def moved_line(ctx: RunContext, run: CollectionRun, key: str, old: str, new: str) -> None:
    """The item's line names the file where it is now, and where it was (``moved_from``)."""
    for entry in ctx.report.actions:
        if entry.get("key") == key and entry.get("collection") == run.schema.slug and entry.get("path") in (old, new):
            entry.update(path=new, moved_from=old)


def follow_rename(ctx: RunContext, target: str, item_id: str, old: str, new: str) -> None:
    """A slug renamed locally and pushed: the files referring to the old path now hold the new one,
    as a rename in Webflow would have written them. The base of a file that was in step moves
    with it, so the file stays in step; a file with edits of its own keeps them."""
    ctx.refs.add(target, item_id, new)
    for run in ctx.runs:
        keys = reference_keys(run, target)
        if not keys:
            continue
        for key, view, raw, doc in documents_naming(ctx, run, old):
            changed = []
            for k in keys:
                value = doc.front_matter.get(k)
                if value == old:
                    doc.front_matter[k] = new
                    changed.append(k)
                elif isinstance(value, list) and old in value:
                    doc.front_matter[k] = [new if v == old else v for v in value]
                    changed.append(k)
            if not changed:
                continue
            data = render(doc).encode("utf-8")
            try:
                ctx.store.replace(view.path, data)
            except FileChangedError:
                continue  # saved meanwhile: the editor's file stays; validation will name the old path
            ctx.report.actions.append({"collection": run.schema.slug, "key": key, "op": "relink", "path": view.path,
                                       "reason": f"follows the rename to {ctx.shown(new)}",
                                       "blocked": None, "fields": changed})
            base = ctx.state.items.get(run.state_key(key))
            if base is not None and base.path == view.path and sha256(raw) == base.file_hash:
                record = document_record(doc, run.mapping)
                ctx.state.put(BaseEntry(id=base.id, collection=base.collection, path=base.path,
                                        last_updated=base.last_updated, record_hash=record_hash(record),
                                        fields=field_hashes(record), file_hash=sha256(data),
                                        last_published=base.last_published, files=base.files, locale=base.locale))
                info = ctx.store.stat_as_written(view.path)
                if info is not None:
                    ctx.stats[view.path] = (info.size, info.mtime_ns)

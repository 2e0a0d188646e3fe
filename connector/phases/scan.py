"""Scan: the snapshot's files, each matched to its item (by the base, the slug or the id) and
read only when its size or mtime moved since it was last written."""

from __future__ import annotations

from ..context import RunContext
from ..convert import document_record, parse, record_hash
from ..errors import ValueProblem
from ..plan import Side
from ..runs import CollectionRun, LocalView, template_prefix, template_regex
from ..store import sha256


def scan(ctx: RunContext, run: CollectionRun) -> None:
    report = ctx.report
    pattern = template_regex(run.mapping)
    by_path = ctx.state.by_path()
    slugs = {rv.item.slug: rid for rid, rv in run.remote.items()}
    slugs.update({slug_of(ctx, run, i): i for i in run.held})
    for info in ctx.store.scan(template_prefix(run.mapping)):
        match = pattern.match(info.rel)
        if not match:
            continue
        base = by_path.get(info.rel)
        if base is not None and base.collection == run.schema.id:
            key = base.id
        else:
            found = slugs.get(match.groupdict().get("slug") or "") or (match.groupdict().get("id") if
                                                                       match.groupdict().get("id") in run.remote else None)
            key = found or f"new:{run.schema.id}:{info.rel}"
        view = LocalView(info.rel, info)
        base_entry = run.base.get(key)
        if base_entry and base_entry.path == info.rel and ctx.stats.get(info.rel) == (info.size, info.mtime_ns):
            # unchanged since the last sync by size and mtime: no need to read or parse it
            view.side = Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
        else:
            raw = ctx.store.read(info.rel) or b""
            if base_entry and base_entry.path == info.rel and sha256(raw) == base_entry.file_hash:
                view.side = Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
                ctx.stats[info.rel] = (info.size, info.mtime_ns)  # same bytes, new mtime (a git checkout)
            else:
                try:
                    doc = parse(raw.decode("utf-8"))
                except (UnicodeDecodeError, ValueProblem, Exception) as exc:  # noqa: BLE001 - any unreadable file
                    report.problems.append({"collection": run.schema.slug, "item": info.rel, "field": "(file)",
                                            "message": f"cannot read this file: {exc}"})
                    run.held.add(key)
                    continue
                record = document_record(doc, run.mapping)
                view.document = doc
                view.side = Side(record, record_hash(record), info.mtime_ns / 1e9)
        run.local[key] = view
        if key in run.held and key not in run.base:
            report.problems.append({
                "collection": run.schema.slug, "item": info.rel, "field": "slug",
                "message": "an archived or draft item in Webflow has this slug and is not synced by this run "
                           "(see --archived / --drafts); the file is left alone"})


def slug_of(ctx: RunContext, run: CollectionRun, item_id: str) -> str:
    """The slug of an item's file, from the path references know it by."""
    path = ctx.refs.path_for(run.schema.id, item_id) or ""
    m = template_regex(run.mapping).match(path)
    return (m.groupdict().get("slug") or "") if m else ""

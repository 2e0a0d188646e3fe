"""Convert: Webflow's items become the files they would be (``RemoteView``), except those this
run leaves alone (archived, drafts, unsafe slugs), which are held."""

from __future__ import annotations

from ..context import RunContext
from ..convert import Problem
from ..errors import UnsafePathError
from ..itemlines import skip_reason
from ..model import RemoteItem
from ..plan import Side
from ..runs import CollectionRun, LazyRecord, RemoteView, iso_seconds
from ..workers import Helper, convert_items
from .read import SAFE_SLUG
from .webflow_now import webflow_html


def convert(ctx: RunContext, run: CollectionRun, items: list[RemoteItem], helper: Helper | None = None) -> None:
    opts, report = ctx.opts, ctx.report
    archived = run.mapping.archived if opts.archived is None else opts.archived
    drafts = run.mapping.drafts if opts.drafts is None else opts.drafts
    wanted: list[tuple[RemoteItem, str]] = []
    for item in items:
        if (item.is_archived and not archived) or (item.is_draft and not drafts):
            run.held.add(item.id)
            run.held_remote.add(item.id)
            report.of(run.schema.slug).skipped += 1
            report.skipped.append({"collection": run.schema.slug, "item": item.id, "reason": skip_reason(item),
                                   "path": run.mapping.path_for(item.slug, item.id)
                                   if SAFE_SLUG.match(item.slug or "") else ""})
            continue
        try:
            if not SAFE_SLUG.match(item.slug or ""):
                raise UnsafePathError(f"slug {item.slug!r} is not a safe file name")
            path = run.mapping.path_for(item.slug, item.id)
            ctx.store.resolve(path)
        except UnsafePathError as exc:
            report.problems.append({"collection": run.schema.slug, "item": item.id, "field": "slug",
                                    "message": f"refused: {exc}"})
            run.held.add(item.id)
            run.held_remote.add(item.id)
            continue
        wanted.append((item, path))
    html = webflow_html(ctx, run, (i for i, _ in wanted))
    items.clear()  # the caller's list: raw items should not outlive their conversion
    paths = [path for _, path in wanted]
    results = convert_items([i for i, _ in wanted], run.mapping, run.schema, ctx.refs, ctx.workers, helper)
    if wanted:
        ctx.progress.phase("converting", run.schema.slug, len(wanted))
    wanted.clear()
    for path, (converted, data, (digest, fields)) in zip(paths, results, strict=True):
        ctx.progress.advance()
        assert converted.item is not None
        item = converted.item
        for p in converted.problems:
            report.problems.append({**problem_entry(p), "path": path})  # the file the item is written to
            if p.hold:
                run.unwritable[item.id] = f"{p.field}: {p.message}"
        dead = [p for p in converted.problems if p.dead]
        if dead and all(p.dead for p in converted.problems if p.hold):  # the plan decides whether the file waits or takes the ids (``deadrefs``)
            run.dead_refs[item.id] = [({**problem_entry(p), "path": path}, p.dead) for p in dead]
        else:
            run.dead_refs.pop(item.id, None)
        if not converted.problems:
            # the bytes hold the same values (a value with a problem may not survive the YAML)
            converted.record = LazyRecord(data, run.mapping)  # type: ignore[assignment]
        side = Side(converted.record, digest, iso_seconds(item.last_updated), fields=fields)
        run.remote[item.id] = RemoteView(item, converted, path, side, data, html.get(item.id))
        run.planned_versions[item.id] = item.last_updated


def problem_entry(p: Problem) -> dict[str, str]:
    return {"collection": p.collection, "item": p.item, "field": p.field, "message": p.message}

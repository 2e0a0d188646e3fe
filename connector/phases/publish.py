"""Publish: what this run pushed (drafts stay drafts), then Webflow's ``lastPublished`` back into
the files and the base."""

from __future__ import annotations

from ..context import RunContext
from ..locales import api
from ..reads import updated_since
from ..runs import CollectionRun, iso_seconds
from .apply import LocalWriter


def publish(ctx: RunContext, writer: LocalWriter, run: CollectionRun) -> None:
    state = ctx.state
    ids = [i for i in run.pushed if run.state_key(i) in state.items]
    drafts = {i for i in ids if run.published_flags.get(i)}
    ids = [i for i in ids if i not in drafts]  # drafts stay drafts
    if not ids:
        return
    ctx.emit("before:publish", collection=run.schema.id, ids=ids)
    result = api(ctx, run).publish_items(run.schema.id, ids)
    ctx.emit("after:publish", collection=run.schema.id, ids=ids)
    c = ctx.report.of(run.schema.slug)
    c.published += len(result.published_ids)
    for error in result.errors:
        # Webflow names the item in the text of each error ("Staging item ID … not found.")
        named = next((i for i in ids if i in error), None)
        ctx.report.problems.append({"collection": run.schema.slug, "field": "(publish)", "message": error,
                                    "item": state.items[run.state_key(named)].path if named else ""})
    oldest = min((state.items[run.state_key(i)].last_updated for i in result.published_ids), key=iso_seconds) \
        if result.published_ids else None
    if oldest:
        wanted = set(result.published_ids)
        for item in updated_since(api(ctx, run), run.schema.id, run.schema.slug, oldest, ctx.caps, published=True,
                                  ids=wanted):
            if item.id in wanted:
                writer.store_answer(run, item, state.items[run.state_key(item.id)].path)

"""New files whose slug an item Webflow holds back has (archived, or a draft the mapping leaves out).

Such an item has no file, and an incremental read knows it by id only, so a new file with its slug
would look like a new item: the create is refused (the slug is taken) and the file must not be
bound to the held item silently. The file is matched to the item, left alone, and named as a
problem saying whose slug it is and what to do.
"""

from __future__ import annotations

from typing import Any

from .context import RunContext
from .locales import api
from .runs import CollectionRun


def held_slug_message(slug: str, item_id: str, archived: bool | None) -> str:
    """What the user reads: whose slug this is, and the ways out."""
    if archived is True:
        what, back, flags = "an item archived in Webflow", "unarchive it in Webflow", "--archived"
    elif archived is False:
        what, back, flags = "a draft in Webflow that this run does not sync", "publish it", "--drafts"
    else:
        what, back, flags = ("an item archived in Webflow (or a draft this run does not sync)",
                             "unarchive it in Webflow", "--archived --drafts")
    return (f"{slug!r} belongs to {what} (id {item_id}); nothing was created and the file is left alone: "
            f"{back} and run `wfsync pull`, or run `wfsync pull {flags} --full` to sync that item, "
            "or give this file another slug")


def held_item_kind(ctx: RunContext, run: CollectionRun, item_id: str) -> bool | None:
    """True: archived; False: a draft; None: not known (as the run's skipped list says)."""
    for entry in ctx.report.skipped:
        if entry.get("collection") == run.schema.slug and entry.get("item") == item_id:
            return str(entry.get("reason", "")).startswith("archived")
    return None


def claim_held_slugs(ctx: RunContext, run: CollectionRun, slug_key: str | None) -> None:
    """New files of ``run`` whose slug is a held item's, when the run does not know held items'
    slugs (an incremental read): one lookup by slug per new file, only then."""
    if run.locale is not None or slug_key is None:
        return
    unknown = [i for i in run.held if i not in run.local and ctx.refs.path_for(run.schema.id, i) is None]
    if not unknown:
        return
    for key in [k for k in run.local if k.startswith("new:")]:
        view = run.local[key]
        slug = view.side.record.get(slug_key) if view.side is not None and not view.side.hold else None
        if not isinstance(slug, str) or not slug:
            continue
        found = api(ctx, run).find_by_slug(run.schema.id, slug)
        if found is None or found.id not in run.held or found.id in run.local:
            continue
        run.local[found.id] = run.local.pop(key)
        report_held_slug(ctx, run, view.path, slug, found.id, bool(found.is_archived))


def report_held_slug(ctx: RunContext, run: CollectionRun, path: str, slug: str, item_id: str,
                     archived: bool | None) -> None:
    ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "slug",
                                "message": held_slug_message(slug, item_id, archived)})


def held_in_webflow(ctx: RunContext, run: CollectionRun, found: Any) -> bool:
    """Whether an item found by slug is one this run leaves alone (archived, or a draft left out)."""
    archived = run.mapping.archived if ctx.opts.archived is None else ctx.opts.archived
    drafts = run.mapping.drafts if ctx.opts.drafts is None else ctx.opts.drafts
    return bool((found.is_archived and not archived) or (found.is_draft and not drafts))

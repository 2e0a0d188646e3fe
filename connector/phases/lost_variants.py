"""A file of a secondary locale for an item that exists but has no variant in that locale any more.

The variant was deleted (by ``push --allow-delete`` of its file, or in Webflow) and the file is
back: restored with git, or changed while Webflow deleted the variant. Webflow's API cannot add a
locale to an existing item (its localization guide: existing items get secondary locales in the
CMS panel, in the Designer; a create always makes a new item id), so nothing can be sent. The
file is planned as held, with that reason and what the user can do, so every command (``status``
included) says so and no line claims it was created; the text stays in the file. Once the
locale is added to the item in Webflow, the file goes to that variant like any new file on a
variant still a copy of the primary (``locales.new_files_on_copies``).
"""

from __future__ import annotations

from ..context import RunContext
from ..locales import locales_from_json
from ..plan import Action, Op, Plan
from ..runs import CollectionRun, template_regex
from .scan import slug_of
from .variants import primary_of


def hold_lost_variants(ctx: RunContext) -> None:
    """Hold each new (or re-created) file of a secondary locale whose item has no variant there."""
    if ctx.opts.live:
        return  # a live read sees published variants only: a draft one is not missing
    for run in ctx.runs:
        primary = primary_of(ctx, run) if run.locale is not None else None
        if primary is None or run.plan is None or run.locale is None:
            continue
        lost = _lost(ctx, run, primary)
        if not lost:
            continue
        actions = []
        for a in run.plan.actions:
            if a.key in lost:
                a = Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                           f"its item has no {run.locale.tag} variant in Webflow, which the API cannot add back: "
                           "see the problem below")
                ctx.report.problems.append({"collection": run.schema.slug, "item": run.local[a.key].path,
                                            "field": "(item)", "message": _why(ctx, run, primary, lost[a.key])})
            actions.append(a)
        run.plan = Plan(tuple(actions))


def _lost(ctx: RunContext, run: CollectionRun, primary: CollectionRun) -> dict[str, str]:
    """Action key -> item id, of the files to create whose item exists (in the primary locale, as
    this run read it) and has no variant in ``run``'s locale."""
    exists = set(primary.remote) | primary.unfetched | primary.held
    by_slug = {rv.item.slug: k for k, rv in primary.remote.items()}
    by_slug.update({slug_of(ctx, primary, k): k for k in primary.unfetched - set(primary.remote)})
    has_variant = set(run.remote) | run.unfetched | run.held
    out = {}
    for a in run.plan.actions if run.plan else ():
        if a.op is not Op.PUSH_CREATE or a.key not in run.local:
            continue
        item_id = a.key if a.key in run.base else by_slug.get(_slug(run, a.key))
        if item_id is not None and item_id in exists and item_id not in has_variant:
            out[a.key] = item_id
    return out


def _slug(run: CollectionRun, key: str) -> str:
    """A new file's slug: as its front matter says, else as its name says."""
    view = run.local[key]
    slug_key = run.mapping.key_for_field("slug")
    said = view.document.front_matter.get(slug_key) if slug_key and view.document is not None else None
    if isinstance(said, str):
        return said
    m = template_regex(run.mapping).match(view.path)
    return (m.groupdict().get("slug") or "") if m else ""


def _why(ctx: RunContext, run: CollectionRun, primary: CollectionRun, item_id: str) -> str:
    assert run.locale is not None
    tag = run.locale.tag
    primary_tag = next((loc.tag for loc in locales_from_json(ctx.caps.locales) or [] if loc.primary), "primary")
    where = primary.remote[item_id].path if item_id in primary.remote else \
        primary.base[item_id].path if item_id in primary.base else item_id
    return (f"its item ({where}) has no {tag} variant in Webflow any more, and Webflow's API cannot add a locale to "
            f"an existing item: add {tag} to that item in Webflow's CMS panel (Designer), then run again and this "
            f"file updates it; or delete this file to leave the item without {tag}. Nothing was sent")

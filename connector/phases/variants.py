"""The runs of a localized site: one per (collection, locale), and what spans the locales
(``locales.py`` holds the rules; this is where they meet the run context and the API)."""

from __future__ import annotations

from typing import Any

from .. import bulk
from ..context import RunContext
from ..errors import FileChangedError, MappingError
from ..locales import (for_locale, is_localized, locales_from_json, locales_to_json, new_files_on_copies, selected,
                       variant_deletes, whole_item_deletes)
from ..model import Locale
from ..plan import Op
from ..runs import CollectionRun
from . import read

def site_locales(ctx: RunContext, runs: list[CollectionRun]) -> list[Locale]:
    """The site's locales: as remembered, read again (one call) whenever a collection is read in
    full (the first run, every ``full_every`` runs, ``--full``), so a locale added is found then."""
    cached = locales_from_json(ctx.caps.locales)
    if cached is not None and not any(read.reads_in_full(ctx, r) for r in runs):
        return cached
    found = list(ctx.client.get_site(ctx.site_id).locales)
    ctx.caps.locales = locales_to_json(found)  # type: ignore[assignment]
    return found


def expand(ctx: RunContext, runs: list[CollectionRun]) -> list[CollectionRun]:
    """Today's runs (the primary locale's), then one run per secondary locale each mapping covers."""
    if not runs:
        return runs
    found = site_locales(ctx, runs)
    primary = next((loc for loc in found if loc.primary), None)
    templates = [run.mapping for run in runs]
    for run in runs:
        run.mapping = for_locale(run.mapping, primary)
    if not is_localized(found):
        return runs
    extra = []
    for run, template in zip(runs, templates, strict=True):
        run.all_locales = tuple(loc.cms_locale_id for loc in found)
        chosen = selected(template, found)
        if primary not in chosen:
            raise MappingError(f"{template.source}: locales: the primary locale ({primary.tag if primary else '?'}) "
                              "is always synced (an item exists through its primary variant): add it to the list")
        extra += [CollectionRun(for_locale(template, loc), run.schema, locale=loc, read_in_full=run.read_in_full)
                  for loc in chosen if not loc.primary]
    return [*runs, *extra]


def adjust_plans(ctx: RunContext) -> None:
    """After planning every run, what spans locales: new files on variants still copies of the
    primary (``locales.new_files_on_copies``), deletes (``whole_item_deletes``, ``variant_deletes``)."""
    for run in ctx.runs:
        if run.locale is not None or run.plan is None:
            continue
        others = [o for o in secondaries_of(ctx, run) if o.plan is not None and o.locale is not None]
        for o in others:
            assert o.plan is not None and o.locale is not None
            o.plan = new_files_on_copies(o.plan, o.locale.tag, _copies(run, o), ctx.opts.policy.push)
        if not others:
            continue
        run.plan = whole_item_deletes(
            run.plan, {o.locale.tag: o.plan for o in others if o.plan is not None and o.locale is not None},
            {o.locale.tag: {**{k: ctx.shown(e.path) for k, e in o.base.items()},
                            **{k: ctx.shown(v.path) for k, v in o.remote.items()}}
             for o in others if o.locale is not None})
        going = {a.key for a in run.plan.of(Op.PUSH_DELETE)}
        for o in others:
            assert o.plan is not None and o.locale is not None
            o.plan = variant_deletes(o.plan, o.locale.tag, going)


def _copies(primary: CollectionRun, run: CollectionRun) -> set[str]:
    """Items of ``run`` (a secondary locale) with a new file and no base, whose variant in Webflow
    holds the same values as the primary's."""
    out = set()
    for key, lv in run.local.items():
        rv = run.remote.get(key)
        if key in run.base or rv is None or lv.side is None:
            continue
        theirs = primary.remote[key].side.hash if key in primary.remote else \
            primary.base[key].record_hash if key in primary.unfetched else None
        if theirs is not None and theirs == rv.side.hash:
            out.add(key)
    return out


def primary_of(ctx: RunContext, run: CollectionRun) -> CollectionRun | None:
    return next((r for r in ctx.runs if r.schema.id == run.schema.id and r.locale is None), None)


def secondaries_of(ctx: RunContext, run: CollectionRun) -> list[CollectionRun]:
    return [r for r in ctx.runs if r.schema.id == run.schema.id and r.locale is not None]


def remove_variants(ctx: RunContext, writer: Any, run: CollectionRun, ids: list[str]) -> None:
    """After the primary's run deleted items as a whole: their files in the other locales go too
    (each only if still as the run saw it: a file saved meanwhile stays, a new file now), each named."""
    if run.locale is not None or not run.all_locales:
        return
    for other in secondaries_of(ctx, run):
        c = ctx.report.of(other.schema.slug)
        for item_id in ids:
            entry = other.base.get(item_id)
            if entry is None:
                continue
            try:
                ctx.store.remove(entry.path)
            except FileChangedError:
                # saved meanwhile: the file stays, named, and is a new file for the next run
                writer.kept(other, entry.path, None, item_id)
                ctx.state.drop(other.state_key(item_id))
                continue
            ctx.state.drop(other.state_key(item_id))
            c.removed += 1
            primary = run.base[item_id].path if item_id in run.base else ""
            ctx.report.actions.append({"collection": other.schema.slug, "key": item_id, "op": "delete-local",
                                       "path": entry.path, "blocked": None, "fields": [],
                                       "reason": f"deleted with the whole item, in every locale ({primary} was deleted)"})


def place_new_files(ctx: RunContext, pusher: Any, run: CollectionRun, creates: list[Any]) -> None:
    """New files in a secondary locale's folder that match no variant there (``Pusher.creates``):
    the variant of the item with that slug in the primary locale (one this run just created
    included), or a new item, created in the primary locale and this one at once from the file,
    its primary file written and the run saying so. An item that already has a variant here (under
    another slug) is not overwritten: the file is named as a problem."""
    primary = primary_of(ctx, run)
    assert primary is not None and run.locale is not None
    tag, c = run.locale.tag, ctx.report.of(run.schema.slug)
    primary_tag = _primary_tag(ctx)
    by_slug = {rv.item.slug: k for k, rv in primary.remote.items()}
    has_variant = set(run.remote) | set(run.base) | run.held
    updates: list[dict[str, Any]] = []
    paths: dict[str, str] = {}  # item id or slug -> the new file
    new: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
    for action in creates:
        path = run.local[action.key].path
        data, flags = pusher._encode(run, pusher._local_record(run, action.key), None, ctx.refs)
        slug = str(data.get("slug"))
        item_id = by_slug.get(slug)
        if action.key in run.base:
            ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "(item)", "message": (
                f"its {tag} variant was deleted in Webflow after this file changed, and Webflow cannot add a variant "
                "back to an item: keep your text elsewhere and delete this file (or delete the item); nothing was sent")})
            continue
        if item_id is not None and item_id in has_variant:
            other = ctx.shown(run.remote[item_id].path) if item_id in run.remote else \
                ctx.shown(run.base[item_id].path) if item_id in run.base else f"(its {tag} variant)"
            ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "slug", "message": (
                f"the item {slug!r} already has a {tag} variant ({other}): edit that file; nothing was sent")})
            continue
        if item_id is not None:
            updates.append({"id": item_id, "fieldData": data, **flags})
            paths[item_id] = path
            continue
        primary_path = primary.mapping.path_for(slug, "")
        if "{id}" in primary.mapping.path or ctx.store.read(primary_path) is not None:
            ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "slug", "message": (
                f"a new item needs its primary ({primary_tag}) file first, and {ctx.shown(primary_path)} is taken or cannot be "
                "named yet: create the item from its primary file; nothing was sent")})
            continue
        new.setdefault((bool(flags.get("isDraft")), bool(flags.get("isArchived"))), []).append(
            {"fieldData": data})
        paths[slug] = path
    if updates:
        outcome = pusher.send_updates(run, updates)
        for item in outcome.done:
            pusher.writer.store_answer(run, item, paths.get(item.id))
            run.planned_versions[item.id] = item.last_updated
            run.pushed[item.id] = None
            c.updated += 1
        ctx.save()
    ids = [primary.all_locales[0], run.locale.cms_locale_id]
    for (draft, archived), bodies in new.items():
        keys = [paths[str(body["fieldData"].get("slug"))] for body in bodies]
        ctx.emit("before:create", collection=run.schema.id, keys=keys)
        outcome = bulk.create_in_locales(ctx.client, run.schema.id, bodies, ids, is_draft=draft, is_archived=archived)
        ctx.emit("after:create", collection=run.schema.id, keys=keys)
        for slug, error in outcome.failed.items():
            ctx.report.problems.append({"collection": run.schema.slug, "item": paths.get(slug, slug), "field": "(item)",
                                        "message": f"Webflow refused to create it: {error}"})
        for item in outcome.done:
            if item.cms_locale_id == run.locale.cms_locale_id:
                pusher.writer.store_answer(run, item, paths.get(item.slug))
                run.planned_versions[item.id] = item.last_updated
                run.pushed[item.id] = None
                c.created += 1
                run.created += 1
            elif item.cms_locale_id == ids[0]:
                written = primary.mapping.path_for(item.slug, item.id)
                ctx.refs.add(primary.schema.id, item.id, written)
                pusher.writer.store_answer(primary, item, None)
                primary.planned_versions[item.id] = item.last_updated
                primary.pushed[item.id] = None
                primary.created += 1
                ctx.report.warnings.append({"path": paths.get(item.slug, ""), "message": (
                    f"no item had the slug {item.slug!r}: created it in {primary_tag} (the primary locale) too, "
                    f"as {ctx.shown(written)}, with this file's text: translate that file")})
        ctx.save()


def _primary_tag(ctx: RunContext) -> str:
    found = locales_from_json(ctx.caps.locales) or []
    return next((loc.tag for loc in found if loc.primary), "primary")

"""The runs of a localized site: one per (collection, locale), and what spans the locales
(``locales.py`` holds the rules; this is where they meet the run context and the API)."""

from __future__ import annotations

import posixpath
from typing import Any

from .. import bulk
from ..context import RunContext
from ..errors import FileChangedError, MappingError, NotFoundError, ValidationApiError
from ..locales import (WITH_ITEM, for_locale, is_localized, locales_from_json, remember, new_files_on_copies, selected,
                       variant_deletes, whole_item_deletes)
from ..model import Locale
from ..plan import Op
from ..runs import CollectionRun
from ..validate import FileProblem
from . import read
from .scan import slug_of

def site_locales(ctx: RunContext, runs: list[CollectionRun]) -> tuple[list[Locale], set[str]]:
    """The site's locales, and the tags of those it had until now and no longer has. Fresh when the
    command read the site already (for the snapshot's name: no call of ours), or read again (one
    call) whenever a collection is read in full; else as remembered, a locale removed meanwhile
    being found by its refused list (``locale_gone``), one added by the next full read."""
    cached = locales_from_json(ctx.caps.locales)
    site = ctx.client.take_site(ctx.site_id)
    if site is None:
        if cached is not None and not any(read.reads_in_full(ctx, r) for r in runs):
            return cached, {loc.tag for loc in locales_from_json(ctx.caps.locales, gone=True) or []}
        site = ctx.client.get_site(ctx.site_id)
        ctx.client.take_site(ctx.site_id)
    found = list(site.locales)
    ctx.caps.locales = remember(ctx.caps.locales, found)  # type: ignore[assignment]
    return found, {loc.tag for loc in locales_from_json(ctx.caps.locales, gone=True) or []}


def expand(ctx: RunContext, runs: list[CollectionRun]) -> list[CollectionRun]:
    """Today's runs (the primary locale's), then one run per secondary locale each mapping covers."""
    if not runs:
        return runs
    found, gone = site_locales(ctx, runs)
    primary = next((loc for loc in found if loc.primary), None)
    templates = [run.mapping for run in runs]
    for run in runs:
        run.mapping = for_locale(run.mapping, primary)
    if not is_localized(found):
        return runs
    extra = []
    for run, template in zip(runs, templates, strict=True):
        run.all_locales = tuple(loc.cms_locale_id for loc in found)
        chosen = selected(template, found, gone)
        if primary not in chosen:
            raise MappingError(f"{template.source}: locales: the primary locale ({primary.tag if primary else '?'}) "
                              "is always synced (an item exists through its primary variant): add it to the list")
        extra += [CollectionRun(for_locale(template, loc), run.schema, locale=loc, read_in_full=run.read_in_full)
                  for loc in chosen if not loc.primary]
    return [*runs, *extra]


def stopped_templates(ctx: RunContext) -> list[Any]:
    """The mappings of the collections this run stopped (a schema drift), in every locale last
    seen: their files are theirs still, not files no mapping covers."""
    found = locales_from_json(ctx.caps.locales) or []
    return [for_locale(m, loc) for m in ctx.stopped for loc in selected(m, found) if not loc.primary]


def locale_gone(ctx: RunContext, run: CollectionRun, error: Exception) -> bool:
    """A secondary locale's list was refused: whether the site no longer has that locale (read again,
    one call, only then). If so, the run is left out (nothing of it written, ``set_aside`` says so)
    and a whole-item delete takes the locales the site has."""
    if run.locale is None or not isinstance(error, (ValidationApiError, NotFoundError)):
        return False
    found = list(ctx.client.get_site(ctx.site_id).locales)
    ctx.client.take_site(ctx.site_id)
    ctx.caps.locales = remember(ctx.caps.locales, found)  # type: ignore[assignment]
    if any(loc.cms_locale_id == run.locale.cms_locale_id for loc in found):
        return False
    for other in ctx.runs:
        if other.locale is None and other.all_locales:
            other.all_locales = tuple(loc.cms_locale_id for loc in found) if is_localized(found) else ()
    return True


def set_aside(ctx: RunContext) -> None:
    """The files of variants of a locale the site no longer has (removed in Webflow): left alone, not
    synced, never deleted for that, not reported as files no mapping covers; said on every run, once
    per collection and locale. Their base stays: they sync again if Webflow gets the locale back."""
    known = locales_from_json(ctx.caps.locales)
    if known is None:
        return
    ids = {loc.cms_locale_id for loc in known}
    tags = {loc.cms_locale_id: loc.tag for loc in locales_from_json(ctx.caps.locales, gone=True) or []}
    runs = {r.schema.id: r for r in ctx.runs if r.locale is None}
    gone: dict[tuple[str, str], list[str]] = {}
    for entry in ctx.state.items.values():
        if entry.locale is not None and entry.locale not in ids and entry.collection in runs:
            gone.setdefault((entry.collection, entry.locale), []).append(entry.path)
    for (cid, locale), paths in sorted(gone.items()):
        ctx.aside.update(paths)
        folder = posixpath.commonpath([posixpath.dirname(p) for p in paths]) or "."
        tag = tags.get(locale)
        named = tag is not None and tag in (runs[cid].mapping.locales or ())
        ctx.report.warnings.append({"path": folder + "/", "message": (
            f"{runs[cid].schema.slug}: the site no longer has the locale {tag or locale!r}: its {len(paths)} "
            "file(s) are left alone, not synced and not deleted for that; delete them yourself if they are not "
            "wanted (they sync again if Webflow gets the locale back)"
            + (f"; and remove {tag!r} from locales: in {runs[cid].mapping.source}" if named else ""))})


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
        deleted = {a.key for a in run.plan.actions if a.op is Op.PUSH_DELETE}
        run.plan, plans = whole_item_deletes(
            run.plan, {o.locale.tag: o.plan for o in others if o.plan is not None and o.locale is not None},
            {o.locale.tag: {**{k: ctx.shown(e.path) for k, e in o.base.items()},
                            **{k: ctx.shown(v.path) for k, v in o.remote.items()}}
             for o in others if o.locale is not None},
            {o.locale.tag: _translated(run, o, deleted) for o in others if o.locale is not None},
            {k: ctx.shown(run.base[k].path) for k in deleted if k in run.base})
        for o in others:
            assert o.locale is not None
            o.plan = variant_deletes(plans[o.locale.tag], o.locale.tag)
            o.with_item = {a.key for a in o.plan.actions if a.op is Op.PUSH_DELETE and a.reason.startswith(WITH_ITEM)}


def _translated(primary: CollectionRun, run: CollectionRun, keys: set[str]) -> set[str]:
    """Of ``keys``, the items whose file in ``run`` (a secondary locale) holds other values than the
    primary's variant in Webflow: a translation, which a delete of the primary file does not take."""
    out = set()
    for key in keys:
        lv = run.local.get(key)
        theirs = primary.remote[key].side.hash if key in primary.remote else \
            primary.base[key].record_hash if key in primary.base else None
        if lv is not None and lv.side is not None and lv.side.hash != theirs:
            out.add(key)
    return out


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
    """After the primary's run deleted items as a whole: their variants in the other locales went
    too (each counted, as planned: ``CollectionRun.with_item``), and so do their files, each only if
    still as the run saw it (a file saved meanwhile stays, named, and is a new file for the next run)."""
    if run.locale is not None or not run.all_locales:
        return
    for other in secondaries_of(ctx, run):
        c = ctx.report.of(other.schema.slug)
        for item_id in ids:
            entry = other.base.get(item_id)
            if entry is None:
                continue
            if item_id in other.with_item:
                c.deleted += 1
                other.deleted += 1
            try:
                ctx.store.remove(entry.path)
            except FileChangedError:
                writer.kept(other, entry.path, None, item_id)
            ctx.state.drop(other.state_key(item_id))


def placement(ctx: RunContext, run: CollectionRun, key: str, slug: str) -> tuple[str, str]:
    """Where a new file in a secondary locale's folder goes: ``("update", item id)`` (the variant of
    the item with that slug in the primary locale), ``("new", primary path)`` (a new item, created in
    the primary locale too), or ``("problem", why)``: an item that already has a variant here (under
    another slug) is not overwritten. Decided before the first write (``new_file_problems``) and
    again when the file is sent."""
    primary = primary_of(ctx, run)
    assert primary is not None and run.locale is not None
    tag, path = run.locale.tag, run.local[key].path
    if key in run.base:
        return "problem", (f"its {tag} variant was deleted in Webflow after this file changed, and Webflow cannot "
                           "add a variant back to an item: keep your text elsewhere and delete this file (or delete "
                           "the item); nothing was sent")
    by_slug = {rv.item.slug: k for k, rv in primary.remote.items()}
    by_slug.update({slug_of(ctx, primary, k): k for k in primary.unfetched - set(primary.remote)})
    item_id = by_slug.get(slug)
    if item_id is not None and item_id in set(run.remote) | set(run.base) | run.held:
        other = ctx.shown(run.remote[item_id].path) if item_id in run.remote else \
            ctx.shown(run.base[item_id].path) if item_id in run.base else f"(its {tag} variant)"
        return "problem", (f"the item {slug!r} ({primary_tag(ctx)}) already has a {tag} variant ({other}): edit "
                           "that file, or give this one a slug no item has; nothing was sent")
    if item_id is not None:
        return "update", item_id
    primary_path = primary.mapping.path_for(slug, "")
    if "{id}" in primary.mapping.path or ctx.store.read(primary_path) is not None:
        return "problem", (f"a new item needs its primary ({primary_tag(ctx)}) file first, and "
                           f"{ctx.shown(primary_path)} is taken or cannot be named yet: create the item from its "
                           "primary file; nothing was sent")
    return "new", primary_path


def new_file_problems(ctx: RunContext, run: CollectionRun) -> dict[str, FileProblem]:
    """Key -> problem of each new file of a secondary locale that cannot be placed (``placement``),
    found with the other validation problems: before the first write, and by ``status`` too."""
    out: dict[str, FileProblem] = {}
    slug_key = run.mapping.key_for_field("slug")
    if run.locale is None or run.plan is None or not slug_key:
        return out
    for action in run.plan.of(Op.PUSH_CREATE, active_only=False):
        view = run.local.get(action.key)
        if view is None or view.document is None:
            continue
        kind, why = placement(ctx, run, action.key, str(view.document.front_matter.get(slug_key)))
        if kind == "problem":
            out[action.key] = FileProblem(view.path, "(item)" if action.key in run.base else "slug", why,
                                          view.key_lines.get(slug_key))
    return out


def place_new_files(ctx: RunContext, pusher: Any, run: CollectionRun, creates: list[Any]) -> None:
    """New files in a secondary locale's folder that match no variant there (``Pusher.creates``),
    each where ``placement`` says: the variant of an existing item, or a new item, created in the
    primary locale and this one at once from the file, its primary file written and the run saying
    so."""
    primary = primary_of(ctx, run)
    assert primary is not None and run.locale is not None
    c = ctx.report.of(run.schema.slug)
    updates: list[dict[str, Any]] = []
    paths: dict[str, str] = {}  # item id or slug -> the new file
    new: dict[tuple[bool, bool], list[dict[str, Any]]] = {}
    for action in creates:
        path = run.local[action.key].path
        data, flags = pusher._encode(run, pusher._local_record(run, action.key), None, ctx.refs)
        slug = str(data.get("slug"))
        kind, found = placement(ctx, run, action.key, slug)
        if kind == "problem":  # validated before: the file changed during the run
            ctx.report.problems.append({"collection": run.schema.slug, "item": path, "field": "slug",
                                        "message": found})
        elif kind == "update":
            updates.append({"id": found, "fieldData": data, **flags})
            paths[found] = path
        else:
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
                    f"no item had the slug {item.slug!r}: created it in {primary_tag(ctx)} (the primary locale) too, "
                    f"as {ctx.shown(written)}, with this file's text: translate that file")})
        ctx.save()


def primary_tag(ctx: RunContext) -> str:
    found = locales_from_json(ctx.caps.locales) or []
    return next((loc.tag for loc in found if loc.primary), "primary")

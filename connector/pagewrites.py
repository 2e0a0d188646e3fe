"""A pull writes each page's items while the next pages are fetched.

A first pull is bounded by the API; writing 10,000 files after the last page would add to that
bound. So the local files are listed before the first page (they do not depend on Webflow), and
each item of a page whose fate needs only its own three sides (file, Webflow's item, base) is
planned on its own by the pure planner and carried out at once, by the same writer as the apply
phase (compare, then replace). Everything that needs the whole collection waits for the end and
goes through the phases as before:

- deletions (an item's absence is known only once every page is read);
- renamed slugs and moved files (two paths, and a file elsewhere may be this item's);
- files whose owner is not certain from the listing (another item's base path, a second file
  with the same slug or id, a file missing from its base path);
- every action but pull, adopt and nothing (conflicts, merges, held files, pushes);
- items with a problem, or with a delete in flight.

Only a run that writes nothing to Webflow does this (``pull``, not a dry run): a push or a sync
checks every file before its first write, and that needs them all. A local side that looks
empty while the base knows items (a wiped or wrong folder) writes nothing early either: the plan
phase stops such a run before any write, and still does.

A run killed in between leaves files without base entries (the state is saved at the end, as
before); the next run finds each one equal to Webflow's item and adopts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .context import RunContext
from .phases.apply import LocalWriter
from .phases.plan import agree, decide_named, hold
from .phases.scan import local_view
from .plan import BaseSide, Op
from .runs import CollectionRun, template_prefix, template_regex
from .store import FileInfo

#: what an item's own three sides are enough to carry out
EARLY_OPS = frozenset({Op.PULL, Op.ADOPT, Op.NOTHING})


@dataclass
class LocalListing:
    """The collection's files as listed before the read, and who owns each by its name."""

    files: dict[str, FileInfo]
    owner: dict[str, str]  # path -> id of the item of this collection whose base entry has that path
    taken: set[str]  # paths of other collections' items
    by_slug: dict[str, list[str]] = field(default_factory=dict)
    by_id: dict[str, list[str]] = field(default_factory=dict)
    slugs: dict[str, str] = field(default_factory=dict)  # slug -> id, of the items read so far


def list_local(ctx: RunContext, run: CollectionRun) -> LocalListing | None:
    """The listing, or None when this run writes nothing early (see the module's docstring)."""
    opts = ctx.opts
    if opts.dry_run or opts.policy.push or not opts.policy.pull:
        return None
    if run.locale is not None or run.all_locales:
        return None  # a localized site's variants share ids and state across runs: written after the plan
    pattern = template_regex(run.mapping)
    ctx.store.remove_leftovers(template_prefix(run.mapping))  # a run killed mid-write (this one holds the lock)
    files: dict[str, FileInfo] = {}
    by_slug: dict[str, list[str]] = {}
    by_id: dict[str, list[str]] = {}
    for info in ctx.store.scan(template_prefix(run.mapping)):
        match = pattern.match(info.rel)
        if not match:
            continue
        files[info.rel] = info
        groups = match.groupdict()
        if groups.get("slug"):
            by_slug.setdefault(groups["slug"], []).append(info.rel)
        if groups.get("id"):
            by_id.setdefault(groups["id"], []).append(info.rel)
    owner = {e.path: e.id for e in ctx.state.items.values() if e.collection == run.schema.id}
    taken = {e.path for e in ctx.state.items.values() if e.collection != run.schema.id}
    if run.base and not any(rel in owner for rel in files):
        return None  # the local side looks empty: the plan phase decides, before any write
    return LocalListing(files, owner, taken, by_slug, by_id)


def write_page(ctx: RunContext, writer: LocalWriter, run: CollectionRun, listing: LocalListing,
               ids: list[str]) -> None:
    """Plan and carry out, one by one, the items of a page whose own sides are enough."""
    c = ctx.report.of(run.schema.slug)
    for key in ids:
        rv = run.remote.get(key)
        if rv is None:
            continue  # held: archived, a draft, an unsafe slug
        done = run.early.get(key)
        if done is not None:
            # read again (the collection changed while it was read): done unless it changed since
            entry = ctx.state.items.get(key)
            if entry is not None and entry.last_updated == rv.item.last_updated and entry.record_hash == rv.side.hash:
                continue
            demote(ctx, run, key)
        claimed = listing.slugs.setdefault(rv.item.slug, key)
        if claimed != key or key in run.unwritable or key in run.held or key in ctx.state.deleting:
            continue
        path = rv.path
        base = run.base.get(key)
        mine = {rel for rel in [*listing.by_slug.get(rv.item.slug, ()), *listing.by_id.get(key, ())]
                if listing.owner.get(rel, key) == key}
        if base is not None and (base.path != path or base.path not in listing.files):
            continue  # a slug renamed, or a file moved or deleted: the whole collection decides
        if mine - {path} or listing.owner.get(path, key) != key or path in listing.taken:
            continue  # another file may be this item's, or this path is another item's
        info = listing.files.get(path)
        view = local_view(ctx, run, info, key) if info is not None else None
        local = agree(ctx, run, view.side, rv.side) if view is not None and view.side is not None else None
        sides = ({key: local} if local is not None else {}, {key: rv.side},
                 {key: BaseSide(base.record_hash, base.fields)} if base is not None else {})
        action = hold(decide_named(ctx, run, *sides), run).actions[0]
        if action.op not in EARLY_OPS or action.blocked is not None:
            if view is not None:
                run.scanned[path] = (key, view)  # read once: the scan takes it from here
            continue
        if view is not None:
            run.local[key] = view
        run.early[key] = action
        writer.apply_action(run, action, c)


def demote(ctx: RunContext, run: CollectionRun, key: str) -> None:
    """An item carried out early that must be decided again: what this run wrote is its base now."""
    del run.early[key]
    run.local.pop(key, None)
    entry = ctx.state.items.get(key)
    if entry is not None:
        run.base[key] = entry


def finish(ctx: RunContext, run: CollectionRun, seen: set[str]) -> None:
    """After the last attempt of the read: an item written early by an attempt whose items are
    not in the last one is decided with the whole collection (deleted in Webflow meanwhile)."""
    for key in [k for k in run.early if k not in seen]:
        demote(ctx, run, key)

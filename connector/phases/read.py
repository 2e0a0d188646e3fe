"""Read: which collections this run covers (their schemas) and Webflow's items, in full or
only those changed since the cursor; then the id -> path table references are written with."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from ..moves import slug_unchanged
from ..context import RunContext
from ..errors import ConfigError, NotFoundError
from ..locales import api
from ..mapping import Mapping, bind
from ..model import Collection, RemoteItem
from .. import schema_lock
from ..plan import Op
from ..history import load_history
from ..reads import prove_order, read_all, read_changed
from ..references import reference_targets
from ..runs import CollectionRun, iso_seconds
from ..state import CollectionState
from ..words import plural

log = logging.getLogger("wfsync.engine")
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def bind_collections(ctx: RunContext, mappings: list[Mapping]) -> list[CollectionRun]:
    """One ``CollectionRun`` per mapping this run covers, bound to the collection's schema."""
    state, wanted = ctx.state, set(ctx.opts.collections)
    # (a secondary locale's cursor, ``id@cmsLocaleId``, names no collection of its own)
    remembered = {cid: c for cid, c in state.collections.items() if "@" not in cid}
    known = {c.slug: cid for cid, c in remembered.items() if c.slug} | {cid: cid for cid in remembered}
    if all(m.collection in known for m in mappings):
        # collections remembered from an earlier run: their schema is all there is to read
        slugs = {cid: c.slug for cid, c in remembered.items()}
        try:
            return _bind(ctx, [(m, known[m.collection], {slugs.get(known[m.collection], "")}) for m in mappings],
                         wanted)
        except NotFoundError:
            log.info("a remembered collection is gone: listing the site's collections")
    summaries = ctx.client.list_collections(ctx.site_id)
    by_key = {c.slug: c for c in summaries} | {c.id: c for c in summaries}
    found = []
    for m in mappings:
        summary = by_key.get(m.collection)
        if summary is None:
            raise ConfigError(f"{m.source}: the site has no collection {m.collection!r} "
                              f"(it has: {', '.join(sorted(c.slug for c in summaries))})")
        found.append((m, summary.id, {summary.slug}))
    return _bind(ctx, found, wanted)


def _bind(ctx: RunContext, found: list[tuple[Mapping, str, set[str]]], wanted: set[str]) -> list[CollectionRun]:
    runs = []
    for mapping, cid, names in found:
        if wanted and not ((names | {cid, mapping.collection}) & wanted):
            continue
        before = ctx.client.stats.total
        schema = ctx.client.get_collection(cid)
        drift = schema_lock.check(ctx.schema_lock, schema, mapping)
        for slug in drift.new:
            ctx.report.notices.append({"collection": schema.slug, "capability": "schema", "message": (
                f"new field {slug!r} ({schema.field(slug).type if schema.field(slug) else '?'}) in Webflow, not in "
                f"{mapping.source or 'the mapping'}: `wfsync init --update` adds it")})
        if drift.blocking:
            stop(ctx, mapping, schema, drift)
            continue
        runs.append(CollectionRun(bind(mapping, schema), schema, calls=ctx.client.stats.total - before,
                                  read_in_full=bool(drift.options)))
        for slug in drift.options:
            ctx.report.notices.append({"collection": schema.slug, "capability": "schema", "message": (
                f"the options of field {slug!r} changed in Webflow: every item is read again, so the files "
                "hold the option names Webflow now has")})
    if wanted and not runs and not ctx.stopped:
        raise ConfigError(f"no mapping for {plural(len(wanted), 'collection')}: {', '.join(sorted(wanted))}")
    return runs


def stop(ctx: RunContext, mapping: Mapping, schema: Collection, drift: schema_lock.Drift) -> None:
    """A mapped field changed in Webflow: this collection is left out of the run (nothing of it read,
    written or sent), the others go on. Its items stay known by their last-synced paths, so the
    other collections' references to them are written and sent as before."""
    ctx.stopped.append(Mapping(**{**mapping.__dict__, "collection_id": schema.id, "collection_slug": schema.slug}))
    ctx.report.stopped.append(schema.slug)
    ctx.report.problems.extend(schema_lock.problems(drift, schema, mapping))
    for entry in ctx.state.for_collection(schema.id).values():
        ctx.refs.add(schema.id, entry.id, entry.path)
    known = ctx.state.collections.get(schema.id)
    for item_id in known.held if known else ():
        ctx.refs.exists(schema.id, item_id)
    ctx.refs.stopped.add(schema.id)


def fetch(ctx: RunContext, run: CollectionRun) -> list[RemoteItem]:
    """This collection's items in Webflow: those changed since the cursor when that is enough."""
    known = ctx.state.collections.get(run.scope)
    run.base = ctx.state.for_collection(run.schema.id, run.cms_locale)
    if known and not reads_in_full(ctx, run):
        changed = _fetch_changed(ctx, run, known)
        if changed is not None:
            return changed
    return _fetch_all(ctx, run)


def reads_in_full(ctx: RunContext, run: CollectionRun) -> bool:
    """Whether ``fetch`` reads everything from the start: no cursor to read from, or a full read is due."""
    opts = ctx.opts
    known = ctx.state.collections.get(run.scope)
    return not (known and known.cursor and ctx.state.for_collection(run.schema.id, run.cms_locale) and not opts.full
                and not opts.live and known.runs_since_full < opts.full_every and not run.read_in_full)


def _fetch_all(ctx: RunContext, run: CollectionRun) -> list[RemoteItem]:
    run.full = True
    run.unfetched = set()
    ctx.progress.phase("reading", run.schema.slug)
    items, run.total = read_all(api(ctx, run), run.schema.id, live=ctx.opts.live,
                                on_page=lambda n, total: ctx.progress.advance(n, total=total))
    if not ctx.opts.live:
        prove_order(api(ctx, run), run.schema.id, run.schema.slug, items, ctx.caps)
    return items


def _fetch_changed(ctx: RunContext, run: CollectionRun, known: CollectionState) -> list[RemoteItem] | None:
    """Only what changed since the last run (``reads.read_changed``), or None when a full read is
    needed: the API's answer could not be relied on, or the count of items says some were deleted."""
    seen_pairs = {k: e.last_updated for k, e in run.base.items()}
    ctx.progress.phase("reading", run.schema.slug)
    changed = read_changed(api(ctx, run), run.schema.id, run.schema.slug, seen_pairs, known.cursor or "", ctx.caps,
                           lambda n, total: ctx.progress.advance(n, total=total))
    if changed is None:
        return None
    items = changed.items
    run.total = changed.total
    seen = set(run.base) | set(known.held)
    new = {i.id for i in items if i.id not in seen}
    # expected: what the base and the held items account for, not the count the last run saw: a push
    # (or a run that held a deletion back) saw deletions it did not apply, which must stay visible
    if run.total != len(seen) + len(new):
        log.info("%s: %d items in Webflow, %d expected: items were deleted; reading everything",
                 run.schema.slug, run.total, len(seen) + len(new))
        return None
    run.full = False
    fetched = {i.id for i in items}
    run.unfetched = {k for k in run.base if k not in fetched}
    run.held_remote.update(h for h in known.held if h not in fetched)
    run.held.update(run.held_remote)
    return items


def moved(run: CollectionRun, items: list[RemoteItem]) -> bool:
    """Whether one of this collection's items now has another path (a slug renamed in Webflow)."""
    return any(entry is not None and entry.path != run.mapping.path_for(item.slug, item.id)
               and not slug_unchanged(run, item.id, item.slug)  # a file moved by git mv stays where it is
               for item in items for entry in (run.base.get(item.id),))


def refetch_if_targets_moved(ctx: RunContext, run: CollectionRun, moved_ids: set[str],
                             items: list[RemoteItem]) -> list[RemoteItem]:
    """A renamed slug changes the files that refer to it, though those items did not change:
    an incremental read of a collection with references to it becomes a full one."""
    if run.full or not moved_ids & reference_targets(run.schema):
        return items
    return _fetch_all(ctx, run)


def index_refs(ctx: RunContext, run: CollectionRun, items: list[RemoteItem]) -> None:
    for key in run.unfetched:
        entry = run.base[key]
        if run.locale is None:
            ctx.refs.add(run.schema.id, entry.id, entry.path)
        run.planned_versions[key] = entry.last_updated  # not re-read: unchanged since the last sync
    if run.locale is not None:
        return  # references name an item by its primary file, in every locale (``locales.py``)
    index_items(ctx, run, items)
    index_former_paths(ctx, run, items)
    for item_id in run.held:
        ctx.refs.exists(run.schema.id, item_id)
    if ctx.opts.live:
        # a live read sees only published items: an id missing from it may be a draft, not a deletion
        ctx.refs.collections.discard(run.schema.id)
    else:
        ctx.refs.collections.add(run.schema.id)


def index_former_paths(ctx: RunContext, run: CollectionRun, items: list[RemoteItem]) -> None:
    """A file not yet rewritten after a slug moved in Webflow (held, or edited in the same run)
    still names the item by its former path: that path keeps meaning the item, unless another item
    has it now (registered after the items' own paths, so theirs win). Only items Webflow still
    has: a deleted item's path must never resolve to its dead id."""
    fetched = {item.id for item in items}
    for entry in run.base.values():
        if entry.id in fetched:
            ctx.refs.also_known_as(run.schema.id, entry.id, entry.path)
    for item_id, entry in load_history(ctx.store.root).items():
        if entry.get("collection") != run.schema.id or ctx.refs.path_for(run.schema.id, item_id) is None:
            continue
        for slug in entry.get("slugs", []):
            if isinstance(slug, str) and SAFE_SLUG.match(slug):
                ctx.refs.also_known_as(run.schema.id, item_id, run.mapping.path_for(slug, item_id))


def index_items(ctx: RunContext, run: CollectionRun, items: list[RemoteItem]) -> None:
    if run.locale is not None:
        return
    for item in items:
        if SAFE_SLUG.match(item.slug or ""):
            ctx.refs.add(run.schema.id, item.id, run.mapping.path_for(item.slug, item.id))
        else:
            ctx.refs.exists(run.schema.id, item.id)


def advance_cursor(ctx: RunContext, run: CollectionRun) -> None:
    """After the run: where the next incremental read of this collection starts."""
    if ctx.opts.live:
        return  # the cursor follows the staged items
    state = ctx.state
    known = state.collections.setdefault(run.scope, CollectionState())
    known.slug = run.schema.slug
    newest = [rv.item.last_updated for rv in run.remote.values() if rv.item.last_updated]
    newest += [e.last_updated for e in state.for_collection(run.schema.id, run.cms_locale).values()]
    known.cursor = max([known.cursor or "", *newest], key=iso_seconds) or None
    # a change read but not carried out (left for pull by a push, a conflict, a held merge) must be
    # read again: the next incremental read starts no later than the oldest of them
    waiting = [run.remote[a.key].item.last_updated for a in (run.plan.actions if run.plan else ())
               if a.key in run.remote and a.op in (Op.PULL, Op.MERGE, Op.CONFLICT)
               and (a.blocked is not None or a.op is Op.CONFLICT or a.key in run.kept)
               and run.remote[a.key].item.last_updated]
    if waiting and known.cursor:
        known.cursor = min([known.cursor, *waiting], key=iso_seconds)
    # Webflow's count after this run's own creates and deletes
    known.total = run.total + run.created - run.deleted
    # synced items archived since are remembered too: an incremental run does not read them again
    known.held = sorted(run.held_remote)
    known.runs_since_full = 0 if run.full else known.runs_since_full + 1

"""The slug an item had before a rename, whatever path the rename took.

The slug history needs the slug the old URL had. The file's name tells it only while the file is at
its template path: a file moved with ``git mv`` (slug unchanged) keeps its new name, and a later
slug rename would otherwise record that name, or nothing. The base keeps only a hash of the synced
slug, so each slug the run knows (the file's name, the file's own value, Webflow's value before the
write) is checked against that hash; Webflow's value before a push is a real former URL in any case.
"""

from __future__ import annotations

from typing import Any, Iterable

from .context import RunContext
from .convert import document_record, value_hash
from .locales import api
from .errors import NotFoundError
from .reading import read_document
from .runs import CollectionRun, template_regex


def named_slug(run: CollectionRun, path: str | None) -> str | None:
    """The slug a path names by the mapping's template, if it does."""
    m = template_regex(run.mapping).match(path or "")
    return (m.groupdict().get("slug") if m else None) or None


def synced_slug(ctx: RunContext, run: CollectionRun, key: str, old_path: str | None,
                seen: Iterable[Any] = ()) -> str | None:
    """The item's slug as last synced: the first candidate whose hash is the base's. Without a
    hash in the base (an older state), the slug the old path names, as before."""
    base = run.base.get(key)
    slug_key = run.mapping.key_for_field("slug")
    synced = base.fields.get(slug_key) if base is not None and slug_key else None
    if synced is None:
        return named_slug(run, old_path)
    view = run.local.get(key)
    candidates = [named_slug(run, old_path), named_slug(run, view.path if view else None), *seen]
    if view is not None and view.side is not None and slug_key:
        candidates.append(view.side.record.get(slug_key))
    for candidate in candidates:
        if isinstance(candidate, str) and value_hash(candidate) == synced:
            return candidate
    return _file_slug(ctx, run, key, synced)


def _file_slug(ctx: RunContext, run: CollectionRun, key: str, synced: str) -> str | None:
    """The slug written in the item's file, for a file known unchanged by its stat (not parsed)."""
    view, slug_key = run.local.get(key), run.mapping.key_for_field("slug")
    raw = ctx.store.read(view.path) if view is not None else None
    doc = read_document(view.path, raw, run.mapping).document if view is not None and raw is not None else None
    value = document_record(doc, run.mapping).get(slug_key or "") if doc is not None else None
    return value if isinstance(value, str) and value_hash(value) == synced else None


def before_push(ctx: RunContext, run: CollectionRun, key: str) -> str | None:
    """The slug Webflow has for an item whose slug a push is about to change: as this run read it,
    or as the last sync knew it, else one GET (a file moved and merged, not read again since)."""
    read = run.remote.get(key)
    if read is not None and read.item.slug:
        return read.item.slug
    known = synced_slug(ctx, run, key, run.base[key].path if key in run.base else None)
    if known is not None:
        return known
    try:
        return api(ctx, run).get_item(run.schema.id, key).slug or None
    except NotFoundError:
        return None


def note_former_slug(ctx: RunContext, run: CollectionRun, key: str, keys: set[str]) -> None:
    """Before a push that renames an item's slug: the slug it leaves, for the slug history."""
    slug_key = run.mapping.key_for_field("slug")
    if ctx.opts.dry_run or slug_key not in keys or key not in run.base:
        return
    former = before_push(ctx, run, key)
    if former:
        run.former_slugs[key] = former

"""Files an editor moved (``git mv``) with the slug unchanged: still the same item, and its file
stays where the editor put it. Webflow's changes are written there, a conflict copy goes beside
it, and the base records that path. A slug renamed (in Webflow, or in the file and pushed) moves
the file to the path the mapping's template gives, and so does a file still at the path of a
former slug (a rename whose move waited for an editor's save)."""

from __future__ import annotations

from pathlib import Path

from .context import RunContext
from .convert import value_hash
from .formerslug import synced_slug
from .history import load_history
from .runs import CollectionRun, template_regex


def slug_unchanged(run: CollectionRun, key: str, slug: str | None) -> bool:
    """Whether ``slug`` is the item's slug as last synced (the base's hash of it)."""
    base = run.base.get(key)
    slug_key = run.mapping.key_for_field("slug")
    return base is not None and slug_key is not None and slug_key in base.fields \
        and base.fields[slug_key] == value_hash(slug)


def where(run: CollectionRun, root: Path, key: str, template_path: str, slug: str | None) -> str:
    """The path of the item's file after this run: where the editor moved it, unless the slug changed."""
    view = run.local.get(key)
    if view is None or view.path == template_path or not slug_unchanged(run, key, slug):
        return template_path
    m = template_regex(run.mapping).match(view.path)
    named = m.groupdict().get("slug") if m else None
    if named and named in load_history(root).get(key, {}).get("slugs", []):
        return template_path  # at a former slug's path: the rename's move is still to be done
    return view.path


def keep_moved_files(run: CollectionRun, root: Path) -> None:
    """After the scan: Webflow's version of a moved file's item is meant for the file where it is."""
    for key, rv in run.remote.items():
        if key in run.local and run.local[key].path != rv.path:
            rv.path = where(run, root, key, rv.path, rv.item.slug)


def moved_paths_mean_their_items(ctx: RunContext, run: CollectionRun) -> None:
    """A file moved with ``git mv`` (slug unchanged) is the same item under every path it had: the
    path of its slug (as pulled, which other files still name), the path the last sync recorded,
    and the path where it is now. Each means that item in references, unless another item has it
    (registered first, so it wins). References are not rewritten: the files stay as written."""
    if run.locale is not None:
        return  # references name an item by its primary file
    for key, view in run.local.items():
        base = run.base.get(key)
        if base is None or base.id != key:
            continue
        slug = synced_slug(ctx, run, key, base.path)
        paths = {view.path, base.path} | ({run.mapping.path_for(slug, key)} if slug else set())
        if len(paths) > 1:
            for path in sorted(paths):
                ctx.refs.also_known_as(run.schema.id, key, path)

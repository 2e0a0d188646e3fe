"""A conflict decided by ``--on-conflict``: the side that lost is kept, beside the file, before
anything is overwritten: Webflow's version as ``<name>.remote.md`` when the file wins, the file as
``<name>.local.md`` when Webflow wins."""

from __future__ import annotations

from .context import RunContext
from .plan import Action, winner
from .runs import CollectionRun, conflict_copy_path, local_copy_path


def keep_losing_side(ctx: RunContext, run: CollectionRun, action: Action) -> str | None:
    """Write the losing version of ``action``'s item beside its file; its path (None: nothing to keep).
    A dry run writes nothing and says where it would."""
    side = winner(action)
    if side == "local":
        rv = run.remote.get(action.key)
        if rv is None:
            return None
        path = conflict_copy_path(rv.path)
        data = rv.rendered()
    else:
        view = run.local.get(action.key)
        raw = ctx.store.read(view.path) if view is not None else None
        if view is None or raw is None:
            return None
        path, data = local_copy_path(view.path), raw
    if not ctx.opts.dry_run:
        ctx.store.write(path, data)
    return path

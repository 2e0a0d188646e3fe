"""The runs of a localized site: one per (collection, locale), and what spans the locales
(``locales.py`` holds the rules; this is where they meet the run context and the API)."""

from __future__ import annotations

from typing import Any

from ..context import RunContext
from ..errors import ConfigError
from ..locales import (for_locale, is_localized, locales_from_json, locales_to_json, selected, variant_deletes,
                       whole_item_deletes)
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
        chosen = selected(template, found)
        if primary not in chosen:
            raise ConfigError(f"{template.source}: locales: the primary locale ({primary.tag if primary else '?'}) "
                              "is always synced (an item exists through its primary variant): add it to the list")
        extra += [CollectionRun(for_locale(template, loc), run.schema, locale=loc) for loc in chosen if not loc.primary]
    return [*runs, *extra]


def adjust_plans(ctx: RunContext) -> None:
    """After planning every run: deletes across locales (``locales.whole_item_deletes``)."""
    secondaries: dict[str, list[CollectionRun]] = {}
    for run in ctx.runs:
        if run.locale is not None:
            secondaries.setdefault(run.schema.id, []).append(run)
    for run in ctx.runs:
        if run.locale is not None or run.schema.id not in secondaries or run.plan is None:
            continue
        others = secondaries[run.schema.id]
        run.plan = whole_item_deletes(
            run.plan, {o.locale.tag: o.plan for o in others if o.plan is not None and o.locale},
            {o.locale.tag: {k: v.path for k, v in o.remote.items()} for o in others if o.locale})
        going = {a.key for a in run.plan.of(Op.PUSH_DELETE)}
        for o in others:
            if o.plan is not None and o.locale is not None:
                o.plan = variant_deletes(o.plan, o.locale.tag, going)


def primary_of(ctx: RunContext, run: CollectionRun) -> CollectionRun | None:
    return next((r for r in ctx.runs if r.schema.id == run.schema.id and r.locale is None), None)


def secondaries_of(ctx: RunContext, run: CollectionRun) -> list[CollectionRun]:
    return [r for r in ctx.runs if r.schema.id == run.schema.id and r.locale is not None]

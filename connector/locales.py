"""Localized sites: one run per (collection, locale), the secondary ones beside today's run.

A site with Localization has one variant of each item per locale (same item id, one
``cmsLocaleId`` each). wfsync syncs each variant as an item of its own: the primary locale is
today's run, unchanged (no ``cmsLocaleId`` is sent: the API's default is the primary), and each
secondary locale the mapping covers gets a ``CollectionRun`` of its own, with its own files,
base entries (``id@cmsLocaleId``) and cursor, whose API calls carry its ``cmsLocaleId``. The
phases loop over those runs as over collections; what spans locales is here:

- the files: the primary keeps the mapping's path, a secondary locale goes under a folder named
  by its tag (``de/cms/infos/x.md``, as Webflow serves ``/de/infos/x``), unless ``path`` has
  ``{locale}``, which is then used for every locale;
- the deletes: a primary file deleted deletes the item in every locale (Webflow has no item
  without its primary variant); a secondary file deleted deletes that variant only;
- a new file in a secondary folder: the variant of the item with that slug, or a new item,
  created in the primary locale first (from that file) and said so;

A site without Localization, or without a secondary locale, runs exactly as before.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import MappingError
from .mapping import Entry, Mapping
from .model import Locale
from .plan import DELETE_NEEDS_PERMISSION, Action, Op, Plan

if TYPE_CHECKING:
    from .context import RunContext
    from .runs import CollectionRun


#: the metadata source a front-matter key names the locale with (``lang: $locale``)
LOCALE_META = "locale"


def locale_path(template: str, locale: Locale) -> str:
    """The path template of one locale: ``{locale}`` filled in, or the default layout."""
    if "{locale}" in template:
        return template.replace("{locale}", locale.tag)
    return template if locale.primary else f"{locale.tag}/{template}"


def for_locale(mapping: Mapping, locale: Locale | None) -> Mapping:
    """The mapping as one locale's run uses it: its path, and ``$locale`` keys as constants."""
    if locale is None:
        if "{locale}" in mapping.path:
            raise MappingError(f"{mapping.source}: path uses {{locale}} but the site has no locales "
                              "(Webflow Localization is off): remove {locale} from the path")
        entries = tuple(Entry(e.key, const=None) if e.meta == LOCALE_META else e for e in mapping.entries)
        return replace(mapping, entries=entries) if entries != mapping.entries else mapping
    entries = tuple(Entry(e.key, const=locale.tag) if e.meta == LOCALE_META else e for e in mapping.entries)
    return replace(mapping, path=locale_path(mapping.path, locale), entries=entries)


def selected(mapping: Mapping, site_locales: list[Locale], gone: set[str] = frozenset()) -> list[Locale]:  # type: ignore[assignment]
    """The site's locales this mapping syncs (``locales:``, default all), primary first; an unknown
    tag is a mistake in the mapping, named (``gone``: tags the site had until now, removed in
    Webflow: left out, said by ``set_aside``)."""
    if mapping.locales is None:
        return list(site_locales)
    tags = {loc.tag for loc in site_locales}
    unknown = [t for t in mapping.locales if t not in tags and t not in gone]
    if unknown:
        raise MappingError(f"{mapping.source}: locales: the site has no locale {', '.join(map(repr, unknown))} "
                          f"(it has: {', '.join(sorted(tags)) or 'none'})")
    return [loc for loc in site_locales if loc.tag in mapping.locales]


def is_localized(site_locales: list[Locale]) -> bool:
    """Whether there is anything beyond today's single-locale run."""
    return any(not loc.primary for loc in site_locales)


def locales_from_json(raw: Any, gone: bool = False) -> list[Locale] | None:
    """The site's locales as remembered (``gone``: those it had and no longer has)."""
    if not isinstance(raw, list):
        return None
    try:
        return [Locale(str(d["id"]), str(d["cmsLocaleId"]), str(d["tag"]), bool(d["primary"])) for d in raw
                if bool(d.get("gone")) == gone]
    except (KeyError, TypeError, AttributeError):
        return None


def locales_to_json(locales: list[Locale], gone: list[Locale] = []) -> list[dict[str, Any]]:  # noqa: B006
    return [{"id": loc.id, "cmsLocaleId": loc.cms_locale_id, "tag": loc.tag, "primary": loc.primary}
            for loc in locales] + [{"id": loc.id, "cmsLocaleId": loc.cms_locale_id, "tag": loc.tag,
                                    "primary": loc.primary, "gone": True} for loc in gone]


def remember(raw: Any, found: list[Locale]) -> list[dict[str, Any]]:
    """The locales to remember now the site has ``found``: those, and every one it had before and no
    longer has (its files are left alone, ``phases/variants.set_aside``; a mapping may still name it)."""
    ids = {loc.cms_locale_id for loc in found}
    before = [*(locales_from_json(raw) or []), *(locales_from_json(raw, gone=True) or [])]
    gone = {loc.cms_locale_id: loc for loc in before if loc.cms_locale_id not in ids and not loc.primary}
    return locales_to_json(found, list(gone.values()))


#: the client calls that read or write items: a secondary run's name its locale
_ONE_LOCALE = {"list_items_page", "iter_pages", "iter_items", "get_item", "find_by_slug", "create_items",
               "create_item", "update_items", "update_item", "delete_item"}
_MANY_LOCALES = {"delete_items", "publish_items"}


class LocaleClient:
    """The client as one locale's run sees it: every item call names the locale(s) ``cms_locale_ids``
    (several only for deleting an item as a whole)."""

    def __init__(self, client: Any, cms_locale_ids: list[str]) -> None:
        self._client = client
        self.cms_locale_ids = cms_locale_ids

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if name in _ONE_LOCALE:
            return functools.partial(attr, cms_locale_id=",".join(self.cms_locale_ids))
        if name in _MANY_LOCALES:
            return functools.partial(attr, cms_locale_ids=list(self.cms_locale_ids))
        return attr


def api(ctx: "RunContext", run: "CollectionRun", whole: bool = False) -> Any:
    """The client for ``run``'s calls: the primary's sends no ``cmsLocaleId``, as before locales;
    ``whole``: deletes of the primary's items take every locale of the site with them."""
    if run.locale is not None:
        return LocaleClient(ctx.client, [run.locale.cms_locale_id])
    if whole and run.all_locales:
        return LocaleClient(ctx.client, list(run.all_locales))
    return ctx.client


# -- across locales (pure: plans in, plans out) --------------------------------------------------

#: the reason of a secondary variant's delete that goes with its item's (``whole_item_deletes``)
WITH_ITEM = "deleted with the whole item"


def whole_item_deletes(primary: Plan, secondaries: dict[str, Plan], paths: dict[str, dict[str, str]],
                       translated: dict[str, set[str]], primary_paths: dict[str, str]) -> tuple[Plan, dict[str, Plan]]:
    """A primary file deleted deletes the item in every locale, each file named and each variant
    counted as a delete (guarded by ``--allow-delete`` and ``--max-delete`` as any). Not while
    another locale's variant has a change to keep (a modification beats a deletion), nor while its
    file, still there, holds a translation (differs from the primary): that file goes only when the
    user deletes it too. ``secondaries``: tag -> plan of that locale's run; ``paths``: tag -> item
    id -> that variant's file; ``translated``: tag -> ids whose variant differs from the primary's;
    ``primary_paths``: id -> the primary's (deleted) file. Returns both sides' plans."""
    out, whole = [], {}
    for a in primary.actions:
        if a.op is Op.PUSH_DELETE and a.blocked in (None, DELETE_NEEDS_PERMISSION):
            kept = [f"{tag} ({paths.get(tag, {}).get(a.key, '?')}: {b.reason})"
                    for tag, p in secondaries.items() for b in p.actions
                    if b.key == a.key and b.op not in (Op.NOTHING, Op.PUSH_DELETE, Op.FORGET, Op.PULL_DELETE)]
            kept_files = [paths.get(tag, {}).get(a.key, tag) for tag, p in secondaries.items()
                          if a.key in translated.get(tag, set())
                          and any(b.key == a.key and b.op is Op.NOTHING for b in p.actions)]
            if kept:
                a = replace(a, blocked="the item would go in every locale, and its variant changed in "
                            + "; ".join(kept) + ": not deleted in any locale")
            elif kept_files:
                a = replace(a, blocked="the item would go in every locale, and " + ", ".join(kept_files)
                            + " holds a translation: delete that file too to delete the item, or restore this one")
            else:
                others = [paths.get(tag, {}).get(a.key) or tag for tag, p in secondaries.items()
                          if any(b.key == a.key and b.op is not Op.FORGET and b.op is not Op.PULL_DELETE
                                 for b in p.actions)]
                a = replace(a, reason=a.reason + (": the whole item goes, in every locale (with " + ", ".join(others)
                                                  + ")" if others else ""))
                whole[a.key] = a.blocked
        out.append(a)
    plans = {}
    for tag, p in secondaries.items():
        plans[tag] = Plan(tuple(
            Action(b.key, Op.PUSH_DELETE, f"{WITH_ITEM}, in every locale ({primary_paths.get(b.key, '?')} "
                   "was deleted)", blocked=whole[b.key])
            if b.key in whole and b.op in (Op.NOTHING, Op.PUSH_DELETE) else b for b in p.actions))
    return Plan(tuple(out)), plans


def variant_deletes(plan: Plan, tag: str) -> Plan:
    """A secondary file deleted deletes that variant only (unless it goes with the whole item)."""
    out = []
    for a in plan.actions:
        if a.op is Op.PUSH_DELETE and not a.reason.startswith(WITH_ITEM):
            a = Action(a.key, a.op, f"{tag} file deleted: deletes the {tag} variant only, the item stays in "
                       "the other locales", a.push_keys, a.conflict_keys, a.merged, a.blocked)
        out.append(a)
    return Plan(tuple(out))


def new_files_on_copies(plan: Plan, tag: str, copies: set[str], push: bool) -> Plan:
    """A new file in a secondary folder whose slug is that of an item whose variant there is still a
    copy of the primary (Webflow makes one for every new item): it updates that variant. One whose
    variant was changed in Webflow stays a conflict, both versions kept."""
    out = []
    for a in plan.actions:
        if a.op is Op.CONFLICT and a.key in copies:
            a = Action(a.key, Op.PUSH_UPDATE, f"new {tag} file for an existing item: updates its {tag} variant "
                       "(still a copy of the primary)", push_keys=a.conflict_keys,
                       blocked=None if push else "not pushed by this command")
        out.append(a)
    return Plan(tuple(out))

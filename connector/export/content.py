"""What an export publishes: the site's collections and the items a visitor sees.

Read like ``pull`` (pages of 100). By default the *live* versions (what Webflow serves);
``staged`` takes the current edits instead. Drafts only when asked (then marked), archived
never. Field values are turned into neutral values here (an option's name, a reference as
``Ref``, files as ``FileRef``); each generator's writer decides how to spell them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ..client import WebflowClient
from ..errors import ConfigError
from ..model import Collection, Field, RemoteItem
from .locales import ExportLocale

log = logging.getLogger("wfsync.export.content")
SAFE_SLUG_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
FILE_TYPES = {"Image", "File"}


@dataclass(frozen=True)
class Ref:
    """A reference to another exported item."""

    collection: str  # the collection's slug
    slug: str
    locale: str = ""  # the target's locale subdirectory ("" for the primary locale)


@dataclass(frozen=True)
class FileRef:
    url: str  # as Webflow sent it
    alt: str | None
    image: bool  # an Image field (Astro validates these through image())


@dataclass
class Item:
    collection: Collection
    id: str
    name: str
    slug: str
    created_on: str
    last_updated: str
    last_published: str | None
    draft: bool
    fields: dict[str, Any]  # field slug -> neutral value (custom fields only)
    body_field: str | None = None  # the RichText field written as the page body
    locale: ExportLocale | None = None  # a secondary locale's variant; None for the primary

    @property
    def key(self) -> str:
        own = f"{self.collection.slug}/{self.slug}"
        return f"{self.locale.subdirectory}/{own}" if self.locale else own


@dataclass
class SiteContent:
    site_id: str
    collections: list[Collection]
    items: list[Item]
    body_fields: dict[str, str | None]  # collection slug -> its body field
    #: references to items not exported (drafts, archived, deleted): left out, as Webflow's site shows them
    dangling: list[dict[str, str]] = field(default_factory=list)
    drafts: int = 0
    locales: list[ExportLocale] = field(default_factory=list)  # the secondary locales exported
    primary_tag: str = ""  # the primary locale's language tag, when secondary locales are exported

    def of(self, collection_slug: str) -> list[Item]:
        return [i for i in self.items if i.collection.slug == collection_slug]


def body_field(schema: Collection, chosen: str | None = None) -> str | None:
    """The field that becomes the page body: the one asked for, else the first RichText field."""
    if chosen:
        return chosen if schema.field(chosen) is not None else None
    return next((f.slug for f in schema.fields if f.type == "RichText"), None)


def read_site(client: WebflowClient, site_id: str, *, live: bool = True, drafts: bool = False,
              only: Iterable[str] = (), body: dict[str, str] | None = None,
              progress: Callable[[str, int], None] | None = None,
              locales: Sequence[ExportLocale] = ()) -> SiteContent:
    summaries = client.list_collections(site_id)
    wanted = set(only)
    known = {c.slug for c in summaries} | {c.id for c in summaries}
    unknown = wanted - known
    if unknown:
        raise ConfigError(f"the site has no collection {', '.join(sorted(unknown))} "
                          f"(it has: {', '.join(sorted(c.slug for c in summaries))})")
    schemas = [client.get_collection(c.id) for c in summaries if not wanted or {c.slug, c.id} & wanted]
    bodies = {s.slug: body_field(s, (body or {}).get(s.slug)) for s in schemas}
    content = SiteContent(site_id, schemas, [], bodies, locales=list(locales))
    for locale in [None, *locales]:
        # one list pass per locale: the primary as always (no cmsLocaleId), then each secondary's variants
        raw = _read_variants(client, schemas, live, drafts, progress, locale)
        _add_items(content, raw, locale)
    content.items.sort(key=lambda i: (i.locale is not None, i.locale.subdirectory if i.locale else "",
                                      i.collection.slug, i.slug))
    return content


def _read_variants(client: WebflowClient, schemas: Sequence[Collection], live: bool, drafts: bool,
                   progress: Callable[[str, int], None] | None,
                   locale: ExportLocale | None) -> list[tuple[Collection, RemoteItem, bool]]:
    cms_locale_id = locale.cms_locale_id if locale else None
    raw: list[tuple[Collection, RemoteItem, bool]] = []
    for schema in schemas:
        seen: set[str] = set()
        # live: what visitors see (never drafts, whatever the item's staged state); staged: current edits
        for item in client.iter_items(schema.id, live=live, cms_locale_id=cms_locale_id):
            if progress:
                progress(schema.slug, 1)
            if item.is_archived or (not live and item.is_draft):
                continue
            seen.add(item.id)
            raw.append((schema, item, False))
        if drafts:
            for item in client.iter_items(schema.id, live=False, cms_locale_id=cms_locale_id):
                if item.is_draft and not item.is_archived and item.id not in seen:
                    raw.append((schema, item, True))
    return raw


def _add_items(content: SiteContent, raw: list[tuple[Collection, RemoteItem, bool]],
               locale: ExportLocale | None) -> None:
    """The items of one locale; references point at the same locale's variants."""
    where = locale.subdirectory if locale else ""
    exported = {(s.id, i.id): (s.slug, i.slug, where) for s, i, _ in raw}
    for schema, item, draft in raw:
        if not item.slug or not set(item.slug) <= SAFE_SLUG_CHARS:
            log.warning("%s: item %s has a slug that is no safe file name (%r): left out", schema.slug, item.id, item.slug)
            continue
        values = {f.slug: _value(f, item.field_data.get(f.slug), exported, content, item)
                  for f in schema.fields if f.slug not in ("name", "slug")}
        content.items.append(Item(schema, item.id, item.name, item.slug, item.created_on, item.last_updated,
                                  item.last_published, draft, values, content.body_fields[schema.slug], locale))
        content.drafts += draft and locale is None


def _value(spec: Field, value: Any, exported: dict[tuple[str, str], tuple[str, str, str]], content: SiteContent,
           item: RemoteItem) -> Any:
    if value is None:
        return None
    kind = spec.type
    if kind in FILE_TYPES and isinstance(value, dict) and isinstance(value.get("url"), str):
        return FileRef(value["url"], value.get("alt"), kind == "Image")
    if kind == "MultiImage" and isinstance(value, list):
        return [FileRef(v["url"], v.get("alt"), False) for v in value if isinstance(v, dict) and isinstance(v.get("url"), str)]
    if kind == "Option":
        for option in (spec.validations or {}).get("options", []):
            if option.get("id") == value:
                return option.get("name")
        return None
    if kind in ("Reference", "MultiReference"):
        target = str((spec.validations or {}).get("collectionId", ""))
        ids = value if isinstance(value, list) else [value]
        refs = []
        for ref_id in ids:
            found = exported.get((target, str(ref_id)))
            if found is not None:
                refs.append(Ref(*found))
            else:
                # Webflow's published site shows nothing for a reference to an unpublished item
                content.dangling.append({"item": f"{item.id} ({item.slug})", "field": spec.slug, "target": str(ref_id)})
        return refs if kind == "MultiReference" else (refs[0] if refs else None)
    return value

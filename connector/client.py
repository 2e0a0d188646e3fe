"""Webflow Data API v2 endpoints, as typed calls.

The client pages with the maximum page size, batches writes by 100 (the bulk
endpoints' limit), and turns wire JSON into ``model`` values at this boundary.
"""

from __future__ import annotations

import logging
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .errors import NotFoundError, OutcomeUnknownError
from .model import Asset, Collection, CollectionSummary, Field, Locale, Page, PublishResult, RemoteItem, Site
from .transport import Transport

log = logging.getLogger("wfsync.client")

PAGE_SIZE = 100
BATCH_SIZE = 100
#: with this many unknown creates or fewer, look each slug up; past it, one list scan is cheaper
SLUG_LOOKUP_MAX = 5


def chunks(seq: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def parse_item(raw: Mapping[str, Any]) -> RemoteItem:
    return RemoteItem(
        id=str(raw["id"]),
        field_data=dict(raw.get("fieldData") or {}),
        created_on=str(raw.get("createdOn") or ""),
        last_updated=str(raw.get("lastUpdated") or ""),
        last_published=raw.get("lastPublished"),
        is_draft=bool(raw.get("isDraft", False)),
        is_archived=bool(raw.get("isArchived", False)),
        cms_locale_id=raw.get("cmsLocaleId"),
    )


def parse_locale(raw: Mapping[str, Any], primary: bool) -> Locale:
    return Locale(str(raw.get("id") or ""), str(raw.get("cmsLocaleId") or ""), str(raw.get("tag") or ""), primary,
                  subdirectory=str(raw.get("subdirectory") or ""), display_name=str(raw.get("displayName") or ""),
                  enabled=raw.get("enabled") is not False)


def parse_site(raw: Mapping[str, Any]) -> Site:
    locales: list[Locale] = []
    loc = raw.get("locales") or {}
    primary = loc.get("primary")
    if primary:
        locales.append(parse_locale(primary, True))
    for sec in loc.get("secondary") or []:
        locales.append(parse_locale(sec, False))
    return Site(
        id=str(raw["id"]),
        display_name=str(raw.get("displayName") or ""),
        short_name=str(raw.get("shortName") or ""),
        locales=tuple(locales),
    )


def parse_collection(raw: Mapping[str, Any]) -> Collection:
    fields = tuple(
        Field(
            id=str(f.get("id", "")),
            slug=str(f.get("slug", "")),
            type=str(f.get("type", "")),
            display_name=str(f.get("displayName", "")),
            is_required=bool(f.get("isRequired", False)),
            is_editable=bool(f.get("isEditable", True)),
            validations=f.get("validations"),
        )
        for f in raw.get("fields") or []
    )
    return Collection(
        id=str(raw["id"]),
        display_name=str(raw.get("displayName") or ""),
        singular_name=str(raw.get("singularName") or ""),
        slug=str(raw.get("slug") or ""),
        fields=fields,
    )


class WebflowClient:
    def __init__(self, transport: Transport) -> None:
        self.t = transport
        self._sites: dict[str, Site] = {}  # get_site's answers, until a run takes them (``take_site``)

    @property
    def stats(self):  # noqa: ANN201 - CallStats
        return self.t.stats

    # -- sites and collections -------------------------------------------
    def list_sites(self) -> list[Site]:
        body = self.t.request("GET", "/sites", kind="sites")
        return [parse_site(s) for s in body.get("sites", [])]

    def get_site(self, site_id: str) -> Site:
        site = self._sites[site_id] = parse_site(self.t.request("GET", f"/sites/{site_id}", kind="site"))
        return site

    def take_site(self, site_id: str) -> Site | None:
        """The answer of a ``get_site`` made since the last take (a command that read the site for
        its name, moments ago): a run reads the site's locales from it without a call of its own."""
        return self._sites.pop(site_id, None)

    def list_collections(self, site_id: str) -> list[CollectionSummary]:
        body = self.t.request("GET", f"/sites/{site_id}/collections", kind="collections")
        return [
            CollectionSummary(str(c["id"]), str(c.get("displayName", "")), str(c.get("singularName", "")), str(c.get("slug", "")))
            for c in body.get("collections", [])
        ]

    def get_collection(self, collection_id: str) -> Collection:
        return parse_collection(self.t.request("GET", f"/collections/{collection_id}", kind="collection"))

    # -- reading items -----------------------------------------------------
    def list_items_page(
        self, collection_id: str, *, offset: int = 0, limit: int = PAGE_SIZE, live: bool = False,
        params: Mapping[str, Any] | None = None, cms_locale_id: str | None = None,
    ) -> Page:
        """One page; ``cms_locale_id`` (one id, or several joined by commas) selects the locales' variants."""
        query: dict[str, Any] = {"offset": offset, "limit": min(limit, PAGE_SIZE)}
        query.update(params or {})
        query.update(_locale_query(cms_locale_id))
        path = f"/collections/{collection_id}/items" + ("/live" if live else "")
        body = self.t.request("GET", path, params=query, kind="list items")
        pagination = body.get("pagination") or {}
        items = tuple(parse_item(i) for i in body.get("items", []))
        return Page(items, int(pagination.get("offset", offset)), int(pagination.get("limit", limit)),
                    int(pagination.get("total", len(items))))

    def iter_pages(
        self, collection_id: str, *, live: bool = False, params: Mapping[str, Any] | None = None,
        cms_locale_id: str | None = None,
    ) -> Iterator[Page]:
        """Pages of 100 until ``pagination.total`` (or an empty page) says the list is done."""
        offset = 0
        while True:
            page = self.list_items_page(collection_id, offset=offset, live=live, params=params,
                                        cms_locale_id=cms_locale_id)
            yield page
            offset += len(page.items)
            if not page.items or offset >= page.total:
                return

    def iter_items(
        self, collection_id: str, *, live: bool = False, params: Mapping[str, Any] | None = None,
        cms_locale_id: str | None = None,
    ) -> Iterator[RemoteItem]:
        for page in self.iter_pages(collection_id, live=live, params=params, cms_locale_id=cms_locale_id):
            yield from page.items

    def get_item(self, collection_id: str, item_id: str, *, live: bool = False,
                 cms_locale_id: str | None = None) -> RemoteItem:
        path = f"/collections/{collection_id}/items/{item_id}" + ("/live" if live else "")
        query = _locale_query(cms_locale_id)
        if not query:  # a single-locale site sends exactly what it always sent
            return parse_item(self.t.request("GET", path, kind="get item"))
        return parse_item(self.t.request("GET", path, params=query, kind="get item"))

    def find_by_slug(self, collection_id: str, slug: str, *, cms_locale_id: str | None = None) -> RemoteItem | None:
        page = self.list_items_page(collection_id, limit=1, params={"slug": slug}, cms_locale_id=cms_locale_id)
        return page.items[0] if page.items else None

    # -- writing items -----------------------------------------------------
    def create_items(
        self, collection_id: str, items: Sequence[Mapping[str, Any]], *, live: bool = False,
        cms_locale_id: str | None = None,
    ) -> list[RemoteItem]:
        """Create items in batches of 100; each is ``{fieldData, isDraft?, isArchived?, cmsLocaleId?}``.

        ``cms_locale_id`` creates them in that locale (each item's own ``cmsLocaleId`` wins).
        A batch whose outcome is unknown is not re-sent blindly: the items that
        Webflow did create are found by slug and only the rest are sent again.
        """
        created: list[RemoteItem] = []
        path = f"/collections/{collection_id}/items" + ("/live" if live else "")
        for batch in chunks([_in_locale(i, cms_locale_id) for i in items]):
            created.extend(self._create_batch(collection_id, path, batch, cms_locale_id=cms_locale_id))
        return created

    def _create_batch(self, collection_id: str, path: str, batch: Sequence[Mapping[str, Any]], depth: int = 0,
                      cms_locale_id: str | None = None, bulk: Mapping[str, Any] | None = None) -> list[RemoteItem]:
        """One create call; ``bulk`` (the ``.../items/bulk`` form's flags and locales) sends the batch's
        fieldData as that form's list instead of the ``items`` form."""
        body = {"items": [_with_flags(i) for i in batch]} if bulk is None else \
            {**bulk, "fieldData": [dict(i["fieldData"]) for i in batch]}
        try:
            answer = self.t.request("POST", path, json=body, idempotent=False, kind="create items")
        except OutcomeUnknownError:
            if depth >= 3:
                raise
            log.warning("create of %d item(s) has an unknown outcome: checking by slug", len(batch))
            found = self._find_created(collection_id, [str(i["fieldData"]["slug"]) for i in batch], cms_locale_id)
            missing = [i for i in batch if str(i["fieldData"]["slug"]) not in found]
            again = self._create_batch(collection_id, path, missing, depth + 1, cms_locale_id, bulk) if missing else []
            if bulk is not None:  # the found items answer with their variant in the first locale
                return list(found.values()) + again
            by_slug = {r.slug: r for r in again} | found
            return [by_slug[str(i["fieldData"]["slug"])] for i in batch if str(i["fieldData"]["slug"]) in by_slug]
        if isinstance(answer, dict) and "items" in answer:
            return [parse_item(i) for i in answer["items"]]
        return [parse_item(answer)] if answer else []

    def _find_created(self, collection_id: str, slugs: list[str], cms_locale_id: str | None = None) -> dict[str, RemoteItem]:
        wanted = set(slugs)
        if len(wanted) <= SLUG_LOOKUP_MAX:
            hits = (self.find_by_slug(collection_id, s, cms_locale_id=cms_locale_id) for s in wanted)
            return {h.slug: h for h in hits if h is not None}
        return {i.slug: i for i in self.iter_items(collection_id, cms_locale_id=cms_locale_id) if i.slug in wanted}

    def create_items_in_locales(
        self, collection_id: str, field_data: Sequence[Mapping[str, Any]], cms_locale_ids: Sequence[str], *,
        is_draft: bool = False, is_archived: bool = False,
    ) -> list[RemoteItem]:
        """Create each item in every listed locale at once (``POST .../items/bulk``, 100 items a call).

        The answer has one variant per item and locale, sharing the item's id. An unknown
        outcome is recovered by slug in the first locale, then only the rest is sent again.
        """
        locales = list(cms_locale_ids)
        flags = {"cmsLocaleIds": locales, "isArchived": is_archived, "isDraft": is_draft}
        created: list[RemoteItem] = []
        for batch in chunks([{"fieldData": d} for d in field_data]):
            created.extend(self._create_batch(collection_id, f"/collections/{collection_id}/items/bulk", batch,
                                              cms_locale_id=locales[0] if locales else None, bulk=flags))
        return created

    def create_item(self, collection_id: str, item: Mapping[str, Any], *, live: bool = False,
                    cms_locale_id: str | None = None) -> RemoteItem:
        """One item, with the single-item body; an unknown outcome is recovered by slug as for batches."""
        path = f"/collections/{collection_id}/items" + ("/live" if live else "")
        body = _with_flags(_in_locale(item, cms_locale_id))
        try:
            return parse_item(self.t.request("POST", path, json=body, idempotent=False, kind="create item"))
        except OutcomeUnknownError:
            found = self.find_by_slug(collection_id, str(item["fieldData"]["slug"]), cms_locale_id=cms_locale_id)
            if found is None:
                return parse_item(self.t.request("POST", path, json=body, idempotent=False, kind="create item"))
            return found

    def update_item(self, collection_id: str, item_id: str, update: Mapping[str, Any], *, live: bool = False,
                    cms_locale_id: str | None = None) -> RemoteItem:
        path = f"/collections/{collection_id}/items/{item_id}" + ("/live" if live else "")
        return parse_item(self.t.request("PATCH", path, json=dict(_in_locale(update, cms_locale_id)), kind="update item"))

    def delete_item(self, collection_id: str, item_id: str, *, live: bool = False,
                    cms_locale_id: str | None = None) -> None:
        """Delete (``live``: unpublish) the primary variant, or the variants of ``cms_locale_id`` (comma-joined ids)."""
        path = f"/collections/{collection_id}/items/{item_id}" + ("/live" if live else "")
        query = _locale_query(cms_locale_id)
        try:
            if query:
                self.t.request("DELETE", path, params=query, kind="delete item")
            else:
                self.t.request("DELETE", path, kind="delete item")
        except NotFoundError:
            log.info("item %s was already deleted", item_id)

    def update_items(
        self, collection_id: str, updates: Sequence[Mapping[str, Any]], *, live: bool = False,
        cms_locale_id: str | None = None,
    ) -> list[RemoteItem]:
        """Bulk PATCH in batches of 100; each update is ``{id, fieldData, isDraft?, isArchived?, cmsLocaleId?}``.

        One batch may mix locales (the same id twice with different ``cmsLocaleId``);
        ``cms_locale_id`` is the locale of the updates that name none.
        """
        result: list[RemoteItem] = []
        path = f"/collections/{collection_id}/items" + ("/live" if live else "")
        for batch in chunks([_in_locale(u, cms_locale_id) for u in updates]):
            answer = self.t.request("PATCH", path, json={"items": list(batch)}, kind="update items")
            if isinstance(answer, dict) and "items" in answer:
                result.extend(parse_item(i) for i in answer["items"])
            elif answer:
                result.append(parse_item(answer))
        return result

    def delete_items(self, collection_id: str, item_ids: Iterable[str], *, live: bool = False,
                     cms_locale_ids: Sequence[str] | None = None) -> int:
        """Bulk DELETE in batches of 100 (``live=True`` unpublishes instead).

        Without ``cms_locale_ids`` only the primary variants go; with them, those locales' variants
        (all the site's locales: the whole item).
        """
        ids = list(item_ids)
        path = f"/collections/{collection_id}/items" + ("/live" if live else "")
        for batch in chunks(ids):
            try:
                self.t.request("DELETE", path, json={"items": [_with_locales(i, cms_locale_ids) for i in batch]},
                               kind="delete items")
            except NotFoundError:
                # one unknown id refuses the whole batch and says nothing of the others (an earlier
                # attempt whose answer was lost may have deleted them): each alone says if it is gone
                log.info("a batch named an item that is gone: deleting the items one by one")
                for item_id in batch:
                    self.delete_item(collection_id, item_id, live=live,
                                     cms_locale_id=",".join(cms_locale_ids) if cms_locale_ids else None)
        return len(ids)

    def publish_items(self, collection_id: str, item_ids: Iterable[str], *,
                      cms_locale_ids: Sequence[str] | None = None) -> PublishResult:
        """Publish in batches of 100: the primary variants, or with ``cms_locale_ids`` those locales' variants."""
        ids = list(item_ids)
        published: list[str] = []
        errors: list[str] = []
        for batch in chunks(ids):
            body: dict[str, Any] = {"itemIds": list(batch)} if not cms_locale_ids else \
                {"items": [_with_locales(i, cms_locale_ids) for i in batch]}
            answer = self.t.request(
                "POST", f"/collections/{collection_id}/items/publish", json=body,
                idempotent=True, kind="publish items",
            ) or {}
            published.extend(answer.get("publishedItemIds", []))
            errors.extend(str(e) for e in answer.get("errors", []) or [])
        return PublishResult(tuple(published), tuple(errors))

    # -- assets ------------------------------------------------------------
    def iter_assets(self, site_id: str) -> Iterator[Asset]:
        offset = 0
        while True:
            body = self.t.request("GET", f"/sites/{site_id}/assets", params={"offset": offset, "limit": PAGE_SIZE}, kind="assets")
            assets = body.get("assets", [])
            for a in assets:
                yield Asset(
                    id=str(a["id"]), hosted_url=str(a.get("hostedUrl", "")),
                    original_file_name=str(a.get("originalFileName", "")), content_type=str(a.get("contentType", "")),
                    size=int(a.get("size") or 0), alt_text=a.get("altText"),
                )
            offset += len(assets)
            total = int((body.get("pagination") or {}).get("total", offset))
            if not assets or offset >= total:
                return


def _with_flags(item: Mapping[str, Any]) -> dict[str, Any]:
    # the spec's default for isDraft on create is true: always say it explicitly
    out = dict(item)
    out.setdefault("isDraft", False)
    out.setdefault("isArchived", False)
    return out


def _in_locale(item: Mapping[str, Any], cms_locale_id: str | None) -> Mapping[str, Any]:
    """The body of a write in a locale; unchanged (the same object) when no locale is named."""
    if cms_locale_id is None or "cmsLocaleId" in item:
        return item
    return {**item, "cmsLocaleId": cms_locale_id}


def _with_locales(item_id: str, cms_locale_ids: Sequence[str] | None) -> dict[str, Any]:
    return {"id": item_id, "cmsLocaleIds": list(cms_locale_ids)} if cms_locale_ids else {"id": item_id}


def _locale_query(cms_locale_id: str | None) -> dict[str, str]:
    return {"cmsLocaleId": cms_locale_id} if cms_locale_id else {}

"""Webflow Data API v2 paths mapped onto the emulator state.

Each route names the scope the reference's ``security`` block gives it and the
success status the reference documents (202 for create and publish, 200 for
updates, 204 for deletes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from .core import ApiFailure, EmulatorState, validation_error

Handler = Callable[[EmulatorState, dict[str, str], dict[str, str], Any], tuple[int, Any]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    scope: str
    handler: Handler
    writes: bool


ROUTES: list[Route] = []
ID = r"(?P<{}>[0-9a-f]{{24}})"


def route(method: str, path: str, scope: str, writes: bool = False) -> Callable[[Handler], Handler]:
    regex = "^" + re.sub(r"\{(\w+)\}", lambda m: ID.format(m.group(1)), path) + "$"

    def register(fn: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(regex), scope, fn, writes))
        return fn

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    allowed = False
    for r in ROUTES:
        m = r.pattern.match(path)
        if m:
            allowed = True
            if r.method == method:
                return r, m.groupdict()
    if allowed:
        raise ApiFailure(405, "bad_request", f"Method {method} not allowed on {path}")
    return None


def _items_of(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise ApiFailure(400, "bad_request", "Bad Request: Request is malformed")
    if "items" in body:
        items = body["items"]
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ApiFailure(400, "bad_request", "Bad Request: items must be a list of objects")
        if len(items) > 100:
            raise validation_error([{"param": "items", "description": "at most 100 items per request"}])
        return items
    return [body]


def _ids_of(body: Any) -> list[str]:
    items = _items_of(body)
    if not items or any(not isinstance(i.get("id"), str) for i in items):
        raise validation_error([{"param": "items", "description": "each item needs an id"}])
    return [i["id"] for i in items]


def _locales_of(body: Any) -> list[Any]:
    """Each listed item's ``cmsLocaleIds`` (None: the primary only), in the order of ``_ids_of``."""
    return [i.get("cmsLocaleIds") for i in _items_of(body)]


@route("GET", "/sites", "sites:read")
def list_sites(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return 200, {"sites": list(s.sites.values())}


@route("GET", "/sites/{site_id}", "sites:read")
def get_site(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return 200, s.site(p["site_id"])


@route("GET", "/sites/{site_id}/collections", "cms:read")
def list_collections(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.site(p["site_id"])
    return 200, {"collections": [c.summary() for c in s.collections.values() if c.site_id == p["site_id"]]}


@route("GET", "/collections/{collection_id}", "cms:read")
def get_collection(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return 200, s.collection(p["collection_id"]).schema()


@route("GET", "/collections/{collection_id}/items", "cms:read")
def list_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return 200, s.list_items(p["collection_id"], q, live=False)


@route("GET", "/collections/{collection_id}/items/live", "cms:read")
def list_live_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return 200, s.list_items(p["collection_id"], q, live=True)


@route("GET", "/collections/{collection_id}/items/{item_id}", "cms:read")
def get_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    coll = s.collection(p["collection_id"])
    # a list of locales answers the first one's variant: the answer is one item
    locale = s.locales_of(coll, q.get("cmsLocaleId"))[0]
    return 200, s.wire(s.item(coll, p["item_id"], locale))


@route("GET", "/collections/{collection_id}/items/{item_id}/live", "cms:read")
def get_live_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    coll = s.collection(p["collection_id"])
    item = s.item(coll, p["item_id"], s.locales_of(coll, q.get("cmsLocaleId"))[0])
    if item.live is None:
        raise ApiFailure(404, "resource_not_found", f"Requested resource not found: live item {p['item_id']}")
    return 200, s.wire(item, live=True)


def _create(s: EmulatorState, p: dict[str, str], b: Any, publish: bool) -> tuple[int, Any]:
    entries = _items_of(b)
    locale = b.get("cmsLocaleId") if isinstance(b, dict) and "items" not in b else None
    created = s.create(p["collection_id"], entries, publish=publish, locale=locale)
    if isinstance(b, dict) and "items" in b:
        return 202, {"items": [s.wire(i) for i in created]}
    return 202, s.wire(created[0])


@route("POST", "/collections/{collection_id}/items", "cms:write", writes=True)
def create_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return _create(s, p, b, publish=False)


@route("POST", "/collections/{collection_id}/items/live", "cms:write", writes=True)
def create_live_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    return _create(s, p, b, publish=True)


@route("POST", "/collections/{collection_id}/items/bulk", "cms:write", writes=True)
def create_bulk(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    if not isinstance(b, dict) or "fieldData" not in b:
        raise ApiFailure(400, "bad_request", "Bad Request: fieldData is required")
    data = b["fieldData"] if isinstance(b["fieldData"], list) else [b["fieldData"]]
    if len(data) > 100:
        raise validation_error([{"param": "fieldData", "description": "at most 100 items per request"}])
    entries = [{"fieldData": d, "isDraft": b.get("isDraft", True), "isArchived": b.get("isArchived", False)} for d in data]
    coll = s.collection(p["collection_id"])
    # without cmsLocaleIds the items go into the primary locale only
    locales = s.locales_of(coll, b.get("cmsLocaleIds"))
    created = s.create(p["collection_id"], entries, publish=False, locales=locales)
    if not isinstance(b["fieldData"], list):
        # the reference's schema for one item: the item with the locales it was created in
        one = s.wire(created[0])
        one.pop("cmsLocaleId")
        one["cmsLocaleIds"] = locales
        return 202, one
    # for a list, the reference's examples answer one entry per item and locale
    return 202, {"items": [s.wire(i) for i in created]}


@route("PATCH", "/collections/{collection_id}/items", "cms:write", writes=True)
def update_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    updated = s.update(p["collection_id"], _items_of(b), live=False)
    return 200, {"items": [s.wire(i) for i in updated]}


@route("PATCH", "/collections/{collection_id}/items/live", "cms:write", writes=True)
def update_live_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    updated = s.update(p["collection_id"], _items_of(b), live=True)
    return 200, {"items": [s.wire(i, live=True) for i in updated]}


@route("PATCH", "/collections/{collection_id}/items/{item_id}", "cms:write", writes=True)
def update_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    entry = {**(b if isinstance(b, dict) else {}), "id": p["item_id"]}
    return 200, s.wire(s.update(p["collection_id"], [entry], live=False)[0])


@route("PATCH", "/collections/{collection_id}/items/{item_id}/live", "cms:write", writes=True)
def update_live_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    entry = {**(b if isinstance(b, dict) else {}), "id": p["item_id"]}
    return 200, s.wire(s.update(p["collection_id"], [entry], live=True)[0], live=True)


@route("DELETE", "/collections/{collection_id}/items", "cms:write", writes=True)
def delete_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.delete(p["collection_id"], _ids_of(b), live=False, locales=_locales_of(b))
    return 204, None


@route("DELETE", "/collections/{collection_id}/items/live", "cms:write", writes=True)
def unpublish_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.delete(p["collection_id"], _ids_of(b), live=True, locales=_locales_of(b))
    return 204, None


@route("DELETE", "/collections/{collection_id}/items/{item_id}", "cms:write", writes=True)
def delete_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.delete(p["collection_id"], [p["item_id"]], live=False, locales=[q.get("cmsLocaleId")])
    return 204, None


@route("DELETE", "/collections/{collection_id}/items/{item_id}/live", "cms:write", writes=True)
def unpublish_item(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.delete(p["collection_id"], [p["item_id"]], live=True, locales=[q.get("cmsLocaleId")])
    return 204, None


@route("POST", "/collections/{collection_id}/items/publish", "cms:write", writes=True)
def publish_items(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    locales: list[Any] | None = None
    if isinstance(b, dict) and isinstance(b.get("itemIds"), list):
        ids = [str(i) for i in b["itemIds"]]  # this form publishes the primary locale only
    else:
        ids, locales = _ids_of(b), _locales_of(b)
    if len(ids) > 100:
        raise validation_error([{"param": "itemIds", "description": "at most 100 items per request"}])
    return 202, s.publish(p["collection_id"], ids, locales)


@route("GET", "/sites/{site_id}/assets", "assets:read")
def list_assets(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    s.site(p["site_id"])
    assets = s.assets.get(p["site_id"], [])
    limit = int(q.get("limit", 100))
    offset = int(q.get("offset", 0))
    if limit < 1 or limit > 100:
        raise validation_error([{"param": "limit", "description": "limit must be between 1 and 100"}])
    return 200, {"assets": assets[offset: offset + limit], "pagination": {"limit": limit, "offset": offset, "total": len(assets)}}


@route("GET", "/sites/{site_id}/redirects", "sites:read")
def list_redirects(s: EmulatorState, p: dict[str, str], q: dict[str, str], b: Any) -> tuple[int, Any]:
    """Webflow's 301 rules (an Enterprise feature): ``{redirects: [{id, fromUrl, toUrl}], pagination}``."""
    s.site(p["site_id"])
    rules = s.redirects.get(p["site_id"], [])
    return 200, {"redirects": rules, "pagination": {"limit": 100, "offset": 0, "total": len(rules)}}

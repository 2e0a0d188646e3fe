"""The emulator's state and rules, without HTTP.

Wire shapes follow the Webflow Data API v2 reference: items carry ``id``,
``cmsLocaleId``, ``lastPublished``, ``lastUpdated``, ``createdOn``, ``isArchived``,
``isDraft`` and ``fieldData``; errors carry ``code``, ``message``, ``details``.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import math
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from .deviations import DATE_PARAMS, expand, real_schema, rehosted_url, unfetchable

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z|^[a-z0-9]\Z")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
URL_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)\S*\Z")
HTTP_RE = re.compile(r"^https?://\S+\Z")
COLOR_RE = re.compile(
    r"^(#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgb|rgba|hsl|hsla)\([^)]*\)|[a-zA-Z]+)\Z"
)
FIELD_TYPES = (
    "Color", "DateTime", "Email", "ExtFileRef", "File", "Image", "Link", "MultiImage", "MultiReference",
    "Number", "Option", "Phone", "PlainText", "Reference", "RichText", "Switch", "VideoLink",
)
SORT_KEYS = ("createdOn", "lastPublished", "lastUpdated", "name", "slug")
MAX_LIMIT = 100


class ApiFailure(Exception):
    """An error answer: HTTP status and the v2 error body."""

    def __init__(self, status: int, code: str | None, message: str, details: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "details": self.details}
        if self.code:
            body = {"code": self.code, **body}
        return body


def validation_error(details: list[dict[str, str]], message: str = "Validation Error") -> ApiFailure:
    return ApiFailure(400, "validation_error", message, details)


def not_found(what: str) -> ApiFailure:
    return ApiFailure(404, "resource_not_found", f"Requested resource not found: {what}")


def object_id(seed: str) -> str:
    """A 24-hex id, deterministic for a seed (fixtures stay stable across runs)."""
    return hashlib.sha1(seed.encode()).hexdigest()[:24]


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(round(ts * 1000)) % 1000:03d}Z"


def parse_iso(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


@dataclass
class StoredItem:
    id: str
    cms_locale_id: str
    created_on: str
    staged: dict[str, Any]  # fieldData, isDraft, isArchived, lastUpdated
    live: dict[str, Any] | None = None  # fieldData, isArchived, lastUpdated: what the site shows
    last_published: str | None = None

    def wire(self, live: bool = False, copy_data: bool = True) -> dict[str, Any]:
        src = self.live if live and self.live is not None else self.staged
        return {
            "id": self.id,
            "cmsLocaleId": self.cms_locale_id,
            "lastPublished": self.last_published,
            "lastUpdated": src["lastUpdated"],
            "createdOn": self.created_on,
            "isArchived": src["isArchived"],
            "isDraft": False if live else self.staged["isDraft"],
            "fieldData": copy.deepcopy(src["fieldData"]) if copy_data else src["fieldData"],
        }


@dataclass
class StoredCollection:
    id: str
    site_id: str
    display_name: str
    singular_name: str
    slug: str
    fields: list[dict[str, Any]]
    created_on: str
    last_updated: str
    items: dict[str, StoredItem] = field(default_factory=dict)  # insertion order = creation order
    #: secondary locales' variants: cmsLocaleId -> item id -> variant (``items`` holds the primary's)
    localized: dict[str, dict[str, StoredItem]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "id": self.id, "displayName": self.display_name, "singularName": self.singular_name,
            "slug": self.slug, "createdOn": self.created_on, "lastUpdated": self.last_updated,
        }

    def schema(self) -> dict[str, Any]:
        return {**self.summary(), "fields": copy.deepcopy(self.fields)}

    def field_by_slug(self) -> dict[str, dict[str, Any]]:
        return {f["slug"]: f for f in self.fields}

    def all_variants(self) -> Iterable[StoredItem]:
        """Every stored variant, the primary's first."""
        yield from self.items.values()
        for variants in self.localized.values():
            yield from variants.values()


class EmulatorState:
    """All sites, collections and items, guarded by one lock (the server is threaded)."""

    def __init__(self, wall: Callable[[], float] = time.time, deviations: Iterable[str] = ()) -> None:
        self.wall = wall
        #: the ways this emulator departs from the spec (see ``deviations.MODES``)
        self.deviations: frozenset[str] = frozenset()
        self.default_locales: dict[str, dict[str, Any]] = {}  # kept when "real-schema" nulls a site's locales
        self.files: dict[str, dict[str, Any]] = {}  # fileId -> {url}: what Webflow hosts
        self.lock = threading.RLock()
        self.sites: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, StoredCollection] = {}
        self.assets: dict[str, list[dict[str, Any]]] = {}
        self.redirects: dict[str, list[dict[str, Any]]] = {}  # per site: Webflow's 301 rules
        self._last_ts = 0.0
        self._ids = itertools.count(1)
        self.id_seed = "emulator"
        if deviations:
            self.deviate(deviations)

    def deviate(self, names: Iterable[str]) -> "EmulatorState":
        """Switch deviations on; those that reshape the fixtures (``real-schema``) apply now."""
        modes = expand(names)
        if "real-schema" in modes - self.deviations:
            real_schema(self)
        self.deviations |= modes
        return self

    # -- time and ids ------------------------------------------------------
    def now(self) -> str:
        # strictly increasing millisecond timestamps, as incremental sync relies on order; counted
        # in whole milliseconds (adding 0.001 to a float near 1.8e9 can land on the same millisecond)
        last_ms = round(self._last_ts * 1000)
        ms = max(math.floor(self.wall() * 1000), last_ms + 1)
        self._last_ts = ms / 1000
        return iso(self._last_ts)

    def new_id(self) -> str:
        return object_id(f"{self.id_seed}:{next(self._ids)}:{time.time_ns()}")

    # -- set-up (fixtures) ---------------------------------------------------
    def add_site(self, site: dict[str, Any]) -> None:
        self.sites[site["id"]] = site

    def add_collection(self, site_id: str, *, id: str, display_name: str, singular_name: str, slug: str,
                       fields: list[dict[str, Any]]) -> StoredCollection:
        base = [
            {"id": object_id(id + ":name"), "isEditable": True, "isRequired": True, "type": "PlainText",
             "slug": "name", "displayName": "Name", "helpText": "", "validations": {"maxLength": 256}},
            {"id": object_id(id + ":slug"), "isEditable": True, "isRequired": True, "type": "PlainText",
             "slug": "slug", "displayName": "Slug", "helpText": "", "validations": {"maxLength": 256}},
        ]
        now = self.now()
        coll = StoredCollection(id, site_id, display_name, singular_name, slug, base + fields, now, now)
        self.collections[id] = coll
        return coll

    def primary_locale(self, site_id: str) -> str:
        locales = self.sites[site_id].get("locales") or self.default_locales.get(site_id)
        return locales["primary"]["cmsLocaleId"] if locales else object_id("locale:" + site_id)

    def secondary_locales(self, site_id: str) -> list[str]:
        """The cmsLocaleIds of the site's secondary locales, in the site's order."""
        locales = self.sites[site_id].get("locales") or self.default_locales.get(site_id) or {}
        return [str(loc["cmsLocaleId"]) for loc in locales.get("secondary") or []]

    def locales_of(self, coll: StoredCollection, raw: Any) -> list[str]:
        """The cmsLocaleIds a request names (a comma-separated string or a list); none names the primary.

        An id that is not one of the site's CMS locales is a 400, as Webflow refuses it.
        """
        primary = self.primary_locale(coll.site_id)
        if raw is None or raw == "" or raw == []:
            return [primary]
        names = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise validation_error([{"param": "cmsLocaleId", "description": "must be a CMS locale id or a list of them"}])
        known = [primary, *self.secondary_locales(coll.site_id)]
        wanted = [n.strip() for n in names]
        unknown = [n for n in wanted if n not in known]
        if unknown:
            raise validation_error([{"param": "cmsLocaleId", "description": f"Unknown CMS locale: '{unknown[0]}'"}])
        return list(dict.fromkeys(wanted))

    def variants(self, coll: StoredCollection, locale: str) -> dict[str, StoredItem]:
        """One locale's variants of a collection's items, by item id."""
        if locale == self.primary_locale(coll.site_id):
            return coll.items
        return coll.localized.setdefault(locale, {})

    # -- lookups -------------------------------------------------------------
    def site(self, site_id: str) -> dict[str, Any]:
        if site_id not in self.sites:
            raise not_found(f"site {site_id}")
        return self.sites[site_id]

    def collection(self, collection_id: str) -> StoredCollection:
        if collection_id not in self.collections:
            raise not_found(f"collection {collection_id}")
        return self.collections[collection_id]

    def item(self, coll: StoredCollection, item_id: str, locale: str | None = None) -> StoredItem:
        variants = coll.items if locale is None else self.variants(coll, locale)
        if item_id not in variants:
            raise not_found(f"item {item_id}" + (f" in locale {locale}" if locale is not None else ""))
        return variants[item_id]

    # -- listing -------------------------------------------------------------
    def list_items(self, collection_id: str, query: dict[str, str], live: bool) -> dict[str, Any]:
        coll = self.collection(collection_id)
        limit = _int_param(query, "limit", MAX_LIMIT)
        offset = _int_param(query, "offset", 0)
        if limit < 1 or limit > MAX_LIMIT:
            raise validation_error([{"param": "limit", "description": f"limit must be between 1 and {MAX_LIMIT}"}])
        if offset < 0:
            raise validation_error([{"param": "offset", "description": "offset must be 0 or more"}])
        modes = self.deviations
        if "reject-params" in modes:
            refused = [k for k in ("sortBy", *DATE_PARAMS) if k in query]
            if refused:
                raise ApiFailure(400, "bad_request", f"Bad Request: unsupported query parameter {refused[0]}")
        def ordered(variants: Iterable[StoredItem]) -> list[StoredItem]:
            stored = list(variants)
            if "oldest-first" not in modes:
                # the live API's default order: newest created first (ties: the latest inserted first)
                stored.reverse()
                stored.sort(key=lambda i: i.created_on, reverse=True)
            else:
                stored.sort(key=lambda i: i.created_on)
            return stored

        # several locales answer one block per locale, in the order asked, each in the API's order
        stored = [i for loc in self.locales_of(coll, query.get("cmsLocaleId"))
                  for i in ordered(self.variants(coll, loc).values())]
        stored = [i for i in stored if i.live is not None or not live]
        if not _shapes_the_list(query):
            # a plain page (what a full read asks): only its own rows are built, as a server with an
            # index would; the rows of the whole collection cost every page tens of milliseconds
            page = [self.wire(i, live) for i in stored[offset: offset + limit]]
            return {"items": page, "pagination": {"limit": limit, "offset": offset, "total": len(stored)}}
        # filtered and sorted on shallow rows; only the page's field values are copied
        rows = [self.wire(i, live, copy_data=False) for i in stored]
        if "ignore-filters" not in modes:
            rows = _filter(rows, query)
        else:
            rows = _filter(rows, {k: v for k, v in query.items() if k not in DATE_PARAMS})
        sort_by = query.get("sortBy")
        if sort_by is not None and "ignore-sort" not in modes:
            if sort_by not in SORT_KEYS:
                raise validation_error([{"param": "sortBy", "description": f"must be one of {', '.join(SORT_KEYS)}"}])
            order = query.get("sortOrder", "asc")
            if order not in ("asc", "desc"):
                raise validation_error([{"param": "sortOrder", "description": "must be asc or desc"}])
            rows.sort(key=lambda r: _sort_key(r, sort_by), reverse=order == "desc")
        page = [{**r, "fieldData": copy.deepcopy(r["fieldData"])} for r in rows[offset: offset + limit]]
        return {"items": page, "pagination": {"limit": limit, "offset": offset, "total": len(rows)}}

    # -- validation ----------------------------------------------------------
    def check_field_data(self, coll: StoredCollection, data: Any, *, creating: bool,
                         own_id: str | None = None, prefix: str = "fieldData",
                         locale: str | None = None) -> list[dict[str, str]]:
        if not isinstance(data, dict):
            return [{"param": prefix, "description": "fieldData must be an object"}]
        problems: list[dict[str, str]] = []
        fields = coll.field_by_slug()
        for key, value in data.items():
            if key.startswith("_"):
                continue
            spec = fields.get(key)
            if spec is None:
                problems.append({"param": key, "description": f"Field not described in schema: '{key}'"})
                continue
            problems.extend({"param": key, "description": msg} for msg in self._check_value(spec, value))
        if creating:
            for f in coll.fields:
                if f["isRequired"] and data.get(f["slug"]) in (None, ""):
                    problems.append({"param": f["slug"], "description": "Field is required"})
        slug = data.get("slug")
        if isinstance(slug, str) and slug:
            if not SLUG_RE.match(slug):
                problems.append({"param": "slug", "description": "Slug must contain only lowercase letters, numbers and hyphens"})
            # slugs are unique per locale: a translation may reuse another locale's slug
            others = coll.items if locale is None else self.variants(coll, locale)
            for other in others.values():
                if other.id != own_id and other.staged["fieldData"].get("slug") == slug:
                    problems.append({"param": "slug", "description": f"Unique value is already in database: '{slug}'"})
                    break
        return problems

    def _check_value(self, spec: dict[str, Any], value: Any) -> list[str]:
        kind = spec["type"]
        rules = spec.get("validations") or {}
        if value is None:
            return ["Field is required"] if spec["isRequired"] else []
        if kind in ("PlainText", "RichText"):
            if not isinstance(value, str):
                return ["must be a string"]
            out = []
            if rules.get("maxLength") is not None and len(value) > rules["maxLength"]:
                out.append(f"must be at most {rules['maxLength']} characters")
            if rules.get("minLength") and len(value) < rules["minLength"]:
                out.append(f"must be at least {rules['minLength']} characters")
            if kind == "PlainText" and rules.get("singleLine") and "\n" in value:
                out.append("must be a single line")
            return out
        if kind in ("Image", "File"):
            return self._check_file(value)
        if kind == "MultiImage":
            if not isinstance(value, list):
                return ["must be a list of images"]
            return [m for v in value for m in self._check_file(v)]
        if kind in ("VideoLink",):
            return [] if isinstance(value, str) and HTTP_RE.match(value) else ["must be an http(s) URL"]
        if kind == "Link":
            return [] if isinstance(value, str) and URL_RE.match(value) else ["must be a URL"]
        if kind == "Email":
            return [] if isinstance(value, str) and EMAIL_RE.match(value) else ["must be an e-mail address"]
        if kind == "Phone":
            return [] if isinstance(value, str) else ["must be a string"]
        if kind == "Number":
            return _check_number(value, rules)
        if kind == "DateTime":
            return [] if isinstance(value, str) and parse_iso(value) else ["must be an ISO 8601 date-time"]
        if kind == "Switch":
            return [] if isinstance(value, bool) else ["must be true or false"]
        if kind == "Color":
            return [] if isinstance(value, str) and COLOR_RE.match(value.strip()) else ["must be a CSS color"]
        if kind == "Option":
            ids = {o["id"] for o in rules.get("options", [])}
            return [] if value in ids else [f"'{value}' is not an option id of this field"]
        if kind == "Reference":
            return self._check_refs(rules, [value])
        if kind == "MultiReference":
            if not isinstance(value, list):
                return ["must be a list of item ids"]
            return self._check_refs(rules, value)
        return []  # ExtFileRef and types we do not know: carried as given

    def _check_file(self, value: Any) -> list[str]:
        found = _check_file(value)
        if not found and value.get("fileId") and not value.get("url") and self.hosted(value["fileId"]) is None:
            found.append(f"file not found: '{value['fileId']}'")
        return found

    def _check_refs(self, rules: dict[str, Any], ids: Iterable[Any]) -> list[str]:
        target = self.collections.get(rules.get("collectionId", ""))
        out = []
        for ref in ids:
            if not isinstance(ref, str) or target is None or ref not in target.items:
                out.append(f"Referenced item not found: '{ref}'")
        return out

    def wire(self, item: StoredItem, live: bool = False, copy_data: bool = True) -> dict[str, Any]:
        """An item as the API answers it, with this emulator's deviations."""
        out = item.wire(live, copy_data)
        if "null-last-published" in self.deviations:
            out["lastPublished"] = None
        return out

    def normalise(self, coll: StoredCollection, data: dict[str, Any]) -> dict[str, Any]:
        """Stored form of a write: files get a fileId, as Webflow imports them."""
        fields = coll.field_by_slug()
        out = {}
        for key, value in data.items():
            spec = fields.get(key)
            if spec and spec["type"] in ("Image", "File") and isinstance(value, dict):
                value = self._stored_file(coll, value)
            elif spec and spec["type"] == "MultiImage" and isinstance(value, list):
                value = [f for f in (self._stored_file(coll, v) for v in value) if f is not None]
            out[key] = value
        return out

    def _stored_file(self, coll: StoredCollection, value: dict[str, Any]) -> dict[str, Any] | None:
        file_id = value.get("fileId")
        if file_id:  # a file Webflow already hosts: kept as it is, only its alt text may change
            return {"fileId": file_id, "url": self.hosted(file_id) or value.get("url", ""), "alt": value.get("alt")}
        url = str(value.get("url", ""))
        if "skip-invalid-files" in self.deviations and unfetchable(url):
            return None  # skipInvalidFiles: true, the API's default
        if "rehost-images" in self.deviations:  # every import is a new asset with a URL of Webflow's
            file_id = object_id(f"file:{url}:{next(self._ids)}")
            url = rehosted_url(coll.site_id, file_id, url)
        else:
            file_id = object_id("file:" + url)
        self.files[file_id] = {"url": url}
        return {"fileId": file_id, "url": url, "alt": value.get("alt")}

    def hosted(self, file_id: str) -> str | None:
        """The URL of a file Webflow hosts, from the files imported here or the fixtures' items."""
        if file_id not in self.files:
            for coll in self.collections.values():
                for item in coll.all_variants():
                    for value in item.staged["fieldData"].values():
                        for f in value if isinstance(value, list) else [value]:
                            if isinstance(f, dict) and f.get("fileId") and f.get("url"):
                                self.files.setdefault(f["fileId"], {"url": f["url"]})
        found = self.files.get(file_id)
        return found["url"] if found else None

    # -- writes --------------------------------------------------------------
    def create(self, collection_id: str, entries: list[dict[str, Any]], *, publish: bool,
               locale: str | None = None, locales: list[str] | None = None) -> list[StoredItem]:
        """Create items; each entry's ``cmsLocaleId`` (or ``locale``) names the locale of its fieldData.

        ``locales`` (the multi-locale bulk form) creates every item in each of those locales
        with the same data, the answer listing one variant per item and locale. Otherwise an
        item created in the primary locale gets a variant in every secondary locale that
        starts as a copy of it (never published there), as Webflow's Localization does.
        """
        coll = self.collection(collection_id)
        primary = self.primary_locale(coll.site_id)
        problems: list[dict[str, str]] = []
        plans: list[tuple[dict[str, Any], list[str]]] = []
        seen: set[tuple[str, str]] = set()
        for n, entry in enumerate(entries):
            where = f"items[{n}]." if len(entries) > 1 else ""
            named = locales if locales is not None else self.locales_of(coll, entry.get("cmsLocaleId") or locale)[:1]
            data = entry.get("fieldData")
            found: list[dict[str, str]] = []
            for loc in named:
                found.extend(p for p in self.check_field_data(coll, data, creating=True, locale=loc) if p not in found)
            slug = data.get("slug") if isinstance(data, dict) else None
            for loc in named:
                if isinstance(slug, str) and (loc, slug) in seen:
                    found.append({"param": "slug", "description": f"Unique value is already in database: '{slug}'"})
                    break
            if isinstance(slug, str):
                seen.update((loc, slug) for loc in named)
            if "unique-copy-slugs" in self.deviations and locales is None and named == [primary] \
                    and isinstance(slug, str):
                # (the spec says nothing of the copies' slugs: by default a copy keeps the primary's)
                taken = [loc for loc in self.secondary_locales(coll.site_id)
                         if any(v.staged["fieldData"].get("slug") == slug for v in self.variants(coll, loc).values())]
                if taken:
                    found.append({"param": "slug", "description": f"Unique value is already in database: '{slug}'"})
            problems.extend({"param": where + p["param"], "description": p["description"]} for p in found)
            plans.append((entry, named))
        if problems:
            raise validation_error(problems)
        created = []
        for entry, named in plans:
            now = self.now()
            item_id = self.new_id()
            stored_data = self.normalise(coll, entry["fieldData"])
            staged = {
                "fieldData": stored_data,
                # the reference gives isDraft a default of true on create
                "isDraft": bool(entry.get("isDraft", not publish)),
                "isArchived": bool(entry.get("isArchived", False)),
                "lastUpdated": now,
            }
            copies = [loc for loc in self.secondary_locales(coll.site_id)
                      if locales is None and named == [primary] and loc not in named]
            for loc in named + copies:
                item = StoredItem(id=item_id, cms_locale_id=loc, created_on=now, staged=copy.deepcopy(staged))
                self.variants(coll, loc)[item_id] = item
                if loc in named:
                    if publish:
                        self._publish(item)
                    created.append(item)
        return created

    def update(self, collection_id: str, entries: list[dict[str, Any]], *, live: bool) -> list[StoredItem]:
        coll = self.collection(collection_id)
        problems: list[dict[str, str]] = []
        targets: list[tuple[StoredItem, dict[str, Any]]] = []
        for n, entry in enumerate(entries):
            where = f"items[{n}]." if len(entries) > 1 else ""
            item_id = entry.get("id")
            loc = self.locales_of(coll, entry.get("cmsLocaleId"))[0]
            if not isinstance(item_id, str):
                raise not_found(f"item {item_id}")
            item = self.item(coll, item_id, loc)
            if live and item.last_published is None:
                raise ApiFailure(409, "conflict", "Conflict: Conflict with server data: Live PATCH updates can't be "
                                 "applied to items that have never been published")
            data = entry.get("fieldData", {})
            found = self.check_field_data(coll, data, creating=False, own_id=item_id, locale=loc)
            problems.extend({"param": where + p["param"], "description": p["description"]} for p in found)
            for flag in ("isDraft", "isArchived"):
                if flag in entry and not isinstance(entry[flag], bool):
                    problems.append({"param": where + flag, "description": "must be true or false"})
            targets.append((item, entry))
        if problems:
            raise validation_error(problems)
        for item, entry in targets:
            staged = item.staged
            staged["fieldData"].update(self.normalise(coll, entry.get("fieldData", {})))
            for flag in ("isDraft", "isArchived"):
                if flag in entry:
                    staged[flag] = entry[flag]
            staged["lastUpdated"] = self.now()
            if live:
                self._publish(item)
        return [t[0] for t in targets]

    def delete(self, collection_id: str, ids: list[str], *, live: bool,
               locales: list[Any] | None = None) -> None:
        """Delete (or, ``live``, unpublish) variants: ``locales[n]`` names item n's locales, none the primary.

        Deleting the primary variant leaves the other locales' variants in place, as the
        API does when ``cmsLocaleIds`` is left out.
        """
        coll = self.collection(collection_id)
        named = [self.locales_of(coll, (locales or [None] * len(ids))[n]) for n in range(len(ids))]
        for item_id, locs in zip(ids, named):
            for loc in locs:
                self.item(coll, item_id, loc)
        for item_id, locs in zip(ids, named):
            for loc in locs:
                variants = self.variants(coll, loc)
                item = variants[item_id]
                if live:
                    # unpublishing removes the live copy and makes the variant a draft
                    item.live = None
                    item.staged["isDraft"] = True
                    item.staged["lastUpdated"] = self.now()
                else:
                    del variants[item_id]

    def publish(self, collection_id: str, ids: list[str], locales: list[Any] | None = None) -> dict[str, Any]:
        """Publish variants (``locales[n]`` for item n, none the primary); partly successful, as the API."""
        coll = self.collection(collection_id)
        published, errors = [], []
        for n, item_id in enumerate(ids):
            done = False
            for loc in self.locales_of(coll, (locales or [None] * len(ids))[n]):
                item = self.variants(coll, loc).get(item_id)
                if item is None:
                    errors.append(f"Staging item ID {item_id} not found.")
                elif item.staged["isArchived"]:
                    errors.append(f"Item {item_id} is archived and cannot be published.")
                elif item.staged["isDraft"] and "publish-undrafts" not in self.deviations:
                    errors.append(f"Item {item_id} is a draft and cannot be published.")
                else:
                    self._publish(item)
                    done = True
            if done:
                published.append(item_id)
        return {"publishedItemIds": published, "errors": errors}

    def _publish(self, item: StoredItem) -> None:
        item.staged["isDraft"] = False
        item.last_published = self.now()
        item.live = {
            "fieldData": copy.deepcopy(item.staged["fieldData"]),
            "isArchived": item.staged["isArchived"],
            "lastUpdated": item.staged["lastUpdated"],
        }

    # -- persistence -----------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        return {
            "sites": self.sites,
            "assets": self.assets,
            "redirects": self.redirects,
            "collections": [
                {**c.schema(), "siteId": c.site_id,
                 "items": [{"id": i.id, "cmsLocaleId": i.cms_locale_id, "createdOn": i.created_on, "staged": i.staged,
                            "live": i.live, "lastPublished": i.last_published} for i in c.all_variants()]}
                for c in self.collections.values()
            ],
            "lastTs": self._last_ts,
        }

    def load(self, data: dict[str, Any]) -> None:
        self.sites = data["sites"]
        self.assets = data.get("assets", {})
        self.redirects = data.get("redirects", {})
        self.collections = {}
        for c in data["collections"]:
            coll = StoredCollection(c["id"], c["siteId"], c["displayName"], c["singularName"], c["slug"],
                                    c["fields"], c["createdOn"], c["lastUpdated"])
            self.collections[coll.id] = coll
            primary = self.primary_locale(coll.site_id) if coll.site_id in self.sites else None
            secondary = set(self.secondary_locales(coll.site_id)) if coll.site_id in self.sites else set()
            for i in c["items"]:
                item = StoredItem(i["id"], i["cmsLocaleId"], i["createdOn"], i["staged"], i["live"], i["lastPublished"])
                # a secondary locale's variant goes back to its locale; everything else is the primary's
                target = coll.localized.setdefault(item.cms_locale_id, {}) \
                    if item.cms_locale_id in secondary and item.cms_locale_id != primary else coll.items
                target[item.id] = item
        self._last_ts = float(data.get("lastTs", 0.0))


def _int_param(query: dict[str, str], name: str, default: int) -> int:
    if name not in query:
        return default
    try:
        return int(query[name])
    except ValueError:
        raise validation_error([{"param": name, "description": f"{name} must be an integer"}]) from None


def _shapes_the_list(query: dict[str, str]) -> bool:
    """Whether the query filters or sorts the items (what ``_filter`` and ``sortBy`` read)."""
    return "sortBy" in query or "name" in query or "slug" in query or any(k in query for k in DATE_PARAMS)


def _filter(rows: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    for key in ("name", "slug"):
        if key in query:
            rows = [r for r in rows if r["fieldData"].get(key) == query[key]]
    for key in ("createdOn", "lastUpdated", "lastPublished"):
        for op in ("gte", "lte"):
            raw = query.get(f"{key}[{op}]")
            if raw is None:
                continue
            bound = parse_iso(raw)
            if bound is None:
                raise validation_error([{"param": f"{key}[{op}]", "description": "must be an ISO 8601 date-time"}])
            kept = []
            for r in rows:
                value = parse_iso(r[key]) if r.get(key) else None
                if value is not None and (value >= bound if op == "gte" else value <= bound):
                    kept.append(r)
            rows = kept
    return rows


def _sort_key(row: dict[str, Any], key: str) -> tuple[int, str]:
    value = row["fieldData"].get(key) if key in ("name", "slug") else row.get(key)
    return (0, "") if value is None else (1, str(value))


def _check_file(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return ["must be an object with a url"]
    if "fileId" not in value and not (isinstance(value.get("url"), str) and HTTP_RE.match(value["url"])):
        return ["must have an http(s) url or a fileId"]
    if value.get("alt") is not None and not isinstance(value.get("alt"), str):
        return ["alt must be a string or null"]
    return []


def _check_number(value: Any, rules: dict[str, Any]) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        return ["must be a number"]
    out = []
    if rules.get("format") == "integer" and float(value) != int(value):
        out.append("must be an integer")
    if rules.get("allowNegative") is False and value < 0:
        out.append("must not be negative")
    if rules.get("allowZero") is False and value == 0:
        out.append("must not be zero")
    if rules.get("minValue") is not None and value < rules["minValue"]:
        out.append(f"must be at least {rules['minValue']}")
    if rules.get("maxValue") is not None and value > rules["maxValue"]:
        out.append(f"must be at most {rules['maxValue']}")
    return out

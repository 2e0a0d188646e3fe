"""Ways the live Webflow API is known or suspected to differ from its newest OpenAPI spec.

The emulator follows the spec unless a deviation is switched on (``EmulatorState(deviations=...)``,
``EmulatorServer(deviations=...)`` or ``wfsync emulator serve --deviate MODE``). Tests run wfsync
under each of them: whatever the API really does, no edit may be lost and no run may stall.
"""

from __future__ import annotations

import copy
import hashlib
import posixpath
from typing import Any, Iterable
from urllib.parse import urlsplit

MODES: dict[str, str] = {
    "ignore-sort": "sortBy/sortOrder are ignored: the default order comes back",
    "ignore-filters": "the createdOn/lastUpdated/lastPublished [gte]/[lte] filters are ignored",
    "reject-params": "sortBy and the date filters are refused with 400 bad_request",
    "oldest-first": "the default order is oldest created first (the emulator's own order is the live API's, "
                    "newest created first)",
    "skip-invalid-files": "an image URL Webflow cannot fetch (host *.invalid) is dropped from the item",
    "rehost-images": "an imported URL is re-hosted on cdn.prod.website-files.com with a new fileId",
    "null-last-published": "lastPublished is always null",
    "real-schema": "helpText null, validations null, 32-hex field and option ids, site locales null",
    "publish-undrafts": "publishing a draft publishes it and sets isDraft false (beta behaviour)",
    "unique-copy-slugs": "an item created in the primary locale is refused (400, slug) when the automatic copy "
                         "of a secondary locale would take a slug another item has there",
}
#: everything the live API is believed to do at once (it cannot both ignore and refuse a parameter;
#: its default order is the emulator's own); ``newest-first`` names that order, the default now
#: (``unique-copy-slugs`` is left out of ``live``: what Webflow does with a copy's slug is not known)
PRESETS: dict[str, frozenset[str]] = {"live": frozenset(MODES) - {"reject-params", "oldest-first",
                                                                  "unique-copy-slugs"},
                                      "newest-first": frozenset()}
CDN_HOST = "https://cdn.prod.website-files.com"
DATE_PARAMS = tuple(f"{k}[{op}]" for k in ("createdOn", "lastUpdated", "lastPublished") for op in ("gte", "lte"))


def expand(names: Iterable[str]) -> frozenset[str]:
    """Mode names (and presets) to a set of modes; an unknown name is a ValueError naming the known ones."""
    out: set[str] = set()
    for name in names:
        if name in PRESETS:
            out |= PRESETS[name]
        elif name in MODES:
            out.add(name)
        else:
            raise ValueError(f"unknown deviation {name!r} (known: {', '.join([*MODES, *PRESETS])})")
    return frozenset(out)


def hex32(seed: str) -> str:
    return hashlib.md5(seed.encode()).hexdigest()  # noqa: S324 - an id, not a secret


def unfetchable(url: str) -> bool:
    """A URL Webflow could not download: the reserved ``.invalid`` domain stands for any of them."""
    host = urlsplit(url).hostname or ""
    return host == "invalid" or host.endswith(".invalid")


def rehosted_url(site_id: str, file_id: str, url: str) -> str:
    name = posixpath.basename(urlsplit(url).path) or "file"
    return f"{CDN_HOST}/{site_id}/{file_id}_{name}"


def real_schema(state: Any) -> None:
    """Rewrite fixtures into the shapes real answers have: null helpText and validations,
    32-hex field and option ids (items' option values follow), site locales null."""
    for coll in state.collections.values():
        renamed: dict[str, str] = {}
        for f in coll.fields:
            if len(f["id"]) == 32:
                continue  # already in the real shape (a state saved with this mode on)
            f["id"] = hex32("field:" + f["id"])
            f["helpText"] = None
            if not f.get("validations"):
                f["validations"] = None
            for option in (f.get("validations") or {}).get("options", []):
                new = hex32("option:" + option["id"])
                renamed[option["id"]] = new
                option["id"] = new
        options = {f["slug"] for f in coll.fields if f["type"] == "Option"}
        for item in coll.all_variants():
            for copy_ in (item.staged, item.live):
                if copy_ is None:
                    continue
                for slug in options:
                    value = copy_["fieldData"].get(slug)
                    if value in renamed:
                        copy_["fieldData"][slug] = renamed[value]
    for site in state.sites.values():
        if site.get("locales"):
            state.default_locales[site["id"]] = copy.deepcopy(site["locales"])
        site["locales"] = None

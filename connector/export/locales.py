"""The site's secondary locales an export writes, at the subdirectories Webflow serves them from.

Webflow serves the primary locale at ``/`` and each secondary locale under its
``subdirectory`` (``/de/infos/...``). An export follows those URLs; a locale that is
disabled, or whose subdirectory is no safe folder name, is left out with a warning.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..model import Site

log = logging.getLogger("wfsync.export.locales")
SAFE_FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")


@dataclass(frozen=True)
class ExportLocale:
    tag: str  # the language tag (de, de-CH): what generators call the language
    subdirectory: str  # the URL folder Webflow serves it at, and the export's folder for it
    cms_locale_id: str  # what the CMS calls take

    def url(self, path: str) -> str:
        """A site path (``/infos/x/``) as this locale serves it (``/de/infos/x/``)."""
        return f"/{self.subdirectory}{path}"


def secondary_locales(site: Site | None) -> list[ExportLocale]:
    if site is None:
        return []
    out = []
    for loc in site.secondary_locales:
        folder = loc.subdirectory.strip("/").lower()
        if not loc.enabled:
            log.info("locale %s is disabled in Webflow: not exported", loc.tag)
        elif not SAFE_FOLDER.match(folder) or not loc.cms_locale_id:
            log.warning("locale %s has no usable subdirectory (%r): not exported", loc.tag, loc.subdirectory)
        else:
            out.append(ExportLocale(loc.tag or folder, folder, loc.cms_locale_id))
    return out


def primary_tag(site: Site | None) -> str:
    """The primary locale's language tag (what a generator calls the default language)."""
    found = next((loc.tag for loc in site.locales if loc.primary), "") if site else ""
    return found or "en"

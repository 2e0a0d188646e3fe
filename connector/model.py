"""Values that flow between the layers.

Glossary:
- *remote item*: one Webflow CMS item as the API returned it (``RemoteItem``).
- *document*: one Markdown file: front matter (ordered dict) and body text.
- *record*: the canonical values of one item, the same whichever side they come
  from; what the planner compares.
- *key*: what pairs a local document with a remote item: the Webflow item id
  once known, the (collection, slug) before that.
- *base*: what both sides looked like at the last sync (``state.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping


@dataclass(frozen=True)
class Locale:
    """A site locale: ``id`` is the site locale id (assets), ``cms_locale_id`` what CMS calls take."""

    id: str
    cms_locale_id: str
    tag: str
    primary: bool
    #: the URL folder Webflow serves the locale at ("" for the primary, served at ``/``)
    subdirectory: str = ""
    display_name: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Site:
    id: str
    display_name: str
    short_name: str
    locales: tuple[Locale, ...] = ()

    @property
    def primary_cms_locale(self) -> str | None:
        return next((loc.cms_locale_id for loc in self.locales if loc.primary), None)

    @property
    def secondary_locales(self) -> tuple[Locale, ...]:
        """The secondary locales, in the site's order (empty for a site without Localization)."""
        return tuple(loc for loc in self.locales if not loc.primary)


@dataclass(frozen=True)
class CollectionSummary:
    id: str
    display_name: str
    singular_name: str
    slug: str


@dataclass(frozen=True)
class Field:
    id: str
    slug: str
    type: str
    display_name: str
    is_required: bool = False
    is_editable: bool = True
    validations: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    display_name: str
    singular_name: str
    slug: str
    fields: tuple[Field, ...]

    def field(self, slug: str) -> Field | None:
        return next((f for f in self.fields if f.slug == slug), None)


@dataclass(frozen=True)
class RemoteItem:
    id: str
    field_data: Mapping[str, Any]
    created_on: str
    last_updated: str
    last_published: str | None
    is_draft: bool = False
    is_archived: bool = False
    cms_locale_id: str | None = None

    @property
    def slug(self) -> str:
        return str(self.field_data.get("slug", ""))

    @property
    def name(self) -> str:
        return str(self.field_data.get("name", ""))


@dataclass(frozen=True)
class Page:
    items: tuple[RemoteItem, ...]
    offset: int
    limit: int
    total: int


@dataclass(frozen=True)
class Asset:
    id: str
    hosted_url: str
    original_file_name: str
    content_type: str = ""
    size: int = 0
    alt_text: str | None = None


@dataclass(frozen=True)
class PublishResult:
    published_ids: tuple[str, ...]
    errors: tuple[str, ...] = ()


@dataclass
class CallStats:
    """Counts of API calls made by one client; read by reports and benchmarks."""

    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    waited_seconds: float = 0.0

    def count(self, kind: str) -> None:
        self.total += 1
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1

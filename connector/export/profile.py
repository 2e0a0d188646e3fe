"""What every generator's writer shares: the page of one item, its front matter and body.

Front matter, in this order: ``title``, ``slug``, ``date`` (Webflow's createdOn, or the
``--date-field``; lastPublished moves on every publish), ``lastmod``, ``draft``, the
generator's own routing keys, then every custom field as ``f_<slug>`` (so Webflow slugs
such as ``date``, ``type``, ``url``, ``layout`` or ``tags`` never meet a generator's
reserved keys), then ``webflow_id``. The first RichText field is the Markdown body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..model import Collection, Field
from ..yamlstyle import dump
from .assets import canonical, collapse_srcset, rewrite
from .content import FileRef, Item, Ref, SiteContent
from .locales import ExportLocale
from .output import Output
from .redirects import Rule
from .richtext import to_export_markdown

RESERVED_ALT = "__wf_reserved_inherit"


@dataclass
class Context:
    content: SiteContent
    site_name: str
    urls: dict[str, str]  # item key (collection/slug) -> its URL, /infos/social/
    list_urls: dict[str, str]  # collection slug -> its list page URL, /infos/
    local: Callable[[str], str | None]  # asset key -> file name under media/, when downloaded
    alts: dict[str, str] = field(default_factory=dict)  # asset key -> the asset's own alt text
    rules: list[Rule] = field(default_factory=list)
    fallbacks: list[tuple[str, str]] = field(default_factory=list)  # static (old path, new URL) pairs
    date_field: str | None = None
    renderings: frozenset[str] = frozenset()
    image_files: set[str] = field(default_factory=set)  # media files used by Image fields (Astro's image())

    def list_url(self, collection_slug: str, locale: ExportLocale | None = None) -> str:
        """A collection's list page URL in a locale (``/de/infos/``)."""
        url = self.list_urls[collection_slug]
        return locale.url(url) if locale else url


def yaml_document(front_matter: dict[str, Any], body: str) -> str:
    return "---\n" + dump(front_matter) + "---\n\n" + body + ("\n" if body else "")


def custom_fields(schema: Collection, body_field: str | None) -> list[Field]:
    return [f for f in schema.fields if f.slug not in ("name", "slug") and f.slug != body_field]


class Profile:
    name = ""
    media = "media"  # where downloaded files go, under the export folder
    publish = ""  # the folder served as the site root (where _redirects goes)

    # -- to be given by each generator ---------------------------------------------------
    def content_path(self, item: Item) -> str:
        raise NotImplementedError

    def ref(self, target: Ref) -> str:
        raise NotImplementedError

    def routing(self, item: Item, ctx: Context) -> dict[str, Any]:
        return {}

    def write_site(self, out: Output, ctx: Context) -> None:
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------
    def media_url(self, name: str) -> str:
        return "/media/" + name

    def file_value(self, f: FileRef, name: str | None, ctx: Context) -> Any:
        return {"url": self.media_url(name) if name else f.url, "alt": self.alt(f.url, f.alt, ctx)}

    def alt(self, url: str, alt: str | None, ctx: Context) -> str | None:
        if alt != RESERVED_ALT:
            return alt
        key = canonical(url)
        return ctx.alts.get(key, "") if key else ""

    def text(self, value: str, ctx: Context) -> str:
        return rewrite(value, lambda key: self.media_url(n) if (n := ctx.local(key)) else None)

    def html(self, value: str, ctx: Context) -> str:
        """Rich text HTML: variants collapsed, the inherit-alt marker resolved, CDN URLs local."""
        def fix_alt(m: re.Match[str]) -> str:
            tag = m.group(0)
            src = re.search(r"""\ssrc\s*=\s*["']([^"']*)""", tag)
            alt = self.alt(src.group(1) if src else "", RESERVED_ALT, ctx) or ""
            return re.sub(r"""alt\s*=\s*(["'])__wf_reserved_inherit\1""", lambda _: f'alt="{_attr(alt)}"', tag)

        value = re.sub(r"<img\b[^>]*__wf_reserved_inherit[^>]*>", fix_alt, collapse_srcset(value))
        return self.text(value, ctx)

    def value(self, spec: Field, value: Any, ctx: Context) -> Any:
        if isinstance(value, FileRef):
            key = canonical(value.url)
            return self.file_value(value, ctx.local(key) if key else None, ctx)
        if isinstance(value, Ref):
            return self.ref(value)
        if isinstance(value, list):
            return [self.value(spec, v, ctx) for v in value]
        if isinstance(value, str):
            return self.html(value, ctx) if spec.type == "RichText" else self.text(value, ctx)
        return value

    def front_matter(self, item: Item, ctx: Context) -> dict[str, Any]:
        date = item.created_on
        if ctx.date_field and isinstance(item.fields.get(ctx.date_field), str):
            date = item.fields[ctx.date_field]
        fm: dict[str, Any] = {"title": item.name, "slug": item.slug, "date": date, "lastmod": item.last_updated,
                              "draft": item.draft}
        if item.locale:  # a secondary locale's page names its language (the primary's are as before)
            fm["lang"] = item.locale.tag
        fm.update(self.routing(item, ctx))
        for spec in custom_fields(item.collection, item.body_field):
            fm[f"f_{spec.slug}"] = self.value(spec, item.fields.get(spec.slug), ctx)
        fm["webflow_id"] = item.id
        return fm

    def body(self, item: Item, ctx: Context) -> str:
        html = item.fields.get(item.body_field) if item.body_field else None
        return to_export_markdown(self.html(html, ctx)) if isinstance(html, str) else ""

    def page(self, item: Item, ctx: Context) -> str:
        return yaml_document(self.front_matter(item, ctx), self.body(item, ctx))

    def write_pages(self, out: Output, ctx: Context) -> None:
        for item in ctx.content.items:
            out.put(self.content_path(item), self.page(item, ctx))


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def field_label(spec: Field) -> str:
    return spec.display_name or spec.slug

"""Hugo (0.111 to 0.168): ``content/<collection>/<slug>.md`` with Go templates.

Each page carries its ``url`` (Webflow's URL, whatever the permalink settings) and the
``aliases`` of its old URLs (slug history, Webflow's 301s), which Hugo turns into
redirect pages. References are page paths (``/categories/x``) for ``site.GetPage``.
The starter ``hugo.toml`` is what real builds needed: future dates built, raw HTML kept
(embeds), no typographer or linkify (text stays as Webflow showed it), no taxonomies
(a collection named ``categories`` or ``tags`` would collide with Hugo's).
A localized site is a multilingual Hugo site: translation by file name (``soziales.de.md``),
``translationKey`` the Webflow item id, one ``[languages]`` entry per locale.
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Collection, Field
from .content import Item, Ref, SiteContent
from .locales import ExportLocale
from .output import Output
from .profile import Context, Profile, custom_fields, field_label, yaml_document

CONFIG = """\
# Hugo configuration for a site exported from Webflow by wfsync. This file is yours:
# wfsync export writes it only when it does not exist.
baseURL = "/"
title = {title}
buildFuture = true
disableKinds = ["RSS"]

[taxonomies]

[markup.goldmark.renderer]
unsafe = true

[markup.goldmark.extensions]
typographer = false
linkify = false

[markup.goldmark.parser.attribute]
title = false
"""

BASEOF = """\
<!doctype html>
<html>
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ .Title }} · {{ site.Title }}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
  img{max-width:100%;height:auto}nav a{margin-right:1rem}dt{font-weight:bold}</style>
</head>
<body>
  <nav><a href="/">{{ site.Title }}</a>{{ range site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
  <main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""

LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>
{{- range .Pages.ByTitle }}
  <li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
{{ end }}
"""

SINGLE = """\
{{ define "main" }}
<article><h1>{{ .Title }}</h1>{{ .Content }}</article>
{{ end }}
"""

INDEX = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ul>
{{- range site.Sections }}
  <li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
{{ end }}
"""


def field_snippet(spec: Field) -> str:
    label = field_label(spec)
    get = f'index .Params "f_{spec.slug}"'
    kind = spec.type
    if kind == "Image":
        inner = '<img src="{{ .url }}" alt="{{ .alt }}">'
    elif kind == "File":
        inner = f'<a href="{{{{ .url }}}}">{label}</a>'
    elif kind == "MultiImage":
        inner = '{{ range . }}<img src="{{ .url }}" alt="{{ .alt }}">{{ end }}'
    elif kind in ("Link", "VideoLink"):
        inner = '<a href="{{ . }}">{{ . }}</a>'
    elif kind == "Email":
        inner = '<a href="mailto:{{ . }}">{{ . }}</a>'
    elif kind == "RichText":
        inner = "{{ . | safeHTML }}"
    elif kind == "Reference":
        inner = '{{ with site.GetPage . }}{{ if not .Draft }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}'
    elif kind == "MultiReference":
        inner = ('{{ range . }}{{ with site.GetPage . }}{{ if not .Draft }}<a href="{{ .RelPermalink }}">'
                 '{{ .Title }}</a> {{ end }}{{ end }}{{ end }}')
    elif kind == "Switch":
        inner = "{{ if . }}yes{{ else }}no{{ end }}"
    else:
        inner = "{{ . }}"
    if kind in ("Number", "Switch"):  # 0 and false are values to show, which `with` would skip
        return (f"{{{{ $v := {get} }}}}{{{{ if ne $v nil }}}}<dt>{label}</dt><dd>"
                + inner.replace("{{ . }}", "{{ $v }}").replace("if .", "if $v") + "</dd>{{ end }}")
    return f"{{{{ with {get} }}}}<dt>{label}</dt><dd>{inner}</dd>{{{{ end }}}}"


def single(schema: Collection, body_field: str | None) -> str:
    fields = "\n".join("  " + field_snippet(f) for f in custom_fields(schema, body_field))
    return ('{{ define "main" }}\n<article>\n<h1>{{ .Title }}</h1>\n{{ .Content }}\n<dl>\n'
            f"{fields}\n</dl>\n</article>\n{{{{ end }}}}\n")


def languages(config: str, content: SiteContent) -> str:
    """The starter config with Hugo's multilingual set-up: one language per Webflow locale, keyed by
    its URL subdirectory (Hugo serves a language at /<key>/, as Webflow does); the primary is the
    default language, served at /. A site with one locale gets the config as before."""
    if not content.locales:
        return config
    primary = _hugo_key(content.primary_tag)
    config = config.replace("buildFuture = true\n", f'buildFuture = true\ndefaultContentLanguage = "{primary}"\n', 1)
    tables = [f"[languages.{primary}]\nweight = 1\n"]
    tables += [f"[languages.{loc.subdirectory}]\nweight = {n}\n" for n, loc in enumerate(content.locales, start=2)]
    return config + "\n" + "\n".join(tables)


def _hugo_key(tag: str) -> str:
    return "".join(c for c in tag.lower() if c.isalnum() or c == "-") or "en"


def _lang_suffix(locale: ExportLocale | str | None) -> str:
    if isinstance(locale, ExportLocale):
        locale = locale.subdirectory
    return f".{locale}" if locale else ""


class Hugo(Profile):
    name = "hugo"
    media = "static/media"
    publish = "static"

    def content_path(self, item: Item) -> str:
        # Hugo's translation by file name: content/infos/soziales.de.md is a page of the language "de"
        return f"content/{item.collection.slug}/{item.slug}{_lang_suffix(item.locale)}.md"

    def ref(self, target: Ref) -> str:
        # site.GetPage looks in the page's own language: the path without the language suffix
        return f"/{target.collection}/{target.slug}"

    def routing(self, item: Item, ctx: Context) -> dict[str, Any]:
        keys: dict[str, Any] = {"url": ctx.urls[item.key]}
        aliases = self.aliases(ctx).get(ctx.urls[item.key])
        if aliases:
            keys["aliases"] = aliases
        if ctx.content.locales:  # a localized site: the variants of one item are translations of each other
            keys["translationKey"] = item.id
        return keys

    def aliases(self, ctx: Context) -> dict[str, list[str]]:
        if "meta" not in ctx.renderings:
            return {}
        found: dict[str, list[str]] = {}
        for old, new in ctx.fallbacks:
            found.setdefault(new, []).append(old)
        return found

    def write_site(self, out: Output, ctx: Context) -> None:
        self.write_pages(out, ctx)
        aliases = self.aliases(ctx)
        for schema in ctx.content.collections:
            url = ctx.list_urls[schema.slug]
            fm: dict[str, Any] = {"title": schema.display_name, "url": url}
            if aliases.get(url):
                fm["aliases"] = aliases[url]
            out.put(f"content/{schema.slug}/_index.md", yaml_document(fm, ""))
            for loc in ctx.content.locales:
                out.put(f"content/{schema.slug}/_index{_lang_suffix(loc.subdirectory)}.md",
                        yaml_document({"title": schema.display_name, "url": ctx.list_url(schema.slug, loc)}, ""))
            out.starter(f"layouts/{schema.slug}/single.html", single(schema, ctx.content.body_fields.get(schema.slug)))
        out.starter("hugo.toml", languages(CONFIG.replace("{title}", json.dumps(ctx.site_name, ensure_ascii=False)),
                                           ctx.content))
        out.starter("layouts/_default/baseof.html", BASEOF)
        out.starter("layouts/_default/list.html", LIST)
        out.starter("layouts/_default/single.html", SINGLE)
        out.starter("layouts/index.html", INDEX)
        out.starter(".gitignore", "public/\nresources/\n.hugo_build.lock\n")

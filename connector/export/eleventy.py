"""Eleventy 3: ``cms/<collection>/<slug>.md`` pages with Liquid layouts.

Each page carries its ``permalink`` (Webflow's URL), ``layout``, ``tags`` (one collection
per Webflow collection) and ``templateEngineOverride: md`` (Webflow text holding ``{{ }}``
or ``{% %}`` is text, not Liquid). References are input paths (``cms/categories/x.md``),
looked up by the ``wfRef``/``wfRefs`` filters of the starter config. Drafts (``--drafts``)
are left out of ``eleventy`` builds by the config's preprocessor and shown by ``--serve``.
A secondary locale's pages go under its subdirectory (``de/cms/...``), with ``lang`` and their
own collection (``wf_infos_de``).
"""

from __future__ import annotations

import json
from typing import Any

from ..model import Collection, Field
from .content import Item, Ref
from .locales import ExportLocale
from .output import Output
from .profile import Context, Profile, custom_fields, field_label

CONFIG = """\
// Eleventy configuration for a site exported from Webflow by wfsync. This file is yours:
// wfsync export writes it only when it does not exist.
export default function (eleventyConfig) {
  eleventyConfig.addPassthroughCopy("media");
  eleventyConfig.addPassthroughCopy({ _static: "/" });
  // draft: true pages are built by `eleventy --serve` only
  eleventyConfig.addPreprocessor("drafts", "*", (data) => {
    if (data.draft && process.env.ELEVENTY_RUN_MODE === "build") return false;
  });
  const byPath = (pages, path) => (pages || []).find((p) => p.inputPath.replace(/^\\.\\//, "") === path);
  eleventyConfig.addFilter("wfRef", (pages, path) => (path ? byPath(pages, path) : undefined));
  eleventyConfig.addFilter("wfRefs", (pages, paths) => (paths || []).map((p) => byPath(pages, p)).filter(Boolean));
  return {
    markdownTemplateEngine: false, // Webflow text is text, not Liquid
    htmlTemplateEngine: "liquid",
    dir: { input: ".", includes: "_includes", data: "_data", output: "_site" },
  };
}
"""

BASE = """\
<!doctype html>
<html lang="{{ wfsite.lang }}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{ title | escape }} · {{ wfsite.name | escape }}</title>
  <style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
  img{max-width:100%;height:auto}nav a{margin-right:1rem}dt{font-weight:bold}</style>
</head>
<body>
  <nav><a href="/">{{ wfsite.name | escape }}</a>{% for c in wfsite.collections %}<a href="{{ c.url }}">{{ c.name | escape }}</a>{% endfor %}</nav>
  <main>
{{ content }}
  </main>
</body>
</html>
"""

INDEX = """\
---
layout: base.liquid
title: Home
permalink: /
---
<h1>{{ wfsite.name | escape }}</h1>
<ul>
{%- for c in wfsite.collections %}
  <li><a href="{{ c.url }}">{{ c.name | escape }}</a></li>
{%- endfor %}
</ul>
"""

REDIRECTS = """\
---
pagination:
  data: wfRedirects
  size: 1
  alias: r
permalink: "{{ r.from }}/index.html"
eleventyExcludeFromCollections: true
---
<!doctype html>
<html><head><meta charset="utf-8"><title>Moved</title><link rel="canonical" href="{{ r.to }}">
<meta http-equiv="refresh" content="0; url={{ r.to }}"></head>
<body><a href="{{ r.to }}">{{ r.to }}</a></body></html>
"""


def field_snippet(spec: Field) -> str:
    v = f"f_{spec.slug}"
    label = field_label(spec)
    kind = spec.type
    if kind == "Image":
        inner = f'<img src="{{{{ {v}.url }}}}" alt="{{{{ {v}.alt | escape }}}}">'
    elif kind == "File":
        inner = f'<a href="{{{{ {v}.url }}}}">{label}</a>'
    elif kind == "MultiImage":
        inner = f'{{% for img in {v} %}}<img src="{{{{ img.url }}}}" alt="{{{{ img.alt | escape }}}}">{{% endfor %}}'
    elif kind in ("Link", "VideoLink"):
        inner = f'<a href="{{{{ {v} }}}}">{{{{ {v} | escape }}}}</a>'
    elif kind == "Email":
        inner = f'<a href="mailto:{{{{ {v} }}}}">{{{{ {v} | escape }}}}</a>'
    elif kind == "RichText":
        inner = f"{{{{ {v} }}}}"
    elif kind == "Reference":
        return (f'{{% assign ref = collections.all | wfRef: {v} %}}{{% if ref %}}<dt>{label}</dt>'
                f'<dd><a href="{{{{ ref.url }}}}">{{{{ ref.data.title | escape }}}}</a></dd>{{% endif %}}')
    elif kind == "MultiReference":
        return (f'{{% assign refs = collections.all | wfRefs: {v} %}}{{% if refs.size > 0 %}}<dt>{label}</dt><dd>'
                f'{{% for ref in refs %}}<a href="{{{{ ref.url }}}}">{{{{ ref.data.title | escape }}}}</a> '
                f'{{% endfor %}}</dd>{{% endif %}}')
    elif kind == "Switch":
        inner = f"{{% if {v} %}}yes{{% else %}}no{{% endif %}}"
    else:
        inner = f"{{{{ {v} | escape }}}}"
    test = f"{v}.size > 0" if kind == "MultiImage" else f"{v} != nil"
    return f"{{% if {test} %}}<dt>{label}</dt><dd>{inner}</dd>{{% endif %}}"


def layout(schema: Collection, body_field: str | None) -> str:
    fields = "\n".join("  " + field_snippet(f) for f in custom_fields(schema, body_field))
    return ("---\nlayout: base.liquid\n---\n<article>\n<h1>{{ title | escape }}</h1>\n{{ content }}\n<dl>\n"
            f"{fields}\n</dl>\n</article>\n")


def list_page(schema: Collection, url: str, locale: ExportLocale | None = None) -> str:
    lang = f"lang: {locale.tag}\n" if locale else ""
    return (f"---\nlayout: base.liquid\ntitle: {json.dumps(schema.display_name, ensure_ascii=False)}\n"
            f"{lang}permalink: {url}\n---\n<h1>{{{{ title | escape }}}}</h1>\n<ul>\n"
            f"{{%- for p in collections.{_tag(schema, locale)} %}}\n"
            "  <li><a href=\"{{ p.url }}\">{{ p.data.title | escape }}</a></li>\n{%- endfor %}\n</ul>\n")


def _tag(schema: Collection, locale: ExportLocale | None = None) -> str:
    # Liquid reads collections.x only for identifier-like names; a secondary locale's pages are its own collection
    own = "wf_" + schema.slug.replace("-", "_")
    return own + "_" + locale.subdirectory.replace("-", "_") if locale else own


class Eleventy(Profile):
    name = "eleventy"
    media = "media"
    publish = "_static"

    def content_path(self, item: Item) -> str:
        # a secondary locale's pages in a folder named as its URL subdirectory: de/cms/infos/x.md
        return _folder(item.locale) + f"cms/{item.collection.slug}/{item.slug}.md"

    def ref(self, target: Ref) -> str:
        return (f"{target.locale}/" if target.locale else "") + f"cms/{target.collection}/{target.slug}.md"

    def routing(self, item: Item, ctx: Context) -> dict[str, Any]:
        return {"permalink": ctx.urls[item.key], "layout": f"{item.collection.slug}.liquid",
                "tags": [_tag(item.collection, item.locale)], "templateEngineOverride": "md"}

    def write_site(self, out: Output, ctx: Context) -> None:
        self.write_pages(out, ctx)
        content = ctx.content
        site = {"name": ctx.site_name, "lang": "", "collections": [
            {"slug": c.slug, "name": c.display_name, "url": ctx.list_urls[c.slug]} for c in content.collections]}
        out.put("_data/wfsite.json", json.dumps(site, indent=1, ensure_ascii=False) + "\n")
        pairs = [{"from": a.rstrip("/"), "to": b} for a, b in ctx.fallbacks] if "meta" in ctx.renderings else []
        out.put("_data/wfRedirects.json", json.dumps(pairs, indent=1, ensure_ascii=False) + "\n")
        out.starter("package.json", json.dumps({
            "name": "webflow-site", "private": True, "type": "module",
            "scripts": {"build": "eleventy", "start": "eleventy --serve"},
            "devDependencies": {"@11ty/eleventy": "^3.1.8"}}, indent=2) + "\n")
        out.starter("eleventy.config.js", CONFIG)
        out.starter(".eleventyignore", "node_modules/\n_site/\nnginx/\n**/*.remote.md\n")
        out.starter(".gitignore", "node_modules/\n_site/\n")
        # a localized site's pages say their language (a secondary locale's carry ``lang``)
        out.starter("_includes/base.liquid", BASE.replace("{{ wfsite.lang }}", "{{ lang | default: wfsite.lang }}")
                    if content.locales else BASE)
        out.starter("index.liquid", INDEX)
        out.starter("redirects.liquid", REDIRECTS)
        for schema in content.collections:
            out.starter(f"_includes/{schema.slug}.liquid", layout(schema, content.body_fields.get(schema.slug)))
            out.starter(f"pages/{schema.slug}.liquid", list_page(schema, ctx.list_urls[schema.slug]))
            for loc in content.locales:
                out.starter(f"{_folder(loc)}pages/{schema.slug}.liquid",
                            list_page(schema, ctx.list_url(schema.slug, loc), loc))


def _folder(locale: ExportLocale | None) -> str:
    return f"{locale.subdirectory}/" if locale else ""

"""``wfsync export``: a Webflow site as an Eleventy, Hugo or Astro site, assets downloaded.

Modules: ``content`` (what is published), ``assets`` (CDN URLs, downloads, the manifest),
``richtext`` (Markdown as Webflow showed it), ``redirects`` (rules and their renderings),
``profile`` (what the generators share), ``eleventy``/``hugo``/``astro`` (each one's
layout, front matter and starter site), ``output`` (the folder), ``run`` (one export).
"""

from .run import PROFILES, ExportOptions, export_site, parse_permalinks

__all__ = ["PROFILES", "ExportOptions", "export_site", "parse_permalinks"]

"""One export: read the site, fetch its assets, write the generator's site and the redirects."""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..client import WebflowClient
from ..errors import ApiError, ConfigError, MissingScopeError, WfsyncError
from ..history import load_history
from ..words import counted
from ..model import Site
from .assets import MANIFEST, AssetReport, AssetStore, canonical, collapse_srcset, find_urls, iter_strings
from .astro import Astro
from .content import FileRef, Item, SiteContent, read_site
from .locales import primary_tag, secondary_locales
from .eleventy import Eleventy
from .hugo import Hugo
from .output import Output
from .profile import RESERVED_ALT, Context, Profile
from .redirects import build_rules, expand, render_json, render_netlify, render_nginx, render_vercel, webflow_rules

log = logging.getLogger("wfsync.export")
PROFILES: dict[str, type[Profile]] = {"eleventy": Eleventy, "hugo": Hugo, "astro": Astro}
RENDERINGS = ("netlify", "vercel", "nginx", "meta")
PERMALINK = re.compile(r"^(/(?:[a-z0-9][a-z0-9-]*/)*)\{slug\}/\Z")


class MissingAssetsError(WfsyncError):
    hint = ("The files listed above could not be downloaded from Webflow's CDN; nothing else was written. "
            "Run again later, or pass --allow-missing-assets to keep their Webflow URLs.")

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass
class ExportOptions:
    profile: str
    out: Path
    live: bool = True
    drafts: bool = False
    collections: tuple[str, ...] = ()
    date_field: str | None = None
    permalinks: dict[str, str] = field(default_factory=dict)  # collection slug -> /prefix/{slug}/
    download_assets: bool = True
    concurrency: int = 4
    allow_missing_assets: bool = False
    renderings: frozenset[str] = frozenset(RENDERINGS)
    snapshot: Path | None = None  # a pulled snapshot whose slug history gives old URLs
    webflow_redirects: bool = True
    locales: bool = True  # also the secondary locales, at their subdirectories (/de/...)
    overwrite: bool = False  # replace files in the folder that the export did not write as they are


def parse_permalinks(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for value in values:
        coll, _, pattern = value.partition("=")
        if not coll or not PERMALINK.match(pattern):
            raise ConfigError(f"--permalink {value!r}: expected COLLECTION=/prefix/{{slug}}/, e.g. infos=/guide/{{slug}}/")
        out[coll] = pattern
    return out


def export_site(client: WebflowClient, site_id: str, opts: ExportOptions,
                progress: Callable[[str, int], None] | None = None) -> dict[str, Any]:
    started = time.monotonic()
    if opts.profile not in PROFILES:
        raise ConfigError(f"unknown profile {opts.profile!r} (known: {', '.join(PROFILES)})")
    profile = PROFILES[opts.profile]()
    site = _site(client, site_id)
    site_name = (site.display_name or site.short_name or site_id) if site else site_id
    content = read_site(client, site_id, live=opts.live, drafts=opts.drafts, only=opts.collections,
                        progress=progress, locales=secondary_locales(site) if opts.locales else ())
    content.primary_tag = primary_tag(site) if content.locales else ""
    unknown = set(opts.permalinks) - {c.slug for c in content.collections}
    if unknown:
        raise ConfigError(f"--permalink names no exported collection: {', '.join(sorted(unknown))}")
    if opts.date_field and not any(c.field(opts.date_field) for c in content.collections):
        raise ConfigError(f"--date-field {opts.date_field!r}: no collection has that field")
    list_urls = {c.slug: PERMALINK.match(opts.permalinks.get(c.slug, f"/{c.slug}/{{slug}}/")).group(1)  # type: ignore[union-attr]
                 for c in content.collections}
    urls = {i.key: _in_locale(i, f"{list_urls[i.collection.slug]}{i.slug}/") for i in content.items}

    # assets: every CDN URL anywhere, once
    wanted, used_by, references = _asset_keys(content)
    report = AssetReport(unique_urls=len(wanted), references=references)
    out = Output(opts.out)
    store: AssetStore | None = None
    if opts.download_assets and wanted:
        store = AssetStore(out.path(profile.media), out.path(MANIFEST), concurrency=opts.concurrency)

    def local(key: str) -> str | None:
        stored = store.by_key.get(key) if store else None
        return stored.file if stored else None

    # redirects
    pages = {_in_locale(i, f"/{i.collection.slug}/{i.slug}"): urls[i.key] for i in content.items if not i.draft}
    pages.update({f"/{c.slug}": list_urls[c.slug] for c in content.collections})
    prefixes = {c: u for c, u in list_urls.items() if u != f"/{c}/"}
    for loc in content.locales:  # each locale's list pages and changed prefixes, under its subdirectory
        pages.update({loc.url(f"/{c.slug}"): loc.url(list_urls[c.slug]) for c in content.collections})
        prefixes.update({f"{loc.subdirectory}/{c}": loc.url(u) for c, u in list_urls.items() if u != f"/{c}/"})
    moves = _moves(content, urls, opts.snapshot)
    remote_rules, why = webflow_rules(client, site_id) if opts.webflow_redirects else ([], "")
    rules, notes = build_rules(pages, prefixes, moves, remote_rules)
    if why:
        notes.append(why)
    if opts.snapshot is None:
        notes.append("no pulled snapshot here, so no slug history: the old URLs of items renamed since an earlier "
                     "pull get no redirect (run export from the project folder, or pass --snapshot NAME)")
    alts = _inherited_alts(client, site_id, content)

    def render(into: Output) -> Context:
        ctx = Context(content, site_name, urls, list_urls, local, alts=alts, rules=rules,
                      fallbacks=expand(rules, pages), date_field=opts.date_field, renderings=opts.renderings)
        profile.write_site(into, ctx)
        into.put("redirects.json", render_json(rules, notes))
        if "netlify" in opts.renderings:
            into.put(f"{profile.publish}/_redirects", render_netlify(rules))
        if "vercel" in opts.renderings:
            into.put("vercel.json", render_vercel(rules))
        if "nginx" in opts.renderings:
            mapping, snippet = render_nginx(rules)
            into.put("nginx/wf-redirects.map", mapping)
            into.put("nginx/wf-redirects.conf", snippet)
        if store is not None:
            into.put(MANIFEST, store.manifest_json(used_by, report.missing))
        return ctx

    def shown(rel: str) -> str:
        return str(opts.out / rel)

    if store is not None and store.to_fetch(wanted) and _has_files(opts.out):
        # downloads write into the folder: someone else's file in the way is found before them
        probe = Output(opts.out)
        render(probe)
        probe.check(shown, overwrite=opts.overwrite)
    if store is not None:
        store.fetch_all(wanted, report, progress=(lambda n: progress("assets", n)) if progress else None)
        if report.missing and not opts.allow_missing_assets:
            problems = [f"{m['url']}: {m['error']} (used by {', '.join(sorted(used_by[m['key']]))})"
                        for m in sorted(report.missing, key=lambda m: m["url"])]
            raise MissingAssetsError(f"{counted(len(report.missing), 'asset')} could not be downloaded", problems)
        report.files = len({s.file for k, s in store.by_key.items() if k in used_by})
        report.bytes = sum({s.file: s.bytes for k, s in store.by_key.items() if k in used_by}.values())
    ctx = render(out)
    out.check(shown, overwrite=opts.overwrite)
    out.write()
    out.finish()
    published = [i for i in content.items if not i.draft and i.locale is None]
    return {
        "profile": profile.name, "out": str(opts.out), "versions": "live" if opts.live else "staged",
        "pages": len(published), "drafts": content.drafts, "list_pages": len(content.collections),
        "collections": {c.slug: len([i for i in published if i.collection.slug == c.slug]) for c in content.collections},
        "assets": {"unique_urls": report.unique_urls, "references": report.references, "files": report.files,
                   "bytes": report.bytes, "fetched": report.fetched, "missing": report.missing},
        "locales": {loc.tag: {"folder": loc.subdirectory,
                              "pages": sum(1 for i in content.items if i.locale == loc and not i.draft),
                              "drafts": sum(1 for i in content.items if i.locale == loc and i.draft)}
                    for loc in content.locales},
        "references_left_out": content.dangling,
        "redirects": {"rules": len(rules), "splats": sum(r.splat for r in rules),
                      "by_reason": _count(r.reason for r in rules), "fallback_pages": len(ctx.fallbacks),
                      "notes": notes},
        "files": {"written": out.written, "unchanged": out.unchanged, "removed": out.removed,
                  "kept_edited": out.kept, "starters": out.starters, "overwritten": out.replaced},
        "api_calls": client.stats.total,
        "seconds": round(time.monotonic() - started, 2),
    }


def _has_files(folder: Path) -> bool:
    try:
        return any(True for _ in folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return False


def _count(values: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def _asset_keys(content: SiteContent) -> tuple[dict[str, str], dict[str, set[str]], int]:
    """(key -> the first URL it was seen as, key -> items using it, number of references)."""
    wanted: dict[str, str] = {}
    used_by: dict[str, set[str]] = {}
    references = 0
    for item in content.items:
        for slug, value in item.fields.items():
            spec = item.collection.field(slug)
            values = value if isinstance(value, list) else [value]
            for v in values:
                texts = [v.url] if isinstance(v, FileRef) else list(iter_strings(v))
                for text in texts:
                    if spec is not None and spec.type == "RichText":
                        text = collapse_srcset(text)
                    for m_key, seen in find_urls(text):
                        references += 1
                        wanted.setdefault(m_key, seen)
                        used_by.setdefault(m_key, set()).add(item.key)
    return wanted, used_by, references


def _moves(content: SiteContent, urls: dict[str, str], snapshot: Path | None) -> list[tuple[str, str]]:
    if snapshot is None:
        return []
    history = load_history(snapshot)
    by_id = {i.id: i for i in content.items if not i.draft and i.locale is None}  # slug history: the primary's
    moves = []
    for item_id, entry in history.items():
        item = by_id.get(item_id)
        if item is None or not isinstance(entry, dict):
            continue
        for old in entry.get("slugs", []):
            if isinstance(old, str) and old != item.slug:
                moves.append((f"/{item.collection.slug}/{old}", urls[item.key]))
    return moves


def _inherited_alts(client: WebflowClient, site_id: str, content: SiteContent) -> dict[str, str]:
    """Alt texts of assets used with Webflow's "inherit the asset's alt text" marker."""
    if not any(RESERVED_ALT in text for i in content.items for v in i.fields.values()
               for text in (iter_strings(v) if not isinstance(v, (FileRef, list)) else
                            [x.alt or "" for x in (v if isinstance(v, list) else [v]) if isinstance(x, FileRef)])):
        return {}
    try:
        return {k: a.alt_text or "" for a in client.iter_assets(site_id) if (k := canonical(a.hosted_url))}
    except ApiError as exc:
        log.warning("asset alt texts not readable (%s): images marked to inherit theirs get an empty alt", exc.status)
        return {}


def _site(client: WebflowClient, site_id: str) -> Site | None:
    try:
        return client.get_site(site_id)
    except MissingScopeError:  # a token without sites:read still exports the primary; the starter shows the id
        log.warning("the token may not read the site (sites:read): only the primary locale is exported")
        return None


def _in_locale(item: Item, path: str) -> str:
    return item.locale.url(path) if item.locale else path


def report_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)

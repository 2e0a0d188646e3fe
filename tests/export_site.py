"""Shared by the export tests: an item shaped like real Webflow rich text, and a checker of built sites."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from connector.emulator.core import EmulatorState, object_id
from connector.emulator.fixtures import CDN

CDN_PATH = CDN.removeprefix("https://uploads-ssl.webflow.com")
PHOTO = f"{CDN_PATH}/{object_id('edge:photo')}_Photo%20d%27%C3%A9t%C3%A9.JPG"
PLAN = f"{CDN_PATH}/{object_id('edge:plan')}_plan.png"
GUIDE = f"{CDN_PATH}/{object_id('edge:guide')}_guide%20pratique.pdf"
BG = f"{CDN_PATH}/{object_id('edge:bg')}_fond.png"
VARIANT_ALONE = f"{CDN_PATH}/{object_id('edge:alone')}_seul-p-800.jpeg"
CDN_HOSTS = ("website-files.com", "webflow.com/5d4d")

EDGE_HTML = (
    # srcset of -p- variants (extension differs) around the original: collapsed, variants never fetched
    f'<figure class="w-richtext-figure-type-image w-richtext-align-fullwidth"><div><img src="https://uploads-ssl.webflow.com{PHOTO}" '
    f'srcset="https://uploads-ssl.webflow.com{PHOTO[:-4]}-p-500.jpeg 500w, https://uploads-ssl.webflow.com{PHOTO[:-4]}-p-800.jpeg 800w, '
    f'https://uploads-ssl.webflow.com{PHOTO} 1024w" sizes="(max-width: 767px) 100vw, 1024px" alt="__wf_reserved_inherit"></div></figure>'
    # the same file on another CDN host name, with a query string: one download
    f'<p>Le plan : <a href="https://cdn.prod.website-files.com{PLAN}?v=3">plan</a> et '
    f'<a href="https://assets-global.website-files.com{GUIDE}">le guide</a>.</p>'
    f'<p><strong><br>OBJECTIFS</strong></p>'
    f'<p>Du texte qui ressemble à du Liquid : {{{{ title }}}} et {{% raw %}}.</p>'
    # an embed with a CSS background and a video poster
    f'<div class="w-embed"><div style="background-image:url(\'https://uploads-ssl.webflow.com{BG}\')">fond</div>'
    f'<video poster="https://cdn.prod.website-files.com{PLAN}"></video></div>'
    # a variant referenced alone: downloaded as itself
    f'<p><img src="https://uploads-ssl.webflow.com{VARIANT_ALONE}" alt="seul"></p>'
)


def add_edge_item(state: EmulatorState) -> str:
    """A published info whose rich text and fields use every way Webflow refers to files."""
    infos = object_id("collection:infos")
    coll = state.collections[infos]
    cat = next(i.id for i in state.collections[object_id("collection:categories")].items.values())
    item = state.create(infos, [{"isDraft": False, "isArchived": False, "fieldData": {
        "name": "Été à Sierre", "slug": "ete-a-sierre", "tag-3": "Loisirs", "tag-2": "Été", "couleur": cat,
        "contenu": EDGE_HTML,
        "image-2": {"fileId": object_id("edge:plan"), "url": f"https://cdn.prod.website-files.com{PLAN}?v=3",
                    "alt": None},
        "mini-description": "Le guide : https://uploads-ssl.webflow.com" + GUIDE,
    }}], publish=True)[0]
    assert item.id in coll.items
    return item.id


def _resolves(site: Path, url: str) -> bool:
    path = unquote(urlsplit(url).path)
    target = site / path.lstrip("/")
    return target.is_file() or (target / "index.html").is_file()


def check_built_site(site: Path, export_dir: Path, draft_urls: list[str]) -> dict[str, int]:
    """What a visitor would notice: no Webflow CDN URL, no broken local link, no draft, redirects land."""
    problems: list[str] = []
    local_refs = 0
    pages = 0
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".xml", ".css", ".js", ".json", ""):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for host in CDN_HOSTS:
            if host in text:
                problems.append(f"{path.relative_to(site)}: still refers to Webflow's CDN ({host})")
        if path.suffix != ".html":
            continue
        pages += 1
        tree = LexborHTMLParser(text)
        for node in tree.css("[src], [href], [srcset], [poster]"):
            urls = [node.attributes.get(a) for a in ("src", "href", "poster")]
            srcset = node.attributes.get("srcset")
            if srcset:
                urls += [c.strip().split()[0] for c in srcset.split(",") if c.strip()]
            for url in urls:
                if url and url.startswith("/") and not url.startswith("//"):
                    local_refs += 1
                    if not _resolves(site, url):
                        problems.append(f"{path.relative_to(site)}: {url} does not resolve")
    for url in draft_urls:
        if _resolves(site, url):
            problems.append(f"draft page {url} was built")
    rules = json.loads((export_dir / "redirects.json").read_text(encoding="utf-8"))["redirects"]
    for rule in rules:
        if not rule["from"].endswith("*") and rule["to"].startswith("/") and not _resolves(site, rule["to"]):
            problems.append(f"redirect {rule['from']} -> {rule['to']}: the target does not exist")
    assert not problems, "\n".join(problems)
    return {"pages": pages, "local_refs": local_refs, "redirects": len(rules)}


def page_text(site: Path, url: str) -> str:
    html = (site / url.strip("/") / "index.html").read_text(encoding="utf-8")
    return re.sub(r"\s+", " ", html)

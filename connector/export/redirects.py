"""Redirects a migrated site needs, and how each host and generator spells them.

Rules come only from real needs: a slug renamed (sync's slug history), a collection
published under another prefix (one splat rule), and Webflow's own 301 list. Webflow
serves ``/infos/social`` and the generators ``/infos/social/``: every host already
redirects a missing trailing slash to the folder, so that difference gets no rule
(a per-item rule would be 10,000 lines on a big site; Cloudflare Pages allows 2,000).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..client import WebflowClient
from ..errors import ApiError, MissingScopeError

log = logging.getLogger("wfsync.export.redirects")


@dataclass(frozen=True)
class Rule:
    source: str  # a path; ending in /* for a splat
    to: str  # a path or URL; :splat where the splat goes
    reason: str
    status: int = 301

    @property
    def splat(self) -> bool:
        return self.source.endswith("/*")

    def to_json(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.to, "status": self.status, "reason": self.reason}


def webflow_rules(client: WebflowClient, site_id: str) -> tuple[list[dict[str, str]], str]:
    """Webflow's 301 list (``GET /sites/{id}/redirects``, Enterprise, ``sites:read``), or why not."""
    try:
        body = client.t.request("GET", f"/sites/{site_id}/redirects", kind="redirects")
    except ApiError as exc:
        if exc.status not in (400, 401, 403, 404):
            raise
        why = "the token may not read them (sites:read)" if isinstance(exc, MissingScopeError) \
            else f"not available ({exc.status}; an Enterprise feature)"
        return [], f"Webflow's 301 redirects left out: {why}"
    rules = [r for r in (body or {}).get("redirects", []) if isinstance(r, dict)]
    return [{"from": str(r.get("fromUrl", "")), "to": str(r.get("toUrl", ""))} for r in rules], ""


def _norm(path: str) -> str:
    return "/" + path.strip("/") if path.strip("/") else "/"


def build_rules(pages: dict[str, str], prefixes: dict[str, str], moves: Iterable[tuple[str, str]],
                webflow: Iterable[dict[str, str]]) -> tuple[list[Rule], list[str]]:
    """Rules and notes. ``pages``: every Webflow path (``/infos/social``, ``/infos``) -> its new URL;
    ``prefixes``: collection slug -> new prefix when it changed; ``moves``: (old Webflow path, new URL)."""
    rules: dict[str, Rule] = {}
    notes: list[str] = []
    published = {_norm(u) for u in pages.values()}

    def add(rule: Rule) -> None:
        if _norm(rule.source) == _norm(rule.to):
            return  # only a trailing slash apart: hosts do that on their own
        if not rule.splat and _norm(rule.source) in published:
            notes.append(f"{rule.source}: a page of the new site; the redirect to {rule.to} is left out")
            return
        rules.setdefault(_norm(rule.source) if not rule.splat else rule.source, rule)

    for coll, prefix in sorted(prefixes.items()):
        add(Rule(f"/{coll}/*", prefix.rstrip("/") + "/:splat", "collection prefix changed"))
    for old, new in sorted(moves):
        add(Rule(_norm(old), new, "slug renamed"))
    for r in webflow:
        source, to = r["from"].strip(), r["to"].strip()
        if not source.startswith("/"):
            notes.append(f"Webflow redirect {source!r}: not a path, left out")
            continue
        if "(.*)" in source:
            if source.count("(") != 1 or not source.endswith("/(.*)"):
                notes.append(f"Webflow redirect {source!r}: a pattern wfsync cannot translate, left out")
                continue
            add(Rule(source[:-4] + "*", to.replace("%1", ":splat"), "Webflow 301"))
            continue
        if re.search(r"[()\[\]*^$|]", source):
            notes.append(f"Webflow redirect {source!r}: a pattern wfsync cannot translate, left out")
            continue
        add(Rule(source, pages.get(_norm(to), to), "Webflow 301"))
    ordered = sorted(rules.values(), key=lambda r: (r.splat, r.source))
    return ordered, notes


def expand(rules: list[Rule], pages: dict[str, str]) -> list[tuple[str, str]]:
    """Static (from, to) pairs, splats expanded over the pages they cover: for meta-refresh fallbacks."""
    out: dict[str, str] = {}
    for rule in rules:
        if not rule.splat:
            out.setdefault(_norm(rule.source), rule.to)
            continue
        head = rule.source[:-1]
        for old in sorted(pages):
            if old.startswith(head) and len(old) > len(head):
                out.setdefault(old, rule.to.replace(":splat", old[len(head):]).rstrip("/") + "/")
    return sorted(out.items())


# -- renderings --------------------------------------------------------------------------
def render_json(rules: list[Rule], notes: list[str]) -> str:
    return json.dumps({"redirects": [r.to_json() for r in rules], "notes": notes}, indent=1, ensure_ascii=False) + "\n"


def render_netlify(rules: list[Rule]) -> str:
    """Netlify and Cloudflare Pages ``_redirects``: static rules first, the code always written
    (Cloudflare's default is 302)."""
    head = "# Redirects from Webflow (wfsync export): Netlify and Cloudflare Pages\n"
    return head + "".join(f"{r.source} {r.to} {r.status}\n" for r in rules)


def render_vercel(rules: list[Rule]) -> str:
    redirects = [{"source": r.source[:-2] + "/:splat*" if r.splat else r.source,
                  "destination": r.to.replace(":splat", ":splat*") if r.splat else r.to,
                  "statusCode": r.status} for r in rules]  # permanent: true would be a 308
    return json.dumps({"trailingSlash": True, "redirects": redirects}, indent=2, ensure_ascii=False) + "\n"


def render_nginx(rules: list[Rule]) -> tuple[str, str]:
    """(a ``map`` include of static rules, a server snippet using it and the splats)."""
    lines = []
    for r in rules:
        if r.splat:
            continue
        for source in {r.source, r.source.rstrip("/") + "/"}:
            lines.append(f"{_nginx_quote(source)} {_nginx_quote(r.to)};\n")
    mapping = "# wfsync export: old path -> new URL\n" + "".join(sorted(lines))
    snippet = ["# in the http block:", "map $uri $wf_redirect {", "    default \"\";",
               "    include wf-redirects.map;", "}", "# in the server block:",
               "if ($wf_redirect) { return 301 $wf_redirect; }"]
    for r in rules:
        if r.splat:
            head = re.escape(r.source[:-2])
            snippet.append(f"rewrite ^{head}/(.*)$ {r.to.replace(':splat', '$1')} permanent;")
    return mapping, "\n".join(snippet) + "\n"


def _nginx_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

"""A small site for the model-based test and the kill sweep, and the tools to drive and observe it.

The site has two collections: ``themes`` (never edited, the target of references) and ``pages``
(a plain field, rich text, an option, a reference, the slug, the draft flag). Every page carries
a ``uid`` that no rule edits: it tells which file and which Webflow item are the same page,
whatever wfsync did to slugs, paths and ids.

``InProcess`` is a requests adapter that answers from an ``EmulatorServer`` without sockets, with
hooks at every write (crash before or after Webflow applies it) and after every list page.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import requests
import yaml
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from connector.emulator.core import EmulatorState, object_id
from connector.emulator.server import ALL_SCOPES, EmulatorServer

TOKEN = "model-token-0123456789abcdef"
SITE_ID = object_id("model-site")
THEMES_ID = object_id("model:themes")
PAGES_ID = object_id("model:pages")
LOCALE = object_id("model-cms-locale")
GENRES = {"Récit": object_id("opt:recit"), "Fête": object_id("opt:fete"), "Sport": object_id("opt:sport")}
GENRE_NAMES = {v: k for k, v in GENRES.items()}
THEMES = ("t-mer", "t-mont", "t-ville")
WRITES = ("POST", "PATCH", "DELETE", "PUT")
TOKEN_RE = re.compile(r"\b([LR]\d+)\b")

PAGES_MAPPING = """\
collection: pages
path: pages/{slug}.md
body: null
drafts: true
archived: false
front_matter:
  title: name
  slug: slug
  f_uid: uid
  f_texte: texte
  f_corps: corps
  f_genre: genre
  f_theme: theme
  draft: $isDraft
  updated-on: $lastUpdated
"""
THEMES_MAPPING = """\
collection: themes
path: themes/{slug}.md
body: null
drafts: true
archived: false
front_matter:
  title: name
  slug: slug
  f_uid: uid
"""


class Crash(BaseException):
    """The process dies here (not an Exception: nothing in wfsync may catch it)."""


def _field(slug: str, kind: str, validations: Any = None) -> dict[str, Any]:
    out = {"id": object_id(f"model:{slug}"), "isEditable": True, "isRequired": False, "type": kind, "slug": slug,
           "displayName": slug.title(), "helpText": ""}
    if validations is not None:
        out["validations"] = validations
    return out


def model_state(clock: Callable[[], float], pages: int = 4) -> EmulatorState:
    state = EmulatorState(wall=clock)
    state.id_seed = "model"
    # ids from a counter, not the clock: the order of ids decides the order of a run's writes (which
    # one a crash hits), so a test that drew the same steps must meet the same ids
    counter = iter(range(10**9))
    state.new_id = lambda: object_id(f"model:{next(counter)}")  # type: ignore[method-assign]
    state.add_site({"id": SITE_ID, "workspaceId": object_id("model-ws"), "displayName": "Modèle", "shortName": "model",
                    "createdOn": "2024-01-01T00:00:00.000Z", "lastUpdated": "2024-01-01T00:00:00.000Z",
                    "customDomains": [],
                    "locales": {"primary": {"id": object_id("model-locale"), "cmsLocaleId": LOCALE, "enabled": True,
                                            "displayName": "French", "redirect": True, "subdirectory": "",
                                            "tag": "fr"}, "secondary": []}})
    state.add_collection(SITE_ID, id=THEMES_ID, display_name="Thèmes", singular_name="Thème", slug="themes",
                         fields=[_field("uid", "PlainText")])
    state.add_collection(SITE_ID, id=PAGES_ID, display_name="Pages", singular_name="Page", slug="pages", fields=[
        _field("uid", "PlainText"),
        _field("texte", "PlainText", {"maxLength": 256}),
        _field("corps", "RichText"),
        _field("genre", "Option", {"options": [{"id": i, "name": n} for n, i in GENRES.items()]}),
        _field("theme", "Reference", {"collectionId": THEMES_ID}),
    ])
    themes = state.create(THEMES_ID, [{"fieldData": {"name": s.title(), "slug": s, "uid": s}, "isDraft": False}
                                      for s in THEMES], publish=True)
    for n in range(pages):
        state.create(PAGES_ID, [{"fieldData": page_fields(f"u{n}", f"page-{n}", themes[n % 3].id, n),
                                 "isDraft": False}], publish=n % 2 == 0)
    return state


def page_fields(uid: str, slug: str, theme_id: str, n: int) -> dict[str, Any]:
    return {"name": f"Page {uid}", "slug": slug, "uid": uid, "texte": f"texte {uid}",
            "corps": f"<h2>Page {uid}</h2><p>Un <strong>début</strong> et <em>une fête</em>.</p>",
            "genre": list(GENRES.values())[n % 3], "theme": theme_id}


def make_server(clock: Callable[[], float], pages: int = 4) -> EmulatorServer:
    return EmulatorServer(model_state(clock, pages), tokens={TOKEN: ALL_SCOPES}, sleep=lambda s: None)


# -- the in-process transport ---------------------------------------------------------------------
@dataclass
class Hooks:
    """What happens around the requests of one run."""

    crash_at: int | None = None  # the nth write (1-based) ...
    crash_after: bool = False  # ... dies after Webflow applied it (True) or before sending it (False)
    after_list: Callable[[list[dict[str, Any]]], None] | None = None  # a list page was read
    writes: int = 0
    faults: int = 0  # requests the server's fault plan failed, slowed or dropped
    log: list[tuple[str, str, int]] = field(default_factory=list)


class InProcess(BaseAdapter):
    """requests -> EmulatorServer.handle, in this thread: the same answers as over HTTP, no sockets."""

    def __init__(self, server: EmulatorServer) -> None:
        super().__init__()
        self.server = server
        self.hooks = Hooks()

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        parts = urlsplit(request.url or "")
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        method = (request.method or "GET").upper()
        hooks = self.hooks
        if method in WRITES:
            hooks.writes += 1
            if hooks.crash_at == hooks.writes and not hooks.crash_after:
                raise Crash(f"killed before write {hooks.writes} ({method} {parts.path})")
        headers = {k.lower(): v for k, v in request.headers.items()}
        status, extra, payload, fault = self.server.handle(method, path, headers, body)
        hooks.log.append((method, parts.path, status))
        hooks.faults += fault is not None
        if method in WRITES and hooks.crash_at == hooks.writes and hooks.crash_after and (
                fault == "drop" or 200 <= status < 300):
            raise Crash(f"killed after write {hooks.writes} ({method} {parts.path}) was applied")
        if fault == "drop":
            raise requests.ConnectionError("connection dropped by the server")
        if method == "GET" and hooks.after_list is not None and isinstance(payload, dict) and "items" in payload:
            hooks.after_list(payload["items"])
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(extra)
        response._content = b"" if payload is None or status == 204 else json.dumps(payload).encode()
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


# -- observing both sides --------------------------------------------------------------------------
@dataclass(frozen=True)
class Page:
    """One page's content as a side holds it, in comparable terms."""

    slug: str
    texte: Any
    corps: frozenset[str]  # the edit tokens in the rich text
    genre: Any  # the option's name
    theme: Any  # the theme's slug
    draft: Any

    def fields(self) -> dict[str, Any]:
        return {"slug": self.slug, "texte": self.texte, "corps": self.corps, "genre": self.genre,
                "theme": self.theme, "draft": self.draft}


FIELDS = ("slug", "texte", "corps", "genre", "theme", "draft")


@dataclass
class RemotePage:
    id: str
    page: Page
    archived: bool
    last_updated: str


@dataclass
class LocalPage:
    path: str
    page: Page | None  # None: the file cannot be read


def split_file(text: str) -> tuple[dict[str, Any], str]:
    m = re.match(r"\A---\n(.*?)^---\n\n?(.*)\Z", text, re.S | re.M)
    if not m:
        raise ValueError("no front matter")
    data = yaml.safe_load(m.group(1)) or {}
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    body = m.group(2)
    return data, body[:-1] if body.endswith("\n") else body


def join_file(front: dict[str, Any], body: str = "") -> str:
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=10**6) + "---\n\n" + body + "\n"


def tokens(text: Any) -> frozenset[str]:
    return frozenset(TOKEN_RE.findall(text)) if isinstance(text, str) else frozenset()


def observe_remote(state: EmulatorState) -> dict[str, list[RemotePage]]:
    """uid -> the Webflow items carrying it (more than one is a duplicate)."""
    with state.lock:
        themes = {i.id: i.staged["fieldData"].get("slug") for i in state.collections[THEMES_ID].items.values()}
        out: dict[str, list[RemotePage]] = {}
        for item in state.collections[PAGES_ID].items.values():
            fd = item.staged["fieldData"]
            page = Page(fd.get("slug"), fd.get("texte"), tokens(fd.get("corps")), GENRE_NAMES.get(fd.get("genre")),
                        themes.get(fd.get("theme")), bool(item.staged["isDraft"]))
            out.setdefault(fd.get("uid"), []).append(
                RemotePage(item.id, page, bool(item.staged["isArchived"]), item.staged["lastUpdated"]))
        return out


def read_local(path: Path) -> Page | None:
    try:
        front, _ = split_file(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, yaml.YAMLError):
        return None
    theme = front.get("f_theme")
    if isinstance(theme, str):
        m = re.fullmatch(r"themes/(.+)\.md", theme)
        theme = m.group(1) if m else theme
    return Page(front.get("slug"), front.get("f_texte"), tokens(front.get("f_corps")), front.get("f_genre"), theme,
                front.get("draft"))


UID_LINE = re.compile(r"^f_uid: '?([a-z][a-z0-9]*)'?$", re.M)


def observe_local(snapshot: Path) -> dict[str, list[LocalPage]]:
    """uid -> the files carrying it (an unreadable file is found by its uid line)."""
    out: dict[str, list[LocalPage]] = {}
    folder = snapshot / "pages"
    if not folder.is_dir():
        return out
    for f in sorted(folder.glob("*.md")):
        if f.name.endswith((".remote.md", ".local.md")) or f.name.startswith("."):
            continue
        text = f.read_bytes().decode("utf-8", "replace")
        m = UID_LINE.search(text)
        if not m:
            continue
        out.setdefault(m.group(1), []).append(LocalPage(f.relative_to(snapshot).as_posix(), read_local(f)))
    return out


def local_files(snapshot: Path) -> dict[str, tuple[bytes, int]]:
    """Every file wfsync may write (not its own .wfsync folder): bytes and mtime."""
    return {p.relative_to(snapshot).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(snapshot.rglob("*")) if p.is_file() and ".wfsync" not in p.parts}


BASE_URL = "http://emulator.invalid/v2"


def in_snapshot(report: dict[str, Any], prefix: str = "snapshots/model/") -> dict[str, Any]:
    """The report's paths as the model knows them, relative to the snapshot (the JSON names files
    from the project root, as the human output does)."""
    for name in ("problems", "conflicts", "actions", "skipped", "warnings"):
        for entry in report.get(name) or []:
            for key in ("path", "remote_copy"):
                if isinstance(entry.get(key), str):
                    entry[key] = entry[key].removeprefix(prefix)
    return report


def run_cli(adapter: InProcess, root: Path, *args: str) -> tuple[int, dict[str, Any] | None, str, int]:
    """``wfsync <args> --snapshot model --json`` in this process: (exit code, report, stderr, writes)."""
    from unittest import mock

    from click.testing import CliRunner

    from connector.cli import main
    from connector.client import WebflowClient
    from connector.transport import Transport

    session = requests.Session()
    session.mount("http://emulator.invalid/", adapter)
    client = WebflowClient(Transport(BASE_URL, TOKEN, sleep=lambda s: None, session=session, timeout=5,
                                     jitter=lambda: 0.0))
    adapter.hooks.writes = 0
    env = {"WEBFLOW_API_BASE": BASE_URL, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID}
    with mock.patch("connector.cli.make_client", lambda settings: client):
        result = CliRunner().invoke(main, ["--root", str(root), *args, "--snapshot", "model", "--json"],
                                    env=env, catch_exceptions=False)
    try:
        report = json.loads(result.stdout) if result.stdout.strip() else None
    except ValueError:
        report = None
    if report is not None:
        report = in_snapshot(report)
    stderr = result.stderr
    if report is not None and report.get("ok") is False and not report.get("collections"):
        # the run stopped (its JSON says why): no report of a finished run
        stderr += f"\nerror: {report['error'].get('message')}"
        report = None
    return result.exit_code, report, stderr, adapter.hooks.writes


def write_project(root: Path) -> None:
    (root / "mappings").mkdir(parents=True, exist_ok=True)
    (root / "mappings" / "pages.yaml").write_text(PAGES_MAPPING, encoding="utf-8")
    (root / "mappings" / "themes.yaml").write_text(THEMES_MAPPING, encoding="utf-8")

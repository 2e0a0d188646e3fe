"""A first pull converts each page while the next ones are fetched, with the same files as a
read-everything-first pull."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector import pipeline
from connector.client import WebflowClient
from connector.emulator.core import EmulatorState, StoredItem, object_id
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from connector.engine import Engine, RunOptions
from connector.mapping import default_mapping, load_mappings, render_mapping
from connector.transport import Transport
from tests.conftest import TOKEN, NoSleep

SITE = object_id("pipeline-site")
ARTICLES = 650  # seven pages


def _state() -> EmulatorState:
    state = EmulatorState()
    state.add_site({"id": SITE, "displayName": "P", "shortName": "p",
                    "locales": {"primary": {"id": object_id("l"), "cmsLocaleId": object_id("cl"), "tag": "fr"}}})
    field = lambda slug, kind, extra=None: {"id": object_id(slug), "isEditable": True, "isRequired": False,  # noqa: E731
                                            "type": kind, "slug": slug, "displayName": slug,
                                            **({"validations": extra} if extra else {})}
    themes = state.add_collection(SITE, id=object_id("themes"), display_name="Thèmes", singular_name="Thème",
                                  slug="themes", fields=[field("couleur", "Color")])
    articles = state.add_collection(SITE, id=object_id("articles"), display_name="Articles", singular_name="Article",
                                    slug="articles", fields=[field("contenu", "RichText"),
                                                             field("theme", "Reference", {"collectionId": themes.id})])
    stamp = "2024-01-01T00:00:00.000Z"
    for n in range(3):
        themes.items[object_id(f"t{n}")] = StoredItem(object_id(f"t{n}"), "cl", stamp, {
            "fieldData": {"name": f"Thème {n}", "slug": f"theme-{n}", "couleur": "#336699"},
            "isDraft": False, "isArchived": False, "lastUpdated": stamp})
    for n in range(ARTICLES):
        articles.items[object_id(f"a{n}")] = StoredItem(object_id(f"a{n}"), "cl", stamp, {
            "fieldData": {"name": f"Article {n}", "slug": f"article-{n}", "theme": object_id(f"t{n % 3}"),
                          "contenu": f"<p>Texte <strong>{n}</strong> de l'article.</p><ul><li>un</li></ul>"},
            "isDraft": n % 50 == 7, "isArchived": n % 97 == 5,
            "lastUpdated": f"2024-01-{1 + n % 28:02d}T00:00:{n % 60:02d}.000Z"})
    return state


def _pull(server: EmulatorServer, root: Path, hook: Any = None) -> Engine:
    client = WebflowClient(Transport(server.base_url, TOKEN, sleep=NoSleep(), timeout=10))
    (root / "mappings").mkdir(parents=True)
    for c in client.list_collections(SITE):
        (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(client.get_collection(c.id))))
    engine = Engine(client, SITE, root / "snapshots" / "p", load_mappings(root / "mappings"), workers=1, hook=hook)
    engine.run(RunOptions(command="pull"))
    return engine


def _files(root: Path) -> dict[str, bytes]:
    base = root / "snapshots" / "p"
    return {str(p.relative_to(base)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()
            and "stat-cache" not in p.name}


def test_pages_are_converted_while_the_next_are_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    pages_at_first_conversion: list[int] = []

    def hook(event: str, details: dict[str, Any]) -> None:
        if event == "phase:convert" and details.get("collection") == object_id("articles") \
                and not pages_at_first_conversion:
            pages_at_first_conversion.append(len(server.requests("GET", f"/collections/{object_id('articles')}/items")))

    with server:
        _pull(server, tmp_path / "piped", hook)
        pages = len(server.requests("GET", f"/collections/{object_id('articles')}/items"))
        # the first page is converted while at most AHEAD more are fetched (and one more is on its way)
        assert pages >= 7 and pages_at_first_conversion and pages_at_first_conversion[0] <= 2 + pipeline.AHEAD
        monkeypatch.setattr(pipeline, "can_pipeline", lambda *args: False)
        _pull(server, tmp_path / "sequential")
    piped, sequential = _files(tmp_path / "piped"), _files(tmp_path / "sequential")
    archived = sum(1 for n in range(ARTICLES) if n % 97 == 5)
    assert len([p for p in piped if p.startswith("cms/articles/")]) == ARTICLES - archived  # drafts pulled, archived not
    assert piped == sequential


def test_a_collection_that_changes_while_read_is_read_again(tmp_path: Path) -> None:
    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    articles = next(c for c in server.state.collections.values() if c.slug == "articles")
    added: list[str] = []

    def hook(event: str, details: dict[str, Any]) -> None:
        if event == "phase:convert" and details.get("collection") == articles.id and not added:
            # a new item appears while the collection is being read: the count no longer matches
            key = object_id("late")
            articles.items[key] = StoredItem(key, "cl", "2024-01-01T00:00:00.000Z", {
                "fieldData": {"name": "Tard", "slug": "tard", "contenu": "<p>x</p>"},
                "isDraft": False, "isArchived": False, "lastUpdated": "2024-02-01T00:00:00.000Z"})
            added.append(key)

    with server:
        engine = _pull(server, tmp_path, hook)
    files = _files(tmp_path)
    assert added and "cms/articles/tard.md" in files
    run = next(r for r in engine.runs if r.schema.slug == "articles")
    assert len(run.remote) + len(run.held) == ARTICLES + 1  # every item once

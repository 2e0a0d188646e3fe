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


def _pull(server: EmulatorServer, root: Path, hook: Any = None, helper: bool | None = None) -> Engine:
    client = WebflowClient(Transport(server.base_url, TOKEN, sleep=NoSleep(), timeout=10))
    (root / "mappings").mkdir(parents=True)
    for c in client.list_collections(SITE):
        (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(client.get_collection(c.id))))
    engine = Engine(client, SITE, root / "snapshots" / "p", load_mappings(root / "mappings"), workers=1, hook=hook,
                    helper=helper)
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


def _article_files(root: Path) -> int:
    folder = root / "snapshots" / "p" / "cms" / "articles"
    return len(list(folder.glob("*.md"))) if folder.is_dir() else 0


def test_files_are_written_while_the_next_pages_are_fetched(tmp_path: Path) -> None:
    """A first pull writes each page's files while Webflow is still being read, not after the last page."""
    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    at_last_page: list[int] = []

    def before(method: str, path: str, query: dict[str, str]) -> None:
        if path.endswith(f"/collections/{object_id('articles')}/items") and query.get("offset") == "600":
            at_last_page.append(_article_files(tmp_path))

    server.before_request = before
    with server:
        engine = _pull(server, tmp_path, None)
    # when the last page is asked for, the converter has taken page 4 at least: pages 1-3 are on disk
    assert at_last_page and at_last_page[0] >= 250, at_last_page
    run = next(r for r in engine.runs if r.schema.slug == "articles")
    report = engine.ctx.report.of("articles") if engine.ctx else None
    assert report is not None and report.written == len(run.remote) == _article_files(tmp_path)


def _edit(server: EmulatorServer, n: int, **data: Any) -> None:
    articles = next(c for c in server.state.collections.values() if c.slug == "articles")
    item = articles.items[object_id(f"a{n}")]
    item.staged["fieldData"].update(data)
    item.staged["lastUpdated"] = f"2024-03-{1 + n % 28:02d}T00:00:00.000Z"


def _changes_on_both_sides(server: EmulatorServer, root: Path) -> None:
    """Every kind of change a full pull meets, on early and late pages."""
    folder = root / "snapshots" / "p" / "cms" / "articles"
    _edit(server, 1, slug="article-1-renomme")  # a slug renamed: the file moves
    _edit(server, 602, slug="article-602-renomme")
    articles = next(c for c in server.state.collections.values() if c.slug == "articles")
    del articles.items[object_id("a3")]  # deleted in Webflow
    del articles.items[object_id("a603")]
    for n in (4, 604, 10):
        _edit(server, n, contenu=f"<p>Changé dans Webflow {n}.</p>")  # pulled
    for n in (10, 11):  # 10: changed on both sides (a conflict); 11: changed here only
        path = folder / f"article-{n}.md"
        path.write_text(path.read_text(encoding="utf-8").replace("Texte", "Texte édité"), encoding="utf-8")
    (folder / "article-12.md").unlink()  # deleted here
    _edit(server, 13, contenu="<p>Changé aussi.</p>")
    path = folder / "article-13.md"  # unreadable here, changed in Webflow: held, never overwritten
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: [", 1), encoding="utf-8")
    (folder / "a-moi.md").write_text("---\ntitle: À moi\nslug: a-moi\n---\n\nLocal.\n", encoding="utf-8")
    (folder / "article-605.md").rename(folder / "deplace.md")  # moved here (git mv), same slug
    key = object_id("late")
    articles.items[key] = StoredItem(key, "cl", "2024-01-01T00:00:00.000Z", {
        "fieldData": {"name": "Nouveau", "slug": "nouveau", "contenu": "<p>x</p>"},
        "isDraft": False, "isArchived": False, "lastUpdated": "2024-02-01T00:00:00.000Z"})


def _full_pull_after_changes(root: Path, monkeypatch: pytest.MonkeyPatch, piped: bool) -> tuple[dict[str, bytes], Any]:
    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    with server:
        engine = _pull(server, root)
        _changes_on_both_sides(server, root)
        with monkeypatch.context() as m:
            if not piped:
                m.setattr(pipeline, "can_pipeline", lambda *args: False)
            report = engine.run(RunOptions(command="pull", full=True))
    summary = {slug: (c.written, c.removed, c.unchanged, c.conflicts, c.pending, c.skipped)
               for slug, c in report.collections.items()}
    actions = sorted((a["key"], a["op"], a["blocked"] is None) for a in report.actions)
    return _files(root), (summary, actions, sorted(str(p) for p in report.problems))


def test_a_full_pull_with_changes_on_both_sides_ends_as_the_sequential_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing during the read changes nothing in what a pull does: renames, deletions, conflicts,
    held files and local edits end exactly as when every file is written after the read."""
    piped_files, piped = _full_pull_after_changes(tmp_path / "piped", monkeypatch, True)
    sequential_files, sequential = _full_pull_after_changes(tmp_path / "sequential", monkeypatch, False)
    assert piped == sequential
    assert piped_files == sequential_files
    assert "cms/articles/article-1-renomme.md" in piped_files and "cms/articles/article-1.md" not in piped_files
    assert "cms/articles/article-3.md" not in piped_files and "cms/articles/nouveau.md" in piped_files
    assert "Texte édité" in piped_files["cms/articles/article-10.md"].decode()
    assert "cms/articles/article-10.remote.md" in piped_files
    assert b"title: [" in piped_files["cms/articles/article-13.md"]


def test_a_file_saved_during_the_read_is_not_overwritten(tmp_path: Path) -> None:
    """Listed before the read, saved by an editor while the pages come in, changed in Webflow: the
    write compares before replacing, so the save stays and Webflow's version goes beside it."""
    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    path = tmp_path / "snapshots" / "p" / "cms" / "articles" / "article-640.md"
    saved: list[str] = []

    def before(method: str, p: str, query: dict[str, str]) -> None:
        if p.endswith(f"/collections/{object_id('articles')}/items") and query.get("offset") == "100" and not saved:
            saved.append(path.read_text(encoding="utf-8").replace("Texte", "Texte sauvé"))
            path.write_text(saved[0], encoding="utf-8")

    with server:
        engine = _pull(server, tmp_path)
        _edit(server, 640, contenu="<p>Changé dans Webflow.</p>")
        server.before_request = before
        report = engine.run(RunOptions(command="pull", full=True))
    assert saved and path.read_text(encoding="utf-8") == saved[0]
    assert "Changé dans Webflow" in path.with_name("article-640.remote.md").read_text(encoding="utf-8")
    assert report.of("articles").conflicts == 1


def test_a_first_pull_killed_while_writing_pages_is_finished_by_the_next(tmp_path: Path) -> None:
    """kill -9 during the read, with files already written: the next pull ends with the files of a
    clean pull, no conflict, nothing left behind, and nothing left to do."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import threading

    from tests.helpers import env_for, wfsync

    server = EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES})
    server._httpd.handle_error = lambda request, address: None  # noqa: SLF001 - the killed client is expected
    box: list[Any] = [None]
    killed = threading.Event()
    written: list[int] = []

    def before(method: str, path: str, query: dict[str, str]) -> None:
        if path.endswith(f"/collections/{object_id('articles')}/items") and query.get("offset") == "500" \
                and box[0] is not None and not killed.is_set():
            written.append(_article_files(tmp_path / "killed"))
            box[0].send_signal(signal.SIGKILL)
            box[0].wait(10)
            killed.set()
            raise RuntimeError("killed")  # the client is gone before the page is sent

    with server:
        for name in ("killed", "clean"):
            assert wfsync(server, SITE, tmp_path / name, "init").exit_code == 0
        server.before_request = before
        env = {**os.environ, **env_for(server, SITE), "PYTHONPATH": str(Path(__file__).parent.parent)}
        box[0] = subprocess.Popen([sys.executable, "-m", "connector.cli", "--root", str(tmp_path / "killed"), "pull",
                                   "--json"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        box[0].wait(120)
        assert killed.wait(10) and box[0].returncode == -signal.SIGKILL
        server.before_request = None
        assert written and written[0] >= 100  # files were on disk when it was killed
        again = wfsync(server, SITE, tmp_path / "killed", "pull", "--json")
        assert again.exit_code == 0, again.output
        assert not json.loads(again.stdout)["conflicts"]
        assert wfsync(server, SITE, tmp_path / "clean", "pull", "--json").exit_code == 0
        status = wfsync(server, SITE, tmp_path / "killed", "status", "--json")
    assert status.exit_code == 0, status.output
    assert [a for a in json.loads(status.stdout)["actions"] if a["op"] != "nothing"] == []
    killed_files, clean_files = _files(tmp_path / "killed"), _files(tmp_path / "clean")
    assert [p for p in killed_files if p.endswith((".tmp", ".remote.md"))] == []
    assert {p: b for p, b in killed_files.items() if not p.startswith(".wfsync")} == \
           {p: b for p, b in clean_files.items() if not p.startswith(".wfsync")}


def test_the_temp_file_of_a_write_killed_halfway_is_removed_by_the_next_pull(tmp_path: Path) -> None:
    # a run killed between a write's temp file and its rename leaves the temp file (hidden, but
    # git shows it); the next pull, which holds the lock, removes it; a dry run leaves it alone
    with EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        engine = _pull(server, tmp_path)
        folder = engine.root / "cms" / "articles"
        leftover = folder / ".article-3.md.k2x9_q0a.tmp"
        leftover.write_text("half")
        unrelated = folder / ".notes.tmp"  # not a name wfsync makes
        unrelated.write_text("mine")
        engine.run(RunOptions(command="pull", full=True, dry_run=True))
        assert leftover.exists()
        engine.run(RunOptions(command="pull", full=True))
        assert not leftover.exists()
        assert unrelated.read_text() == "mine"


def _helper_joins_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper process converts from the first page on, not from whichever page it is up at
    (the start of a process takes a varying time: the tests would depend on it)."""
    from connector import workers
    up = workers.Helper._up

    def started(self: workers.Helper) -> bool:
        if self._ready is not None and not self.broken:  # noqa: SLF001
            self._ready.exception(timeout=120)  # noqa: SLF001 - waits for it
        return up(self)

    monkeypatch.setattr(workers.Helper, "_up", started)


def test_a_second_process_converts_part_of_each_page_into_the_same_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On two cores a helper process converts a share of each page while this one converts the
    rest (the pages after the first minute's budget arrive together); the files are the same."""
    from connector import workers
    shared: list[int] = []
    balance = workers.Helper._balance

    def counted(self: workers.Helper, mine: int, own: float, theirs: int, their_seconds: float) -> None:
        shared.append(theirs)
        balance(self, mine, own, theirs, their_seconds)

    monkeypatch.setattr(workers.Helper, "_balance", counted)
    _helper_joins_at_once(monkeypatch)
    with EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        _pull(server, tmp_path / "helped", helper=True)
        _pull(server, tmp_path / "alone", helper=False)
    assert sum(shared) >= 100  # items converted by the helper (it joins once it is up)
    assert _files(tmp_path / "helped") == _files(tmp_path / "alone")


def test_the_helpers_part_of_the_next_page_is_sent_while_this_page_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The helper converts its part of the next page while this process writes the current one
    (else it would wait for each page's writes); what it converted ahead lands in the same files."""
    from connector import workers
    sent: list[int] = []
    send_ahead = workers.Helper.send_ahead

    def counted(self: workers.Helper, items: list[Any]) -> None:
        send_ahead(self, items)
        if self._ahead is not None:  # noqa: SLF001 - sent
            sent.append(len(self._ahead[0]))  # noqa: SLF001

    monkeypatch.setattr(workers.Helper, "send_ahead", counted)
    _helper_joins_at_once(monkeypatch)
    with EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        _pull(server, tmp_path / "helped", helper=True)
        _pull(server, tmp_path / "alone", helper=False)
    assert sent
    assert _files(tmp_path / "helped") == _files(tmp_path / "alone")


def test_a_helper_that_dies_leaves_the_pull_to_this_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    import signal

    from connector import workers
    balance = workers.Helper._balance
    killed: list[int] = []

    def kill(self: workers.Helper, *args: Any) -> None:
        balance(self, *args)
        if not killed and self._pool is not None:
            for pid in list(self._pool._processes):  # noqa: SLF001 - the process to kill
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    monkeypatch.setattr(workers.Helper, "_balance", kill)
    _helper_joins_at_once(monkeypatch)  # else a fast pull can end before the helper is up to be killed
    with EmulatorServer(_state(), tokens={TOKEN: ALL_SCOPES}) as server:
        _pull(server, tmp_path / "helped", helper=True)
        _pull(server, tmp_path / "alone", helper=False)
    assert killed
    assert _files(tmp_path / "helped") == _files(tmp_path / "alone")

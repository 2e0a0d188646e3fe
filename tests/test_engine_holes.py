"""The engine under concurrent edits and crashes: each case is one way an edit used to be lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connector.client import WebflowClient
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.engine import Engine, RunOptions
from connector.mapping import load_mappings
from connector.model import Page
from connector.plan import Policy
from connector.transport import Transport
from tests.conftest import TOKEN, NoSleep
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json


def coll(emulator: EmulatorServer, slug: str) -> Any:
    return next(c for c in emulator.state.collections.values() if c.slug == slug)


def remote_item(emulator: EmulatorServer, collection: str, slug: str) -> Any:
    return next((i for i in coll(emulator, collection).items.values() if i.staged["fieldData"]["slug"] == slug), None)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_in_webflow(emulator: EmulatorServer, collection: str, slug: str, **fields: Any) -> None:
    item = remote_item(emulator, collection, slug)
    item.staged["fieldData"].update(fields)
    item.staged["lastUpdated"] = emulator.state.now()


def once_after_the_read(action: Any) -> Any:
    """A before_request hook: ``action`` runs once, at the first request that is not part of the read
    (a write, or the check made just before writing)."""
    done = [False]

    def hook(method: str, path: str, query: dict[str, str]) -> None:
        if not done[0] and (method != "GET" or "lastUpdated[gte]" in query):
            done[0] = True
            action()

    return hook


def status_actions(emulator: EmulatorServer, root: Path) -> list[tuple[str, str]]:
    report = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    return [(a["op"], a["path"].removeprefix("snapshots/demo/")) for a in report["actions"]]


# -- 1. a re-created item ----------------------------------------------------------------------

def test_a_recreated_item_is_not_deleted_by_a_later_allow_delete(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    infos = coll(emulator, "infos")
    old = remote_item(emulator, "infos", "piscines")
    del infos.items[old.id]  # someone deletes the item in Webflow meanwhile
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert sum(c["created"] for c in report["collections"]) == 1  # re-created: the edit wins
    assert status_actions(emulator, root) == [], "status lists a change nobody made"
    state = json.loads((snapshot(root) / ".wfsync/state.json").read_text())
    assert old.id not in state["items"]
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--allow-delete", "--full")
    again = remote_item(emulator, "infos", "piscines")
    assert again is not None and again.staged["fieldData"]["tag-2"] == "Natation"
    assert file.exists()


# -- 2. an edit in Webflow during a run that also creates -------------------------------------

def test_an_edit_during_a_run_that_also_creates_is_a_conflict(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    new = snapshot(root) / "cms/infos/nouveau.md"
    new.write_text("---\ntitle: Nouveau\nslug: nouveau\n---\n\n\n", encoding="utf-8")
    emulator.before_request = once_after_the_read(
        lambda: edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Baignade"}))
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    emulator.before_request = None
    assert result.exit_code == 3, result.output
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Baignade"  # not overwritten
    assert remote_item(emulator, "infos", "nouveau") is not None  # the create went through
    assert "changed in Webflow during this run" in json.loads(result.stdout)["conflicts"][0]["reason"]


# -- 3. deletes are checked like updates -------------------------------------------------------

def test_an_item_edited_during_the_run_is_not_deleted(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/piscines.md").unlink()
    emulator.before_request = once_after_the_read(
        lambda: edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Baignade"}))
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--json")
    emulator.before_request = None
    assert result.exit_code == 3, result.output
    item = remote_item(emulator, "infos", "piscines")
    assert item is not None and item.staged["fieldData"]["tag-2"] == "Baignade"
    # the next sync restores the file with the edit: a modification beats a deletion
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--allow-delete")
    assert "f_tag-2: Baignade" in (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8")


# -- 4. an absence in a full read is confirmed before a file is removed -------------------------

class SkippingClient(WebflowClient):
    """A listing that misses one item, as offset paging does when another item is deleted mid-read."""

    def __init__(self, transport: Transport, hidden: str) -> None:
        super().__init__(transport)
        self.hidden = hidden

    def list_items_page(self, collection_id: str, **kwargs: Any) -> Page:
        page = super().list_items_page(collection_id, **kwargs)
        items = tuple(i for i in page.items if i.id != self.hidden)
        return Page(items, page.offset, page.limit, page.total - (len(page.items) - len(items)))


def test_an_item_missing_from_a_full_read_is_confirmed_before_its_file_is_removed(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    item = remote_item(emulator, "infos", "piscines")
    client = SkippingClient(Transport(emulator.base_url, TOKEN, sleep=NoSleep(), timeout=5), hidden=item.id)
    engine = Engine(client, SITE_ID, snapshot(root), load_mappings(root / "mappings"))
    report = engine.run(RunOptions(command="sync", policy=Policy(pull=True, push=True), full=True))
    assert file.exists(), "the file of an item that still exists was removed"
    assert sum(c.removed for c in report.collections.values()) == 0
    assert status_actions(emulator, root) == []
    # a real deletion is still pulled as one
    del coll(emulator, "infos").items[item.id]
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
    assert not file.exists()


# -- 5. crash windows ------------------------------------------------------------------------

class Killed(BaseException):
    """Stands for kill -9: nothing after it runs, not even an ``except Exception``."""


def killed_at(event: str) -> Any:
    def hook(name: str, details: dict[str, Any]) -> None:
        if name == event:
            raise Killed(name)
    return hook


def engine_for(emulator: EmulatorServer, root: Path, hook: Any = None) -> Engine:
    client = WebflowClient(Transport(emulator.base_url, TOKEN, sleep=NoSleep(), timeout=5))
    return Engine(client, SITE_ID, snapshot(root), load_mappings(root / "mappings"), hook=hook)


PUSH = Policy(pull=False, push=True, allow_delete=True)


def test_a_create_applied_before_a_crash_is_adopted_despite_markdown_spelling(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    new = snapshot(root) / "cms/infos/fete.md"
    new.write_text("---\ntitle: Fête\nslug: fete\nf_contenu: C'est la *fête* au **village**.\n---\n\n\n",
                   encoding="utf-8")
    try:
        engine_for(emulator, root, killed_at("after:create")).run(RunOptions(command="push", policy=PUSH))
    except Killed:
        pass
    assert remote_item(emulator, "infos", "fete") is not None  # Webflow has it; wfsync never recorded it
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")  # run again: exit 0
    assert report["conflicts"] == []
    assert [i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values()].count("fete") == 1
    assert status_actions(emulator, root) == []


def test_a_delete_in_flight_when_killed_is_finished_by_the_next_run(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    mapping = root / "mappings/infos.yaml"
    edit(mapping, "  tags: {const: info}\n", "  tags: {const: info}\n  draft: $isDraft\n")
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
    file = snapshot(root) / "cms/infos/piscines.md"
    assert remote_item(emulator, "infos", "piscines").last_published  # a live item: unpublished first
    file.unlink()
    try:
        engine_for(emulator, root, killed_at("after:unpublish")).run(RunOptions(command="push", policy=PUSH))
    except Killed:
        pass
    assert remote_item(emulator, "infos", "piscines").staged["isDraft"]  # unpublished, not deleted yet
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert remote_item(emulator, "infos", "piscines") is None, "the delete in flight was not finished"
    assert not file.exists()
    assert status_actions(emulator, root) == []


# -- 6. partial failures of bulk calls ---------------------------------------------------------

def test_a_bulk_delete_with_one_item_already_gone_deletes_the_others(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    names = ("piscines", "hopital", "bibliotheque")
    for name in names:
        (snapshot(root) / f"cms/infos/{name}.md").unlink()
    gone = remote_item(emulator, "infos", "hopital")
    emulator.before_request = once_after_the_read(lambda: coll(emulator, "infos").items.pop(gone.id))
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "5")
    emulator.before_request = None
    assert [remote_item(emulator, "infos", n) for n in names] == [None, None, None]
    assert sum(c["deleted"] for c in report["collections"]) == 3
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert not any((snapshot(root) / f"cms/infos/{n}.md").exists() for n in names), "a survivor was pulled back"


def test_a_bulk_update_with_one_item_gone_updates_the_others_and_reports_it(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    for name in ("piscines", "hopital"):
        edit(snapshot(root) / f"cms/infos/{name}.md", "f_tag-2: ", "f_tag-2: Édité ")
    gone = remote_item(emulator, "infos", "hopital")
    emulator.before_request = once_after_the_read(lambda: coll(emulator, "infos").items.pop(gone.id))
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    emulator.before_request = None
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"].startswith("Édité")
    assert [c["path"] for c in report["conflicts"]] == ["snapshots/demo/cms/infos/hopital.md"]
    # the edit is kept: the next sync re-creates the item (a modification beats a deletion)
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert remote_item(emulator, "infos", "hopital").staged["fieldData"]["tag-2"].startswith("Édité")


# -- 8. an open conflict stays a conflict ------------------------------------------------------

def age(emulator: EmulatorServer, collection: str, slug: str) -> None:
    """Time passes: the item falls out of the incremental window."""
    remote_item(emulator, collection, slug).staged["lastUpdated"] = "2020-01-01T00:00:00.000Z"


def test_two_new_items_with_one_slug_stay_a_conflict_past_the_incremental_window(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/nouveau.md").write_text("---\ntitle: Nouveau ici\nslug: nouveau\n---\n\n\n",
                                                         encoding="utf-8")
    (snapshot(root) / "cms/infos/autre.md").write_text("---\ntitle: Autre\nslug: autre\n---\n\n\n", encoding="utf-8")
    emulator.state.create(coll(emulator, "infos").id, [{"fieldData": {"name": "Nouveau là-bas", "slug": "nouveau"}}],
                          publish=False)
    for _ in range(2):
        result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--json")
        assert result.exit_code == 3, result.output
        report = json.loads(result.stdout)
        assert [c["path"] for c in report["conflicts"]] == ["snapshots/demo/cms/infos/nouveau.md"]
        assert "title: Nouveau là-bas" in (snapshot(root) / "cms/infos/nouveau.remote.md").read_text(encoding="utf-8")
        assert remote_item(emulator, "infos", "autre") is not None  # the other new file was created
        age(emulator, "infos", "nouveau")
        edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Plus tard"})
    assert remote_item(emulator, "infos", "nouveau").staged["fieldData"]["name"] == "Nouveau là-bas"


# -- 9. archived items -------------------------------------------------------------------------

def test_an_edit_to_an_item_archived_in_webflow_is_held_and_reported_on_every_run(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    untouched = snapshot(root) / "cms/infos/hopital.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    for slug in ("piscines", "hopital"):
        item = remote_item(emulator, "infos", slug)
        item.staged["isArchived"] = True
        item.staged["lastUpdated"] = emulator.state.now()
    for _ in range(2):
        report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
        held = [a for a in report["actions"] if a["path"] == "snapshots/demo/cms/infos/piscines.md"]
        assert held and held[0]["blocked"] and "archived" in held[0]["blocked"]
        assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"
        assert "f_tag-2: Natation" in file.read_text(encoding="utf-8") and untouched.exists()
        for slug in ("piscines", "hopital"):
            age(emulator, "infos", slug)
        edit_in_webflow(emulator, "infos", "social", **{"tag-2": "Plus tard"})
    # unarchived in Webflow: the held edit goes through
    item = remote_item(emulator, "infos", "piscines")
    item.staged["isArchived"] = False
    item.staged["lastUpdated"] = emulator.state.now()
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"


def test_a_reference_to_an_item_created_later_survives_a_crash_before_it_is_filled_in(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    info = (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8")
    (snapshot(root) / "cms/infos/patinoire.md").write_text(
        info.replace("title: Piscines", "title: Patinoire").replace("slug: piscines", "slug: patinoire"), encoding="utf-8")
    gala = snapshot(root) / "cms/evenements/gala-sur-glace.md"
    event = (snapshot(root) / "cms/evenements/fete-du-vin.md").read_text(encoding="utf-8")
    event = event.replace("title: Fête du vin", "title: Gala sur glace").replace("slug: fete-du-vin", "slug: gala-sur-glace")
    gala.write_text(event.replace("  - cms/infos/social.md\n", "  - cms/infos/patinoire.md\n"), encoding="utf-8")
    try:  # killed once both items exist, before the gala's reference to the rink is filled in
        engine_for(emulator, root, killed_at("before:update")).run(RunOptions(command="push", policy=PUSH))
    except Killed:
        pass
    assert "cms/infos/patinoire.md" in gala.read_text(encoding="utf-8"), "the file lost the reference"
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    rink = remote_item(emulator, "infos", "patinoire")
    assert rink.id in remote_item(emulator, "evenements", "gala-sur-glace").staged["fieldData"]["lieux"]
    assert status_actions(emulator, root) == []


def test_an_update_applied_before_a_crash_is_no_conflict_despite_markdown_spelling(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "**piscines**", "*piscines*")  # Webflow stores <em>, which reads back as _piscines_
    try:
        engine_for(emulator, root, killed_at("after:update")).run(RunOptions(command="push", policy=PUSH))
    except Killed:
        pass
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--json")
    assert result.exit_code == 0, result.output
    assert status_actions(emulator, root) == []


def test_a_publish_refused_for_one_item_names_its_file_and_publishes_the_others(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    for name in ("piscines", "hopital"):
        edit(snapshot(root) / f"cms/infos/{name}.md", "f_tag-2: ", "f_tag-2: Édité ")
    gone = remote_item(emulator, "infos", "hopital")

    def delete_before_publish(method: str, path: str, query: dict[str, str]) -> None:
        if path.endswith("/items/publish"):
            coll(emulator, "infos").items.pop(gone.id, None)

    emulator.before_request = delete_before_publish
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--publish", "--json")
    emulator.before_request = None
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert [(p["path"], p["key"]) for p in report["problems"]] == [("snapshots/demo/cms/infos/hopital.md", "(publish)")]
    assert remote_item(emulator, "infos", "piscines").live["fieldData"]["tag-2"].startswith("Édité")

"""Holes the model-based test (test_model_sync.py) found, each as the shortest story that shows it."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from tests.model_site import PAGES_ID, InProcess, make_server, observe_local, observe_remote, run_cli, write_project


class Site:
    """The model site, pulled into a project, driven through the `wfsync` command in this process."""

    def __init__(self, tmp_path: Path, pages: int = 4) -> None:
        self.clock = [time.time()]  # Webflow's clock: tests move it on
        self.server = make_server(lambda: self.clock[0], pages)
        self.adapter = InProcess(self.server)
        self.root = tmp_path / "project"
        write_project(self.root)
        self.snap = self.root / "snapshots" / "model"
        assert self.run("pull")[0] == 0

    def run(self, *args: str) -> tuple[int, dict | None, str, int]:
        return run_cli(self.adapter, self.root, *args)

    def delete_in_webflow(self, uid: str) -> None:
        item = observe_remote(self.server.state)[uid][0]
        self.server.state.delete(PAGES_ID, [item.id], live=False)

    def edit_in_webflow(self, uid: str, **fields: object) -> None:
        item = observe_remote(self.server.state)[uid][0]
        self.server.state.update(PAGES_ID, [{"id": item.id, "fieldData": fields}], live=False)

    def archive_in_webflow(self, uid: str) -> None:
        item = observe_remote(self.server.state)[uid][0]
        self.server.state.update(PAGES_ID, [{"id": item.id, "isArchived": True}], live=False)

    def close(self) -> None:
        self.server._httpd.server_close()  # noqa: SLF001 - never served


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = Site(tmp_path)
    yield s
    s.close()


def test_status_lists_a_deleted_file_instead_of_failing_on_the_delete_limit(site: Site) -> None:
    # one file of four deleted: more than 10 % of the synced items, which only limits a run that deletes
    (site.snap / "pages" / "page-1.md").unlink()
    code, report, stderr, _ = site.run("status")
    assert code == 0, stderr
    assert report is not None
    assert [(a["op"], a["path"]) for a in report["actions"] if a["op"] != "nothing"] == \
        [("delete-remote", "pages/page-1.md")]
    # a push that would delete is still held to the limit
    code, report, stderr, writes = site.run("push", "--allow-delete")
    assert code == 1 and "max-delete" in stderr + json.dumps(report) and writes == 0


def test_a_webflow_deletion_seen_by_a_push_is_still_pulled_by_the_next_sync(site: Site) -> None:
    site.delete_in_webflow("u2")
    # push does not pull: the deletion is left for later, not forgotten
    code, _, stderr, _ = site.run("push")
    assert code == 0, stderr
    assert "u2" in observe_local(site.snap)
    code, report, stderr, _ = site.run("sync")
    assert code == 0, stderr
    assert "u2" not in observe_local(site.snap), "the file of an item deleted in Webflow stays, status says in step"
    assert report is not None and sum(c["removed"] for c in report["collections"]) == 1


def test_sync_goes_on_when_every_item_left_in_webflow_is_archived(site: Site) -> None:
    site.archive_in_webflow("u0")
    site.archive_in_webflow("u1")
    for uid in ("u2", "u3"):
        site.delete_in_webflow(uid)
    code, _, stderr, _ = site.run("sync")
    assert code == 0, stderr
    assert set(observe_local(site.snap)) == {"u0", "u1"}  # the archived items' files are left alone
    # and the next run does not say the local side looks empty
    code, _, stderr, _ = site.run("sync")
    assert code == 0, stderr
    code, _, stderr, _ = site.run("status")
    assert code == 0, stderr


def test_an_edit_in_the_same_timestamp_tick_as_the_pull_is_seen(site: Site) -> None:
    # same size, same mtime (a coarse clock: 2 s on FAT and some shares, a few ms elsewhere)
    path = site.snap / "pages" / "page-1.md"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = text.replace("texte u1", "texte X1")
    assert len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    code, report, stderr, _ = site.run("push")
    assert code == 0, stderr
    assert observe_remote(site.server.state)["u1"][0].page.texte == "texte X1", "the edit was taken as unchanged"


def _save_after_the_run_read(path: Path, text: str):  # type: ignore[no-untyped-def]
    """An editor's save of ``path`` that lands once the run has read it."""
    from unittest import mock

    from connector.store import SnapshotStore

    real = SnapshotStore.scan

    def scan(store: SnapshotStore, prefix: str = ""):  # type: ignore[no-untyped-def]
        for info in real(store, prefix):
            yield info
            if store.root / info.rel == path:
                path.write_text(text, encoding="utf-8")

    return mock.patch.object(SnapshotStore, "scan", scan)


def test_a_save_during_a_push_that_renames_the_slug_leaves_one_file(site: Site) -> None:
    from tests.model_site import join_file, split_file

    old = site.snap / "pages" / "page-1.md"
    front, body = split_file(old.read_text(encoding="utf-8"))
    old.write_text(join_file({**front, "slug": "page-1-neu", "f_texte": "renommé"}, body), encoding="utf-8")
    saved = join_file({**front, "slug": "page-1-neu", "f_texte": "sauvé pendant le push"}, body)
    with _save_after_the_run_read(old, saved):
        code, report, stderr, _ = site.run("push")
    assert code == 3 and report is not None, stderr
    files = observe_local(site.snap)["u1"]
    assert [f.path for f in files] == ["pages/page-1.md"], "Webflow's answer was written beside the editor's save"
    assert old.read_text(encoding="utf-8") == saved
    code, _, stderr, _ = site.run("push")
    assert code == 0, stderr
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1-neu.md"]
    assert observe_remote(site.server.state)["u1"][0].page.texte == "sauvé pendant le push"


def test_a_save_during_a_pull_that_moves_the_file_leaves_one_file(site: Site) -> None:
    from tests.model_site import join_file, split_file

    item = observe_remote(site.server.state)["u1"][0]
    site.server.state.update(PAGES_ID, [{"id": item.id, "fieldData": {"slug": "page-1-web"}}], live=False)
    old = site.snap / "pages" / "page-1.md"
    front, body = split_file(old.read_text(encoding="utf-8"))
    saved = join_file({**front, "f_texte": "sauvé pendant le pull"}, body)
    with _save_after_the_run_read(old, saved):
        code, report, stderr, _ = site.run("pull")
    assert report is not None and report["conflicts"], stderr
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1.md"]
    assert old.read_text(encoding="utf-8") == saved


def test_a_webflow_edit_left_for_pull_by_a_push_is_pulled_however_late(site: Site) -> None:
    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    assert site.run("push")[0] == 0  # push leaves Webflow's change for pull
    site.clock[0] += 600  # ten minutes later, past the incremental margin, another edit and push
    site.edit_in_webflow("u2", texte="plus tard")
    assert site.run("push")[0] == 0
    code, _, stderr, _ = site.run("pull")
    assert code == 0, stderr
    local = observe_local(site.snap)
    assert local["u1"][0].page.texte == "écrit dans Webflow", "the incremental read started after it"
    assert local["u2"][0].page.texte == "plus tard"


def test_a_run_killed_once_webflow_deleted_the_item_finishes_without_a_conflict(site: Site) -> None:
    from tests.model_site import Crash

    (site.snap / "pages" / "page-1.md").unlink()  # never published: one DELETE
    site.adapter.hooks.crash_at, site.adapter.hooks.crash_after = 1, True
    with pytest.raises(Crash):
        site.run("push", "--allow-delete", "--max-delete", "100%")
    site.adapter.hooks.crash_at = None
    assert "u1" not in observe_remote(site.server.state)  # Webflow applied it; the run never knew
    code, report, stderr, _ = site.run("push", "--allow-delete", "--max-delete", "100%")
    assert code == 0 and report is not None and not report["conflicts"], (report or {}).get("conflicts") or stderr
    code, report, _, _ = site.run("status")
    assert code == 0 and report is not None
    assert [a for a in report["actions"] if a["op"] != "nothing"] == []


def test_a_slug_renamed_in_webflow_moves_a_file_an_editor_re_saved_unchanged(site: Site) -> None:
    from tests.model_site import join_file, split_file

    old = site.snap / "pages" / "page-1.md"
    front, body = split_file(old.read_text(encoding="utf-8"))
    old.write_text(join_file(front, body), encoding="utf-8")  # another YAML style, the same values
    site.edit_in_webflow("u1", slug="page-1-web")
    code, report, stderr, _ = site.run("pull")
    assert report is not None, stderr
    # moved, or (formatting changed while Webflow changed) a conflict: never two files for one item
    assert len(observe_local(site.snap)["u1"]) == 1, "two files for one item"


def test_a_save_during_a_merge_keeps_webflows_side_as_a_change_for_the_next_run(site: Site) -> None:
    from tests.model_site import join_file, split_file

    path = site.snap / "pages" / "page-2.md"
    front, body = split_file(path.read_text(encoding="utf-8"))
    path.write_text(join_file({**front, "f_corps": front["f_corps"] + "\n\nAjout local."}, body), encoding="utf-8")
    site.edit_in_webflow("u2", texte="écrit dans Webflow")  # a merge: different fields
    saved = join_file({**front, "f_corps": front["f_corps"] + "\n\nAjout local.", "f_texte": "sauvé pendant"}, body)
    with _save_after_the_run_read(path, saved):
        code, _, stderr, _ = site.run("sync")
    assert code == 3, stderr  # the save was kept, the merge's file not written
    _next_sync_keeps_both(site, "u2", path, saved, "Webflow's edit, never seen in the file, was overwritten")



def _next_sync_keeps_both(site: Site, uid: str, path: Path, saved: str, lost: str) -> None:
    """After a save kept during a run: the next sync leaves Webflow's edit of ``uid`` in Webflow, the
    saved file as it is, and reports the item as a conflict."""
    code, report, stderr, _ = site.run("sync")
    assert observe_remote(site.server.state)[uid][0].page.texte == "écrit dans Webflow", lost
    rel = path.relative_to(site.snap).as_posix()
    assert code == 3 and report is not None and [c["path"] for c in report["conflicts"]] == [rel], stderr
    assert path.read_text(encoding="utf-8") == saved

def test_an_edit_undone_during_a_merge_is_not_overwritten_by_the_next_sync(site: Site) -> None:
    """Found by the long profile: both sides changed, the run pushed the file's change and an editor
    undid it while the run went on. Their file is kept; the next sync must push the undo, not pull
    the value this run had just sent (the undo looked like "no change" against the old base)."""
    from tests.model_site import GENRES, join_file, split_file

    path = site.snap / "pages" / "page-2.md"
    front, body = split_file(path.read_text(encoding="utf-8"))
    path.write_text(join_file({**front, "f_texte": "écrit ici"}, body), encoding="utf-8")
    site.edit_in_webflow("u2", genre=GENRES["Récit"])  # a merge: another field
    undone = join_file(front, body)  # the editor undoes their change while the sync runs
    with _save_after_the_run_read(path, undone):
        code, _, stderr, _ = site.run("sync")
    assert code == 3, stderr  # the save was kept, the merge's file not written
    assert observe_remote(site.server.state)["u2"][0].page.texte == "écrit ici"  # what the run read was sent
    code, report, stderr, _ = site.run("sync")
    assert report is not None, stderr
    local, remote = observe_local(site.snap)["u2"][0].page, observe_remote(site.server.state)["u2"][0].page
    assert local is not None and local.texte == front["f_texte"], "the editor's undo was overwritten"
    assert remote.texte == front["f_texte"], "the editor's undo never reached Webflow"
    assert local.genre == remote.genre == "Récit", "Webflow's edit was lost"
    assert code == 0 and not report["conflicts"], report["conflicts"]


def test_a_moved_file_whose_item_is_deleted_in_webflow_is_removed_not_re_created(site: Site) -> None:
    """`git mv` of an unchanged file, then the item is deleted in Webflow: the pull removes the
    file where it is now. It used to remove the old path only, forget the item and leave the moved
    file, which the next sync took for a new file and created again."""
    (site.snap / "pages" / "page-1.md").rename(site.snap / "pages" / "page-1-moved.md")
    site.delete_in_webflow("u1")
    code, report, stderr, _ = site.run("pull")
    assert code == 0 and report is not None, stderr
    assert "u1" not in observe_local(site.snap), "the moved file of a deleted item was kept"
    code, _, stderr, _ = site.run("sync")
    assert code == 0, stderr
    assert "u1" not in observe_remote(site.server.state), "the deleted item was created again"


def test_webflow_edits_in_quick_succession_are_each_pulled(tmp_path: Path) -> None:
    """Found by the model (its clock stands still): the emulator stamped two edits of one item with
    the same lastUpdated (a float plus 0.001 near 1.8e9 seconds can stay in the same millisecond),
    so an incremental pull took the second edit for the version it had already seen."""
    site = Site(tmp_path)
    try:
        site.clock[0] = 1_790_000_000.0  # Webflow's clock stands still: each edit is a millisecond later
        assert site.run("pull", "--full")[0] == 0
        for n in range(8):
            site.edit_in_webflow("u0", texte=f"édition {n}")
            code, _, stderr, _ = site.run("pull")
            assert code == 0, stderr
            assert observe_local(site.snap)["u0"][0].page.texte == f"édition {n}", f"edit {n} was not pulled"
    finally:
        site.close()


def _git_mv(site: Site, name: str, to: str) -> Path:
    target = site.snap / "pages" / to
    (site.snap / "pages" / name).rename(target)
    return target


def test_webflows_change_to_a_moved_file_is_written_where_the_editor_moved_it(site: Site) -> None:
    moved = _git_mv(site, "page-1.md", "page-1-moved.md")  # slug unchanged: the same item
    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    code, report, stderr, _ = site.run("sync")
    assert code == 0 and report is not None, stderr
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1-moved.md"], "the move was undone"
    assert observe_local(site.snap)["u1"][0].page.texte == "écrit dans Webflow"
    assert len(observe_remote(site.server.state)["u1"]) == 1
    code, report, stderr, writes = site.run("sync")
    assert code == 0 and writes == 0 and moved.exists(), stderr


def test_a_moved_file_saved_while_webflows_change_is_pulled_stays_one_file(site: Site) -> None:
    """The model's case 7 finding: `git mv`, Webflow changes the item, and the editor saves the
    moved file while the run goes on. Webflow's version used to be written at the old path beside
    the kept save: two files of one item."""
    from tests.model_site import join_file, split_file

    moved = _git_mv(site, "page-1.md", "page-1-moved.md")
    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    front, body = split_file(moved.read_text(encoding="utf-8"))
    saved = join_file({**front, "f_genre": "Récit"}, body)
    with _save_after_the_run_read(moved, saved):
        code, report, stderr, _ = site.run("sync")
    assert report is not None, stderr
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1-moved.md"], "two files of one item"
    assert moved.read_text(encoding="utf-8") == saved
    code, report, stderr, _ = site.run("sync")  # the save and Webflow's change merge
    assert code == 0 and report is not None, stderr
    local, remote = observe_local(site.snap)["u1"], observe_remote(site.server.state)["u1"]
    assert [f.path for f in local] == ["pages/page-1-moved.md"] and len(remote) == 1
    assert local[0].page == remote[0].page and local[0].page.texte == "écrit dans Webflow" \
        and local[0].page.genre == "Récit"


def test_a_conflict_on_a_moved_file_is_reported_where_the_file_is_with_webflows_copy_beside_it(site: Site) -> None:
    from tests.model_site import join_file, split_file

    moved = _git_mv(site, "page-1.md", "page-1-moved.md")
    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    front, body = split_file(moved.read_text(encoding="utf-8"))
    moved.write_text(join_file({**front, "f_texte": "écrit ici"}, body), encoding="utf-8")
    code, report, stderr, _ = site.run("sync")
    assert code == 3 and report is not None, stderr
    assert [(c["path"], c["remote_copy"]) for c in report["conflicts"]] == \
        [("pages/page-1-moved.md", "pages/page-1-moved.remote.md")], "reported under the path it had before the move"
    assert "écrit dans Webflow" in (site.snap / "pages" / "page-1-moved.remote.md").read_text(encoding="utf-8")
    assert observe_local(site.snap)["u1"][0].page.texte == "écrit ici"


def test_a_file_moved_twice_is_still_its_item_and_never_deleted(site: Site) -> None:
    """Found by the model: after a sync wrote Webflow's change into a moved file, a second `git mv`
    left a path that names no slug, so a push took it for a new file and the item for deleted."""
    _git_mv(site, "page-1.md", "page-1-moved.md")
    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    assert site.run("sync")[0] == 0
    _git_mv(site, "page-1-moved.md", "page-1-moved-again.md")
    code, report, stderr, _ = site.run("push", "--allow-delete", "--max-delete", "100%")
    assert code == 0 and report is not None, stderr
    remote = observe_remote(site.server.state).get("u1", [])
    assert len(remote) == 1 and remote[0].page.texte == "écrit dans Webflow", "the moved file's item was deleted"
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1-moved-again.md"]


def test_webflows_edit_not_written_because_of_a_save_is_read_again_however_late(site: Site) -> None:
    """Found by the long profile: a pull could not write Webflow's edit (the editor saved the file
    meanwhile, kept as saved), and the incremental cursor moved past that edit anyway, so the next
    sync took Webflow's copy for unchanged and pushed the save over it with no conflict."""
    from tests.model_site import join_file, split_file

    site.edit_in_webflow("u1", texte="écrit dans Webflow")
    site.clock[0] += 600  # ten minutes later, past the incremental margin, another edit
    site.edit_in_webflow("u2", texte="plus tard")
    path = site.snap / "pages" / "page-1.md"
    front, body = split_file(path.read_text(encoding="utf-8"))
    saved = join_file({**front, "f_texte": "sauvé pendant le pull"}, body)
    with _save_after_the_run_read(path, saved):
        code, report, stderr, _ = site.run("pull")
    assert code == 3 and report is not None, stderr  # the save was kept
    _next_sync_keeps_both(site, "u1", path, saved, "Webflow's edit was overwritten by the save without a conflict")


def test_a_run_killed_once_webflow_re_created_an_item_finishes_on_the_rerun(site: Site) -> None:
    """Found by the model: a file edited while its item was deleted in Webflow is re-created by
    sync; killed after Webflow made the new item, before the run recorded it, every rerun failed
    ("'page-1' is also used by the Webflow item ...") until repaired by hand."""
    from tests.model_site import Crash, join_file, split_file

    path = site.snap / "pages" / "page-1.md"
    front, body = split_file(path.read_text(encoding="utf-8"))
    path.write_text(join_file({**front, "f_texte": "écrit ici"}, body), encoding="utf-8")
    site.delete_in_webflow("u1")
    site.adapter.hooks.crash_at, site.adapter.hooks.crash_after = 1, True
    with pytest.raises(Crash):
        site.run("sync")
    site.adapter.hooks.crash_at = None
    assert len(observe_remote(site.server.state)["u1"]) == 1  # Webflow made it; the run never knew
    code, report, stderr, _ = site.run("sync")
    assert code == 0 and report is not None, stderr
    remote = observe_remote(site.server.state)["u1"]
    assert len(remote) == 1 and remote[0].page.texte == "écrit ici"
    assert [f.path for f in observe_local(site.snap)["u1"]] == ["pages/page-1.md"]
    code, report, stderr, _ = site.run("status")
    assert code == 0 and report is not None, stderr
    assert [a for a in report["actions"] if a["op"] != "nothing"] == []

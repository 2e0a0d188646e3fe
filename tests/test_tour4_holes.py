"""Holes the fourth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, a file moved with `git mv`, edits on both sides, a slug taken by an archived item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import coll, edit, edit_in_webflow, remote_item


def _history(root: Path) -> dict:
    path = snapshot(root) / ".wfsync/slug-history.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _line(path: Path, key: str) -> str:
    return next(x for x in path.read_text(encoding="utf-8").splitlines() if x.startswith(f"{key}: "))


def _moved_and_merged(emulator: EmulatorServer, root: Path) -> tuple[str, Path]:
    """hopital.md moved to spital.md (slug unchanged), then merged by sync with a Webflow edit."""
    infos = snapshot(root) / "cms/infos"
    item_id = remote_item(emulator, "infos", "hopital").id
    (infos / "hopital.md").rename(infos / "spital.md")
    moved = infos / "spital.md"
    edit(moved, _line(moved, "f_mini-description"), "f_mini-description: Soins et urgences")
    edit_in_webflow(emulator, "infos", "hopital", **{"tag-3": "Urgences"})
    synced = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert synced.exit_code == 0 and "merged" in synced.stdout, synced.output
    return item_id, moved


def test_a_moved_and_merged_file_given_a_new_slug_keeps_its_former_slug_in_the_history(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    item_id, moved = _moved_and_merged(emulator, root)
    edit(moved, "slug: hopital", "slug: spital")
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 0, pushed.output
    assert coll(emulator, "infos").items[item_id].staged["fieldData"]["slug"] == "spital"
    assert _history(root)[item_id]["slugs"] == ["hopital"]  # the old URL gets its redirect


def test_a_moved_file_whose_slug_is_renamed_in_webflow_records_the_slug_it_had_not_its_file_name(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    item_id, _ = _moved_and_merged(emulator, root)
    remote_item(emulator, "infos", "hopital").staged["fieldData"]["slug"] = "hopital-regional"
    edit_in_webflow(emulator, "infos", "hopital-regional")
    pulled = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert pulled.exit_code == 0, pulled.output
    assert (snapshot(root) / "cms/infos/hopital-regional.md").exists()
    assert _history(root)[item_id]["slugs"] == ["hopital"]  # "spital" was never a slug of the item


def _referrer_of(root: Path, path: str) -> Path:
    for file in sorted((snapshot(root) / "cms/evenements").glob("*.md")):
        if path in file.read_text(encoding="utf-8"):
            return file
    raise AssertionError(f"no event refers to {path}")


def test_after_git_mv_a_file_still_naming_the_old_path_means_the_same_item(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    item_id = remote_item(emulator, "infos", "dechetterie").id
    referrer = _referrer_of(root, "cms/infos/dechetterie.md")
    (infos / "dechetterie.md").rename(infos / "dechets.md")
    # Webflow's edit is written into the moved file: the base now knows it there
    edit_in_webflow(emulator, "infos", "dechetterie", **{"tag-3": "Tri"})
    synced = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert synced.exit_code == 0 and "Tri" in (infos / "dechets.md").read_text(encoding="utf-8"), synced.output
    title = _line(referrer, "title")
    edit(referrer, title, title + " (modifié)")
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 0, pushed.output
    event = next(i for i in coll(emulator, "evenements").items.values() if "(modifié)" in str(i.staged["fieldData"]))
    assert item_id in json.dumps(event.staged["fieldData"])  # the reference still names the same item
    # Webflow's answer names the file where it is now; the old path, typed again, still means it
    assert "cms/infos/dechets.md" in referrer.read_text(encoding="utf-8")
    edit(referrer, "cms/infos/dechets.md", "cms/infos/dechetterie.md")
    again = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert again.exit_code == 0, again.output
    assert item_id in json.dumps(event.staged["fieldData"])
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def _new_file_on_an_archived_slug(emulator: EmulatorServer, root: Path) -> Path:
    infos = snapshot(root) / "cms/infos"
    archived = remote_item(emulator, "infos", "seniors")
    assert archived is not None and archived.staged["isArchived"] and not (infos / "seniors.md").exists()
    text = (infos / "piscines.md").read_text(encoding="utf-8").replace("slug: piscines", "slug: seniors")
    (infos / "seniors.md").write_text(text, encoding="utf-8")
    return infos / "seniors.md"


def test_a_new_file_whose_slug_belongs_to_an_archived_item_is_named_so_by_status_and_push(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    new = _new_file_on_an_archived_slug(emulator, root)
    archived = remote_item(emulator, "infos", "seniors")
    before = (len(coll(emulator, "infos").items), json.dumps(archived.staged, sort_keys=True, default=str))
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "new file" not in status.stdout, status.output
    assert "archived" in status.output and "seniors" in status.output and archived.id in status.output
    for args in (("push",), ("sync", "--on-conflict", "local"), ("push", "--on-conflict", "local")):
        result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
        assert result.exit_code == 1, result.output  # a problem to fix, not a conflict (3)
        assert "archived" in result.output and "--archived" in result.output and "another slug" in result.output
        assert "created" not in result.stdout and "conflict" not in result.output, result.output
        assert not (new.parent / "seniors.remote.md").exists()
    assert (len(coll(emulator, "infos").items), json.dumps(archived.staged, sort_keys=True, default=str)) == before
    # pulled with --archived, the item comes with its own content: the file is not overwritten
    mine = new.read_text(encoding="utf-8")
    pulled = wfsync(emulator, SITE_ID, root, "pull", "--archived", "--full", "--snapshot", "demo")
    assert "created" not in pulled.stdout and new.read_text(encoding="utf-8") == mine, pulled.output


def _push_while_webflow_makes_fete(emulator: EmulatorServer, tmp_path: Path, **flags: bool) -> tuple[Path, Any]:
    """A new file fete.md pushed, while an item with its slug and content is made in Webflow after
    the run's read (by another run that died before recording it, or an editor)."""
    from tests.test_engine_holes import once_after_the_read

    root = pulled_project(emulator, SITE_ID, tmp_path)
    new = snapshot(root) / "cms/infos/fete.md"
    new.write_text("---\ntitle: Fête\nslug: fete\n---\n\n\n", encoding="utf-8")
    emulator.before_request = once_after_the_read(lambda: emulator.state.create(
        coll(emulator, "infos").id, [{"fieldData": {"name": "Fête", "slug": "fete"}, **flags}], publish=False))
    return root, wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")


def test_a_create_refused_because_webflow_already_has_the_same_item_says_adopted_not_created(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    _, result = _push_while_webflow_makes_fete(emulator, tmp_path)
    assert result.exit_code == 0, result.output
    assert [i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values()].count("fete") == 1
    line = next(x for x in result.stdout.splitlines() if "cms/infos/fete.md" in x)
    assert line.startswith("recorded") and "nothing was created" in line, result.stdout
    assert "created" not in next(x for x in result.stdout.splitlines() if x.startswith("infos "))


def test_a_create_refused_because_an_archived_item_took_the_slug_binds_nothing(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root, result = _push_while_webflow_makes_fete(emulator, tmp_path, isArchived=True)
    assert result.exit_code == 1, result.output
    assert "'fete' belongs to an item archived in Webflow" in result.output and "another slug" in result.output
    assert "created" not in result.stdout and not (snapshot(root) / "cms/infos/fete.remote.md").exists()
    state = json.loads((snapshot(root) / ".wfsync/state.json").read_text(encoding="utf-8"))
    assert not any(e["path"] == "cms/infos/fete.md" for e in state["items"].values())  # not bound to it

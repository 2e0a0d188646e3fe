"""Holes the third new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits on both sides."""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import coll, edit, edit_in_webflow, remote_item


def _referrer_of(root: Path, path: str) -> Path:
    for file in sorted((snapshot(root) / "cms/evenements").glob("*.md")):
        if path in file.read_text(encoding="utf-8"):
            return file
    raise AssertionError(f"no event refers to {path}")


def test_a_slug_renamed_in_webflow_while_a_referring_file_is_edited_does_not_stall_sync(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    referrer = _referrer_of(root, "cms/infos/bus-urbains.md")
    text = referrer.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    edit(referrer, title, title + " (modifié)")
    remote_item(emulator, "infos", "bus-urbains").staged["fieldData"]["slug"] = "bus"
    edit_in_webflow(emulator, "infos", "bus")

    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert (snapshot(root) / "cms/infos/bus.md").exists() and not (snapshot(root) / "cms/infos/bus-urbains.md").exists()
    after = referrer.read_text(encoding="utf-8")
    assert "cms/infos/bus.md" in after and "cms/infos/bus-urbains.md" not in after
    assert "(modifié)" in after  # the user's edit is kept, and sent
    names = [i.staged["fieldData"].get("name") for i in coll(emulator, "evenements").items.values()]
    assert any("(modifié)" in str(n) for n in names), names
    again = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert again.exit_code == 0 and "Everything is in step" in wfsync(emulator, SITE_ID, root, "status",
                                                                     "--snapshot", "demo").stdout


def test_after_a_webflow_slug_rename_pull_then_sync_keeps_the_edit_and_sends_only_it(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    referrer = _referrer_of(root, "cms/infos/bus-urbains.md")
    title = next(line for line in referrer.read_text(encoding="utf-8").splitlines() if line.startswith("title: "))
    edit(referrer, title, title + " (modifié)")
    remote_item(emulator, "infos", "bus-urbains").staged["fieldData"]["slug"] = "bus"
    edit_in_webflow(emulator, "infos", "bus")

    pulled = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    print(pulled.output)
    synced = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    print(synced.output)
    assert synced.exit_code == 0, synced.output
    after = referrer.read_text(encoding="utf-8")
    assert "(modifié)" in after and "cms/infos/bus.md" in after and "cms/infos/bus-urbains.md" not in after
    assert "f_lieux" not in synced.stdout  # the ids did not change: nothing to send for the reference
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def test_a_file_edited_outside_the_synced_values_is_decided_by_on_conflict_like_any_conflict(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit(infos / "etat-civil.md", "layout: '[info].html'", "layout: '[other].html'")
    dechetterie = (infos / "dechetterie.md").read_text(encoding="utf-8")
    updated = next(line for line in dechetterie.splitlines() if line.startswith("updated-on: "))
    edit(infos / "dechetterie.md", updated, "updated-on: '2030-01-01T00:00:00.000Z'")
    for name in ("etat-civil.md", "dechetterie.md"):  # saved a minute before Webflow's edits
        os.utime(infos / name, (time.time() - 60, time.time() - 60))
    for slug in ("etat-civil", "dechetterie"):
        edit_in_webflow(emulator, "infos", slug, name=f"Renommé {slug}")

    held = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert held.exit_code == 3, held.output

    # a cron job's policy: Webflow's edit is the newer one, so it wins; the file's own edit is kept beside it
    newer = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "newer")
    assert newer.exit_code == 0, newer.output
    assert "title: Renommé etat-civil" in (infos / "etat-civil.md").read_text(encoding="utf-8")
    assert "[other].html" in (infos / "etat-civil.local.md").read_text(encoding="utf-8")
    assert "title: Renommé dechetterie" in (infos / "dechetterie.md").read_text(encoding="utf-8")
    assert "2030-01-01" in (infos / "dechetterie.local.md").read_text(encoding="utf-8")
    assert remote_item(emulator, "infos", "etat-civil").staged["fieldData"]["name"] == "Renommé etat-civil"


def test_on_conflict_local_decides_a_file_edited_outside_the_synced_values(emulator: EmulatorServer,
                                                                           tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit(infos / "etat-civil.md", "layout: '[info].html'", "layout: '[other].html'")
    edit_in_webflow(emulator, "infos", "etat-civil", name="Renommé")
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 3
    local = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local",
                   "snapshots/demo/cms/infos/etat-civil.md")
    assert local.exit_code == 0, local.output
    # the file's values win (Webflow's rename is undone there) and Webflow's version is kept beside it
    assert remote_item(emulator, "infos", "etat-civil").staged["fieldData"]["name"] != "Renommé"
    assert "title: Renommé" in (infos / "etat-civil.remote.md").read_text(encoding="utf-8")
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def test_pull_says_a_deleted_file_needs_allow_delete_to_delete_its_item(emulator: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/hopital.md").unlink()
    pulled = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    line = next(x for x in pulled.stdout.splitlines() if "cms/infos/hopital.md" in x)
    assert line.startswith("held") and "--allow-delete" in line, line
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")  # without it: nothing deleted
    assert "hopital" in {i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values()}
    assert "--allow-delete" in next(x for x in pushed.stdout.splitlines() if "cms/infos/hopital.md" in x)


def test_a_file_moved_into_another_collections_folder_does_not_delete_its_item(emulator: EmulatorServer,
                                                                               tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    moved = snapshot(root) / "cms/evenements/piscines.md"
    (snapshot(root) / "cms/infos/piscines.md").rename(moved)
    args = ("push", "--snapshot", "demo", "--allow-delete", "--skip-invalid")
    dry = wfsync(emulator, SITE_ID, root, *args, "--dry-run")
    assert not any(x.startswith("would delete") for x in dry.stdout.splitlines()), dry.stdout
    result = wfsync(emulator, SITE_ID, root, *args)
    assert "piscines" in {i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values()}
    assert result.exit_code == 1, result.output
    line = next(x for x in result.stdout.splitlines() if "cms/infos/piscines.md" in x)
    assert line.startswith("held") and "cms/evenements/piscines.md" in line, line
    assert "another collection" in line and "move the file back" in line
    assert moved.exists()


def test_a_git_merge_conflict_in_the_state_says_what_to_do_and_either_side_recovers(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.helpers import wfsync_json
    root = pulled_project(emulator, SITE_ID, tmp_path)
    state = snapshot(root) / ".wfsync/state.json"
    ours = state.read_text(encoding="utf-8")
    lines = ours.splitlines(keepends=True)
    state.write_text("".join([*lines[:3], "<<<<<<< HEAD\n", lines[3], "=======\n", lines[3], ">>>>>>> other\n",
                              *lines[4:]]), encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", code=2)
    assert report["error"]["kind"] == "config", report["error"]
    assert "conflict markers" in report["error"]["message"]
    assert "git checkout --ours -- snapshots/demo/.wfsync/state.json" in report["error"]["hint"]
    human = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "bug" not in human.output and "conflict markers" in human.output
    state.write_text(ours, encoding="utf-8")  # one side taken
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 0


def test_a_mistyped_snapshot_name_is_an_error_not_a_second_copy(emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.helpers import wfsync_json
    root = pulled_project(emulator, SITE_ID, tmp_path)
    for command in ("sync", "push", "status", "diff"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "dmeo")
        assert result.exit_code == 2, (command, result.output)
        assert "no snapshot 'dmeo'" in result.output and "demo" in result.output
    assert not (root / "snapshots/dmeo").exists()
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "dmeo", code=2)
    assert report["error"]["kind"] == "config" and "wfsync pull --snapshot dmeo" in report["error"]["hint"]
    # pull starts a snapshot on purpose
    assert wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "staging").exit_code == 0
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "staging").exit_code == 0


def test_a_slug_changed_on_both_sides_names_the_file_on_disk_and_is_decided_per_file(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit(infos / "bibliotheque.md", "slug: bibliotheque", "slug: biblio-local")
    remote_item(emulator, "infos", "bibliotheque").staged["fieldData"]["slug"] = "biblio-remote"
    edit_in_webflow(emulator, "infos", "biblio-remote")

    held = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert held.exit_code == 3, held.output
    line = next(x for x in held.stdout.splitlines() if x.startswith("held") and "biblio" in x)
    assert "snapshots/demo/cms/infos/bibliotheque.md" in line, line
    assert (infos / "bibliotheque.remote.md").exists() and not (infos / "biblio-remote.remote.md").exists()

    decided = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local",
                     "snapshots/demo/cms/infos/bibliotheque.md")
    assert decided.exit_code == 0, decided.output
    assert remote_item(emulator, "infos", "biblio-local") is not None
    assert (infos / "biblio-local.md").exists() and not (infos / "bibliotheque.md").exists()
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def test_a_file_renamed_with_its_slug_is_the_same_item_renamed_not_a_duplicate(emulator: EmulatorServer,
                                                                                tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    before = len(coll(emulator, "infos").items)
    item_id = remote_item(emulator, "infos", "ecoles-primaires").id
    (infos / "ecoles-primaires.md").rename(infos / "ecoles.md")
    edit(infos / "ecoles.md", "slug: ecoles-primaires", "slug: ecoles")
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "new file" not in status.stdout and "deleted" not in status.stdout, status.stdout
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 0, pushed.output
    assert len(coll(emulator, "infos").items) == before  # no duplicate
    assert coll(emulator, "infos").items[item_id].staged["fieldData"]["slug"] == "ecoles"
    # the files that referred to the old path now name the new one
    texts = [p.read_text(encoding="utf-8") for p in (snapshot(root) / "cms").rglob("*.md")]
    assert not any("cms/infos/ecoles-primaires.md" in t for t in texts)
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def test_sync_totals_tell_deletions_apart_and_status_says_new_in_webflow(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/hopital.md").unlink()
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--allow-delete")
    totals = next(x for x in result.stdout.splitlines() if x.startswith("infos "))
    assert "1 deleted" in totals and "pushed" not in totals, totals

    created = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "Everything is in step" in created.stdout
    infos = coll(emulator, "infos")
    template = next(iter(infos.items.values()))
    new = copy.deepcopy(template)
    new.id = "a" * 24
    new.staged["fieldData"].update(name="Nouveau", slug="nouveau")
    new.staged["lastUpdated"] = new.staged["createdOn"] = emulator.state.now()
    infos.items[new.id] = new
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    line = next(x for x in status.stdout.splitlines() if "cms/infos/nouveau.md" in x)
    assert "new in Webflow" in line, status.stdout


def test_a_tab_in_the_front_matter_is_reported_on_its_own_line() -> None:
    from connector.mapping import load_mappings
    from connector.reading import read_document
    mapping = next(m for m in load_mappings(Path(__file__).parent.parent / "mappings") if m.collection == "infos")
    for raw, line in ((b"---\ntitle: D\n\tslug: d\n---\n", 3), (b"---\ntitle: D\nslug:\n\t- a\n---\n", 4)):
        problems = read_document("cms/infos/x.md", raw, mapping, None).problems
        assert [(p.line, "a tab on line" in p.message) for p in problems] == [(line, True)], problems


def test_an_item_archived_after_its_file_was_moved_is_skipped_under_the_path_on_disk(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "bibliotheque.md").rename(infos / "bibliotheque-municipale.md")
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 0
    item = remote_item(emulator, "infos", "bibliotheque")
    item.staged["isArchived"] = True
    edit_in_webflow(emulator, "infos", "bibliotheque")
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    line = next(x for x in result.stdout.splitlines() if x.startswith("skipped") and "biblio" in x)
    assert "cms/infos/bibliotheque-municipale.md" in line, line


def test_status_names_the_copies_kept_beside_files(emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.helpers import wfsync_json
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit(infos / "piscines.md", "title: Piscines", "title: Piscines A")
    edit_in_webflow(emulator, "infos", "piscines", name="Piscines B")
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "remote").exit_code == 0
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "Everything is in step" in status.stdout
    assert "snapshots/demo/cms/infos/piscines.local.md" in status.stdout
    report = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert report["copies"] == ["snapshots/demo/cms/infos/piscines.local.md"]

"""Holes the third new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits on both sides."""

from __future__ import annotations

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

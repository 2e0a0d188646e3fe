"""Holes a new user's tour of wfsync found, each as the tour ran it: the demo site, the `wfsync`
command, edits on both sides."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import remote_item


def _live_slugs(emulator: EmulatorServer, collection: str) -> set[str]:
    from tests.test_engine_holes import coll
    return {i.staged["fieldData"]["slug"] for i in coll(emulator, collection).items.values()}


# -- A1. a file moved out of its mapped folder ---------------------------------------------------

def test_a_file_moved_out_of_its_mapped_folder_does_not_delete_its_item(emulator: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "old").mkdir()
    (infos / "etat-civil.md").rename(infos / "old/etat-civil.md")
    (snapshot(root) / "cms/autres").mkdir()
    (infos / "bibliotheque.md").rename(snapshot(root) / "cms/autres/bibliotheque.md")

    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "To push" not in status.stdout, status.stdout  # not listed as deletions
    assert "moved out of mapping" in status.stdout and "cms/infos/old/etat-civil.md" in status.stdout

    result = wfsync(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo")
    assert {"etat-civil", "bibliotheque"} <= _live_slugs(emulator, "infos"), "a moved file deleted its item"
    assert result.exit_code == 1, result.output  # something for the user to decide
    line = next(x for x in result.stdout.splitlines() if "cms/infos/etat-civil.md" in x)
    assert line.startswith("held") and "cms/infos/old/etat-civil.md" in line and "move the file back" in line
    assert "delete cms/infos/old/etat-civil.md to delete the item" in line

    # moved back: the same item, nothing to do
    (infos / "old/etat-civil.md").rename(infos / "etat-civil.md")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo", code=1)
    assert not any(a["path"] == "cms/infos/etat-civil.md" and a["op"] != "nothing" for a in report["actions"])
    # the stray file deleted: now the deletion is what the user asked for
    (snapshot(root) / "cms/autres/bibliotheque.md").unlink()
    report = wfsync_json(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo")
    assert "bibliotheque" not in _live_slugs(emulator, "infos")
    assert "etat-civil" in _live_slugs(emulator, "infos")

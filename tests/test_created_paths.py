"""A created item's file goes to the mapping's path for its slug: the line names both paths."""

from __future__ import annotations

import re
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import coll, edit, remote_item


def test_a_new_file_created_under_another_name_is_named_old_to_new(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    text = (infos / "piscines.md").read_text(encoding="utf-8").replace("slug: piscines", "slug: nouvelle-page")
    (infos / "ma-page.md").write_text(re.sub(r"(?m)^(id|created-on|updated-on)[^\n]*\n", "", text), encoding="utf-8")
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 0, pushed.output
    line = next(x for x in pushed.stdout.splitlines() if x.startswith("created"))
    assert "snapshots/demo/cms/infos/ma-page.md → snapshots/demo/cms/infos/nouvelle-page.md" in line, line
    assert (infos / "nouvelle-page.md").exists() and not (infos / "ma-page.md").exists()


def test_a_moved_file_re_created_after_a_delete_in_webflow_names_where_it_went(emulator: EmulatorServer,
                                                                              tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "piscines.md").rename(infos / "piscines-de-sierre.md")  # git mv
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 0
    edit(infos / "piscines-de-sierre.md", "title: ", "title: Les ")
    del coll(emulator, "infos").items[remote_item(emulator, "infos", "piscines").id]
    synced = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert synced.exit_code == 0, synced.output
    line = next(x for x in synced.stdout.splitlines() if x.startswith("created"))
    assert "piscines-de-sierre.md → snapshots/demo/cms/infos/piscines.md" in line, line
    assert "title: Les " in (infos / "piscines.md").read_text(encoding="utf-8")

"""Holes the fifth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits in the files and in Webflow."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, pulled_project, snapshot, wfsync
from tests.test_engine_holes import edit_in_webflow, remote_item


def test_init_quiet_prints_nothing_on_success(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    (root / "mappings" / "infos.yaml").unlink()
    for args in (("init", "-q"), ("-q", "init", "--force"), ("init", "-q")):  # written, overwritten, kept
        result = wfsync(emulator, SITE_ID, root, *args)
        assert result.exit_code == 0 and result.output == "", (args, result.output)
    assert (root / "mappings" / "infos.yaml").exists()


def test_a_pull_that_moves_a_file_renamed_in_webflow_names_both_paths(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    remote_item(emulator, "infos", "piscines").staged["fieldData"]["slug"] = "piscines-couvertes"
    edit_in_webflow(emulator, "infos", "piscines-couvertes")
    for args, label in ((("pull", "--dry-run"), "would update"), (("pull",), "updated")):
        result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
        assert result.exit_code == 0, result.output
        line = next(x for x in result.stdout.splitlines() if "piscines" in x)
        assert line.startswith(label), result.stdout
        assert "snapshots/demo/cms/infos/piscines.md → snapshots/demo/cms/infos/piscines-couvertes.md" in line, line
    assert (snapshot(root) / "cms/infos/piscines-couvertes.md").exists()
    assert not (snapshot(root) / "cms/infos/piscines.md").exists()

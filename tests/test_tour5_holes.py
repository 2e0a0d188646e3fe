"""Holes the fifth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits in the files and in Webflow."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import edit, edit_in_webflow, remote_item


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


def test_a_conflict_webflow_wins_in_sync_is_counted_once(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--on-conflict", "remote", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert "f_tag-2: Baignade" in file.read_text(encoding="utf-8")
    summary = next(x for x in result.stdout.splitlines() if x.startswith("infos "))
    assert "1 resolved" in summary and "pulled" not in summary, result.stdout
    (snapshot(root) / "cms/infos/piscines.local.md").unlink()
    edit(file, "f_tag-2: Baignade", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Nage"})
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--on-conflict", "remote", "--snapshot", "demo")
    infos = next(c for c in report["collections"] if c["collection"] == "infos")
    assert (infos["resolved"], infos["pulled"], infos["pushed"]) == (1, 0, 0), infos

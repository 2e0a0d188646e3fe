"""`wfsync resync`: the base rebuilt from both sides when they agree; refused, changing nothing, when not."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import files_with_mtimes, pulled_project, snapshot, wfsync, wfsync_json
from tests.test_push import edit, writes

STATE = ".wfsync/state.json"


def test_resync_rebuilds_a_lost_base(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    before = (snapshot(root) / STATE).read_text(encoding="utf-8")
    (snapshot(root) / STATE).unlink()
    mtimes = files_with_mtimes(snapshot(root))
    report = wfsync_json(emulator, SITE_ID, root, "resync", "--snapshot", "demo")
    assert report["command"] == "resync" and report["ok"]
    assert (snapshot(root) / STATE).read_text(encoding="utf-8") == before
    assert files_with_mtimes(snapshot(root)) == mtimes and writes(emulator) == []
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []


def test_resync_refuses_when_the_sides_differ_and_changes_nothing(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / STATE).unlink()
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    (snapshot(root) / "cms/infos/new.md").write_text(
        (snapshot(root) / "cms/infos/social.md").read_text(encoding="utf-8").replace("slug: social", "slug: new"),
        encoding="utf-8")
    mtimes = files_with_mtimes(snapshot(root))
    result = wfsync(emulator, SITE_ID, root, "resync", "--snapshot", "demo")
    assert result.exit_code == 1
    assert "snapshots/demo/cms/infos/piscines.md" in result.stderr and "title" in result.stderr
    assert "snapshots/demo/cms/infos/new.md" in result.stderr and "no item in Webflow" in result.stderr
    assert not (snapshot(root) / STATE).exists() and files_with_mtimes(snapshot(root)) == mtimes
    assert writes(emulator) == []
    report = wfsync_json(emulator, SITE_ID, root, "resync", "--snapshot", "demo", code=1)
    assert report["error"]["kind"] == "resync_refused"
    assert {p["path"] for p in report["problems"]} == {"snapshots/demo/cms/infos/piscines.md", "snapshots/demo/cms/infos/new.md"}

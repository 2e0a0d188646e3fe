"""Holes the fifth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits in the files and in Webflow."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, wfsync


def test_init_quiet_prints_nothing_on_success(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    (root / "mappings" / "infos.yaml").unlink()
    for args in (("init", "-q"), ("-q", "init", "--force"), ("init", "-q")):  # written, overwritten, kept
        result = wfsync(emulator, SITE_ID, root, *args)
        assert result.exit_code == 0 and result.output == "", (args, result.output)
    assert (root / "mappings" / "infos.yaml").exists()

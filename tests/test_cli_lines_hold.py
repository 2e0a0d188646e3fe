"""An unreadable file is named as held, with -q too."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync


def test_an_unreadable_file_is_held_and_named_even_when_quiet(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/social.md").write_text('---\ntitle: "unbalanced\n---\n\nx\n', encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "-q", "pull", "--snapshot", "demo")
    assert result.exit_code == 1
    assert "held      snapshots/demo/cms/infos/social.md:2  (the file cannot be read" in result.stdout
    assert "problem: snapshots/demo/cms/infos/social.md:2: title: not valid YAML" in result.stderr  # the key on the line

"""``status`` exit codes a cron job and an editor can trust: like git, differences are not an error,
a file that needs fixing is."""

from __future__ import annotations

import json
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_push import edit


def status(emulator: EmulatorServer, root: Path, *args: str) -> int:
    return wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo", *args).exit_code


def test_status_exits_non_zero_for_a_file_to_fix_and_zero_for_differences(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    assert status(emulator, root) == 0 and status(emulator, root, "--exit-code") == 0
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    assert status(emulator, root) == 0  # something to push is not an error
    assert status(emulator, root, "--exit-code") == 1
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "title: Piscines", 'title: "Piscines')  # cannot be read
    assert status(emulator, root) == 1
    result = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo", "--json")
    document = json.loads(result.stdout)
    assert result.exit_code == document["exit_code"] == 1 and document["ok"] is False
    assert document["error"]["kind"] == "problems" and document["problems"]
    edit(file, 'title: "Piscines', "title: Piscines")
    edit(file, "slug: piscines", "slug: Pis cines")  # readable, but invalid
    assert status(emulator, root) == 1
    edit(file, "slug: Pis cines", "slug: piscines")
    assert status(emulator, root) == 0

"""Words an editor types that YAML 1.1 (the reader) and YAML 1.2 (what the files are written in)
read otherwise: never a guess sent to Webflow, a problem that says how to write the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import edit, remote_item


def _event(root: Path) -> Path:
    return snapshot(root) / "cms/evenements/cinema-open-air.md"


def _set(file: Path, key: str, typed: str) -> None:
    line = next(x for x in file.read_text(encoding="utf-8").splitlines() if x.startswith(f"{key}: "))
    edit(file, line, f"{key}: {typed}")


@pytest.mark.parametrize("key, typed, field, advice", [
    ("f_gratuit", "yes", "gratuit", "write true or false"),          # a switch: 1.1 reads true, 1.2 text
    ("f_places", "0123", "places", "write 123 for a number"),         # 1.1 octal 83, 1.2 decimal 123
    ("f_resume", "12:30", "resume", "'12:30' in quotes"),             # 1.1 base 60: 750
    ("f_places", "1_000", "places", "write 1000 for a number"),
])
def test_a_word_yaml_versions_read_otherwise_is_a_problem_and_nothing_is_sent(
        emulator: EmulatorServer, tmp_path: Path, key: str, typed: str, field: str, advice: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    before = remote_item(emulator, "evenements", "cinema-open-air").staged["fieldData"].get(field)
    _set(_event(root), key, typed)
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    line = next((x for x in status.output.splitlines() if "cinema-open-air.md:" in x and f": {key}: " in x), "")
    assert status.exit_code == 1 and typed in line and "YAML 1.1" in line and advice in line, status.output
    emulator.clear_log()
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 1, pushed.output
    assert not [r for r in emulator.log if r.method != "GET"], "something was written"
    assert remote_item(emulator, "evenements", "cinema-open-air").staged["fieldData"].get(field) == before


@pytest.mark.parametrize("key, typed", [("f_gratuit", "true"), ("f_places", "123"), ("f_resume", "'12:30'"),
                                        ("f_resume", "'yes'")])
def test_values_both_versions_read_alike_are_accepted(emulator: EmulatorServer, tmp_path: Path, key: str,
                                                     typed: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    _set(_event(root), key, typed)
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert status.exit_code == 0 and "YAML 1.1" not in status.output, status.output

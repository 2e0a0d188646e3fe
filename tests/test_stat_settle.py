"""The run after a first pull reads no file: the files a run wrote too recently for their stat to
prove anything are cached at the end of that run, on their content."""

from __future__ import annotations

from pathlib import Path

import pytest

from connector import context, state
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.store import SnapshotStore
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    original = SnapshotStore.read

    def read(self: SnapshotStore, rel: str) -> bytes | None:
        if rel.endswith(".md"):
            seen.append(rel)
        return original(self, rel)
    monkeypatch.setattr(SnapshotStore, "read", read)
    return seen


def _pull_with_every_write_racy(monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer, tmp_path: Path,
                                meddle: object = None) -> Path:
    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    # every file is too fresh when written (as on a fast disk with a coarse clock), and old enough
    # by the end of the run (as after a first pull of a real site, which takes a minute)
    monkeypatch.setattr(state, "RACY_SECONDS", 10 ** 9)
    monkeypatch.setattr(context, "RACY_SECONDS", -1.0)
    if meddle is not None:  # the content check of a coarse clock (FAT's 2 s), which a same-tick save needs
        monkeypatch.setattr(context, "FINE_TICK", 10.0 ** 9)
    if meddle is not None:
        original = context.RunContext.settle_stats

        def settle(self: context.RunContext) -> bool:
            meddle(self.store.root)  # type: ignore[operator]
            return original(self)
        monkeypatch.setattr(context.RunContext, "settle_stats", settle)
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    monkeypatch.undo()
    return root


def test_the_no_change_run_after_a_first_pull_reads_no_file(monkeypatch: pytest.MonkeyPatch,
                                                            emulator: EmulatorServer, tmp_path: Path) -> None:
    root = _pull_with_every_write_racy(monkeypatch, emulator, tmp_path)
    reads = _reads(monkeypatch)
    assert "Everything is in step" in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout
    assert reads == []


def test_a_save_just_after_the_write_is_not_cached_as_wfsync_file(monkeypatch: pytest.MonkeyPatch,
                                                                  emulator: EmulatorServer, tmp_path: Path) -> None:
    def save_same_size(root: Path) -> None:
        # an editor's save with the same size, in the same clock tick as wfsync's write
        page = root / "cms/infos/piscines.md"
        info = page.stat()
        text = page.read_text(encoding="utf-8").replace("title: Piscines", "title: Piscinez")
        page.write_text(text, encoding="utf-8")
        import os
        os.utime(page, ns=(info.st_atime_ns, info.st_mtime_ns))
    root = _pull_with_every_write_racy(monkeypatch, emulator, tmp_path, save_same_size)
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "snapshots/demo/cms/infos/piscines.md" in status.stdout, status.stdout  # the save is seen
    assert (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8").count("Piscinez") == 1

"""Never write outside the snapshot root: symlinks are checked on every use, and cheaply."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.errors import UnsafePathError
from connector.store import SnapshotStore
from tests.helpers import demo_project, snapshot, wfsync, wfsync_json


def test_a_folder_swapped_for_a_symlink_during_the_run_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "snap", tmp_path / "outside"
    outside.mkdir()
    store = SnapshotStore(root)
    assert store.replace("cms/articles/a.md", b"a")
    assert store.read("cms/articles/a.md") == b"a"  # the folder is known to the run now
    real = root / "cms" / "articles"
    real.rename(root / "cms" / "moved")
    real.symlink_to(outside, target_is_directory=True)  # e.g. a checkout of a branch with a symlink there
    for write in (lambda: store.replace("cms/articles/b.md", b"b"), lambda: store.write("cms/articles/b.md", b"b")):
        with pytest.raises(UnsafePathError):
            write()
    with pytest.raises(UnsafePathError):
        store.read("cms/articles/a.md")
    (root / "cms").rename(tmp_path / "cms-old")  # one level up, too
    (root / "cms").symlink_to(outside, target_is_directory=True)
    (outside / "articles").mkdir()
    with pytest.raises(UnsafePathError):
        store.replace("cms/articles/c.md", b"c")
    assert list(outside.rglob("*.md")) == []


def test_a_file_swapped_for_a_symlink_is_refused(tmp_path: Path) -> None:
    root, outside = tmp_path / "snap", tmp_path / "secret.md"
    outside.write_bytes(b"secret")
    store = SnapshotStore(root)
    store.replace("cms/a.md", b"a")
    (root / "cms" / "a.md").unlink()
    (root / "cms" / "a.md").symlink_to(outside)
    with pytest.raises(UnsafePathError):
        store.write("cms/a.md", b"overwritten")
    assert outside.read_bytes() == b"secret"


def test_a_symlink_that_stays_inside_the_root_is_followed(tmp_path: Path) -> None:
    root = tmp_path / "snap"
    store = SnapshotStore(root)
    store.replace("cms/articles/a.md", b"a")
    (root / "cms" / "alias").symlink_to(root / "cms" / "articles", target_is_directory=True)
    assert store.read("cms/alias/a.md") == b"a"
    assert store.write("cms/alias/b.md", b"b") and (root / "cms" / "articles" / "b.md").read_bytes() == b"b"


def test_a_pull_checks_each_written_path_with_few_lstat_calls(emulator: EmulatorServer, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Each part below the root once per use, not every folder from the file system's root."""
    root = demo_project(tmp_path / "a" / "deep" / "folder" / "for" / "the" / "project")
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    calls = [0]
    lstat = os.lstat

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return lstat(*args, **kwargs)

    monkeypatch.setattr(os, "lstat", counting)
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    written = sum(c["written"] for c in report["collections"])
    assert written == len(list(snapshot(root).rglob("*.md"))) > 5
    assert calls[0] / written <= 10, calls[0] / written

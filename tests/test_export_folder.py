"""`wfsync export --out DIR` never overwrites a file it did not write, nor one edited since,
and never writes into a synced snapshot or the project's own folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.emulator.server import EmulatorServer
from tests.test_export import export, report, tree


def test_a_users_own_file_in_the_folder_is_never_overwritten(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site-x"
    (out / "content/infos").mkdir(parents=True)
    (out / "content/infos/piscines.md").write_text("my own precious notes\n")
    (out / "content/infos/social.md").write_text("also mine\n")
    (out / "hugo.toml").write_text("my config\n")
    before = tree(out)
    result = export(emulator, out, "--profile", "hugo", code=2)
    assert tree(out) == before  # nothing written at all, not even a download
    shown = str(out / "content/infos/piscines.md")
    assert shown in result.output and str(out / "content/infos/social.md") in result.output
    assert "--overwrite" in result.output and "2 files" in result.output
    document = json.loads(export(emulator, out, "--profile", "hugo", "--json", code=2).stdout)
    assert document["error"]["kind"] == "would_overwrite"
    assert sorted(p["path"] for p in document["problems"]) == [shown, str(out / "content/infos/social.md")]
    # moving them away is enough; the starter file stays the user's
    (out / "content/infos/piscines.md").unlink()
    (out / "content/infos/social.md").unlink()
    r = report(emulator, out, "--profile", "hugo")
    assert (out / "hugo.toml").read_text() == "my config\n" and "hugo.toml" not in r["files"]["starters"]
    assert (out / "content/infos/piscines.md").read_text().startswith("---\ntitle: Piscines")


def test_overwrite_replaces_them_when_asked(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    (out / "content/infos").mkdir(parents=True)
    (out / "content/infos/piscines.md").write_text("old\n")
    r = report(emulator, out, "--profile", "hugo", "--overwrite")
    assert r["files"]["overwritten"] == ["content/infos/piscines.md"]
    assert (out / "content/infos/piscines.md").read_text().startswith("---\ntitle: Piscines")
    assert report(emulator, out, "--profile", "hugo")["files"]["written"] == 0  # now the export's own


def test_a_file_already_as_the_export_writes_it_is_adopted(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report(emulator, out, "--profile", "eleventy")
    (out / ".wfsync-export.json").unlink()  # the ledger lost: the files are still exactly the export's
    r = report(emulator, out, "--profile", "eleventy")
    assert r["files"]["written"] == 0 and r["files"]["overwritten"] == []
    assert "cms/infos/social.md" in json.loads((out / ".wfsync-export.json").read_text())["generated"]


def test_an_exported_file_edited_since_is_not_overwritten(emulator: EmulatorServer, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report(emulator, out, "--profile", "hugo")
    page = out / "content/infos/social.md"
    page.write_text(page.read_text() + "\nMy added paragraph.\n")
    edited = page.read_bytes()
    result = export(emulator, out, "--profile", "hugo", code=2)
    assert page.read_bytes() == edited
    assert str(page) in result.output and "edited since the last export" in result.output
    report(emulator, out, "--profile", "hugo", "--overwrite")
    assert b"My added paragraph" not in page.read_bytes()


@pytest.mark.parametrize("where", ["snapshots/guide-sierre", "snapshots/guide-sierre/site", "snapshots",
                                   "mappings", ".", "mappings/x"])
def test_the_snapshot_and_project_folders_are_refused(emulator: EmulatorServer, tmp_path: Path, where: str) -> None:
    root = tmp_path / "project"
    (root / "snapshots/guide-sierre/.wfsync").mkdir(parents=True)
    (root / "snapshots/guide-sierre/cms/infos").mkdir(parents=True)
    (root / "snapshots/guide-sierre/cms/infos/social.md").write_text("synced\n")
    (root / "mappings").mkdir()
    before = tree(root)
    result = export(emulator, root / where, "--profile", "eleventy", "--json", root=root, code=2)
    document = json.loads(result.stdout)
    assert document["error"]["kind"] == "config" and "--out" in document["error"]["message"]
    assert "outside the project's snapshots/ and mappings/" in document["error"]["hint"]
    assert tree(root) == before


def test_a_snapshot_outside_the_project_is_refused_too(emulator: EmulatorServer, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere/snap"
    (other / ".wfsync").mkdir(parents=True)
    result = export(emulator, other, "--profile", "hugo", code=2)
    assert "inside the synced snapshot" in result.output and not (other / "content").exists()

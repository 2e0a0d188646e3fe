"""A message that names another file names it as every other path is named: from the project root
(``snapshots/demo/cms/…``), in human output and in JSON, so it can be pasted into a shell or editor
from the project folder."""

from __future__ import annotations

import json
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import coll, remote_item
from tests.test_push import edit

S = "snapshots/demo/"


def _text(output: str) -> str:
    return " ".join(output.split())


def _messages(emulator: EmulatorServer, root: Path, *args: str) -> list[str]:
    result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo", "--json")
    document = json.loads(result.stdout)
    return [p["message"] for p in document["problems"]] + [a.get("detail") or "" for a in document["actions"]]


def test_a_refused_deletion_names_the_referring_files_from_the_project_root(emulator: EmulatorServer,
                                                                             tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/categories/culture-et-loisirs.md").unlink()
    args = ("push", "--allow-delete", "--max-delete", "100%")
    result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
    assert result.exit_code == 1
    out = _text(result.stderr)
    assert f"deleted here, but {S}cms/evenements/cinema-open-air.md (f_categorie)," in out, out
    assert f"{S}cms/infos/piscines.md (f_couleur) still refer to it" in out, out
    found = [m for m in _messages(emulator, root, *args) if m.startswith("deleted here")]
    assert found and all(f"{S}cms/infos/piscines.md (f_couleur)" in m for m in found)
    assert all(" cms/" not in m for m in found), found  # no file named from inside the snapshot


def test_a_slug_used_twice_names_the_other_file_from_the_project_root(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "slug: piscines", "slug: bibliotheque")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1
    assert f"'bibliotheque' is also used by {S}cms/infos/bibliotheque.md" in _text(result.stderr), result.stderr
    found = [m for m in _messages(emulator, root, "push") if "is also used by" in m]
    assert found and all(f"used by {S}cms/infos/" in m for m in found), found


def test_a_reference_to_an_item_deleted_in_webflow_names_it_from_the_project_root(emulator: EmulatorServer,
                                                                                   tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    category = remote_item(emulator, "categories", "culture-et-loisirs")
    emulator.state.delete(coll(emulator, "categories").id, [category.id], live=False)
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 1
    assert f"refers to {S}cms/categories/culture-et-loisirs.md, deleted in Webflow" in _text(result.stderr)
    found = [m for m in _messages(emulator, root, "status") if m.startswith("refers to")]
    assert all(m.startswith(f"refers to {S}cms/") for m in found), found


def test_a_file_moved_out_of_its_mapping_is_named_with_its_old_place_from_the_project_root(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "old").mkdir()
    (infos / "etat-civil.md").rename(infos / "old/etat-civil.md")
    result = wfsync(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo")
    assert result.exit_code == 1
    out = _text(result.output)
    assert f"now {S}cms/infos/old/etat-civil.md, moved where no mapping covers it" in out, out
    assert f"move it back to {S}cms/infos/etat-civil.md" in out, out
    found = [m for m in _messages(emulator, root, "status") if "no mapping covers" in m]
    assert found and all(" cms/" not in m for m in found), found

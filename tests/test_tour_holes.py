"""Holes a new user's tour of wfsync found, each as the tour ran it: the demo site, the `wfsync`
command, edits on both sides."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import remote_item


def _live_slugs(emulator: EmulatorServer, collection: str) -> set[str]:
    from tests.test_engine_holes import coll
    return {i.staged["fieldData"]["slug"] for i in coll(emulator, collection).items.values()}


# -- A1. a file moved out of its mapped folder ---------------------------------------------------

def test_a_file_moved_out_of_its_mapped_folder_does_not_delete_its_item(emulator: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "old").mkdir()
    (infos / "etat-civil.md").rename(infos / "old/etat-civil.md")
    (snapshot(root) / "cms/autres").mkdir()
    (infos / "bibliotheque.md").rename(snapshot(root) / "cms/autres/bibliotheque.md")

    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "To push" not in status.stdout, status.stdout  # not listed as deletions
    assert "moved out of mapping" in status.stdout and "cms/infos/old/etat-civil.md" in status.stdout

    result = wfsync(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo")
    assert {"etat-civil", "bibliotheque"} <= _live_slugs(emulator, "infos"), "a moved file deleted its item"
    assert result.exit_code == 1, result.output  # something for the user to decide
    line = next(x for x in result.stdout.splitlines() if "cms/infos/etat-civil.md" in x)
    assert line.startswith("held") and "cms/infos/old/etat-civil.md" in line and "move the file back" in line
    assert "delete cms/infos/old/etat-civil.md to delete the item" in line

    # moved back: the same item, nothing to do
    (infos / "old/etat-civil.md").rename(infos / "etat-civil.md")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo", code=1)
    assert not any(a["path"] == "cms/infos/etat-civil.md" and a["op"] != "nothing" for a in report["actions"])
    # the stray file deleted: now the deletion is what the user asked for
    (snapshot(root) / "cms/autres/bibliotheque.md").unlink()
    report = wfsync_json(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo")
    assert "bibliotheque" not in _live_slugs(emulator, "infos")
    assert "etat-civil" in _live_slugs(emulator, "infos")


# -- B2-B5. a dry run says what the real run would do ---------------------------------------------

def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_a_dry_run_does_not_promise_a_deletion_the_real_run_refuses(emulator: EmulatorServer,
                                                                    tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/categories/culture-et-loisirs.md").unlink()  # other files refer to it
    args = ("push", "--snapshot", "demo", "--allow-delete", "--max-delete", "100%")
    dry = wfsync(emulator, SITE_ID, root, *args, "--dry-run")
    real = wfsync(emulator, SITE_ID, root, *args)
    assert real.exit_code == 1 and "cms/infos/piscines.md (f_couleur)" in real.output
    assert "culture-et-loisirs" in _live_slugs(emulator, "categories")
    assert dry.exit_code == 1, dry.output
    assert not any(line.startswith("would delete") for line in _lines(dry.stdout)), dry.stdout
    line = next(x for x in _lines(dry.stdout) if "culture-et-loisirs.md" in x)
    assert line.startswith("held") and "refer" in line
    assert not any("delete" in x for x in _lines(dry.stdout) if x.startswith("categories ")), dry.stdout


def test_dry_run_totals_say_would_and_name_no_copy_they_did_not_write(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    from tests.test_engine_holes import edit, edit_in_webflow
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines A")
    edit_in_webflow(emulator, "infos", "piscines", name="Piscines B")
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    dry = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--dry-run")
    assert dry.exit_code == 3, dry.output
    lines = _lines(dry.stdout)
    total = next(x for x in lines if x.startswith("infos "))
    assert "would push 1" in total and "1 pushed" not in total, total
    conflict = next(x for x in lines if "piscines.md" in x)
    assert "piscines.remote.md" not in conflict and not (snapshot(root) / "cms/infos/piscines.remote.md").exists()
    pull = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--dry-run")
    assert not any("written" in x for x in _lines(pull.stdout) if x.startswith("infos ")), pull.stdout


def test_a_pushed_deletion_does_not_read_as_deleted_in_webflow(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "cms/infos/hopital.md").unlink()
    for extra in (("--dry-run",), ()):
        result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", *extra)
        assert result.exit_code == 0, result.output
        line = next(x for x in _lines(result.stdout) if "hopital.md" in x)
        assert line.endswith("(file deleted locally)") and "in Webflow" not in line, line
    assert "hopital" not in _live_slugs(emulator, "infos")

"""Every file named: one line per item acted on or held, labels that say what happened, totals after."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, pulled_project, snapshot, wfsync
from tests.test_push import edit, edit_both_sides, remote_item

S = "snapshots/demo/cms/infos"


def lines_of(output: str) -> list[str]:
    return [" ".join(line.split()) for line in output.splitlines()]


def test_a_first_pull_names_each_new_file_and_each_skipped_item(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    lines = lines_of(result.stdout)
    assert f"added {S}/social.md (new in Webflow)" in lines
    assert any(line.startswith(f"skipped {S}/") and "archived in Webflow; --archived pulls it" in line
               for line in lines)
    assert lines[-1].startswith("infos ") and "written" in lines[-1] and "API calls" in lines[-1]


def test_push_names_what_it_did_and_what_it_held(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    (snapshot(root) / "cms/infos/hopital.md").unlink()
    dry = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert f"would push {S}/piscines.md (title)" in lines_of(dry.stdout)
    assert emulator.log and all(r.method == "GET" for r in emulator.log)
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    lines = lines_of(result.stdout)
    assert f"pushed {S}/piscines.md (title)" in lines
    assert f"held {S}/hopital.md (file deleted: the Webflow item is deleted only with --allow-delete)" in lines
    assert any(line.startswith("infos ") and "1 updated" in line and "1 held" in line for line in lines)


def test_a_pull_says_new_changed_and_removed_apart(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    item = remote_item(emulator, "infos", "piscines")
    item.staged["fieldData"]["tag-2"] = "Baignade"
    item.staged["lastUpdated"] = emulator.state.now()
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
    assert f"updated {S}/piscines.md (changed in Webflow: f_tag-2)" in lines_of(result.stdout)
    assert not any(line.startswith("added ") for line in lines_of(result.stdout))


def test_a_conflict_is_held_with_its_fields_and_the_copy_named(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 3
    assert (f"held {S}/piscines.md (conflict: title changed on both sides — see {S}/piscines.remote.md)"
            in lines_of(result.stdout))


def test_quiet_silences_success_but_not_conflicts(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    quiet = wfsync(emulator, SITE_ID, root, "-q", "push", "--snapshot", "demo")
    assert quiet.exit_code == 0 and quiet.stdout == ""
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    quiet = wfsync(emulator, SITE_ID, root, "-q", "sync", "--snapshot", "demo")
    assert quiet.exit_code == 3 and f"{S}/piscines.md" in quiet.stdout and "conflict:" in quiet.stdout


def test_demo_fits_eighty_columns_and_explains_skipped(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from connector.cli import main

    result = CliRunner().invoke(main, ["--root", str(tmp_path), "demo"], env={"WEBFLOW_TOKEN": "", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    for slug in ("categories", "infos", "evenements"):
        assert any(line.split()[:1] == [slug] for line in result.output.splitlines()
                   if "written" in line), slug
    assert "skipped: 6 items are archived in Webflow" in " ".join(result.output.split())
    too_wide = [line for line in result.output.splitlines() if len(line) > 80 and "/" not in line]
    assert too_wide == []

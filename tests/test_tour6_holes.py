"""Holes the sixth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits in the files and in Webflow."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import coll, edit, edit_in_webflow, remote_item

EVENTS = ("concert-d-ete", "fete-nationale", "marche-de-noel", "nuit-des-musees")  # published ones naming it
GONE = "snapshots/demo/cms/infos/creches-et-garderies.md"


def delete_creches(emulator: EmulatorServer) -> str:
    dead = remote_item(emulator, "infos", "creches-et-garderies").id
    emulator.state.delete(coll(emulator, "infos").id, [dead], live=False)
    return dead


def named(problems: list[dict[str, str]], needle: str) -> list[tuple[str, str]]:
    return sorted((p["path"].rsplit("/", 1)[-1], p["key"]) for p in problems if needle in p["message"])


def test_files_naming_an_item_deleted_in_webflow_are_listed_on_every_run(emulator: EmulatorServer,
                                                                         tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    delete_creches(emulator)
    expected = [(f"{slug}.md", "f_lieux") for slug in EVENTS]
    for command in ("status", "sync"):  # what the sync will say, status says first
        report = wfsync_json(emulator, SITE_ID, root, command, "--snapshot", "demo", code=1)
        assert named(report["problems"], GONE) == expected, (command, report["problems"])
    for command in ("sync", "pull", "status"):  # not only once: until the files change
        report = wfsync_json(emulator, SITE_ID, root, command, "--snapshot", "demo", code=1)
        assert not report["ok"] and named(report["problems"], GONE) == expected, (command, report["problems"])
    result = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert result.exit_code == 1 and "Everything is in step" not in result.output, result.output
    assert "concert-d-ete.md: f_lieux: refers to " + GONE in result.output
    edit(snapshot(root) / "cms/evenements/fete-nationale.md", "f_places: ", "f_places: 1")  # edited for another reason
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and emulator.requests("PATCH", "/") == [], result.output
    assert "creches-et-garderies.md is the file of an item deleted in Webflow" in result.output, result.output
    edit(snapshot(root) / "cms/evenements/fete-nationale.md", "f_places: 1", "f_places: ")
    for slug in EVENTS:  # the fix: the reference removed
        edit(snapshot(root) / f"cms/evenements/{slug}.md", "  - cms/infos/creches-et-garderies.md\n", "")
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    report = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert report["problems"] == [] and report["warnings"] == []


def test_files_keeping_the_id_of_a_deleted_item_are_warned_on_every_run(emulator: EmulatorServer,
                                                                        tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    dead = delete_creches(emulator)
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", code=1)
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")  # Webflow's items: the dead id
    expected = [(f"{slug}.md", "f_lieux") for slug in EVENTS]
    for command in ("sync", "status"):
        report = wfsync_json(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert named(report["warnings"], dead) == expected, (command, report["warnings"])
        assert report["problems"] == []


def test_a_held_file_naming_a_deleted_item_is_named_once_and_as_it_is(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    delete_creches(emulator)
    edit_in_webflow(emulator, "evenements", "concert-d-ete", places=999)  # its item changed too: held
    for args in (("status",), ("sync",)):
        result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
        assert result.exit_code == 1, result.output
        assert "keeps the id" not in result.output, result.output  # the file still names the path
        about = [x for x in result.output.splitlines() if x.startswith("problem:") and "concert-d-ete.md" in x]
        assert len(about) == 1, result.output
    assert "cms/infos/creches-et-garderies.md" in (snapshot(root) / "cms/evenements/concert-d-ete.md").read_text()


def test_an_unreadable_file_whose_item_changed_in_webflow_is_a_conflict(emulator: EmulatorServer,
                                                                         tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/evenements/fete-du-vin.md"
    edit(file, "\nf_places:", "\n   broken: [\nf_places:")  # badly indented: the file cannot be read
    broken = file.read_bytes()
    edit_in_webflow(emulator, "evenements", "fete-du-vin", places=999)
    copy = snapshot(root) / "cms/evenements/fete-du-vin.remote.md"
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "changed on both sides" in status.stdout and "fete-du-vin.md" in status.stdout, status.output
    for args in (("pull",), ("sync", "--skip-invalid"), ("sync", "--skip-invalid", "--on-conflict", "remote")):
        result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
        assert result.exit_code == 3, (args, result.output)
        line = next(x for x in result.stdout.splitlines() if "fete-du-vin.md" in x)
        assert "changed in Webflow" in line and "cannot be read" in line, line
        assert file.read_bytes() == broken  # never overwritten
        assert "f_places: 999" in copy.read_text(encoding="utf-8")  # Webflow's edit, to merge by hand
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=3)
    assert [c["path"] for c in report["conflicts"]] == ["snapshots/demo/cms/evenements/fete-du-vin.md"]
    assert any(p["path"].endswith("fete-du-vin.md") for p in report["problems"])  # what to fix, still said
    edit(file, "\n   broken: [\nf_places:", "\nf_places:")  # fixed: Webflow's edit comes in
    copy.unlink()
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert "f_places: 999" in file.read_text(encoding="utf-8")


def test_push_still_sends_nothing_while_an_unreadable_file_is_in_conflict(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/evenements/fete-du-vin.md", "\nf_places:", "\n   broken: [\nf_places:")
    edit_in_webflow(emulator, "evenements", "fete-du-vin", places=999)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "nothing was sent" in result.output, result.output
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"


def test_status_lists_a_file_push_refuses_as_held_not_as_modified(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/evenements/festival-bd.md"
    text = file.read_text(encoding="utf-8")
    edit(file, next(x for x in text.splitlines() if x.startswith("f_places:")), "f_places: beaucoup")
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")  # a valid edit
    push = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--skip-invalid")
    assert any(x.startswith("held") and "festival-bd.md" in x for x in push.stdout.splitlines()), push.output
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Natation", "f_tag-2: Nage")
    result = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert result.exit_code == 1, result.output
    out = result.stdout.splitlines()
    pushes = out[out.index("To push (wfsync push)") + 1:]
    pushes = pushes[:next((n for n, x in enumerate(pushes) if not x.startswith("  ")), len(pushes))]
    assert any("piscines.md" in x for x in pushes) and not any("festival-bd.md" in x for x in pushes), result.stdout
    held = next(x for x in out if "festival-bd.md" in x)
    assert "held" in held and "invalid" in held, result.stdout
    assert "problem: snapshots/demo/cms/evenements/festival-bd.md" in result.stderr


def test_status_names_a_file_renamed_in_webflow_as_it_is_and_where_it_goes(emulator: EmulatorServer,
                                                                           tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    remote_item(emulator, "infos", "piscines").staged["fieldData"]["slug"] = "piscines-couvertes"
    edit_in_webflow(emulator, "infos", "piscines-couvertes")
    result = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    line = next(x for x in result.stdout.splitlines() if "piscines" in x)
    assert "changed in Webflow:" in line, result.stdout
    assert "snapshots/demo/cms/infos/piscines.md → snapshots/demo/cms/infos/piscines-couvertes.md" in line, line
    report = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    entry = next(a for a in report["actions"] if "piscines" in a["path"])
    assert (entry["moved_from"], entry["path"]) == ("snapshots/demo/cms/infos/piscines.md",
                                                    "snapshots/demo/cms/infos/piscines-couvertes.md"), entry
    assert (snapshot(root) / "cms/infos/piscines.md").exists()  # status moves nothing

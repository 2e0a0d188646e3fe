"""An item deleted in Webflow while other items still refer to it: the referring items are
written (the reference kept as the id Webflow holds, with a warning naming file and key), are
not shown as changed on every run, and a push never sends the dead id as a change."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.yamlstyle import load as load_yaml
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import coll, edit, remote_item

EVENTS = ("concert-d-ete", "fete-nationale", "marche-de-noel", "nuit-des-musees")  # published ones using it


def delete_creches(emulator: EmulatorServer) -> str:
    dead = remote_item(emulator, "infos", "creches-et-garderies").id
    emulator.state.delete(coll(emulator, "infos").id, [dead], live=False)
    return dead


def lieux(root: Path, slug: str) -> list[str]:
    text = (snapshot(root) / f"cms/evenements/{slug}.md").read_text(encoding="utf-8")
    front = text.removeprefix("---\n").split("\n---\n", 1)[0]
    return list(load_yaml(front)["f_lieux"])


def test_a_fresh_pull_writes_the_items_that_refer_to_a_deleted_one(emulator: EmulatorServer, tmp_path: Path) -> None:
    dead = delete_creches(emulator)
    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    for slug in EVENTS:
        assert dead in lieux(root, slug), slug  # the id Webflow holds, kept
        assert any(v.startswith("cms/infos/") for v in lieux(root, slug)), slug  # the others stay paths
        line = next(x for x in result.output.splitlines() if x.startswith("warning:") and f"{slug}.md" in x)
        assert "f_lieux" in line and "deleted in Webflow" in line and dead in line, line
    assert "held" not in result.output and "problem:" not in result.output
    # in step from now on, also when Webflow is read in full
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert [a for a in report["actions"] if a["op"] != "nothing"] == [], report["actions"]
    assert wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo", "--exit-code").exit_code == 0


def test_an_existing_project_takes_the_id_once_instead_of_holding_every_run(emulator: EmulatorServer,
                                                                              tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    dead = delete_creches(emulator)
    first = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert not (snapshot(root) / "cms/infos/creches-et-garderies.md").exists()
    for _ in range(2):
        wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert [a for a in report["actions"] if a["op"] != "nothing"] == [], (first.output, report["actions"])
    assert report["problems"] == []
    assert {w["key"] for w in report["warnings"] if dead in w["message"]} == {"f_lieux"}
    for slug in EVENTS:
        assert dead in lieux(root, slug)


def test_a_push_never_sends_the_dead_id_as_a_change(emulator: EmulatorServer, tmp_path: Path) -> None:
    dead = delete_creches(emulator)
    root = demo_project(tmp_path)
    wfsync(emulator, SITE_ID, root, "init")
    wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    path = snapshot(root) / "cms/evenements/fete-nationale.md"
    before = remote_item(emulator, "evenements", "fete-nationale").staged["fieldData"]["lieux"]
    # any push of the file is refused while it names the deleted item, with what to do
    edit(path, "f_places: ", "f_places: 1")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "f_lieux" in result.output and "remove it" in result.output, result.output
    assert emulator.requests("PATCH", "/") == []
    edit(path, "f_places: 1", "f_places: ")
    edit(path, f"  - {dead}\n", f"  - {dead}\n  - cms/infos/piscines.md\n")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1, result.output
    assert "fete-nationale.md" in result.output and "f_lieux" in result.output
    assert f"{dead} is the id of an item deleted in Webflow" in result.output
    assert remote_item(emulator, "evenements", "fete-nationale").staged["fieldData"]["lieux"] == before
    # removing it is the fix
    edit(path, f"  - {dead}\n", "")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert dead not in remote_item(emulator, "evenements", "fete-nationale").staged["fieldData"]["lieux"]

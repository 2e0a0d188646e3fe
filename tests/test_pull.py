"""Pull against the emulator over real HTTP: the format, idempotence, deletions, safety."""

from __future__ import annotations

import json
import os
from pathlib import Path

from connector.emulator.core import StoredItem
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, files_with_mtimes, snapshot, wfsync, wfsync_json

REFERENCE = (Path(__file__).parent / "data" / "reference-item.md").read_bytes()


def init_and_pull(emulator: EmulatorServer, root: Path, *extra: str) -> dict:
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    return wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", *extra)


def coll(emulator: EmulatorServer, slug: str):
    return next(c for c in emulator.state.collections.values() if c.slug == slug)


def test_pull_writes_the_reference_item_byte_for_byte(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    report = init_and_pull(emulator, root)
    assert (snapshot(root) / "cms/infos/social.md").read_bytes() == REFERENCE
    counts = {c["collection"]: c for c in report["collections"]}
    assert counts["infos"]["written"] == 13 and counts["infos"]["skipped"] == 2  # archived items skipped
    assert counts["evenements"]["written"] == 11
    assert not report["problems"]


def test_second_pull_touches_nothing_and_lists_no_more(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    before = files_with_mtimes(snapshot(root))
    state_before = (snapshot(root) / ".wfsync/state.json").read_bytes()
    first_lists = len(emulator.requests("GET", "/items"))
    emulator.clear_log()
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert files_with_mtimes(snapshot(root)) == before
    assert (snapshot(root) / ".wfsync/state.json").read_bytes() == state_before
    assert sum(c["written"] for c in report["collections"]) == 0
    assert len(emulator.requests("GET", "/items")) <= first_lists


def test_state_is_deterministic(emulator: EmulatorServer, tmp_path: Path) -> None:
    one, two = demo_project(tmp_path / "a"), demo_project(tmp_path / "b")
    init_and_pull(emulator, one)
    init_and_pull(emulator, two)
    assert (snapshot(one) / ".wfsync/state.json").read_bytes() == (snapshot(two) / ".wfsync/state.json").read_bytes()
    assert json.loads((snapshot(one) / ".wfsync/state.json").read_text())["items"]


def test_remote_change_is_pulled_and_local_edit_is_kept(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    infos = coll(emulator, "infos")
    bus = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == "bus-urbains")
    bus.staged["fieldData"]["tag-2"] = "Mobilité douce"
    bus.staged["lastUpdated"] = emulator.state.now()
    edited = snapshot(root) / "cms/infos/piscines.md"
    edited.write_text(edited.read_text().replace("title: Piscines", "title: Piscines couvertes"))
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert "f_tag-2: Mobilité douce" in (snapshot(root) / "cms/infos/bus-urbains.md").read_text()
    assert bus.staged["lastUpdated"] in (snapshot(root) / "cms/infos/bus-urbains.md").read_text()
    assert "title: Piscines couvertes" in edited.read_text()  # never overwritten by a pull
    infos_report = next(c for c in report["collections"] if c["collection"] == "infos")
    assert infos_report["written"] == 1 and infos_report["pending"] == 1


def test_remote_delete_removes_only_unchanged_files(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    infos = coll(emulator, "infos")
    for slug in ("hopital", "nouveaux-habitants"):
        item = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == slug)
        del infos.items[item.id]
    seniors = snapshot(root) / "cms/infos/nouveaux-habitants.md"
    seniors.write_text(seniors.read_text().replace("title: Nouveaux habitants", "title: Aînés"))
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert not (snapshot(root) / "cms/infos/hopital.md").exists()
    assert seniors.exists() and "Aînés" in seniors.read_text()  # a modification beats a deletion
    actions = {a["path"]: a for a in report["actions"]}
    assert actions["snapshots/demo/cms/infos/nouveaux-habitants.md"]["blocked"]


def test_conflict_keeps_both_versions(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    item = next(i for i in coll(emulator, "infos").items.values() if i.staged["fieldData"]["slug"] == "piscines")
    item.staged["fieldData"]["name"] = "Piscines (Webflow)"
    item.staged["lastUpdated"] = emulator.state.now()  # as Webflow does on every change
    local = snapshot(root) / "cms/infos/piscines.md"
    local.write_text(local.read_text().replace("title: Piscines", "title: Piscines (local)"))
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=3)
    assert "Piscines (local)" in local.read_text()
    copy = snapshot(root) / "cms/infos/piscines.remote.md"
    assert "Piscines (Webflow)" in copy.read_text()
    assert report["conflicts"][0]["fields"] == ["title"]


def test_archived_and_drafts_follow_flags(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root, "--archived", "--no-drafts")
    names = {p.name for p in (snapshot(root) / "cms/infos").glob("*.md")}
    archived = [i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values() if i.staged["isArchived"]]
    drafts = [i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values() if i.staged["isDraft"]]
    assert all(f"{s}.md" in names for s in archived)
    assert not any(f"{s}.md" in names for s in drafts)


def test_dry_run_writes_nothing(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--dry-run")
    assert report["dry_run"] and sum(c["written"] for c in report["collections"]) == 30
    assert not snapshot(root).exists() or not list(snapshot(root).rglob("*.md"))


def test_hostile_slug_writes_nothing_outside_the_root(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    cats = coll(emulator, "categories")
    now = emulator.state.now()
    # the emulator validates slugs like Webflow: plant the hostile one behind its back
    cats.items["e" * 24] = StoredItem("e" * 24, "x", now, {"fieldData": {"name": "Evil", "slug": "../../../evil"},
                                                        "isDraft": False, "isArchived": False, "lastUpdated": now})
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=1)
    assert not [p for p in tmp_path.rglob("evil*")]
    problem = report["problems"][0]
    assert problem["collection"] == "categories" and "refused" in problem["message"]
    assert (snapshot(root) / "cms/categories/sante-et-social.md").exists()  # the rest went on


def test_mapping_path_outside_the_root_is_refused(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    (root / "mappings" / "infos.yaml").write_text(
        (root / "mappings" / "infos.yaml").read_text().replace("path: cms/infos/{slug}.md", "path: ../x/{slug}.md"))
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 2
    assert "mappings/infos.yaml: " in result.output and "'..' would leave the snapshot root" in result.output
    assert not (tmp_path / "x").exists() and not (root / "snapshots").exists()


def test_bad_field_value_is_reported_and_the_pull_goes_on(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    events = coll(emulator, "evenements")
    item = next(iter(events.items.values()))
    item.staged["fieldData"]["places"] = "beaucoup"  # not a number
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=1)
    slug = item.staged["fieldData"]["slug"]
    assert report["problems"] == [{"collection": "evenements", "path": f"snapshots/demo/cms/evenements/{slug}.md",
                                   "line": None, "item": slug, "key": "f_places",
                                   "message": "expected a number, found beaucoup"}]
    text = (snapshot(root) / f"cms/evenements/{item.staged['fieldData']['slug']}.md").read_text()
    assert "f_places: beaucoup" in text  # kept as found, not lost
    assert len(list((snapshot(root) / "cms/evenements").glob("*.md"))) == 11


def test_references_become_paths(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    text = (snapshot(root) / "cms/evenements/fete-du-vin.md").read_text()
    assert "f_categorie: cms/categories/sante-et-social.md" in text
    assert "f_lieux:\n  - cms/infos/social.md\n" in text
    assert "f_type: Concert" in text  # the option's name, not its id


def test_slug_renamed_in_webflow_moves_the_file(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    init_and_pull(emulator, root)
    item = next(i for i in coll(emulator, "categories").items.values() if i.staged["fieldData"]["slug"] == "mobilite")
    item.staged["fieldData"]["slug"] = "mobilite-douce"
    item.staged["lastUpdated"] = emulator.state.now()
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert (snapshot(root) / "cms/categories/mobilite-douce.md").exists()
    assert not (snapshot(root) / "cms/categories/mobilite.md").exists()
    # files that reference it follow
    assert "cms/categories/mobilite-douce.md" in (snapshot(root) / "cms/infos/bus-urbains.md").read_text()


def test_switching_from_the_earlier_exporter_changes_no_file(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    existing = snapshot(root) / "cms/infos/social.md"
    existing.parent.mkdir(parents=True)
    existing.write_bytes(REFERENCE)
    os.utime(existing, ns=(1_000_000_000, 1_000_000_000))
    report = init_and_pull(emulator, root)
    assert existing.stat().st_mtime_ns == 1_000_000_000  # adopted as it is, not rewritten
    assert any(a["op"] == "adopt" and a["path"] == "snapshots/demo/cms/infos/social.md" for a in report["actions"])


def test_parallel_conversion_writes_the_same_files(emulator: EmulatorServer, tmp_path: Path, monkeypatch) -> None:
    from connector import workers
    from connector.client import WebflowClient
    from connector.engine import Engine, RunOptions
    from connector.mapping import load_mappings
    from connector.transport import Transport
    from tests.conftest import TOKEN

    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    monkeypatch.setattr(workers, "THRESHOLD", 1)
    outputs = []
    for n, count in enumerate((1, 2)):
        client = WebflowClient(Transport(emulator.base_url, TOKEN))
        folder = tmp_path / f"out{n}"
        Engine(client, SITE_ID, folder, load_mappings(root / "mappings"), workers=count).run(RunOptions(command="pull"))
        outputs.append({p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.md")})
    assert outputs[0] == outputs[1] and len(outputs[0]) == 30


def test_records_read_back_from_the_file_bytes_are_the_same(emulator: EmulatorServer, tmp_path: Path) -> None:
    """Large pulls keep only the file bytes and re-read values from them when needed."""
    from connector.client import WebflowClient
    from connector.convert import item_to_document, render
    from connector.engine import LazyRecord, References
    from connector.mapping import bind, load_mappings
    from connector.transport import Transport
    from tests.conftest import TOKEN

    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    client = WebflowClient(Transport(emulator.base_url, TOKEN))
    by_slug = {c.slug: c for c in client.list_collections(SITE_ID)}
    checked = 0
    for mapping in load_mappings(root / "mappings"):
        schema = client.get_collection(by_slug[mapping.collection].id)
        bound = bind(mapping, schema)
        for item in client.iter_items(schema.id):
            converted = item_to_document(item, bound, schema, References())
            lazy = LazyRecord(render(converted.document).encode("utf-8"), bound)
            assert dict(lazy) == converted.record
            checked += 1
    assert checked == 33


def test_live_pull_writes_what_the_site_shows(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "live", "--live")
    assert all(r.path.endswith("/items/live") for r in emulator.requests("GET", "/items"))
    live = root / "snapshots/live/cms/infos/nouveaux-habitants.md"  # published, then edited in Webflow
    assert "f_mini-description: Ancienne description." in live.read_text()
    drafts = [i.staged["fieldData"]["slug"] for i in coll(emulator, "infos").items.values() if i.live is None]
    assert drafts and not any((root / f"snapshots/live/cms/infos/{s}.md").exists() for s in drafts)

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
    assert "delete snapshots/demo/cms/infos/old/etat-civil.md to delete the item" in line

    # moved back: the same item, nothing to do
    (infos / "old/etat-civil.md").rename(infos / "etat-civil.md")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--allow-delete", "--snapshot", "demo", code=1)
    assert not any(a["path"] == "snapshots/demo/cms/infos/etat-civil.md" and a["op"] != "nothing" for a in report["actions"])
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


# -- A2. --on-conflict decides only what the user named, and keeps the losing side ---------------

def _set_key(path: Path, key: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    i = next(n for n, line in enumerate(lines) if line.startswith(f"{key}:"))
    j = i + 1
    while j < len(lines) and lines[j].startswith(" "):  # a folded value's other lines
        j += 1
    lines[i:j] = [f"{key}: {value}"]
    path.write_text("\n".join(lines), encoding="utf-8")


def test_on_conflict_for_one_file_leaves_other_conflicts_and_keeps_webflows_version(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.test_engine_holes import edit_in_webflow
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    # conflict 1, seen: the user merges it by hand as the report says
    _set_key(infos / "piscines.md", "title", "Piscines A")
    edit_in_webflow(emulator, "infos", "piscines", name="Piscines B")
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 3
    assert "Piscines B" in (infos / "piscines.remote.md").read_text(encoding="utf-8")
    _set_key(infos / "piscines.md", "title", "Piscines A et B")
    # conflict 2, new, never seen by the user
    edit_in_webflow(emulator, "infos", "social", **{"mini-description": "Texte important saisi dans Webflow"})
    _set_key(infos / "social.md", "f_mini-description", "Texte local")

    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local",
                    "cms/infos/piscines.md")
    assert result.exit_code == 3, result.output  # the unseen conflict is still one
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["name"] == "Piscines A et B"
    social = remote_item(emulator, "infos", "social").staged["fieldData"]
    assert social["mini-description"] == "Texte important saisi dans Webflow", "an unseen conflict was decided"
    assert "Texte local" in (infos / "social.md").read_text(encoding="utf-8")
    lines = _lines(result.stdout)
    resolved = next(x for x in lines if "piscines.md" in x)
    assert resolved.startswith("resolved") and "local wins" in resolved and "merged" not in resolved
    assert "Webflow's version kept in snapshots/demo/cms/infos/piscines.remote.md" in resolved
    assert "Piscines B" in (infos / "piscines.remote.md").read_text(encoding="utf-8")
    assert next(x for x in lines if "social.md" in x).startswith("held")

    # a run that decides every conflict (cron): still no side is lost
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "remote")
    assert result.exit_code == 0, result.output
    line = next(x for x in _lines(result.stdout) if "social.md" in x)
    assert line.startswith("resolved") and "your version kept in snapshots/demo/cms/infos/social.local.md" in line
    assert "Texte local" in (infos / "social.local.md").read_text(encoding="utf-8")
    assert "Texte important" in (infos / "social.md").read_text(encoding="utf-8")
    assert "Piscines B" in (infos / "piscines.remote.md").read_text(encoding="utf-8")  # still kept
    assert wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo", "--exit-code").exit_code == 0


def test_a_whole_run_on_conflict_local_keeps_webflows_version(emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.test_engine_holes import edit_in_webflow
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit_in_webflow(emulator, "infos", "social", **{"mini-description": "Texte important saisi dans Webflow"})
    _set_key(infos / "social.md", "f_mini-description", "Texte local")
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local")
    assert remote_item(emulator, "infos", "social").staged["fieldData"]["mini-description"] == "Texte local"
    assert "Texte important saisi dans Webflow" in (infos / "social.remote.md").read_text(encoding="utf-8")
    infos_report = next(c for c in report["collections"] if c["collection"] == "infos")
    assert infos_report["resolved"] == 1 and infos_report["merged"] == 0
    # the next runs keep the copy: it holds what Webflow had, which nothing else does
    edit_in_webflow(emulator, "infos", "social", name="Social (Webflow)")
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert "Texte important saisi dans Webflow" in (infos / "social.remote.md").read_text(encoding="utf-8")


def test_paths_without_on_conflict_are_a_usage_error(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "cms/infos/social.md")
    assert result.exit_code == 2 and "--on-conflict" in result.output
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local", "cms/nope.md")
    assert result.exit_code != 0 and "cms/nope.md" in result.output


# -- A3. references follow an item re-created from its file ---------------------------------------

def test_references_in_webflow_follow_an_item_recreated_from_its_file(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    from tests.test_engine_holes import coll
    root = pulled_project(emulator, SITE_ID, tmp_path)
    velos = remote_item(emulator, "infos", "velos-en-libre-service")
    dead = velos.id
    users = [i for i in coll(emulator, "evenements").items.values()
             if dead in (i.staged["fieldData"].get("lieux") or [])]
    assert users, "the demo's events refer to it"
    emulator.state.delete(coll(emulator, "infos").id, [dead], live=False)  # deleted in Webflow
    _set_key(snapshot(root) / "cms/infos/velos-en-libre-service.md", "title", "Vélos (modifié localement)")

    dry = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--dry-run")
    assert any(x.startswith("would push") and "soiree-jazz.md" in x for x in _lines(dry.stdout)), dry.stdout
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    new = remote_item(emulator, "infos", "velos-en-libre-service")
    assert new is not None and new.id != dead
    for item in users:
        lieux = item.staged["fieldData"]["lieux"]
        assert dead not in lieux and new.id in lieux, f"{item.staged['fieldData']['slug']} still refers to {dead}"
    jazz = next(x for x in _lines(result.stdout) if "soiree-jazz.md" in x)
    assert jazz.startswith("pushed") and "velos-en-libre-service.md" in jazz, jazz
    # both sides agree, as status and diff say
    assert wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo", "--exit-code").exit_code == 0
    diff = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo", "--exit-code")
    assert diff.exit_code == 0 and "No differences." in diff.stdout, diff.stdout
    full = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert full.exit_code == 0 and "held" not in full.stdout, full.stdout


def test_a_full_sync_gives_webflow_the_references_a_stopped_run_did_not_send(
        emulator: EmulatorServer, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.test_engine_holes import coll
    import connector.phases.push as push_phase
    root = pulled_project(emulator, SITE_ID, tmp_path)
    dead = remote_item(emulator, "infos", "velos-en-libre-service").id
    emulator.state.delete(coll(emulator, "infos").id, [dead], live=False)
    _set_key(snapshot(root) / "cms/infos/velos-en-libre-service.md", "title", "Vélos (modifié localement)")
    with monkeypatch.context() as m:  # the run stops after the re-create, before the references
        m.setattr(push_phase, "follow_recreated", lambda *args: None)
        assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 0
    jazz = remote_item(emulator, "evenements", "soiree-jazz")
    assert dead in jazz.staged["fieldData"]["lieux"]
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--full")
    assert result.exit_code == 0, result.output
    new = remote_item(emulator, "infos", "velos-en-libre-service").id
    assert dead not in jazz.staged["fieldData"]["lieux"] and new in jazz.staged["fieldData"]["lieux"]
    assert not any(x.startswith("held") for x in _lines(result.stdout)), result.stdout
    diff = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo", "--exit-code")
    assert diff.exit_code == 0, diff.stdout

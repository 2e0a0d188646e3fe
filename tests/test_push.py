"""Push and sync against the emulator over real HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json


def pulled(emulator: EmulatorServer, tmp_path: Path) -> Path:
    return pulled_project(emulator, SITE_ID, tmp_path)


def coll(emulator: EmulatorServer, slug: str):
    return next(c for c in emulator.state.collections.values() if c.slug == slug)


def remote_item(emulator: EmulatorServer, collection: str, slug: str):
    return next(i for i in coll(emulator, collection).items.values() if i.staged["fieldData"]["slug"] == slug)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_both_sides(emulator: EmulatorServer, root: Path, local: tuple[str, str], remote: dict) -> tuple[Path, object]:
    """Piscines edited in its file and, by someone else, in Webflow."""
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, *local)
    item = remote_item(emulator, "infos", "piscines")
    item.staged["fieldData"].update(remote)
    item.staged["lastUpdated"] = emulator.state.now()
    return file, item


def writes(emulator: EmulatorServer) -> list:
    return [r for r in emulator.log if r.method in ("POST", "PATCH", "DELETE")]


def test_push_sends_only_the_changed_field(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    seen: list[dict] = []
    emulator.before_request = lambda m, p, q: None
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    item = remote_item(emulator, "infos", "piscines")
    assert item.staged["fieldData"]["tag-2"] == "Natation"
    patches = [r for r in writes(emulator)]
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in patches] == [("PATCH", "items")]
    assert sum(c["updated"] for c in report["collections"]) == 1
    # Webflow's new lastUpdated is in the file; nothing else in it moved
    text = file.read_text(encoding="utf-8")
    assert f"updated-on: '{item.staged['lastUpdated']}'" in text
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=0)
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []
    del seen


def test_push_body_has_only_changed_fields_and_no_unchanged_slug(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    bodies: list = []
    original = emulator.handle

    def spy(method, raw_path, headers, raw_body):  # noqa: ANN001
        if method == "PATCH":
            bodies.append(json.loads(raw_body))
        return original(method, raw_path, headers, raw_body)

    emulator.handle = spy  # type: ignore[method-assign]
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    edit(snapshot(root) / "cms/infos/hopital.md", "slug: hopital", "slug: hopital-de-sierre")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    sent = {tuple(sorted(i["fieldData"])) for b in bodies for i in b["items"]}
    assert sent == {("name",), ("slug",)}
    assert (snapshot(root) / "cms/infos/hopital-de-sierre.md").exists()  # the file follows its new slug
    assert not (snapshot(root) / "cms/infos/hopital.md").exists()


def test_sync_merges_edits_to_different_fields(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file, item = edit_both_sides(emulator, root, ("f_tag-2: Sport", "f_tag-2: Natation"), {"name": "Piscines de Sierre"})
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert item.staged["fieldData"]["tag-2"] == "Natation" and item.staged["fieldData"]["name"] == "Piscines de Sierre"
    text = file.read_text(encoding="utf-8")
    assert "f_tag-2: Natation" in text and "title: Piscines de Sierre" in text
    assert sum(c["merged"] for c in report["collections"]) == 1 and not report["conflicts"]


def test_same_field_on_both_sides_is_a_conflict_with_both_kept(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file, item = edit_both_sides(emulator, root, ("f_tag-2: Sport", "f_tag-2: Natation"), {"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["conflicts"][0]["fields"] == ["f_tag-2"]
    assert item.staged["fieldData"]["tag-2"] == "Baignade"  # Webflow untouched
    assert "f_tag-2: Natation" in file.read_text()  # the file untouched
    assert "f_tag-2: Baignade" in (snapshot(root) / "cms/infos/piscines.remote.md").read_text()
    # the user picks a side: local wins
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local")
    assert item.staged["fieldData"]["tag-2"] == "Natation"


def test_a_change_in_webflow_during_the_run_becomes_a_conflict(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    item = remote_item(emulator, "infos", "piscines")

    def someone_edits(method: str, path: str, query: dict) -> None:
        if "lastUpdated[gte]" in query and item.staged["fieldData"]["tag-2"] == "Sport":
            item.staged["fieldData"]["tag-2"] = "Baignade"  # an editor saves in Webflow just then
            item.staged["lastUpdated"] = emulator.state.now()

    emulator.before_request = someone_edits
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    assert result.exit_code == 3, result.output
    assert item.staged["fieldData"]["tag-2"] == "Baignade"  # not overwritten
    assert "changed in Webflow during this run" in json.loads(result.stdout)["conflicts"][0]["reason"]


def test_push_of_250_changed_items_takes_3_update_calls(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    (root / "mappings" / "infos.yaml").unlink()
    cats = coll(emulator, "categories")
    created = []
    for n in range(250):
        created.append({"fieldData": {"name": f"Catégorie {n}", "slug": f"cat-{n}", "couleur": "#000000"}})
    emulator.state.create(cats.id, created[:100], publish=False)
    emulator.state.create(cats.id, created[100:200], publish=False)
    emulator.state.create(cats.id, created[200:], publish=False)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    for extra in ("infos", "evenements"):
        (root / "mappings" / f"{extra}.yaml").unlink()
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    for n in range(250):
        edit(snapshot(root) / f"cms/categories/cat-{n}.md", "f_couleur: '#000000'", "f_couleur: '#FFFFFF'")
    emulator.clear_log()
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert [r.method for r in writes(emulator)] == ["PATCH", "PATCH", "PATCH"]
    assert sum(c["updated"] for c in report["collections"]) == 250
    assert all(i.staged["fieldData"]["couleur"] == "#FFFFFF" for i in cats.items.values()
               if i.staged["fieldData"]["slug"].startswith("cat-"))


def test_invalid_files_give_a_full_list_and_no_write_call(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    events = snapshot(root) / "cms/evenements"
    edit(events / "fete-du-vin.md", "f_places: 50", "f_places: 1.5")
    edit(events / "fete-du-vin.md", "f_type: Concert", "f_type: Opéra")
    edit(events / "marche-de-noel.md", "f_categorie: cms/categories/education.md", "f_categorie: cms/categories/nulle-part.md")
    edit(events / "concert-d-ete.md", "slug: concert-d-ete", "slug: Concert d'été")
    edit(events / "course-de-la-ville.md", "f_contact: agenda@sierre.ch", "f_contact: pas une adresse")
    edit(events / "course-de-la-ville.md", "f_gratuit: false", "f_gratuite: false")
    (events / "nouveau.md").write_text("---\ntitle: ''\nslug: fete-du-vin\n---\n\n\n", encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1
    out = re.sub(r"\.md:\d+: ", ".md: ", result.output)  # file:line: key, as compilers write it
    for needle in ("fete-du-vin.md: f_places: expected a whole number", "f_type: Opéra is not an option",
                   "marche-de-noel.md: f_categorie", "concert-d-ete.md: slug", "course-de-la-ville.md: f_contact",
                   "course-de-la-ville.md: f_gratuite: unknown key", "nouveau.md: title: required",
                   "nouveau.md: slug: 'fete-du-vin' is also used"):
        assert needle in out, needle
    assert writes(emulator) == []
    # --skip-invalid sends the rest
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--skip-invalid", "--json")
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"
    assert result.exit_code == 1 and json.loads(result.stdout)["problems"]


def test_new_files_are_created_with_references_to_each_other(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    cats = snapshot(root) / "cms/categories"
    (cats / "sport.md").write_text("---\ntitle: Sport\nslug: sport\nf_couleur: '#00AA00'\n---\n\n\n", encoding="utf-8")
    template = (snapshot(root) / "cms/evenements/fete-du-vin.md").read_text(encoding="utf-8")
    new_event = template.replace("title: Fête du vin", "title: Tournoi de pétanque").replace(
        "slug: fete-du-vin", "slug: tournoi-de-petanque").replace(
        "f_categorie: cms/categories/sante-et-social.md", "f_categorie: cms/categories/sport.md")
    (snapshot(root) / "cms/evenements/tournoi-de-petanque.md").write_text(new_event, encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert sum(c["created"] for c in report["collections"]) == 2
    sport = remote_item(emulator, "categories", "sport")
    event = remote_item(emulator, "evenements", "tournoi-de-petanque")
    assert event.staged["fieldData"]["categorie"] == sport.id
    assert "created-on:" in (cats / "sport.md").read_text()
    again = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in again["actions"] if a["op"] != "nothing"] == []


def test_publish_publishes_pushed_items_and_drafts_stay_drafts(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    draft = next(i for i in coll(emulator, "infos").items.values() if i.staged["isDraft"])
    draft_file = snapshot(root) / f"cms/infos/{draft.staged['fieldData']['slug']}.md"
    edit(draft_file, "f_tag-2: ", "f_tag-2: Brouillon ")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--publish")
    item = remote_item(emulator, "infos", "piscines")
    assert item.live is not None and item.live["fieldData"]["tag-2"] == "Natation"
    assert f"published-on: '{item.last_published}'" in file.read_text()
    assert draft.live is None and draft.staged["isDraft"]
    assert sum(c["published"] for c in report["collections"]) == 1


def test_deletes_need_permission_and_unpublish_first(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    (snapshot(root) / "cms/infos/piscines.md").unlink()
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert remote_item(emulator, "infos", "piscines")  # still there
    assert any(a["op"] == "delete-remote" and a["blocked"] for a in report["actions"])
    emulator.clear_log()
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete")
    assert not any(i.staged["fieldData"]["slug"] == "piscines" for i in coll(emulator, "infos").items.values())
    assert [(r.method, r.path.endswith("/live")) for r in writes(emulator)] == [("DELETE", True), ("DELETE", False)]


def test_delete_limit_and_empty_side_abort(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    for name in ("piscines", "hopital", "bibliotheque"):
        (snapshot(root) / f"cms/infos/{name}.md").unlink()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "2")
    assert result.exit_code == 1 and "more than --max-delete 2" in result.output
    assert writes(emulator) == []
    for f in (snapshot(root) / "cms/categories").glob("*.md"):
        f.unlink()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "100%")
    assert result.exit_code == 1 and "local side has no items" in result.output
    assert writes(emulator) == []


def test_status_and_diff_show_each_way(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "### ASSOCIATION SIERRE PARTAGE", "### ASSOCIATION SIERRE-PARTAGE")
    item = remote_item(emulator, "infos", "piscines")
    item.staged["fieldData"]["tag-2"] = "Baignade"
    item.staged["lastUpdated"] = emulator.state.now()
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert status.exit_code == 0
    assert "To push" in status.output and "modified:             snapshots/demo/cms/infos/social.md" in status.output
    assert "To pull" in status.output and "changed in Webflow:   snapshots/demo/cms/infos/piscines.md" in status.output
    diff = wfsync(emulator, SITE_ID, root, "diff", "cms/infos/social.md", "--snapshot", "demo")
    assert "@@ f_contenu @@" in diff.output
    assert "-### ASSOCIATION SIERRE PARTAGE" in diff.output and "+### ASSOCIATION SIERRE-PARTAGE" in diff.output
    assert "piscines" not in diff.output
    data = json.loads(wfsync(emulator, SITE_ID, root, "diff", "--json", "--snapshot", "demo").stdout)
    assert {d["path"] for d in data["differences"]} == {"snapshots/demo/cms/infos/social.md", "snapshots/demo/cms/infos/piscines.md"}
    assert writes(emulator) == [] and "Baignade" not in (snapshot(root) / "cms/infos/piscines.md").read_text()


def test_a_new_item_may_refer_to_a_new_item_of_a_later_collection(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    info = (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8")
    (snapshot(root) / "cms/infos/patinoire.md").write_text(
        info.replace("title: Piscines", "title: Patinoire").replace("slug: piscines", "slug: patinoire"), encoding="utf-8")
    event = (snapshot(root) / "cms/evenements/fete-du-vin.md").read_text(encoding="utf-8")
    event = event.replace("title: Fête du vin", "title: Gala sur glace").replace("slug: fete-du-vin", "slug: gala-sur-glace")
    event = event.replace("  - cms/infos/social.md\n", "  - cms/infos/patinoire.md\n")
    (snapshot(root) / "cms/evenements/gala-sur-glace.md").write_text(event, encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert sum(c["created"] for c in report["collections"]) == 2
    rink = remote_item(emulator, "infos", "patinoire")
    gala = remote_item(emulator, "evenements", "gala-sur-glace")
    assert rink.id in gala.staged["fieldData"]["lieux"]
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []


def test_resolving_a_conflict_by_hand(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file, item = edit_both_sides(emulator, root, ("f_tag-2: Sport", "f_tag-2: Natation"), {"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 3 and "--on-conflict local" in result.output
    copy = snapshot(root) / "cms/infos/piscines.remote.md"
    edit(file, "f_tag-2: Natation", "f_tag-2: Natation et baignade")  # merged by hand
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--on-conflict", "local")
    assert item.staged["fieldData"]["tag-2"] == "Natation et baignade"
    # the losing side is kept: Webflow's version stays beside the file
    assert "f_tag-2: Baignade" in copy.read_text(encoding="utf-8")

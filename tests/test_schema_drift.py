"""Fields changed in Webflow after init: reported, added on request, never dropped or mis-sent."""

from __future__ import annotations

import json
from pathlib import Path

from connector.emulator.core import object_id
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync, wfsync_json


def coll(emulator: EmulatorServer, slug: str):
    return next(c for c in emulator.state.collections.values() if c.slug == slug)


def writes(emulator: EmulatorServer) -> list:
    return [r for r in emulator.log if r.method in ("POST", "PATCH", "DELETE")]


def test_a_new_field_is_reported_and_init_update_adds_it_keeping_the_users_edits(emulator: EmulatorServer,
                                                                                 tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    mapping = root / "mappings/categories.yaml"
    edited = mapping.read_text(encoding="utf-8").replace("f_couleur: couleur", "teinte: couleur  # my name for it")
    mapping.write_text(edited, encoding="utf-8")
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    cats = coll(emulator, "categories")
    cats.fields.append({"id": object_id("cat:icone"), "isEditable": True, "isRequired": False, "type": "PlainText",
                        "slug": "icone", "displayName": "Icône", "helpText": ""})
    for item in cats.items.values():
        item.staged["fieldData"]["icone"] = "étoile"
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    notes = [n["message"] for n in report["notices"] if n["collection"] == "categories"]
    assert notes and "'icone'" in notes[0] and "wfsync init --update" in notes[0]
    assert mapping.read_text(encoding="utf-8") == edited  # a run never edits a mapping
    result = wfsync(emulator, SITE_ID, root, "init", "--update")
    assert result.exit_code == 0 and "f_icone: icone" in result.output, result.output
    text = mapping.read_text(encoding="utf-8")
    assert text.startswith(edited.split("front_matter:")[0]) and "teinte: couleur  # my name for it" in text
    assert "f_icone: icone" in text
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
    assert report["notices"] == []
    assert "f_icone: étoile" in (snapshot(root) / "cms/categories/mobilite.md").read_text(encoding="utf-8")


def test_a_removed_mapped_field_stops_with_what_to_do_and_drops_nothing(emulator: EmulatorServer,
                                                                       tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/categories/mobilite.md"
    before = file.read_bytes()
    assert b"f_couleur:" in before
    cats = coll(emulator, "categories")
    cats.fields = [f for f in cats.fields if f["slug"] != "couleur"]
    emulator.clear_log()
    for command in ("pull", "push", "sync"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert result.exit_code == 2, result.output
        assert "'couleur'" in result.output and "was removed in Webflow" in result.output
        assert "Remove `f_couleur: couleur` from mappings/categories.yaml" in result.output
    assert writes(emulator) == [] and file.read_bytes() == before


def test_a_retyped_mapped_field_stops_until_accepted(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    piscines = snapshot(root) / "cms/infos/piscines.md"
    text = piscines.read_text(encoding="utf-8")
    piscines.write_text(text.replace("f_tag-2: Sport", "f_tag-2: Natation"), encoding="utf-8")
    spec = next(f for f in coll(emulator, "infos").fields if f["slug"] == "tag-2")
    spec["type"], spec["validations"] = "Number", {}
    emulator.clear_log()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 2, result.output
    assert "changed type from PlainText to Number" in result.output and "wfsync init --update" in result.output
    assert writes(emulator) == []  # the text was not sent to a number field
    assert wfsync(emulator, SITE_ID, root, "init", "--update").exit_code == 0
    lock = json.loads((snapshot(root) / ".wfsync/schema.lock.json").read_text())
    assert any(f["slug"] == "tag-2" and f["type"] == "Number" for c in lock.values() for f in c["fields"].values())
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "f_tag-2" in result.output  # now checked as a number: a problem, not sent
    assert writes(emulator) == []


# -- drift stops the affected collection only ---------------------------------------------------------


def item_of(emulator: EmulatorServer, collection: str, slug: str):
    return next(i for i in coll(emulator, collection).items.values() if i.staged["fieldData"]["slug"] == slug)


def edit_in_webflow(emulator: EmulatorServer, collection: str, slug: str, **fields: object) -> None:
    emulator.state.update(coll(emulator, collection).id, [{"id": item_of(emulator, collection, slug).id,
                                                          "fieldData": fields}], live=False)


def edit_file(root: Path, rel: str, old: str, new: str) -> None:
    path = snapshot(root) / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), encoding="utf-8")


def files_of(root: Path, collection: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((snapshot(root) / "cms" / collection).glob("*.md"))}


def items_of(emulator: EmulatorServer, collection: str) -> dict[str, tuple]:
    return {i.id: (json.dumps(i.staged, sort_keys=True), json.dumps(i.live, sort_keys=True))
            for i in coll(emulator, collection).items.values()}


def stopped_alone(emulator: EmulatorServer, root: Path, affected: str, drift, field: str, key: str, words: str,
                  other: str, other_file: str, old: str, new: str, remote_slug: str, remote: dict) -> dict:
    """Edits on both sides of ``affected`` and of ``other``, then ``drift`` in Webflow, then a sync:
    ``affected`` is stopped (exit 2, what to do, in the JSON too) and left exactly as it was on
    both sides; ``other`` syncs both ways in the same run. Returns the JSON report."""
    first, second = list(files_of(root, affected))[:2]
    edit_file(root, f"cms/{affected}/{first}", "title: ", "title: Édité ")  # a local edit a push would send
    edit_in_webflow(emulator, affected, second[:-3], name="Changé dans Webflow")  # a remote edit a pull would write
    edit_file(root, other_file, old, new)
    edit_in_webflow(emulator, other, remote_slug, **remote)
    drift(coll(emulator, affected))
    files, items = files_of(root, affected), items_of(emulator, affected)
    emulator.clear_log()
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--json")
    assert result.exit_code == 2, result.output
    report = json.loads(result.stdout)
    assert report["stopped"] == [affected] and report["error"]["kind"] == "schema_drift", report
    assert affected in report["error"]["message"] and "run again" in report["error"]["hint"]
    drifted = [p for p in report["problems"] if p.get("kind") == "schema_drift"]
    assert [(p["collection"], p["path"], p["key"], p["front_matter_key"]) for p in drifted] \
        == [(affected, f"mappings/{affected}.yaml", field, key)]
    assert words in drifted[0]["message"]
    # the affected collection: nothing read, written or sent
    assert files_of(root, affected) == files and items_of(emulator, affected) == items
    assert not [r for r in writes(emulator) if coll(emulator, affected).id in r.path]
    assert affected not in {c["collection"] for c in report["collections"]}
    # the other collection: both edits went through in the same run
    assert new.removeprefix("title: ") == item_of(emulator, other, Path(other_file).stem).staged["fieldData"]["name"]
    assert any(other == c["collection"] and c["pushed"] and c["pulled"] for c in report["collections"]), report
    # the same in words, without --json
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 2, result.output
    assert f"problem: mappings/{affected}.yaml: {field}: " in result.output and words in result.output
    assert f"{affected}: not synced" in result.output
    assert files_of(root, affected) == files and items_of(emulator, affected) == items
    return report


def test_a_removed_field_stops_its_collection_only(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)

    def drift(cats) -> None:
        cats.fields = [f for f in cats.fields if f["slug"] != "couleur"]

    stopped_alone(emulator, root, "categories", drift, "couleur", "f_couleur", "was removed in Webflow", "infos",
                  "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes", "hopital",
                  {"name": "Hôpital de Sierre"})
    hopital = (snapshot(root) / "cms/infos/hopital.md").read_text(encoding="utf-8")
    assert "title: Hôpital de Sierre" in hopital
    # a reference into the stopped collection is still written as its file's path, not a raw id
    assert "f_couleur: cms/categories/" in hopital
    # an info pointed at a category created in Webflow since: that file is held, never given a raw id
    cats = coll(emulator, "categories")
    new = emulator.state.create(cats.id, [{"fieldData": {"name": "Sport", "slug": "sport"}, "isDraft": False}],
                                publish=False)[0]
    edit_in_webflow(emulator, "infos", "hopital", name="Hôpital", couleur=new.id)
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=2)
    assert [p["path"] for p in report["problems"] if p["key"] == "f_couleur" and p["collection"] == "infos"] \
        == ["snapshots/demo/cms/infos/hopital.md"]
    assert (snapshot(root) / "cms/infos/hopital.md").read_text(encoding="utf-8") == hopital
    assert not (snapshot(root) / "cms/categories/sport.md").exists()


def test_a_renamed_field_is_told_by_its_id_and_stops_its_collection_only(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)

    def drift(infos) -> None:
        spec = next(f for f in infos.fields if f["slug"] == "tag-2")
        spec["slug"] = "etiquette"  # the same field (same id) under another slug
        for item in infos.items.values():
            for side in (item.staged, item.live):
                if side is not None and "tag-2" in side["fieldData"]:
                    side["fieldData"]["etiquette"] = side["fieldData"].pop("tag-2")

    report = stopped_alone(emulator, root, "infos", drift, "tag-2", "f_tag-2", "was renamed 'etiquette'", "evenements",
                           "cms/evenements/fete-du-vin.md", "title: Fête du vin", "title: Fête du vin nouveau",
                           "soiree-jazz", {"name": "Soirée jazz manouche"})
    assert "change `f_tag-2: tag-2` to `f_tag-2: etiquette`" in report["problems"][0]["message"]
    jazz = (snapshot(root) / "cms/evenements/soiree-jazz.md").read_text(encoding="utf-8")
    assert "title: Soirée jazz manouche" in jazz and "  - cms/infos/" in jazz  # references to infos kept as paths
    # once the mapping follows the rename, infos syncs again: both of its waiting edits go through
    mapping = root / "mappings/infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("f_tag-2: tag-2", "f_tag-2: etiquette"),
                       encoding="utf-8")
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert report["stopped"] == [] and report["problems"] == []
    names = {i.staged["fieldData"]["name"] for i in coll(emulator, "infos").items.values()}
    assert any(n.startswith("Édité ") for n in names)
    assert any("title: Changé dans Webflow" in p.read_text(encoding="utf-8")
               for p in (snapshot(root) / "cms/infos").glob("*.md"))


def test_a_retyped_field_stops_its_collection_only(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)

    def drift(events) -> None:
        spec = next(f for f in events.fields if f["slug"] == "resume")
        spec["type"], spec["validations"] = "Number", {}

    stopped_alone(emulator, root, "evenements", drift, "resume", "f_resume", "changed type from PlainText to Number",
                  "categories", "cms/categories/mobilite.md", "title: Mobilité", "title: Mobilité douce",
                  "education", {"name": "Éducation et formation"})
    assert "title: Éducation et formation" in (snapshot(root) / "cms/categories/education.md").read_text("utf-8")
    for command in ("status", "diff"):  # they say so too, with the same exit code
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert result.exit_code == 2 and "evenements: not synced" in result.output, result.output


def test_an_option_renamed_in_webflow_is_said_and_every_file_gets_the_new_name(emulator: EmulatorServer,
                                                                                tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    folder = snapshot(root) / "cms/evenements"
    holding = sorted(p.name for p in folder.glob("*.md") if "f_type: Conférence\n" in p.read_text("utf-8"))
    assert holding
    spec = next(f for f in coll(emulator, "evenements").fields if f["slug"] == "type")
    option = next(o for o in spec["validations"]["options"] if o["name"] == "Conférence")
    option["name"] = "Conférence publique"  # the items keep the option's id: none of them changes
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    notes = [n["message"] for n in report["notices"] if n["collection"] == "evenements"]
    assert len(notes) == 1 and "'type'" in notes[0], report["notices"]
    assert sorted(p.name for p in folder.glob("*.md")
                  if "f_type: Conférence publique\n" in p.read_text("utf-8")) == holding
    again = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert again["notices"] == [] and again["collections"][0]["written"] == 0  # said once


def test_a_drift_is_reported_in_the_run_that_fails_validation_in_another_collection(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_file(root, "cms/infos/piscines.md", "slug: piscines", "slug: Pis cines")  # not a valid slug
    cats = coll(emulator, "categories")
    cats.fields = [f for f in cats.fields if f["slug"] != "couleur"]
    emulator.clear_log()
    for command in ("push", "sync"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo", "--json")
        assert result.exit_code == 2, result.output  # exit 2 wins over 1, as after a finished run
        report = json.loads(result.stdout)
        assert report["exit_code"] == 2 and report["error"]["kind"] == "validation" and report["stopped"] == ["categories"]
        assert [(p["path"], p["key"]) for p in report["problems"] if p.get("kind") == "schema_drift"] \
            == [("mappings/categories.yaml", "couleur")]
        assert ("snapshots/demo/cms/infos/piscines.md", "slug") in {(p["path"], p["key"]) for p in report["problems"]}
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert result.exit_code == 2, result.output
        assert "Remove `f_couleur: couleur` from mappings/categories.yaml" in result.output
        assert "categories: not synced (a mapped field changed in Webflow)" in result.output
        assert "the others were synced" not in result.output  # they were not: validation failed
        assert "snapshots/demo/cms/infos/piscines.md" in result.output and "nothing was sent" in result.output
    assert writes(emulator) == []


def test_a_stopped_collection_keeps_its_files_in_every_locale(localized_emulator: EmulatorServer,
                                                              tmp_path: Path) -> None:
    root = pulled_project(localized_emulator, SITE_ID, tmp_path)
    german = sorted((snapshot(root) / "de/cms/categories").glob("*.md"))
    assert german
    cats = coll(localized_emulator, "categories")
    cats.fields = [f for f in cats.fields if f["slug"] != "couleur"]
    report = wfsync_json(localized_emulator, SITE_ID, root, "pull", "--snapshot", "demo", code=2)
    assert report["stopped"] == ["categories"]
    # the German files are the stopped collection's, not files no mapping covers
    assert [w for w in report["warnings"] if "/categories/" in w["path"]] == []
    assert sorted((snapshot(root) / "de/cms/categories").glob("*.md")) == german

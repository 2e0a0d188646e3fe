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

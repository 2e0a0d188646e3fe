"""`wfsync init --body FIELD`: a rich-text field as the Markdown body, both ways."""

from __future__ import annotations

from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.mapping import parse_mapping
from tests.helpers import snapshot, wfsync, wfsync_json
from tests.test_push import edit, remote_item


def test_body_field_goes_to_the_markdown_body_and_back(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    result = wfsync(emulator, SITE_ID, root, "init", "--body", "contenu")
    assert result.exit_code == 0, result.output
    mapping = parse_mapping((root / "mappings/infos.yaml").read_text(encoding="utf-8"), source="infos.yaml")
    assert mapping.body == "contenu" and mapping.key_for_field("contenu") is None
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    text = (snapshot(root) / "cms/infos/social.md").read_text(encoding="utf-8")
    front, body = text.split("\n---\n", 1)
    assert "f_contenu" not in front and "### LE CENTRE MEDICO-SOCIAL (CMS)" in body
    edit(snapshot(root) / "cms/infos/social.md", "### LE CENTRE MEDICO-SOCIAL (CMS)", "### LE CENTRE MÉDICO-SOCIAL")
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert sum(c["updated"] for c in report["collections"]) == 1
    assert "<h3>LE CENTRE MÉDICO-SOCIAL</h3>" in remote_item(emulator, "infos", "social").staged["fieldData"]["contenu"]


def test_body_must_be_a_rich_text_field(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = tmp_path / "project"
    root.mkdir()
    missing = wfsync(emulator, SITE_ID, root, "init", "--body", "nope")
    assert missing.exit_code == 2 and "contenu" in missing.stderr  # the hint lists the rich-text fields
    wrong = wfsync(emulator, SITE_ID, root, "init", "--body", "tag-2")
    assert wrong.exit_code == 2 and "not rich text" in wrong.stderr
    assert not (root / "mappings").exists()

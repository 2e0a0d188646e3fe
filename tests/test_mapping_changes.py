"""A mapping edited after a pull: the next plain `pull` writes the files again with it, says why
("mapping: new key draft"), never calls it a change in Webflow, and never hides or overwrites an
edit waiting in a file; a key removed from the mapping is no longer compared, sent or named."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from connector.convert import BODY_KEY, field_hashes, record_hash
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.plan import BaseSide, Op, Policy, Side, decide, decide_mapped
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_engine_holes import remote_item
from tests.test_push import edit, writes

INFOS = "snapshots/demo/cms/infos/"


def _lines(output: str) -> list[str]:
    return [" ".join(x.split()) for x in output.splitlines()]


def _json(emulator: EmulatorServer, root: Path, *args: str) -> dict:
    return json.loads(wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo", "--json").stdout)


def _add_key(root: Path, line: str) -> None:
    mapping = root / "mappings/infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  f_tag-3: tag-3\n", f"  f_tag-3: tag-3\n{line}\n"),
                       encoding="utf-8")


def test_a_key_added_to_a_mapping_is_written_by_the_next_plain_pull(emulator: EmulatorServer,
                                                                    tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    _add_key(root, "  draft: $isDraft")
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    lines = _lines(result.stdout)
    files = sorted((snapshot(root) / "cms/infos").glob("*.md"))
    assert files and all(re.search(r"\ndraft: (true|false)\n", f.read_text(encoding="utf-8")) for f in files)
    for f in files:
        assert f"updated {INFOS}{f.name} (mapping: new key draft)" in lines, lines
    assert not any("changed in Webflow" in x for x in lines), lines
    assert "mappings/infos.yaml changed since the last sync (new key draft)" in " ".join(result.stderr.split())
    assert writes(emulator) == []  # Webflow changed nothing, and is sent nothing
    # done: the next runs are quiet and incremental again
    emulator.clear_log()
    again = _json(emulator, root, "pull")
    assert [a for a in again["actions"] if a["op"] != "nothing"] == [] and again["ok"]
    assert again["api_calls"] == 6  # 2 per collection: nothing re-read
    assert "Everything is in step." in wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stdout


def test_a_file_edited_locally_keeps_its_edit_when_its_mapping_gains_a_key(emulator: EmulatorServer,
                                                                           tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "title: Piscines", "title: Piscines couvertes")
    before = file.read_bytes()
    _add_key(root, "  draft: $isDraft")
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert file.read_bytes() == before  # held: never overwritten, the edit still waits
    held = next(x for x in _lines(result.stdout) if "piscines.md" in x)
    assert held.startswith(f"held {INFOS}piscines.md") and "wfsync push or sync sends it" in held, held
    assert "new key draft" in held and "changed in Webflow" not in held, held
    # status still shows the edit (the stat cache does not hide it)
    status = _json(emulator, root, "status")
    assert [a["op"] for a in status["actions"] if a["path"] == f"{INFOS}piscines.md"] == ["push-update"]
    # the push sends the edit only; Webflow's answer writes the new key into the file
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert f"pushed {INFOS}piscines.md (title)" in _lines(result.stdout), result.stdout
    item = remote_item(emulator, "infos", "piscines")
    assert item.staged["fieldData"]["name"] == "Piscines couvertes"
    text = file.read_text(encoding="utf-8")
    assert "title: Piscines couvertes" in text and "\ndraft: false\n" in text
    status = _json(emulator, root, "status")
    assert status["ok"] and [a for a in status["actions"] if a["op"] != "nothing"] == []


def test_moving_a_field_to_the_body_after_a_pull_is_no_change_in_webflow(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    contenu = remote_item(emulator, "infos", "piscines").staged["fieldData"]["contenu"]
    piscines = snapshot(root) / "cms/infos/piscines.md"
    edit(piscines, "title: Piscines", "title: Piscines couvertes")
    assert wfsync(emulator, SITE_ID, root, "init", "--body", "contenu", "--force").exit_code == 0
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert "changed in Webflow" not in status.stdout and "mapping changed:" in status.stdout, status.stdout
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    lines = _lines(result.stdout)
    assert f"updated {INFOS}bibliotheque.md (mapping: new key body, key f_contenu removed)" in lines, lines
    assert not any("changed in Webflow" in x for x in lines), lines
    biblio = (snapshot(root) / "cms/infos/bibliotheque.md").read_text(encoding="utf-8")
    assert "f_contenu" not in biblio and "\n---\n\n### BIBLIOTHÈQUE" in biblio
    # the edited file is held: its old key is named, with what to do
    problem = next(p for p in _json(emulator, root, "pull")["problems"] if p["path"] == f"{INFOS}piscines.md")
    assert problem["key"] == "f_contenu" and "no longer in the mapping" in problem["message"]
    # the user deletes the old key's lines: pushing sends the title, not an empty body
    text = piscines.read_text(encoding="utf-8")
    piscines.write_text(re.sub(r"f_contenu: \|-\n(?:  .*\n|\n)*", "", text), encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert f"pushed {INFOS}piscines.md (title)" in _lines(result.stdout), result.output
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["contenu"] == contenu
    assert "### PISCINES" in piscines.read_text(encoding="utf-8").split("---\n", 2)[2]


def test_a_key_removed_from_the_mapping_is_not_named_by_the_next_push(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    tag = remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-3"]
    mapping = root / "mappings/infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  f_tag-3: tag-3\n", ""), encoding="utf-8")
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "title: Piscines", "title: Piscines couvertes")
    edit(file, f"f_tag-3: {tag}\n", "")
    item = remote_item(emulator, "infos", "piscines")  # Webflow's value of the unmapped field changes
    item.staged["fieldData"]["tag-3"] = "Natation"
    item.staged["lastUpdated"] = emulator.state.now()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert f"pushed {INFOS}piscines.md (title)" in _lines(result.stdout), result.stdout
    assert "f_tag-3" not in result.stdout
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-3"] == "Natation" != tag
    assert "f_tag-3" not in file.read_text(encoding="utf-8")


# -- the planner's rule, on its own -------------------------------------------------------------------

def _side(record: dict) -> Side:
    return Side(record, record_hash(record), fields=field_hashes(record))


def _base(record: dict) -> BaseSide:
    return BaseSide(record_hash(record), field_hashes(record))


values = st.sampled_from(["a", "b", None])
records = st.fixed_dictionaries({"title": values, "slug": values})


@settings(max_examples=150, deadline=None)
@given(records, records, records)
def test_an_unchanged_mapping_decides_as_before(b: dict, l: dict, r: dict) -> None:
    policy = Policy()
    keys = frozenset(b)
    assert decide_mapped("k", _side(l), _side(r), _base(b), policy, keys) == \
        decide("k", _side(l), _side(r), _base(b), policy)


@settings(max_examples=150, deadline=None)
@given(records, records, records, values)
def test_a_key_new_to_the_mapping_is_never_a_change_of_either_side(b: dict, l: dict, r: dict, new: str | None) -> None:
    """The base was recorded without ``draft``; Webflow has a value for it, the file lacks it: the
    plan is the one the old keys give, and a file in step is written again, labelled as such."""
    policy = Policy()
    keys = frozenset({*b, "draft", BODY_KEY})
    remote = {**r, "draft": new, BODY_KEY: "text"}
    local = {**l, "draft": None, BODY_KEY: ""}  # written before the keys were mapped
    before = decide("k", _side(l), _side(r), _base(b), policy)
    after = decide_mapped("k", _side(local), _side(remote), _base(b), policy, keys)
    if before.op is Op.NOTHING:
        assert (after.op, after.reason) == (Op.PULL, "mapping: new keys body, draft")
    else:
        assert after.op is before.op
        assert not ({"draft", BODY_KEY} & (after.push_keys | after.conflict_keys))

"""What an editor writes is never dropped, overwritten or half-read (the local side of a run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.store import SnapshotStore
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json
from tests.test_push import coll, edit, remote_item, writes


def pulled(emulator: EmulatorServer, tmp_path: Path) -> Path:
    return pulled_project(emulator, SITE_ID, tmp_path)


def webflow_edits(emulator: EmulatorServer, slug: str, **fields: object) -> None:
    item = remote_item(emulator, "infos", slug)
    item.staged["fieldData"].update(fields)
    item.staged["lastUpdated"] = emulator.state.now()


def problems(report: dict) -> list[tuple[str, str]]:
    return [(p["path"].removeprefix("snapshots/demo/"), p["key"]) for p in report["problems"]]


def no_changes(emulator: EmulatorServer, root: Path) -> None:
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == [] and not status["problems"]


# -- 1. an unreadable file is a local change: held, never overwritten --------------------------------
UNREADABLE = {
    "unbalanced quote": lambda t: t.replace("f_tag-2: Sport", 'f_tag-2: "Natation'),
    "latin-1": lambda t: t.replace("f_tag-2: Sport", "f_tag-2: Entrée").encode("utf-8").decode("utf-8").encode("latin-1"),
    "yaml tag": lambda t: t.replace("f_tag-2: Sport", "f_tag-2: !natation Natation"),
}


@pytest.mark.parametrize("mistake", sorted(UNREADABLE))
def test_case1_unreadable_file_is_held_and_never_overwritten(emulator: EmulatorServer, tmp_path: Path,
                                                             mistake: str) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "title: Piscines", "title: Piscines couvertes")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")  # the editor pushes...
    text = file.read_text(encoding="utf-8")
    broken = UNREADABLE[mistake](text)
    file.write_bytes(broken if isinstance(broken, bytes) else broken.encode("utf-8"))  # ...and goes on editing
    webflow_edits(emulator, "piscines", **{"mini-description": "Changé dans Webflow"})
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    found = [p for p in status["problems"] if p["path"] == "snapshots/demo/cms/infos/piscines.md"]
    lines = text.split("\n")
    # the line in the file: where the mistake is (for Latin-1, the first accented letter)
    wanted = next(n for n, ln in enumerate(lines, 1) if (not ln.isascii() if mistake == "latin-1"
                                                         else ln.startswith("f_tag-2")))
    key = "(file)" if mistake == "latin-1" else "f_tag-2"  # the key on the line, when there is one
    assert found and found[0]["key"] == key and found[0]["line"] == wanted, found
    # Webflow changed the item too: a conflict (Webflow's version beside the file), never an overwrite
    assert [a["op"] for a in status["actions"] if a["path"] == "snapshots/demo/cms/infos/piscines.md"] == ["conflict"]
    for command, code in (("pull", 3), ("sync", 1)):  # sync: nothing at all while a file cannot be read
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo", "--json")
        assert result.exit_code == code
        assert file.read_bytes() == (broken if isinstance(broken, bytes) else broken.encode("utf-8"))
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["mini-description"] == "Changé dans Webflow"


# -- 2. a save that lands while a run writes the file is kept -----------------------------------------
def test_case2_save_during_the_push_window_is_kept(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")

    def editor_saves(method: str, path: str, query: dict) -> None:
        if method == "PATCH" and "f_tag-2: Natation\n" in file.read_text(encoding="utf-8"):
            edit(file, "title: Piscines", "title: Piscines couvertes")  # saved while Webflow answers

    emulator.before_request = editor_saves
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    emulator.before_request = lambda m, p, q: None
    assert result.exit_code == 3, result.output
    assert "title: Piscines couvertes" in file.read_text(encoding="utf-8")  # the save is still there
    assert "saved while wfsync ran" in json.loads(result.stdout)["conflicts"][0]["reason"]
    item = remote_item(emulator, "infos", "piscines")
    assert item.staged["fieldData"]["tag-2"] == "Natation"
    # the next run sends the save: nothing was lost on either side
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert item.staged["fieldData"]["name"] == "Piscines couvertes"
    no_changes(emulator, root)


def test_case2_save_during_the_pull_window_is_kept(emulator: EmulatorServer, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    webflow_edits(emulator, "piscines", **{"tag-2": "Baignade"})
    original = SnapshotStore.scan

    def editor_saves_after_the_scan(self: SnapshotStore, prefix: str = ""):  # noqa: ANN202
        yield from original(self, prefix)
        if prefix == "cms/infos" and "title: Piscines\n" in file.read_text(encoding="utf-8"):
            edit(file, "title: Piscines", "title: Piscines couvertes")  # after wfsync looked, before it writes

    monkeypatch.setattr(SnapshotStore, "scan", editor_saves_after_the_scan)
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--json")
    monkeypatch.undo()
    assert result.exit_code == 3, result.output
    text = file.read_text(encoding="utf-8")
    assert "title: Piscines couvertes" in text and "f_tag-2: Sport" in text  # the save, whole
    assert "f_tag-2: Baignade" in (snapshot(root) / "cms/infos/piscines.remote.md").read_text(encoding="utf-8")
    # the next sync merges both: the title from the file, the tag from Webflow
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    text = file.read_text(encoding="utf-8")
    assert "title: Piscines couvertes" in text and "f_tag-2: Baignade" in text


# -- 3. what the mapping does not cover is a problem, and the file is a local change -------------------
def test_case3_body_text_with_body_null_is_reported_and_held(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    file.write_text(file.read_text(encoding="utf-8") + "Une note tapée sous le front matter.\n", encoding="utf-8")
    before = file.read_bytes()
    lines = before.decode().split("\n")
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    body = [p for p in status["problems"] if p["path"] == "snapshots/demo/cms/infos/piscines.md"]
    assert body[0]["key"] == "(body)" and "body: null" in body[0]["message"]
    assert lines[body[0]["line"] - 1] == "Une note tapée sous le front matter."
    webflow_edits(emulator, "piscines", **{"tag-2": "Baignade"})
    assert wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo").exit_code == 3  # a conflict: copy beside
    assert file.read_bytes() == before
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "cms/infos/piscines.md" in result.output and writes(emulator) == []


@pytest.mark.parametrize("line, key", [("f_tagg-2: Natation", "f_tagg-2"), ("on: oui", "on")])
def test_case3_unknown_key_is_reported_and_held(emulator: EmulatorServer, tmp_path: Path, line: str, key: str) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "slug: piscines\n", f"slug: piscines\n{line}\n")
    before = file.read_bytes()
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    found = {p["key"]: p for p in status["problems"] if p["path"] == "snapshots/demo/cms/infos/piscines.md"}
    assert key in found
    assert before.decode().split("\n")[found[key]["line"] - 1] == line
    if key == "on":
        assert "true" in found[key]["message"] and "quote" in found[key]["message"]
    webflow_edits(emulator, "piscines", **{"tag-2": "Baignade"})
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 1
    assert file.read_bytes() == before and writes(emulator) == []


# -- 4. bad files never reach Webflow; Windows files are read normally ---------------------------------
def test_case4_duplicate_key_is_an_error(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "slug: piscines\n", "slug: piscines\nf_tag-2: Natation\n")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    assert result.exit_code == 1 and writes(emulator) == []
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    dup = [p for p in status["problems"] if p["key"] == "f_tag-2"]
    assert dup and "twice" in dup[0]["message"] and dup[0]["path"] == "snapshots/demo/cms/infos/piscines.md"


def test_case4_blank_title_is_an_error(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: '   '")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "piscines.md:3: title: required" in result.output
    assert writes(emulator) == [] and remote_item(emulator, "infos", "piscines").staged["fieldData"]["name"] == "Piscines"


def test_case4_a_vanished_key_is_never_an_erasure(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    text = file.read_text(encoding="utf-8")
    start = text.index("f_contenu:")
    end = text.index("f_tag-2:")
    # a block scalar marker typed after a value swallows the rich text into the previous key's lines
    file.write_text(text[:start] + text[end:], encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "f_contenu: missing" in result.output and "f_contenu: null" in result.output
    assert writes(emulator) == [] and remote_item(emulator, "infos", "piscines").staged["fieldData"]["contenu"]
    # clearing on purpose works
    file.write_text(text[:start] + "f_contenu: null\n" + text[end:], encoding="utf-8")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert not remote_item(emulator, "infos", "piscines").staged["fieldData"].get("contenu")


def test_case4_an_unquoted_colon_that_swallows_the_next_lines_is_never_pushed(emulator: EmulatorServer,
                                                                              tmp_path: Path) -> None:
    """The issue's YAML mistake that still parses: a line typed into the rich text without its
    indentation, holding an unquoted `: `. YAML reads it as a new key whose value swallows the
    text's next lines, so the rich-text field loses them: it must be held, never pushed."""
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    typed = "Fermé le dimanche: voir les horaires d'été"
    edit(file, "  *   Contact : 027 452 01 11\n", f"  *   Contact : 027 452 01 11\n{typed}\n")
    line = file.read_text(encoding="utf-8").split("\n").index(typed) + 1
    before = file.read_bytes()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1, result.output
    assert f"piscines.md:{line}: Fermé le dimanche: unknown key" in result.output
    assert writes(emulator) == [] and file.read_bytes() == before
    contenu = remote_item(emulator, "infos", "piscines").staged["fieldData"]["contenu"]
    assert "Plus d" in contenu and "sierre.ch" in contenu  # the swallowed paragraph is still in Webflow
    assert wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo").exit_code == 1 and writes(emulator) == []


def test_case4_bom_and_crlf_are_read_normally(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    text = file.read_text(encoding="utf-8").replace("f_tag-2: Sport", "f_tag-2: Natation")
    file.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))  # what a Windows editor saves
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert sum(c["updated"] for c in report["collections"]) == 1
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"
    no_changes(emulator, root)


@pytest.mark.parametrize("content, words", [(b"", "the file is empty"), (b"\n\n", "the file is empty"),
                                            (b"title: Piscines\n", "no front matter"),
                                            (b"---\ntitle: Piscines\n", "not closed")])
def test_case4_empty_file_or_no_front_matter_says_so(emulator: EmulatorServer, tmp_path: Path, content: bytes,
                                                     words: str) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    file.write_bytes(content)
    webflow_edits(emulator, "piscines", **{"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--json")
    assert result.exit_code == 3  # Webflow changed it too: a conflict, the file left as it is
    found = [p for p in json.loads(result.stdout)["problems"] if p["path"] == "snapshots/demo/cms/infos/piscines.md"]
    assert words in found[0]["message"]
    assert file.read_bytes() == content


# -- 5. hostile input fails fast and clearly ----------------------------------------------------------
def test_case5_alias_bomb_and_huge_file_are_refused(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    edit(file, "slug: piscines\n", "slug: piscines\n" + "\n".join(lines) + "\n")
    big = snapshot(root) / "cms/infos/hopital.md"
    big.write_bytes(big.read_bytes().replace(b"title: H", b"x: '" + b"y" * 2_100_000 + b"'\ntitle: H"))
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--json")
    assert result.exit_code == 1 and writes(emulator) == []
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    by_file = {p["path"].removeprefix("snapshots/demo/"): p for p in status["problems"]}
    assert "anchor" in by_file["cms/infos/piscines.md"]["message"]
    assert by_file["cms/infos/piscines.md"]["line"] == file.read_text().split("\n").index(lines[0]) + 1
    assert "bytes" in by_file["cms/infos/hopital.md"]["message"]


# -- 9. a new file missing a mapped key says what is missing --------------------------------------------
def test_case9_new_file_missing_the_draft_key_says_so(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    mapping = root / "mappings" / "infos.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  tags: {const: info}\n",
                                                                   "  tags: {const: info}\n  draft: $isDraft\n"))
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    piscines = (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8")
    assert "draft: false" in piscines
    new = piscines.replace("slug: piscines", "slug: patinoire").replace("title: Piscines", "title: Patinoire")
    (snapshot(root) / "cms/infos/patinoire.md").write_text(new.replace("draft: false\n", ""), encoding="utf-8")
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo", code=1)
    assert ("cms/infos/patinoire.md", "draft") in problems(status)
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 1 and "draft: missing" in result.output and "changed while wfsync ran" not in result.output
    assert not any(i.staged["fieldData"]["slug"] == "patinoire" for i in coll(emulator, "infos").items.values())


# -- 6. push says why it left a file alone; so does pull ----------------------------------------------
def test_case6_push_names_a_file_that_needs_a_merge_and_exits_non_zero(emulator: EmulatorServer,
                                                                       tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    edit(snapshot(root) / "cms/infos/hopital.md", "title: Hôpital", "title: Hôpital de Sierre")
    webflow_edits(emulator, "piscines", name="Piscines de Sierre")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code != 0
    assert "cms/infos/piscines.md" in result.output and "wfsync sync" in result.output
    assert remote_item(emulator, "infos", "hopital").staged["fieldData"]["name"] == "Hôpital de Sierre"  # the rest went
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"


def test_case6_push_validates_a_file_that_needs_a_merge(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_couleur: cms/categories/culture-et-loisirs.md",
         "f_couleur: cms/categories/nulle-part.md")
    webflow_edits(emulator, "piscines", name="Piscines de Sierre")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1 and "piscines.md:17: f_couleur" in result.output


def test_case6_pull_says_which_files_it_left_alone(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 0
    assert "cms/infos/piscines.md" in result.output and "wfsync push" in result.output


# -- 7. renames ------------------------------------------------------------------------------------------
def test_case7_a_local_slug_rename_rewrites_the_references_to_it(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    edit(snapshot(root) / "cms/categories/culture-et-loisirs.md", "slug: culture-et-loisirs", "slug: culture-loisirs")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    piscines = snapshot(root) / "cms/infos/piscines.md"
    assert "f_couleur: cms/categories/culture-loisirs.md" in piscines.read_text(encoding="utf-8")
    assert not list(snapshot(root).rglob("*.md")) or not any(
        "cms/categories/culture-et-loisirs.md" in p.read_text(encoding="utf-8") for p in snapshot(root).rglob("*.md"))
    no_changes(emulator, root)
    # a later, unrelated edit to a file that referred to the old path goes through
    edit(piscines, "f_tag-2: Sport", "f_tag-2: Natation")
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"
    no_changes(emulator, root)


def test_case7_a_moved_file_with_its_slug_unchanged_is_the_same_item(emulator: EmulatorServer,
                                                                     tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    infos = snapshot(root) / "cms/infos"
    (infos / "piscines.md").rename(infos / "piscines-couvertes.md")  # git mv
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert not [a for a in status["actions"] if a["op"] in ("push-create", "delete-remote")]
    edit(infos / "piscines-couvertes.md", "f_tag-2: Sport", "f_tag-2: Natation")
    count = len(coll(emulator, "infos").items)
    wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert len(coll(emulator, "infos").items) == count
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"
    no_changes(emulator, root)


# -- 8. deleting a referenced item ------------------------------------------------------------------------
def test_case8_deleting_a_referenced_file_names_the_files_that_refer_to_it(emulator: EmulatorServer,
                                                                          tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    (snapshot(root) / "cms/categories/culture-et-loisirs.md").unlink()
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo", "--allow-delete", "--max-delete", "100%")
    assert result.exit_code == 1
    assert "cms/infos/piscines.md (f_couleur)" in result.output
    assert writes(emulator) == []
    assert any(i.staged["fieldData"]["slug"] == "culture-et-loisirs" for i in coll(emulator, "categories").items.values())


def test_case8_a_reference_to_a_deleted_item_is_reported_never_written_as_an_id(emulator: EmulatorServer,
                                                                                tmp_path: Path) -> None:
    root = pulled(emulator, tmp_path)
    category = next(i for i in coll(emulator, "categories").items.values()
                    if i.staged["fieldData"]["slug"] == "culture-et-loisirs")
    emulator.state.delete(coll(emulator, "categories").id, [category.id], live=False)  # deleted in Webflow
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    found = {(p["item"] or p["path"].removeprefix("snapshots/demo/"), p["key"]) for p in report["problems"]}
    assert ("cms/infos/piscines.md", "f_couleur") in found  # its file refers to the deleted one
    # Webflow's copy refers to the deleted item: named by its file (an item a quiet run does not
    # re-read) or, when it was re-read, by the item itself
    assert {("cinema-open-air", "categorie"), ("cms/evenements/cinema-open-air.md", "f_categorie")} & found
    for path in snapshot(root).rglob("*.md"):
        assert category.id not in path.read_text(encoding="utf-8"), path


# -- the README's promise, as written: a file you changed is never overwritten -------------------------
@pytest.mark.parametrize("change", [("tags: info", "tags: info  # à garder"), ("layout: '[info].html'", "layout: autre.html"),
                                    ("title: Piscines", "title: 'Piscines'")])
def test_a_file_you_changed_is_never_overwritten_even_outside_the_synced_values(
        emulator: EmulatorServer, tmp_path: Path, change: tuple[str, str]) -> None:
    root = pulled(emulator, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, *change)
    before = file.read_bytes()
    webflow_edits(emulator, "piscines", **{"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--json")
    assert result.exit_code == 3
    assert file.read_bytes() == before
    assert "f_tag-2: Baignade" in (snapshot(root) / "cms/infos/piscines.remote.md").read_text(encoding="utf-8")
    # keeping Webflow's version is a move of the copy
    (snapshot(root) / "cms/infos/piscines.remote.md").replace(file)
    wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    no_changes(emulator, root)

"""Messages found wrong on tours of the CLI: each says what is true for this run, in plain English."""

from __future__ import annotations

import json
from pathlib import Path

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_push import edit, edit_both_sides

P = "snapshots/demo/cms/infos/piscines.md"
COPY = "snapshots/demo/cms/infos/piscines.remote.md"


def _text(output: str) -> str:
    return " ".join(output.split())


def _json(emulator: EmulatorServer, root: Path, *args: str) -> dict:
    return json.loads(wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo", "--json").stdout)


def test_status_and_diff_name_no_webflow_copy_they_did_not_write(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    for command in ("status", "diff"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        said = _text(result.output)
        assert "changed on both sides" in said or "title" in said, said
        assert "is beside it" not in said and "moving the .remote.md copy" not in said, said
        assert "wfsync sync" in said  # what writes the copy, or decides the file
    hint = _json(emulator, root, "status")["error"]["hint"]
    assert "is beside it" not in hint and "wfsync sync" in hint
    assert not (root / COPY).exists()
    # a sync writes the copy: now the hint points at it, and so does status afterwards
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 3 and (root / COPY).is_file()
    assert "Webflow's version is beside it" in _text(result.output)
    assert "Webflow's version is beside it" in _text(wfsync(emulator, SITE_ID, root, "status", "--snapshot",
                                                            "demo").output)


def test_an_unclosed_quote_is_named_as_such_with_the_line_it_opened_on(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", 'f_tag-2: "Natation')
    line = file.read_text(encoding="utf-8").split("\n").index('f_tag-2: "Natation') + 1
    result = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert result.exit_code == 1
    said = _text(result.stderr)
    assert f'{P}:{line}: f_tag-2: not valid YAML: the quote " opened on line {line} is never closed' in said, said
    assert "quote a value" not in said
    problem = next(p for p in _json(emulator, root, "status")["problems"] if p["path"] == P)
    assert problem["line"] == line and "never closed" in problem["message"]


def test_an_unquoted_colon_in_a_value_says_so(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Sport: natation")
    said = _text(wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo").stderr)
    assert "f_tag-2: not valid YAML: ': ' inside a value that is not in quotes" in said, said


def test_a_pushed_slug_rename_shows_old_and_new_path_and_names_each_file_rewritten(emulator: EmulatorServer,
                                                                                  tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/categories/culture-et-loisirs.md", "slug: culture-et-loisirs", "slug: culture-loisirs")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    lines = [" ".join(x.split()) for x in result.stdout.splitlines()]
    old, new = "snapshots/demo/cms/categories/culture-et-loisirs.md", "snapshots/demo/cms/categories/culture-loisirs.md"
    assert f"pushed {old} → {new} (slug)" in lines, lines
    for file, key in (("cms/infos/piscines.md", "f_couleur"), ("cms/infos/bibliotheque.md", "f_couleur"),
                      ("cms/evenements/cinema-open-air.md", "f_categorie")):
        assert f"updated snapshots/demo/{file} ({key}: follows the rename to {new})" in lines, lines
        assert f"{key}: cms/categories/culture-loisirs.md" in (snapshot(root) / file).read_text(encoding="utf-8")
    # the same in JSON: the file where it is now, where it was, and each file rewritten
    edit(snapshot(root) / "cms/categories/culture-loisirs.md", "slug: culture-loisirs", "slug: culture")
    document = _json(emulator, root, "push")
    moved = [a for a in document["actions"] if a.get("moved_from")]
    assert [(a["path"], a["moved_from"]) for a in moved] == [("snapshots/demo/cms/categories/culture.md", new)]
    relinked = {a["path"]: a["fields"] for a in document["actions"] if a["op"] == "relink"}
    assert relinked[P] == ["f_couleur"] and len(relinked) == 4, relinked


def test_counts_agree_with_their_number(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert "infos 1 conflict · 2 API calls" in _text(result.stdout), result.stdout
    assert "1 conflicts" not in result.output
    assert _json(emulator, root, "sync")["error"]["message"].startswith("1 conflict left for you")
    edit(snapshot(root) / "cms/infos/bibliotheque.md", "slug: bibliotheque", "slug: Biblio theque")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1
    assert "error: 1 problem in local files" in result.stderr and "(s)" not in result.output, result.output
    dry = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--dry-run")
    assert "1 conflicts" not in dry.output and "(s)" not in dry.output, dry.output


def test_a_resync_refusal_names_what_differs_in_each_file(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    (snapshot(root) / "cms/infos/nouveau.md").write_text(
        (snapshot(root) / "cms/infos/piscines.md").read_text(encoding="utf-8").replace("slug: piscines",
                                                                                       "slug: nouveau"),
        encoding="utf-8")
    result = wfsync(emulator, SITE_ID, root, "resync", "--snapshot", "demo")
    assert result.exit_code != 0
    said = _text(result.stderr)
    assert f"{P}: title: the file and its Webflow item differ" in said, said
    assert "snapshots/demo/cms/infos/nouveau.md: (file): this file has no item in Webflow" in said, said
    problems = _json(emulator, root, "resync")["problems"]
    assert problems and all(p["key"] for p in problems), problems
    assert {p["key"] for p in problems if p["path"] == P} == {"title"}

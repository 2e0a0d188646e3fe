"""One way to name a file everywhere: relative to the project root, ``path:line`` where a line is known.

Every command a user runs names a file the same way in its human lines, its problems and its JSON,
so a path can be pasted from any of them into the shell (from the project folder) or an editor.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import pulled_project, snapshot, wfsync
from tests.test_push import edit, edit_both_sides

P = "snapshots/demo/cms/infos/piscines.md"


def lines_of(output: str) -> list[str]:
    return [" ".join(line.split()) for line in output.splitlines()]


def run_json(emulator: EmulatorServer, root: Path, *args: str) -> dict:
    result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo", "--json")
    return json.loads(result.stdout)


def unreadable(root: Path) -> int:
    """An unbalanced quote on the title line of piscines.md; the line it is on, counted in the file."""
    return edited_line(root, "title: Piscines", 'title: "Piscines')


@pytest.mark.parametrize("command", ["status", "pull", "push", "sync"])
def test_a_held_file_is_named_with_its_line_in_every_command(emulator: EmulatorServer, tmp_path: Path,
                                                             command: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    line = unreadable(root)
    result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
    where = f"{P}:{line}"
    # the problem, as compilers write it: path:line: key: what is wrong
    assert any(f"{where}: title: not valid YAML" in text for text in lines_of(result.stderr)), result.output
    if command in ("status", "pull"):  # named where the run says it held it (push and sync stop before)
        assert any(where in text and "held" in text for text in lines_of(result.stdout)), result.stdout
    document = run_json(emulator, root, command)
    found = [p for p in document["problems"] if p["key"] == "title"]
    assert found and {(p["path"], p["line"]) for p in found} == {(P, line)}
    assert all(a["path"].startswith("snapshots/demo/") for a in document["actions"])


def edited_line(root: Path, old: str, new: str) -> int:
    """piscines.md with the line ``old`` replaced by ``new``; the line it is on, counted in the file."""
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, old, new)
    return file.read_text(encoding="utf-8").split("\n").index(new) + 1


def test_a_schema_problem_names_the_line_of_its_key(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    line = edited_line(root, "slug: piscines", "slug: Pis cines")
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1
    assert any(text.removeprefix("problem: ").startswith(f"{P}:{line}: slug: Pis cines") for text in lines_of(result.stderr)), result.stderr
    document = run_json(emulator, root, "push")
    assert [(p["path"], p["line"], p["key"]) for p in document["problems"]] == [(P, line, "slug")]


def test_a_conflict_and_its_copy_are_named_alike_in_lines_and_json(emulator: EmulatorServer,
                                                                   tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 3
    copy = "snapshots/demo/cms/infos/piscines.remote.md"
    assert f"held {P} (conflict: title changed on both sides — see {copy})" in lines_of(result.stdout)
    assert (root / copy).is_file()  # pasted from the output, from the project folder, it is the file
    document = run_json(emulator, root, "sync")
    assert [(c["path"], c["remote_copy"]) for c in document["conflicts"]] == [(P, copy)]
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert any(text.endswith(P) and "changed on both sides" in text for text in lines_of(status.stdout))
    assert [a["path"] for a in run_json(emulator, root, "status")["actions"] if a["op"] == "conflict"] == [P]


def test_diff_headers_and_json_name_the_same_path(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    text = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo").stdout
    assert f"+++ local    {P}  (push-update)" in text
    document = run_json(emulator, root, "diff")
    assert [d["path"] for d in document["differences"]] == [P]
    assert (root / document["differences"][0]["path"]).is_file()


def test_pull_and_push_json_name_files_from_the_project_root(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "title: Piscines", "title: Piscines couvertes")
    pushed = run_json(emulator, root, "push")
    assert [a["path"] for a in pushed["actions"] if a["op"] == "push-update"] == [P]
    pulled = run_json(emulator, root, "pull", "--full")
    assert all((root / s["path"]).parent.is_dir() for s in pulled["skipped"] if s["path"])
    assert {s["path"] for s in pulled["skipped"]} >= {"snapshots/demo/cms/infos/seniors.md"}

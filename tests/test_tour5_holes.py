"""Holes the fifth new user's tour found, each as the tour ran it: the demo site, the `wfsync`
command, edits in the files and in Webflow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json
from tests.test_engine_holes import edit, edit_in_webflow, remote_item


def test_init_quiet_prints_nothing_on_success(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    (root / "mappings" / "infos.yaml").unlink()
    for args in (("init", "-q"), ("-q", "init", "--force"), ("init", "-q")):  # written, overwritten, kept
        result = wfsync(emulator, SITE_ID, root, *args)
        assert result.exit_code == 0 and result.output == "", (args, result.output)
    assert (root / "mappings" / "infos.yaml").exists()


def test_a_pull_that_moves_a_file_renamed_in_webflow_names_both_paths(emulator: EmulatorServer,
                                                                      tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    remote_item(emulator, "infos", "piscines").staged["fieldData"]["slug"] = "piscines-couvertes"
    edit_in_webflow(emulator, "infos", "piscines-couvertes")
    for args, label in ((("pull", "--dry-run"), "would update"), (("pull",), "updated")):
        result = wfsync(emulator, SITE_ID, root, *args, "--snapshot", "demo")
        assert result.exit_code == 0, result.output
        line = next(x for x in result.stdout.splitlines() if "piscines" in x)
        assert line.startswith(label), result.stdout
        assert "snapshots/demo/cms/infos/piscines.md → snapshots/demo/cms/infos/piscines-couvertes.md" in line, line
    assert (snapshot(root) / "cms/infos/piscines-couvertes.md").exists()
    assert not (snapshot(root) / "cms/infos/piscines.md").exists()


def test_a_conflict_webflow_wins_in_sync_is_counted_once(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Baignade"})
    result = wfsync(emulator, SITE_ID, root, "sync", "--on-conflict", "remote", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert "f_tag-2: Baignade" in file.read_text(encoding="utf-8")
    summary = next(x for x in result.stdout.splitlines() if x.startswith("infos "))
    assert "1 resolved" in summary and "pulled" not in summary, result.stdout
    (snapshot(root) / "cms/infos/piscines.local.md").unlink()
    edit(file, "f_tag-2: Baignade", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Nage"})
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--on-conflict", "remote", "--snapshot", "demo")
    infos = next(c for c in report["collections"] if c["collection"] == "infos")
    assert (infos["resolved"], infos["pulled"], infos["pushed"]) == (1, 0, 0), infos


def _refusing_updates_of(emulator: EmulatorServer, item_id: str, held_back: bool = False) -> None:
    """Webflow refuses any update of one item (a validation of its own, that wfsync cannot know), or
    (``held_back``) answers the update without that item and without an error."""
    from connector.emulator.core import validation_error

    update = emulator.state.update

    def refusing(collection_id: str, entries: list[dict[str, Any]], *, live: bool) -> Any:
        if held_back:
            return update(collection_id, [e for e in entries if e.get("id") != item_id], live=live)
        if any(e.get("id") == item_id for e in entries):
            raise validation_error([{"param": "tag-2", "description": "Value is not allowed here"}])
        return update(collection_id, entries, live=live)

    emulator.state.update = refusing  # type: ignore[method-assign]


@pytest.mark.parametrize("held_back", [False, True], ids=["refused", "held-back"])
def test_an_update_webflow_refuses_is_not_shown_or_counted_as_pushed(emulator: EmulatorServer, tmp_path: Path,
                                                                    held_back: bool) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    infos = snapshot(root) / "cms/infos"
    edit(infos / "piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    edit(infos / "hopital.md", "title: ", "title: Le ")
    _refusing_updates_of(emulator, remote_item(emulator, "infos", "piscines").id, held_back)
    reason = "held back" if held_back else "Value is not allowed here"
    result = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert result.exit_code == 1, result.output
    line = next(x for x in result.stdout.splitlines() if "piscines.md" in x)
    assert line.startswith("held") and ("held it back" if held_back else "Webflow refused") in line, result.stdout
    where = "piscines.md: (item): " if held_back else "piscines.md: f_tag-2: "  # the file's key, not the field's
    assert f"problem: snapshots/demo/cms/infos/{where}" in result.output and reason in result.output
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"
    assert "Le " in str(remote_item(emulator, "infos", "hopital").staged["fieldData"]["name"])  # the other one went
    summary = next(x for x in result.stdout.splitlines() if x.startswith("infos "))
    assert "1 updated" in summary and "1 held" in summary, result.stdout
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo", code=1)
    counts = next(c for c in report["collections"] if c["collection"] == "infos")
    assert (counts["updated"], counts["pushed"], counts["pending"]) == (0, 0, 1) and not report["ok"], counts
    entry = next(a for a in report["actions"] if a["path"].endswith("piscines.md"))
    assert entry["blocked"] and "Webflow" in entry["blocked"], entry
    assert any(reason in p["message"] and p["path"].endswith("piscines.md") for p in report["problems"]), report


@pytest.mark.parametrize("typed, shown", [("2024-01-05", "2024-01-05"), ("!!binary aGVsbG8=", "!!binary aGVsbG8="),
                                          ("!!set {a, b}", "!!set {a, b}")], ids=["date", "binary", "set"])
def test_diff_of_a_value_yaml_reads_as_no_text_names_the_file_and_key(emulator: EmulatorServer, tmp_path: Path,
                                                                      typed: str, shown: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "f_tag-2: Sport", f"f_tag-2: {typed}")  # a text field
    result = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo")
    assert result.exit_code == 1 and "Traceback" not in result.output and "bug" not in result.output, result.output
    assert f"+{shown}" in result.stdout, result.stdout
    assert "problem: snapshots/demo/cms/infos/piscines.md:" in result.stderr and "f_tag-2: expected text" in result.stderr
    report = wfsync_json(emulator, SITE_ID, root, "diff", "--snapshot", "demo", code=1)
    field = next(f for d in report["differences"] for f in d["fields"] if f["key"] == "f_tag-2")
    assert field["local"] == shown
    assert any(p["key"] == "f_tag-2" and p["path"].endswith("piscines.md") for p in report["problems"])


def test_diff_of_an_unquoted_date_in_a_date_field_shows_it(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/evenements/cinema-open-air.md"
    edit(file, "f_date: '2024-11-03T09:00:00.000Z'", "f_date: 2024-01-05")  # a date, as YAML reads it
    result = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo")
    assert result.exit_code == 0 and "+2024-01-05" in result.stdout and "problem" not in result.output, result.output


def _event_file(root: Path) -> Path:
    return snapshot(root) / "cms/evenements/cinema-open-air.md"


def _set(file: Path, key: str, typed: str) -> None:
    edit(file, _line_of(file, key), f"{key}: {typed}")


def _line_of(file: Path, key: str) -> str:
    return next(x for x in file.read_text(encoding="utf-8").splitlines() if x.startswith(f"{key}: "))


@pytest.mark.parametrize("key, typed, needle", [
    ("f_date", "2024-02-30", "not a real date"), ("f_date", "'2024-02-30'", "not a real date"),
    ("f_date", "'2024-13-01T10:00:00.000Z'", "not a real date"),
    ("f_site-web", "javascript:alert(1)", "javascript:"), ("f_site-web", "JavaScript:alert(1)", "javascript:"),
    ("f_site-web", "data:text/html,<b>x</b>", "data:"), ("f_site-web", "vbscript:msgbox", "vbscript:"),
    ("f_site-web", "about.html", "expected a URL"),
    ("f_couleur", "rgb(300,0,0)", "red 300 is out of range"),
    ("f_couleur", "hsl(400, 50%, 40%)", "hue 400 is out of range"),
], ids=lambda v: v if isinstance(v, str) and ":" not in v and "(" not in v else None)
def test_a_value_webflow_would_refuse_or_that_is_dangerous_is_refused_before_any_write(
        emulator: EmulatorServer, tmp_path: Path, key: str, typed: str, needle: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = _event_file(root)
    _set(file, key, typed)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")  # a good edit beside
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert status.exit_code == 1 and "Traceback" not in status.output, status.output
    line = next(x for x in status.output.splitlines() if x.startswith("problem:"))
    assert "snapshots/demo/cms/evenements/cinema-open-air.md:" in line and f": {key}: " in line and needle in line, line
    emulator.clear_log()
    pushed = wfsync(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert pushed.exit_code == 1 and needle in pushed.output, pushed.output
    assert not [r for r in emulator.log if r.method != "GET"], "something was written"
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Sport"


@pytest.mark.parametrize("typed", ["/about", "'#top'", "mailto:mairie@sierre.ch", "tel:+41274520111",
                                   "https://www.sierre.ch/", "http://sierre.ch"])
def test_relative_and_ordinary_links_stay_accepted(emulator: EmulatorServer, tmp_path: Path, typed: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    _set(_event_file(root), "f_site-web", typed)
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert status.exit_code == 0 and "problem" not in status.output, status.output


@pytest.mark.parametrize("key, typed", [
    ("f_resume", "yes"), ("f_resume", "2024-01-05"), ("f_resume", "12.50"), ("f_places", "'douze'"),
    ("f_gratuit", "'oui'"), ("f_contact", "no"), ("f_type", "Opéra"), ("f_date", "2024-02-30"),
    ("f_couleur", "rgb(300, 0, 0)"), ("f_resume", "!!binary aGVsbG8="),
], ids=lambda v: v.replace("!", "") if isinstance(v, str) and "(" not in v else None)
def test_a_problem_shows_the_value_as_typed_in_the_file(emulator: EmulatorServer, tmp_path: Path, key: str,
                                                        typed: str) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    _set(_event_file(root), key, typed)
    for command in ("status", "push"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        line = next((x for x in result.output.splitlines() if "cinema-open-air.md:" in x and f": {key}: " in x), "")
        assert typed in line, (command, result.output)
        assert not any(python in line for python in ("True", "False", "datetime.", "b'", "Decimal")), line

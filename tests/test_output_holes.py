"""Holes in what wfsync prints, found by a new user's tour: advice, problems, totals and the
`--json` document, each as the tour ran it against the demo site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector.advice import wrapped
from connector.emulator.fixtures import SITE_ID
from connector.cli import main
from connector.emulator.server import EmulatorServer
from tests.helpers import env_for, pulled_project, snapshot, wfsync
from tests.test_engine_holes import edit, edit_in_webflow, remote_item


def _a_conflict(emulator: EmulatorServer, tmp_path: Path) -> Path:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "piscines", **{"tag-2": "Baignade"})
    return root


def test_advice_into_a_pipe_is_one_line_a_pasted_command_works(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = _a_conflict(emulator, tmp_path)
    result = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert result.exit_code == 3, result.output
    advice = [x for x in result.output.splitlines() if x.startswith("Nothing was overwritten.")]
    assert len(advice) == 1, result.output
    assert "`wfsync sync --on-conflict local PATH`" in advice[0] and advice[0].rstrip().endswith("over the file."), advice


def test_advice_on_a_terminal_never_breaks_inside_a_command() -> None:
    text = ("Nothing was overwritten. Merge each file by hand, then run `wfsync sync --on-conflict local PATH` "
            "for that file.")
    for width in range(20, 90):
        lines = wrapped(text, width)
        assert " ".join(lines) == text, width
        assert any("`wfsync sync --on-conflict local PATH`" in x for x in lines), (width, lines)
        assert all(len(x) <= width or "`" in x for x in lines), (width, lines)


def test_push_and_sync_print_problems_as_status_does(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    file = snapshot(root) / "cms/infos/piscines.md"
    edit(file, "slug: piscines\n", "slug: piscines\nf_unknwon: 3\n")
    line = file.read_text(encoding="utf-8").splitlines().index("f_unknwon: 3") + 1
    expected = f"problem: snapshots/demo/cms/infos/piscines.md:{line}: f_unknwon: unknown key"
    status = wfsync(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert any(x.startswith(expected) for x in status.output.splitlines()), status.output
    for command in ("push", "sync"):
        result = wfsync(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert result.exit_code == 1, result.output
        assert any(x.startswith(expected) for x in result.stderr.splitlines()), (command, result.stderr)


def test_a_refused_token_counts_the_call_that_was_refused(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    env = {**env_for(emulator, SITE_ID), "WEBFLOW_TOKEN": "not-the-token"}
    for command in ("pull", "status"):
        result = CliRunner().invoke(main, ["--root", str(root), command, "--json"], env=env)
        document = json.loads(result.stdout)
        assert document["error"]["kind"] == "auth", document
        assert document["api_calls"] >= 1, (command, document)


def test_diff_of_one_file_speaks_of_that_file(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = _a_conflict(emulator, tmp_path)  # piscines.md: a conflict, which is not the file asked about
    social = snapshot(root) / "cms/infos/social.md"
    edit(social, "### LE CENTRE MEDICO-SOCIAL (CMS)", "### LE CENTRE MEDICO-SOCIAL")
    result = wfsync(emulator, SITE_ID, root, "diff", str(social), "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert "+### LE CENTRE MEDICO-SOCIAL" in result.stdout, result.stdout
    assert "Nothing was overwritten" not in result.output and "piscines" not in result.output, result.output
    assert not [x for x in result.stdout.splitlines() if x.strip() in ("---", "+++")], result.stdout
    whole = wfsync(emulator, SITE_ID, root, "diff", "--snapshot", "demo")
    assert "Nothing was overwritten" in whole.output, whole.output  # the conflict is still told where it is


def test_quiet_prints_no_warning_and_json_keeps_it(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    stray = snapshot(root) / "cms/brouillons/idee.md"
    stray.parent.mkdir()
    stray.write_text("---\ntitle: Idée\n---\n", encoding="utf-8")
    loud = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    assert "warning: snapshots/demo/cms/brouillons/idee.md" in loud.stderr, loud.output
    for command in ("sync", "push", "pull", "status", "diff"):
        quiet = wfsync(emulator, SITE_ID, root, "-q", command, "--snapshot", "demo")
        assert quiet.exit_code == 0 and "warning:" not in quiet.output, (command, quiet.output)
    report = json.loads(wfsync(emulator, SITE_ID, root, "-q", "sync", "--snapshot", "demo", "--json").stdout)
    assert [w["path"] for w in report["warnings"]] == ["snapshots/demo/cms/brouillons/idee.md"], report["warnings"]


def test_init_from_a_subfolder_names_files_from_the_project_root(emulator: EmulatorServer, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    monkeypatch.chdir(snapshot(root) / "cms")
    for args in (("init",), ("init", "--update"), ("init", "--force")):
        result = CliRunner().invoke(main, list(args), env=env_for(emulator, SITE_ID), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        named = [x.split()[1].rstrip(":") for x in result.stdout.splitlines()]
        assert "mappings/infos.yaml" in named and all(x.startswith("mappings/") for x in named), (args, result.stdout)


def test_one_invalid_file_stops_sync_both_ways_and_skip_invalid_keeps_others_flowing(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    """What the README's *Running on a schedule* says of an invalid file in a scheduled sync."""
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "slug: social\n", "slug: social\nf_unknwon: 3\n")
    edit(snapshot(root) / "cms/infos/piscines.md", "f_tag-2: Sport", "f_tag-2: Natation")
    edit_in_webflow(emulator, "infos", "hopital", **{"tag-2": "Urgences"})
    hopital = snapshot(root) / "cms/infos/hopital.md"
    stopped = wfsync(emulator, SITE_ID, root, "sync", "--snapshot", "demo", "--json")
    assert stopped.exit_code == 1 and "Urgences" not in hopital.read_text(encoding="utf-8"), stopped.output
    report = json.loads(wfsync(emulator, SITE_ID, root, "sync", "--skip-invalid", "--snapshot", "demo", "--json").stdout)
    assert (report["exit_code"], report["error"]["kind"]) == (1, "problems"), report["error"]
    assert [(p["path"], p["key"]) for p in report["problems"]] == [("snapshots/demo/cms/infos/social.md", "f_unknwon")]
    assert "f_tag-2: Urgences" in hopital.read_text(encoding="utf-8")
    assert "f_unknwon: 3" in (snapshot(root) / "cms/infos/social.md").read_text(encoding="utf-8")
    assert remote_item(emulator, "infos", "piscines").staged["fieldData"]["tag-2"] == "Natation"


def test_emulator_help_names_every_deviation_the_readme_documents() -> None:
    from connector.emulator.deviations import MODES

    result = CliRunner().invoke(main, ["emulator", "serve", "--help"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split()).replace("- ", "-")  # click wraps at hyphens
    assert "unique-copy-slugs" in flat and all(mode in flat for mode in MODES), flat

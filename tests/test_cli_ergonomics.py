"""git-like ergonomics, help, and errors that never end in a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from connector.cli import main
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.conftest import TOKEN
from tests.helpers import env_for, pulled_project, snapshot
from tests.test_push import edit


def invoke(env: dict[str, str], *args: str):
    return CliRunner().invoke(main, list(args), env=env)


def test_run_from_a_subfolder_finds_the_project_and_takes_paths_from_there(
        emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    monkeypatch.chdir(snapshot(root) / "cms" / "infos")
    env = env_for(emulator, SITE_ID)
    result = invoke(env, "diff", "social.md", "--snapshot", "demo")
    assert result.exit_code == 0, result.output
    assert "--- Webflow  snapshots/demo/cms/infos/social.md" in result.stdout and "+Social et santé" in result.stdout
    monkeypatch.chdir(root)
    shell_completed = invoke(env, "diff", "snapshots/demo/cms/infos/social.md", "--snapshot", "demo")
    assert shell_completed.stdout == result.stdout
    folder = invoke(env, "diff", "snapshots/demo/cms", "--snapshot", "demo")
    assert "+Social et santé" in folder.stdout


def test_an_unknown_path_is_an_error_not_no_differences(emulator: EmulatorServer, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    monkeypatch.chdir(root)
    result = invoke(env_for(emulator, SITE_ID), "diff", "cms/infos/nope.md", "--snapshot", "demo")
    assert result.exit_code == 2
    assert "No differences" not in result.output and "nope.md" in result.stderr


def test_global_options_after_the_command(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    result = invoke(env_for(emulator, SITE_ID), "push", "--snapshot", "demo", "-q", "--root", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_status_and_diff_exit_code(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    env = env_for(emulator, SITE_ID)
    for command in ("status", "diff"):
        assert invoke(env, "--root", str(root), command, "--snapshot", "demo", "--exit-code").exit_code == 0
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    for command in ("status", "diff"):
        assert invoke(env, "--root", str(root), command, "--snapshot", "demo", "--exit-code").exit_code == 1
        assert invoke(env, "--root", str(root), command, "--snapshot", "demo").exit_code == 0


def test_every_command_has_examples_and_the_top_help_lists_env_and_exit_codes() -> None:
    top = invoke({"COLUMNS": "80"}, "--help")
    cut = [line for line in top.output.splitlines() if line.endswith("...") and not line.startswith("Usage")]
    assert cut == []  # at 80 columns, no command's summary is cut
    for word in ("WEBFLOW_TOKEN", "WEBFLOW_API_BASE", "WEBFLOW_SITE_ID", "WFSYNC_ROOT", "Exit codes",
                 "4  another run holds the lock"):
        assert word in top.output, word

    def walk(group: click.Group, path: list[str]):
        for name, command in group.commands.items():
            yield [*path, name]
            if isinstance(command, click.Group):
                yield from walk(command, [*path, name])

    for path in walk(main, []):
        result = invoke({}, *path, "--help")
        assert result.exit_code == 0 and "Examples:" in result.output, path


@pytest.mark.parametrize("base, hint", [("127.0.0.1:8765/v2", "scheme"), ("http://127.0.0.1:8765", "/v2")])
def test_a_malformed_api_base_is_a_usage_error(tmp_path: Path, base: str, hint: str) -> None:
    (tmp_path / "mappings").mkdir()
    result = invoke({"WEBFLOW_API_BASE": base, "WEBFLOW_TOKEN": TOKEN}, "--root", str(tmp_path), "pull")
    assert result.exit_code == 2
    assert "WEBFLOW_API_BASE" in result.stderr and hint in result.stderr and "Traceback" not in result.output


def test_max_delete_that_is_not_a_number_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke({"WEBFLOW_TOKEN": TOKEN}, "--root", str(tmp_path), "push", "--max-delete", "abc")
    assert result.exit_code == 2 and "'abc' is neither a count" in result.output


def test_emulator_serve_on_a_busy_port_is_a_usage_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "connector.cli", "emulator", "serve", "--port", str(port)],
                              capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert f"port {port}" in proc.stderr and "--port 0" in proc.stderr and "Traceback" not in proc.stderr


def test_an_unexpected_error_is_advice_not_a_traceback(emulator: EmulatorServer, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("connector.engine.Engine.run", broken)
    result = invoke(env_for(emulator, SITE_ID), "--root", str(root), "pull", "--snapshot", "demo")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "RuntimeError: boom" in result.stderr and "-vv" in result.stderr and "Traceback" not in result.output


def test_a_new_file_no_mapping_covers_is_reported(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    (snapshot(root) / "notes").mkdir()
    (snapshot(root) / "notes" / "todo.md").write_text("---\ntitle: x\n---\n\nbody\n", encoding="utf-8")
    result = invoke(env_for(emulator, SITE_ID), "--root", str(root), "status", "--snapshot", "demo")
    assert "snapshots/demo/notes/todo.md: no mapping covers this file" in result.stderr


def test_outside_a_project_the_error_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no mappings/ here or above: the wrong folder, not a project to init
    env = {"WEBFLOW_API_BASE": "http://127.0.0.1:9/v2", "WEBFLOW_TOKEN": "t", "WEBFLOW_SITE_ID": SITE_ID}
    result = invoke(env, "status")
    assert result.exit_code == 2
    assert "not in a wfsync project" in result.stderr and "your project folder" in result.stderr
    (tmp_path / "mappings").mkdir()
    result = invoke(env, "status")
    assert result.exit_code == 2 and "no mapping files in mappings/" in result.stderr

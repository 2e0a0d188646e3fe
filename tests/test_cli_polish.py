"""What a new user met on a first tour: file modes, the help's own examples, error kinds, output
through a pipe."""

from __future__ import annotations

import os
import pty
import re
import shlex
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import connector
from connector import cliout, errors
from connector.cli import main
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.store import atomic_write
from tests.helpers import env_for, pulled_project, snapshot

REPO = Path(__file__).parent.parent


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_pulled_files_follow_the_umask_like_any_editor(emulator: EmulatorServer, tmp_path: Path) -> None:
    # a temp file starts 0600: renamed into place as is, no web server or teammate could read it
    root = pulled_project(emulator, SITE_ID, tmp_path)
    expected = 0o666 & ~current_umask()
    files = sorted(snapshot(root).rglob("*.md"))
    assert files
    assert {f.relative_to(root).as_posix(): mode(f) for f in files} == \
        {f.relative_to(root).as_posix(): expected for f in files}


def test_a_rewritten_file_keeps_the_mode_the_user_gave_it(tmp_path: Path) -> None:
    target = tmp_path / "page.md"
    atomic_write(target, b"one\n")
    os.chmod(target, 0o640)
    atomic_write(target, b"two\n", durable=False)
    assert target.read_bytes() == b"two\n" and mode(target) == 0o640


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def test_every_error_has_a_kind_the_readme_documents() -> None:
    import importlib
    import pkgutil

    for module in pkgutil.walk_packages(connector.__path__, "connector."):
        if ".emulator" not in module.name:
            importlib.import_module(module.name)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = next(line for line in readme.splitlines() if line.startswith("| `error` |"))
    documented = set(re.findall(r"`([a-z_]+)`", line.split("`kind` is one of", 1)[1]))
    kinds = {cls.__name__: cliout.error_kind(cls.__new__(cls)) for cls in _subclasses(errors.WfsyncError)}
    undocumented = {name: kind for name, kind in kinds.items() if kind not in documented or kind == "internal"}
    assert undocumented == {}


def test_the_serve_help_examples_run_and_return(tmp_path: Path) -> None:
    # an example that waits for a server's output to close (eval "$(... &)") never returns
    result = CliRunner().invoke(main, ["emulator", "serve", "--help"], terminal_width=200)
    lines = [l.strip() for l in result.output.splitlines()]
    start = next(i for i, l in enumerate(lines) if "> emulator.env &" in l)
    script = "\n".join(re.sub(r"\s+#.*$", "", l) for l in lines[start:start + 2]).replace("--port 8765", "--port 0")
    bash = shutil.which("bash")
    assert bash
    env = {**os.environ, "PYTHONPATH": str(REPO), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    run = subprocess.run([bash, "-c", script + '\necho "$WEBFLOW_API_BASE $WEBFLOW_TOKEN"\nkill %1\nwait'],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v2 demo-token\n", run.stdout), run.stdout


def _run_on_a_terminal(args: list[str], stdin: str) -> bytes:
    leader, follower = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "connector.cli", *args], stdin=subprocess.PIPE, stdout=follower,
                            stderr=subprocess.DEVNULL, env=env)
    os.close(follower)
    proc.communicate(stdin.encode(), timeout=60)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return out


def test_convert_ends_its_line_on_a_terminal_and_keeps_exact_bytes_through_a_pipe() -> None:
    piped = subprocess.run([sys.executable, "-m", "connector.cli", "convert", "to-markdown"], input="<p><b>a</b></p>",
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=60)
    assert piped.stdout == "**a**"
    assert _run_on_a_terminal(["convert", "to-markdown"], "<p><b>a</b></p>") == b"**a**\r\n"


def test_a_long_line_is_not_cut_when_the_output_is_piped(emulator: EmulatorServer, tmp_path: Path) -> None:
    # a cron log or `| grep`: rich would otherwise wrap every line at 80 columns
    env = {**{k: v for k, v in os.environ.items() if k != "COLUMNS"}, **env_for(emulator, SITE_ID),
           "PYTHONPATH": str(REPO)}
    out = tmp_path / "a-site-folder-with-a-name-long-enough-to-pass-eighty-columns-on-its-own"
    run = subprocess.run([sys.executable, "-m", "connector.cli", "--root", str(tmp_path), "export", "--profile", "hugo",
                          "--out", str(out), "--assets", "keep-remote"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert any(str(out) in line and line.startswith("wfsync export") for line in lines), run.stdout
    assert any(line.startswith("  assets: ") and "downloaded now: " in line for line in lines), run.stdout


def test_export_away_from_the_project_says_it_has_no_slug_history(emulator: EmulatorServer, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path / "elsewhere"), "export", "--profile", "hugo", "--out",
                                       str(tmp_path / "site"), "--assets", "keep-remote"],
                                env=env_for(emulator, SITE_ID))
    assert result.exit_code == 0, result.output
    assert "no slug history" in result.stdout and "--snapshot NAME" in result.stdout


def test_status_quiet_prints_nothing_when_in_step(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    result = CliRunner().invoke(main, ["--root", str(root), "status", "--snapshot", "demo", "-q"],
                                env=env_for(emulator, SITE_ID))
    assert result.exit_code == 0 and result.stdout == "", result.output


def test_outside_a_project_the_hint_says_where_mappings_are_looked_for(emulator: EmulatorServer,
                                                                       tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(tmp_path), "status"], env=env_for(emulator, SITE_ID))
    assert result.exit_code == 2
    assert "wfsync init" in result.stderr and "project folder" in result.stderr
    assert "WEBFLOW_TOKEN" not in result.stderr

"""Progress bars: counts, rate and ETA per collection and phase, on a terminal only."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from connector.client import WebflowClient
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from connector.engine import Engine, RunOptions
from connector.mapping import load_mappings
from connector.progress import TerminalProgress
from tests.helpers import demo_project, wfsync


def test_a_pull_on_a_terminal_shows_each_phase_of_each_collection(client: WebflowClient, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    assert wfsync_init(client, root)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, color_system=None)
    progress = TerminalProgress(console)
    Engine(client, SITE_ID, root / "snapshots" / "demo", load_mappings(root / "mappings"),
           progress=progress).run(RunOptions(command="pull"))
    progress.close()
    text = screen.getvalue()
    for phase in ("reading", "converting", "writing"):
        assert f"{phase:<10} infos" in text, phase
    assert "15/15 items" in text and "13/13 items" in text  # infos: 15 read, 13 pulled
    assert "/s" in text  # the rate


def wfsync_init(client: WebflowClient, root: Path) -> bool:
    from connector.cli import write_demo_mappings

    write_demo_mappings(client, SITE_ID, root / "mappings")
    return (root / "mappings" / "infos.yaml").exists()


def test_nothing_of_it_reaches_a_non_terminal_or_json(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = demo_project(tmp_path)
    plain = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert plain.exit_code == 0 and plain.stderr == ""
    assert "items ·" not in plain.stdout


def test_json_and_quiet_get_no_bars_even_on_a_terminal(monkeypatch) -> None:
    import click

    from connector.cli import make_progress
    from connector.progress import NoProgress, TerminalProgress

    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    ctx = click.Context(click.Command("x"), obj={"quiet": False})
    assert isinstance(make_progress(ctx, as_json=False), TerminalProgress)
    assert isinstance(make_progress(ctx, as_json=True), NoProgress)
    ctx.obj["quiet"] = True
    assert isinstance(make_progress(ctx, as_json=False), NoProgress)

"""`wfsync emulator serve` as a person uses it: exports printed, state kept across restarts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from connector.cli import main

REPO = Path(__file__).parent.parent


def serve(data: Path) -> tuple[subprocess.Popen, dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "connector.cli", "emulator", "serve", "--demo", "--data", str(data),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    env = {}
    for _ in range(3):
        line = proc.stdout.readline()  # type: ignore[union-attr]
        key, _, value = line.strip().removeprefix("export ").partition("=")
        env[key] = value
    return proc, env


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    proc.wait(10)


def test_serve_prints_exports_and_keeps_its_state(tmp_path: Path) -> None:
    proc, env = serve(tmp_path / "data")
    try:
        assert set(env) == {"WEBFLOW_API_BASE", "WEBFLOW_TOKEN", "WEBFLOW_SITE_ID"}
        assert env["WEBFLOW_API_BASE"].startswith("http://127.0.0.1:") and env["WEBFLOW_API_BASE"].endswith("/v2")
        result = CliRunner().invoke(main, ["collections", "--json"], env=env)
        assert result.exit_code == 0, result.output
        assert {c["slug"] for c in json.loads(result.output)["collections"]} == {"categories", "infos", "evenements"}
        root = tmp_path / "project"
        assert CliRunner().invoke(main, ["--root", str(root), "init"], env=env).exit_code == 0
        assert CliRunner().invoke(main, ["--root", str(root), "pull", "--snapshot", "s"], env=env).exit_code == 0
        page = root / "snapshots/s/cms/categories/education.md"
        page.write_text(page.read_text().replace("title: Éducation", "title: Écoles"))
        assert CliRunner().invoke(main, ["--root", str(root), "push", "--snapshot", "s"], env=env).exit_code == 0
    finally:
        stop(proc)
    proc, env = serve(tmp_path / "data")  # a restart: the push is still there
    try:
        result = CliRunner().invoke(main, ["--root", str(root), "status", "--snapshot", "s", "--json"], env=env)
        assert [a for a in json.loads(result.output)["actions"] if a["op"] != "nothing"] == []
        assert "title: Écoles" in page.read_text()
    finally:
        stop(proc)

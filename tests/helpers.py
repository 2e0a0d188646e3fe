"""Running the CLI against an emulator, as a user would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from connector.cli import main
from connector.emulator.server import EmulatorServer
from tests.conftest import TOKEN


def env_for(server: EmulatorServer, site_id: str) -> dict[str, str]:
    return {"WEBFLOW_API_BASE": server.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": site_id}


def wfsync(server: EmulatorServer, site_id: str, root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], env=env_for(server, site_id), catch_exceptions=False)


def wfsync_json(server: EmulatorServer, site_id: str, root: Path, *args: str, code: int = 0) -> dict[str, Any]:
    result = wfsync(server, site_id, root, *args, "--json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def demo_project(tmp_path: Path) -> Path:
    """A project folder with the demo's mapping files (the reference key order for infos)."""
    from importlib import resources

    root = tmp_path / "project"
    (root / "mappings").mkdir(parents=True)
    shipped = resources.files("connector.emulator").joinpath("fixtures/mappings/infos.yaml")
    (root / "mappings" / "infos.yaml").write_text(shipped.read_text(encoding="utf-8"), encoding="utf-8")
    return root


def snapshot(root: Path) -> Path:
    return root / "snapshots" / "demo"


def files_with_mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.md")}


def pulled_project(server: EmulatorServer, site_id: str, tmp_path: Path) -> Path:
    """A demo project, initialised and pulled, with the server's request log cleared."""
    root = demo_project(tmp_path)
    assert wfsync(server, site_id, root, "init").exit_code == 0
    wfsync_json(server, site_id, root, "pull", "--snapshot", "demo")
    server.clear_log()
    return root

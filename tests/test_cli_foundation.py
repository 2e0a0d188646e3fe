"""The command line: demo, collections against a running emulator, configuration errors."""

from __future__ import annotations

import json

from click.testing import CliRunner

from connector.cli import main
from connector.emulator.server import EmulatorServer
from tests.conftest import TOKEN


def test_collections_against_the_emulator(emulator: EmulatorServer, site_id: str) -> None:
    env = {"WEBFLOW_API_BASE": emulator.base_url, "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": site_id}
    result = CliRunner().invoke(main, ["collections", "--json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    counts = {c["slug"]: (c["items"], c["live"]) for c in data["collections"]}
    assert counts == {"categories": (6, 6), "infos": (15, 13), "evenements": (12, 10)}
    assert TOKEN not in result.output


def test_missing_token_is_a_configuration_error() -> None:
    result = CliRunner().invoke(main, ["collections"], env={"WEBFLOW_TOKEN": "", "WEBFLOW_TOKEN_FILE": ""})
    assert result.exit_code == 2
    assert "WEBFLOW_TOKEN" in result.output


def test_wrong_token_says_what_to_do(emulator: EmulatorServer, site_id: str) -> None:
    env = {"WEBFLOW_API_BASE": emulator.base_url, "WEBFLOW_TOKEN": "not-the-token", "WEBFLOW_SITE_ID": site_id}
    result = CliRunner().invoke(main, ["collections"], env=env)
    assert result.exit_code == 1
    assert "401" in result.output and "WEBFLOW_TOKEN" in result.output and "not-the-token" not in result.output


def test_token_file_is_read(emulator: EmulatorServer, site_id: str, tmp_path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n")
    env = {"WEBFLOW_API_BASE": emulator.base_url, "WEBFLOW_TOKEN": "", "WEBFLOW_TOKEN_FILE": str(tmp_path / "token"),
           "WEBFLOW_SITE_ID": site_id}
    assert CliRunner().invoke(main, ["collections", "--json"], env=env).exit_code == 0


def test_demo_pulls_the_demo_site(tmp_path) -> None:
    from pathlib import Path

    result = CliRunner().invoke(main, ["--root", str(tmp_path), "demo"], env={"WEBFLOW_TOKEN": "", "COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for slug, count in (("categories", "6"), ("infos", "15"), ("evenements", "12")):
        line = next(line for line in result.output.splitlines() if f" {slug} " in line)
        assert f" {count} " in line
    reference = (Path(__file__).parent / "data" / "reference-item.md").read_bytes()
    assert (tmp_path / "snapshots/demo/cms/infos/social.md").read_bytes() == reference
    assert len(list((tmp_path / "snapshots/demo").rglob("*.md"))) == 60  # French and German
    assert "60 Markdown files" in result.output and "cms/infos/social.md" in result.output
    assert "Webflow now says tag-2 = 'Natation'" in result.output
    assert "title: Piscines de Sierre" in (tmp_path / "snapshots/demo/cms/infos/piscines.md").read_text()

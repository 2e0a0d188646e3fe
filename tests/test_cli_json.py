"""--json: exactly one JSON document on stdout, on success and on every kind of failure, one key style."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from connector.cli import main
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer
from tests.conftest import TOKEN
from tests.helpers import demo_project, env_for, pulled_project, snapshot
from tests.test_push import edit

ERROR_KEYS = {"kind", "message", "hint"}


def run_json(env: dict[str, str], root: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args, "--json"], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    document = json.loads(result.stdout)  # exactly one document, nothing else on stdout
    return result.exit_code, document, result.stderr


def keys_of(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_of(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_of(v)}
    return set()


def assert_failure(document: dict[str, Any], code: int, kind: str) -> None:
    assert document["ok"] is False and document["exit_code"] == code
    assert set(document["error"]) == ERROR_KEYS and document["error"]["kind"] == kind
    assert document["error"]["message"] and document["error"]["hint"]
    assert isinstance(document["problems"], list)


def test_bad_token_is_a_json_document(emulator: EmulatorServer, tmp_path: Path) -> None:
    env = {**env_for(emulator, SITE_ID), "WEBFLOW_TOKEN": "not-the-token"}
    code, document, _ = run_json(env, demo_project(tmp_path), "pull")
    assert code == 1
    assert_failure(document, 1, "auth")
    assert "not-the-token" not in json.dumps(document)


def test_configuration_and_usage_errors_are_json_with_exit_2(emulator: EmulatorServer, tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    code, document, _ = run_json(env_for(emulator, SITE_ID), empty, "pull")
    assert code == 2
    assert_failure(document, 2, "config")
    code, document, _ = run_json(env_for(emulator, SITE_ID), empty, "push", "--max-delete", "abc")
    assert code == 2
    assert_failure(document, 2, "usage")
    assert "--max-delete" in document["error"]["message"]


def test_refused_connection_is_json_names_the_host_and_stops_quickly(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"WEBFLOW_API_BASE": f"http://127.0.0.1:{port}/v2", "WEBFLOW_TOKEN": TOKEN, "WEBFLOW_SITE_ID": SITE_ID}
    started = time.monotonic()
    code, document, _ = run_json(env, demo_project(tmp_path), "pull")
    assert time.monotonic() - started < 10  # a few short retries, not minutes of backoff
    assert code == 1
    assert_failure(document, 1, "network")
    assert f"127.0.0.1:{port}" in document["error"]["message"] and "refused" in document["error"]["message"]


def test_validation_problems_are_json_with_path_and_key(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/piscines.md", "slug: piscines", "slug: Pis cines")
    code, document, _ = run_json(env_for(emulator, SITE_ID), root, "push", "--snapshot", "demo")
    assert code == 1
    assert_failure(document, 1, "validation")
    assert any(p["path"] == "snapshots/demo/cms/infos/piscines.md" and p["key"] == "slug" and p["message"]
               for p in document["problems"])


def test_success_documents_share_one_shape_and_snake_case(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit(snapshot(root) / "cms/infos/social.md", "title: Social", "title: Social et santé")
    env = env_for(emulator, SITE_ID)
    seen: set[str] = set()
    for args in (["pull", "--snapshot", "demo"], ["status", "--snapshot", "demo"], ["diff", "--snapshot", "demo"],
                 ["collections"], ["push", "--snapshot", "demo"]):
        code, document, _ = run_json(env, root, *args)
        assert code == 0, document
        assert isinstance(document, dict) and document["ok"] is True and document["error"] is None
        assert document["exit_code"] == 0 and document["command"] == args[0]
        assert "api_calls" in document and isinstance(document["problems"], list)
        seen |= keys_of(document)
    assert not [k for k in seen if re.search(r"[a-z][A-Z]", k)], "camelCase keys"
    _, diff, _ = run_json(env, root, "diff", "--snapshot", "demo")
    assert diff["differences"] == []


def test_a_run_with_conflicts_says_so_in_error(emulator: EmulatorServer, tmp_path: Path) -> None:
    from tests.test_push import edit_both_sides

    root = pulled_project(emulator, SITE_ID, tmp_path)
    edit_both_sides(emulator, root, ("title: Piscines", "title: Piscines A"), {"name": "Piscines B"})
    code, document, _ = run_json(env_for(emulator, SITE_ID), root, "sync", "--snapshot", "demo")
    assert code == 3 and document["exit_code"] == 3 and document["ok"] is False
    assert document["error"]["kind"] == "conflicts" and document["conflicts"][0]["path"] == "snapshots/demo/cms/infos/piscines.md"

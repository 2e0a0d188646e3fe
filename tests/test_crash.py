"""Crash safety: a push killed at any point and run again finishes with no duplicate and no lost edit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer, LoggedRequest
from tests.helpers import demo_project, env_for, snapshot, wfsync, wfsync_json

REPO = Path(__file__).parent.parent


def start_push(emulator: EmulatorServer, root: Path) -> subprocess.Popen:
    env = {**os.environ, **env_for(emulator, SITE_ID), "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "connector.cli", "--root", str(root), "push", "--snapshot", "demo",
                             "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_after(emulator: EmulatorServer, proc_box: list, method: str, nth: int) -> threading.Event:
    """Kill the client once the nth write of this method was applied, before it gets the answer."""
    seen = [0]
    done = threading.Event()

    def hook(entry: LoggedRequest) -> None:
        if entry.method == method and entry.status and entry.status < 300 and not done.is_set():
            seen[0] += 1
            if seen[0] == nth:
                proc_box[0].send_signal(signal.SIGKILL)
                proc_box[0].wait(10)
                done.set()

    emulator.after_request = hook
    return done


@pytest.mark.parametrize("method,nth", [("POST", 1), ("POST", 2), ("PATCH", 1), ("PATCH", 2)])
def test_killed_push_then_rerun_leaves_no_duplicate(emulator: EmulatorServer, tmp_path: Path, method: str, nth: int) -> None:
    root = demo_project(tmp_path)
    cats_id = next(c.id for c in emulator.state.collections.values() if c.slug == "categories")
    for start in (0, 100):
        emulator.state.create(cats_id, [{"fieldData": {"name": f"Ancienne {n}", "slug": f"old-{n}", "couleur": "#000000"}}
                                        for n in range(start, min(start + 100, 150))], publish=False)
    assert wfsync(emulator, SITE_ID, root, "init").exit_code == 0
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    cats = snapshot(root) / "cms/categories"
    for n in range(150):  # two create batches and two update batches
        (cats / f"new-{n}.md").write_text(f"---\ntitle: Nouvelle {n}\nslug: new-{n}\nf_couleur: '#112233'\n---\n\n\n",
                                          encoding="utf-8")
        old = cats / f"old-{n}.md"
        old.write_text(old.read_text(encoding="utf-8").replace("'#000000'", "'#FFFFFF'"), encoding="utf-8")
    box: list = [None]
    done = kill_after(emulator, box, method, nth)
    box[0] = start_push(emulator, root)
    deadline = time.monotonic() + 60
    while not done.is_set() and box[0].poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    done.wait(10)  # the hook may still be between its kill and its set()
    emulator.after_request = None
    assert done.is_set(), f"the push made fewer than {nth} {method} calls: {box[0].communicate()}"
    assert box[0].returncode == -signal.SIGKILL
    # run again until done: it finishes the job
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert not report["conflicts"]
    remote = [i.staged["fieldData"] for c in emulator.state.collections.values() for i in c.items.values()]
    slugs = [(d["slug"]) for d in remote]
    assert len(slugs) == len(set(slugs)), "a duplicate item was created"
    created = {d["slug"] for d in remote if d["slug"].startswith("new-")}
    assert created == {f"new-{n}" for n in range(150)}
    colours = {d["slug"]: d["couleur"] for d in remote if d["slug"].startswith("old-")}
    assert set(colours.values()) == {"#FFFFFF"}, "an edit was lost"
    status = wfsync_json(emulator, SITE_ID, root, "status", "--snapshot", "demo")
    assert [a for a in status["actions"] if a["op"] != "nothing"] == []


# -- the kill sweep: every write boundary of a push and a sync, before and after Webflow applies it --------
class Killed(Exception):
    """Raised in the server thread: the request dies with the client, Webflow never applies it."""


def _sweep_setup(tmp_path: Path) -> tuple[EmulatorServer, Path]:
    from tests.model_site import TOKEN as MODEL_TOKEN, make_server, write_project

    server = make_server(time.time, pages=6)
    server.tokens = {MODEL_TOKEN: server.tokens[next(iter(server.tokens))]}
    server._httpd.handle_error = lambda request, address: None  # noqa: SLF001 - a killed client is expected here
    server.start()
    root = tmp_path / "project"
    write_project(root)
    assert _model_cli(server, root, "pull").exit_code == 0
    return server, root


def _model_env(server: EmulatorServer) -> dict[str, str]:
    from tests.model_site import SITE_ID as MODEL_SITE, TOKEN as MODEL_TOKEN

    return {"WEBFLOW_API_BASE": server.base_url, "WEBFLOW_TOKEN": MODEL_TOKEN, "WEBFLOW_SITE_ID": MODEL_SITE}


def _model_cli(server: EmulatorServer, root: Path, *args: str):  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from connector.cli import main

    return CliRunner().invoke(main, ["--root", str(root), *args, "--snapshot", "model", "--json"],
                              env=_model_env(server), catch_exceptions=False)


SWEEP_ARGS = ("--allow-delete", "--max-delete", "100%")


def _edits_in_flight(server: EmulatorServer, root: Path) -> None:
    """Creates, updates and deletes (of a published and of an unpublished item), in Markdown as an
    editor writes it (`*emphasis*`, which Webflow's copy reads back as `_emphasis_`)."""
    from tests.model_site import join_file, split_file

    pages = root / "snapshots" / "model" / "pages"
    for n in range(3):
        (pages / f"neu-{n}.md").write_text(join_file({
            "title": f"Neu {n}", "slug": f"neu-{n}", "f_uid": f"n{n}", "f_texte": f"neu {n}",
            "f_corps": f"Une *fête* et **{n}**.", "f_genre": "Sport", "f_theme": "themes/t-mer.md", "draft": False}),
            encoding="utf-8")
    for n in (1, 2):
        path = pages / f"page-{n}.md"
        front, body = split_file(path.read_text(encoding="utf-8"))
        front.update({"f_texte": f"édité {n}", "f_corps": front["f_corps"] + "\n\nPlus *tard*."})
        path.write_text(join_file(front, body), encoding="utf-8")
    (pages / "page-4.md").unlink()  # published: unpublished, then deleted
    (pages / "page-5.md").unlink()  # never published


def _check_after_rerun(server: EmulatorServer, root: Path, command: str, where: str) -> None:
    from tests.model_site import PAGES_ID, observe_local, observe_remote

    remote = observe_remote(server.state)
    duplicates = {uid: len(items) for uid, items in remote.items() if len(items) > 1}
    assert not duplicates, f"{where}: duplicate items {duplicates}"
    assert {f"n{n}" for n in range(3)} <= set(remote), f"{where}: a create was lost"
    assert "u4" not in remote and "u5" not in remote, f"{where}: a deletion was not finished"
    assert server.state.collections[PAGES_ID].items, where
    for n in (1, 2):
        page = remote[f"u{n}"][0].page
        assert page.texte == f"édité {n}", f"{where}: the edit of page-{n} was lost"
    local = observe_local(root / "snapshots" / "model")
    assert "u4" not in local and "u5" not in local, f"{where}: a deleted file came back"
    assert {f"n{n}" for n in range(3)} <= set(local), where
    leftovers = sorted(p.name for p in (root / "snapshots" / "model").rglob("*") if p.name.endswith(".remote.md")
                       or p.name.endswith(".tmp") or p.name == "run.lock")
    assert not leftovers, f"{where}: left behind {leftovers}"
    status = _model_cli(server, root, "status")
    assert status.exit_code == 0, f"{where}: status failed: {status.output}"
    pending = [(a["op"], a["path"]) for a in json.loads(status.stdout)["actions"] if a["op"] != "nothing"]
    assert not pending, f"{where}: status not clean after the rerun: {pending}"


def _writes_of(server: EmulatorServer) -> list[str]:
    return [f"{r.method} {r.path}" for r in server.log if r.method in ("POST", "PATCH", "DELETE") and r.token_ok]


@pytest.mark.parametrize("command", ["push", "sync"])
def test_kill_sweep_every_write_boundary(tmp_path: Path, command: str) -> None:
    """kill -9 a real `wfsync push|sync` at each of its writes, before and after Webflow applied it; run
    it again once: no duplicate, no lost edit, nothing to repair by hand."""
    server, root = _sweep_setup(tmp_path / "reference")
    try:
        _edits_in_flight(server, root)
        server.clear_log()
        clean = _model_cli(server, root, command, *SWEEP_ARGS)
        assert clean.exit_code == 0, clean.output
        boundaries = _writes_of(server)
        _check_after_rerun(server, root, command, "a clean run")
    finally:
        server.stop()
    assert len(boundaries) >= 4, boundaries  # a create, an update, an unpublish, a delete at least
    failures = []
    for nth in range(1, len(boundaries) + 1):
        for applied in (False, True):
            where = f"{command} killed {'after' if applied else 'before'} write {nth} ({boundaries[nth - 1]})"
            server, root = _sweep_setup(tmp_path / f"{nth}-{applied}")
            try:
                _edits_in_flight(server, root)
                proc_box: list = [None]
                done = _kill_at_write(server, proc_box, nth, applied)
                env = {**os.environ, **_model_env(server), "PYTHONPATH": str(REPO)}
                proc_box[0] = subprocess.Popen(
                    [sys.executable, "-m", "connector.cli", "--root", str(root), command, "--snapshot", "model",
                     "--json", *SWEEP_ARGS], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                proc_box[0].wait(60)
                done.wait(10)
                server.before_request = server.after_request = None
                assert done.is_set() and proc_box[0].returncode == -signal.SIGKILL, where
                again = _model_cli(server, root, command, *SWEEP_ARGS)
                if again.exit_code != 0:
                    failures.append(f"{where}: the rerun exits {again.exit_code}: {again.output[-600:]}")
                    continue
                try:
                    _check_after_rerun(server, root, command, where)
                except AssertionError as exc:
                    failures.append(str(exc).splitlines()[0])
            finally:
                server.stop()
    assert not failures, "\n".join(failures)


def _kill_at_write(server: EmulatorServer, proc_box: list, nth: int, applied: bool) -> threading.Event:
    seen = [0]
    done = threading.Event()

    def kill() -> None:
        proc_box[0].send_signal(signal.SIGKILL)
        proc_box[0].wait(10)
        done.set()

    def before(method: str, path: str, query: dict[str, str]) -> None:
        if method in ("POST", "PATCH", "DELETE") and not done.is_set():
            seen[0] += 1
            if seen[0] == nth and not applied:
                kill()
                raise Killed(path)  # never applied: the client is gone before Webflow acts

    def after(entry: LoggedRequest) -> None:
        if seen[0] == nth and applied and entry.method in ("POST", "PATCH", "DELETE") and not done.is_set():
            kill()  # applied; the answer goes nowhere

    server.before_request = before
    server.after_request = after
    return done

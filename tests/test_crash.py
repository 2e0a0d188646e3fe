"""Crash safety: a push killed at any point and run again finishes with no duplicate and no lost edit."""

from __future__ import annotations

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

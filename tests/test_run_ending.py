"""One run at a time, and a run told to stop ends cleanly: the lock is taken over atomically and
released on SIGTERM/SIGINT, with no temporary file left and a documented exit code."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import json
from pathlib import Path
from typing import Any

import pytest

from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import EmulatorServer, LoggedRequest
from tests.helpers import env_for, pulled_project, snapshot, wfsync_json

REPO = Path(__file__).parent.parent
DEAD_PID = 2**22 + 12345


def _contend(path: str, barrier: Any, results: Any) -> None:
    import connector.lock as lock_module
    from connector.errors import LockedError

    def slow_and_dead(pid: int) -> bool:
        time.sleep(0.05)  # a loaded machine: the liveness check takes a while
        return pid != DEAD_PID and pid == os.getpid()

    lock_module._alive = slow_and_dead
    barrier.wait()
    try:
        with lock_module.SnapshotLock(Path(path)):
            time.sleep(0.5)
            results.put("won")
    except LockedError:
        results.put("refused")


def test_only_one_of_many_runs_takes_over_a_dead_runs_lock(tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    path = tmp_path / ".wfsync" / "run.lock"
    path.parent.mkdir()
    for _ in range(3):
        path.write_text(json.dumps({"pid": DEAD_PID, "host": socket.gethostname(), "started": 0}))
        barrier, results = context.Barrier(4), context.Queue()
        procs = [context.Process(target=_contend, args=(str(path), barrier, results)) for _ in range(4)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(20)
        outcomes = sorted(results.get(timeout=5) for _ in procs)
        assert outcomes == ["refused", "refused", "refused", "won"], outcomes


def start(emulator: EmulatorServer, root: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, **env_for(emulator, SITE_ID), "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "connector.cli", "--root", str(root), *args, "--snapshot", "demo"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("signum,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_a_run_cleanly_and_the_next_run_finishes(emulator: EmulatorServer, tmp_path: Path,
                                                               signum: int, code: int) -> None:
    root = pulled_project(emulator, SITE_ID, tmp_path)
    cats = snapshot(root) / "cms/categories"
    for n in range(150):  # two create batches: the signal lands after the first
        (cats / f"new-{n}.md").write_text(f"---\ntitle: Nouvelle {n}\nslug: new-{n}\nf_couleur: '#112233'\n---\n\n\n",
                                          encoding="utf-8")
    box: list[subprocess.Popen] = []
    sent = threading.Event()

    def hook(entry: LoggedRequest) -> None:
        if entry.method == "POST" and entry.status and entry.status < 300 and not sent.is_set():
            sent.set()
            box[0].send_signal(signum)

    emulator.after_request = hook
    box.append(start(emulator, root, "push"))
    out, err = box[0].communicate(timeout=60)
    emulator.after_request = None
    assert sent.is_set()
    assert box[0].returncode == code, err.decode()
    assert b"Traceback" not in err and b"run the same command again" in err
    state_dir = snapshot(root) / ".wfsync"
    assert not (state_dir / "run.lock").exists()
    assert [p for p in snapshot(root).rglob("*") if p.name.endswith(".tmp")] == []
    report = wfsync_json(emulator, SITE_ID, root, "push", "--snapshot", "demo")
    assert not report["conflicts"]
    slugs = [i.staged["fieldData"]["slug"] for c in emulator.state.collections.values() for i in c.items.values()]
    assert len(slugs) == len(set(slugs))
    assert {s for s in slugs if s.startswith("new-")} == {f"new-{n}" for n in range(150)}

"""The scheduled job: incremental runs, deletes still seen, the lock, reports, faults, pacing."""

from __future__ import annotations

import json
import os
import re
import socket
from pathlib import Path


from connector.client import WebflowClient
from connector.emulator.fixtures import SITE_ID
from connector.emulator.server import ALL_SCOPES, EmulatorServer, FaultPlan
from connector.engine import Engine, RunOptions
from connector.mapping import load_mappings
from connector.plan import Policy
from connector.transport import Transport
from tests.conftest import TOKEN, NoSleep, single_locale_demo
from tests.helpers import demo_project, pulled_project, snapshot, wfsync, wfsync_json


def ready(emulator: EmulatorServer, tmp_path: Path) -> Path:
    return pulled_project(emulator, SITE_ID, tmp_path)


def coll(emulator: EmulatorServer, slug: str):
    return next(c for c in emulator.state.collections.values() if c.slug == slug)


def test_a_run_with_nothing_changed_costs_two_calls_per_collection(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    for command in ("pull", "sync"):
        emulator.clear_log()
        report = wfsync_json(emulator, SITE_ID, root, command, "--snapshot", "demo")
        assert len(emulator.log) <= 2 * 3, [(r.method, r.path, r.query) for r in emulator.log]
        assert report["api_calls"] == len(emulator.log)
        assert all(c["api_calls"] <= 2 for c in report["collections"])


def test_incremental_run_reads_only_changes_but_sees_deletes(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    infos = coll(emulator, "infos")
    bus = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == "bus-urbains")
    bus.staged["fieldData"]["tag-2"] = "Mobilité"
    bus.staged["lastUpdated"] = emulator.state.now()
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert "f_tag-2: Mobilité" in (snapshot(root) / "cms/infos/bus-urbains.md").read_text()
    lists = [r for r in emulator.log if r.path.endswith("/items")]
    assert all(r.query.get("sortBy") == "lastUpdated" for r in lists) and len(lists) == 3
    # a deletion in Webflow: the count drops, so that collection is read in full and the file goes
    hopital = next(i for i in infos.items.values() if i.staged["fieldData"]["slug"] == "hopital")
    del infos.items[hopital.id]
    emulator.clear_log()
    report = wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert not (snapshot(root) / "cms/infos/hopital.md").exists()
    assert next(c for c in report["collections"] if c["collection"] == "infos")["removed"] == 1


def test_full_reconciliation_on_demand_and_every_n_runs(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    wfsync_json(emulator, SITE_ID, root, "pull", "--snapshot", "demo", "--full")
    lists = [r for r in emulator.log if r.path.endswith("/items")]
    assert lists and not any("sortBy" in r.query for r in lists)
    client = WebflowClient(Transport(emulator.base_url, TOKEN, sleep=NoSleep()))
    engine = Engine(client, SITE_ID, snapshot(root), load_mappings(root / "mappings"))
    kinds = []
    for _ in range(4):
        emulator.clear_log()
        engine.run(RunOptions(command="pull", full_every=2))
        kinds.append(any("sortBy" in r.query for r in emulator.log if r.path.endswith("/items")))
    assert kinds == [True, True, False, True]  # incremental, incremental, then a full read


def test_a_second_run_is_refused_while_one_holds_the_lock(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    lock = snapshot(root) / ".wfsync/run.lock"
    lock.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "started": 0}))
    result = wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo")
    assert result.exit_code == 4 and "another wfsync run holds" in result.output and str(os.getpid()) in result.output
    assert emulator.log == [] or all(r.method == "GET" for r in emulator.log)
    # a lock left by a dead process is taken over
    lock.write_text(json.dumps({"pid": 2**22 + 12345, "host": socket.gethostname(), "started": 0}))
    assert wfsync(emulator, SITE_ID, root, "pull", "--snapshot", "demo").exit_code == 0
    assert not lock.exists()


def test_quiet_prints_nothing_on_success_and_logs_go_to_stderr(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    result = wfsync(emulator, SITE_ID, root, "-q", "pull", "--snapshot", "demo")
    assert result.exit_code == 0 and result.stdout == "" and result.stderr == ""
    result = wfsync(emulator, SITE_ID, root, "-vv", "pull", "--snapshot", "demo", "--json")
    assert json.loads(result.stdout)["command"] == "pull"
    assert "DEBUG wfsync.http: GET" in result.stderr and TOKEN not in result.stderr


def test_json_report_has_what_a_job_needs(emulator: EmulatorServer, tmp_path: Path) -> None:
    root = ready(emulator, tmp_path)
    (snapshot(root) / "cms/categories/sport.md").write_text("---\ntitle: Sport\nslug: sport\nf_couleur: '#00AA00'\n---\n\n\n")
    report = wfsync_json(emulator, SITE_ID, root, "sync", "--snapshot", "demo")
    cats = next(c for c in report["collections"] if c["collection"] == "categories")
    for key in ("pulled", "pushed", "merged", "conflicts", "deleted", "skipped", "api_calls", "seconds"):
        assert key in cats
    assert cats["pushed"] == 1 and report["api_calls"] > 0 and report["problems"] == []


def _project_files(root: Path) -> dict[str, str]:
    out = {}
    for f in sorted((snapshot(root)).rglob("*.md")):
        text = f.read_text(encoding="utf-8")
        out[f.relative_to(snapshot(root)).as_posix()] = re.sub(r"(?m)^(updated-on|created-on|published-on): .*$", "", text)
    return out


def _remote(server: EmulatorServer) -> dict[str, dict]:
    out = {}
    for c in server.state.collections.values():
        for i in c.items.values():
            data = {k: v for k, v in i.staged["fieldData"].items() if k not in ("couleur", "categorie", "lieux")}
            key = f"{c.slug}/{i.staged['fieldData']['slug']}"
            assert key not in out, f"duplicate item {key}"
            out[key] = data
    return out


def _edit_and_sync(server: EmulatorServer, root: Path, sleep: object) -> None:
    client = WebflowClient(Transport(server.base_url, TOKEN, sleep=sleep, max_attempts=12, timeout=5))  # type: ignore[arg-type]
    engine = Engine(client, SITE_ID, snapshot(root), load_mappings(root / "mappings"))
    engine.run(RunOptions(command="pull"))
    cats = snapshot(root) / "cms/categories"
    for n in range(120):
        (cats / f"theme-{n}.md").write_text(f"---\ntitle: Thème {n}\nslug: theme-{n}\nf_couleur: '#123456'\n---\n\n\n")
    for f in sorted((snapshot(root) / "cms/infos").glob("*.md"))[:8]:
        f.write_text(f.read_text(encoding="utf-8").replace("f_tag-2: ", "f_tag-2: Édité "), encoding="utf-8")
    (snapshot(root) / "cms/evenements/fete-du-vin.md").unlink()
    report = engine.run(RunOptions(command="sync", policy=Policy(pull=True, push=True, allow_delete=True),
                                   publish=True, max_delete="5"))
    assert not report.conflicts and not report.problems, (report.conflicts, report.problems)


def test_a_sync_through_20_percent_faults_ends_like_a_clean_one(tmp_path: Path) -> None:
    clean = EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES})
    faulty = EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES},
                            faults=FaultPlan(rate=0.2, seed=7, slow_seconds=0.01, retry_after=1),
                            sleep=lambda s: None)
    with clean, faulty:
        for server, name in ((clean, "clean"), (faulty, "faulty")):
            root = demo_project(tmp_path / name)
            assert wfsync(server, SITE_ID, root, "init").exit_code == 0
            _edit_and_sync(server, root, NoSleep())
        faulted = [r for r in faulty.log if r.fault]
        assert len(faulted) >= 0.1 * len(faulty.log) and len({r.fault for r in faulted}) >= 3
        assert any(r.method in ("POST", "PATCH", "DELETE") for r in faulted)  # writes failed too
        assert _project_files(tmp_path / "clean" / "project") == _project_files(tmp_path / "faulty" / "project")
        assert _remote(clean) == _remote(faulty)


def test_paced_run_never_hits_429_at_60_a_minute(tmp_path: Path) -> None:
    now = [1000.0]

    def sleep(seconds: float) -> None:  # an accelerated clock: sleeping moves time, instantly
        now[0] += seconds

    server = EmulatorServer(single_locale_demo(), tokens={TOKEN: ALL_SCOPES}, rate_limit=60, clock=lambda: now[0])
    with server:
        root = demo_project(tmp_path)
        client = WebflowClient(Transport(server.base_url, TOKEN, sleep=sleep, clock=lambda: now[0]))
        from connector.mapping import default_mapping, render_mapping
        for c in client.list_collections(SITE_ID):
            if c.slug != "infos":
                (root / "mappings" / f"{c.slug}.yaml").write_text(render_mapping(default_mapping(client.get_collection(c.id))))
        cats_id = next(c.id for c in server.state.collections.values() if c.slug == "categories")
        for start in range(0, 3000, 100):  # enough items for more than a minute's budget
            server.state.create(cats_id, [{"fieldData": {"name": f"C{n}", "slug": f"c-{n}"}} for n in range(start, start + 100)],
                                publish=False)
        engine = Engine(client, SITE_ID, snapshot(root), load_mappings(root / "mappings"))
        engine.run(RunOptions(command="pull"))
        for f in sorted((snapshot(root) / "cms/categories").glob("c-*.md"))[:300]:
            f.write_text(f.read_text().replace("f_couleur: null", "f_couleur: '#ABCDEF'"))
        engine.run(RunOptions(command="sync", policy=Policy(pull=True, push=True), full=True))
        assert len(server.log) > 60  # more than one minute's budget
        assert not [r for r in server.log if r.status == 429]
        assert now[0] - 1000.0 >= 60  # it waited for the minute to roll over instead


def test_cursor_compares_instants_not_strings(tmp_path: Path) -> None:
    from connector.runs import iso_seconds

    # the same moment with and without milliseconds; a string comparison would order them wrongly
    assert iso_seconds("2024-01-01T00:00:00Z") == iso_seconds("2024-01-01T00:00:00.000Z")
    assert max(["2024-01-01T00:00:00.500Z", "2024-01-01T00:00:00Z"], key=iso_seconds) == "2024-01-01T00:00:00.500Z"

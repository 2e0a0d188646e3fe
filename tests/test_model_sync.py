"""A model-based test of sync: random edits on both sides, random runs, and after every run the promises.

The machine drives the real ``wfsync`` command (in-process, through ``connector.cli``) against the
emulator (in-process, through ``tests.model_site.InProcess``). Rules edit Webflow (a plain field,
rich text, an option, a reference, the slug, create, delete, archive, draft) and the files (the
same, plus unreadable files, moves and deletes), let time pass, and run ``pull``/``push``/``sync``
with each ``--on-conflict`` policy, with or without ``--allow-delete``, through injected faults,
with an edit landing during the run (after the run read that item) or a crash at a write (before
or after Webflow applied it; the next run must finish the job).

What is checked after every run (the model knows, per page, the last content both sides agreed on):

(a) every edit is on both sides, or the page was reported (a conflict, with Webflow's copy kept
    beside the file; a problem; an action the run names as pending), and no edit is overwritten
    except by the conflict policy the user chose, with the version the run read;
(b) nothing is deleted on a side unless it was deleted on the other, unchanged, and allowed;
(c) no two Webflow items and no two files hold the same page;
(d) running the same command again writes nothing on either side, and after a sync ``status``
    lists nothing but what was reported;
(e) the state agrees with both sides: each entry's file holds the page of the entry's item.

CI runs ``WFSYNC_MODEL_STEPS`` steps (default 300, deterministic: the same steps and the same item
ids every time); ``WFSYNC_MODEL_STEPS=2400`` (or more) is the long profile, with a random seed each
time (printed on failure). A case is up to 20 steps; ``WFSYNC_MODEL_STATS=1`` prints the steps
actually run (each rule and each initial pull is one), runs, crashes, faults and conflicts.
"""

from __future__ import annotations

import atexit
import itertools
import json
import os
import shutil
import tempfile
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from unittest import mock

import requests
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from connector.emulator.core import object_id
from connector.emulator.server import FaultPlan
from connector.store import SnapshotStore
from tests.model_site import (
    FIELDS, GENRES, PAGES_ID, THEMES, Crash, InProcess, LocalPage, Page, RemotePage,
    join_file, local_files, make_server, observe_local, observe_remote, page_fields, read_local, run_cli, split_file,
)

STEPS = int(os.environ.get("WFSYNC_MODEL_STEPS", "300"))
STEPS_PER_CASE = 20

# Rules switched off by name, to explore past a hole being fixed (WFSYNC_MODEL_KNOWN_HOLES=a,b):
# unreadable-file, git-mv, file-edit-during-run, webflow-edit-during-run, archived, recreated-item,
# crash, faults. Every rule is on by default.
KNOWN_HOLES: set[str] = set(filter(None, os.environ.get("WFSYNC_MODEL_KNOWN_HOLES", "").split(",")))


class Finding(AssertionError):
    pass


#: what the machine did, over all cases (printed at exit with WFSYNC_MODEL_STATS=1: the README's figures)
STATS: Counter[str] = Counter()
if os.environ.get("WFSYNC_MODEL_STATS"):
    atexit.register(lambda: print("\nmodel test:", ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))))


@dataclass
class Sides:
    local: dict[str, list[LocalPage]]
    remote: dict[str, list[RemotePage]]

    def l(self, uid: str) -> LocalPage | None:
        found = self.local.get(uid) or []
        return found[0] if found else None

    def r(self, uid: str) -> RemotePage | None:
        found = self.remote.get(uid) or []
        return found[0] if found else None


@dataclass
class Run:
    command: str
    on_conflict: str = "stop"
    allow_delete: bool = False
    full: bool = False
    faults: int | None = None  # seed of a 30 % fault plan
    during: str | None = None  # "remote" / "local": an edit lands after the run read the page
    during_field: str = "texte"
    during_pick: int = 0
    crash_at: int | None = None
    crash_after: bool = False

    @property
    def push(self) -> bool:
        return self.command in ("push", "sync")

    @property
    def pull(self) -> bool:
        return self.command in ("pull", "sync")

    def args(self) -> list[str]:
        out = [self.command]
        if self.push:
            out += ["--on-conflict", self.on_conflict, "--max-delete", "100%"]
            if self.allow_delete:
                out.append("--allow-delete")
        if self.full:
            out.append("--full")
        return out


@dataclass
class Outcome:
    code: int
    report: dict[str, Any] | None
    stderr: str
    writes: int


@dataclass
class Concurrent:
    """An edit made by someone else while a run is going: (side, uid, field, value), once fired."""

    side: str
    uid: str
    field: str
    value: Any = None
    fired: bool = False


pick = st.integers(min_value=0, max_value=1000)
FIELD_KINDS = st.sampled_from(["texte", "corps", "genre", "theme", "slug"])


class SyncModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="wfsync-model-"))
        self.clock = [1_790_000_000.0]
        self.server = make_server(lambda: self.clock[0])
        ids = itertools.count(1000)
        self.server.state.new_id = lambda: object_id(f"model-item:{next(ids)}")  # type: ignore[method-assign]
        self.adapter = InProcess(self.server)
        self.root = self.tmp / "project"
        from tests.model_site import write_project
        write_project(self.root)
        self.snap = self.root / "snapshots" / "model"
        self.counter = itertools.count(100)
        self.base: dict[str, dict[str, Any]] = {}
        self.unreadable: dict[str, tuple[str, bytes, dict[str, Any]]] = {}  # uid -> (path, bytes, what it meant)
        self.history: list[str] = []
        self.carried: dict[tuple[str, str], Any] = {}

    def teardown(self) -> None:
        self.server._httpd.server_close()  # noqa: SLF001 - never served: only its socket to close
        shutil.rmtree(self.tmp, ignore_errors=True)

    # -- driving ---------------------------------------------------------------------------------
    def cli(self, *args: str) -> Outcome:
        return Outcome(*run_cli(self.adapter, self.root, *args))

    def sides(self) -> Sides:
        return Sides(observe_local(self.snap), observe_remote(self.server.state))

    def uids(self, side: str, readable: bool = True) -> list[str]:
        s = self.sides()
        if side == "remote":
            return sorted(u for u, v in s.remote.items() if len(v) == 1)
        return sorted(u for u, v in s.local.items() if len(v) == 1 and (v[0].page is not None or not readable)
                      and u not in self.unreadable)

    def choose(self, side: str, n: int) -> str | None:
        found = self.uids(side)
        if side == "local" and "recreated-item" in KNOWN_HOLES:
            # not an edit to a file whose item was deleted in Webflow (a re-create keeps the old id)
            remote = self.sides().remote
            found = [u for u in found if u in remote or u not in self.base]
        return found[n % len(found)] if found else None

    def token(self, side: str) -> str:
        return f"{'L' if side == 'local' else 'R'}{next(self.counter)}"

    @initialize()
    def first_pull(self) -> None:
        STATS["cases"] += 1
        out = self.cli("pull")
        assert out.code == 0, out.stderr
        self.settle(self.sides())

    # -- edits in Webflow ------------------------------------------------------------------------------
    def remote_update(self, uid: str, data: dict[str, Any] | None = None, **flags: Any) -> None:
        state = self.server.state
        with state.lock:
            item = self.sides().r(uid)
            assert item is not None
            entry: dict[str, Any] = {"id": item.id, "fieldData": data or {}}
            entry.update(flags)
            state.update(PAGES_ID, [entry], live=False)

    def remote_value(self, uid: str, kind: str) -> dict[str, Any]:
        state = self.server.state
        item = state.collections[PAGES_ID].items[self.sides().r(uid).id]  # type: ignore[union-attr]
        fd = item.staged["fieldData"]
        token = self.token("remote")
        if kind == "texte":
            return {"texte": token}
        if kind == "corps":
            return {"corps": (fd.get("corps") or "") + f"<p>Ajout {token} <em>ici</em>.</p>"}
        if kind == "genre":
            names = list(GENRES)
            return {"genre": GENRES[names[int(token[1:]) % 3]]}
        if kind == "theme":
            themes = {i.staged["fieldData"]["slug"]: i.id for i in
                      state.collections[next(c for c in state.collections if c != PAGES_ID)].items.values()}
            return {"theme": themes[THEMES[int(token[1:]) % 3]]}
        return {"slug": f"{uid}-{token.lower()}"}

    @rule(kind=FIELD_KINDS, n=pick)
    def edit_in_webflow(self, kind: str, n: int) -> None:
        uid = self.choose("remote", n)
        if uid is None:
            return
        self.history.append(f"webflow: {kind} of {uid}")
        self.remote_update(uid, self.remote_value(uid, kind))

    @rule()
    def create_in_webflow(self) -> None:
        uid = f"u{next(self.counter)}"
        state = self.server.state
        with state.lock:
            theme = next(iter(state.collections[next(c for c in state.collections if c != PAGES_ID)].items))
            state.create(PAGES_ID, [{"fieldData": page_fields(uid, f"{uid}-w", theme, int(uid[1:])),
                                     "isDraft": False}], publish=False)
        self.history.append(f"webflow: create {uid}")

    @rule(n=pick)
    def delete_in_webflow(self, n: int) -> None:
        uid = self.choose("remote", n)
        if uid is None:
            return
        if "recreated-item" in KNOWN_HOLES:
            mine = self.sides().l(uid)
            if mine is not None and not _same(mine.page, self.base.get(uid)):
                return  # its file has an edit: sync would re-create it, under the old id
        self.history.append(f"webflow: delete {uid}")
        with self.server.state.lock:
            self.server.state.delete(PAGES_ID, [self.sides().r(uid).id], live=False)  # type: ignore[union-attr]

    @precondition(lambda self: "archived" not in KNOWN_HOLES)
    @rule(n=pick)
    def archive_in_webflow(self, n: int) -> None:
        uid = self.choose("remote", n)
        if uid is None:
            return
        archived = self.sides().r(uid).archived  # type: ignore[union-attr]
        self.history.append(f"webflow: {'unarchive' if archived else 'archive'} {uid}")
        self.remote_update(uid, isArchived=not archived)

    @rule(n=pick)
    def draft_in_webflow(self, n: int) -> None:
        uid = self.choose("remote", n)
        if uid is None:
            return
        draft = self.sides().r(uid).page.draft  # type: ignore[union-attr]
        self.history.append(f"webflow: draft={not draft} {uid}")
        self.remote_update(uid, isDraft=not draft)

    # -- edits in the files ----------------------------------------------------------------------------
    def local_path(self, uid: str) -> Path:
        found = self.sides().l(uid)
        assert found is not None
        return self.snap / found.path

    def local_change(self, uid: str, kind: str) -> dict[str, Any]:
        path = self.local_path(uid)
        front, _ = split_file(path.read_text(encoding="utf-8"))
        token = self.token("local")
        if kind == "texte":
            return {"f_texte": token}
        if kind == "corps":
            # Markdown as an editor writes it (not always as wfsync would): `*` emphasis
            return {"f_corps": (front.get("f_corps") or "") + f"\n\nAjout {token} *ici*."}
        if kind == "genre":
            return {"f_genre": list(GENRES)[int(token[1:]) % 3]}
        if kind == "theme":
            return {"f_theme": f"themes/{THEMES[int(token[1:]) % 3]}.md"}
        if kind == "draft":
            return {"draft": not front.get("draft")}
        return {"slug": f"{uid}-{token.lower()}"}

    def edit_file(self, uid: str, change: dict[str, Any]) -> None:
        path = self.local_path(uid)
        front, body = split_file(path.read_text(encoding="utf-8"))
        front.update(change)
        path.write_text(join_file(front, body), encoding="utf-8")

    def found_after(self, uid: str, moving: bool) -> bool:
        """Whether wfsync can still tell the file is this item's after a move (``moving``) or a slug
        edit: it finds a file at the path its state has, or by the slug as last synced. A file both
        moved and given a new slug before a sync reads as a delete plus a create to anyone (git
        itself needs content similarity to tell), so the model does not do both."""
        from connector.convert import value_hash

        path = self.snap / ".wfsync" / "state.json"
        remote = self.sides().r(uid)
        if remote is None or not path.exists():
            return True
        entry = json.loads(path.read_text(encoding="utf-8"))["items"].get(remote.id)
        local = self.sides().l(uid)
        if entry is None or local is None or local.page is None:
            return True
        if moving:
            return value_hash(local.page.slug) == entry["fields"].get("slug")
        return local.path == entry["path"]

    @rule(kind=FIELD_KINDS, n=pick)
    def edit_file_rule(self, kind: str, n: int) -> None:
        uid = self.choose("local", n)
        if uid is None:
            return
        if kind == "slug" and not self.found_after(uid, moving=False):
            return
        self.history.append(f"file: {kind} of {uid}")
        self.edit_file(uid, self.local_change(uid, kind))

    @rule(kind=st.sampled_from(["texte", "corps", "genre", "theme"]), n=pick)
    def edit_both_sides(self, kind: str, n: int) -> None:
        """The same field of the same item, in Webflow and in its file: a conflict for the next run."""
        both = sorted(set(self.uids("local")) & set(self.uids("remote")))
        if not both:
            return
        uid = both[n % len(both)]
        self.history.append(f"both: {kind} of {uid}")
        self.remote_update(uid, self.remote_value(uid, kind))
        self.edit_file(uid, self.local_change(uid, kind))

    @rule(n=pick)
    def draft_in_file(self, n: int) -> None:
        uid = self.choose("local", n)
        if uid is None:
            return
        self.history.append(f"file: draft toggled {uid}")
        self.edit_file(uid, self.local_change(uid, "draft"))

    @rule(theme=st.sampled_from(THEMES))
    def create_file(self, theme: str) -> None:
        uid = f"u{next(self.counter)}"
        slug = f"{uid}-f"
        front = {"title": f"Page {uid}", "slug": slug, "f_uid": uid, "f_texte": f"texte {uid}",
                 "f_corps": f"## Page {uid}\n\nUn **début**.", "f_genre": "Sport", "f_theme": f"themes/{theme}.md",
                 "draft": False}
        (self.snap / "pages").mkdir(parents=True, exist_ok=True)
        (self.snap / "pages" / f"{slug}.md").write_text(join_file(front), encoding="utf-8")
        self.history.append(f"file: create {uid}")

    @rule(n=pick)
    def delete_file(self, n: int) -> None:
        uid = self.choose("local", n)
        if uid is None:
            return
        self.history.append(f"file: delete {uid}")
        self.local_path(uid).unlink()

    @precondition(lambda self: "git-mv" not in KNOWN_HOLES)
    @rule(n=pick)
    def move_file(self, n: int) -> None:
        uid = self.choose("local", n)
        if uid is None:
            return
        path = self.local_path(uid)
        target = path.with_name(path.stem + "-moved.md")
        if target.exists() or not self.found_after(uid, moving=True):
            return
        self.history.append(f"file: git mv {path.name} {target.name}")
        path.rename(target)

    @precondition(lambda self: "unreadable-file" not in KNOWN_HOLES)
    @rule(n=pick)
    def break_file(self, n: int) -> None:
        uid = self.choose("local", n)
        if uid is None:
            return
        path = self.local_path(uid)
        change = self.local_change(uid, "texte")
        text = path.read_text(encoding="utf-8")
        front, body = split_file(text)
        meant = {**front, **change}
        # an unbalanced quote: the editor's save cannot be read until it is fixed
        broken = join_file(meant, body).replace(f"f_texte: {change['f_texte']}\n", f"f_texte: \"{change['f_texte']}\n")
        path.write_text(broken, encoding="utf-8")
        self.unreadable[uid] = (path.relative_to(self.snap).as_posix(), broken.encode(), meant)
        self.history.append(f"file: unreadable {uid}")

    @precondition(lambda self: bool(self.unreadable))
    @rule(n=pick)
    def fix_file(self, n: int) -> None:
        uid = sorted(self.unreadable)[n % len(self.unreadable)]
        rel, _, meant = self.unreadable.pop(uid)
        (self.snap / rel).write_text(join_file(meant), encoding="utf-8")
        self.history.append(f"file: fixed {uid}")

    @rule(minutes=st.sampled_from([1, 4, 10, 30]))
    def time_passes(self, minutes: int) -> None:
        self.clock[0] += 60 * minutes

    # -- runs --------------------------------------------------------------------------------------------
    @rule(command=st.sampled_from(["pull", "push", "sync", "sync"]),
          on_conflict=st.sampled_from(["stop", "stop", "local", "remote", "newer"]),
          allow_delete=st.booleans(), full=st.booleans(),
          trouble=st.sampled_from(["", "", "", "faults", "crash-before", "crash-after"]), seed=st.integers(0, 10**6))
    def run(self, command: str, on_conflict: str, allow_delete: bool, full: bool, trouble: str = "",
            seed: int = 0) -> None:
        """A run, a third of them in trouble: through faults, or dying at its first write to Webflow."""
        crash = trouble.startswith("crash") and command != "pull"
        self.carry_out(Run(command, on_conflict, allow_delete, full, faults=seed if trouble == "faults" else None,
                           crash_at=1 if crash else None, crash_after=trouble == "crash-after"))

    @precondition(lambda self: "webflow-edit-during-run" not in KNOWN_HOLES)
    @rule(command=st.sampled_from(["pull", "push", "sync"]), kind=st.sampled_from(["texte", "corps", "genre", "theme"]),
          n=pick, on_conflict=st.sampled_from(["stop", "local", "remote"]), allow_delete=st.booleans())
    def run_with_webflow_edit_during(self, command: str, kind: str, n: int, on_conflict: str,
                                     allow_delete: bool) -> None:
        self.carry_out(Run(command, on_conflict, allow_delete, during="remote", during_field=kind, during_pick=n))

    @precondition(lambda self: "file-edit-during-run" not in KNOWN_HOLES)
    @rule(command=st.sampled_from(["pull", "push", "sync"]), kind=st.sampled_from(["texte", "corps", "genre", "theme"]),
          n=pick, on_conflict=st.sampled_from(["stop", "local", "remote"]), allow_delete=st.booleans())
    def run_with_file_edit_during(self, command: str, kind: str, n: int, on_conflict: str, allow_delete: bool) -> None:
        self.carry_out(Run(command, on_conflict, allow_delete, during="local", during_field=kind, during_pick=n))

    @precondition(lambda self: "crash" not in KNOWN_HOLES)
    @rule(command=st.sampled_from(["push", "sync"]), nth=st.integers(1, 3), after=st.booleans(),
          allow_delete=st.booleans())
    def run_killed_at_a_write(self, command: str, nth: int, after: bool, allow_delete: bool) -> None:
        self.carry_out(Run(command, "stop", allow_delete, crash_at=nth, crash_after=after))

    @precondition(lambda self: "crash" not in KNOWN_HOLES)
    @rule(kind=st.sampled_from(["texte", "corps", "genre", "theme", "slug"]), n=pick,
          command=st.sampled_from(["push", "sync"]), nth=st.integers(1, 2), after=st.booleans())
    def edit_then_run_killed(self, kind: str, n: int, command: str, nth: int, after: bool) -> None:
        """A file edit, so that the run has something to write, then the run dies at a write."""
        self.edit_file_rule(kind, n)
        self.carry_out(Run(command, "stop", False, crash_at=nth, crash_after=after))

    @precondition(lambda self: "faults" not in KNOWN_HOLES)
    @rule(command=st.sampled_from(["pull", "push", "sync"]), seed=st.integers(0, 10**6), allow_delete=st.booleans())
    def run_through_faults(self, command: str, seed: int, allow_delete: bool) -> None:
        self.carry_out(Run(command, "stop", allow_delete, faults=seed))

    # -- one run and its checks ---------------------------------------------------------------------------
    def carry_out(self, run: Run) -> None:
        self.history.append(f"RUN {' '.join(run.args())}"
                            + (f" faults={run.faults}" if run.faults is not None else "")
                            + (f" edit-during={run.during}:{run.during_field}" if run.during else "")
                            + (f" crash at write {run.crash_at} {'after' if run.crash_after else 'before'}"
                               if run.crash_at else ""))
        STATS["runs"] += 1
        STATS[f"runs {run.command}"] += 1
        before = self.sides()
        faults_before = self.adapter.hooks.faults
        concurrent = self.prepare_concurrent(run, before)
        crashed = False
        with ExitStack() as stack:
            if concurrent is not None:
                self.arm_concurrent(stack, concurrent)
            if run.faults is not None:
                self.server.faults = FaultPlan(rate=0.3, seed=run.faults, slow_seconds=0.0, retry_after=0)
            self.adapter.hooks.crash_at, self.adapter.hooks.crash_after = run.crash_at, run.crash_after
            try:
                out = self.cli(*run.args())
            except Crash:
                crashed = True
            finally:
                self.server.faults = FaultPlan()
                self.adapter.hooks.crash_at = None
                self.adapter.hooks.after_list = None
        effective = self.effective(before, concurrent)
        troubled = crashed or run.faults is not None
        if crashed:
            self.history.append("  (killed; run again)")
            out = self.cli(*run.args())
        elif troubled and out.report is None:
            self.history.append(f"  (failed through faults: {out.stderr.strip()[-200:]}; run again)")
            out = self.cli(*run.args())
        after = self.sides()
        STATS["killed at a write"] += crashed
        STATS["through faults"] += run.faults is not None
        STATS["faults injected"] += self.adapter.hooks.faults - faults_before
        STATS["with an edit landing during the run"] += bool(concurrent and concurrent.fired)
        STATS["conflicts reported"] += len((out.report or {}).get("conflicts", []))
        self.history.append(f"  exit {out.code}; conflicts {[c['path'] for c in (out.report or {}).get('conflicts', [])]}"
                            f"; problems {[(p['item'], p['message'][:60]) for p in (out.report or {}).get('problems', [])]}")
        self.check_run(run, before, effective, after, out, concurrent)
        if concurrent is not None and concurrent.fired:
            # the edit made during the run is new for the next one: that run must take it, then be quiet
            self.settle(self.sides())
            self.carry_out(Run(run.command, run.on_conflict, run.allow_delete))
            return
        if out.report is not None:
            self.check_idempotent(run, out)
            if run.command == "sync":
                self.check_status(out)
            self.check_state(run.command == "sync" and not out.report["conflicts"])
        self.settle(self.sides())

    def prepare_concurrent(self, run: Run, before: Sides) -> Concurrent | None:
        if run.during is None:
            return None
        uid = self.choose(run.during, run.during_pick)
        if uid is None:
            return None
        return Concurrent(run.during, uid, run.during_field)

    def arm_concurrent(self, stack: ExitStack, c: Concurrent) -> None:
        if c.side == "remote":
            item_id = self.sides().r(c.uid).id  # type: ignore[union-attr]

            def fire() -> None:
                if not c.fired:
                    c.fired = True
                    change = self.remote_value(c.uid, c.field)
                    c.value = change
                    self.remote_update(c.uid, change)

            def after_list(items: list[dict[str, Any]]) -> None:
                if any(i.get("id") == item_id for i in items):
                    fire()

            self.adapter.hooks.after_list = after_list
            original = self.adapter.send

            def send(request: requests.PreparedRequest, **kw: Any) -> requests.Response:
                # not read in this run (unchanged since the cursor): the edit lands before any check or write
                query = request.url or ""
                if request.method != "GET" or "lastUpdated%5Bgte%5D" in query or "lastUpdated[gte]" in query \
                        or f"/items/{item_id}" in query:
                    fire()
                return original(request, **kw)

            stack.enter_context(mock.patch.object(self.adapter, "send", send))
            return
        path = self.sides().l(c.uid).path  # type: ignore[union-attr]
        key = {"texte": "f_texte", "corps": "f_corps", "genre": "f_genre", "theme": "f_theme"}[c.field]

        def fire_local() -> None:
            if not c.fired:
                c.fired = True
                change = self.local_change(c.uid, c.field)
                c.value = change
                self.edit_file(c.uid, change)

        real_read, real_scan = SnapshotStore.read, SnapshotStore.scan
        real_write, real_delete = SnapshotStore.write, SnapshotStore.delete

        def read(store: SnapshotStore, rel: str) -> bytes | None:
            data = real_read(store, rel)
            if rel == path:
                fire_local()
            return data

        def scan(store: SnapshotStore, prefix: str = ""):  # type: ignore[no-untyped-def]
            for info in real_scan(store, prefix):
                yield info
                if info.rel == path:
                    fire_local()  # the run has seen the file (by its stat or its bytes)

        stack.enter_context(mock.patch.object(SnapshotStore, "read", read))
        stack.enter_context(mock.patch.object(SnapshotStore, "scan", scan))
        del key, real_write, real_delete

    def effective(self, before: Sides, c: Concurrent | None) -> Sides:
        """Both sides as they were when the run started, with the edit that landed during it."""
        if c is None or not c.fired:
            return before
        if c.side == "remote":
            remote = dict(before.remote)
            found = before.r(c.uid)
            if found is not None:
                remote[c.uid] = [replace(found, page=replace(found.page, **_remote_fields(c.value, self)))]
            return Sides(before.local, remote)
        local = dict(before.local)
        found = before.l(c.uid)
        if found is not None and found.page is not None:
            local[c.uid] = [replace(found, page=replace(found.page, **_local_fields(c.value, found.page)))]
        return Sides(local, before.remote)

    # -- the promises ------------------------------------------------------------------------------------
    def fail(self, message: str) -> None:
        raise Finding(message + "\n\nsteps:\n  " + "\n  ".join(self.history[-40:]))

    def reported(self, out: Outcome, read: Sides, after: Sides) -> set[str]:
        """Pages the run named: conflicts, problems, actions it says it did not carry out."""
        report = out.report or {}
        names: dict[str, str] = {}
        for sides in (read, after):
            for uid, files in sides.local.items():
                for f in files:
                    names[f.path] = uid
                    names[f.path.rsplit("/", 1)[-1]] = uid
            for uid, items in sides.remote.items():
                for i in items:
                    names[i.id] = uid
                    names[i.page.slug] = uid
                    names[f"pages/{i.page.slug}.md"] = uid  # a report may name the item's own path
        for rel, _, _ in self.unreadable.values():
            pass
        found = set()
        entries = [c.get("path") for c in report.get("conflicts", [])]
        entries += [p.get("item") for p in report.get("problems", [])]
        entries += [a.get("path") for a in report.get("actions", []) if a.get("blocked")]
        entries += [a.get("key") for a in report.get("actions", []) if a.get("blocked")]
        for e in entries:
            if isinstance(e, str) and e in names:
                found.add(names[e])
        return found

    def check_run(self, run: Run, read: Sides, eff: Sides, after: Sides, out: Outcome,
                  concurrent: Concurrent | None) -> None:
        # (c) one item and one file per page
        for uid, items in after.remote.items():
            if len(items) > 1:
                self.fail(f"(c) page {uid} is {len(items)} Webflow items: {[i.id for i in items]}")
        for uid, files in after.local.items():
            if len(files) > 1:
                self.fail(f"(c) page {uid} is {len(files)} files: {[f.path for f in files]}")
        slugs = [i[0].page.slug for i in after.remote.values()]
        if len(slugs) != len(set(slugs)):
            self.fail("(c) two Webflow items share a slug")
        # unreadable files are the user's: never touched
        for uid, (rel, data, _) in self.unreadable.items():
            path = self.snap / rel
            if not path.exists() or path.read_bytes() != data:
                self.fail(f"(a) the unreadable file {rel} was {'removed' if not path.exists() else 'overwritten'}")
        report = out.report
        troubled = run.faults is not None or run.crash_at is not None
        if report is None and not troubled and not _refusal(out.stderr):
            self.fail(f"the run failed (exit {out.code}) with nothing wrong in the files:\n{out.stderr[-1500:]}")
        reported = self.reported(out, read, after)
        conflicts = {c.get("path") for c in (report or {}).get("conflicts", [])}
        for c in (report or {}).get("conflicts", []):
            if c.get("remote_copy") and not (self.snap / c["remote_copy"]).exists():
                self.fail(f"(a) conflict on {c['path']} reported but Webflow's copy {c['remote_copy']} is not there")
        concurrent_fields = {(concurrent.side, concurrent.uid, concurrent.field)} \
            if concurrent and concurrent.fired else set()
        for uid in sorted(set(read.local) | set(read.remote) | set(after.local) | set(after.remote) | set(self.base)):
            self.check_page(uid, run, read, eff, after, report, reported, concurrent_fields, conflicts)

    def kept_beside(self, file: LocalPage | None, side: str, f: str, value: Any) -> bool:
        """Whether the losing ``side``'s version of the page was written beside its file, with ``value`` for ``f``."""
        if file is None:
            return False
        beside = (self.snap / file.path).with_suffix(f".{side}.md")
        page = read_local(beside) if beside.is_file() else None
        return page is not None and getattr(page, f) == value

    def check_page(self, uid: str, run: Run, read: Sides, eff: Sides, after: Sides, report: dict[str, Any] | None,
                   reported: set[str], concurrent_fields: set[tuple[str, str, str]], conflicts: set[Any]) -> None:
        base = self.base.get(uid)
        held_local = uid in self.unreadable
        l_read, l_eff, l_after = read.l(uid), eff.l(uid), after.l(uid)
        r_read, r_eff, r_after = read.r(uid), eff.r(uid), after.r(uid)
        archived = bool((r_read and r_read.archived) or (r_after and r_after.archived))
        # (b) deletions
        if r_eff is not None and r_after is None:
            ok = (run.push and run.allow_delete and l_eff is None and base is not None
                  and _same(r_eff.page, base) and not r_eff.archived)
            if not ok:
                why = ("the file was not deleted" if l_eff is not None else "not allowed" if not run.allow_delete
                       else "Webflow's copy had changed" if base and not _same(r_eff.page, base) else "archived")
                self.fail(f"(b) Webflow item of {uid} deleted by {run.command} ({why})")
        if l_eff is not None and l_after is None:
            ok = (run.pull and not held_local and l_eff.page is not None and base is not None
                  and _same(l_eff.page, base) and (r_eff is None or r_eff.archived))
            if not ok:
                self.fail(f"(b) file {l_eff.path} of {uid} removed by {run.command}")
        # created on one side from the other: what it was created with is synced
        for s_eff, s_after, o_read in ((l_eff, l_after, r_read), (r_eff, r_after, l_read)):
            if s_eff is None and s_after is not None and s_after.page is not None and o_read is not None \
                    and o_read.page is not None:
                for f in FIELDS:
                    if getattr(s_after.page, f) == getattr(o_read.page, f):
                        self.carried[(uid, f)] = getattr(s_after.page, f)
        # no value from nowhere, no edit overwritten but by the chosen policy
        for side, s_read, s_eff, s_after, o_read, o_eff in (
                ("local", _pg(l_read), _pg(l_eff), _pg(l_after), _pg(r_read), _pg(r_eff)),
                ("remote", _pg(r_read), _pg(r_eff), _pg(r_after), _pg(l_read), _pg(l_eff))):
            if side == "local" and held_local:
                continue
            if s_eff is None or s_after is None:
                continue
            winner = "remote" if side == "local" else "local"
            for f in FIELDS:
                now, was = getattr(s_after, f), getattr(s_eff, f)
                if now == was:
                    continue
                sources = [getattr(p, f) for p in (o_read, o_eff) if p is not None]
                if now in sources:
                    self.carried[(uid, f)] = now  # synced by this run: the new base of that field
                if now not in sources:
                    self.fail(f"(a) {side} {f} of {uid} became {now!r}: neither side had it "
                              f"(was {was!r}, other side {sources!r})")
                pending = base is None or was != base.get(f)
                if not pending:
                    continue
                seen = s_read is not None and getattr(s_read, f) == was and (side, uid, f) not in concurrent_fields
                other_changed = o_read is not None and (base is None or getattr(o_read, f) != base.get(f))
                chosen = run.on_conflict in (winner, "newer") and run.push and run.pull
                # the version the run read: as the run began, or (a run that read Webflow again, its item
                # count having moved) with the edit made during the run
                won = [getattr(p, f) for p in (o_read, o_eff) if p is not None]
                # a file edited outside the synced values (formatting, a comment) against Webflow's edits
                # is a conflict of the whole document: the chosen side's values win, and the losing
                # version must then be kept beside the file, holding the value overwritten
                kept = chosen and seen and self.kept_beside(l_after, side, f, was)
                if not (kept or (seen and other_changed and chosen and o_read is not None and now in won)):
                    self.fail(f"(a) {side} edit of {f} on {uid} ({was!r}) overwritten with {now!r} by "
                              f"{run.command} --on-conflict {run.on_conflict}"
                              + (" (the edit landed during the run)" if not seen else ""))
        # archived in Webflow: nothing written into it
        if r_read is not None and r_read.archived and r_eff is not None and r_after is not None \
                and _pg(r_after) != _pg(r_eff):
            self.fail(f"(a) the archived item of {uid} was written to by {run.command}")
        if report is None or uid in reported or archived:
            return
        # (a) every edit the run read goes across, in the directions of the command
        for direction, s_read, s_eff, o_read, o_after, o_eff in (
                ("push", _pg(l_read), _pg(l_eff), _pg(r_read), _pg(r_after), _pg(r_eff)),
                ("pull", _pg(r_read), _pg(r_eff), _pg(l_read), _pg(l_after), _pg(l_eff))):
            if not (run.push if direction == "push" else run.pull):
                continue
            if direction == "push" and held_local:
                continue
            src, dst = ("local", "remote") if direction == "push" else ("remote", "local")
            if s_read is None:
                # deleted on the source side
                if base is None or o_read is None:
                    continue
                if _same(o_read, base):
                    gone = o_after is None
                    if direction == "pull" and not gone:
                        self.fail(f"(a) {uid} deleted in Webflow, unchanged file kept by {run.command} unreported")
                    if direction == "push" and run.allow_delete and not gone:
                        self.fail(f"(a) file of {uid} deleted, --allow-delete, item kept and not reported")
                    # a run that read Webflow again (its item count moved) may see an edit made during
                    # the run: modification beats deletion, and the restored file is no pending delete
                    if direction == "push" and not run.allow_delete and not gone and l_after is None:
                        self.fail(f"(a) file of {uid} deleted; the kept item is not reported as pending")
                elif o_after is None:
                    self.fail(f"(b) {uid}: {dst} side had changed but was deleted")
                continue
            if base is None and o_read is None:
                if o_after is None:
                    self.fail(f"(a) new {uid} on the {src} side not created on the {dst} side by {run.command}")
                continue
            if o_read is None:
                if not _same(s_read, base):
                    if o_after is None:
                        self.fail(f"(a) {uid} changed on the {src} side but deleted on the {dst} side: "
                                  f"not brought back by {run.command}")
                continue
            for f in FIELDS:
                edit = getattr(s_read, f)
                if base is not None and edit == base.get(f):
                    continue
                if o_after is not None and getattr(o_after, f) == edit:
                    continue
                if o_after is not None and s_eff is not None and getattr(o_after, f) == getattr(s_eff, f):
                    continue  # the newer version, edited during the run, went across
                theirs = getattr(o_read, f)
                both = base is None or theirs != base.get(f)
                if both and run.on_conflict in (dst, "newer") and run.command == "sync":
                    continue  # the other side won by the chosen policy
                if run.on_conflict in (dst, "newer") and run.command == "sync" \
                        and self.kept_beside(after.l(uid), src, f, edit):
                    continue  # a conflict of the whole document (see check_page), the loser kept beside the file
                if (dst, uid, f) in {(s, u, x) for s, u, x in concurrent_fields}:
                    continue
                if o_eff is not None and getattr(o_eff, f) != theirs:
                    continue  # changed during the run: kept, for the next run
                self.fail(f"(a) {src} edit of {f} on {uid} ({edit!r}) not on the {dst} side after {run.command} "
                          f"(it has {getattr(o_after, f) if o_after else None!r}) and not reported")

    def check_idempotent(self, run: Run, out: Outcome) -> None:
        """(d) the same command again, nothing new: nothing written on either side."""
        files = local_files(self.snap)
        remote = self.sides().remote
        again = Run(run.command, run.on_conflict, run.allow_delete)
        second = self.cli(*again.args())
        if second.writes:
            log = [f"{m} {p}" for m, p, s in self.adapter.hooks.log[-second.writes * 3:] if m != "GET"]
            self.fail(f"(d) {run.command} run again with no new edit wrote to Webflow: {log}")
        changed = sorted(k for k, v in local_files(self.snap).items() if files.get(k) != v)
        changed += sorted(k for k in files if k not in local_files(self.snap))
        if changed:
            self.fail(f"(d) {run.command} run again with no new edit changed files: {changed}")
        if self.sides().remote != remote:
            self.fail(f"(d) {run.command} run again changed Webflow")
        if second.report is None and not _refusal(second.stderr):
            self.fail(f"(d) {run.command} run again failed (exit {second.code}): {second.stderr[-800:]}")
        if out.code != second.code and out.report is not None:
            self.fail(f"(d) {run.command} exit {out.code}, then {second.code} with no new edit: "
                      f"{(second.report or {}).get('problems')} {second.stderr[-800:]}")

    def check_status(self, out: Outcome) -> None:
        """(d) after a sync, status lists only what the sync reported."""
        status = self.cli("status")
        if status.report is None:
            self.fail(f"(d) status failed: {status.stderr[-800:]}")
            return
        now = self.sides()
        reported = self.reported(out, now, now) | self.reported(status, now, now) | set(self.unreadable)
        for a in status.report["actions"]:
            if a["op"] == "nothing":
                continue
            uid = next((u for u, fs in now.local.items() for f in fs if f.path == a["path"]), None) or next(
                (u for u, items in now.remote.items() for i in items if i.id == a["key"]), None)
            if a["op"] == "delete-remote" and uid is not None and now.l(uid) is None:
                continue  # a file deleted without --allow-delete: pending, as documented
            if uid is not None and uid in reported and a["op"] in ("conflict", "merge"):
                continue
            if a.get("blocked") or (uid is not None and now.r(uid) is not None and now.r(uid).archived):
                continue
            self.fail(f"(d) after sync, status still lists {a['op']} {a['path']} ({a['reason']})")

    def check_state(self, settled: bool) -> None:
        """(e) each state entry: its file holds its item's page."""
        path = self.snap / ".wfsync" / "state.json"
        if not path.exists():
            return
        entries = json.loads(path.read_text(encoding="utf-8"))["items"]
        now = self.sides()
        ids = {i.id: uid for uid, items in now.remote.items() for i in items}
        files = {f.path: uid for uid, fs in now.local.items() for f in fs}
        for item_id, entry in entries.items():
            if entry["collection"] != PAGES_ID:
                continue
            in_file = files.get(entry["path"])
            if in_file is not None and in_file in now.remote and item_id not in ids:
                self.fail(f"(e) state maps {entry['path']} ({in_file}) to item {item_id}, gone from Webflow; "
                          f"{in_file} is item {now.r(in_file).id}")  # type: ignore[union-attr]
            if in_file is not None and item_id in ids and ids[item_id] != in_file:
                self.fail(f"(e) state maps {entry['path']} ({in_file}) to item {item_id} of {ids[item_id]}")
            if settled and in_file is None and item_id not in ids:  # (a pull or push may leave it pending)
                self.fail(f"(e) state keeps {entry['path']} / {item_id}: gone on both sides")

    def settle(self, now: Sides) -> None:
        """What both sides agree on, or what a run carried across, becomes the model's base."""
        carried, self.carried = self.carried, {}
        for (uid, f), value in carried.items():
            if now.l(uid) is not None and now.r(uid) is not None:
                self.base.setdefault(uid, {})[f] = value
        for uid in set(now.local) | set(now.remote) | set(self.base):
            lp, rp = now.l(uid), now.r(uid)
            if lp is None and rp is None:
                self.base.pop(uid, None)
                continue
            if lp is None or rp is None or lp.page is None or uid in self.unreadable:
                continue
            base = self.base.setdefault(uid, {})
            for f in FIELDS:
                if getattr(lp.page, f) == getattr(rp.page, f):
                    base[f] = getattr(lp.page, f)
            if set(base) != set(FIELDS) and uid not in self.base:
                pass

    @invariant()
    def no_duplicates(self) -> None:
        STATS["steps"] += 1
        now = self.sides()
        for uid, items in now.remote.items():
            if len(items) > 1:
                self.fail(f"(c) page {uid} is {len(items)} Webflow items")


def _pg(x: LocalPage | RemotePage | None) -> Page | None:
    return x.page if x is not None else None


def _same(page: Page | None, base: dict[str, Any] | None) -> bool:
    return page is not None and base is not None and all(getattr(page, f) == base.get(f) for f in FIELDS)


def _refusal(stderr: str) -> bool:
    """A run that refuses on purpose, changing nothing: problems in files, the delete limit."""
    return any(s in stderr for s in ("problem in local files", "problems in local files", "remote deletions planned",
                                     "has no items but"))


def _remote_fields(change: dict[str, Any], machine: SyncModel) -> dict[str, Any]:
    name, value = next(iter(change.items()))
    if name == "corps":
        from tests.model_site import tokens
        return {"corps": tokens(value)}
    if name == "genre":
        from tests.model_site import GENRE_NAMES
        return {"genre": GENRE_NAMES[value]}
    if name == "theme":
        state = machine.server.state
        for c in state.collections.values():
            if value in c.items:
                return {"theme": c.items[value].staged["fieldData"]["slug"]}
    return {name: value}


def _local_fields(change: dict[str, Any], page: Page) -> dict[str, Any]:
    from tests.model_site import tokens
    name, value = next(iter(change.items()))
    if name == "f_corps":
        return {"corps": tokens(value)}
    if name == "f_theme":
        return {"theme": value[len("themes/"):-3]}
    return {name[2:] if name.startswith("f_") else name: value}


SyncModel.TestCase.settings = settings(
    max_examples=max(1, STEPS // STEPS_PER_CASE), stateful_step_count=STEPS_PER_CASE, deadline=None,
    derandomize=STEPS <= 300, database=None,
    suppress_health_check=list(HealthCheck), print_blob=True,
    # shrinking re-runs whole sequences of syncs: WFSYNC_MODEL_SHRINK=0 reports the first failure as found
    phases=[p for p in Phase if os.environ.get("WFSYNC_MODEL_SHRINK", "1") != "0" or p is not Phase.shrink],
)
TestSyncModel = SyncModel.TestCase


def test_a_deleted_file_whose_item_is_edited_while_a_run_reads_again_is_restored_with_the_edit() -> None:
    """Found by the model: Webflow deletes another item, so the sync reads the collection again and
    sees an edit made during the run to the item whose file was deleted. The file comes back with
    Webflow's edit (a modification beats a deletion); nothing is lost and nothing is left pending."""
    state = SyncModel()
    try:
        state.first_pull()
        state.run_with_webflow_edit_during(allow_delete=False, command="pull", kind="texte", n=0, on_conflict="stop")
        state.delete_file(n=0)
        state.delete_in_webflow(n=221)
        state.run_with_webflow_edit_during(allow_delete=False, command="sync", kind="texte", n=0, on_conflict="stop")
        state.no_duplicates()
        assert state.sides().l("u0") is not None
    finally:
        state.teardown()


def test_the_remote_policy_may_apply_webflows_version_read_again_with_an_edit_made_during_the_run() -> None:
    """Found by the long profile (a checker correction): both sides changed the rich text, the sync
    runs with --on-conflict remote, Webflow deletes another item (so the run reads the collection
    again) and edits the rich text once more during the run. The run applies the policy to the
    version it read again: the file gets Webflow's newest text, and no edit is lost but the one
    the user chose to overwrite."""
    state = SyncModel()
    try:
        state.first_pull()
        state.edit_both_sides(kind="corps", n=3)
        state.delete_in_webflow(n=0)
        state.run_with_webflow_edit_during(allow_delete=True, command="sync", kind="corps", n=2, on_conflict="remote")
        state.no_duplicates()
        local, remote = state.sides().l("u3"), state.sides().r("u3")
        assert local is not None and remote is not None and local.page == remote.page
        assert {"R100", "R102"} <= local.page.corps and "L101" not in local.page.corps
    finally:
        state.teardown()

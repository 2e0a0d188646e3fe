"""Gather both sides, plan, apply, save the base: the shell around the pure planner.

``Engine.run`` is what ``pull``, ``push``, ``sync`` and ``status`` all call; they differ
only in their ``Policy`` (which directions apply) and in ``dry_run``. The writing to
Webflow lives in ``push.PushSteps``; what a run knows per collection in ``runs``.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from .client import WebflowClient
from .convert import Problem, document_record, field_hashes, parse, record_hash
from .errors import ConfigError, NotFoundError, UnsafePathError, ValidationApiError, ValueProblem
from .lock import SnapshotLock
from .mapping import Mapping, bind
from .model import RemoteItem
from .plan import Action, BaseSide, Op, Plan, Side, check_delete_limit, check_empty_sides, plan
from .push import PushSteps
from .references import References, reference_targets
from .report import Report
from .runs import (
    CollectionRun,
    LazyRecord,
    LocalView,
    RemoteView,
    RunOptions,
    conflict_copy_path,
    iso_seconds,
    reference_order,
    template_prefix,
    template_regex,
)
from .state import (
    LOCK_FILE,
    STATE_DIR,
    BaseEntry,
    CollectionState,
    State,
    StatCache,
    load_stat_cache,
    load_state,
    remember_stat,
    save_stat_cache,
    save_state,
)
from .store import SnapshotStore, sha256
from .workers import convert_items, default_workers

log = logging.getLogger("wfsync.engine")
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z")
#: re-read items updated this long before the newest one seen: clocks and replicas lag a little
CURSOR_MARGIN_SECONDS = 300

# kept importable from here: tests and tools use these names
__all__ = ["Engine", "LazyRecord", "References", "RunOptions"]


class Engine(PushSteps):
    runs: list[CollectionRun]

    def __init__(self, client: WebflowClient, site_id: str, snapshot_root: Path, mappings: list[Mapping],
                 progress: Callable[[str, int], None] | None = None, workers: int | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        self.client = client
        self.site_id = site_id
        self.root = snapshot_root
        self.store = SnapshotStore(snapshot_root)
        self.mappings = mappings
        self.progress = progress or (lambda label, n: None)
        self.refs = References()
        self.stats: StatCache = {}

    # -- gathering -----------------------------------------------------------------
    def _bind_mappings(self, wanted: Iterable[str], state: State) -> list[CollectionRun]:
        known = {c.slug: cid for cid, c in state.collections.items() if c.slug} | {cid: cid for cid in state.collections}
        if all(m.collection in known for m in self.mappings):
            try:
                return self._bind_known(wanted, known, {cid: c.slug for cid, c in state.collections.items()})
            except NotFoundError:
                log.info("a remembered collection is gone: listing the site's collections")
        summaries = self.client.list_collections(self.site_id)
        by_key = {c.slug: c for c in summaries} | {c.id: c for c in summaries}
        wanted = set(wanted)
        runs = []
        for m in self.mappings:
            summary = by_key.get(m.collection)
            if summary is None:
                raise ConfigError(f"{m.source}: the site has no collection {m.collection!r} "
                                  f"(it has: {', '.join(sorted(c.slug for c in summaries))})")
            if wanted and not ({summary.slug, summary.id, m.collection} & wanted):
                continue
            before = self.client.stats.total
            schema = self.client.get_collection(summary.id)
            runs.append(CollectionRun(bind(m, schema), schema, calls=self.client.stats.total - before))
        if wanted and not runs:
            raise ConfigError(f"no mapping for collection(s): {', '.join(sorted(wanted))}")
        return runs

    def _bind_known(self, wanted: Iterable[str], known: dict[str, str], slugs: dict[str, str]) -> list[CollectionRun]:
        """Collections remembered from an earlier run: their schema is all there is to read."""
        wanted = set(wanted)
        runs = []
        for m in self.mappings:
            cid = known[m.collection]
            if wanted and not ({slugs.get(cid, ""), cid, m.collection} & wanted):
                continue
            before = self.client.stats.total
            schema = self.client.get_collection(cid)
            runs.append(CollectionRun(bind(m, schema), schema, calls=self.client.stats.total - before))
        if wanted and not runs:
            raise ConfigError(f"no mapping for collection(s): {', '.join(sorted(wanted))}")
        return runs

    def _fetch_remote(self, run: CollectionRun, opts: RunOptions, state: State) -> list[RemoteItem]:
        known = state.collections.get(run.schema.id)
        run.base = state.for_collection(run.schema.id)
        if known and known.cursor and run.base and not opts.full and not opts.live \
                and known.runs_since_full < opts.full_every:
            changed = self._fetch_changed(run, known)
            if changed is not None:
                return changed
        run.full = True
        items: list[RemoteItem] = []
        for page in self.client.iter_pages(run.schema.id, live=opts.live):
            items.extend(page.items)
            run.total = page.total
            self.progress(run.schema.slug, len(page.items))
        return items

    def _fetch_changed(self, run: CollectionRun, known: CollectionState) -> list[RemoteItem] | None:
        """Only what changed since the cursor (newest first, stopping at the cursor), or None when a
        full read is needed: the count of items says some were deleted, or sorting is refused."""
        # compared as instants, not strings: "…:00Z" and "…:00.000Z" are the same moment
        since = iso_seconds(known.cursor) - CURSOR_MARGIN_SECONDS
        items: list[RemoteItem] = []
        try:
            for page in self.client.iter_pages(run.schema.id, params={"sortBy": "lastUpdated", "sortOrder": "desc"}):
                run.total = page.total
                fresh = [i for i in page.items if iso_seconds(i.last_updated) >= since]
                items.extend(fresh)
                self.progress(run.schema.slug, len(page.items))
                if len(fresh) < len(page.items):
                    break
        except ValidationApiError:
            log.info("%s: sorting by lastUpdated refused, reading everything", run.schema.slug)
            return None
        seen = set(run.base) | set(known.held)
        new = {i.id for i in items if i.id not in seen}
        # expected: what the base and the held items account for, not the count the last run saw: a
        # push (or a run that held a deletion back) saw deletions it did not apply, which must stay visible
        if run.total != len(seen) + len(new):
            log.info("%s: %d items in Webflow, %d expected: items were deleted; reading everything",
                     run.schema.slug, run.total, len(seen) + len(new))
            return None
        run.full = False
        fetched = {i.id for i in items}
        run.unfetched = {k for k in run.base if k not in fetched}
        run.held.update(h for h in known.held if h not in fetched)
        return items
    def _moved(self, run: CollectionRun, items: list[RemoteItem]) -> set[str]:
        """This collection, if one of its items now has another path (a slug renamed in Webflow)."""
        for item in items:
            entry = run.base.get(item.id)
            if entry is not None and entry.path != run.mapping.path_for(item.slug, item.id):
                return {run.schema.id}
        return set()

    def _refetch_if_targets_moved(self, run: CollectionRun, moved: set[str], fetched: dict[str, list[RemoteItem]],
                                  opts: RunOptions) -> None:
        """A renamed slug changes the files that refer to it, though those items did not change:
        an incremental read of a collection with references to it becomes a full one."""
        if run.full or not moved & reference_targets(run.schema):
            return
        before = self.client.stats.total
        run.unfetched = set()
        run.full = True
        items: list[RemoteItem] = []
        for page in self.client.iter_pages(run.schema.id, live=opts.live):
            items.extend(page.items)
            run.total = page.total
        fetched[run.schema.id] = items
        run.calls += self.client.stats.total - before

    def _index_refs(self, run: CollectionRun, items: list[RemoteItem]) -> None:
        for key in run.unfetched:
            entry = run.base[key]
            self.refs.add(run.schema.id, entry.id, entry.path)
        for item in items:
            if SAFE_SLUG.match(item.slug or ""):
                self.refs.add(run.schema.id, item.id, run.mapping.path_for(item.slug, item.id))

    def _convert_remote(self, run: CollectionRun, items: list[RemoteItem], opts: RunOptions, report: Report) -> None:
        archived = run.mapping.archived if opts.archived is None else opts.archived
        drafts = run.mapping.drafts if opts.drafts is None else opts.drafts
        wanted: list[tuple[RemoteItem, str]] = []
        for item in items:
            if (item.is_archived and not archived) or (item.is_draft and not drafts):
                run.held.add(item.id)
                report.of(run.schema.slug).skipped += 1
                continue
            try:
                if not SAFE_SLUG.match(item.slug or ""):
                    raise UnsafePathError(f"slug {item.slug!r} is not a safe file name")
                path = run.mapping.path_for(item.slug, item.id)
                self.store.resolve(path)
            except UnsafePathError as exc:
                report.problems.append({"collection": run.schema.slug, "item": item.id, "field": "slug",
                                        "message": f"refused: {exc}"})
                run.held.add(item.id)
                continue
            wanted.append((item, path))
        items.clear()  # the caller's list: raw items should not outlive their conversion
        paths = [path for _, path in wanted]
        results = convert_items([i for i, _ in wanted], run.mapping, run.schema, self.refs, self.workers)
        wanted.clear()
        for path, (converted, data) in zip(paths, results, strict=True):
            assert converted.item is not None
            item = converted.item
            for p in converted.problems:
                report.problems.append(_problem(p))
            hashes = field_hashes(converted.record)
            digest = record_hash(converted.record)
            if not converted.problems:
                # the bytes hold the same values (a value with a problem may not survive the YAML)
                converted.record = LazyRecord(data, run.mapping)  # type: ignore[assignment]
            side = Side(converted.record, digest, iso_seconds(item.last_updated), fields=hashes)
            run.remote[item.id] = RemoteView(item, converted, path, side, data)

    def _scan_local(self, run: CollectionRun, state: State, report: Report) -> None:
        pattern = template_regex(run.mapping)
        by_path = state.by_path()
        slugs = {rv.item.slug: rid for rid, rv in run.remote.items()}
        slugs.update({self._slug_of(run, i): i for i in run.held})
        for info in self.store.scan(template_prefix(run.mapping)):
            match = pattern.match(info.rel)
            if not match:
                continue
            base = by_path.get(info.rel)
            if base is not None and base.collection == run.schema.id:
                key = base.id
            else:
                found = slugs.get(match.groupdict().get("slug") or "") or (match.groupdict().get("id") if
                                                                           match.groupdict().get("id") in run.remote else None)
                key = found or f"new:{run.schema.id}:{info.rel}"
            view = LocalView(info.rel, info)
            base_entry = run.base.get(key)
            if base_entry and base_entry.path == info.rel and self.stats.get(info.rel) == (info.size, info.mtime_ns):
                # unchanged since the last sync by size and mtime: no need to read or parse it
                view.side = Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
            else:
                raw = self.store.read(info.rel) or b""
                if base_entry and base_entry.path == info.rel and sha256(raw) == base_entry.file_hash:
                    view.side = Side({}, base_entry.record_hash, info.mtime_ns / 1e9)
                    remember_stat(self.stats, info.rel, info.size, info.mtime_ns)  # same bytes, new mtime (a git checkout)
                else:
                    try:
                        doc = parse(raw.decode("utf-8"))
                    except (UnicodeDecodeError, ValueProblem, Exception) as exc:  # noqa: BLE001 - any unreadable file
                        report.problems.append({"collection": run.schema.slug, "item": info.rel, "field": "(file)",
                                                "message": f"cannot read this file: {exc}"})
                        run.held.add(key)
                        continue
                    record = document_record(doc, run.mapping)
                    view.document = doc
                    view.side = Side(record, record_hash(record), info.mtime_ns / 1e9)
            run.local[key] = view
            if key in run.held and key not in run.base:
                report.problems.append({
                    "collection": run.schema.slug, "item": info.rel, "field": "slug",
                    "message": "an archived or draft item in Webflow has this slug and is not synced by this run "
                               "(see --archived / --drafts); the file is left alone"})

    def _slug_of(self, run: CollectionRun, item_id: str) -> str:
        path = self.refs.path_for(run.schema.id, item_id) or ""
        m = template_regex(run.mapping).match(path)
        return (m.groupdict().get("slug") or "") if m else ""

    # -- running ----------------------------------------------------------------------
    def run(self, opts: RunOptions) -> Report:
        if opts.dry_run:
            return self._run(opts)
        with SnapshotLock(self.root / STATE_DIR / LOCK_FILE):
            return self._run(opts)

    def _run(self, opts: RunOptions) -> Report:
        started = time.monotonic()
        report = Report(command=opts.command, dry_run=opts.dry_run)
        state = load_state(self.root)
        if state.site != self.site_id:
            state.site, state.dirty = self.site_id, True
        self.stats = load_stat_cache(self.root)
        runs = self._bind_mappings(opts.collections, state)
        self.runs = runs
        for run in runs:
            report.of(run.schema.slug)
        moved: set[str] = set()
        # referenced collections first, so each is converted as soon as what it refers to is
        # known, and its raw items are let go before the next one is read
        for group in reference_order(runs):
            fetched: dict[str, list[RemoteItem]] = {}
            for run in group:
                before, t0 = self.client.stats.total, time.monotonic()
                fetched[run.schema.id] = self._fetch_remote(run, opts, state)
                moved |= self._moved(run, fetched[run.schema.id])
                run.seconds += time.monotonic() - t0
                run.calls += self.client.stats.total - before
            for run in group:
                self._refetch_if_targets_moved(run, moved, fetched, opts)
                self._index_refs(run, fetched[run.schema.id])
            for run in group:
                t0 = time.monotonic()
                self._convert_remote(run, fetched.pop(run.schema.id), opts, report)
                run.seconds += time.monotonic() - t0
        for run in runs:
            t0 = time.monotonic()
            self._scan_local(run, state, report)
            base_sides = {k: BaseSide(e.record_hash, e.fields) for k, e in run.base.items()}
            remote_sides = {k: v.side for k, v in run.remote.items()}
            for key in run.unfetched - set(run.remote) - run.held:
                remote_sides[key] = Side({}, run.base[key].record_hash)  # unchanged since the last sync
            local_sides = {k: v.side for k, v in run.local.items() if v.side is not None}
            for key in run.held:
                base_sides.pop(key, None)
                local_sides.pop(key, None)
            # held items count on both sides: their files are there, only left alone
            check_empty_sides(run.schema.slug, len(local_sides) + len(run.held & set(run.local)),
                              len(remote_sides) + len(run.held & set(run.base)),
                              len(run.base))
            run.plan = self._hold(plan(local_sides, remote_sides, base_sides, opts.policy), run)
            run.seconds += time.monotonic() - t0
        if opts.policy.push:
            self._validate(runs, opts, report)
            deletes = sum(len(r.plan.of(Op.PUSH_DELETE)) for r in runs if r.plan)
            if deletes and opts.command != "status":  # status lists deletions; only a run that deletes is limited
                check_delete_limit(deletes, sum(len(r.base) for r in runs), opts.max_delete)
        for run in runs:
            before, t0 = self.client.stats.total, time.monotonic()
            self._apply(run, state, opts, report)
            if opts.policy.push:
                self._push_creates(run, state, opts, report)
            run.calls += self.client.stats.total - before
            run.seconds += time.monotonic() - t0
        for run in runs:
            before, t0 = self.client.stats.total, time.monotonic()
            if opts.policy.push:
                self._push_updates(run, state, opts, report)
                self._push_deletes(run, state, opts, report)
            c = report.of(run.schema.slug)
            c.api_calls = run.calls + self.client.stats.total - before
            c.seconds = round(run.seconds + time.monotonic() - t0, 3)
            c.pulled = c.written + c.removed
            c.pushed = c.created + c.updated + c.deleted
            if not opts.dry_run:
                self._advance_cursor(run, state, opts)
                self._save(state)
        if opts.publish and not opts.dry_run:
            for run in runs:
                self._publish(run, state, report)
            self._save(state)
        report.api_calls = self.client.stats.total
        report.seconds = round(time.monotonic() - started, 3)
        return report

    def differences(self) -> list[tuple[str, dict[str, Any], dict[str, Any], str]]:
        """After a run: (path, local record, Webflow record, planned op) for every item whose sides differ."""
        out = []
        for run in self.runs:
            for action in run.plan.actions if run.plan else ():
                rv, lv = run.remote.get(action.key), run.local.get(action.key)
                if action.op is Op.NOTHING:
                    continue
                local: dict[str, Any] = {}
                if lv is not None:
                    doc = lv.document or parse((self.store.read(lv.path) or b"").decode("utf-8"))
                    local = document_record(doc, run.mapping)
                remote = dict(rv.converted.record) if rv is not None else {}
                out.append((self._path_of(run, action.key), local, remote, action.op.value))
        return out

    # -- before any write: hold, validate ------------------------------------------------
    def _hold(self, p: Plan, run: CollectionRun) -> Plan:
        """Items this run leaves alone in Webflow (archived, drafts) are never pushed or deleted there."""
        actions = []
        for a in p.actions:
            if a.key in run.held and a.op in (Op.PUSH_CREATE, Op.PUSH_UPDATE, Op.PUSH_DELETE, Op.MERGE):
                a = Action(a.key, a.op, a.reason, a.push_keys, a.conflict_keys, a.merged,
                           "archived or draft in Webflow, not synced by this run")
            actions.append(a)
        return Plan(tuple(actions))

    def _advance_cursor(self, run: CollectionRun, state: State, opts: RunOptions) -> None:
        if opts.live:
            return  # the cursor follows the staged items
        known = state.collections.setdefault(run.schema.id, CollectionState())
        known.slug = run.schema.slug
        newest = [rv.item.last_updated for rv in run.remote.values() if rv.item.last_updated]
        newest += [e.last_updated for e in state.for_collection(run.schema.id).values()]
        known.cursor = max([known.cursor or "", *newest], key=iso_seconds) or None
        # Webflow's count after this run's own creates and deletes
        known.total = run.total + run.created - run.deleted
        known.held = sorted(i for i in run.held if not i.startswith("new:") and i not in state.items)
        known.runs_since_full = 0 if run.full else known.runs_since_full + 1

    def _save(self, state: State) -> None:
        save_state(self.root, state)
        live_paths = {e.path for e in state.items.values()}
        save_stat_cache(self.root, {p: v for p, v in self.stats.items() if p in live_paths})

    # -- applying ------------------------------------------------------------------------
    def _apply(self, run: CollectionRun, state: State, opts: RunOptions, report: Report) -> None:
        assert run.plan is not None
        c = report.of(run.schema.slug)
        for action in run.plan.actions:
            if action.op is not Op.NOTHING:
                report.actions.append({"collection": run.schema.slug, "key": action.key, "op": action.op.value,
                                       "path": self._path_of(run, action.key), "reason": action.reason,
                                       "blocked": action.blocked})
            if action.blocked is not None:
                if action.op is not Op.NOTHING:
                    c.pending += 1
                continue
            if action.op is Op.NOTHING:
                self._refresh(run, state, action.key, opts, c)
            elif action.op in (Op.PULL, Op.ADOPT):
                self._write_remote(run, state, action.key, opts, c)
            elif action.op is Op.PULL_DELETE:
                entry = run.base[action.key]
                if not opts.dry_run:
                    self.store.delete(entry.path)
                    state.drop(action.key)
                c.removed += 1
            elif action.op is Op.FORGET:
                if not opts.dry_run:
                    state.drop(action.key)
            elif action.op is Op.CONFLICT:
                self._conflict(run, action, opts, report)
            # push-side actions (creates, updates, merges, deletes) are carried out by _push_*

    def _path_of(self, run: CollectionRun, key: str) -> str:
        if key in run.remote:
            return run.remote[key].path
        if key in run.local:
            return run.local[key].path
        return run.base[key].path if key in run.base else ""

    def _write_remote(self, run: CollectionRun, state: State, key: str, opts: RunOptions, c: Any) -> None:
        rv = run.remote[key]
        data = rv.rendered()
        old = run.base.get(key)
        if opts.dry_run:
            current = self.store.read(rv.path)
            c.written += current != data
            c.unchanged += current == data
            return
        written = self.store.write(rv.path, data)
        if old is not None and old.path != rv.path:
            previous = self.store.read(old.path)
            if previous is not None and sha256(previous) == old.file_hash:
                self.store.delete(old.path)  # the slug changed in Webflow: the file moves
        c.written += written
        c.unchanged += not written
        self._record(run, state, rv, data)
        if not isinstance(rv.converted.record, LazyRecord):
            rv.data = None  # written: the bytes need not stay in memory

    def _record(self, run: CollectionRun, state: State, rv: RemoteView, data: bytes) -> None:
        info = self.store.stat(rv.path)
        state.put(BaseEntry(
            id=rv.item.id, collection=run.schema.id, path=rv.path, last_updated=rv.item.last_updated,
            record_hash=rv.side.hash, fields=dict(rv.side.fields) if rv.side.fields is not None
            else field_hashes(rv.converted.record), file_hash=sha256(data),
            last_published=rv.item.last_published,
        ))
        if info is not None:
            remember_stat(self.stats, rv.path, info.size, info.mtime_ns)
        # in step again: a copy left by an earlier conflict has served its purpose
        self.store.delete(conflict_copy_path(rv.path))

    def _refresh(self, run: CollectionRun, state: State, key: str, opts: RunOptions, c: Any) -> None:
        """In step: rewrite the file only if Webflow's metadata moved and the file is as last written."""
        rv = run.remote.get(key)
        base = run.base.get(key)
        lv = run.local.get(key)
        if rv is None or base is None or lv is None:
            return
        data = rv.rendered()
        if sha256(data) == base.file_hash and lv.path == rv.path and \
                self.stats.get(lv.path) == (lv.info.size, lv.info.mtime_ns):
            c.unchanged += 1
            return
        current = self.store.read(lv.path)
        if current is not None and sha256(current) == base.file_hash and lv.path == rv.path and not opts.dry_run:
            written = self.store.write(rv.path, data)
            c.written += written
            c.unchanged += not written
            self._record(run, state, rv, data)
        else:
            c.unchanged += 1
            if not opts.dry_run and current is not None and lv.path == rv.path and current == data:
                self._record(run, state, rv, data)  # same bytes, new mtime (a git checkout): remember the stat

    def _conflict(self, run: CollectionRun, action: Action, opts: RunOptions, report: Report) -> None:
        c = report.of(run.schema.slug)
        c.conflicts += 1
        rv = run.remote.get(action.key)
        path = self._path_of(run, action.key)
        copy = conflict_copy_path(path)
        if rv is not None and not opts.dry_run:
            self.store.write(copy, rv.rendered())
        report.conflicts.append({"collection": run.schema.slug, "path": path, "remote_copy": copy if rv else None,
                                 "fields": sorted(k for k in action.conflict_keys if not k.startswith("\x00")),
                                 "reason": action.reason})


def _problem(p: Problem) -> dict[str, str]:
    return {"collection": p.collection, "item": p.item, "field": p.field, "message": p.message}

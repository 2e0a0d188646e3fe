"""Gather both sides, plan, apply, save the base: the shell around the pure planner.

``Engine.run`` is what ``pull``, ``push``, ``sync`` and ``status`` all call; they differ
only in their ``Policy`` (which directions apply) and in ``dry_run``.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from .client import WebflowClient
from .convert import (
    Converted,
    Document,
    Problem,
    document_record,
    field_hashes,
    item_to_document,
    parse,
    record_hash,
    render,
)
from .errors import ConfigError, UnsafePathError, ValueProblem
from .mapping import Mapping, bind
from .model import Collection, RemoteItem
from .plan import Action, BaseSide, Op, Plan, Policy, Side, check_empty_sides, plan
from .report import Report
from .state import BaseEntry, State, StatCache, load_stat_cache, load_state, save_stat_cache, save_state
from .store import FileInfo, SnapshotStore, sha256

log = logging.getLogger("wfsync.engine")
SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class References:
    """Item ids to file paths and back, for every mapped collection."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, str], str] = {}
        self.ids: dict[tuple[str, str], str] = {}

    def add(self, collection_id: str, item_id: str, path: str) -> None:
        self.paths[(collection_id, item_id)] = path
        self.ids[(collection_id, path)] = item_id

    def path_for(self, collection_id: str, item_id: str) -> str | None:
        return self.paths.get((collection_id, item_id))

    def id_for(self, collection_id: str, path: str) -> str | None:
        return self.ids.get((collection_id, path))


@dataclass
class RunOptions:
    command: str = "pull"
    policy: Policy = field(default_factory=lambda: Policy(pull=True, push=False))
    collections: tuple[str, ...] = ()
    live: bool = False
    dry_run: bool = False
    archived: bool | None = None
    drafts: bool | None = None
    max_delete: str = "10%"
    publish: bool = False
    skip_invalid: bool = False
    full: bool = False


@dataclass
class RemoteView:
    item: RemoteItem
    converted: Converted
    path: str
    side: Side


@dataclass
class LocalView:
    path: str
    info: FileInfo
    side: Side | None = None
    document: Document | None = None


@dataclass
class CollectionRun:
    mapping: Mapping
    schema: Collection
    remote: dict[str, RemoteView] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)  # ids in Webflow that this run leaves alone (archived, drafts)
    local: dict[str, LocalView] = field(default_factory=dict)
    base: dict[str, BaseEntry] = field(default_factory=dict)
    plan: Plan | None = None
    seconds: float = 0.0
    calls: int = 0


def iso_seconds(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def template_regex(mapping: Mapping) -> re.Pattern[str]:
    parts = re.split(r"(\{\w+\})", mapping.path)
    out = ""
    for part in parts:
        if part == "{slug}":
            out += r"(?P<slug>[^/]+)"
        elif part == "{id}":
            out += r"(?P<id>[^/]+)"
        elif part == "{collection}":
            out += re.escape(mapping.collection_slug)
        else:
            out += re.escape(part)
    return re.compile("^" + out + "$")


def template_prefix(mapping: Mapping) -> str:
    static = mapping.path.split("{", 1)[0].replace("{collection}", mapping.collection_slug)
    return static.rsplit("/", 1)[0] if "/" in static else ""


def conflict_copy_path(path: str) -> str:
    return path[:-3] + ".remote.md" if path.endswith(".md") else path + ".remote.md"


class Engine:
    def __init__(self, client: WebflowClient, site_id: str, snapshot_root: Path, mappings: list[Mapping],
                 progress: Callable[[str, int], None] | None = None) -> None:
        self.client = client
        self.site_id = site_id
        self.root = snapshot_root
        self.store = SnapshotStore(snapshot_root)
        self.mappings = mappings
        self.progress = progress or (lambda label, n: None)
        self.refs = References()
        self.stats: StatCache = {}

    # -- gathering -----------------------------------------------------------------
    def _bind_mappings(self, wanted: Iterable[str]) -> list[CollectionRun]:
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

    def _fetch_remote(self, run: CollectionRun, opts: RunOptions) -> list[RemoteItem]:
        items = []
        for page in self.client.iter_pages(run.schema.id, live=opts.live):
            items.extend(page.items)
            self.progress(run.schema.slug, len(page.items))
        return items

    def _index_refs(self, run: CollectionRun, items: list[RemoteItem]) -> None:
        for item in items:
            if SAFE_SLUG.match(item.slug or ""):
                self.refs.add(run.schema.id, item.id, run.mapping.path_for(item.slug, item.id))

    def _convert_remote(self, run: CollectionRun, items: list[RemoteItem], opts: RunOptions, report: Report) -> None:
        archived = run.mapping.archived if opts.archived is None else opts.archived
        drafts = run.mapping.drafts if opts.drafts is None else opts.drafts
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
            converted = item_to_document(item, run.mapping, run.schema, self.refs)
            for p in converted.problems:
                report.problems.append(_problem(p))
            side = Side(converted.record, record_hash(converted.record), iso_seconds(item.last_updated))
            run.remote[item.id] = RemoteView(item, converted, path, side)

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
                    self.stats[info.rel] = (info.size, info.mtime_ns)  # same bytes, new mtime (a git checkout)
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

    def _slug_of(self, run: CollectionRun, item_id: str) -> str:
        path = self.refs.path_for(run.schema.id, item_id) or ""
        m = template_regex(run.mapping).match(path)
        return (m.groupdict().get("slug") or "") if m else ""

    # -- running ----------------------------------------------------------------------
    def run(self, opts: RunOptions) -> Report:
        started = time.monotonic()
        report = Report(command=opts.command, dry_run=opts.dry_run)
        state = load_state(self.root)
        state.site = self.site_id
        self.stats = load_stat_cache(self.root)
        runs = self._bind_mappings(opts.collections)
        fetched: dict[str, list[RemoteItem]] = {}
        for run in runs:
            report.of(run.schema.slug)
            before, t0 = self.client.stats.total, time.monotonic()
            fetched[run.schema.id] = self._fetch_remote(run, opts)
            self._index_refs(run, fetched[run.schema.id])
            run.seconds += time.monotonic() - t0
            run.calls += self.client.stats.total - before
        for run in runs:
            t0 = time.monotonic()
            run.base = state.for_collection(run.schema.id)
            self._convert_remote(run, fetched[run.schema.id], opts, report)
            self._scan_local(run, state, report)
            base_sides = {k: BaseSide(e.record_hash, e.fields) for k, e in run.base.items()}
            remote_sides = {k: v.side for k, v in run.remote.items()}
            local_sides = {k: v.side for k, v in run.local.items() if v.side is not None}
            for key in run.held:
                base_sides.pop(key, None)
                local_sides.pop(key, None)
            check_empty_sides(run.schema.slug, len(local_sides), len(remote_sides) + len(run.held & set(run.base)),
                              len(run.base))
            run.plan = plan(local_sides, remote_sides, base_sides, opts.policy)
            run.seconds += time.monotonic() - t0
        for run in runs:
            before, t0 = self.client.stats.total, time.monotonic()
            self._apply(run, state, opts, report)
            c = report.of(run.schema.slug)
            c.api_calls = run.calls + self.client.stats.total - before
            c.seconds = round(run.seconds + time.monotonic() - t0, 3)
            if not opts.dry_run:
                self._save(state)
        report.api_calls = self.client.stats.total
        report.seconds = round(time.monotonic() - started, 3)
        return report

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
                    state.items.pop(action.key, None)
                c.removed += 1
            elif action.op is Op.FORGET:
                if not opts.dry_run:
                    state.items.pop(action.key, None)
            elif action.op is Op.CONFLICT:
                self._conflict(run, action, opts, report)
            else:
                c.pending += 1  # push-side actions: see push

    def _path_of(self, run: CollectionRun, key: str) -> str:
        if key in run.remote:
            return run.remote[key].path
        if key in run.local:
            return run.local[key].path
        return run.base[key].path if key in run.base else ""

    def _write_remote(self, run: CollectionRun, state: State, key: str, opts: RunOptions, c: Any) -> None:
        rv = run.remote[key]
        data = render(rv.converted.document).encode("utf-8")
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

    def _record(self, run: CollectionRun, state: State, rv: RemoteView, data: bytes) -> None:
        info = self.store.stat(rv.path)
        state.items[rv.item.id] = BaseEntry(
            id=rv.item.id, collection=run.schema.id, path=rv.path, last_updated=rv.item.last_updated,
            record_hash=rv.side.hash, fields=field_hashes(rv.converted.record), file_hash=sha256(data),
            last_published=rv.item.last_published,
        )
        if info is not None:
            self.stats[rv.path] = (info.size, info.mtime_ns)

    def _refresh(self, run: CollectionRun, state: State, key: str, opts: RunOptions, c: Any) -> None:
        """In step: rewrite the file only if Webflow's metadata moved and the file is as last written."""
        rv = run.remote.get(key)
        base = run.base.get(key)
        lv = run.local.get(key)
        if rv is None or base is None or lv is None:
            return
        data = render(rv.converted.document).encode("utf-8")
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
            self.store.write(copy, render(rv.converted.document).encode("utf-8"))
        report.conflicts.append({"collection": run.schema.slug, "path": path, "remote_copy": copy if rv else None,
                                 "fields": sorted(k for k in action.conflict_keys if not k.startswith("\x00")),
                                 "reason": action.reason})


def _problem(p: Problem) -> dict[str, str]:
    return {"collection": p.collection, "item": p.item, "field": p.field, "message": p.message}

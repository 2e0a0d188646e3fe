"""A run: named phases over one run context, the shell around the pure planner.

``Engine.run`` is what ``pull``, ``push``, ``sync`` and ``status`` all call; they differ
only in their ``Policy`` (which directions apply) and in ``dry_run``. The phases, in order
(``phases/``): read Webflow's items, convert them to files, scan the local files, plan,
validate what a push would send, apply the local half, push the Webflow half, publish.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
import time
from pathlib import Path
from typing import Any

from .capabilities import load_capabilities, save_capabilities
from .schema_lock import carry, load_lock, locked_entry, save_lock
from .client import WebflowClient
from .errors import ApiError
from .context import Hook, RunContext
from .deadrefs import report_gone
from .convert import document_record
from .errors import WfsyncError
from .reading import read_document
from .lock import SnapshotLock
from .mapping import Mapping
from .moved_out import hold_moved_out
from .model import RemoteItem
from . import pipeline
from .phases import clashes, lost_variants, read, variants
from .phases.apply import LocalWriter, path_of
from .phases.convert import convert
from .phases.plan import check_deletes, plan_collection
from .phases.publish import publish
from .phases.push import Pusher
from .phases.scan import scan
from .phases.validate import validate
from .plan import Op
from .progress import NoProgress, Progress
from .references import References
from .report import Report
from .runs import CollectionRun, LazyRecord, RunOptions, reference_order, template_regex
from .state import LOCK_FILE, STATE_DIR, load_stat_cache, load_state
from .store import SnapshotStore
from .strays import uncovered_files
from .workers import Helper, default_helper, default_workers

log = logging.getLogger("wfsync.engine")

# kept importable from here: tests and tools use these names
__all__ = ["Engine", "LazyRecord", "References", "RunOptions"]


class Engine:
    def __init__(self, client: WebflowClient, site_id: str, snapshot_root: Path, mappings: list[Mapping],
                 progress: Progress | None = None, workers: int | None = None,
                 hook: Hook | None = None, display: str = "", helper: bool | None = None) -> None:
        self.workers = default_workers() if workers is None else workers
        # a pipelined read converts part of each page in a second process (``workers.Helper``)
        self.helper = default_helper() if helper is None else helper
        self.client = client
        self.site_id = site_id
        self.root = snapshot_root
        self.store = SnapshotStore(snapshot_root)
        self.mappings = mappings
        self.progress: Progress = progress or NoProgress()
        self.hook = hook  # called at each phase and around each write (see context.Hook)
        self.ctx: RunContext | None = None  # the last run's context
        self.display = display  # the snapshot folder as the user sees it, to name other files in messages

    @property
    def runs(self) -> list[CollectionRun]:
        return self.ctx.runs if self.ctx else []

    def run(self, opts: RunOptions) -> Report:
        self.ctx = None
        try:
            if opts.dry_run:
                return self._run(opts)
            with SnapshotLock(self.root / STATE_DIR / LOCK_FILE):
                return self._run(opts)
        except WfsyncError as exc:
            if self.ctx is not None:
                carry(exc, self.ctx.report)
            raise

    def _run(self, opts: RunOptions) -> Report:
        started = time.monotonic()
        state = load_state(self.root)
        if state.site != self.site_id:
            state.site, state.dirty = self.site_id, True
        ctx = self.ctx = RunContext(client=self.client, site_id=self.site_id, store=self.store, opts=opts,
                                    report=Report(command=opts.command, dry_run=opts.dry_run), state=state,
                                    stats=load_stat_cache(self.root), progress=self.progress,
                                    workers=self.workers, hook=self.hook, caps=load_capabilities(self.root),
                                    schema_lock=load_lock(self.root), display=self.display)
        ctx.runs = variants.expand(ctx, read.bind_collections(ctx, self.mappings))
        for run in ctx.runs:
            ctx.report.of(run.schema.slug)
        if opts.resync:
            for run in ctx.runs:  # the base of these collections is rebuilt from what both sides hold now
                for key in state.for_collection(run.schema.id, run.cms_locale):
                    state.drop(run.state_key(key))
        self._read_and_convert(ctx)
        variants.set_aside(ctx)
        # files no mapping covers (of every mapping, also those this run leaves out): such a file may
        # still hold an item whose mapped file is gone, which then is not deleted
        strays = [p for p in uncovered_files(self.root, [template_regex(m) for m in [
                      *(r.mapping for r in ctx.runs), *ctx.stopped, *variants.stopped_templates(ctx),
                      *self.mappings]])
                  if p not in ctx.aside]
        parsed: dict[str, dict[str, Any] | None] = {}
        for run in ctx.runs:
            with ctx.phase("scan", run):
                scan(ctx, run)
            with ctx.phase("plan", run):
                plan_collection(ctx, run)
        for run in ctx.runs:
            with ctx.phase("plan", run):
                hold_moved_out(ctx, run, strays, parsed)
        variants.adjust_plans(ctx)
        clashes.hold_shared_files(ctx)
        lost_variants.hold_lost_variants(ctx)
        report_gone(ctx)
        if not opts.collections:
            for rel in strays:
                ctx.report.warnings.append({"path": rel, "message": "no mapping covers this file: it is not synced "
                                                                    "(move it under a mapped folder, or add a mapping)"})
        if opts.policy.push:
            with ctx.phase("validate"):
                validate(ctx)
                check_deletes(ctx)
        writer = LocalWriter(ctx)
        pusher = Pusher(ctx, writer)
        for run in ctx.runs:
            with ctx.phase("apply", run):
                writer.apply(run)
            if opts.policy.push:
                with ctx.phase("push", run):
                    pusher.creates(run)
        for run in ctx.runs:
            if opts.policy.push:
                with ctx.phase("push", run):
                    pusher.updates(run)
                    pusher.deletes(run)
            self._summarise(ctx, run)
            if not opts.dry_run:
                read.advance_cursor(ctx, run)
                ctx.save()
        if opts.publish and not opts.dry_run:
            with ctx.phase("publish"):
                for run in ctx.runs:
                    publish(ctx, writer, run)
                ctx.save()
        if not opts.dry_run and ctx.settle_stats():
            ctx.save()
        ctx.report.notices.extend(ctx.caps.notices)
        if not opts.dry_run:
            ctx.caps.tick()
            save_capabilities(self.root, ctx.caps)
            for run in ctx.runs:
                ctx.schema_lock[run.schema.id] = locked_entry(run.schema, run.mapping, ctx.schema_lock.get(run.schema.id))
            save_lock(self.root, ctx.schema_lock)
        ctx.report.api_calls = self.client.stats.total
        ctx.report.seconds = round(time.monotonic() - started, 3)
        ctx.log_timings()
        return ctx.report

    def _read_and_convert(self, ctx: RunContext) -> None:
        """Referenced collections first, so each is converted as soon as what it refers to is
        known, and its raw items are let go before the next one is read."""
        with Helper() if self.helper else nullcontext() as helper:
            self._read_groups(ctx, helper)

    def _read_groups(self, ctx: RunContext, helper: Helper | None) -> None:
        moved: set[str] = set()
        read_before: set[str] = set()
        gone: set[str] = set()  # runs of locales the site no longer has: left out
        for group in reference_order(ctx.runs):
            fetched: dict[str, list[RemoteItem]] = {}  # by run scope: a collection has one run per locale
            for run in group:
                try:
                    # (references name primary files: a slug renamed in a secondary locale moves no reference)
                    if pipeline.can_pipeline(ctx, run, read_before):
                        # read in full and converted page by page, while the next pages are fetched
                        if pipeline.read_and_convert(ctx, run, helper) and run.locale is None:
                            moved.add(run.schema.id)
                        continue
                    with ctx.phase("read", run):
                        fetched[run.scope] = read.fetch(ctx, run)
                        if read.moved(run, fetched[run.scope]) and run.locale is None:
                            moved.add(run.schema.id)
                except ApiError as exc:  # a locale removed in Webflow since the locales were read
                    if not variants.locale_gone(ctx, run, exc):
                        raise
                    gone.add(run.scope)
                    fetched.pop(run.scope, None)
            for run in (r for r in group if r.scope in fetched):
                with ctx.phase("read", run):
                    fetched[run.scope] = read.refetch_if_targets_moved(ctx, run, moved, fetched[run.scope])
                    read.index_refs(ctx, run, fetched[run.scope])
            for run in (r for r in group if r.scope in fetched):
                with ctx.phase("convert", run):
                    convert(ctx, run, fetched.pop(run.scope))
            read_before.update(run.schema.id for run in group)
        ctx.runs = [r for r in ctx.runs if r.scope not in gone]

    @staticmethod
    def _summarise(ctx: RunContext, run: CollectionRun) -> None:
        c = ctx.report.of(run.schema.slug)
        # a localized collection's report adds up its locales' runs
        c.api_calls = sum(r.calls for r in ctx.runs if r.schema.slug == run.schema.slug)
        c.seconds = round(sum(r.seconds for r in ctx.runs if r.schema.slug == run.schema.slug), 3)
        c.pulled = c.written + c.removed
        c.pushed = c.created + c.updated + c.deleted

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
                    doc = lv.document or read_document(lv.path, self.store.read(lv.path) or b"", run.mapping).document
                    local = document_record(doc, run.mapping) if doc is not None else {}
                remote = dict(rv.converted.record) if rv is not None else {}
                out.append((path_of(run, action.key), local, remote, action.op.value))
        return out

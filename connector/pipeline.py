"""A full read converted page by page while the next pages are fetched.

A first pull is bounded by the API (pages of 100, a rate budget per minute): the pages are
fetched in a background thread, a few ahead at most, and each is converted as soon as it
arrives, so conversion runs while the next answer is on its way or while the pacer waits out
the minute. It applies to a collection read in full whose references all point to
collections already read (every path its items refer to is known); any other read goes
through the phases one after the other, as before. A pull also writes each page's files as
it goes (``pagewrites``): the items whose own file, Webflow's item and base are enough to plan.

What the sequential read guarantees holds here too: every item once, and a collection whose
count changed while it was read is read again (the conversions of the first attempt are
undone first, by restoring what the run held before).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from .context import RunContext
from .locales import api
from .model import Page, RemoteItem
from . import pagewrites
from .phases import read
from .phases.apply import LocalWriter
from .reads import READ_ATTEMPTS, IncompleteReadError, nothing_missed, prove_order
from .phases.convert import convert
from .progress import NoProgress
from .references import reference_targets
from .runs import CollectionRun
from .workers import THRESHOLD, Helper

log = logging.getLogger("wfsync.engine")

#: pages fetched ahead of the conversion: raw items in memory stay within this many pages
AHEAD = 2
_DONE = object()


def can_pipeline(ctx: RunContext, run: CollectionRun, read_before: set[str]) -> bool:
    """A full read (``read.fetch`` would read everything) of a collection whose references all
    point to collections read before it."""
    targets = reference_targets(run.schema)
    mapped = {r.schema.id for r in ctx.runs}
    return (ctx.workers <= 1 and read.reads_in_full(ctx, run)
            and run.schema.id not in targets and targets & mapped <= read_before)


@dataclass
class _Checkpoint:
    """What converting changes in a run and its report, to undo a read that must be done again."""

    held: set[str]
    held_remote: set[str]
    problems: int
    skipped: int
    unwritable: dict[str, str]
    planned: dict[str, str | None]
    remote_keys: set[str]
    refs: set[tuple[str, str]]

    @classmethod
    def of(cls, ctx: RunContext, run: CollectionRun) -> _Checkpoint:
        return cls(set(run.held), set(run.held_remote), len(ctx.report.problems), ctx.report.of(run.schema.slug).skipped,
                   dict(run.unwritable), dict(run.planned_versions), set(run.remote),
                   {k for k in [*ctx.refs.paths, *ctx.refs.without_file] if k[0] == run.schema.id})

    def restore(self, ctx: RunContext, run: CollectionRun) -> None:
        run.held, run.held_remote = self.held, self.held_remote
        del ctx.report.problems[self.problems:]
        ctx.report.of(run.schema.slug).skipped = self.skipped
        run.unwritable = self.unwritable
        run.scanned.clear()  # files read for the first attempt: read again, their problems reported again
        run.planned_versions = self.planned  # type: ignore[assignment]
        for key in set(run.remote) - self.remote_keys:
            del run.remote[key]
        for ref in [k for k in [*ctx.refs.paths, *ctx.refs.without_file] if k[0] == run.schema.id and k not in self.refs]:
            path = ctx.refs.paths.pop(ref, None)
            if path is not None:
                ctx.refs.ids.pop((ref[0], path), None)
            ctx.refs.without_file.discard(ref)


def read_and_convert(ctx: RunContext, run: CollectionRun, helper: Helper | None = None) -> bool:
    """Read the collection in full and convert it page by page (see the module's docstring), with
    ``helper`` converting part of each page. True when one of its items has another path than in
    the base (a slug renamed in Webflow)."""
    checkpoint = _Checkpoint.of(ctx, run)
    run.base = ctx.state.for_collection(run.schema.id, run.cms_locale)
    run.full = True
    run.unfetched = set()
    with ctx.phase("read", run):
        read.index_refs(ctx, run, [])  # nothing unfetched; held before the read; the collection is read
    with ctx.phase("scan", run):
        listing = pagewrites.list_local(ctx, run)  # the files do not depend on Webflow: listed first
    writer = LocalWriter(ctx)
    helped = False  # the helper has this collection's context (a large one: it is not worth it for a page or two)
    for _attempt in range(READ_ATTEMPTS):
        ctx.progress.phase("reading", run.schema.slug)
        converting = False
        seen: set[str] = set()
        renamed = False
        stamps: list[RemoteItem] = []  # each item's id and lastUpdated, for the order proof
        totals: set[int] = set()
        read_pages = 0
        with ctx.phase("read", run):
            pages = _prefetch(ctx, run)
        try:
            while True:
                with ctx.phase("read", run):
                    page = next(pages, None)
                if page is None:
                    break
                read_pages += 1
                totals.add(page.total)
                if helper is not None and not helped and page.total >= THRESHOLD:
                    helper.start(run.mapping, run.schema, ctx.refs)  # up from the next pages on
                    helped = True
                items = [i for i in page.items if i.id not in seen]
                seen.update(i.id for i in items)
                stamps.extend(RemoteItem(i.id, {}, i.created_on, i.last_updated, None) for i in items)
                renamed = renamed or read.moved(run, items)
                shown, ctx.progress = ctx.progress, NoProgress()  # one bar for the whole read, not one a page
                try:
                    ids = [i.id for i in items]
                    with ctx.phase("convert", run):
                        read.index_items(ctx, run, items)
                        convert(ctx, run, items, helper if helped else None)
                    if helped and helper is not None:
                        upcoming = pages.peek()  # fetched already: its helper part goes now, not after the writes
                        if upcoming is not None:
                            helper.send_ahead([i for i in upcoming.items if i.id not in seen])
                    if listing is not None:
                        started = time.perf_counter()
                        with ctx.phase("apply", run):
                            pagewrites.write_page(ctx, writer, run, listing, ids)
                        if helper is not None:
                            helper.other_work(time.perf_counter() - started)
                finally:
                    ctx.progress = shown
                if not converting:
                    # the read's first page on the reading bar; from then on reading and converting go
                    # together, on the converting bar (items read and converted)
                    ctx.progress.advance(len(page.items), total=len(page.items))
                    ctx.progress.phase("converting", run.schema.slug, page.total)
                    converting = True
                ctx.progress.advance(len(page.items), total=page.total)
        finally:
            pages.close()
        added_up = len(totals) <= 1 and len(seen) == (totals.pop() if totals else 0)
        if added_up:
            with ctx.phase("read", run):
                added_up = nothing_missed(api(ctx, run), run.schema.id, stamps, read_pages, live=ctx.opts.live)
        if added_up:
            run.total = len(seen)
            pagewrites.finish(ctx, run, seen)
            if not ctx.opts.live:
                with ctx.phase("read", run):
                    prove_order(api(ctx, run), run.schema.id, run.schema.slug, stamps, ctx.caps)
            return renamed
        log.info("collection %s changed while it was read (counts %s, %d items): reading it again",
                 run.schema.slug, sorted(totals), len(seen))
        checkpoint.restore(ctx, run)
        if helper is not None:
            helper.forget_ahead()
        with ctx.phase("read", run):
            read.index_refs(ctx, run, [])
    raise IncompleteReadError(f"the items of collection {run.schema.slug} kept changing while they were read "
                              f"({READ_ATTEMPTS} attempts); nothing was inferred from an incomplete read")


def _prefetch(ctx: RunContext, run: CollectionRun) -> _Pages:
    """The collection's pages, fetched by a background thread at most ``AHEAD`` pages ahead."""
    # one of the AHEAD pages may be out of the queue, peeked (``_Pages.peek``)
    pages: queue.Queue[object] = queue.Queue(maxsize=AHEAD - 1)
    stop = threading.Event()

    def fetch() -> None:
        try:
            for page in api(ctx, run).iter_pages(run.schema.id, live=ctx.opts.live):
                while not stop.is_set():
                    try:
                        pages.put(page, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pages.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the converting thread, raised there
            pages.put(exc)

    thread = threading.Thread(target=fetch, name=f"wfsync-read-{run.schema.slug}", daemon=True)
    thread.start()
    return _Pages(pages, stop, thread)


class _Pages(Iterator[Page]):
    """The pages as the fetching thread hands them over; ``peek`` shows the next one if it is
    already here, without waiting for it."""

    def __init__(self, pages: queue.Queue[object], stop: threading.Event, thread: threading.Thread) -> None:
        self._pages, self._stop, self._thread = pages, stop, thread
        self._next: object = None  # taken from the queue by peek, not yet handed over

    def _take(self, got: object) -> Page | None:
        if got is _DONE:
            self._next = _DONE  # every later call: the end
            return None
        if isinstance(got, BaseException):
            raise got
        assert isinstance(got, Page)
        return got

    def __next__(self) -> Page:
        got, self._next = (self._next, None) if self._next is not None else (self._pages.get(), None)
        page = self._take(got)
        if page is None:
            raise StopIteration
        return page

    def peek(self) -> Page | None:
        if self._next is None:
            try:
                self._next = self._pages.get_nowait()
            except queue.Empty:
                return None
        return self._next if isinstance(self._next, Page) else None

    def close(self) -> None:
        # on an error or a stop: the fetcher ends at its next page (a daemon: it never holds the exit)
        self._stop.set()
        try:
            self._pages.get_nowait()  # unblock a fetcher waiting to hand over a page
        except queue.Empty:
            pass
        self._thread.join(timeout=1.0)

"""Converting many items on every core: the first pull of a large site is conversion-bound.

Rich text to Markdown and the YAML emitter are pure Python; with thousands of items the work
is split across processes (spawned, so nothing of the parent's threads or sockets is copied).
Small batches stay in this process, where starting workers would cost more than it saves.

A read converted page by page (``pipeline``) has a ``Helper`` instead: one process that converts
part of each page while this one converts the rest. At 60 requests a minute the pages after the
first minute's budget all arrive at once; what they cost from then on is the pull's excess over
the API's own time, and the second core halves the conversion part of it.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import pickle
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Iterator, Sequence

from .convert import Converted, Document, hashes, item_to_document, render
from .mapping import Mapping
from .model import Collection, RemoteItem

#: below this many items a pool is not worth starting
THRESHOLD = 400

_CONTEXT: tuple[Mapping, Collection, Any] | None = None


def _init(mapping: Mapping, schema: Collection, refs: Any) -> None:
    global _CONTEXT
    _CONTEXT = (mapping, schema, refs)


def _watch(parent: int) -> None:
    """In the helper: end when the process that started it is gone (killed: nothing else tells
    a pool's process that no call will come)."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="wfsync-helper-watch", daemon=True).start()


def _init_from(context: bytes) -> None:
    _init(*pickle.loads(context))


#: an item converted: what it became, its file's bytes, and the hashes of its record
Result = tuple[Converted, bytes, tuple[str, dict[str, str]]]


def _timed_convert(items: Sequence[RemoteItem]) -> tuple[list[Result], float]:
    started = time.perf_counter()
    return _convert(items), time.perf_counter() - started


def _convert(items: Sequence[RemoteItem]) -> list[Result]:
    assert _CONTEXT is not None
    mapping, schema, refs = _CONTEXT
    out = []
    for item in items:
        converted = item_to_document(item, mapping, schema, refs)
        data = render(converted.document).encode("utf-8")
        # the bytes say all the document did: dropping it keeps a large pull smaller
        converted.document = Document({})
        digest = hashes(converted.record)
        if not converted.problems:
            # the bytes hold the same values: the record is read back from them when asked for
            # (``runs.LazyRecord``), so it need not be kept, nor sent back by a helper process
            converted.record = {}
        out.append((converted, data, digest))
    return out


def default_workers() -> int:
    """``WFSYNC_WORKERS`` if set, else one fewer than the usable cores (at most 8).

    One core stays with this process, which reads the pages, hashes and writes the files;
    on two cores, measured, a pool of two spent 50 % more CPU for no faster a pull."""
    configured = os.environ.get("WFSYNC_WORKERS", "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    return max(1, min(8, usable_cores()) - 1)


SLICE = 1000  # items in flight at once: what is converted is handed back before the next slice


def usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def default_helper() -> bool:
    """Whether a pipelined read converts in a helper process too: with a second usable core,
    unless ``WFSYNC_HELPER=0``."""
    return usable_cores() >= 2 and os.environ.get("WFSYNC_HELPER", "").strip() != "0"


@contextmanager
def _main_left_out() -> Iterator[None]:
    """A spawned process imports the program's main module first (the command line, with its
    HTTP client and terminal output; a benchmark, with the emulator): 16 MB a helper does not
    need, since what it runs is all in this package. Hidden while the process is started."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


class Helper:
    """One spawned process converting part of each page of a pipelined read, while this process
    converts the rest; the conversion of a page is the same function on the same items, so the
    bytes are the same. The process serves every collection of the run; its calls run in the
    order they are made, so each collection's context (mapping, schema, references) goes ahead
    of its pages. Until it is up, and if it dies, this process converts alone; the share it gets
    follows the measured speed of both."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._ready: Future[None] | None = None  # the context of the collection being read, once loaded
        self.share = 0.5  # of each page's items, the first ones
        self.broken = False
        # the helper's part of the next page, sent before this process writes the current one
        self._ahead: tuple[list[RemoteItem], Future[tuple[list[Result], float]]] | None = None
        self._other = 0.0  # seconds this process spent on the last page besides converting (its writes)

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def start(self, mapping: Mapping, schema: Collection, refs: Any) -> None:
        """The collection whose pages come next. The references are taken as they are now
        (pickled at once: the read adds to them meanwhile): they are complete for this
        collection, whose references point to collections read before it (``can_pipeline``)."""
        if self.broken:
            return
        self._ahead = None
        context = pickle.dumps((mapping, schema, refs))
        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_watch, initargs=(os.getpid(),))
            with _main_left_out():  # the process starts with its first call
                self._ready = self._pool.submit(_init_from, context)
        else:
            self._ready = self._pool.submit(_init_from, context)

    def send_ahead(self, items: list[RemoteItem]) -> None:
        """Start the helper's part of the page after this one now, so that it converts while this
        process writes the current page's files instead of waiting for the next page (its part
        is then used by ``convert`` for those same items)."""
        theirs = round(len(items) * self.share)
        if self._ahead is not None or theirs == 0 or not self._up():
            return
        assert self._pool is not None
        try:
            self._ahead = (items[:theirs], self._pool.submit(_timed_convert, items[:theirs]))
        except BrokenProcessPool:
            self.broken = True

    def forget_ahead(self) -> None:
        """A read started again: what was sent ahead is not used (the items may have changed)."""
        self._ahead = None

    def other_work(self, seconds: float) -> None:
        """What this process spent on the page besides converting: the helper's share grows by it."""
        self._other = seconds

    def convert(self, items: list[RemoteItem]) -> list[Result]:
        """The items' conversions, in their order (this process's context set by ``_init``)."""
        sent, future = self._ahead or ([], None)
        self._ahead = None
        at = {id(item): n for n, item in enumerate(sent)}
        # the page's items the read kept (others were read on an earlier page, or are held)
        theirs_items = [item for item in items if id(item) in at and sent[at[id(item)]] is item]
        if future is None or not theirs_items:
            theirs = round(len(items) * self.share)
            if theirs == 0 or not self._up():
                return _convert(items)
            assert self._pool is not None
            theirs_items = items[:theirs]
            try:
                future = self._pool.submit(_timed_convert, theirs_items)
            except BrokenProcessPool:
                self.broken = True
                return _convert(items)
            sent, at = theirs_items, {id(item): n for n, item in enumerate(theirs_items)}
        chosen = {id(item) for item in theirs_items}
        mine_items = [item for item in items if id(item) not in chosen]
        started = time.perf_counter()
        mine = dict(zip((id(i) for i in mine_items), _convert(mine_items)))
        own = time.perf_counter() - started
        try:
            converted, their_seconds = future.result()
        except BrokenProcessPool:
            self.broken = True
            converted, their_seconds = _convert(sent), 0.0
        self._balance(len(mine_items), own, len(sent), their_seconds)
        return [converted[at[id(item)]] if id(item) in chosen else mine[id(item)] for item in items]

    def _up(self) -> bool:
        """Whether the process is up with the current collection's context."""
        if self.broken or self._ready is None or not self._ready.done():
            return False
        if self._ready.exception() is not None:
            self.broken = True
            return False
        return True

    def _balance(self, mine: int, own: float, theirs: int, their_seconds: float) -> None:
        """Next page's share: what would have made both finish together, this process's writes
        counted, half-way from the last."""
        if mine == 0 or own <= 0 or their_seconds <= 0 or theirs == 0:
            return
        my_rate, their_rate = own / mine, their_seconds / theirs
        n = mine + theirs
        balanced = (my_rate * n + self._other) / ((my_rate + their_rate) * n)
        self.share = min(0.95, max(0.1, (self.share + balanced) / 2))


def convert_items(items: list[RemoteItem], mapping: Mapping, schema: Collection, refs: Any,
                  workers: int, helper: Helper | None = None) -> Iterator[Result]:
    """Each item's conversion, file bytes and hashes, in the order given. ``items`` is emptied as it goes,
    so that the raw items do not outlive their conversion."""
    if helper is not None:
        _init(mapping, schema, refs)
        batch = items[:]
        items.clear()
        yield from helper.convert(batch)
        return
    if workers <= 1 or len(items) < THRESHOLD:
        _init(mapping, schema, refs)
        while items:
            batch = items[:SLICE]
            del items[:SLICE]
            for item in batch:  # one at a time: progress moves as each item is converted
                yield from _convert([item])
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(mapping, schema, refs)) as pool:
        while items:
            batch = items[:SLICE]
            del items[:SLICE]
            size = math.ceil(len(batch) / (workers * 2))
            chunks = [batch[i:i + size] for i in range(0, len(batch), size)]
            del batch
            for chunk in pool.map(_convert, chunks):
                yield from chunk

"""What one run knows, in one place, and the bookkeeping every phase shares.

A run is a sequence of phases (read, convert, scan, plan, validate, apply, push, publish,
see ``engine``); each takes this context. Timings and API call counts are charged here,
by ``phase``, so no phase repeats that arithmetic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .capabilities import Capabilities
from .client import WebflowClient
from .mapping import Mapping
from .progress import NoProgress, Progress
from .references import References
from .report import Report
from .runs import CollectionRun, RunOptions
from .state import RACY_SECONDS, StatCache, State, save_stat_cache, save_state
from .store import SnapshotStore, sha256
from .userpaths import shown

log = logging.getLogger("wfsync.engine")

#: a file system's clock tick, at most, where times have sub-second digits (Linux's is a few ms)
FINE_TICK = 0.05

#: called at each phase and around each write to Webflow: ``hook(event, details)``; events are
#: ``phase:<name>``, ``before:<write>`` and ``after:<write>`` (write: create, update, unpublish,
#: delete, publish), details hold the collection id and the item ids or keys
Hook = Callable[[str, dict[str, Any]], None]


@dataclass
class RunContext:
    client: WebflowClient
    site_id: str
    store: SnapshotStore
    opts: RunOptions
    report: Report
    state: State
    stats: StatCache  # path -> (size, mtime) of the files as last written
    refs: References = field(default_factory=References)
    runs: list[CollectionRun] = field(default_factory=list)
    progress: Progress = field(default_factory=NoProgress)
    workers: int = 1
    hook: Hook | None = None
    caps: Capabilities = field(default_factory=Capabilities)  # what the API was found to support
    schema_lock: dict[str, Any] = field(default_factory=dict)  # the fields each collection had at the last run
    stopped: list[Mapping] = field(default_factory=list)  # collections left out: a mapped field changed in Webflow
    aside: set[str] = field(default_factory=set)  # files of locales the site no longer has: left alone (not strays)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase, all collections
    calls: dict[str, int] = field(default_factory=dict)  # API calls per phase
    display: str = ""  # the snapshot folder seen from the project root (``snapshots/demo``), for messages

    def shown(self, path: str) -> str:
        """A snapshot path as a message names it to the user: relative to the project root, like
        every other path the user reads (``userpaths``)."""
        return shown(self.display, path)

    @contextmanager
    def phase(self, name: str, run: CollectionRun | None = None) -> Iterator[None]:
        """One phase (of one collection's run, when given): its seconds and API calls are added
        to the phase's totals and to the collection's."""
        self.emit(f"phase:{name}", collection=run.schema.id if run else None)
        before, started = self.client.stats.total, time.monotonic()
        try:
            yield
        finally:
            seconds, calls = time.monotonic() - started, self.client.stats.total - before
            self.timings[name] = self.timings.get(name, 0.0) + seconds
            self.calls[name] = self.calls.get(name, 0) + calls
            if run is not None:
                run.seconds += seconds
                run.calls += calls

    def emit(self, event: str, **details: Any) -> None:
        if self.hook is not None:
            self.hook(event, details)

    def save(self) -> None:
        """The base and the stat cache (of the files the base still knows)."""
        save_state(self.store.root, self.state)
        live_paths = {e.path for e in self.state.items.values()}
        save_stat_cache(self.store.root, {p: v for p, v in self.stats.items() if p in live_paths})

    def settle_stats(self) -> bool:
        """Files this run wrote too recently for their stat to prove anything (``remember_stat``'s
        racy check) are cached once that much time has passed, on their content: what is there now
        is what the base says was written, so a later save shows in the stat. Without this, every
        file of a first pull is read again by the next run. True if any entry was added."""
        by_path = self.state.by_path()
        added = False
        for rel, info in self.store.written().items():
            entry = by_path.get(rel)
            if rel in self.stats or entry is None:
                continue
            age = time.time() - info.mtime_ns / 1e9
            if info.mtime_ns % 1_000_000_000 and age > FINE_TICK:
                # a file system with sub-second times: a later save has a later mtime, as git trusts
                # with nanosecond times (and a replace still compares content before writing)
                self.stats[rel] = (info.size, info.mtime_ns)
                added = True
                continue
            if age <= RACY_SECONDS:
                continue
            now = self.store.stat(rel)
            if now is None or (now.size, now.mtime_ns) != (info.size, info.mtime_ns):
                continue
            data = self.store.read(rel)
            if data is not None and sha256(data) == entry.file_hash:
                self.stats[rel] = (info.size, info.mtime_ns)
                added = True
        return added

    def log_timings(self) -> None:
        for name, seconds in self.timings.items():
            log.debug("phase %s: %.3f s, %d API call(s)", name, seconds, self.calls.get(name, 0))

"""Converting many items on every core: the first pull of a large site is conversion-bound.

Rich text to Markdown and the YAML emitter are pure Python; with thousands of items the work
is split across processes (spawned, so nothing of the parent's threads or sockets is copied).
Small batches stay in this process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Iterator, Sequence

from .convert import Converted, Document, item_to_document, render
from .mapping import Mapping
from .model import Collection, RemoteItem

#: below this many items a pool is not worth starting
THRESHOLD = 400

_CONTEXT: tuple[Mapping, Collection, Any] | None = None


def _init(mapping: Mapping, schema: Collection, refs: Any) -> None:
    global _CONTEXT
    _CONTEXT = (mapping, schema, refs)


def _convert(items: Sequence[RemoteItem]) -> list[tuple[Converted, bytes]]:
    assert _CONTEXT is not None
    mapping, schema, refs = _CONTEXT
    out = []
    for item in items:
        converted = item_to_document(item, mapping, schema, refs)
        data = render(converted.document).encode("utf-8")
        # the bytes say all the document did: dropping it keeps a large pull smaller
        converted.document = Document({})
        out.append((converted, data))
    return out


def default_workers() -> int:
    """``WFSYNC_WORKERS`` if set, else one fewer than the usable cores (at most 8).

    One core stays with this process, which reads the pages, hashes and writes the files;
    on two cores, measured, a pool of two spent 50 % more CPU for no faster a pull."""
    configured = os.environ.get("WFSYNC_WORKERS", "").strip()
    if configured.isdigit():
        return max(1, int(configured))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(8, cores) - 1)


SLICE = 1000  # items in flight at once: what is converted is handed back before the next slice


def convert_items(items: list[RemoteItem], mapping: Mapping, schema: Collection, refs: Any,
                  workers: int) -> Iterator[tuple[Converted, bytes]]:
    """Each item's record and file bytes, in the order given. ``items`` is emptied as it goes,
    so that the raw items do not outlive their conversion."""
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

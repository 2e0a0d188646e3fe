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
from typing import Any, Sequence

from .convert import Converted, item_to_document, render
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
        out.append((converted, render(converted.document).encode("utf-8")))
    return out


def default_workers() -> int:
    return max(1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1))


def convert_items(items: Sequence[RemoteItem], mapping: Mapping, schema: Collection, refs: Any,
                  workers: int) -> list[tuple[Converted, bytes]]:
    """Each item's document and file bytes, in the order given."""
    if workers <= 1 or len(items) < THRESHOLD:
        _init(mapping, schema, refs)
        return _convert(items)
    size = math.ceil(len(items) / (workers * 4))
    chunks = [items[i:i + size] for i in range(0, len(items), size)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(mapping, schema, refs)) as pool:
        return [pair for chunk in pool.map(_convert, chunks) for pair in chunk]

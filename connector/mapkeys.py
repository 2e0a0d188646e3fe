"""The keys a mapping syncs, and whether the base was recorded with others (a mapping line added or
removed since the last sync): such a collection is read in full, so that every file can be written
again with the mapping as it is now (``plan.decide_mapped``)."""

from __future__ import annotations

from collections.abc import Iterable

from .convert import BODY_KEY
from .mapping import WRITABLE_META, Mapping
from .plan import mapping_change
from .state import BaseEntry


def record_keys(mapping: Mapping) -> frozenset[str]:
    """The keys of an item's record under ``mapping`` (``convert.document_record``)."""
    keys = {e.key for e in mapping.entries if e.field or e.meta in WRITABLE_META}
    return frozenset(keys | {BODY_KEY}) if mapping.body else frozenset(keys)


def changed_since(mapping: Mapping, base: Iterable[BaseEntry]) -> str | None:
    """What the mapping changed since these items were synced (``new key draft``), or None."""
    keys = record_keys(mapping)
    added: set[str] = set()
    removed: set[str] = set()
    for entry in base:
        added |= keys - set(entry.fields)
        removed |= set(entry.fields) - keys
    return mapping_change(added, removed) if added or removed else None

"""Slug history: the slugs an item had before, so a migrated site can redirect its old URLs.

Recorded by pull, push and sync when an item's file moves because its slug changed
(``.wfsync/slug-history.json`` beside the state, sorted, meant to be committed with it);
read by ``wfsync export`` to write redirects. Only ever appended to.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .mapping import Mapping
from .runs import template_regex
from .state import STATE_DIR
from .store import atomic_write

HISTORY_FILE = "slug-history.json"


def history_path(snapshot_root: Path) -> Path:
    return snapshot_root / STATE_DIR / HISTORY_FILE


def load_history(snapshot_root: Path) -> dict[str, dict[str, Any]]:
    """item id -> {"collection": id, "slugs": [former slugs, oldest first]}."""
    try:
        data = json.loads(history_path(snapshot_root).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def record_move(snapshot_root: Path, mapping: Mapping, item_id: str, old_path: str, new_slug: str) -> None:
    """Remember the slug of ``old_path`` (if the mapping's path template tells it) for this item."""
    m = template_regex(mapping).match(old_path)
    record_slug(snapshot_root, mapping, item_id, (m.groupdict().get("slug") if m else None) or None, new_slug)


def record_slug(snapshot_root: Path, mapping: Mapping, item_id: str, old_slug: str | None, new_slug: str) -> None:
    """Remember ``old_slug``, a slug the item had before ``new_slug``."""
    if not old_slug or old_slug == new_slug:
        return
    history = load_history(snapshot_root)
    entry = history.setdefault(item_id, {"collection": mapping.collection_id, "slugs": []})
    slugs = [s for s in entry.get("slugs", []) if isinstance(s, str) and s != old_slug]
    entry["slugs"] = slugs + [old_slug]
    text = json.dumps(dict(sorted(history.items())), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    atomic_write(history_path(snapshot_root), text.encode())

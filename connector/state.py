"""The base: what both sides looked like at the last sync.

One JSON file per snapshot (``.wfsync/state.json`` under the snapshot root), sorted and
indented so it diffs well and can be committed with the snapshots. Written atomically;
the engine saves it after every applied batch, so a crash loses at most the batch in
flight, which the next run recognises.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import StateFileError
from .store import atomic_write

STATE_DIR = ".wfsync"
STATE_FILE = "state.json"
LOCK_FILE = "run.lock"
# size and mtime of the files as last written: machine-specific, so kept apart and not committed
CACHE_FILE = "stat-cache.json"
VERSION = 1


@dataclass(frozen=True)
class BaseEntry:
    id: str
    collection: str
    path: str
    last_updated: str
    record_hash: str
    fields: dict[str, str]
    file_hash: str
    last_published: str | None = None
    files: dict[str, str] = field(default_factory=dict)  # url -> Webflow's fileId, of the item's files
    locale: str | None = None  # the cmsLocaleId of a secondary locale's variant; None: the primary (or no locales)

    @property
    def key(self) -> str:
        """Its key in the state: the item id (the primary's, as before locales), ``id@cmsLocaleId`` otherwise."""
        return variant_key(self.id, self.locale)


def variant_key(item_id: str, locale: str | None) -> str:
    return item_id if locale is None else f"{item_id}@{locale}"


@dataclass
class CollectionState:
    cursor: str | None = None  # the newest lastUpdated seen
    total: int = 0  # pagination.total at the last run: all items, drafts and archived included
    runs_since_full: int = 0
    held: list[str] = field(default_factory=list)  # ids in Webflow that are not pulled (archived, drafts)
    slug: str = ""  # the collection's slug: a run can skip listing the collections


@dataclass
class State:
    site: str = ""
    items: dict[str, BaseEntry] = field(default_factory=dict)
    # per collection: the incremental cursor; machine-local, kept in the cache file (not committed)
    collections: dict[str, CollectionState] = field(default_factory=dict)
    dirty: bool = False  # items changed since loading or the last save
    # ids whose deletion in Webflow was started (a live item is unpublished first) and not yet
    # recorded as done: a run killed in between finishes the delete on the next run
    deleting: set[str] = field(default_factory=set)
    # (collection id, item id, path of its file) of items deleted in Webflow that files still named
    # when their own file went: every run looks for those files again and names them, until none does
    gone: set[tuple[str, str, str]] = field(default_factory=set)

    def put(self, entry: BaseEntry) -> None:
        if self.items.get(entry.key) != entry:
            self.items[entry.key] = entry
            self.dirty = True

    def drop(self, item_id: str) -> None:
        if self.items.pop(item_id, None) is not None:
            self.dirty = True

    def by_path(self) -> dict[str, BaseEntry]:
        return {e.path: e for e in self.items.values()}

    def for_collection(self, collection_id: str, locale: str | None = None) -> dict[str, BaseEntry]:
        """The collection's entries in one locale (default: the primary), by item id."""
        return {e.id if locale else k: e for k, e in self.items.items()
                if e.collection == collection_id and e.locale == locale}

    def to_json(self) -> str:
        """Sorted, one item a line: git shows one changed line per changed item. (The C JSON
        encoder does each line; an indented dump of 10,000 items goes through the slow one.)"""
        lines = [f"  {json.dumps(k)}: {json.dumps(_entry_json(v), sort_keys=True, ensure_ascii=False)}"
                 for k, v in sorted(self.items.items())]
        body = "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"
        deleting = f' "deleting": {json.dumps(sorted(self.deleting))},\n' if self.deleting else ""
        gone = f' "gone": {json.dumps([list(g) for g in sorted(self.gone)])},\n' if self.gone else ""
        return (f'{{\n{deleting}{gone} "items": {body},\n "site": {json.dumps(self.site)},\n "version": {VERSION}\n}}\n')

    @classmethod
    def from_json(cls, text: str) -> "State":
        data = json.loads(text)
        if data.get("version") != VERSION:
            raise ValueError(f"unknown state version {data.get('version')!r}")
        return cls(
            site=data.get("site", ""),
            items={k: BaseEntry(**v) for k, v in data.get("items", {}).items()},
            deleting=set(data.get("deleting", [])),
            gone={(str(c), str(i), str(p)) for c, i, p in data.get("gone", [])},
        )


def _entry_json(entry: BaseEntry) -> dict[str, object]:
    data = dict(entry.__dict__)
    if not data.get("files"):
        data.pop("files", None)  # most items have no files: their line stays as it was
    if data.get("locale") is None:
        data.pop("locale", None)  # the primary's entries keep their format
    return data


def state_path(snapshot_root: Path) -> Path:
    return snapshot_root / STATE_DIR / STATE_FILE


CURSOR_FILE = "cursors.json"


def load_state(snapshot_root: Path) -> State:
    path = state_path(snapshot_root)
    state = _read_state(path) if path.exists() else State()
    try:
        raw = json.loads((snapshot_root / STATE_DIR / CURSOR_FILE).read_text(encoding="utf-8"))
        state.collections = {k: CollectionState(**v) for k, v in raw.items()}
    except (FileNotFoundError, ValueError, TypeError):
        state.collections = {}  # no cursor: the next run reads everything
    return state


def _read_state(path: Path) -> State:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        return State.from_json(text)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        # as from the project root (snapshots/<name>/.wfsync/state.json), where git commands run
        shown = path.relative_to(path.parents[3]).as_posix() if len(path.parents) > 3 else path.as_posix()
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            # two clones' runs committed and merged: either side is a sound base, the next run
            # compares every file with Webflow and records what already agrees
            error = StateFileError(f"{shown} holds git conflict markers (a merge of two runs' states)")
            error.hint = (f"Take either side, for example `git checkout --ours -- {shown}` (or --theirs; both are "
                          "sound), then run `wfsync sync`: what both sides already agree on is recorded again.")
        else:
            error = StateFileError(f"{shown} cannot be read ({exc})")
            error.hint = (f"Restore it from git (`git checkout -- {shown}`); without a copy, move it away and run "
                          "`wfsync resync` once the files and Webflow agree.")
        raise error from exc


def save_state(snapshot_root: Path, state: State) -> None:
    """Write the state if it changed (a run that changes nothing touches no file) and the cursors."""
    path = state_path(snapshot_root)
    if state.dirty or not path.exists():
        data = state.to_json().encode("utf-8")
        try:
            unchanged = path.read_bytes() == data
        except FileNotFoundError:
            unchanged = False
        if not unchanged:
            atomic_write(path, data)
        state.dirty = False
    cursors = json.dumps({k: asdict(v) for k, v in sorted(state.collections.items())}, sort_keys=True).encode()
    atomic_write(snapshot_root / STATE_DIR / CURSOR_FILE, cursors)


StatCache = dict[str, tuple[int, int]]  # path -> (size, mtime_ns)
#: a file whose mtime is this close to now may be changed again within the same timestamp tick (2 s on
#: FAT and some network shares) with the same size: its stat proves nothing, so it is not cached
RACY_SECONDS = 2.0


def remember_stat(cache: StatCache, rel: str, size: int, mtime_ns: int) -> None:
    """Cache a file's stat as 'unchanged since synced', unless it is too fresh to tell (git's racy check)."""
    if time.time() - mtime_ns / 1e9 > RACY_SECONDS:
        cache[rel] = (size, mtime_ns)
    else:
        cache.pop(rel, None)


def load_stat_cache(snapshot_root: Path) -> StatCache:
    path = snapshot_root / STATE_DIR / CACHE_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {k: (int(v[0]), int(v[1])) for k, v in data.items()}


def save_stat_cache(snapshot_root: Path, cache: StatCache) -> None:
    folder = snapshot_root / STATE_DIR
    atomic_write(folder / CACHE_FILE, json.dumps(dict(sorted(cache.items())), separators=(",", ":")).encode())
    ignore = folder / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, f"{CACHE_FILE}\n{CURSOR_FILE}\n{LOCK_FILE}\napi.json\n".encode())

"""What one run knows about each collection: options, both sides' views, paths, ordering."""

from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .convert import Converted, Document, document_record, parse, render
from .mapping import Mapping
from .model import Collection, Locale, RemoteItem
from .plan import Action, Plan, Policy, Side
from .references import reference_targets
from .state import BaseEntry, variant_key
from .store import FileInfo


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
    full_every: int = 24  # incremental runs between two full reconciliations
    resync: bool = False  # plan as if nothing had been synced: the base is rebuilt from both sides
    # the files (snapshot paths, a folder ends with "/") whose conflicts the policy's --on-conflict
    # decides; None: every conflict of the run
    conflict_paths: frozenset[str] | None = None


@dataclass
class LazyRecord(MappingABC):
    """A remote item's record, read back from its file bytes only if someone asks for the values
    (a merge, a diff): a large pull then keeps just the bytes and the hashes in memory."""

    def __init__(self, data: bytes, mapping: Mapping) -> None:
        self._data: bytes | None = data
        self._mapping = mapping
        self._values: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            assert self._data is not None
            self._values = document_record(parse(self._data.decode("utf-8")), self._mapping)
            self._data = None
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


@dataclass
class RemoteView:
    item: RemoteItem
    converted: Converted
    path: str
    side: Side
    data: bytes | None = None  # the file's bytes, once rendered
    html: dict[str, bytes] | None = None  # rich text as Webflow has it, for a push (``webflow_now``)

    def rendered(self) -> bytes:
        if self.data is None:
            self.data = render(self.converted.document).encode("utf-8")
            return self.data
        return self.data


@dataclass
class LocalView:
    path: str
    info: FileInfo
    side: Side | None = None
    document: Document | None = None
    key_lines: dict[str, int] = field(default_factory=dict)  # where each key is written, for problems
    key_texts: dict[str, str] = field(default_factory=dict)  # each value as typed, for problems


@dataclass
class CollectionRun:
    mapping: Mapping
    schema: Collection
    remote: dict[str, RemoteView] = field(default_factory=dict)
    held: set[str] = field(default_factory=set)  # ids in Webflow that this run leaves alone (archived, drafts)
    held_remote: set[str] = field(default_factory=set)  # of those, the ones held for what Webflow has (not the file)
    local: dict[str, LocalView] = field(default_factory=dict)
    base: dict[str, BaseEntry] = field(default_factory=dict)
    plan: Plan | None = None
    seconds: float = 0.0
    calls: int = 0
    full: bool = True  # every item was read (not only those changed since the cursor)
    read_in_full: bool = False  # a full read is due whatever the cursor (a mapped field's options changed)
    created: int = 0
    deleted: int = 0
    total: int = 0  # pagination.total as read in this run
    unfetched: set[str] = field(default_factory=set)  # base ids not re-read: unchanged in Webflow
    pushed: dict[str, None] = field(default_factory=dict)  # ids created or updated by this run, in order
    deferred: list[tuple[str, str]] = field(default_factory=list)  # (id, key) of creates with references to fill in
    former_slugs: dict[str, str] = field(default_factory=dict)  # id -> Webflow's slug before this run's push renamed it
    published_flags: dict[str, bool] = field(default_factory=dict)  # id -> isDraft, as Webflow answered
    # id -> lastUpdated of the version this run planned on (as read, or as this run's create answered):
    # an item is written or deleted only while Webflow still has that version
    planned_versions: dict[str, str] = field(default_factory=dict)
    unwritable: dict[str, str] = field(default_factory=dict)  # id -> why Webflow's version may not go into its file
    # id -> (problem, ids of deleted items) of each value naming an item Webflow deleted (``deadrefs``)
    dead_refs: dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)  # ids whose file an editor saved during the run: not written
    read_mark: float = 0.0  # the newest lastUpdated this run read (never one of its own writes)
    # a secondary locale's variants (``locales.py``); None: the primary, as on a site without locales
    locale: Locale | None = None
    # on a localized site, the primary's run: every locale's cmsLocaleId (an item deleted goes in all)
    all_locales: tuple[str, ...] = ()
    # on a secondary locale's run: ids whose variant goes with the whole item (the primary's run deletes it)
    with_item: set[str] = field(default_factory=set)
    # carried out while Webflow was still being read (``pagewrites``): left out of the final plan's
    # work, kept in the plan as done; and files read then, by path: (item key, view) for the scan
    early: dict[str, Action] = field(default_factory=dict)
    scanned: dict[str, tuple[str, LocalView]] = field(default_factory=dict)

    @property
    def cms_locale(self) -> str | None:
        return self.locale.cms_locale_id if self.locale is not None else None

    @property
    def scope(self) -> str:
        """What the state's cursors know this run by: the collection id, with the locale for a secondary one."""
        return variant_key(self.schema.id, self.cms_locale)

    def state_key(self, item_id: str) -> str:
        """An item of this run, as the state knows its variant."""
        return variant_key(item_id, self.cms_locale)



def iso_seconds(text: str | None) -> float:
    if not text:
        return 0.0
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def iso_text(seconds: float) -> str:
    """An instant as Webflow writes one: ``2024-03-26T02:51:06.637Z``."""
    millis = round(seconds * 1000)
    return datetime.fromtimestamp(millis // 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{millis % 1000:03d}Z"


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


def reference_order(runs: list[CollectionRun]) -> list[list[CollectionRun]]:
    """Groups of collections, each after the collections it refers to; a cycle is one group."""
    left = list(runs)
    done: set[str] = set()
    groups = []
    mapped = {r.schema.id for r in runs}
    while left:
        ready = [r for r in left if (reference_targets(r.schema) & mapped) - {r.schema.id} <= done]
        group = ready or left[:]  # nothing is ready: they refer to each other
        groups.append(group)
        done |= {r.schema.id for r in group}
        left = [r for r in left if r not in group]
    return groups


def conflict_copy_path(path: str) -> str:
    return path[:-3] + ".remote.md" if path.endswith(".md") else path + ".remote.md"


def local_copy_path(path: str) -> str:
    """Where the user's version goes when a conflict is decided for Webflow's."""
    return path[:-3] + ".local.md" if path.endswith(".md") else path + ".local.md"


def is_copy(name: str) -> bool:
    """A copy wfsync keeps beside a file (Webflow's or the user's version): not content."""
    return name.endswith(".remote.md") or name.endswith(".local.md")

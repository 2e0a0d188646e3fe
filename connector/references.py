"""References between items: an item id to the path of its file and back.

Reference fields hold item ids on the wire and file paths in the files; these tables
translate, for every mapped collection, including the files a push is about to create.
"""

from __future__ import annotations

from typing import Any

from .model import Collection


class References:
    """Item ids to file paths and back, for every mapped collection."""

    def __init__(self) -> None:
        self.paths: dict[tuple[str, str], str] = {}
        self.ids: dict[tuple[str, str], str] = {}
        self.collections: set[str] = set()  # collections whose items are read by this run
        self.without_file: set[tuple[str, str]] = set()  # items that exist but have no file (held)
        self.stopped: set[str] = set()  # collections this run leaves alone: known only as last synced
        self.deleted: set[tuple[str, str]] = set()  # (collection, path) of files removed with their deleted item

    def add(self, collection_id: str, item_id: str, path: str) -> None:
        self.paths[(collection_id, item_id)] = path
        self.ids[(collection_id, path)] = item_id

    def also_known_as(self, collection_id: str, item_id: str, path: str) -> None:
        """The path an item's file had at the last sync, while its slug moved in Webflow: files not
        yet rewritten still name it so, and mean that item unless another one now has that path."""
        self.ids.setdefault((collection_id, path), item_id)

    def exists(self, collection_id: str, item_id: str) -> None:
        """An item Webflow has though it gets no file (a draft, archived, an unsafe slug)."""
        self.without_file.add((collection_id, item_id))

    def dangling(self, collection_id: str, item_id: str) -> bool:
        """A reference into a collection this run reads, to an item it does not know at all."""
        return collection_id in self.collections and (collection_id, item_id) not in self.paths \
            and (collection_id, item_id) not in self.without_file

    def deleted_path(self, collection_id: str, path: str) -> bool:
        """The path of a file removed because Webflow deleted its item (and no item has it since)."""
        return (collection_id, path) in self.deleted and (collection_id, path) not in self.ids

    def unsynced(self, collection_id: str, item_id: str) -> bool:
        """A reference into a collection this run leaves alone, to an item its last sync did not see."""
        return collection_id in self.stopped and (collection_id, item_id) not in self.paths \
            and (collection_id, item_id) not in self.without_file

    def path_for(self, collection_id: str, item_id: str) -> str | None:
        return self.paths.get((collection_id, item_id))

    def id_for(self, collection_id: str, path: str) -> str | None:
        return self.ids.get((collection_id, path))


PENDING = "pending:"


class PendingReferences:
    """References that also know the files about to be created: they encode as placeholders
    until the item exists (the first pass creates without them, the second fills them in)."""

    def __init__(self, refs: References, pending: dict[tuple[str, str], str]) -> None:
        self.refs = refs
        self.pending = pending  # (collection id, path) -> key of the planned create

    def path_for(self, collection_id: str, item_id: str) -> str | None:
        return self.refs.path_for(collection_id, item_id)

    def dangling(self, collection_id: str, item_id: str) -> bool:
        return self.refs.dangling(collection_id, item_id)

    def deleted_path(self, collection_id: str, path: str) -> bool:
        return (collection_id, path) not in self.pending and self.refs.deleted_path(collection_id, path)

    def id_for(self, collection_id: str, path: str) -> str | None:
        found = self.refs.id_for(collection_id, path)
        if found is None and (collection_id, path) in self.pending:
            return PENDING + path
        return found


def has_pending(value: Any) -> bool:
    if isinstance(value, str):
        return value.startswith(PENDING)
    if isinstance(value, list):
        return any(has_pending(v) for v in value)
    return False


def reference_targets(schema: Collection) -> set[str]:
    """The collections a collection's Reference and MultiReference fields point to."""
    return {str((f.validations or {}).get("collectionId")) for f in schema.fields
            if f.type in ("Reference", "MultiReference")}

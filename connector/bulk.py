"""Bulk writes with per-item outcomes.

Webflow answers a bulk create, update or delete as a whole: 202/200/204, or one error for the
request (400 when one item is invalid, 404 when one id is unknown), with no word on the other
items. Its spec documents partial success only for publishing (``publishedItemIds`` and
``errors``). The emulator rejects the whole request, which is what the documented answer
says; since the live API does not promise that nothing was applied, a refused batch is sent
again one item at a time, which is right either way (an update or a delete sent twice ends the
same; a create is never sent twice blindly, see ``create``). What was done is returned; what
was not, with the reason, so the engine records the one and reports the other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .client import WebflowClient
from .errors import ApiError, ConflictApiError, LeftOutError, NotFoundError, ValidationApiError
from .model import RemoteItem

log = logging.getLogger("wfsync.client")

#: errors about one item of a batch: another item alone may well succeed
ITEM_ERRORS = (ValidationApiError, NotFoundError, ConflictApiError)


@dataclass
class Outcome:
    done: list[RemoteItem] = field(default_factory=list)  # Webflow's answers (creates, updates)
    done_ids: list[str] = field(default_factory=list)  # deletes and unpublishes carried out (or already so)
    failed: dict[str, ApiError] = field(default_factory=dict)  # slug (creates) or id -> why not


def create(client: WebflowClient, collection_id: str, bodies: Sequence[Mapping[str, Any]]) -> Outcome:
    """Creates; a batch refused for one item is sent again item by item. Only a refused batch is
    re-sent: Webflow validates a request before writing any of it (an item it had created would
    make the re-sent one fail as a duplicate slug, which the engine then looks up, never a copy)."""
    return _items(lambda batch: client.create_items(collection_id, batch), bodies, _slug, "create")


def create_in_locales(client: WebflowClient, collection_id: str, bodies: Sequence[Mapping[str, Any]],
                      cms_locale_ids: Sequence[str], *, is_draft: bool, is_archived: bool) -> Outcome:
    """Creates each item in all of ``cms_locale_ids`` at once (one answer per item and locale); a
    batch refused for one item is sent again item by item, as ``create``."""
    return _items(lambda batch: client.create_items_in_locales(  # type: ignore[attr-defined]
        collection_id, [b["fieldData"] for b in batch], cms_locale_ids, is_draft=is_draft, is_archived=is_archived),
        bodies, _slug, "create")


def update(client: WebflowClient, collection_id: str, updates: Sequence[Mapping[str, Any]]) -> Outcome:
    """Updates; an item Webflow's answer leaves out (held back, with no error) is failed too: what
    it holds now is unknown, so it is never recorded as pushed."""
    out = _items(lambda batch: client.update_items(collection_id, batch), updates, lambda u: str(u["id"]), "update")
    answered = {item.id for item in out.done}
    for entry in updates:
        item_id = str(entry["id"])
        if item_id not in answered and item_id not in out.failed:
            out.failed[item_id] = LeftOutError("Webflow's answer left this item out (held back): it may not be "
                                               "updated; run again, or check it in Webflow")
    return out


def _items(send: Callable[[Sequence[Mapping[str, Any]]], list[RemoteItem]], entries: Sequence[Mapping[str, Any]],
           key: Callable[[Mapping[str, Any]], str], what: str) -> Outcome:
    try:
        return Outcome(done=send(entries))
    except ITEM_ERRORS as exc:
        if len(entries) == 1:
            return Outcome(failed={key(entries[0]): exc})
        log.info("a %s of %d items was refused (%s): sending them one by one", what, len(entries), exc)
    out = Outcome()
    for entry in entries:
        try:
            out.done.extend(send([entry]))
        except ITEM_ERRORS as exc:
            out.failed[key(entry)] = exc
    return out


def delete(client: WebflowClient, collection_id: str, ids: Sequence[str], *, live: bool = False) -> Outcome:
    """Deletes (``live``: unpublishes). An item already gone counts as done, but only once its own
    call said so (``WebflowClient.delete_items``): a 404 for a batch says nothing of the others."""
    try:
        client.delete_items(collection_id, ids, live=live)
        return Outcome(done_ids=list(ids))
    except ITEM_ERRORS as exc:
        if len(ids) == 1:
            return Outcome(failed={ids[0]: exc})
        log.info("a %s of %d items was refused (%s): sending them one by one",
                 "unpublish" if live else "delete", len(ids), exc)
    out = Outcome()
    for item_id in ids:
        try:
            client.delete_item(collection_id, item_id, live=live)
        except ITEM_ERRORS as exc:
            out.failed[item_id] = exc
            continue
        out.done_ids.append(item_id)
    return out


def _slug(body: Mapping[str, Any]) -> str:
    return str((body.get("fieldData") or {}).get("slug"))

"""Reading a collection's items without trusting what the API cannot be shown to do.

- ``read_all``: every item exactly once, even when items are created or deleted while the
  pages are read (offset paging shifts under such changes): duplicates are dropped and a read
  whose count does not add up is made again; so is one that ``nothing_missed`` cannot clear (one
  item created and another deleted leave the count as it was).
- ``read_changed``: the items changed since the last run, newest first. The answer must be
  sorted; reading stops at the first item seen at the last run (same id, same ``lastUpdated``),
  so a run with nothing changed reads one page however recent the last edits are. When the
  read stopped early, relying on the order, the order must have been proven (a one-item answer
  sorted the other way) within the last ``PROBE_EVERY`` runs.
- ``updated_since``: the items updated (or published) at or after an instant, with every item
  of the answer checked against the filter; without a working filter, a read newest first (when
  the order is proven), per-item reads for a few ids, or a full read, filtered here.

A 400 on any of these parameters is a missing capability, never a failed run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Collection as Ids, Iterator, Mapping, Sequence

from .capabilities import FILTER_PUBLISHED, FILTER_UPDATED, SORT, Capabilities
from .client import PAGE_SIZE, WebflowClient
from .errors import ApiError, NotFoundError, WfsyncError
from .model import Page, RemoteItem
from .runs import iso_seconds

log = logging.getLogger("wfsync.reads")

SORTED = {"sortBy": "lastUpdated", "sortOrder": "desc"}
#: re-read items updated this long before the newest one seen, when no known item stops the read first
MARGIN_SECONDS = 300
#: attempts at a full read whose count does not add up before giving up
READ_ATTEMPTS = 3
#: with this many items to check or fewer, read each one rather than the whole collection
PER_ITEM_MAX = 10

#: told after each page: (items in the page, the collection's total when the read is a full one)
OnPage = Callable[[int, int | None], None]


class IncompleteReadError(WfsyncError):
    hint = "Items were created or deleted in Webflow all the while wfsync read them; run again in a moment."


def _refused(exc: ApiError, caps: Capabilities, name: str, slug: str) -> None:
    """A 400 on a parameter is the parameter missing, not a failed run; anything else is raised."""
    if exc.status != 400 or any(d.param == "cmsLocaleId" for d in getattr(exc, "details", ())):
        raise exc  # (a locale refused: not the parameter, see ``phases/variants.locale_gone``)
    caps.lost(name, slug, f"refused: {exc.status} {exc.code or ''}".strip())


def read_all(client: WebflowClient, collection_id: str, *, live: bool = False,
             on_page: OnPage | None = None, whole: bool = True) -> tuple[list[RemoteItem], int]:
    """Every item once, and the count: (items, total). ``whole``: the caller takes an item missing
    from the answer as deleted (or a new one as absent), so the read must be shown to have missed
    nothing; without it, a read whose count adds up will do."""
    for attempt in range(READ_ATTEMPTS):
        items: list[RemoteItem] = []
        seen: set[str] = set()
        totals: set[int] = set()
        pages = 0
        for page in client.iter_pages(collection_id, live=live):
            pages += 1
            totals.add(page.total)
            for item in page.items:
                if item.id not in seen:
                    seen.add(item.id)
                    items.append(item)
            if on_page:
                on_page(len(page.items), page.total)
        if len(totals) <= 1 and len(items) == (totals.pop() if totals else 0) \
                and (not whole or nothing_missed(client, collection_id, items, pages, live=live)):
            return items, len(items)
        log.info("collection %s changed while it was read (counts %s, %d items): reading it again",
                 collection_id, sorted(totals), len(items))
    raise IncompleteReadError(f"the items of collection {collection_id} kept changing while they were read "
                              f"({READ_ATTEMPTS} attempts); nothing was inferred from an incomplete read")


def newest_created_first(items: Sequence[RemoteItem]) -> bool:
    """Whether the items came newest created first (ties allowed), as the live API lists them."""
    stamps = [iso_seconds(i.created_on) if i.created_on else None for i in items]
    return None not in stamps and all(a >= b for a, b in zip(stamps, stamps[1:]))  # type: ignore[operator]


def nothing_missed(client: WebflowClient, collection_id: str, items: Sequence[RemoteItem], pages: int, *,
                   live: bool = False) -> bool:
    """After a full read whose count added up: whether it can have missed nothing.

    One item created and another, already read, deleted while the pages are read leave
    ``pagination.total`` as it was; the read then lacks the new item and holds the deleted one
    (and, in an order where new items come last, lacks an item that moved up into a page already
    read). A read of one page is one answer: nothing in it can have moved. Otherwise:

    - read newest created first (the live order, shown by the answer itself): a new item would
      now be the first of the list, so one call for that one item tells. It must be an item read,
      and the newest one read;
    - in any other order (the spec's oldest first, or none to be seen): a second read must list
      the same items.
    """
    if pages <= 1:
        return True
    read = {i.id for i in items}
    if newest_created_first(items):
        head = client.list_items_page(collection_id, limit=1, live=live).items
        if head and head[0].id in read and iso_seconds(head[0].created_on) >= iso_seconds(items[0].created_on):
            return True
        log.info("collection %s: an item not read, or not the newest one read, now heads the list", collection_id)
        return False
    again: set[str] = set()
    totals: set[int] = set()
    for page in client.iter_pages(collection_id, live=live):
        totals.add(page.total)
        again.update(i.id for i in page.items)
    if totals == {len(read)} and again == read:
        return True
    log.info("collection %s: a second read did not list the same items", collection_id)
    return False


def prove_order(client: WebflowClient, collection_id: str, slug: str, items: list[RemoteItem],
                caps: Capabilities) -> None:
    """After a full read of more than a page, ask for the oldest-updated item (one call): an API that
    sorts answers the oldest of those just read; one that ignores sortBy answers its default first
    item. Later incremental reads stop early only on a proven order."""
    if len(items) <= PAGE_SIZE or caps.proven_recently(SORT) or not caps.usable(SORT):
        return
    try:
        probe = client.list_items_page(collection_id, limit=1, params={**SORTED, "sortOrder": "asc"})
    except ApiError as exc:
        _refused(exc, caps, SORT, slug)
        return
    oldest = min(iso_seconds(i.last_updated) for i in items)
    if probe.items and iso_seconds(probe.items[0].last_updated) == oldest:
        caps.works(SORT, proof=True)
    else:
        caps.lost(SORT, slug, "asked oldest first, the answer did not begin with the oldest item")


@dataclass
class Changed:
    items: list[RemoteItem]  # new or changed since the last run
    total: int  # pagination.total: every item of the collection


class _Unsorted(Exception):
    """The answer was not in the order asked for, or the order was refused (``caps`` knows which)."""


def _newest_first(client: WebflowClient, collection_id: str, slug: str, caps: Capabilities) -> Iterator[Page]:
    """Pages sorted by ``lastUpdated``, newest first, each item checked to be in that order."""
    last: float | None = None
    try:
        for page in client.iter_pages(collection_id, params=SORTED):
            for item in page.items:
                stamp = iso_seconds(item.last_updated)
                if last is not None and stamp > last:
                    caps.lost(SORT, slug, "an answer asked for newest first was not in that order")
                    raise _Unsorted
                last = stamp
            yield page
    except ApiError as exc:
        _refused(exc, caps, SORT, slug)
        raise _Unsorted from None


def read_changed(client: WebflowClient, collection_id: str, slug: str, known: Mapping[str, str], cursor: str,
                 caps: Capabilities, on_page: OnPage | None = None) -> Changed | None:
    """The items changed since the last run, or None when only a full read can tell."""
    if not caps.usable(SORT):
        return None
    since = iso_seconds(cursor) - MARGIN_SECONDS
    items: list[RemoteItem] = []
    read: set[str] = set()
    last: float | None = None  # lastUpdated of the last item read
    total = 0
    try:
        for page in _newest_first(client, collection_id, slug, caps):
            total = page.total
            stop = False
            for item in page.items:
                last = iso_seconds(item.last_updated)
                read.add(item.id)
                if item.id in known and iso_seconds(known[item.id]) == last:
                    stop = True  # seen at the last run: what follows is older
                elif last < since:
                    stop = True
                else:
                    items.append(item)
            if on_page:
                on_page(len(page.items), None)
            if stop:
                break
        if len(read) < total and not caps.proven_recently(SORT):
            # stopping early relied on the order; an unsorted list can look sorted, so ask for the
            # other end: a sorting API answers the oldest item, one that ignores sortBy the same first one
            probe = client.list_items_page(collection_id, limit=1, params={**SORTED, "sortOrder": "asc"})
            first = probe.items[0] if probe.items else None
            if first is None or first.id in read or (last is not None and iso_seconds(first.last_updated) > last):
                caps.lost(SORT, slug, "asked oldest first, the answer began as for newest first")
                return None
            caps.works(SORT, proof=True)
        # (a read that reached the end relied on no order: it proves nothing either way)
    except _Unsorted:
        return None
    except ApiError as exc:  # the probe refused
        _refused(exc, caps, SORT, slug)
        return None
    return Changed(items, total)


def _newest_first_until(client: WebflowClient, collection_id: str, slug: str, bound: float,
                        caps: Capabilities) -> list[RemoteItem] | None:
    """Without a working filter but with a proven order: newest first, up to the first item older
    than ``bound`` (a page when nothing changed), the order checked as in ``read_changed``."""
    found: list[RemoteItem] = []
    try:
        for page in _newest_first(client, collection_id, slug, caps):
            for item in page.items:
                if iso_seconds(item.last_updated) < bound:
                    return found
                found.append(item)
    except _Unsorted:
        return None
    return found


def updated_since(client: WebflowClient, collection_id: str, slug: str, since: str, caps: Capabilities, *,
                  published: bool = False, ids: Ids[str] | None = None) -> list[RemoteItem]:
    """Items whose ``lastUpdated`` (``lastPublished`` with ``published``) is at or after ``since``."""
    name, param = (FILTER_PUBLISHED, "lastPublished[gte]") if published else (FILTER_UPDATED, "lastUpdated[gte]")
    bound = iso_seconds(since)

    def keep(item: RemoteItem) -> bool:
        value = item.last_published if published else item.last_updated
        return bool(value) and iso_seconds(value) >= bound

    if caps.usable(name):
        answer: list[RemoteItem] | None = []
        try:
            for page in client.iter_pages(collection_id, params={param: since}):
                if not all(keep(i) for i in page.items):
                    # the filter is ignored: the first page says so; the rest would be the whole list
                    caps.lost(name, slug, "the answer held items outside the filter")
                    answer = None
                    break
                answer.extend(page.items)  # type: ignore[union-attr]
        except ApiError as exc:
            _refused(exc, caps, name, slug)
            answer = None
        if answer is not None:
            caps.works(name)
            return answer
    if not published and caps.usable(SORT) and caps.proven_recently(SORT):
        found = _newest_first_until(client, collection_id, slug, bound, caps)
        if found is not None:
            return found
    if ids is not None and len(ids) <= PER_ITEM_MAX:
        found = []
        for item_id in ids:
            try:
                found.append(client.get_item(collection_id, item_id))
            except NotFoundError:
                continue
        return [i for i in found if keep(i)]
    # items created or deleted meanwhile do not matter here: only the dates of those read do
    items, _ = read_all(client, collection_id, whole=False)
    return [i for i in items if keep(i)]

"""What Webflow has now for an item a push updates, as the file would hold it: rich text is
sent knowing it (``richtext.editing``: which ``_`` pairs are Webflow's emphasis, which trimmed
line ends were its line breaks)."""

from __future__ import annotations

from typing import Any

from ..context import RunContext
from ..convert import BODY_KEY, item_to_document
from ..errors import NotFoundError
from ..locales import api
from ..runs import CollectionRun


def rich_text_keys(run: CollectionRun) -> set[str]:
    """The record keys of the collection's rich-text fields."""
    rich = {f.slug for f in run.schema.fields if f.type == "RichText"}
    keys = {e.key for e in run.mapping.entries if e.field in rich}
    return keys | ({BODY_KEY} if run.mapping.body in rich else set())


def current_record(ctx: RunContext, run: CollectionRun, item_id: str, keys: set[str]) -> dict[str, Any] | None:
    """The record of Webflow's version of ``item_id``: as this run read it, or, for an item not
    read again (unchanged since the last sync) whose rich text is about to be sent, one GET."""
    read = run.remote.get(item_id)
    if read is not None:
        return read.converted.record
    if not keys & rich_text_keys(run):
        return None
    try:
        item = api(ctx, run).get_item(run.schema.id, item_id)
    except NotFoundError:
        return None  # deleted in Webflow: the update says so
    return item_to_document(item, run.mapping, run.schema, ctx.refs).record
